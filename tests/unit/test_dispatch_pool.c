/* tests/unit/test_dispatch_pool.c — the shared pool
 * (models/hypervisor/dispatch_pool.c): budgets per window, capped and
 * uncapped LPARs, weights, preemption, excess slices, core granularity,
 * and the lparstat-like metrics. References from closed forms and the
 * parameters (dispatch_rig.h: 1 GHz):
 *  - a capped VP kept busy runs e W at the start of each window; an
 *    interrupt at a random time waits (1 - e)^2 W / 2 plus the switch-in
 *    and job terms (cli/validate_dispatch.c derives them), for two
 *    windows and shares;
 *  - saturated LPARs' physc follows weighted water-filling
 *    (validate_water_fill), and changing a weight changes it;
 *  - a VP with budget preempts one running beyond its entitlement at
 *    once; a capped VP leaves at the end of its budget;
 *  - two saturated uncapped VPs on one thread swap every excess_slice;
 *  - with core granularity no two LPARs ever share a core. */
#include "cli/validate_dispatch.h"
#include "dispatch_rig.h"

/* ---- capped: the window delay -------------------------------------------- */

struct arrivals {
    struct dispatch_vp *vp;
    double sum_ns;
    uint64_t n;
};

static void irq_done(void *ctx, uint64_t t_arrival)
{
    struct arrivals *a = ctx;
    a->sum_ns += sim_time_to_ns(kernel_now(rig.k) - t_arrival) - IRQ_NS;
    a->n++;
}

static void irq_arrives(void *ctx, uint64_t arg)
{
    struct arrivals *a = ctx;
    (void)arg;
    dispatch_submit_irq(a->vp, 0, irq_done, a, kernel_now(rig.k));
    if (!dispatch_is_dispatched(a->vp))
        dispatch_escalate(a->vp);
}

START_TEST(a_capped_vp_kept_busy_waits_for_the_next_window)
{
    const struct { sim_time_t w; double e; } cases[] = { { W, 0.3 }, { 4 * SIM_MS, 0.6 } };
    const unsigned windows = 3000, per_window = 4;
    const double j = 20e3, c = 3e3; /* job, switch-in (ns) */
    for (int i = 0; i < 2; i++) {
        double e = cases[i].e, w = sim_time_to_ns(cases[i].w);
        rig_open(1, 1);
        rig.dc.window_ps = cases[i].w;
        rig_dispatch();
        add_shared(rig.d, "lpar.x", 1, e, DISPATCH_CAPPED, 128);
        start(rig.d);
        struct spinner s;
        spin(&s, vp_of(0, 0), 20000);
        struct arrivals a = { vp_of(0, 0), 0, 0 };
        struct rng r;
        rng_seed(&r, 7, i ? "b" : "a");
        for (unsigned k = 0; k < windows * per_window; k++)
            kernel_schedule_at(rig.k, cases[i].w + (sim_time_t)(rng_uniform(&r) * windows *
                                                                 (double)cases[i].w),
                               irq_arrives, &a, 0);
        kernel_run_until(rig.k, (windows + 2) * cases[i].w);
        ck_assert_uint_eq(a.n, windows * per_window);
        double want = (1 - e) * ((1 - e) * w / 2 + c) + c * c / (2 * w) + j / 2 - j * j / (6 * w);
        double got = a.sum_ns / (double)a.n;
        ck_assert_msg(fabs(got - want) / want < 0.03, "W %g e %g: %.0f ns, want %.0f", w, e,
                      got, want);
        /* its time on the thread is its entitlement, to the ps */
        ck_assert_double_eq_tol(dispatch_lpar_physc(rig.d, 0), e, 1e-9);
        ck_assert_uint_eq(dispatch_vp_counters(vp_of(0, 0)).preemptions, windows + 2);
    }
}
END_TEST

/* ---- uncapped: weighted water-filling ------------------------------------ */

START_TEST(saturated_lpars_share_the_pool_by_weighted_water_filling)
{
    /* A, B: uncapped 2 VPs (at most 2.0 each); C capped; D weight 0 */
    const unsigned weight_a[] = { 200, 100 };
    for (int i = 0; i < 2; i++) {
        rig_open(1, 4);
        rig.dc.switch_out = 0; /* no pool time lost between VPs */
        rig_dispatch();
        add_shared(rig.d, "lpar.a", 2, 0.4, DISPATCH_UNCAPPED, weight_a[i]);
        add_shared(rig.d, "lpar.b", 2, 0.4, DISPATCH_UNCAPPED, 100);
        add_shared(rig.d, "lpar.c", 1, 0.5, DISPATCH_CAPPED, 128);
        add_shared(rig.d, "lpar.d", 1, 0.2, DISPATCH_UNCAPPED, 0);
        start(rig.d);
        rig.env.warmup = 10 * W; /* measured after 10 windows */
        env_start(&rig.env);
        struct spinner s[6];
        for (unsigned l = 0, n = 0; l < 4; l++)
            for (uint32_t v = 0; v < (l < 2 ? 2u : 1u); v++, n++)
                spin(&s[n], vp_of(l, v), 50000);
        kernel_run_until(rig.k, 110 * W);
        const struct wf_lpar wf[4] = {
            { 0.4, 2, weight_a[i], true }, { 0.4, 2, 100, true },
            { 0.5, 1, 128, false }, { 0.2, 1, 0, true },
        };
        double x[4];
        validate_water_fill(wf, 4, 4, x);
        ck_assert_double_eq_tol(x[0], i == 0 ? 2.0 : 1.65, 1e-9); /* A hits its VPs */
        for (unsigned l = 0; l < 4; l++)
            ck_assert_msg(fabs(dispatch_lpar_physc(rig.d, l) - x[l]) / x[l] < 0.01,
                          "weight %u: LPAR %u physc %.4f, water-filling %.4f", weight_a[i], l,
                          dispatch_lpar_physc(rig.d, l), x[l]);
        ck_assert_double_eq_tol(dispatch_pool_idle(rig.d), 0, 1e-3);
    }
}
END_TEST

