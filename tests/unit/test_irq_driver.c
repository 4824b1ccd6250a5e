/* tests/unit/test_irq_driver.c — the interrupt path in operation and the
 * guest driver around it:
 *  - the XIVE controller (models/intc/xive_controller.h) over a fake
 *    dispatcher that runs each interrupt job IRQ_RUN after it is submitted:
 *    trigger -> PQ -> route -> present or backlog -> handler -> ack, EQ
 *    pop, CPPR, EOI, and the EOI that re-notifies;
 *  - the VF driver (models/guest/vf_driver.h) over fake VPs (1 cycle =
 *    1 ns), fake MMIO, a fake TCE service and a fake wire: submit path,
 *    SQ and doorbell, exclusive buffers, full SQ, the handler's view of
 *    the CQ, per-I/O mapping, RX;
 *  - the hypervisor (models/hypervisor/hypervisor.h) built from a small
 *    scenario: VF assignment end to end, retargeting, and the whole
 *    machine through cli/machine.h.
 *
 * Tests marked "Regression" guard defects found while writing this file.
 *
 * Every test builds through a rig_open* helper; the checked teardown
 * frees everything even when an assertion fails (CK_FORK=no). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/machine.h"
#include "cli/registry.h"
#include "models/adapter/adapter.h"
#include "models/guest/vf_driver.h"
#include "models/hypervisor/hcall.h"
#include "models/hypervisor/hypervisor.h"
#include "models/intc/xive_controller.h"
#include "models/pcie/phb.h"
#include "sim/scenario.h"

/* ---- rig ---------------------------------------------------------------- */

#define LOG_MAX 64

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    /* XIVE controller */
    struct xive_controller *x;
    struct xive_source *sb0, *sb;
    /* driver */
    struct vf_driver *d;
    /* hypervisor */
    struct scenario *scn;
    struct hypervisor *h;
    struct phb *phb;
    struct adapter *ad;
    struct vf_driver *drv[2];
    int lpar[2];
    struct machine *m;
} rig;

/* What the fakes saw. */
struct irq_rec { uint32_t vp; uint64_t cycles; sim_time_t t; };
struct handled_rec { uint32_t arg; void *ctx; sim_time_t t; enum xive_pq pq; };
struct run_rec { uint32_t vp; uint64_t cycles; sim_time_t t; struct io_req *r; };
struct mmio_rec { uint64_t addr, value; sim_time_t t; };
struct map_rec { uint64_t ioba, bytes; bool device_writes; };
struct done_rec { struct io_req *r; uint8_t status; sim_time_t t; };

static struct {
    struct irq_rec irq[LOG_MAX];
    size_t nirq;
    struct handled_rec handled[LOG_MAX];
    size_t nhandled;
    struct run_rec run[LOG_MAX];
    size_t nrun;
    struct mmio_rec mmio[LOG_MAX];
    size_t nmmio;
    struct map_rec map[LOG_MAX], unmap[LOG_MAX];
    size_t nmap, nunmap;
    struct io_req *wire[LOG_MAX];
    size_t nwire;
    struct done_rec done[LOG_MAX];
    size_t ndone;
} seen;

static struct io_req reqs[LOG_MAX];

static void rig_close(void)
{
    machine_destroy(rig.m);
    for (int i = 0; i < 2; i++)
        vf_driver_destroy(rig.drv[i]);
    adapter_destroy(rig.ad);
    phb_destroy(rig.phb);
    hypervisor_destroy(rig.h);
    scenario_free(rig.scn);
    vf_driver_destroy(rig.d);
    xive_controller_destroy(rig.x);
    xive_source_destroy(rig.sb);
    xive_source_destroy(rig.sb0);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    memset(&rig, 0, sizeof rig);
    memset(&seen, 0, sizeof seen);
    memset(reqs, 0, sizeof reqs);
}

static void rig_open(void)
{
    rig_close();
    rig.k = kernel_create(KERNEL_NATIVE, 1024);
    ck_assert_ptr_nonnull(rig.k);
    rig.rec = recorder_create(0);
    ck_assert_ptr_nonnull(rig.rec);
    env_init(&rig.env, rig.k, rig.rec, 1, 0, SIM_S, 0, 0);
}

