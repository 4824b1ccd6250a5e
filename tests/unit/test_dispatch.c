/* tests/unit/test_dispatch.c — a VP's life on the dispatcher
 * (models/hypervisor/dispatch.h) and hypervisor-call costs
 * (models/hypervisor/hcall.h).
 *
 * Exact timings, from the parameters (dispatch_rig.h: 1 GHz, so 1 cycle =
 * 1 ns): a dedicated VP runs work at once while snoozing, when its H_CEDE
 * call returns if the work came during it, after the cede exit latency
 * once ceded; a ceded shared VP starts the handler of an escalated
 * interrupt after exactly escalation + cede exit + switch-in, a task
 * after cede exit + switch-in, and the next VP on a thread waits for the
 * previous one's switch-out; an idle VP cedes snooze + H_CEDE after its
 * last job. Listeners hear every dispatch and undispatch; bad
 * configurations are refused; hcall costs and counters. */
#include "dispatch_rig.h"

START_TEST(defaults_come_from_the_sources)
{
    struct dispatch_config dc;
    dispatch_config_init(&dc, NULL);
    ck_assert_uint_eq(dc.window_ps, W);            /* PowerVM's 10 ms */
    ck_assert_uint_eq(dc.cede_exit_ps, 10 * US);   /* cpuidle-pseries CEDE exit_latency */
    ck_assert_int_eq(dc.granularity, DISPATCH_THREAD);
    ck_assert_uint_eq(dc.switch_in, 3000);
    ck_assert_uint_eq(dc.switch_out, 3000);
    ck_assert_uint_eq(dc.escalation, 2000);
    ck_assert_uint_eq(dc.excess_slice_ps, SIM_MS);
    ck_assert_uint_eq(dc.vp_capacity, DISPATCH_VP_CAPACITY_DEFAULT);
    struct dispatch_lpar_config lc;
    dispatch_lpar_config_init(&lc, NULL, NULL);
    ck_assert_int_eq(lc.mode, DISPATCH_DEDICATED);
    ck_assert_uint_eq(lc.vps, 1);
    ck_assert(lc.entitlement == 1.0);
    ck_assert_int_eq(lc.sharing, DISPATCH_UNCAPPED);   /* HMC default */
    ck_assert_uint_eq(lc.weight, 128);                 /* HMC default */
    ck_assert_uint_eq(lc.snooze_ps, 100 * US);         /* CEDE target_residency */
}
END_TEST

static void prod_event(void *ctx, uint64_t arg)
{
    struct dispatch_vp **v = ctx;
    ck_assert_int_eq(dispatch_prod(v[0], arg ? v[1] : NULL), 0);
}

/* Snooze 100 us, H_CEDE 3 us, cede exit 10 us. */
START_TEST(a_dedicated_vp_snoozes_cedes_and_pays_the_exit_latency)
{
    rig_open(1, 2);
    rig_dispatch();
    ck_assert_int_eq(add_dedicated(rig.d, "lpar.a", 1, NULL), 0);
    start(rig.d);
    struct dispatch_vp *vp = vp_of(0, 0);
    struct done_log log = { 0 };
    struct submit_at task = { vp, &log, 1000, false }, irq = { vp, &log, 100, true };
    submit_at(50 * US, &task, 1);  /* snoozing since 0: runs at once, done 51 */
    submit_at(152 * US, &task, 2); /* in H_CEDE (151-154): runs at 154 */
    submit_at(355 * US, &irq, 3);  /* ceded at 258: 10 us exit, then 1 us */
    struct dispatch_vp *pv[2] = { vp, NULL };
    kernel_schedule_at(rig.k, 1000 * US, prod_event, pv, 0); /* ceded at 469 */
    kernel_run_until(rig.k, 1112 * US);
    ck_assert(!dispatch_vp_ceded(vp)); /* idle from 1010, in H_CEDE until 1113 */
    kernel_run_until(rig.k, 1113 * US);
    ck_assert(dispatch_vp_ceded(vp));
    ck_assert_uint_eq(log.n, 3);
    const sim_time_t want[] = { 51 * US, 155 * US, 366 * US };
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(log.t[i], want[i]);
    struct dispatch_vp_counters n = dispatch_vp_counters(vp);
    ck_assert_uint_eq(n.cedes, 3); /* 2 woken + the current one */
    ck_assert_uint_eq(n.wakeups[DISPATCH_WAKE_INTERRUPT], 1);
    ck_assert_uint_eq(n.wakeups[DISPATCH_WAKE_PROD], 1);
    ck_assert_uint_eq(n.wakeups[DISPATCH_WAKE_TIMER], 0);
    ck_assert_uint_eq(hcall_counters(rig.hcall, HCALL_CEDE)->calls, 3);
    ck_assert(dispatch_is_dispatched(vp)); /* a dedicated VP keeps its thread */
    ck_assert_double_eq_tol(dispatch_vp_dispatched_fraction(vp), 1.0, 1e-12);
    const struct statistic *w = recorder_find_statistic(rig.rec, "lpar.a.vp0", "dispatch_wait");
    ck_assert_uint_eq(statistic_count(w), 3);
    ck_assert_double_eq_tol(statistic_mean(w), (0 + 2e3 + 10e3) / 3, 1e-6);

    /* A longer snooze: the same work 200 us after the last job still finds
     * it polling. */
    rig_open(1, 2);
    rig_dispatch();
    struct dispatch_lpar_config c = lpar_cfg(DISPATCH_DEDICATED, 1, 1);
    c.snooze_ps = 250 * US;
    ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.a", &c, NULL, NULL, &rig.err), 0);
    start(rig.d);
    struct done_log log2 = { 0 };
    struct submit_at t2 = { vp_of(0, 0), &log2, 1000, false };
    submit_at(200 * US, &t2, 1);
    kernel_run_until(rig.k, SIM_MS);
    ck_assert_uint_eq(log2.t[0], 201 * US);
    ck_assert_uint_eq(dispatch_vp_counters(vp_of(0, 0)).cedes, 1); /* ceded at 451 */
}
END_TEST