/* ---- preemption ------------------------------------------------------------ */

/* One thread. A (share 0.2, uncapped) is kept busy from 0: woken at 0,
 * beyond its entitlement from 2 ms. B (0.5) gets 50 us of work at 5 ms:
 * it preempts A at once, waits for A's switch-out (3 us), switches in
 * (3 us) and, ceded, exits (10 us). When B cedes (5.066 + 0.1 + 0.003 ms)
 * A comes back after B's switch-out and its own switch-in. */
START_TEST(a_vp_with_budget_preempts_one_running_beyond_its_entitlement)
{
    rig_open(1, 1);
    rig_dispatch();
    struct event_log ev = { 0 };
    listen(&ev);
    add_shared(rig.d, "lpar.a", 1, 0.2, DISPATCH_UNCAPPED, 128);
    add_shared(rig.d, "lpar.b", 1, 0.5, DISPATCH_UNCAPPED, 128);
    start(rig.d);
    struct spinner s;
    spin(&s, vp_of(0, 0), 100000);
    struct done_log log = { 0 };
    struct submit_at t = { vp_of(1, 0), &log, 50000, false };
    submit_at(5 * SIM_MS, &t, 1);
    kernel_run_until(rig.k, 6 * SIM_MS);
    static const char *const want[] = { "0us D0@0", "5000us U0@0", "5000us D1@0",
                                         "5169us U1@0", "5169us D0@0" };
    expect_log(&ev, want, 5);
    ck_assert_uint_eq(log.t[0], 5066 * US);
    ck_assert_uint_eq(dispatch_vp_counters(vp_of(0, 0)).preemptions, 1);

    /* Capped, A leaves its thread at the end of its budget (2 ms) and
     * comes back at the next window. */
    rig_open(1, 1);
    rig_dispatch();
    struct event_log ev2 = { 0 };
    listen(&ev2);
    add_shared(rig.d, "lpar.a", 1, 0.2, DISPATCH_CAPPED, 128);
    start(rig.d);
    spin(&s, vp_of(0, 0), 100000);
    kernel_run_until(rig.k, 2 * W + SIM_MS);
    static const char *const want2[] = { "0us D0@0", "2000us U0@0", "10000us D0@0",
                                         "12000us U0@0", "20000us D0@0" };
    expect_log(&ev2, want2, 5);
}
END_TEST

/* Two saturated uncapped VPs of equal weight on one thread, shares 0.1:
 * each window 8 ms are beyond both entitlements, handed out in slices. */
START_TEST(uncapped_vps_beyond_entitlement_swap_every_excess_slice)
{
    const sim_time_t slices[] = { SIM_MS, 2 * SIM_MS };
    const unsigned windows = 50;
    for (int i = 0; i < 2; i++) {
        rig_open(1, 1);
        rig.dc.excess_slice_ps = slices[i];
        rig_dispatch();
        add_shared(rig.d, "lpar.a", 1, 0.1, DISPATCH_UNCAPPED, 128);
        add_shared(rig.d, "lpar.b", 1, 0.1, DISPATCH_UNCAPPED, 128);
        start(rig.d);
        struct spinner s[2];
        spin(&s[0], vp_of(0, 0), 20000);
        spin(&s[1], vp_of(1, 0), 20000);
        kernel_run_until(rig.k, windows * W);
        uint64_t pre = dispatch_vp_counters(vp_of(0, 0)).preemptions +
                       dispatch_vp_counters(vp_of(1, 0)).preemptions;
        /* 8 ms / slice swaps per window, plus one for the entitlement of
         * the VP not running at the window start */
        double per = (double)pre / windows, want = 8.0 * SIM_MS / (double)slices[i];
        ck_assert_msg(per >= want - 1 && per <= want + 2, "slice %g ms: %.2f preemptions "
                      "per window", (double)slices[i] / SIM_MS, per);
        for (unsigned l = 0; l < 2; l++)
            ck_assert_msg(fabs(dispatch_lpar_physc(rig.d, l) - 0.5) < 0.01, "LPAR %u: %.4f", l,
                          dispatch_lpar_physc(rig.d, l));
    }
}
END_TEST

/* ---- core granularity ------------------------------------------------------ */