static double scalar(const char *comp, const char *name)
{
    double v = NAN;
    ck_assert_msg(recorder_scalar_get(rig.rec, comp, name, &v), "no scalar %s %s", comp, name);
    return v;
}

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
static struct xive_router *rig_open_xive(bool escalation)
{
    rig_open();
    struct xive_router_config c;
    struct diag err;
    ck_assert_int_eq(xive_router_config_init(&c, NULL, &err), 0);
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

/* ---- driver fixture ----------------------------------------------------- */

#define BAR 0x0006000000000000ull
#define STRIDE 16                 /* not 8: the driver must use the wiring's */
#define WBASE 0x100000ull         /* the DMA window starts at 1 MiB */
#define PAGE 4096
#define MAP_CYCLES 700

/* The LPAR's VPs at 1 GHz: a task of c cycles ends c ns later. */
static int fake_run(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
                    uint64_t arg)
{
    (void)ctx;
    if (seen.nrun < LOG_MAX)
        seen.run[seen.nrun] = (struct run_rec){ vp, cycles, kernel_now(rig.k),
                                                     (struct io_req *)(uintptr_t)arg };
    seen.nrun++;
    kernel_schedule_in(rig.k, cycles * SIM_NS, fn, fctx, arg);
    return 0;
}

static int fake_mmio(void *ctx, uint64_t addr, uint64_t value, bool traced)
{
    (void)ctx, (void)traced;
    if (seen.nmmio < LOG_MAX)
        seen.mmio[seen.nmmio] = (struct mmio_rec){ addr, value, kernel_now(rig.k) };
    seen.nmmio++;
    return 0;
}

static int fake_map(void *ctx, uint64_t ioba, uint64_t bytes, bool device_writes,
                    uint64_t *cycles)
{
    (void)ctx;
    if (seen.nmap < LOG_MAX)
        seen.map[seen.nmap] = (struct map_rec){ ioba, bytes, device_writes };
    seen.nmap++;
    *cycles = MAP_CYCLES;
    return 0;
}

static int fake_unmap(void *ctx, uint64_t ioba, uint64_t bytes, uint64_t *cycles)
{
    (void)ctx;
    if (seen.nunmap < LOG_MAX)
        seen.unmap[seen.nunmap] = (struct map_rec){ ioba, bytes, false };
    seen.nunmap++;
    *cycles = MAP_CYCLES;
    return 0;
}

static void fake_wire(void *ctx, struct io_req *r)
{
    (void)ctx;
    if (seen.nwire < LOG_MAX)
        seen.wire[seen.nwire] = r;
    seen.nwire++;
}

static void on_done(void *ctx, struct io_req *r)
{
    (void)ctx;
    if (seen.ndone < LOG_MAX)
        seen.done[seen.ndone] = (struct done_rec){ r, r->status, kernel_now(rig.k) };
    seen.ndone++;
}

static const struct io_done done_port = { on_done, NULL };

/* submit 1000 cycles, handler 2000, 8-entry rings, 8 buffers of 8 KiB. */
static struct vf_driver_config drv_config(void)
{
    struct vf_driver_config c;
    vf_driver_config_init(&c, NULL);
    c.submit_cycles = 1000;
    c.handler_cycles = 2000;
    c.queue_entries = 8;
    c.buffers = 8;
    c.buffer_size = 8192;
    c.mapping = TCE_MAP_STATIC;
    return c;
}

static struct vf_driver *rig_open_driver(const struct vf_driver_config *c, uint32_t vps,
                                         uint32_t qps)
{
    rig_open();
    struct vf_driver_wiring w = {
        .cpu = { fake_run, NULL, vps },
        .mmio = { fake_mmio, NULL },
        .bar_base = BAR,
        .doorbell_stride = STRIDE,
        .queue_pairs = qps,
        .wire_rx = { fake_wire, NULL },
        .tce = { fake_map, fake_unmap, NULL },
        .io_page = PAGE,
        .window_base = WBASE,
    };
    rig.d = vf_driver_create(&rig.env, "lpar.t.driver", c, &w);
    ck_assert_ptr_nonnull(rig.d);
    return rig.d;
}

static struct io_req *io(unsigned i, enum io_op op, uint32_t bytes)
{
    struct io_req *r = &reqs[i];
    *r = (struct io_req){ .seq = i + 1, .op = (uint8_t)op, .bytes = bytes, .in_use = 1,
                          .done = &done_port };
    struct io_sink s = vf_driver_sink(rig.d);
    s.submit(s.ctx, r);
    return r;
}

/* The device's part: r's completion entry lands in its queue's CQ, in
 * memory from `visible` on. */
static void cq_put(struct io_req *r, sim_time_t visible)
{
    struct io_qmem *m = vf_driver_queue(rig.d, r->queue);
    r->t_visible = visible;
    r->status = IO_OK;
    m->cq[m->cq_tail & (m->entries - 1)] = r;
    m->cq_tail++;
}

/* The OS's handler of queue qp, as the XIVE controller calls it. */
static void handler(uint32_t qp)
{
    struct irq_action a = vf_driver_irq_action(rig.d, qp);
    a.handle(a.ctx, a.arg, false);
}

/* ioba is the start of one of the driver's buffers. */
static void assert_buffer(const struct vf_driver *d, uint64_t ioba, uint64_t size)
{
    struct vf_driver_layout l = vf_driver_layout(d);
    ck_assert_msg(ioba >= l.buffers_ioba && ioba + size <= l.end_ioba &&
                  (ioba - l.buffers_ioba) % size == 0,
                  "ioba 0x%llx is not a buffer of [0x%llx, 0x%llx)", (unsigned long long)ioba,
                  (unsigned long long)l.buffers_ioba, (unsigned long long)l.end_ioba);
}

/* ---- driver ------------------------------------------------------------- */

/* The window layout: rings per queue pair from the window base, each
 * rounded to I/O pages, then the buffers. */
START_TEST(driver_layout_starts_at_the_window_base)
{
    struct vf_driver_config c = drv_config();
    struct vf_driver *d = rig_open_driver(&c, 3, 2);
    struct vf_driver_layout l = vf_driver_layout(d);
    /* a ring pair: 8 x (64 + 16) B = 640 B -> one 4 KiB page */
    ck_assert_uint_eq(l.rings_ioba, WBASE);
    ck_assert_uint_eq(vf_driver_queue(d, 0)->sq_ioba, WBASE);
    ck_assert_uint_eq(vf_driver_queue(d, 0)->cq_ioba, WBASE + 8 * 64);
    ck_assert_uint_eq(vf_driver_queue(d, 1)->sq_ioba, WBASE + PAGE);
    ck_assert_ptr_null(vf_driver_queue(d, 2));
    ck_assert_uint_eq(l.buffers_ioba, WBASE + 2 * PAGE);
    ck_assert_uint_eq(l.end_ioba, l.buffers_ioba + 8 * 8192);
    ck_assert_uint_eq(vf_driver_window_bytes(&c, 2, PAGE), l.end_ioba - l.rings_ioba);
    /* queue pair -> VP, and the irq action the OS registers */
    ck_assert_uint_eq(vf_driver_queue_vp(d, 0), 0);
    ck_assert_uint_eq(vf_driver_queue_vp(d, 1), 1);
    struct irq_action a = vf_driver_irq_action(d, 1);
    ck_assert_ptr_eq(a.ctx, d);
    ck_assert_uint_eq(a.arg, 1);
    ck_assert_uint_eq(a.handler_cycles, 2000);
}
END_TEST

/* 6. Submit: a task of submit_cycles on the VPs in turn; when it ends,
 * the request is in the SQ of queue vp mod queue_pairs and the doorbell
 * of that queue gets the new tail. */
START_TEST(driver_submit_runs_on_vps_round_robin_then_rings_the_doorbell)
{
    struct vf_driver_config c = drv_config();
    struct vf_driver *d = rig_open_driver(&c, 3, 2);
    struct io_req *r[4];
    for (unsigned i = 0; i < 4; i++)
        r[i] = io(i, IO_READ, 4096);
    ck_assert_uint_eq(seen.nrun, 4);
    static const uint32_t vp[4] = { 0, 1, 2, 0 }, qp[4] = { 0, 1, 0, 0 };
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(seen.run[i].vp, vp[i]);
        ck_assert_uint_eq(seen.run[i].cycles, 1000);
        ck_assert_ptr_eq(seen.run[i].r, r[i]);
        ck_assert_uint_eq(r[i]->queue, qp[i]);
        assert_buffer(d, r[i]->ioba, 8192);
    }
    kernel_run_until(rig.k, 1000 * SIM_NS - 1);
    ck_assert_uint_eq(seen.nmmio, 0); /* nothing before the submit path ends */
    ck_assert_uint_eq(vf_driver_queue(d, 0)->sq_tail, 0);