/* B dedicated (thread 0), A shared (pool: thread 1), ceded from the start. */
START_TEST(a_ceded_shared_vp_wakes_by_escalation_timer_and_prod_at_exact_costs)
{
    rig_open(1, 2);
    rig_dispatch();
    struct event_log ev = { 0 };
    listen(&ev);
    ck_assert_int_eq(add_dedicated(rig.d, "lpar.b", 1, NULL), 0);
    ck_assert_int_eq(add_shared(rig.d, "lpar.a", 1, 0.5, DISPATCH_UNCAPPED, 128), 1);
    start(rig.d);
    struct dispatch_vp *a = vp_of(1, 0), *b = vp_of(0, 0);
    ck_assert(dispatch_vp_ceded(a));
    struct done_log log = { 0 };
    struct submit_at irq = { a, &log, 100, true }, task = { a, &log, 1000, false };
    /* escalation 2 + cede exit 10 + switch-in 3 us, then the interrupt's
     * 1000 cycles; idle: snooze 100 + H_CEDE 3 us, then off */
    submit_at(1000 * US, &irq, 1);
    submit_at(2000 * US, &task, 2); /* timer: cede exit + switch-in */
    struct dispatch_vp *pv[2] = { a, b };
    kernel_schedule_at(rig.k, 3000 * US, prod_event, pv, 0); /* H_PROD by the hypervisor */
    /* H_PROD by B: B is ceded, so its call waits for B's wake-up (10 us),
     * takes 2 us, then A wakes */
    kernel_schedule_at(rig.k, 4000 * US, prod_event, pv, 1);
    kernel_run_until(rig.k, 5 * SIM_MS);
    static const char *const want[] = {
        "0us D0@0",
        "1002us D1@1", "1119us U1@1",
        "2000us D1@1", "2117us U1@1",
        "3000us D1@1", "3116us U1@1",
        "4012us D1@1", "4128us U1@1",
    };
    expect_log(&ev, want, sizeof want / sizeof want[0]);
    ck_assert_uint_eq(log.n, 2);
    ck_assert_uint_eq(log.t[0], 1016 * US);
    ck_assert_uint_eq(log.t[1], 2014 * US);
    struct dispatch_vp_counters n = dispatch_vp_counters(a);
    ck_assert_uint_eq(n.wakeups[DISPATCH_WAKE_ESCALATION], 1);
    ck_assert_uint_eq(n.wakeups[DISPATCH_WAKE_TIMER], 1);
    ck_assert_uint_eq(n.wakeups[DISPATCH_WAKE_PROD], 2);
    ck_assert_uint_eq(n.cedes, 4);
    ck_assert_uint_eq(n.dispatches, 4);
    ck_assert_uint_eq(dispatch_vp_counters(b).wakeups[DISPATCH_WAKE_TIMER], 1);
    ck_assert_uint_eq(hcall_counters(rig.hcall, HCALL_PROD)->calls, 1);
    ck_assert(dispatch_vp_ceded(a));
    /* An escalation for a VP that is not ceded does nothing. */
    dispatch_escalate(b);
    ck_assert_uint_eq(dispatch_vp_counters(b).wakeups[DISPATCH_WAKE_ESCALATION], 0);
}
END_TEST

