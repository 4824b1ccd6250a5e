/* tests/unit/test_xive.c — XIVE source PQ machine (every row of
 * the ESB PQ state table of the POWER9 XIVE, as QEMU's hw/intc/xive.c
 * implements it), routing, event queues (wrap and generation bit),
 * presenter (IPB/PIPR/CPPR, acknowledge), NVT backlog, escalation,
 * redelivery at dispatch, retargeting. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "models/intc/xive_router.h"
#include "models/intc/xive_source.h"
#include "sim/scenario.h"

/* ---- source PQ machine -------------------------------------------------- */

static struct xive_source *source_new(uint32_t n)
{
    struct xive_source *s = xive_source_create(&(struct xive_source_config){ n });
    ck_assert_ptr_nonnull(s);
    return s;
}

START_TEST(sources_reset_to_off)
{
    struct xive_source_config c;
    struct diag err;
    ck_assert_int_eq(xive_source_config_init(&c, NULL, &err), 0);
    ck_assert_uint_eq(c.sources, 4096);
    struct xive_source *s = xive_source_create(&c);
    for (uint32_t i = 0; i < 4096; i++)
        ck_assert_int_eq(xive_source_pq(s, i), XIVE_PQ_01);
    xive_source_set_pq(s, 9, XIVE_PQ_11);
    xive_source_reset(s);
    ck_assert_int_eq(xive_source_pq(s, 9), XIVE_PQ_01);
    xive_source_destroy(s);
}
END_TEST

/* The ESB PQ state table (QEMU hw/intc/xive.c): | PQ | on trigger | on EOI |, one row per entry. */
static const struct {
    enum xive_pq from;
    enum xive_pq after_trigger;
    bool trigger_notifies;
    enum xive_pq after_eoi;
    bool eoi_notifies;
} pq_table[] = {
    { XIVE_PQ_00, XIVE_PQ_10, true,  XIVE_PQ_00, false }, /* ready */
    { XIVE_PQ_10, XIVE_PQ_11, false, XIVE_PQ_00, false }, /* pending */
    { XIVE_PQ_11, XIVE_PQ_11, false, XIVE_PQ_10, true  }, /* queued */
    { XIVE_PQ_01, XIVE_PQ_01, false, XIVE_PQ_01, false }, /* off */
};

START_TEST(pq_table_row_by_row)
{
    struct xive_source *s = source_new(4);
    for (size_t i = 0; i < 4; i++) {
        xive_source_set_pq(s, 0, pq_table[i].from);
        ck_assert_int_eq(xive_source_trigger(s, 0), pq_table[i].trigger_notifies);
        ck_assert_msg(xive_source_pq(s, 0) == pq_table[i].after_trigger,
                      "trigger from %s gave %s", xive_pq_name(pq_table[i].from),
                      xive_pq_name(xive_source_pq(s, 0)));
        xive_source_set_pq(s, 0, pq_table[i].from);
        ck_assert_int_eq(xive_source_eoi(s, 0), pq_table[i].eoi_notifies);
        ck_assert_msg(xive_source_pq(s, 0) == pq_table[i].after_eoi,
                      "EOI from %s gave %s", xive_pq_name(pq_table[i].from),
                      xive_pq_name(xive_source_pq(s, 0)));
    }
    /* Sources are independent. */
    xive_source_set_pq(s, 1, XIVE_PQ_00);
    xive_source_trigger(s, 1);
    ck_assert_int_eq(xive_source_pq(s, 2), XIVE_PQ_01);
    ck_assert_int_eq(xive_source_set_pq(s, 1, XIVE_PQ_00), XIVE_PQ_10); /* old value */
    xive_source_destroy(s);
}
END_TEST

