/* tests/unit/test_xive_controller.c — the XIVE controller
 * (models/intc/xive_controller.h) in operation, over a fake dispatcher
 * that runs each interrupt job IRQ_RUN after it is submitted: trigger ->
 * PQ -> route -> present or backlog -> handler -> ack, EQ pop, CPPR, EOI,
 * and the EOI that re-notifies.
 *
 * Tests marked "Regression" guard defects found while writing these tests.
 *
 * Every test builds through rig_open_xive; the checked teardown frees
 * everything even when an assertion fails (CK_FORK=no). The rig is in
 * irq_rig.h. */
#include <check.h>
#include <stdlib.h>

#include "irq_rig.h"
#include "models/intc/xive_controller.h"

/* ---- XIVE controller fixture -------------------------------------------- */

#define IRQ_RUN (2 * SIM_US) /* the fake dispatcher's time to run a job */
#define XBASE 8              /* global number of rig.sb's source 0 */
#define RETARGET (7 * SIM_US)

/* The dispatcher: logs the job and completes it IRQ_RUN later, whether
 * or not the VP is dispatched (the real one would hold it). */
static int fake_submit_irq(void *ctx, uint32_t vp, uint64_t handler_cycles, event_fn fn,
                           void *fctx, uint64_t arg)
{
    (void)ctx;
    if (seen.nirq < LOG_MAX)
        seen.irq[seen.nirq] = (struct irq_rec){ vp, handler_cycles, kernel_now(rig.k) };
    seen.nirq++;
    kernel_schedule_in(rig.k, IRQ_RUN, fn, fctx, arg);
    return 0;
}

/* The OS's handler body; arg is the local source number in rig.sb, so it
 * can log the PQ bits the handler runs under. */
static void on_handle(void *ctx, uint32_t arg, bool traced)
{
    (void)traced;
    if (seen.nhandled < LOG_MAX)
        seen.handled[seen.nhandled] = (struct handled_rec){
            arg, ctx, kernel_now(rig.k), xive_source_pq(rig.sb, arg) };
    seen.nhandled++;
}

/* 4 threads, 8 VPs, 64 EAS entries, 1024-entry EQs; a block of 8 sources
 * at 0 and the block under test (16 sources) at XBASE. */
static uint64_t rig_eoi_cycles; /* the next rig's ESB load-EOI cycles */

static struct xive_router *rig_open_xive(bool escalation)
{
    rig_open();
    struct xive_router_config c;
    struct diag err;
    ck_assert_int_eq(xive_router_config_init(&c, NULL, &err), 0);
    c.eoi_cycles = rig_eoi_cycles;
    rig_eoi_cycles = 0;
    c.threads = 4;
    c.vps = 8;
    c.eas_entries = 64;
    c.eq_qsize = 0;
    c.escalation = escalation;
    c.retarget_ps = RETARGET;
    rig.x = xive_controller_create(&rig.env, "s0.xive", &c,
                                   (struct vp_irq_port){ fake_submit_irq, NULL });
    ck_assert_ptr_nonnull(rig.x);
    rig.sb0 = xive_source_create(&(struct xive_source_config){ 8 });
    rig.sb = xive_source_create(&(struct xive_source_config){ 16 });
    uint32_t base;
    ck_assert_int_eq(xive_controller_attach(rig.x, rig.sb0, &base), 0);
    ck_assert_uint_eq(base, 0);
    ck_assert_int_eq(xive_controller_attach(rig.x, rig.sb, &base), 0);
    ck_assert_uint_eq(base, XBASE);
    return xive_controller_router(rig.x);
}

static void route(uint32_t n, uint32_t vp, uint8_t prio, uint64_t handler_cycles)
{
    struct irq_action a = { on_handle, &seen, n, handler_cycles };
    ck_assert_int_eq(xive_controller_route(rig.x, XBASE + n, vp, prio, &a), 0);
}

static void trigger(uint32_t src)
{
    struct irq_trigger_port p = xive_controller_trigger_port(rig.x);
    p.trigger(p.ctx, src, false);
}

static bool eq_empty(struct xive_router *r, uint32_t vp, uint8_t prio)
{
    uint32_t data;
    return !xive_router_eq_pop(r, vp, prio, &data);
}

/* ---- XIVE controller ---------------------------------------------------- */

/* 1. The whole cycle: route turns the source on, a trigger becomes one
 * interrupt job of the target VP with the action's cost, the handler
 * body runs when the job completes (source still pending, PQ 10) and
 * the EOI returns the source to 00. */