    kernel_run_until(rig.k, 1000 * SIM_NS);
    ck_assert_uint_eq(seen.nmmio, 4);
    static const uint64_t addr[4] = { BAR, BAR + STRIDE, BAR, BAR };
    static const uint64_t tail[4] = { 1, 1, 2, 3 };
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(seen.mmio[i].addr, addr[i]);
        ck_assert_uint_eq(seen.mmio[i].value, tail[i]);
        ck_assert_uint_eq(seen.mmio[i].t, 1000 * SIM_NS);
    }
    struct io_qmem *q0 = vf_driver_queue(d, 0), *q1 = vf_driver_queue(d, 1);
    ck_assert_uint_eq(q0->sq_tail, 3);
    ck_assert_uint_eq(q1->sq_tail, 1);
    ck_assert_ptr_eq(q0->sq[0], r[0]);
    ck_assert_ptr_eq(q0->sq[1], r[2]);
    ck_assert_ptr_eq(q0->sq[q0->sq_tail - 1], r[3]);
    ck_assert_ptr_eq(q1->sq[0], r[1]);
    ck_assert_uint_eq(seen.ndone, 0);
}
END_TEST

static bool distinct_iobas(struct io_req *const *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (r[i]->ioba == r[j]->ioba)
                return false;
    return true;
}

/* 7. Buffers are exclusive: with 4 buffers and 6 I/Os the last two wait
 * (no submit task yet) and each takes the buffer a completion frees. */