/* The escalation cost is part of an escalated wake-up, a task's is not. */
START_TEST(the_escalation_cost_delays_only_escalated_wake_ups)
{
    const uint64_t esc[] = { 0, 5000 };
    for (int i = 0; i < 2; i++) {
        rig_open(1, 1);
        rig.dc.escalation = esc[i];
        rig_dispatch();
        add_shared(rig.d, "lpar.a", 1, 0.5, DISPATCH_UNCAPPED, 128);
        start(rig.d);
        struct done_log log = { 0 };
        struct submit_at irq = { vp_of(0, 0), &log, 100, true };
        struct submit_at task = { vp_of(0, 0), &log, 1000, false };
        submit_at(SIM_MS, &irq, 1);
        submit_at(2 * SIM_MS, &task, 2);
        kernel_run_until(rig.k, 3 * SIM_MS);
        ck_assert_uint_eq(log.t[0], SIM_MS + esc[i] * SIM_NS + 14 * US);
        ck_assert_uint_eq(log.t[1], 2 * SIM_MS + 14 * US);
    }
}
END_TEST

/* Without an escalation (XIVE's escalation off) an interrupt for a ceded
 * shared VP waits in its backlog until the next window boundary wakes it
 * (timer), then cede exit + switch-in. */
START_TEST(an_interrupt_without_escalation_waits_for_the_window_boundary)
{
    rig_open(1, 1);
    rig_dispatch();
    add_shared(rig.d, "lpar.a", 1, 0.5, DISPATCH_UNCAPPED, 128);
    start(rig.d);
    struct dispatch_vp *vp = vp_of(0, 0);
    struct done_log log = { 0 };
    kernel_run_until(rig.k, SIM_MS);
    ck_assert_int_eq(dispatch_submit_irq(vp, 100, log_done, &log, 1), 0);
    kernel_run_until(rig.k, W - 1);
    ck_assert_uint_eq(log.n, 0);
    ck_assert_uint_eq(dispatch_vp_backlog(vp), 1);
    kernel_run_until(rig.k, 2 * W);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.t[0], W + 14 * US);
    ck_assert_uint_eq(dispatch_vp_counters(vp).wakeups[DISPATCH_WAKE_TIMER], 1);
}
END_TEST

/* One pool thread, A and B shared. A runs 10 us of work from 0 (ceded:
 * starts at 13 us), cedes at 126 us; its switch-out holds the thread
 * until 126 + switch_out. B's task at 127 us waits for it, then pays its
 * switch-in and cede exit. */
START_TEST(the_next_vp_on_a_thread_waits_for_the_last_ones_switch_out)
{
    const uint64_t switch_out[] = { 3000, 20000 };
    const sim_time_t b_done[] = { 143 * US, 160 * US }; /* max(127, 126 + out) + 3 + 10 + 1 */
    for (int i = 0; i < 2; i++) {
        rig_open(1, 1);
        rig.dc.switch_out = switch_out[i];
        rig_dispatch();
        struct event_log ev = { 0 };
        listen(&ev);
        add_shared(rig.d, "lpar.a", 1, 0.5, DISPATCH_UNCAPPED, 128);
        add_shared(rig.d, "lpar.b", 1, 0.5, DISPATCH_UNCAPPED, 128);
        start(rig.d);
        struct done_log log = { 0 };
        struct submit_at ta = { vp_of(0, 0), &log, 10000, false };
        struct submit_at tb = { vp_of(1, 0), &log, 1000, false };
        submit_at(0, &ta, 1);
        submit_at(127 * US, &tb, 2);
        kernel_run_until(rig.k, SIM_MS);
        static const char *const want[] = { "0us D0@0", "126us U0@0", "127us D1@0",
                                            "246us U1@0" };
        if (i == 0)
            expect_log(&ev, want, 4);
        ck_assert_uint_eq(log.n, 2);
        ck_assert_uint_eq(log.t[0], 23 * US);
        ck_assert_uint_eq(log.t[1], b_done[i]);
    }
    /* switch_in and cede_exit move the start of work by their value */
    rig_open(1, 1);
    rig.dc.switch_in = 7000;
    rig.dc.cede_exit_ps = 4 * US;
    rig_dispatch();
    add_shared(rig.d, "lpar.a", 1, 0.5, DISPATCH_UNCAPPED, 128);
    start(rig.d);
    struct done_log log = { 0 };
    struct submit_at ta = { vp_of(0, 0), &log, 1000, false };
    submit_at(0, &ta, 1);
    kernel_run_until(rig.k, SIM_MS);
    ck_assert_uint_eq(log.t[0], 12 * US); /* 7 + 4 + 1 */
}
END_TEST