START_TEST(xive_trigger_submits_one_job_and_handler_eois)
{
    struct xive_router *r = rig_open_xive(true);
    xive_controller_vp_dispatched(rig.x, 3, 1);
    route(5, 3, 6, 4321);
    ck_assert_int_eq(xive_source_pq(rig.sb, 5), XIVE_PQ_00); /* reset 01, route turned it on */
    ck_assert_int_eq(xive_source_pq(rig.sb, 4), XIVE_PQ_01); /* its neighbours stay off */
    ck_assert_int_eq(xive_source_pq(rig.sb0, 5), XIVE_PQ_01); /* and the other block */

    kernel_run_until(rig.k, 10 * SIM_NS);
    trigger(XBASE + 5);
    ck_assert_uint_eq(seen.nirq, 1);
    ck_assert_uint_eq(seen.irq[0].vp, 3);
    ck_assert_uint_eq(seen.irq[0].cycles, 4321);
    ck_assert_uint_eq(seen.irq[0].t, 10 * SIM_NS);
    ck_assert_int_eq(xive_source_pq(rig.sb, 5), XIVE_PQ_10);
    ck_assert_uint_eq(seen.nhandled, 0); /* not before the job has run */
    ck_assert_uint_eq(xive_router_counters(r)->presented, 1);

    kernel_run(rig.k);
    ck_assert_uint_eq(seen.nhandled, 1);
    ck_assert_uint_eq(seen.handled[0].arg, 5);
    ck_assert_ptr_eq(seen.handled[0].ctx, &seen);
    ck_assert_uint_eq(seen.handled[0].t, 10 * SIM_NS + IRQ_RUN);
    ck_assert_int_eq(seen.handled[0].pq, XIVE_PQ_10); /* EOI comes after the body */
    ck_assert_int_eq(xive_source_pq(rig.sb, 5), XIVE_PQ_00);
    ck_assert_uint_eq(seen.nirq, 1); /* no second job */
    /* One EQ entry was written, and the OS consumed it. */
    uint32_t idx, entries;
    bool gen;
    ck_assert_int_eq(xive_router_eq_state(r, 3, 6, &idx, &gen, &entries), 0);
    ck_assert_uint_eq(idx, 1);
    ck_assert(eq_empty(r, 3, 6));
}
END_TEST

/* The ESB load-EOI: the router's defaults (notify 250 ns, eoi_load
 * 400 ns), the trigger port carrying the notify latency, and every
 * handler job holding the EOI's cycles on top of the action's (here its
 * cycles callback, which the OS uses to fold more work into the job). */
static uint64_t folded_cycles(void *ctx, uint32_t arg)
{
    (void)ctx;
    return 1000 + arg;
}

START_TEST(xive_handler_job_holds_the_eoi_load_and_the_folded_work)
{
    struct xive_router_config d;
    struct diag err;
    ck_assert_int_eq(xive_router_config_init(&d, NULL, &err), 0);
    ck_assert_uint_eq(d.notify_ps, 250 * SIM_NS);
    ck_assert_uint_eq(d.eoi_load_ps, 400 * SIM_NS);
    ck_assert_uint_eq(d.eoi_cycles, 0); /* the hypervisor's, from its frequency */

    rig_eoi_cycles = 1520; /* 400 ns at 3.8 GHz */
    rig_open_xive(true);
    ck_assert_uint_eq(xive_controller_eoi_cycles(rig.x), 1520);
    ck_assert_uint_eq(xive_controller_trigger_port(rig.x).latency_ps, 250 * SIM_NS);
    xive_controller_vp_dispatched(rig.x, 3, 1);
    route(5, 3, 6, 4321);
    struct irq_action a = { on_handle, &seen, 6, 4321, folded_cycles };
    ck_assert_int_eq(xive_controller_route(rig.x, XBASE + 6, 3, 6, &a), 0);
    trigger(XBASE + 5);
    trigger(XBASE + 6);
    ck_assert_uint_eq(seen.nirq, 2);
    ck_assert_uint_eq(seen.irq[0].cycles, 4321 + 1520);
    ck_assert_uint_eq(seen.irq[1].cycles, 1000 + 6 + 1520);
}
END_TEST

/* 2. Triggers while the first is pending are absorbed by PQ 11 (no new
 * job); the handler's EOI finds 11 and notifies once more: exactly one
 * more job, and the source is back at 00 after it. The scalars count 3
 * triggers, 2 notifications, 1 coalesced. */