START_TEST(pq_sequence_coalesces_and_renotifies)
{
    struct xive_source *s = source_new(1);
    xive_source_set_pq(s, 0, XIVE_PQ_00);
    ck_assert(xive_source_trigger(s, 0));  /* 00 -> 10 notify */
    ck_assert(!xive_source_trigger(s, 0)); /* 10 -> 11 */
    ck_assert(!xive_source_trigger(s, 0)); /* 11 -> 11 */
    ck_assert(xive_source_eoi(s, 0));      /* 11 -> 10 re-notify */
    ck_assert(!xive_source_eoi(s, 0));     /* 10 -> 00 */
    ck_assert_int_eq(xive_source_pq(s, 0), XIVE_PQ_00);
    xive_source_set_pq(s, 0, XIVE_PQ_01);
    ck_assert(!xive_source_trigger(s, 0));
    const struct xive_source_counters *c = xive_source_counters(s);
    ck_assert_uint_eq(c->triggers, 4);
    ck_assert_uint_eq(c->notifies, 1);
    ck_assert_uint_eq(c->coalesced, 2);
    ck_assert_uint_eq(c->off, 1);
    ck_assert_uint_eq(c->eois, 2);
    ck_assert_uint_eq(c->renotifies, 1);
    xive_source_destroy(s);
}
END_TEST

/* ---- router fixture ----------------------------------------------------- */

struct fx {
    struct xive_source *sb;
    struct xive_router *r;
};

static struct fx fx_new(void)
{
    struct xive_router_config c;
    struct diag err;
    ck_assert_int_eq(xive_router_config_init(&c, NULL, &err), 0);
    c.threads = 4;
    c.vps = 8;
    c.eas_entries = 64;
    c.eq_qsize = 0; /* 1024 entries */
    c.retarget_ps = 5 * SIM_US; /* what a retarget reports costing */
    struct fx f = { source_new(16), xive_router_create(&c) };
    ck_assert_ptr_nonnull(f.r);
    ck_assert_int_eq(xive_router_attach_source(f.r, f.sb, 16), 0);
    for (uint32_t i = 0; i < 16; i++)
        xive_source_set_pq(f.sb, i, XIVE_PQ_00);
    return f;
}

static void fx_free(struct fx *f)
{
    xive_router_destroy(f->r);
    xive_source_destroy(f->sb);
}

/* Routes src to (vp, prio) with an EQ, and dispatches vp on thread with
 * CPPR 0xFF (what Linux sets at CPU bring-up). */
static void route(struct fx *f, uint32_t src, uint32_t vp, uint8_t prio, uint32_t thread)
{
    sim_time_t cost;
    ck_assert_int_eq(xive_router_set_source_config(f->r, src, vp, prio, src, &cost), 0);
    ck_assert_int_eq(xive_router_eq_config(f->r, vp, prio, -1), 0);
    if (thread != XIVE_NONE && xive_router_vp_thread(f->r, vp) == XIVE_NONE) {
        ck_assert_int_eq(xive_router_dispatch(f->r, vp, thread, NULL), 0);
        ck_assert_int_eq(xive_router_set_cppr(f->r, thread, 0xFF), 0);
    }
}

