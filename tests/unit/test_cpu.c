/* tests/unit/test_cpu.c — the processor model (models/cpu/cpu.h): cycle
 * to ps conversion (exact, one rounding per job), FIFO order and
 * utilisation on a thread, interrupts overtaking queued tasks but not the
 * running one, interrupt cost = entry + handler + exit, per-thread
 * counters and their scalars, SMT slowdown, taking a running job off a
 * thread and resuming it, and the job pool (no allocation per job).
 *
 * Every test builds kernel + recorder + env + cpu through rig_open; the
 * teardown frees them even when an assertion fails (CK_FORK=no). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/cpu/cpu.h"

/* ---- rig ---------------------------------------------------------------- */

struct done_log {
    uint64_t arg[64];
    sim_time_t t[64];
    size_t n;
};

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct cpu *cpu;
    struct done_log log;
} rig;

static void rig_close(void)
{
    cpu_destroy(rig.cpu);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    memset(&rig, 0, sizeof rig);
}

static struct cpu_config cfg_of(uint32_t cores, uint32_t tpc, uint64_t hz)
{
    struct cpu_config c;
    cpu_config_init(&c, NULL, NULL);
    c.cores = cores;
    c.threads_per_core = tpc;
    c.frequency_hz = hz;
    return c;
}

static struct cpu *rig_open(const struct cpu_config *c)
{
    rig_close();
    rig.k = kernel_create(KERNEL_NATIVE, 1024);
    ck_assert_ptr_nonnull(rig.k);
    rig.rec = recorder_create(0);
    env_init(&rig.env, rig.k, rig.rec, 1, 0, SIM_S, 0, 0);
    rig.cpu = cpu_create(&rig.env, "s0.cpu", c);
    ck_assert_ptr_nonnull(rig.cpu);
    return rig.cpu;
}

/* Completion callback: logs (arg, time). */
static void log_done(void *ctx, uint64_t arg)
{
    struct done_log *l = ctx;
    ck_assert_uint_lt(l->n, 64);
    l->arg[l->n] = arg;
    l->t[l->n++] = kernel_now(rig.k);
}

static void run_to(sim_time_t t)
{
    kernel_run_until(rig.k, t);
}

/* ---- configuration and conversion --------------------------------------- */

START_TEST(defaults_come_from_the_descriptors)
{
    struct cpu_config c;
    cpu_config_init(&c, NULL, NULL);
    ck_assert_uint_eq(c.cores, 12);
    ck_assert_uint_eq(c.threads_per_core, 8);
    ck_assert_uint_eq(c.frequency_hz, 3800000000u); /* parsed 3.8GHz, rounded to Hz */
    ck_assert_uint_eq(c.irq_entry, 500);
    ck_assert_uint_eq(c.irq_exit, 400);
    ck_assert(c.smt_slowdown == 1.0);
    ck_assert(!c.thread_series);
    struct cpu *cpu = rig_open(&c);
    ck_assert_uint_eq(cpu_threads(cpu), 96);
    ck_assert_uint_eq(cpu_irq_cycles(cpu, 0), 900);
    /* Invalid configurations are refused. */
    struct cpu_config bad = cfg_of(1, 1, 0);
    ck_assert_ptr_null(cpu_create(&rig.env, "x", &bad));
    bad = cfg_of(0, 1, 1000000000);
    ck_assert_ptr_null(cpu_create(&rig.env, "x", &bad));
    bad = cfg_of(1, 1, 1000000000);
    bad.smt_slowdown = 0.5;
    ck_assert_ptr_null(cpu_create(&rig.env, "x", &bad));
}
END_TEST

/* Expected values: round(cycles x 1e12 / f) computed independently
 * (Python integer arithmetic). */