START_TEST(xive_triggers_while_pending_coalesce_and_eoi_renotifies_once)
{
    rig_open_xive(true);
    xive_controller_vp_dispatched(rig.x, 2, 0);
    route(1, 2, 4, 100);
    trigger(XBASE + 1);
    kernel_run_until(rig.k, 100 * SIM_NS);
    trigger(XBASE + 1);
    ck_assert_int_eq(xive_source_pq(rig.sb, 1), XIVE_PQ_11);
    kernel_run_until(rig.k, 200 * SIM_NS);
    trigger(XBASE + 1);
    ck_assert_int_eq(xive_source_pq(rig.sb, 1), XIVE_PQ_11);
    ck_assert_uint_eq(seen.nirq, 1);

    kernel_run_until(rig.k, IRQ_RUN);
    ck_assert_uint_eq(seen.nhandled, 1);
    ck_assert_int_eq(seen.handled[0].pq, XIVE_PQ_11);
    ck_assert_uint_eq(seen.nirq, 2); /* the re-notification, at the EOI */
    ck_assert_uint_eq(seen.irq[1].t, IRQ_RUN);
    ck_assert_uint_eq(seen.irq[1].vp, 2);
    ck_assert_int_eq(xive_source_pq(rig.sb, 1), XIVE_PQ_10);

    kernel_run(rig.k);
    ck_assert_uint_eq(seen.nhandled, 2);
    ck_assert_uint_eq(seen.handled[1].t, 2 * IRQ_RUN);
    ck_assert_uint_eq(seen.nirq, 2);
    ck_assert_int_eq(xive_source_pq(rig.sb, 1), XIVE_PQ_00);

    env_finish(&rig.env);
    ck_assert_double_eq(scalar("s0.xive", "triggers"), 3);
    ck_assert_double_eq(scalar("s0.xive", "notifications"), 2);
    ck_assert_double_eq(scalar("s0.xive", "coalesced"), 1);
    ck_assert_double_eq(scalar("s0.xive", "presented"), 2);
    ck_assert_double_eq(scalar("s0.xive", "backlogged"), 0);
}
END_TEST

/* 3. A VP that is not on a thread: the notification is backlogged in its
 * NVT and escalates; the job is still submitted (the dispatcher holds
 * it). The escalation ESB goes 00 -> 10 -> 11 during the undispatched
 * period, so the EOI's re-notification backlogs again without a second
 * escalation. Dispatch turns escalation off (01) and moves the backlog;
 * undispatch re-arms it (00): the next period escalates once more. */
START_TEST(xive_undispatched_vp_backlogs_and_escalates_once_per_period)
{
    struct xive_router *r = rig_open_xive(true);
    const struct xive_router_counters *c = xive_router_counters(r);
    route(2, 5, 3, 700);
    ck_assert_int_eq(xive_router_escalation_pq(r, 5), XIVE_PQ_00);

    trigger(XBASE + 2);
    ck_assert_uint_eq(c->backlogged, 1);
    ck_assert_uint_eq(c->presented, 0);
    ck_assert_uint_eq(c->escalations, 1);
    ck_assert_uint_eq(xive_router_backlog(r, 5), 0x80 >> 3);
    ck_assert_int_eq(xive_router_escalation_pq(r, 5), XIVE_PQ_10);
    ck_assert_uint_eq(seen.nirq, 1);
    ck_assert_uint_eq(seen.irq[0].vp, 5);
    ck_assert_uint_eq(seen.irq[0].cycles, 700);

    trigger(XBASE + 2); /* still pending: PQ 11, nothing reaches the router */
    ck_assert_uint_eq(c->escalations, 1);
    ck_assert_uint_eq(seen.nirq, 1);

    kernel_run(rig.k); /* job 1, EOI re-notifies: backlogged again, job 2 */
    ck_assert_uint_eq(seen.nhandled, 2);
    ck_assert_uint_eq(seen.nirq, 2);
    ck_assert_uint_eq(c->backlogged, 2);
    ck_assert_uint_eq(c->escalations, 1);
    ck_assert_int_eq(xive_router_escalation_pq(r, 5), XIVE_PQ_11);
    ck_assert_int_eq(xive_source_pq(rig.sb, 2), XIVE_PQ_00);

    xive_controller_vp_dispatched(rig.x, 5, 2);
    ck_assert_int_eq(xive_router_escalation_pq(r, 5), XIVE_PQ_01);
    ck_assert_uint_eq(xive_router_backlog(r, 5), 0);
    ck_assert_uint_eq(c->redeliveries, 1);
    xive_controller_vp_undispatched(rig.x, 2);
    ck_assert_int_eq(xive_router_escalation_pq(r, 5), XIVE_PQ_00);

    trigger(XBASE + 2); /* a new undispatched period */
    ck_assert_uint_eq(c->escalations, 2);
    ck_assert_uint_eq(seen.nirq, 3);
}
END_TEST