START_TEST(driver_buffers_are_exclusive_and_waiters_take_freed_ones)
{
    struct vf_driver_config c = drv_config();
    c.buffers = 4;
    struct vf_driver *d = rig_open_driver(&c, 1, 1);
    struct io_req *r[6];
    for (unsigned i = 0; i < 6; i++)
        r[i] = io(i, IO_READ, 4096);
    ck_assert_uint_eq(seen.nrun, 4);
    ck_assert(distinct_iobas(r, 4));
    for (unsigned i = 0; i < 4; i++)
        assert_buffer(d, r[i]->ioba, 8192);
    kernel_run_until(rig.k, 2 * SIM_US);
    ck_assert_uint_eq(seen.nmmio, 4);

    uint64_t freed = r[2]->ioba;
    cq_put(r[2], kernel_now(rig.k));
    handler(0);
    ck_assert_uint_eq(seen.ndone, 1);
    ck_assert_ptr_eq(seen.done[0].r, r[2]);
    ck_assert_uint_eq(seen.nrun, 5); /* the oldest waiter went on at once */
    ck_assert_ptr_eq(seen.run[4].r, r[4]);
    ck_assert_uint_eq(r[4]->ioba, freed);
    struct io_req *in_flight[] = { r[0], r[1], r[3], r[4] };
    ck_assert(distinct_iobas(in_flight, 4));

    freed = r[0]->ioba;
    cq_put(r[0], kernel_now(rig.k));
    handler(0);
    ck_assert_uint_eq(seen.nrun, 6);
    ck_assert_uint_eq(r[5]->ioba, freed);
    kernel_run_until(rig.k, 4 * SIM_US);
    ck_assert_uint_eq(seen.nmmio, 6);
    ck_assert_uint_eq(seen.mmio[5].value, 6);

    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.t.driver", "buffer_waits"), 2);
    ck_assert_double_eq(scalar("lpar.t.driver", "sq_full_waits"), 0);
}
END_TEST

/* 8. A full SQ (2 entries outstanding) holds the third command after its
 * submit path; the completion that frees a slot writes it and rings. */
START_TEST(driver_full_sq_holds_the_command_until_a_completion)
{
    struct vf_driver_config c = drv_config();
    c.queue_entries = 2;
    struct vf_driver *d = rig_open_driver(&c, 1, 1);
    struct io_req *r[3];
    for (unsigned i = 0; i < 3; i++)
        r[i] = io(i, IO_WRITE, 512);
    kernel_run_until(rig.k, 5 * SIM_US);
    ck_assert_uint_eq(seen.nrun, 3); /* the submit path is not what waits */
    ck_assert_uint_eq(seen.nmmio, 2);
    ck_assert_uint_eq(seen.mmio[1].value, 2);
    struct io_qmem *q = vf_driver_queue(d, 0);
    ck_assert_uint_eq(q->sq_tail, 2);

    cq_put(r[0], 5 * SIM_US);
    handler(0);
    ck_assert_uint_eq(seen.ndone, 1);
    ck_assert_uint_eq(seen.nmmio, 3);
    ck_assert_uint_eq(seen.mmio[2].addr, BAR);
    ck_assert_uint_eq(seen.mmio[2].value, 3);
    ck_assert_uint_eq(seen.mmio[2].t, 5 * SIM_US);
    ck_assert_uint_eq(q->sq_tail, 3);
    ck_assert_ptr_eq(q->sq[2 & (q->entries - 1)], r[2]);

    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.t.driver", "sq_full_waits"), 1);
}
END_TEST

/* 9. The handler takes the completion entries already in memory (t_visible
 * <= now), in ring order, and stops at one written later: that one is
 * the next interrupt's. */
START_TEST(driver_handler_takes_only_entries_already_visible)
{
    struct vf_driver_config c = drv_config();
    struct vf_driver *d = rig_open_driver(&c, 1, 1);
    struct io_req *r[3];
    for (unsigned i = 0; i < 3; i++)
        r[i] = io(i, IO_READ, 4096);
    kernel_run_until(rig.k, 5 * SIM_US);
    cq_put(r[0], 4 * SIM_US);
    cq_put(r[1], 5 * SIM_US); /* visible exactly now */
    cq_put(r[2], 6 * SIM_US);
    struct io_qmem *q = vf_driver_queue(d, 0);

    handler(0);
    ck_assert_uint_eq(seen.ndone, 2);
    ck_assert_ptr_eq(seen.done[0].r, r[0]);
    ck_assert_ptr_eq(seen.done[1].r, r[1]);
    ck_assert_uint_eq(seen.done[0].status, IO_OK);
    ck_assert_uint_eq(seen.done[1].t, 5 * SIM_US);
    ck_assert_uint_eq(q->cq_head, 2);

    handler(0); /* nothing new is visible yet */
    ck_assert_uint_eq(seen.ndone, 2);
    ck_assert_uint_eq(q->cq_head, 2);

    kernel_run_until(rig.k, 6 * SIM_US);
    handler(0);
    ck_assert_uint_eq(seen.ndone, 3);
    ck_assert_ptr_eq(seen.done[2].r, r[2]);
    ck_assert_uint_eq(q->cq_head, 3);
}
END_TEST

/* 10. per_io mapping: the buffer's I/O pages are mapped at submit (the
 * device writes memory for a read and an RX, reads it for a write and a
 * TX), the call's cycles join the submit task, and the same range is
 * unmapped when the handler completes the I/O. */
