/* tests/unit/test_dispatch_runtime.c — VPs added and removed while the
 * dispatcher runs (models/hypervisor/dispatch_lpar.c), as live partition
 * mobility and the control plane use them: an uncapped LPAR's VPs removed
 * mid-run hand back their work (a partly run job with its cycles left),
 * and re-added on the same or another system's dispatcher the work
 * completes, at times the parameters give; run-time dedicated VPs take
 * free threads or fail; shared VPs join with the rest of the window's
 * share; VP ids come from vp_capacity and are reused after a removal. */
#include "dispatch_rig.h"

static struct dispatch_lpar_config uncapped(uint32_t vps, double ent)
{
    return lpar_cfg(DISPATCH_SHARED, vps, ent);
}

struct counts {
    unsigned d[8], u[8];
};

static void count_d(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    (void)thread;
    ((struct counts *)ctx)->d[dispatch_vp_id(vp)]++;
}

static void count_u(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    (void)thread;
    ((struct counts *)ctx)->u[dispatch_vp_id(vp)]++;
}

/* LPAR u (uncapped, 2 VPs) gets a 3 ms task at 1 ms (woken: it starts at
 * 1.013 ms), then a 1000-cycle task and an interrupt (handler 100) at
 * 1.5 ms, which wait behind it. At 2 ms it is removed: 987,000 of the 3M
 * cycles have run. */
static void removed_at_2ms(struct dispatch_saved *saved, struct done_log *log,
                           struct counts *c)
{
    struct dispatch_listener l = { count_d, count_u, c };
    dispatch_add_listener(rig.d, &l);
    add_dedicated(rig.d, "lpar.ded", 1, NULL);            /* id 0 */
    struct dispatch_lpar_config u = uncapped(2, 0.4);
    ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.u", &u, NULL, NULL, &rig.err), 1); /* 1, 2 */
    start(rig.d);
    struct submit_at big = { vp_of(1, 0), log, 3000000, false };
    struct submit_at small = { vp_of(1, 0), log, 1000, false };
    struct submit_at irq = { vp_of(1, 0), log, 100, true };
    submit_at(SIM_MS, &big, 1);
    submit_at(1500 * US, &small, 2);
    submit_at(1500 * US, &irq, 3);
    kernel_run_until(rig.k, 2 * SIM_MS);
    ck_assert_uint_eq(c->d[1], 1);
    ck_assert_int_eq(dispatch_remove_lpar(rig.d, 1, saved), 0);
    ck_assert_uint_eq(c->u[1], 1); /* listeners heard it leave */
}

START_TEST(an_uncapped_lpar_removed_and_readded_mid_run_loses_no_work)
{
    for (int other = 0; other < 2; other++) {
        rig_open(1, 4);
        rig_dispatch();
        struct dispatch_saved saved = { 0 };
        struct done_log log = { 0 };
        struct counts c = { 0 };
        removed_at_2ms(&saved, &log, &c);
        ck_assert_ptr_null(dispatch_lpar_vp(rig.d, 1, 0));
        ck_assert_ptr_null(dispatch_vp_at(rig.d, 1));
        ck_assert_uint_eq(dispatch_vp_count(rig.d), 1);
        /* what it hands back: per VP, interrupts first, then the cut task
         * with its cycles left, then the task that never ran */
        ck_assert_uint_eq(saved.nvps, 2);
        ck_assert_uint_eq(saved.vps[1].njobs, 0);
        ck_assert_uint_eq(saved.vps[0].njobs, 3);
        const struct dispatch_saved_job *j = saved.vps[0].jobs;
        ck_assert_int_eq(j[0].kind, CPU_IRQ);
        ck_assert_uint_eq(j[0].cycles, IRQ_NS + 100);
        ck_assert_uint_eq(j[0].arg, 3);
        ck_assert(!j[0].started);
        ck_assert_int_eq(j[1].kind, CPU_TASK);
        ck_assert_uint_eq(j[1].cycles, 3000000 - 987000);
        ck_assert(j[1].started);
        ck_assert_uint_eq(j[1].t_submit, SIM_MS);
        ck_assert(j[1].fn == log_done && j[1].ctx == &log && j[1].arg == 1);
        ck_assert_uint_eq(j[2].cycles, 1000);
        ck_assert_uint_eq(j[2].t_submit, 1500 * US);
        ck_assert_uint_eq(saved.vps[0].counters.dispatches, 1);
        kernel_run_until(rig.k, 3 * SIM_MS);
        ck_assert_uint_eq(log.n, 0); /* nothing ran while it was out */

        /* back at 3 ms, on this dispatcher or another system's */
        struct dispatch *to = rig.d;
        if (other) {
            rig.cpu2 = rig_cpu("s1.cpu", 1, 4);
            rig.d2 = dispatch_create(&rig.env, "s1.hyp", rig.cpu2, &rig.dc);
            start(rig.d2);
            to = rig.d2;
        }
        struct dispatch_lpar_config u = uncapped(2, 0.4);
        int li = dispatch_add_lpar(to, "lpar.u", &u, NULL, &saved, &rig.err);
        ck_assert_msg(li >= 0, "%s", rig.err.msg);
        ck_assert_int_eq(li, other ? 0 : 2); /* indices are not reused */
        struct dispatch_vp *vp = dispatch_lpar_vp(to, (unsigned)li, 0);
        ck_assert_uint_eq(dispatch_vp_id(vp), other ? 0 : 1); /* the lowest free id */
        dispatch_saved_free(&saved);
        kernel_run_until(rig.k, 10 * SIM_MS);
        /* it was runnable, not ceded: switch-in (3 us) only; the interrupt
         * (1000 cycles), the rest of the cut task, the small one */
        ck_assert_uint_eq(log.n, 3);
        const uint64_t want_arg[] = { 3, 1, 2 };
        const sim_time_t want_t[] = { 3004 * US, 5017 * US, 5018 * US };
        for (int i = 0; i < 3; i++) {
            ck_assert_uint_eq(log.arg[i], want_arg[i]);
            ck_assert_uint_eq(log.t[i], want_t[i]);
        }
        ck_assert_uint_eq(dispatch_vp_counters(vp).dispatches, 2); /* carried over */
        ck_assert_uint_eq(cpu_jobs_live(rig.cpu), 0);
    }
}
END_TEST