/* With escalation off, an undispatched VP's interrupts are backlogged
 * without interrupting the hypervisor, and still run. */
START_TEST(xive_undispatched_vp_without_escalation_never_escalates)
{
    struct xive_router *r = rig_open_xive(false);
    route(0, 4, 2, 10);
    trigger(XBASE + 0);
    kernel_run(rig.k);
    ck_assert_uint_eq(xive_router_counters(r)->backlogged, 1);
    ck_assert_uint_eq(xive_router_counters(r)->escalations, 0);
    ck_assert_uint_eq(seen.nhandled, 1);
}
END_TEST

/* 4. Retarget moves the next trigger to the new VP (its own EQ), and
 * reports the router's configured cost. */
START_TEST(xive_retarget_sends_the_next_trigger_to_the_new_vp)
{
    struct xive_router *r = rig_open_xive(true);
    xive_controller_vp_dispatched(rig.x, 1, 0);
    xive_controller_vp_dispatched(rig.x, 6, 3);
    route(9, 1, 5, 50);
    sim_time_t cost = 0;
    ck_assert_int_eq(xive_controller_retarget(rig.x, XBASE + 9, 6, &cost), 0);
    ck_assert_uint_eq(cost, RETARGET);
    ck_assert_uint_eq(xive_router_counters(r)->retargets, 2); /* route + retarget */

    trigger(XBASE + 9);
    ck_assert_uint_eq(seen.nirq, 1);
    ck_assert_uint_eq(seen.irq[0].vp, 6);
    uint32_t idx, entries;
    bool gen;
    ck_assert_int_eq(xive_router_eq_state(r, 6, 5, &idx, &gen, &entries), 0);
    ck_assert_uint_eq(idx, 1); /* the entry went to VP 6's queue */
    ck_assert_int_eq(xive_router_eq_state(r, 1, 5, &idx, &gen, &entries), 0);
    ck_assert_uint_eq(idx, 0);
    kernel_run(rig.k);
    ck_assert_uint_eq(seen.nhandled, 1);
    ck_assert_int_eq(xive_source_pq(rig.sb, 9), XIVE_PQ_00);

    /* Refused: an unrouted source, a VP beyond the NVT table. */
    ck_assert_int_eq(xive_controller_retarget(rig.x, XBASE + 10, 6, &cost), -1);
    ck_assert_int_eq(xive_controller_retarget(rig.x, XBASE + 9, 8, &cost), -1);
}
END_TEST

/* 5. Triggers the controller must ignore: a source of an attached block
 * that was never routed (it stays off), and numbers past the EAS table.
 * Route refuses bad arguments. */
START_TEST(xive_trigger_on_unrouted_or_out_of_range_source_does_nothing)
{
    struct xive_router *r = rig_open_xive(true);
    xive_controller_vp_dispatched(rig.x, 0, 0);
    trigger(XBASE + 7);
    trigger(64);
    trigger(1000);
    trigger(UINT32_MAX);
    kernel_run(rig.k);
    ck_assert_uint_eq(seen.nirq, 0);
    ck_assert_uint_eq(seen.nhandled, 0);
    ck_assert_int_eq(xive_source_pq(rig.sb, 7), XIVE_PQ_01);
    ck_assert_uint_eq(xive_router_counters(r)->routed, 0);
    ck_assert_uint_eq(xive_source_counters(rig.sb)->triggers, 0);

    struct irq_action a = { on_handle, &seen, 0, 1 };
    ck_assert_int_eq(xive_controller_route(rig.x, 64, 0, 0, &a), -1); /* past the EAS */
    ck_assert_int_eq(xive_controller_route(rig.x, XBASE, 8, 0, &a), -1); /* no such VP */
    ck_assert_int_eq(xive_controller_route(rig.x, XBASE, 0, 8, &a), -1); /* no such prio */
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("s0.xive", "triggers"), 0);
}
END_TEST