/* A shared VP's last job ends at 14 us (woken: 13 us, then 1 us); it
 * leaves its thread snooze + 3 us (H_CEDE) later. */
START_TEST(snooze_sets_when_an_idle_vp_cedes)
{
    const sim_time_t snooze[] = { 0, 100 * US, 250 * US };
    for (int i = 0; i < 3; i++) {
        rig_open(1, 1);
        rig_dispatch();
        struct event_log ev = { 0 };
        listen(&ev);
        struct dispatch_lpar_config c = lpar_cfg(DISPATCH_SHARED, 1, 0.5);
        c.snooze_ps = snooze[i];
        ck_assert_int_eq(dispatch_add_lpar(rig.d, "lpar.a", &c, NULL, NULL, &rig.err), 0);
        start(rig.d);
        struct done_log log = { 0 };
        struct submit_at t = { vp_of(0, 0), &log, 1000, false };
        submit_at(0, &t, 1);
        kernel_run_until(rig.k, SIM_MS);
        char want[32];
        snprintf(want, sizeof want, "%lluus U0@0",
                 (unsigned long long)((14 * US + snooze[i] + 3 * US) / US));
        ck_assert_uint_eq(ev.n, 2);
        ck_assert_str_eq(ev.text[1], want);
        /* work during the snooze runs at once, without a wake-up */
        struct submit_at t2 = { vp_of(0, 0), &log, 1000, false };
        if (snooze[i] > 0) {
            submit_at(SIM_MS, &t2, 2);
            kernel_run_until(rig.k, 2 * SIM_MS);
            ck_assert_uint_eq(log.t[1], SIM_MS + 14 * US); /* woken again: ceded */
        }
    }
}
END_TEST

START_TEST(several_listeners_are_called_in_registration_order)
{
    rig_open(1, 1);
    rig_dispatch();
    struct event_log a = { 0 }, b = { 0 };
    struct dispatch_listener la = { on_dispatched, on_undispatched, &a };
    struct dispatch_listener lb = { on_dispatched, NULL, &b };
    ck_assert_int_eq(dispatch_add_listener(rig.d, &la), 0);
    ck_assert_int_eq(dispatch_add_listener(rig.d, &lb), 0);
    add_shared(rig.d, "lpar.a", 1, 0.5, DISPATCH_UNCAPPED, 128);
    start(rig.d);
    ck_assert_int_eq(dispatch_add_listener(rig.d, &la), -1); /* too late */
    struct done_log log = { 0 };
    struct submit_at t = { vp_of(0, 0), &log, 1000, false };
    submit_at(0, &t, 1);
    kernel_run_until(rig.k, SIM_MS);
    static const char *const want_a[] = { "0us D0@0", "117us U0@0" };
    static const char *const want_b[] = { "0us D0@0" };
    expect_log(&a, want_a, 2);
    expect_log(&b, want_b, 1);
}
END_TEST

/* A listener that redelivers an interrupt when the VP is dispatched, as
 * the XIVE wiring does for its NVT backlog: it joins the backlog's
 * interrupts, ahead of its tasks. */
static struct done_log redelivered;

static void redeliver_on_dispatch(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    (void)ctx;
    (void)thread;
    dispatch_submit_irq((struct dispatch_vp *)vp, 0, log_done, &redelivered, 9);
}