START_TEST(a_removed_lpar_without_saved_work_drops_it_and_a_late_prod_finds_nobody)
{
    rig_open(1, 4);
    rig_dispatch();
    struct done_log log = { 0 };
    struct counts c = { 0 };
    removed_at_2ms(NULL, &log, &c);
    ck_assert_uint_eq(cpu_jobs_live(rig.cpu), 0);
    /* a VP takes id 1 again; an H_PROD aimed at the removed VP (slot 1,
     * old generation) from a dedicated VP must not wake it */
    struct dispatch_lpar_config u = uncapped(1, 0.2);
    ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.v", &u, NULL, NULL, &rig.err), 2);
    struct dispatch_vp *v = vp_of(2, 0);
    ck_assert_uint_eq(dispatch_vp_id(v), 1);
    ck_assert_int_eq(dispatch_prod(v, vp_of(0, 0)), 0); /* runs 2 us on the caller */
    ck_assert_int_eq(dispatch_remove_lpar(rig.d, 2, NULL), 0);
    struct dispatch_lpar_config u2 = uncapped(1, 0.2);
    ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.w", &u2, NULL, NULL, &rig.err), 3);
    kernel_run_until(rig.k, 3 * SIM_MS);
    ck_assert_uint_eq(dispatch_vp_counters(vp_of(3, 0)).wakeups[DISPATCH_WAKE_PROD], 0);
    ck_assert_int_eq(dispatch_remove_lpar(rig.d, 2, NULL), -1); /* gone already */
    ck_assert_int_eq(dispatch_remove_lpar(rig.d, 9, NULL), -1);
}
END_TEST