/* Regression: a VP's CPPR resets to 0, and nothing opened it before the
 * first interrupt (Linux does at CPU bring-up), so the first interrupt of
 * every VP was never acknowledged: its IPB bit stayed, and every later
 * dispatch counted a phantom redelivery. The controller now opens the
 * CPPR at the VP's first dispatch. */
START_TEST(first_interrupt_of_a_vp_is_acknowledged)
{
    struct xive_router *r = rig_open_xive(true);
    xive_controller_vp_dispatched(rig.x, 3, 1);
    route(5, 3, 6, 100);
    uint8_t cppr = xive_router_cppr(r, 1); /* what the interrupt will meet */
    trigger(XBASE + 5);
    kernel_run(rig.k);
    ck_assert_uint_eq(seen.nhandled, 1);
    ck_assert_msg(xive_router_counters(r)->acks == 1,
                  "handler_done's ack took nothing (acks %llu): the thread's CPPR was "
                  "%u when the interrupt came, never raised from its reset value",
                  (unsigned long long)xive_router_counters(r)->acks, cppr);
    ck_assert_msg(xive_router_ipb(r, 1) == 0 && !xive_router_line(r, 1),
                  "after the handler the thread keeps IPB 0x%02x, line %s",
                  xive_router_ipb(r, 1), xive_router_line(r, 1) ? "up" : "down");
    /* The consequence: a dispatch cycle redelivers a phantom interrupt. */
    xive_controller_vp_undispatched(rig.x, 1);
    xive_controller_vp_dispatched(rig.x, 3, 1);
    ck_assert_msg(xive_router_counters(r)->redeliveries == 0,
                  "%llu phantom redelivery(ies) after a handled interrupt",
                  (unsigned long long)xive_router_counters(r)->redeliveries);
}
END_TEST

/* Regression: retargeting while an interrupt is pending. The job runs on
 * the old VP and its entry sits in the old VP's EQ; the handler once
 * acknowledged and drained the new VP's instead. CPPR is opened by hand
 * so the test does not depend on the first-dispatch rule. */
START_TEST(retarget_while_pending_handler_drains_the_old_queue)
{
    struct xive_router *r = rig_open_xive(true);
    xive_controller_vp_dispatched(rig.x, 1, 0);
    xive_controller_vp_dispatched(rig.x, 6, 3);
    ck_assert_int_eq(xive_router_set_cppr(r, 0, XIVE_PRIO_NONE), 0);
    ck_assert_int_eq(xive_router_set_cppr(r, 3, XIVE_PRIO_NONE), 0);
    route(9, 1, 5, 50);
    trigger(XBASE + 9); /* pending on VP 1 (thread 0) */
    sim_time_t cost;
    ck_assert_int_eq(xive_controller_retarget(rig.x, XBASE + 9, 6, &cost), 0);
    kernel_run(rig.k);
    ck_assert_uint_eq(seen.nhandled, 1);
    ck_assert_uint_eq(seen.irq[0].vp, 1); /* the job ran on the old VP */
    ck_assert_msg(eq_empty(r, 1, 5),
                  "the old VP's EQ still holds the entry of the handled interrupt");
    ck_assert_msg(xive_router_ipb(r, 0) == 0,
                  "the old VP's thread keeps IPB 0x%02x after its handler ran",
                  xive_router_ipb(r, 0));
}
END_TEST

static Suite *xive_controller_suite(void)
{
    Suite *s = suite_create("xive_controller");
    TCase *t = tcase_create("xive_controller");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_add_test(t, xive_trigger_submits_one_job_and_handler_eois);
    tcase_add_test(t, xive_handler_job_holds_the_eoi_load_and_the_folded_work);
    tcase_add_test(t, xive_triggers_while_pending_coalesce_and_eoi_renotifies_once);
    tcase_add_test(t, xive_undispatched_vp_backlogs_and_escalates_once_per_period);
    tcase_add_test(t, xive_undispatched_vp_without_escalation_never_escalates);
    tcase_add_test(t, xive_retarget_sends_the_next_trigger_to_the_new_vp);
    tcase_add_test(t, xive_trigger_on_unrouted_or_out_of_range_source_does_nothing);
    tcase_add_test(t, first_interrupt_of_a_vp_is_acknowledged);
    tcase_add_test(t, retarget_while_pending_handler_drains_the_old_queue);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(xive_controller_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