static const struct {
    uint64_t hz, cycles;
    sim_time_t ps;
} conv[] = {
    { 1000000000u, 1, 1000 },
    { 4000000000u, 1, 250 },
    { 3800000000u, 19, 5000 },
    { 3800000000u, 1, 263 },            /* 263.16 */
    { 3800000000u, 4, 1053 },           /* 1052.63: not 4 x 263 */
    { 3200000000u, 1, 313 },            /* 312.5: halves round up */
    { 3000000000u, 3, 1000 },
    { 3000000000u, 2, 667 },
    { 2900000000u, 7, 2414 },
    { 4200000000u, 1000003, 238095952 },
    { 3800000000u, 123456789012345u, 32488628687459211u }, /* needs 128 bits */
    { 3800000000u, (uint64_t)3800000000u * 86400u, 86400 * SIM_S },  /* one day, exact */
};

START_TEST(cycles_to_ps_is_exact_at_several_frequencies)
{
    for (size_t i = 0; i < sizeof conv / sizeof conv[0]; i++) {
        struct cpu_config c = cfg_of(1, 1, conv[i].hz);
        struct cpu *cpu = rig_open(&c);
        ck_assert_msg(cpu_cycles_to_ps(cpu, conv[i].cycles) == conv[i].ps,
                      "%llu cycles at %llu Hz: %llu ps, want %llu",
                      (unsigned long long)conv[i].cycles, (unsigned long long)conv[i].hz,
                      (unsigned long long)cpu_cycles_to_ps(cpu, conv[i].cycles),
                      (unsigned long long)conv[i].ps);
    }
}
END_TEST

/* An interrupt's entry + handler + exit are summed, then converted once:
 * 2 + 1 + 1 cycles at 3.8 GHz = 1053 ps, where converting each part
 * would give 526 + 263 + 263 = 1052. */
START_TEST(a_job_is_rounded_once)
{
    struct cpu_config c = cfg_of(1, 1, 3800000000u);
    c.irq_entry = 2;
    c.irq_exit = 1;
    struct cpu *cpu = rig_open(&c);
    ck_assert_int_eq(cpu_submit_irq(cpu, 0, 1, log_done, &rig.log, 7), 0);
    run_to(SIM_US);
    ck_assert_uint_eq(rig.log.n, 1);
    ck_assert_uint_eq(rig.log.t[0], 1053);
}
END_TEST

/* ---- execution order ---------------------------------------------------- */

START_TEST(tasks_run_in_fifo_order_and_utilisation_is_busy_time)
{
    struct cpu_config c = cfg_of(1, 2, 1000000000u); /* 1 cycle = 1 ns */
    struct cpu *cpu = rig_open(&c);
    ck_assert_int_eq(cpu_submit_task(cpu, 0, 1000, log_done, &rig.log, 1), 0);
    ck_assert_int_eq(cpu_submit_task(cpu, 0, 2000, log_done, &rig.log, 2), 0);
    ck_assert_int_eq(cpu_submit_task(cpu, 0, 500, log_done, &rig.log, 3), 0);
    ck_assert_uint_eq(cpu_thread_counters(cpu, 0).queued, 2);
    ck_assert(cpu_thread_counters(cpu, 0).busy);
    run_to(7000 * SIM_NS);
    ck_assert_uint_eq(rig.log.n, 3);
    const uint64_t want_arg[] = { 1, 2, 3 };
    const sim_time_t want_t[] = { 1000 * SIM_NS, 3000 * SIM_NS, 3500 * SIM_NS };
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(rig.log.arg[i], want_arg[i]);
        ck_assert_uint_eq(rig.log.t[i], want_t[i]);
    }
    ck_assert_double_eq_tol(cpu_thread_utilisation(cpu, 0), 0.5, 1e-12);
    ck_assert_double_eq_tol(cpu_thread_utilisation(cpu, 1), 0.0, 1e-12);
    ck_assert_uint_eq(cpu_thread_counters(cpu, 0).tasks, 3);
    ck_assert(!cpu_thread_counters(cpu, 0).busy);
}
END_TEST

struct late_irq {
    struct cpu *cpu;
    uint64_t handler;
};

static void submit_irq_now(void *ctx, uint64_t arg)
{
    struct late_irq *l = ctx;
    ck_assert_int_eq(cpu_submit_irq(l->cpu, 0, l->handler, log_done, &rig.log, arg), 0);
}