START_TEST(driver_per_io_maps_at_submit_and_unmaps_at_completion)
{
    struct vf_driver_config c = drv_config();
    c.mapping = TCE_MAP_PER_IO;
    rig_open_driver(&c, 1, 1);
    struct io_req *r[4] = { io(0, IO_READ, 4096), io(1, IO_WRITE, 6000), io(2, IO_TX, 1500),
                            io(3, IO_RX, 1500) };
    static const bool writes[4] = { true, false, false, true };
    ck_assert_uint_eq(seen.nmap, 4);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(seen.map[i].ioba, r[i]->ioba);
        ck_assert_uint_eq(seen.map[i].bytes, r[i]->bytes);
        ck_assert_msg(seen.map[i].device_writes == writes[i], "I/O %u mapped %s", i,
                      seen.map[i].device_writes ? "device-writable" : "device-readable");
    }
    ck_assert_uint_eq(seen.nrun, 3); /* RX has no submit task */
    for (unsigned i = 0; i < 3; i++)
        ck_assert_uint_eq(seen.run[i].cycles, 1000 + MAP_CYCLES);
    ck_assert_uint_eq(seen.nunmap, 0);

    kernel_run_until(rig.k, 3 * SIM_US);
    for (unsigned i = 0; i < 4; i++)
        cq_put(r[i], kernel_now(rig.k));
    handler(0);
    ck_assert_uint_eq(seen.ndone, 4);
    ck_assert_uint_eq(seen.nunmap, 4);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(seen.unmap[i].ioba, r[i]->ioba);
        ck_assert_uint_eq(seen.unmap[i].bytes, r[i]->bytes);
    }
}
END_TEST

/* static mapping: the window is mapped once by the hypervisor; the
 * driver never calls the TCE service and submit costs submit_cycles. */
START_TEST(driver_static_mapping_never_calls_the_tce_service)
{
    struct vf_driver_config c = drv_config();
    rig_open_driver(&c, 1, 1);
    struct io_req *r[3] = { io(0, IO_READ, 4096), io(1, IO_WRITE, 4096), io(2, IO_RX, 64) };
    ck_assert_uint_eq(seen.run[0].cycles, 1000);
    kernel_run_until(rig.k, 2 * SIM_US);
    for (unsigned i = 0; i < 3; i++)
        cq_put(r[i], kernel_now(rig.k));
    handler(0);
    ck_assert_uint_eq(seen.ndone, 3);
    ck_assert_uint_eq(seen.nmap, 0);
    ck_assert_uint_eq(seen.nunmap, 0);
}
END_TEST

/* 11. An I/O larger than a buffer fails at once, without a submit task
 * and without keeping a buffer. */
START_TEST(driver_io_larger_than_a_buffer_fails_at_once)
{
    struct vf_driver_config c = drv_config();
    c.buffers = 4;
    rig_open_driver(&c, 1, 1);
    struct io_req *big = io(0, IO_READ, 8193);
    ck_assert_uint_eq(seen.ndone, 1);
    ck_assert_ptr_eq(seen.done[0].r, big);
    ck_assert_uint_eq(seen.done[0].status, IO_ERROR);
    ck_assert_ptr_null(big->holder);
    ck_assert_uint_eq(seen.nrun, 0);
    for (unsigned i = 1; i <= 4; i++)
        io(i, IO_READ, 8192); /* exactly a buffer: fine, and all 4 are free */
    ck_assert_uint_eq(seen.nrun, 4);
    ck_assert_uint_eq(seen.ndone, 1);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.t.driver", "buffer_waits"), 0);
}
END_TEST

/* 12. RX: a frame for the LPAR takes a buffer and goes to the wire side
 * at once (no submit task, no doorbell); with its queue pair's ring full
 * it is dropped, failed, counted, and its buffer returned. */
START_TEST(driver_rx_goes_to_the_wire_and_drops_when_the_ring_is_full)
{
    struct vf_driver_config c = drv_config();
    c.queue_entries = 2;
    c.buffers = 8;
    struct vf_driver *d = rig_open_driver(&c, 1, 1);
    struct io_req *a = io(0, IO_RX, 1500), *b = io(1, IO_RX, 1500);
    ck_assert_uint_eq(seen.nwire, 2);
    ck_assert_ptr_eq(seen.wire[0], a);
    ck_assert_ptr_eq(seen.wire[1], b);
    ck_assert_uint_eq(a->queue, 0);
    assert_buffer(d, a->ioba, 8192);
    ck_assert_uint_ne(a->ioba, b->ioba);
    ck_assert_uint_eq(seen.nrun, 0);
    ck_assert_uint_eq(seen.nmmio, 0);

    struct io_req *dropped = io(2, IO_RX, 1500);
    ck_assert_uint_eq(seen.nwire, 2);
    ck_assert_uint_eq(seen.ndone, 1);
    ck_assert_ptr_eq(seen.done[0].r, dropped);
    ck_assert_uint_eq(seen.done[0].status, IO_ERROR);
    /* 8 buffers - 2 posted = 6 free: the dropped frame gave its back. */
    for (unsigned i = 3; i < 9; i++)
        io(i, IO_READ, 4096);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.t.driver", "rx_dropped"), 1);
    ck_assert_double_eq(scalar("lpar.t.driver", "buffer_waits"), 0);
}
END_TEST