/* Two threads; a shared uncapped LPAR kept busy (share 0.5) runs on one. */
START_TEST(run_time_vps_take_free_threads_or_fail)
{
    rig_open(1, 2);
    rig_dispatch();
    struct event_log ev = { 0 };
    listen(&ev);
    add_shared(rig.d, "lpar.s", 1, 0.5, DISPATCH_UNCAPPED, 128); /* id 0 */
    start(rig.d);
    struct spinner s;
    spin(&s, vp_of(0, 0), 10000);
    kernel_run_until(rig.k, SIM_MS);
    ck_assert_int_eq(dispatch_vp_thread(vp_of(0, 0)), 0);
    /* a dedicated VP takes the free thread 1 at once */
    ck_assert_int_eq(add_dedicated(rig.d, "lpar.d1", 1, NULL), 1); /* id 1 */
    ck_assert_int_eq(dispatch_vp_thread(vp_of(1, 0)), 1);
    ck_assert_uint_eq(dispatch_pool_size(rig.d), 1);
    /* no second one: the pool would have no thread for the 0.5 */
    ck_assert_int_eq(add_dedicated(rig.d, "lpar.d2", 1, NULL), -1);
    ck_assert_msg(strstr(rig.err.msg, "0.5") && strstr(rig.err.msg, "0 threads"), "%s",
                  rig.err.msg);
    /* nor 0.6 more of shared entitlement on the one thread left */
    ck_assert_int_eq(add_shared(rig.d, "lpar.s2", 1, 0.6, DISPATCH_UNCAPPED, 128), -1);
    ck_assert_msg(strstr(rig.err.msg, "1.1"), "%s", rig.err.msg);
    /* 0.5 fits: it joins at 5 ms with the rest of the window's share */
    kernel_run_until(rig.k, 5 * SIM_MS);
    ck_assert_int_eq(add_shared(rig.d, "lpar.s3", 1, 0.5, DISPATCH_UNCAPPED, 128), 2);
    ck_assert_uint_eq(dispatch_vp_budget(vp_of(2, 0)), 2500 * US);
    ck_assert(!dispatch_is_dispatched(vp_of(2, 0))); /* no work: idle */
    /* the dedicated LPAR leaves: its thread returns to the pool */
    ck_assert_int_eq(dispatch_remove_lpar(rig.d, 1, NULL), 0);
    ck_assert_uint_eq(dispatch_pool_size(rig.d), 2);
    /* a dedicated VP asking for thread 0 preempts the shared VP there */
    dispatch_remove_lpar(rig.d, 2, NULL);
    const uint32_t t0 = 0;
    ck_assert_int_eq(add_dedicated(rig.d, "lpar.d3", 1, &t0), 3);
    ck_assert_int_eq(dispatch_vp_thread(vp_of(3, 0)), 0);
    ck_assert_uint_eq(dispatch_vp_counters(vp_of(0, 0)).preemptions, 1);
    kernel_run_until(rig.k, 5 * SIM_MS + 10 * US);
    ck_assert_int_eq(dispatch_vp_thread(vp_of(0, 0)), 1); /* it moved to thread 1 */
    static const char *const want[] = {
        "0us D0@0", "1000us D1@1", "5000us U1@1", "5000us U0@0", "5000us D1@0",
        "5000us D0@1",
    };
    expect_log(&ev, want, 6);
}
END_TEST

START_TEST(vp_ids_come_from_the_capacity_and_are_reused)
{
    rig_open(1, 8);
    rig.dc.vp_capacity = 4;
    rig_dispatch();
    ck_assert_uint_eq(dispatch_vp_capacity(rig.d), 4);
    struct dispatch_lpar_config two = uncapped(2, 0.4), one = uncapped(1, 0.2);
    ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.a", &two, NULL, NULL, &rig.err), 0);
    ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.b", &one, NULL, NULL, &rig.err), 1);
    start(rig.d);
    ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.c", &two, NULL, NULL, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "only 1 of"), "%s", rig.err.msg);
    ck_assert_uint_eq(dispatch_vp_id(vp_of(1, 0)), 2);
    ck_assert_int_eq(dispatch_remove_lpar(rig.d, 0, NULL), 0);
    ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.c", &two, NULL, NULL, &rig.err), 2);
    ck_assert_uint_eq(dispatch_vp_id(vp_of(2, 0)), 0);
    ck_assert_uint_eq(dispatch_vp_id(vp_of(2, 1)), 1);
    ck_assert_ptr_eq(dispatch_vp_at(rig.d, 1), vp_of(2, 1));
    ck_assert_ptr_null(dispatch_lpar_vp(rig.d, 0, 0));
    ck_assert_ptr_null(dispatch_vp_at(rig.d, 3));
    ck_assert_ptr_null(dispatch_vp_at(rig.d, 4));
    ck_assert_uint_eq(dispatch_vp_count(rig.d), 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dispatch_runtime");
    TCase *t = tcase_create("runtime");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_add_test(t, an_uncapped_lpar_removed_and_readded_mid_run_loses_no_work);
    tcase_add_test(t, a_removed_lpar_without_saved_work_drops_it_and_a_late_prod_finds_nobody);
    tcase_add_test(t, run_time_vps_take_free_threads_or_fail);
    tcase_add_test(t, vp_ids_come_from_the_capacity_and_are_reused);
    suite_add_tcase(s, t);
    return run_suite(s);
}