START_TEST(interrupts_overtake_queued_tasks_but_not_the_running_one)
{
    struct cpu_config c = cfg_of(1, 1, 1000000000u);
    c.irq_entry = 50;
    c.irq_exit = 50;
    struct cpu *cpu = rig_open(&c);
    cpu_submit_task(cpu, 0, 1000, log_done, &rig.log, 1);
    cpu_submit_task(cpu, 0, 1000, log_done, &rig.log, 2);
    struct late_irq li = { cpu, 100 };
    /* Two interrupts while task 1 runs: FIFO among themselves. */
    kernel_schedule_at(rig.k, 100 * SIM_NS, submit_irq_now, &li, 10);
    kernel_schedule_at(rig.k, 200 * SIM_NS, submit_irq_now, &li, 11);
    run_to(10 * SIM_US);
    ck_assert_uint_eq(rig.log.n, 4);
    const uint64_t want_arg[] = { 1, 10, 11, 2 };
    const sim_time_t want_t[] = { 1000 * SIM_NS, 1200 * SIM_NS, 1400 * SIM_NS, 2400 * SIM_NS };
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(rig.log.arg[i], want_arg[i]);
        ck_assert_uint_eq(rig.log.t[i], want_t[i]);
    }
    /* Waits: interrupts 900 and 1000 ns, task 2 1400 ns. */
    const struct statistic *w = recorder_find_statistic(rig.rec, "s0.cpu", "irq_wait");
    ck_assert_uint_eq(statistic_count(w), 2);
    ck_assert_double_eq_tol(statistic_mean(w), 950, 1e-9);
    const struct statistic *l = recorder_find_statistic(rig.rec, "s0.cpu", "irq_latency");
    ck_assert_double_eq_tol(statistic_mean(l), (1100 + 1200) / 2.0, 1e-9);
    w = recorder_find_statistic(rig.rec, "s0.cpu", "task_wait");
    ck_assert_double_eq_tol(statistic_max(w), 1400, 1e-9);
}
END_TEST

/* A task whose completion raises an interrupt on its own thread (the
 * callback runs at the instant the task ends): the interrupt is taken
 * before the task that was queued behind. */
static void raise_irq_on_done(void *ctx, uint64_t arg)
{
    log_done(&rig.log, arg);
    submit_irq_now(ctx, 20);
}

START_TEST(an_interrupt_raised_as_a_job_ends_goes_before_queued_tasks)
{
    struct cpu_config c = cfg_of(1, 1, 1000000000u);
    c.irq_entry = c.irq_exit = 0;
    struct cpu *cpu = rig_open(&c);
    struct late_irq li = { cpu, 10 };
    cpu_submit_task(cpu, 0, 100, raise_irq_on_done, &li, 1);
    cpu_submit_task(cpu, 0, 100, log_done, &rig.log, 2);
    run_to(SIM_US);
    ck_assert_uint_eq(rig.log.n, 3);
    ck_assert_uint_eq(rig.log.arg[1], 20);
    ck_assert_uint_eq(rig.log.t[1], 110 * SIM_NS);
    ck_assert_uint_eq(rig.log.arg[2], 2);
    ck_assert_uint_eq(rig.log.t[2], 210 * SIM_NS);
}
END_TEST

START_TEST(interrupt_cost_is_entry_plus_handler_plus_exit)
{
    struct cpu_config c = cfg_of(1, 1, 2000000000u); /* 0.5 ns per cycle */
    c.irq_entry = 300;
    c.irq_exit = 200;
    struct cpu *cpu = rig_open(&c);
    ck_assert_uint_eq(cpu_irq_cycles(cpu, 1000), 1500);
    cpu_submit_irq(cpu, 0, 1000, log_done, &rig.log, 1);
    run_to(SIM_US);
    ck_assert_uint_eq(rig.log.t[0], 750 * SIM_NS);
    /* A task of the same cycles costs only them. */
    cpu_submit_task(cpu, 0, 1000, log_done, &rig.log, 2);
    run_to(2 * SIM_US);
    ck_assert_uint_eq(rig.log.t[1], SIM_US + 500 * SIM_NS);
}
END_TEST