/* Regression: a buffer freed by a dropped RX frame once stayed idle while
 * an I/O waited for one. Reached when the oldest buffer waiter is an RX
 * frame whose queue pair is full. Here: 2 queue pairs of 2 entries, 4
 * buffers, all in 4 posted frames; RX e and READ f wait; a completion on
 * queue 1 frees a buffer; e goes to queue 0 (full) and is dropped, and f
 * must get the buffer. */
START_TEST(buffer_freed_by_a_dropped_rx_frame_goes_to_a_waiter)
{
    struct vf_driver_config c = drv_config();
    c.queue_entries = 2;
    c.buffers = 4;
    rig_open_driver(&c, 2, 2);
    struct io_req *rx[4];
    for (unsigned i = 0; i < 4; i++)
        rx[i] = io(i, IO_RX, 1500);
    ck_assert_uint_eq(rx[1]->queue, 1);
    struct io_req *e = io(4, IO_RX, 1500);
    struct io_req *f = io(5, IO_READ, 4096);
    ck_assert_uint_eq(seen.nwire, 4);
    ck_assert_uint_eq(seen.nrun, 0);

    cq_put(rx[1], 0);
    handler(1);
    ck_assert_uint_eq(seen.ndone, 2); /* e dropped, rx[1] completed */
    ck_assert_ptr_eq(seen.done[0].r, e);
    ck_assert_uint_eq(seen.done[0].status, IO_ERROR);
    ck_assert_msg(seen.nrun == 1 && seen.run[0].r == f,
                  "READ f still waits for a buffer although the dropped frame freed one "
                  "(%zu submit task(s))", seen.nrun);
}
END_TEST

/* ---- hypervisor fixture ------------------------------------------------- */

/* One system, one storage adapter (2 VFs, 2 queue pairs each), a
 * dedicated LPAR and a shared one. The router's retarget cost is not the
 * default, so the cost a retarget reports tells where it comes from. */
static const char *hyp_yaml =
    "name: irq-driver\n"
    "seed: 7\n"
    "duration: 40ms\n"
    "systems:\n"
    "  - name: s0\n"
    "    cores: 2\n"
    "    threads_per_core: 4\n"
    "    memory: 64GiB\n"
    "    xive: {retarget: 3us}\n"
    "    adapters:\n"
    "      - name: nvme0\n"
    "        kind: storage\n"
    "        vfs: 2\n"
    "        queue_pairs: 2\n"
    "        servers: 2\n"
    "        service: {dist: exponential, mean: 20us}\n"
    "lpars:\n"
    "  - name: ded\n"
    "    system: s0\n"
    "    adapter: nvme0\n"
    "    vf: 0\n"
    "    vps: 2\n"
    "    memory: 4GiB\n"
    "    driver: {queue_entries: 64, buffers: 32, buffer_size: 8KiB}\n"
    "    workload: {kind: storage, mode: open, rate: 20k/s, block_size: 4KiB}\n"
    "  - name: sh\n"
    "    system: s0\n"
    "    adapter: nvme0\n"
    "    vf: 1\n"
    "    vps: 2\n"
    "    memory: 4GiB\n"
    "    processors: {mode: shared, entitlement: 0.5}\n"
    "    driver: {queue_entries: 64, buffers: 32, buffer_size: 8KiB}\n"
    "    workload: {kind: storage, mode: open, rate: 20k/s, block_size: 4KiB}\n";

static const struct cfg_node *hyp_load(void)
{
    struct diag err;
    rig.scn = scenario_load_string("irq.yaml", hyp_yaml, &scenario_schema, &err);
    ck_assert_msg(rig.scn != NULL, "%s", err.msg);
    ck_assert_msg(machine_check(rig.scn->root, &err) == 0, "%s", err.msg);
    return rig.scn->root;
}

/* As cli/machine.c's phb_config. */
static void phb_config_of(struct phb_config *c, const struct cfg_node *ad)
{
    struct pe_rtt_config rc;
    struct diag err;
    pcie_link_config_from_cfg(&c->link, cfg_find(ad, "link"));
    ck_assert_int_eq(pe_config_init(&c->pe, cfg_find(ad, "eeh"), &err), 0);
    ck_assert_int_eq(tce_cache_config_init(&c->cache, cfg_find(ad, "tce_cache"), &err), 0);
    ck_assert_int_eq(tce_table_config_init(&c->window, cfg_find(ad, "dma_window"), &err), 0);
    ck_assert_int_eq(pe_rtt_config_init(&rc, cfg_find(ad, "phb"), &err), 0);
    c->pes = rc.pes;
    c->msi_sources = 4096;
}

/* The hypervisor with its PHB, adapter, both LPARs and their VFs, built
 * the way cli/machine.c does, and started. */