struct cores {
    int64_t lpar_on[8];      /* per thread: LPAR of the VP there, -1 */
    unsigned shared_core;    /* times two LPARs held one core */
};

static void core_on(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    struct cores *c = ctx;
    uint32_t other = thread ^ 1; /* 2 threads per core */
    c->shared_core += c->lpar_on[other] >= 0 && c->lpar_on[other] != dispatch_vp_lpar(vp);
    c->lpar_on[thread] = dispatch_vp_lpar(vp);
}

static void core_off(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    struct cores *c = ctx;
    (void)vp;
    c->lpar_on[thread] = -1;
}

/* 2 cores x 2 threads, three saturated uncapped LPARs of one VP (0.6
 * each). Thread granularity: each VP has a thread, physc 1.0. Core: one
 * LPAR per core, so 2 cores for 3 VPs: water-filling of 2. */
START_TEST(core_granularity_keeps_other_lpars_off_a_used_core)
{
    for (int core = 0; core < 2; core++) {
        rig_open(2, 2);
        rig.dc.granularity = core ? DISPATCH_CORE : DISPATCH_THREAD;
        rig.dc.switch_out = 0;
        rig_dispatch();
        struct cores c = { { -1, -1, -1, -1 }, 0 };
        struct dispatch_listener l = { core_on, core_off, &c };
        dispatch_add_listener(rig.d, &l);
        struct spinner s[3];
        for (unsigned i = 0; i < 3; i++) {
            char path[16];
            snprintf(path, sizeof path, "lpar.%c", 'a' + i);
            add_shared(rig.d, path, 1, 0.6, DISPATCH_UNCAPPED, 128);
        }
        start(rig.d);
        for (unsigned i = 0; i < 3; i++)
            spin(&s[i], vp_of(i, 0), 50000);
        kernel_run_until(rig.k, 100 * W);
        double want = core ? 2.0 / 3 : 1.0;
        for (unsigned i = 0; i < 3; i++)
            ck_assert_msg(fabs(dispatch_lpar_physc(rig.d, i) - want) < 0.01,
                          "core %d: LPAR %u physc %.4f, want %.4f", core, i,
                          dispatch_lpar_physc(rig.d, i), want);
        if (core)
            ck_assert_uint_eq(c.shared_core, 0);
        else
            ck_assert_uint_gt(c.shared_core, 0);
        ck_assert_uint_eq(dispatch_pool_size(rig.d), core ? 2 : 4);
    }
}
END_TEST

/* ---- metrics ---------------------------------------------------------------- */

START_TEST(lparstat_metrics_are_written_at_the_end)
{
    rig_open(1, 4);
    rig_dispatch();
    add_dedicated(rig.d, "lpar.d", 1, NULL);
    add_shared(rig.d, "lpar.s", 2, 0.5, DISPATCH_CAPPED, 128);
    start(rig.d);
    struct spinner s[2];
    spin(&s[0], vp_of(1, 0), 10000);
    spin(&s[1], vp_of(1, 1), 10000);
    kernel_run_until(rig.k, 20 * W); /* the window at 20 W has just started */
    env_finish(&rig.env);
    ck_assert_double_eq_tol(scalar("lpar.s", "physc"), 0.5, 1e-9);
    ck_assert_double_eq_tol(scalar("lpar.s", "entc"), 100, 1e-6);
    ck_assert_double_eq_tol(scalar("lpar.d", "physc"), 1, 1e-12);
    ck_assert_double_eq_tol(scalar("lpar.d", "entc"), 100, 1e-9);
    ck_assert_double_eq(scalar("s0.hyp", "pool_size"), 3);
    /* the pool's idle capacity is what its VPs did not hold */
    ck_assert_double_eq_tol(scalar("s0.hyp", "pool_idle"), 3 - 0.5, 1e-9);
    ck_assert_double_eq(scalar("lpar.s.vp0", "preemptions"), 20);
    ck_assert_double_eq(scalar("lpar.s.vp0", "dispatches"), 21);
    ck_assert_double_eq(scalar("lpar.s.vp0", "cedes"), 0);
    ck_assert_double_eq(scalar("lpar.s.vp0", "wakeups_timer"), 1);
    ck_assert_double_eq(scalar("lpar.s.vp1", "wakeups_escalation"), 0);
    ck_assert_double_eq(scalar("lpar.d.vp0", "cedes"), 1); /* idle since 0: ceded */
    ck_assert_double_eq_tol(scalar("lpar.s.vp0", "dispatched_fraction"), 0.25, 1e-9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dispatch_pool");
    TCase *t = tcase_create("pool");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, a_capped_vp_kept_busy_waits_for_the_next_window);
    tcase_add_test(t, saturated_lpars_share_the_pool_by_weighted_water_filling);
    tcase_add_test(t, a_vp_with_budget_preempts_one_running_beyond_its_entitlement);
    tcase_add_test(t, uncapped_vps_beyond_entitlement_swap_every_excess_slice);
    tcase_add_test(t, core_granularity_keeps_other_lpars_off_a_used_core);
    tcase_add_test(t, lparstat_metrics_are_written_at_the_end);
    suite_add_tcase(s, t);
    return run_suite(s);
}