START_TEST(per_thread_counters_and_scalars)
{
    struct cpu_config c = cfg_of(2, 2, 1000000000u);
    struct cpu *cpu = rig_open(&c);
    for (int i = 0; i < 3; i++)
        cpu_submit_irq(cpu, 3, 100, NULL, NULL, 0);
    cpu_submit_task(cpu, 3, 100, NULL, NULL, 0);
    cpu_submit_task(cpu, 1, 250000, NULL, NULL, 0); /* 250 us */
    cpu_submit_irq(cpu, 1, 0, NULL, NULL, 0);
    run_to(SIM_MS);
    env_finish(&rig.env);
    struct cpu_thread_counters t3 = cpu_thread_counters(cpu, 3), t1 = cpu_thread_counters(cpu, 1);
    ck_assert_uint_eq(t3.interrupts, 3);
    ck_assert_uint_eq(t3.tasks, 1);
    ck_assert_uint_eq(t1.interrupts, 1);
    ck_assert_uint_eq(t1.tasks, 1);
    ck_assert_uint_eq(cpu_thread_counters(cpu, 0).interrupts, 0);
    double v;
    ck_assert(recorder_scalar_get(rig.rec, "s0.cpu.t3", "interrupts", &v));
    ck_assert_double_eq(v, 3);
    ck_assert(recorder_scalar_get(rig.rec, "s0.cpu.t3", "interrupt_rate", &v));
    ck_assert_double_eq_tol(v, 3000, 1e-6); /* 3 in 1 ms */
    ck_assert(recorder_scalar_get(rig.rec, "s0.cpu.t1", "utilisation", &v));
    ck_assert_double_eq_tol(v, (250000 + 900) / 1e6, 1e-12);
    ck_assert(recorder_scalar_get(rig.rec, "s0.cpu", "interrupts", &v));
    ck_assert_double_eq(v, 4);
    ck_assert(recorder_scalar_get(rig.rec, "s0.cpu", "utilisation", &v));
    ck_assert_double_eq_tol(v, (250000 + 900 + 3 * 1000 + 100) / 4e6, 1e-12);
}
END_TEST

/* ---- SMT ---------------------------------------------------------------- */

START_TEST(smt_slowdown_scales_with_busy_threads_at_start)
{
    struct cpu_config c = cfg_of(2, 4, 1000000000u);
    c.smt_slowdown = 4.0; /* 1 + 3 (busy - 1) / 3: 1, 2, 3, 4 */
    struct cpu *cpu = rig_open(&c);
    for (uint32_t t = 0; t < 4; t++)
        cpu_submit_task(cpu, t, 1000, log_done, &rig.log, t);
    cpu_submit_task(cpu, 4, 1000, log_done, &rig.log, 4); /* other core: alone */
    run_to(SIM_MS);
    ck_assert_uint_eq(rig.log.n, 5);
    sim_time_t want[5] = { 1000 * SIM_NS, 2000 * SIM_NS, 3000 * SIM_NS, 4000 * SIM_NS,
                           1000 * SIM_NS };
    for (size_t i = 0; i < rig.log.n; i++)
        ck_assert_uint_eq(rig.log.t[i], want[rig.log.arg[i]]);
    /* Off by default: the same load on an smt_slowdown 1 processor. */
    c.smt_slowdown = 1.0;
    cpu = rig_open(&c);
    for (uint32_t t = 0; t < 4; t++)
        cpu_submit_task(cpu, t, 1000, log_done, &rig.log, t);
    run_to(SIM_MS);
    for (size_t i = 0; i < rig.log.n; i++)
        ck_assert_uint_eq(rig.log.t[i], 1000 * SIM_NS);
}
END_TEST

/* ---- take / give (the dispatcher's primitives) -------------------------- */

static void take_now(void *ctx, uint64_t thread)
{
    cpu_thread_take(rig.cpu, (uint32_t)thread, ctx);
}

static void give_now(void *ctx, uint64_t arg)
{
    (void)arg;
    cpu_thread_give(rig.cpu, 0, ctx);
}