static void rig_open_hypervisor(void)
{
    rig_open();
    const struct cfg_node *root = hyp_load();
    const struct cfg_node *sys = cfg_item(cfg_find(root, "systems"), "s0");
    const struct cfg_node *adc = cfg_item(cfg_find(sys, "adapters"), "nvme0");
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    struct diag err = { 0 };
    rig.h = hypervisor_create(&rig.env, sys, 4, 1, &err);
    ck_assert_msg(rig.h != NULL, "%s", err.msg);
    struct phb_config pc;
    phb_config_of(&pc, adc);
    rig.phb = phb_create(&rig.env, "s0.nvme0.phb", &pc);
    ck_assert_ptr_nonnull(rig.phb);
    ck_assert_int_eq(hypervisor_attach_phb(rig.h, rig.phb), 0);
    rig.ad = adapter_create(&rig.env, "s0.nvme0", adc, phb_upstream(rig.phb));
    ck_assert_ptr_nonnull(rig.ad);
    for (unsigned i = 0; i < 2; i++) {
        const struct cfg_node *lc = lpars->kids[i];
        rig.lpar[i] = hypervisor_add_lpar(rig.h, lc, &err);
        ck_assert_msg(rig.lpar[i] == (int)i, "%s", err.msg);
        struct vf_driver_config dc;
        vf_driver_config_init(&dc, cfg_find(lc, "driver"));
        char path[64];
        snprintf(path, sizeof path, "lpar.%s.driver", lc->key);
        rig.drv[i] = hypervisor_assign_vf(rig.h, rig.lpar[i], rig.ad, i, rig.phb, path, &dc,
                                          &err);
        ck_assert_msg(rig.drv[i] != NULL, "%s", err.msg);
    }
    ck_assert_msg(hypervisor_start(rig.h, &err) == 0, "%s", err.msg);
}

/* ---- hypervisor --------------------------------------------------------- */

/* 13a. assign_vf's interrupt wiring, seen from both ends: each queue pair
 * got a PHB source, routed and turned on (PQ 00; the next is still off),
 * and a read submitted to each driver completes OK — which needs the
 * doorbell window, the DMA mapping, the MSI-X entry programmed through
 * the PF (address, data = that source, unmasked, enabled) and the XIVE
 * route to the driver's handler. The shared LPAR's read completes too,
 * its handler waiting for its VP's dispatch if need be. */
START_TEST(hyp_assign_vf_wires_msix_to_the_driver_handler)
{
    rig_open_hypervisor();
    struct xive_source *src = phb_sources(rig.phb);
    for (uint32_t n = 0; n < 4; n++)
        ck_assert_msg(xive_source_pq(src, n) == XIVE_PQ_00, "source %u is %s", n,
                      xive_pq_name(xive_source_pq(src, n)));
    ck_assert_int_eq(xive_source_pq(src, 4), XIVE_PQ_01);

    struct io_req *r[2];
    for (unsigned i = 0; i < 2; i++) {
        r[i] = &reqs[i];
        *r[i] = (struct io_req){ .seq = 1, .op = IO_READ, .bytes = 4096, .in_use = 1,
                                 .done = &done_port };
        struct io_sink s = vf_driver_sink(rig.drv[i]);
        s.submit(s.ctx, r[i]);
    }
    kernel_run_until(rig.k, 30 * SIM_MS); /* > one 10 ms dispatch window */
    ck_assert_uint_eq(seen.ndone, 2);
    for (unsigned i = 0; i < 2; i++) {
        ck_assert_uint_eq(r[i]->status, IO_OK);
        ck_assert(r[i]->t_visible > 0);
    }
    /* one interrupt each (queue pair 0 of each VF: sources 0 and 2), EOI'd */
    ck_assert_uint_eq(xive_source_counters(src)->notifies, 2);
    ck_assert_uint_eq(xive_source_counters(src)->eois, 2);
    for (uint32_t n = 0; n < 4; n++)
        ck_assert_int_eq(xive_source_pq(src, n), XIVE_PQ_00);
}
END_TEST

/* 14. Retargeting a logical IRQ is one H_INT_SET_SOURCE_CONFIG. Its cost
 * is the router's `retarget` (hypervisor.h; the hcall descriptor's
 * 19000 cycles are the same 5 us at 3.8 GHz by design, so adding both
 * would count it twice): 3 us as configured. An unknown lisn or VP
 * costs SIM_TIME_MAX and is not charged. */
START_TEST(hyp_retarget_irq_costs_the_router_retarget_once)
{
    rig_open_hypervisor();
    env_start(&rig.env);
    kernel_run_until(rig.k, SIM_US); /* past the warm-up reset (warm-up 0) */
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[0], 0, 1), 3 * SIM_US);
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[1], 1, 0), 3 * SIM_US);
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[0], 2, 0), SIM_TIME_MAX);
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[0], UINT32_MAX, 0),
                      SIM_TIME_MAX);
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[0], 0, 2), SIM_TIME_MAX);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("s0.hcall.H_INT_SET_SOURCE_CONFIG", "calls"), 2);
    ck_assert_double_eq(scalar("s0.xive", "retargets"), 2);
}
END_TEST