START_TEST(router_defaults_come_from_the_descriptor)
{
    struct xive_router_config c;
    struct diag err;
    ck_assert_int_eq(xive_router_config_init(&c, NULL, &err), 0);
    ck_assert_uint_eq(c.threads, 96);
    ck_assert_uint_eq(c.vps, 256);
    ck_assert_uint_eq(c.eas_entries, 4096);
    ck_assert_uint_eq(c.priorities, 8);
    ck_assert_uint_eq(c.eq_qsize, 4);
    ck_assert(c.escalation);
    ck_assert_uint_eq(c.retarget_ps, 0); /* the hypervisor sets it from its hcall cost */
    struct xive_router_config bad = c;
    bad.priorities = 9; /* the IPB has 8 bits */
    ck_assert_ptr_null(xive_router_create(&bad));
    ck_assert_ptr_null(xive_source_create(&(struct xive_source_config){ 0 }));
    struct scenario *s = scenario_load_string("x.yaml", "threads: 8\nescalation: false\n",
                                              &xive_router_schema, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(xive_router_config_init(&c, s->root, &err), 0);
    ck_assert_uint_eq(c.threads, 8);
    ck_assert(!c.escalation);
    scenario_free(s);
}
END_TEST

START_TEST(masked_unrouted_and_invalid_sources)
{
    struct fx f = fx_new();
    /* EAS entries start masked (priority 0xFF). */
    struct xive_outcome o = xive_router_trigger(f.r, 16);
    ck_assert_int_eq(o.result, XIVE_R_MASKED);
    ck_assert_int_eq(xive_source_pq(f.sb, 0), XIVE_PQ_10); /* notified, then dropped */
    /* Routed but no EQ configured. */
    ck_assert_int_eq(xive_router_set_source_config(f.r, 17, 0, 3, 1, NULL), 0);
    ck_assert_int_eq(xive_router_trigger(f.r, 17).result, XIVE_R_NO_QUEUE);
    /* Masking again with priority 0xFF. */
    route(&f, 18, 0, 3, 0);
    ck_assert_int_eq(xive_router_trigger(f.r, 18).result, XIVE_R_PRESENTED);
    ck_assert_int_eq(xive_router_set_source_config(f.r, 18, 0, XIVE_PRIO_MASKED, 0, NULL), 0);
    xive_source_set_pq(f.sb, 2, XIVE_PQ_00);
    ck_assert_int_eq(xive_router_trigger(f.r, 18).result, XIVE_R_MASKED);
    /* Off source, unattached source, out-of-range source. */
    xive_source_set_pq(f.sb, 3, XIVE_PQ_01);
    ck_assert_int_eq(xive_router_trigger(f.r, 19).result, XIVE_R_OFF);
    ck_assert_int_eq(xive_router_trigger(f.r, 0).result, XIVE_R_INVALID);
    ck_assert_int_eq(xive_router_trigger(f.r, 64).result, XIVE_R_INVALID);
    ck_assert_int_eq(xive_router_notify(f.r, 1000).result, XIVE_R_INVALID);
    /* Attachments may not overlap or leave the EAS table. */
    struct xive_source *other = source_new(8);
    ck_assert_int_eq(xive_router_attach_source(f.r, other, 28), -1);
    ck_assert_int_eq(xive_router_attach_source(f.r, other, 60), -1);
    ck_assert_int_eq(xive_router_attach_source(f.r, other, 32), 0);
    const struct xive_router_counters *c = xive_router_counters(f.r);
    ck_assert_uint_eq(c->masked, 2);
    ck_assert_uint_eq(c->no_queue, 1);
    xive_source_destroy(other);
    fx_free(&f);
}
END_TEST

START_TEST(presentation_sets_ipb_and_raises_the_line)
{
    struct fx f = fx_new();
    route(&f, 16, 1, 5, 2);
    struct xive_outcome o = xive_router_trigger(f.r, 16);
    ck_assert_int_eq(o.result, XIVE_R_PRESENTED);
    ck_assert_uint_eq(o.thread, 2);
    ck_assert_uint_eq(o.vp, 1);
    ck_assert_uint_eq(o.prio, 5);
    ck_assert(o.line);
    ck_assert(!o.escalation);
    ck_assert_uint_eq(xive_router_ipb(f.r, 2), 0x80 >> 5);
    ck_assert_uint_eq(xive_router_pipr(f.r, 2), 5);
    ck_assert(xive_router_line(f.r, 2));
    ck_assert(!xive_router_line(f.r, 1));
    ck_assert_uint_eq(xive_router_delivered(f.r, 2), 1);
    ck_assert_uint_eq(xive_router_delivered(f.r, 1), 0);
    uint32_t data;
    ck_assert(xive_router_eq_pop(f.r, 1, 5, &data));
    ck_assert_uint_eq(data, 16);
    ck_assert(!xive_router_eq_pop(f.r, 1, 5, &data));
    fx_free(&f);
}
END_TEST

START_TEST(cppr_masks_priorities_not_more_favoured)
{
    struct fx f = fx_new();
    route(&f, 16, 0, 4, 0);
    /* CPPR = PIPR: not presented (PIPR must be strictly below CPPR). */
    ck_assert_int_eq(xive_router_set_cppr(f.r, 0, 4), 0);
    struct xive_outcome o = xive_router_trigger(f.r, 16);
    ck_assert_int_eq(o.result, XIVE_R_PRESENTED);
    ck_assert(!o.line);
    ck_assert_uint_eq(xive_router_ack(f.r, 0), XIVE_PRIO_NONE); /* line down */
    ck_assert_int_eq(xive_router_set_cppr(f.r, 0, 5), 1);       /* 4 < 5: up */
    ck_assert_int_eq(xive_router_set_cppr(f.r, 0, 0), 0);       /* all masked */
    ck_assert_int_eq(xive_router_set_cppr(f.r, 0, 0xFF), 1);
    ck_assert_int_eq(xive_router_set_cppr(f.r, 3, 0xFF), -1);   /* no VP there */
    fx_free(&f);
}
END_TEST

START_TEST(acknowledge_takes_the_most_favoured_priority)
{
    struct fx f = fx_new();
    route(&f, 16, 0, 5, 0);
    route(&f, 17, 0, 2, 0);
    xive_router_trigger(f.r, 16);
    xive_router_trigger(f.r, 17);
    ck_assert_uint_eq(xive_router_ipb(f.r, 0), (0x80 >> 5) | (0x80 >> 2));
    ck_assert_uint_eq(xive_router_pipr(f.r, 0), 2);
    ck_assert_uint_eq(xive_router_ack(f.r, 0), 2);
    ck_assert_uint_eq(xive_router_cppr(f.r, 0), 2);
    ck_assert_uint_eq(xive_router_ipb(f.r, 0), 0x80 >> 5);
    ck_assert(!xive_router_line(f.r, 0)); /* 5 is not more favoured than 2 */
    ck_assert_uint_eq(xive_router_ack(f.r, 0), XIVE_PRIO_NONE);
    /* The OS handles it, EOIs the source, restores CPPR: 5 comes up. */
    ck_assert_int_eq(xive_router_eoi(f.r, 17).result, XIVE_R_NONE);
    ck_assert_int_eq(xive_source_pq(f.sb, 1), XIVE_PQ_00);
    ck_assert_int_eq(xive_router_set_cppr(f.r, 0, 0xFF), 1);
    ck_assert_uint_eq(xive_router_ack(f.r, 0), 5);
    ck_assert_uint_eq(xive_router_ipb(f.r, 0), 0);
    ck_assert_uint_eq(xive_router_pipr(f.r, 0), XIVE_PRIO_NONE);
    ck_assert_uint_eq(xive_router_counters(f.r)->acks, 2);
    fx_free(&f);
}
END_TEST

START_TEST(eoi_through_the_source_renotifies_a_queued_trigger)
{
    struct fx f = fx_new();
    route(&f, 20, 3, 6, 1);
    ck_assert_int_eq(xive_router_trigger(f.r, 20).result, XIVE_R_PRESENTED); /* 00->10 */
    ck_assert_int_eq(xive_router_trigger(f.r, 20).result, XIVE_R_COALESCED); /* 10->11 */
    ck_assert_int_eq(xive_router_trigger(f.r, 20).result, XIVE_R_COALESCED); /* 11->11 */
    ck_assert_uint_eq(xive_router_ack(f.r, 1), 6);
    struct xive_outcome o = xive_router_eoi(f.r, 20);                       /* 11->10 */
    ck_assert_int_eq(o.result, XIVE_R_PRESENTED);
    ck_assert_int_eq(xive_source_pq(f.sb, 4), XIVE_PQ_10);
    ck_assert_int_eq(xive_router_eoi(f.r, 20).result, XIVE_R_NONE);         /* 10->00 */
    uint32_t data, n = 0;
    while (xive_router_eq_pop(f.r, 3, 6, &data))
        n++;
    ck_assert_uint_eq(n, 2); /* one entry per notification, not per trigger */
    ck_assert_uint_eq(xive_router_delivered(f.r, 1), 2);
    ck_assert_int_eq(xive_router_eoi(f.r, 5).result, XIVE_R_INVALID);
    fx_free(&f);
}
END_TEST

START_TEST(eq_wraps_and_flips_the_generation_bit)
{
    struct fx f = fx_new();
    route(&f, 16, 0, 1, 0);
    uint32_t idx, entries, data;
    bool gen;
    ck_assert_int_eq(xive_router_eq_state(f.r, 0, 1, &idx, &gen, &entries), 0);
    ck_assert_uint_eq(entries, 1024); /* 2^(0+10) */
    ck_assert_uint_eq(idx, 0);
    ck_assert(gen);
    for (uint32_t i = 0; i < 1024; i++) {
        xive_router_notify(f.r, 16);
        ck_assert(xive_router_eq_pop(f.r, 0, 1, &data));
    }
    ck_assert_int_eq(xive_router_eq_state(f.r, 0, 1, &idx, &gen, &entries), 0);
    ck_assert_uint_eq(idx, 0);
    ck_assert(!gen); /* wrapped: the next lap is written with generation 0 */
    ck_assert_uint_eq(xive_router_eq_entry(f.r, 0, 1, 0) >> 31, 1);
    ck_assert(!xive_router_eq_pop(f.r, 0, 1, &data)); /* old lap's entry: empty */
    xive_router_notify(f.r, 16);
    ck_assert_uint_eq(xive_router_eq_entry(f.r, 0, 1, 0) >> 31, 0);
    ck_assert_uint_eq(xive_router_eq_entry(f.r, 0, 1, 1) >> 31, 1);
    ck_assert(xive_router_eq_pop(f.r, 0, 1, &data)); /* the consumer's toggle flipped too */
    ck_assert_uint_eq(data, 16);
    ck_assert(!xive_router_eq_pop(f.r, 0, 1, &data));
    /* Second wrap flips it back. */
    for (uint32_t i = 0; i < 1023; i++)
        xive_router_notify(f.r, 16);
    ck_assert_int_eq(xive_router_eq_state(f.r, 0, 1, &idx, &gen, &entries), 0);
    ck_assert(gen);
    ck_assert_uint_eq(xive_router_counters(f.r)->eq_overflows, 0);
    fx_free(&f);
}
END_TEST

START_TEST(eq_overflow_is_reported)
{
    struct fx f = fx_new();
    route(&f, 16, 0, 1, 0);
    for (uint32_t i = 0; i < 1024; i++)
        ck_assert(!xive_router_notify(f.r, 16).eq_overflow);
    ck_assert(xive_router_notify(f.r, 16).eq_overflow);
    ck_assert_uint_eq(xive_router_counters(f.r)->eq_overflows, 1);
    ck_assert_int_eq(xive_router_eq_config(f.r, 0, 8, 0), -1); /* priority out of range */
    ck_assert_int_eq(xive_router_eq_config(f.r, 0, 1, 13), -1);
    fx_free(&f);
}
END_TEST

START_TEST(undispatched_vp_backlogs_and_escalates_once)
{
    struct fx f = fx_new();
    route(&f, 16, 2, 3, XIVE_NONE);
    route(&f, 17, 2, 6, XIVE_NONE);
    ck_assert_int_eq(xive_router_escalation_pq(f.r, 2), XIVE_PQ_00);
    struct xive_outcome o = xive_router_trigger(f.r, 16);
    ck_assert_int_eq(o.result, XIVE_R_BACKLOGGED);
    ck_assert(o.escalation);
    ck_assert_uint_eq(o.vp, 2);
    ck_assert_uint_eq(o.thread, XIVE_NONE);
    ck_assert_uint_eq(xive_router_backlog(f.r, 2), 0x80 >> 3);
    ck_assert_int_eq(xive_router_escalation_pq(f.r, 2), XIVE_PQ_10);
    o = xive_router_trigger(f.r, 17);
    ck_assert_int_eq(o.result, XIVE_R_BACKLOGGED);
    ck_assert(!o.escalation); /* the escalation ESB coalesces */
    ck_assert_int_eq(xive_router_escalation_pq(f.r, 2), XIVE_PQ_11);
    ck_assert_uint_eq(xive_router_backlog(f.r, 2), (0x80 >> 3) | (0x80 >> 6));
    const struct xive_router_counters *c = xive_router_counters(f.r);
    ck_assert_uint_eq(c->escalations, 1);
    ck_assert_uint_eq(c->backlogged, 2);
    fx_free(&f);
}
END_TEST

START_TEST(dispatch_redelivers_the_backlog)
{
    struct fx f = fx_new();
    /* The OS ran once on the VP and set CPPR 0xFF, then it was undispatched. */
    route(&f, 16, 2, 3, 1);
    route(&f, 17, 2, 6, XIVE_NONE);
    bool pending = true;
    ck_assert_uint_eq(xive_router_undispatch(f.r, 1, &pending), 2);
    ck_assert(!pending);
    ck_assert_int_eq(xive_router_escalation_pq(f.r, 2), XIVE_PQ_00); /* re-armed */
    xive_router_trigger(f.r, 16);
    xive_router_trigger(f.r, 17);
    ck_assert(!xive_router_line(f.r, 1));
    struct xive_dispatch d;
    ck_assert_int_eq(xive_router_dispatch(f.r, 2, 3, &d), 0);
    ck_assert_uint_eq(d.redelivered, 2);
    ck_assert(d.line); /* saved CPPR 0xFF restored */
    ck_assert_uint_eq(xive_router_ipb(f.r, 3), (0x80 >> 3) | (0x80 >> 6));
    ck_assert_uint_eq(xive_router_backlog(f.r, 2), 0);
    ck_assert_uint_eq(xive_router_cppr(f.r, 3), 0xFF);
    ck_assert_int_eq(xive_router_escalation_pq(f.r, 2), XIVE_PQ_01); /* off while running */
    ck_assert_uint_eq(xive_router_delivered(f.r, 3), 2);
    ck_assert_uint_eq(xive_router_counters(f.r)->redeliveries, 2);
    ck_assert_uint_eq(xive_router_ack(f.r, 3), 3);
    /* Now dispatched: new interrupts go straight to the thread. */
    xive_router_eoi(f.r, 16);
    struct xive_outcome o = xive_router_trigger(f.r, 16);
    ck_assert_int_eq(o.result, XIVE_R_PRESENTED);
    ck_assert_uint_eq(o.thread, 3);
    ck_assert(!o.escalation);
    /* Undispatch with unacknowledged priorities: they go back to the NVT. */
    ck_assert_uint_eq(xive_router_undispatch(f.r, 3, &pending), 2);
    ck_assert(pending);
    ck_assert_uint_eq(xive_router_backlog(f.r, 2), (0x80 >> 3) | (0x80 >> 6));
    ck_assert_uint_eq(xive_router_ipb(f.r, 3), 0);
    ck_assert_uint_eq(xive_router_vp_thread(f.r, 2), XIVE_NONE);
    fx_free(&f);
}
END_TEST

START_TEST(dispatch_of_a_fresh_vp_keeps_the_reset_cppr)
{
    struct fx f = fx_new();
    route(&f, 16, 4, 2, XIVE_NONE);
    xive_router_trigger(f.r, 16);
    struct xive_dispatch d;
    ck_assert_int_eq(xive_router_dispatch(f.r, 4, 0, &d), 0);
    ck_assert_uint_eq(d.redelivered, 1);
    ck_assert(!d.line); /* CPPR resets to 0: nothing presented yet */
    ck_assert_int_eq(xive_router_set_cppr(f.r, 0, 0xFF), 1);
    /* Busy thread / VP already dispatched / bad numbers. */
    ck_assert_int_eq(xive_router_dispatch(f.r, 5, 0, &d), -1);
    ck_assert_int_eq(xive_router_dispatch(f.r, 4, 1, &d), -1);
    ck_assert_int_eq(xive_router_dispatch(f.r, 8, 1, &d), -1);
    ck_assert_int_eq(xive_router_dispatch(f.r, 5, 4, &d), -1);
    ck_assert_uint_eq(xive_router_undispatch(f.r, 2, NULL), XIVE_NONE);
    fx_free(&f);
}
END_TEST

START_TEST(escalation_can_be_turned_off)
{
    struct fx f = fx_new();
    route(&f, 16, 6, 1, XIVE_NONE);
    ck_assert_int_eq(xive_router_set_escalation(f.r, 6, false), 0);
    ck_assert_int_eq(xive_router_escalation_pq(f.r, 6), XIVE_PQ_01);
    struct xive_outcome o = xive_router_trigger(f.r, 16);
    ck_assert_int_eq(o.result, XIVE_R_BACKLOGGED);
    ck_assert(!o.escalation);
    ck_assert_uint_eq(xive_router_counters(f.r)->escalations, 0);
    ck_assert_int_eq(xive_router_set_escalation(f.r, 6, true), 0);
    xive_router_eoi(f.r, 16);
    ck_assert(xive_router_trigger(f.r, 16).escalation);
    ck_assert_int_eq(xive_router_set_escalation(f.r, 8, true), -1);
    fx_free(&f);
}
END_TEST

START_TEST(retargeting_moves_new_interrupts_and_costs_the_call)
{
    struct fx f = fx_new();
    route(&f, 16, 0, 3, 0);
    route(&f, 17, 1, 3, 1); /* VP 1 on thread 1, with an EQ at priority 3 */
    xive_router_trigger(f.r, 16);
    sim_time_t cost = 0;
    ck_assert_int_eq(xive_router_set_source_config(f.r, 16, 1, 3, 99, &cost), 0);
    ck_assert_uint_eq(cost, 5 * SIM_US);
    xive_router_eoi(f.r, 16);
    struct xive_outcome o = xive_router_trigger(f.r, 16);
    ck_assert_uint_eq(o.thread, 1);
    uint32_t data;
    ck_assert(xive_router_eq_pop(f.r, 1, 3, &data));
    ck_assert_uint_eq(data, 99);
    ck_assert(xive_router_eq_pop(f.r, 0, 3, &data)); /* the old entry stays */
    ck_assert_uint_eq(data, 16);
    ck_assert_uint_eq(xive_router_counters(f.r)->retargets, 3);
    ck_assert_int_eq(xive_router_set_source_config(f.r, 16, 1, 8, 0, &cost), -1);
    ck_assert_int_eq(xive_router_set_source_config(f.r, 16, 8, 1, 0, &cost), -1);
    ck_assert_int_eq(xive_router_set_source_config(f.r, 64, 1, 1, 0, &cost), -1);
    ck_assert_int_eq(xive_router_set_source_config(f.r, 16, 1, 1, 0x80000000u, &cost), -1);
    fx_free(&f);
}
END_TEST

static Suite *xive_suite(void)
{
    Suite *s = suite_create("xive");
    TCase *t = tcase_create("source");
    tcase_add_test(t, sources_reset_to_off);
    tcase_add_test(t, pq_table_row_by_row);
    tcase_add_test(t, pq_sequence_coalesces_and_renotifies);
    suite_add_tcase(s, t);
    t = tcase_create("router");
    tcase_add_test(t, router_defaults_come_from_the_descriptor);
    tcase_add_test(t, masked_unrouted_and_invalid_sources);
    tcase_add_test(t, presentation_sets_ipb_and_raises_the_line);
    tcase_add_test(t, cppr_masks_priorities_not_more_favoured);
    tcase_add_test(t, acknowledge_takes_the_most_favoured_priority);
    tcase_add_test(t, eoi_through_the_source_renotifies_a_queued_trigger);
    tcase_add_test(t, eq_wraps_and_flips_the_generation_bit);
    tcase_add_test(t, eq_overflow_is_reported);
    suite_add_tcase(s, t);
    t = tcase_create("nvt");
    tcase_add_test(t, undispatched_vp_backlogs_and_escalates_once);
    tcase_add_test(t, dispatch_redelivers_the_backlog);
    tcase_add_test(t, dispatch_of_a_fresh_vp_keeps_the_reset_cppr);
    tcase_add_test(t, escalation_can_be_turned_off);
    tcase_add_test(t, retargeting_moves_new_interrupts_and_costs_the_call);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(xive_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