START_TEST(a_taken_job_keeps_its_remaining_cycles)
{
    struct cpu_config c = cfg_of(1, 1, 1000000000u);
    c.irq_entry = c.irq_exit = 0;
    struct cpu *cpu = rig_open(&c);
    struct cpu_jobq q;
    cpu_jobq_init(&q);
    cpu_submit_task(cpu, 0, 1000, log_done, &rig.log, 1);
    cpu_submit_task(cpu, 0, 100, log_done, &rig.log, 2);
    kernel_schedule_at(rig.k, 300 * SIM_NS + 500, take_now, &q, 0); /* 300.5 cycles in */
    kernel_schedule_at(rig.k, 400 * SIM_NS, submit_irq_now, &(struct late_irq){ cpu, 5 }, 3);
    kernel_schedule_at(rig.k, 1000 * SIM_NS, give_now, &q, 0);
    run_to(350 * SIM_NS);
    ck_assert(!cpu_thread_counters(cpu, 0).busy);
    ck_assert_uint_eq(q.n[CPU_TASK], 2);
    ck_assert_uint_eq(q.head[CPU_TASK]->cycles, 700); /* 300 whole cycles executed */
    ck_assert_uint_eq(cpu_thread_counters(cpu, 0).preempted, 1);
    run_to(SIM_US);
    /* The interrupt that arrived on the idle thread ran at once. */
    ck_assert_uint_eq(rig.log.n, 1);
    ck_assert_uint_eq(rig.log.arg[0], 3);
    run_to(10 * SIM_US);
    ck_assert_uint_eq(rig.log.n, 3);
    ck_assert_uint_eq(rig.log.arg[1], 1);
    ck_assert_uint_eq(rig.log.t[1], 1700 * SIM_NS);
    ck_assert_uint_eq(rig.log.arg[2], 2);
    ck_assert_uint_eq(rig.log.t[2], 1800 * SIM_NS);
    ck_assert(cpu_jobq_empty(&q));
}
END_TEST

START_TEST(a_job_due_when_taken_completes_instead)
{
    struct cpu_config c = cfg_of(1, 1, 1000000000u);
    struct cpu *cpu = rig_open(&c);
    struct cpu_jobq q;
    cpu_jobq_init(&q);
    /* The take is scheduled before the job's completion event, at the
     * same time: it must complete it, not park a zero-cycle remainder. */
    kernel_schedule_at(rig.k, 1000 * SIM_NS, take_now, &q, 0);
    cpu_submit_task(cpu, 0, 1000, log_done, &rig.log, 1);
    cpu_submit_task(cpu, 0, 10, log_done, &rig.log, 2);
    run_to(1000 * SIM_NS);
    ck_assert_uint_eq(rig.log.n, 1);
    ck_assert_uint_eq(rig.log.t[0], 1000 * SIM_NS);
    ck_assert_uint_eq(q.n[CPU_TASK], 1);
    ck_assert_uint_eq(q.head[CPU_TASK]->cycles, 10);
    ck_assert_uint_eq(cpu_thread_counters(cpu, 0).preempted, 0);
}
END_TEST

/* A delayed start (a VP's wake-up): the thread is busy for the delay, the
 * job's cycles follow, its wait counts the delay; taken during the delay
 * it keeps every cycle; the idle hook hears the thread run dry. */
static unsigned idle_calls;

static void count_idle(void *ctx, uint32_t thread)
{
    (void)ctx;
    (void)thread;
    idle_calls++;
}