/* The descriptor defaults agree: H_INT_SET_SOURCE_CONFIG's cycles at the
 * default 3.8 GHz are the router's default retarget, 5 us. */
START_TEST(hyp_retarget_defaults_agree_with_the_hcall_cost)
{
    struct xive_router_config xc;
    struct hcall_config hc;
    struct diag err;
    xive_router_config_init(&xc, NULL, &err);
    hcall_config_init(&hc, NULL);
    uint64_t cycles = hc.call_cycles[HCALL_INT_SET_SOURCE_CONFIG];
    ck_assert_uint_eq(xc.retarget_ps, 5 * SIM_US);
    ck_assert_uint_eq(cycles * 1000000000000ull / 3800000000ull, xc.retarget_ps);
}
END_TEST

/* 13b. The whole machine from the scenario: both LPARs complete I/O,
 * every MSI the PHB sent became a XIVE trigger on a routed source (the
 * MSI-X data the PF programmed names the right source), nothing is lost
 * or dropped. */
START_TEST(machine_runs_ios_through_msix_and_xive)
{
    rig_open();
    const struct cfg_node *root = hyp_load();
    sim_time_t duration = cfg_u64(root, "duration");
    struct diag err = { 0 };
    rig.m = machine_build(&rig.env, root, &err);
    ck_assert_msg(rig.m != NULL, "%s", err.msg);
    env_start(&rig.env);
    machine_start(rig.m);
    kernel_run_until(rig.k, duration);
    env_finish(&rig.env);
    ck_assert_str_eq(rig.env.failure, "");
    ck_assert(scalar("lpar.ded", "ios_completed") > 100);
    ck_assert(scalar("lpar.sh", "ios_completed") > 100);
    ck_assert_double_eq(scalar("lpar.ded", "ios_lost"), 0);
    ck_assert_double_eq(scalar("lpar.sh", "ios_lost"), 0);
    ck_assert_double_eq(scalar("lpar.ded", "ios_failed"), 0);
    ck_assert_double_eq(scalar("lpar.sh", "ios_failed"), 0);
    double triggers = scalar("s0.xive", "triggers");
    double msis = scalar("s0.nvme0.phb", "msis");
    ck_assert(triggers > 0);
    ck_assert_double_eq(scalar("s0.nvme0.phb", "msis_dropped"), 0);
    /* MSIs still on the link at the end have not triggered yet */
    ck_assert(triggers <= msis && triggers >= msis - 8);
    ck_assert_double_eq(scalar("s0.xive", "notifications"),
                        scalar("s0.xive", "presented") + scalar("s0.xive", "backlogged"));
    ck_assert_double_eq(scalar("s0.xive", "eq_overflows"), 0);
}
END_TEST

static Suite *irq_driver_suite(void)
{
    Suite *s = suite_create("irq_driver");
    TCase *t = tcase_create("xive_controller");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_add_test(t, xive_trigger_submits_one_job_and_handler_eois);
    tcase_add_test(t, xive_triggers_while_pending_coalesce_and_eoi_renotifies_once);
    tcase_add_test(t, xive_undispatched_vp_backlogs_and_escalates_once_per_period);
    tcase_add_test(t, xive_undispatched_vp_without_escalation_never_escalates);
    tcase_add_test(t, xive_retarget_sends_the_next_trigger_to_the_new_vp);
    tcase_add_test(t, xive_trigger_on_unrouted_or_out_of_range_source_does_nothing);
    tcase_add_test(t, first_interrupt_of_a_vp_is_acknowledged);
    tcase_add_test(t, retarget_while_pending_handler_drains_the_old_queue);
    suite_add_tcase(s, t);
    t = tcase_create("vf_driver");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_add_test(t, driver_layout_starts_at_the_window_base);
    tcase_add_test(t, driver_submit_runs_on_vps_round_robin_then_rings_the_doorbell);
    tcase_add_test(t, driver_buffers_are_exclusive_and_waiters_take_freed_ones);
    tcase_add_test(t, driver_full_sq_holds_the_command_until_a_completion);
    tcase_add_test(t, driver_handler_takes_only_entries_already_visible);
    tcase_add_test(t, driver_per_io_maps_at_submit_and_unmaps_at_completion);
    tcase_add_test(t, driver_static_mapping_never_calls_the_tce_service);
    tcase_add_test(t, driver_io_larger_than_a_buffer_fails_at_once);
    tcase_add_test(t, driver_rx_goes_to_the_wire_and_drops_when_the_ring_is_full);
    tcase_add_test(t, buffer_freed_by_a_dropped_rx_frame_goes_to_a_waiter);
    suite_add_tcase(s, t);
    t = tcase_create("hypervisor");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, hyp_assign_vf_wires_msix_to_the_driver_handler);
    tcase_add_test(t, hyp_retarget_irq_costs_the_router_retarget_once);
    tcase_add_test(t, hyp_retarget_defaults_agree_with_the_hcall_cost);
    tcase_add_test(t, machine_runs_ios_through_msix_and_xive);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(irq_driver_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