START_TEST(an_interrupt_redelivered_at_dispatch_goes_before_the_backlog_tasks)
{
    rig_open(1, 1);
    rig_dispatch();
    memset(&redelivered, 0, sizeof redelivered);
    struct dispatch_listener l = { redeliver_on_dispatch, NULL, NULL };
    dispatch_add_listener(rig.d, &l);
    add_shared(rig.d, "lpar.a", 1, 0.5, DISPATCH_UNCAPPED, 128);
    start(rig.d);
    struct submit_at t = { vp_of(0, 0), &redelivered, 1000, false };
    submit_at(SIM_MS, &t, 1);
    kernel_run_until(rig.k, 2 * SIM_MS);
    ck_assert_uint_eq(redelivered.n, 2);
    ck_assert_uint_eq(redelivered.arg[0], 9);
    ck_assert_uint_eq(redelivered.t[0], SIM_MS + 13 * US + 900 * SIM_NS);
    ck_assert_uint_eq(redelivered.arg[1], 1);
    ck_assert_uint_eq(redelivered.t[1], SIM_MS + 13 * US + 1900 * SIM_NS);
}
END_TEST

START_TEST(bad_configurations_are_refused_with_a_message)
{
    rig_open(1, 2);
    rig.dc.vp_capacity = 6;
    rig_dispatch();
    ck_assert_int_eq(add_shared(rig.d, "lpar.big", 1, 1.5, DISPATCH_UNCAPPED, 128), -1);
    ck_assert_msg(strstr(rig.err.msg, "lpar.big") && strstr(rig.err.msg, "1.5"), "%s",
                  rig.err.msg);
    ck_assert_int_eq(add_shared(rig.d, "lpar.tiny", 4, 0.1, DISPATCH_UNCAPPED, 128), -1);
    ck_assert_int_eq(add_shared(rig.d, "lpar.none", 0, 1, DISPATCH_UNCAPPED, 128), -1);
    ck_assert_int_eq(add_shared(rig.d, "lpar.heavy", 1, 0.5, DISPATCH_UNCAPPED, 256), -1);
    ck_assert_msg(strstr(rig.err.msg, "256"), "%s", rig.err.msg);
    ck_assert_int_eq(add_shared(rig.d, "lpar.ok", 4, 0.2, DISPATCH_UNCAPPED, 255), 0);
    ck_assert_int_eq(add_shared(rig.d, "lpar.ids", 3, 0.3, DISPATCH_UNCAPPED, 128), -1);
    ck_assert_msg(strstr(rig.err.msg, "only 2 of s0.hyp's 6 VP ids"), "%s", rig.err.msg);

    rig_open(1, 2);
    rig_dispatch();
    const uint32_t t5 = 5;
    add_dedicated(rig.d, "lpar.x", 1, &t5);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "out of range"), "%s", rig.err.msg);

    rig_open(1, 2);
    rig_dispatch();
    const uint32_t t1 = 1;
    add_dedicated(rig.d, "lpar.x", 1, &t1);
    add_dedicated(rig.d, "lpar.y", 1, &t1);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "already taken"), "%s", rig.err.msg);

    rig_open(1, 2);
    rig_dispatch();
    add_dedicated(rig.d, "lpar.x", 3, NULL);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "no free hardware thread"), "%s", rig.err.msg);

    rig_open(1, 2);
    rig_dispatch();
    add_dedicated(rig.d, "lpar.x", 1, NULL);
    add_shared(rig.d, "lpar.y", 1, 0.5, DISPATCH_UNCAPPED, 128); /* pool = 1 thread */
    add_shared(rig.d, "lpar.z", 1, 0.6, DISPATCH_UNCAPPED, 128);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "1.1") && strstr(rig.err.msg, "1 threads"), "%s",
                  rig.err.msg);

    /* Core granularity: the pool is counted in cores. */
    rig_open(2, 2);
    rig.dc.granularity = DISPATCH_CORE;
    rig_dispatch();
    add_dedicated(rig.d, "lpar.x", 1, NULL); /* takes core 0 */
    add_shared(rig.d, "lpar.y", 2, 1.5, DISPATCH_UNCAPPED, 128);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "1.5") && strstr(rig.err.msg, "1 cores"), "%s",
                  rig.err.msg);

    rig_open(1, 2);
    rig_dispatch();
    start(rig.d);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "twice"), "%s", rig.err.msg);

    rig.dc.window_ps = 0;
    ck_assert_ptr_null(dispatch_create(&rig.env, "s1.hyp", rig.cpu, &rig.dc));
}
END_TEST

/* ---- hypervisor calls --------------------------------------------------- */