START_TEST(a_delayed_job_starts_after_the_delay)
{
    struct cpu_config c = cfg_of(1, 2, 1000000000u);
    struct cpu *cpu = rig_open(&c);
    idle_calls = 0;
    cpu_set_idle_hook(cpu, count_idle, NULL);
    cpu_thread_notify_idle(cpu, 0, true);
    ck_assert(cpu_thread_idle(cpu, 0));
    cpu_thread_push_delayed(cpu, 0, cpu_job_new(cpu, CPU_TASK, 1000, log_done, &rig.log, 1),
                            10 * SIM_US);
    ck_assert(!cpu_thread_idle(cpu, 0));
    run_to(20 * SIM_US);
    ck_assert_uint_eq(rig.log.t[0], 11 * SIM_US);
    ck_assert_uint_eq(cpu_thread_idle_since(cpu, 0), 11 * SIM_US);
    ck_assert_uint_eq(idle_calls, 1);
    const struct statistic *w = recorder_find_statistic(rig.rec, "s0.cpu", "task_wait");
    ck_assert_double_eq_tol(statistic_mean(w), 10000, 1e-9);
    ck_assert_double_eq_tol(cpu_thread_utilisation(cpu, 0), 11.0 / 20, 1e-12);

    struct cpu_jobq q;
    cpu_jobq_init(&q);
    cpu_thread_push_delayed(cpu, 1, cpu_job_new(cpu, CPU_TASK, 1000, NULL, NULL, 2), 5 * SIM_US);
    kernel_schedule_at(rig.k, 22 * SIM_US, take_now, &q, 1);
    run_to(30 * SIM_US);
    ck_assert_uint_eq(q.head[CPU_TASK]->cycles, 1000);
    ck_assert_uint_eq(idle_calls, 1); /* thread 1: no notification, and a take is no run-dry */
}
END_TEST

/* ---- pool ---------------------------------------------------------------- */

struct chain {
    struct cpu *cpu;
    uint64_t left;
};

static void chain_next(void *ctx, uint64_t arg)
{
    struct chain *ch = ctx;
    if (ch->left == 0)
        return;
    ch->left--;
    cpu_submit_task(ch->cpu, (uint32_t)arg, 10, chain_next, ch, arg);
    cpu_submit_irq(ch->cpu, (uint32_t)arg, 10, NULL, NULL, 0);
}

START_TEST(jobs_come_from_a_pool_that_does_not_grow_per_job)
{
    struct cpu_config c = cfg_of(1, 4, 1000000000u);
    struct cpu *cpu = rig_open(&c);
    ck_assert_int_eq(cpu_reserve(cpu, 256), 0);
    uint64_t pooled = cpu_jobs_pooled(cpu);
    struct chain ch[4];
    for (uint32_t t = 0; t < 4; t++) {
        ch[t] = (struct chain){ cpu, 50000 };
        chain_next(&ch[t], t);
    }
    kernel_run(rig.k);
    ck_assert_uint_eq(cpu_thread_counters(cpu, 2).tasks, 50000);
    ck_assert_uint_eq(cpu_thread_counters(cpu, 2).interrupts, 50000);
    ck_assert_uint_eq(cpu_jobs_pooled(cpu), pooled);
    ck_assert_uint_eq(cpu_jobs_live(cpu), 0);
    /* A burst beyond the pool grows it once, in chunks. */
    for (int i = 0; i < 1000; i++)
        cpu_submit_task(cpu, 0, 1, NULL, NULL, 0);
    ck_assert_uint_ge(cpu_jobs_pooled(cpu), 1000);
    ck_assert_uint_eq(cpu_jobs_live(cpu), 1000);
    kernel_run(rig.k);
    ck_assert_uint_eq(cpu_jobs_live(cpu), 0);
}
END_TEST

static Suite *cpu_suite(void)
{
    Suite *s = suite_create("cpu");
    TCase *t = tcase_create("cpu");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_add_test(t, defaults_come_from_the_descriptors);
    tcase_add_test(t, cycles_to_ps_is_exact_at_several_frequencies);
    tcase_add_test(t, a_job_is_rounded_once);
    tcase_add_test(t, tasks_run_in_fifo_order_and_utilisation_is_busy_time);
    tcase_add_test(t, interrupts_overtake_queued_tasks_but_not_the_running_one);
    tcase_add_test(t, an_interrupt_raised_as_a_job_ends_goes_before_queued_tasks);
    tcase_add_test(t, interrupt_cost_is_entry_plus_handler_plus_exit);
    tcase_add_test(t, per_thread_counters_and_scalars);
    tcase_add_test(t, smt_slowdown_scales_with_busy_threads_at_start);
    tcase_add_test(t, a_taken_job_keeps_its_remaining_cycles);
    tcase_add_test(t, a_job_due_when_taken_completes_instead);
    tcase_add_test(t, a_delayed_job_starts_after_the_delay);
    tcase_add_test(t, jobs_come_from_a_pool_that_does_not_grow_per_job);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cpu_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