START_TEST(hcall_costs_batches_and_counters)
{
    rig_open(1, 1);
    struct hcall_config hc;
    hcall_config_init(&hc, NULL);
    ck_assert_uint_eq(hc.tces_per_call, 512);
    ck_assert_uint_eq(hc.call_cycles[HCALL_PUT_TCE], 2000);
    struct hcall *h = hcall_create(&rig.env, "s0.hyp", &hc);
    ck_assert_ptr_nonnull(h);

    /* Single-entry kinds: count = calls. */
    ck_assert_uint_eq(hcall_cycles(h, HCALL_PUT_TCE, 3), 6000);
    ck_assert_uint_eq(hcall_cycles(h, HCALL_VIOCTL, 1), 380000);
    /* Batched kinds: calls of at most 512 TCEs, plus a cost per TCE. */
    ck_assert_uint_eq(hcall_calls(h, HCALL_PUT_TCE_INDIRECT, 512), 1);
    ck_assert_uint_eq(hcall_calls(h, HCALL_PUT_TCE_INDIRECT, 513), 2);
    ck_assert_uint_eq(hcall_calls(h, HCALL_STUFF_TCE, 0), 0);
    ck_assert_uint_eq(hcall_cycles(h, HCALL_PUT_TCE_INDIRECT, 1000), 2 * 2500 + 1000 * 150);
    ck_assert_uint_eq(hcall_cycles(h, HCALL_STUFF_TCE, 1024), 2 * 2000 + 1024 * 40);
    /* Batching is what makes mapping 512 pages cheap. */
    ck_assert_uint_lt(hcall_cycles(h, HCALL_PUT_TCE_INDIRECT, 512) * 5,
                      hcall_cycles(h, HCALL_PUT_TCE, 512));

    /* Charging converts with the caller's frequency (1 GHz here). */
    ck_assert_uint_eq(hcall_cost_ps(h, rig.cpu, HCALL_PUT_TCE_INDIRECT, 1000), 155000 * SIM_NS);
    ck_assert_uint_eq(hcall_cost_ps(h, rig.cpu, HCALL_PUT_TCE, 2), 4000 * SIM_NS);
    ck_assert_uint_eq(hcall_cost_ps(h, rig.cpu, HCALL_PUT_TCE, 1), 2000 * SIM_NS);
    const struct hcall_counters *n = hcall_counters(h, HCALL_PUT_TCE_INDIRECT);
    ck_assert_uint_eq(n->calls, 2);
    ck_assert_uint_eq(n->entries, 1000);
    ck_assert_uint_eq(n->cycles, 155000);
    ck_assert_uint_eq(hcall_counters(h, HCALL_PUT_TCE)->calls, 3);
    ck_assert_uint_eq(hcall_counters(h, HCALL_VIOCTL)->calls, 0); /* hcall_cycles is pure */
    ck_assert_str_eq(hcall_name(HCALL_INT_SET_SOURCE_CONFIG), "H_INT_SET_SOURCE_CONFIG");

    env_finish(&rig.env);
    double v;
    ck_assert(recorder_scalar_get(rig.rec, "s0.hyp.H_PUT_TCE", "calls", &v));
    ck_assert_double_eq(v, 3);
    ck_assert(!recorder_scalar_get(rig.rec, "s0.hyp.H_VIOCTL", "calls", &v));
    hcall_destroy(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dispatch");
    TCase *t = tcase_create("dispatch");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, defaults_come_from_the_sources);
    tcase_add_test(t, a_dedicated_vp_snoozes_cedes_and_pays_the_exit_latency);
    tcase_add_test(t, a_ceded_shared_vp_wakes_by_escalation_timer_and_prod_at_exact_costs);
    tcase_add_test(t, the_escalation_cost_delays_only_escalated_wake_ups);
    tcase_add_test(t, an_interrupt_without_escalation_waits_for_the_window_boundary);
    tcase_add_test(t, the_next_vp_on_a_thread_waits_for_the_last_ones_switch_out);
    tcase_add_test(t, snooze_sets_when_an_idle_vp_cedes);
    tcase_add_test(t, several_listeners_are_called_in_registration_order);
    tcase_add_test(t, an_interrupt_redelivered_at_dispatch_goes_before_the_backlog_tasks);
    tcase_add_test(t, bad_configurations_are_refused_with_a_message);
    tcase_add_test(t, hcall_costs_batches_and_counters);
    suite_add_tcase(s, t);
    return run_suite(s);
}
