/* tests/unit/test_dispatch.c — the hypervisor's VP dispatcher
 * (models/hypervisor/dispatch.h) and hypervisor-call costs
 * (models/hypervisor/hcall.h).
 *
 * The acceptance effect: moving a VP from dedicated to the shared pool
 * raises interrupt latency by the dispatch delay. An interrupt arriving
 * while its VP is undispatched waits for the next dispatch, so for a VP
 * dispatched e x W out of every W and uniformly random arrivals the mean
 * added latency is E[wait] = (1 - e)^2 W / 2; the simulated mean must be
 * within 2% of it. Also: a dedicated VP runs work at once; listeners hear
 * every dispatch and undispatch, in order; entitlement is respected over
 * many windows; a job cut by undispatch resumes where it stopped; bad
 * configurations are refused with a message; hcall costs and counters. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hypervisor/dispatch.h"
#include "models/hypervisor/hcall.h"
#include "models/intc/xive_router.h"
#include "sim/rng.h"

#define W (10 * SIM_MS)

/* ---- rig ---------------------------------------------------------------- */

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct cpu *cpu;
    struct dispatch *d;
    struct diag err;
} rig;

static void rig_close(void)
{
    dispatch_destroy(rig.d);
    cpu_destroy(rig.cpu);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    memset(&rig, 0, sizeof rig);
}

/* A processor of cores x tpc threads at 1 GHz (1 cycle = 1 ns) with the
 * default interrupt costs (900 cycles), and a dispatcher with window W. */
static struct dispatch *rig_open(uint32_t cores, uint32_t tpc)
{
    rig_close();
    rig.k = kernel_create(KERNEL_NATIVE, 1024);
    ck_assert_ptr_nonnull(rig.k);
    rig.rec = recorder_create(0);
    env_init(&rig.env, rig.k, rig.rec, 1, 0, 1000 * SIM_S, 0, 0);
    struct cpu_config cc;
    cpu_config_init(&cc, NULL, NULL);
    cc.cores = cores;
    cc.threads_per_core = tpc;
    cc.frequency_hz = 1000000000u;
    rig.cpu = cpu_create(&rig.env, "s0.cpu", &cc);
    ck_assert_ptr_nonnull(rig.cpu);
    struct dispatch_config dc;
    dispatch_config_init(&dc, NULL);
    ck_assert_uint_eq(dc.window_ps, W); /* the default is PowerVM's 10 ms */
    rig.d = dispatch_create(&rig.env, "s0.hyp", rig.cpu, &dc);
    ck_assert_ptr_nonnull(rig.d);
    return rig.d;
}

static int add_lpar(const char *path, enum dispatch_mode mode, uint32_t vps, double ent,
                    const uint32_t *threads)
{
    struct dispatch_lpar_config c = { mode, vps, ent };
    return dispatch_add_lpar(rig.d, path, &c, threads, &rig.err);
}

static void start(void)
{
    ck_assert_msg(dispatch_start(rig.d, &rig.err) == 0, "%s", rig.err.msg);
}

/* ---- completion log ----------------------------------------------------- */

struct done_log {
    uint64_t arg[16];
    sim_time_t t[16];
    size_t n;
};

static void log_done(void *ctx, uint64_t arg)
{
    struct done_log *l = ctx;
    if (l->n < 16) {
        l->arg[l->n] = arg;
        l->t[l->n] = kernel_now(rig.k);
    }
    l->n++;
}

START_TEST(defaults_and_a_dedicated_vp_runs_work_at_once)
{
    struct dispatch_lpar_config lc;
    dispatch_lpar_config_init(&lc, NULL, NULL);
    ck_assert_int_eq(lc.mode, DISPATCH_DEDICATED);
    ck_assert_uint_eq(lc.vps, 1);
    ck_assert(lc.entitlement == 1.0);

    rig_open(1, 2);
    ck_assert_int_eq(add_lpar("lpar.a", DISPATCH_DEDICATED, 1, 1, NULL), 0);
    start();
    struct dispatch_vp *vp = dispatch_lpar_vp(rig.d, 0, 0);
    ck_assert(dispatch_is_dispatched(vp));
    ck_assert_int_eq(dispatch_vp_thread(vp), 0);
    ck_assert_uint_eq(dispatch_vp_slice(vp), W);
    struct done_log log = { 0 };
    kernel_run_until(rig.k, 5 * SIM_US + 7);
    ck_assert_int_eq(dispatch_submit_irq(vp, 100, log_done, &log, 1), 0);
    kernel_run_until(rig.k, 3 * W);
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.t[0], 5 * SIM_US + 7 + 1000 * SIM_NS); /* 900 + 100 cycles */
    ck_assert(dispatch_is_dispatched(vp));
    ck_assert_double_eq_tol(dispatch_vp_dispatched_fraction(vp), 1.0, 1e-12);
    ck_assert_uint_eq(dispatch_vp_dispatches(vp), 1);
    const struct statistic *w = recorder_find_statistic(rig.rec, "lpar.a.vp0", "dispatch_wait");
    ck_assert_uint_eq(statistic_count(w), 1);
    ck_assert_double_eq(statistic_max(w), 0);
}
END_TEST

/* ---- the acceptance effect ---------------------------------------------- */

struct arrivals {
    struct dispatch_vp *vp;
    double sum_latency_ns;
    uint64_t done;
};

static void irq_done(void *ctx, uint64_t t_arrival)
{
    struct arrivals *a = ctx;
    a->sum_latency_ns += sim_time_to_ns(kernel_now(rig.k) - t_arrival);
    a->done++;
}

static void irq_arrives(void *ctx, uint64_t arg)
{
    struct arrivals *a = ctx;
    (void)arg;
    dispatch_submit_irq(a->vp, 0, irq_done, a, kernel_now(rig.k));
}

/* Mean interrupt latency (ns) of `n` interrupts at uniformly random times
 * over `windows` windows, to VP 0 of LPAR `lpar`. */
static double mean_latency(unsigned lpar, unsigned n, unsigned windows, const char *stream)
{
    struct arrivals a = { dispatch_lpar_vp(rig.d, lpar, 0), 0, 0 };
    struct rng r;
    rng_seed(&r, 42, stream);
    sim_time_t span = (sim_time_t)windows * W;
    for (unsigned i = 0; i < n; i++)
        kernel_schedule_at(rig.k, (sim_time_t)(rng_uniform(&r) * (double)span), irq_arrives,
                           &a, 0);
    kernel_run_until(rig.k, span + W);
    ck_assert_uint_eq(a.done, n);
    return a.sum_latency_ns / n;
}

/* N arrivals over WINDOWS windows: 4 per window, so interrupts rarely
 * queue behind each other (which would add to the measured latency), and
 * the standard error of the mean is at most 0.4% (e = 0.8: the relative
 * standard deviation of the wait is sqrt(4 / (3 (1 - e)) - 1) = 2.4). */
#define N 400000u
#define WINDOWS 100000u

/* Thread 0 dedicated (LPAR 0); a pool of two threads with a 0.7 LPAR
 * first, so the VP under test (LPAR 2, share e) starts at 7 ms, and for
 * e >= 0.5 wraps onto the second thread (one contiguous slice across the
 * window edge). */
static void open_pool(double e)
{
    rig_open(1, 3);
    add_lpar("lpar.ded", DISPATCH_DEDICATED, 1, 1, NULL);
    add_lpar("lpar.other", DISPATCH_SHARED, 1, 0.7, NULL);
    ck_assert_int_eq(add_lpar("lpar.x", DISPATCH_SHARED, 1, e, NULL), 2);
    start();
}

START_TEST(shared_pool_adds_the_expected_dispatch_wait)
{
    const double shares[] = { 0.2, 0.5, 0.8 };
    const double irq_ns = 900; /* default entry + exit at 1 GHz, handler 0 */
    for (size_t i = 0; i < 3; i++) {
        double e = shares[i];
        open_pool(e);
        ck_assert_uint_eq(dispatch_vp_slice(dispatch_lpar_vp(rig.d, 2, 0)),
                          (sim_time_t)llround(e * (double)W));
        char stream[16];
        snprintf(stream, sizeof stream, "arr%zu", i);
        double shared = mean_latency(2, N, WINDOWS, stream) - irq_ns;
        double expect = (1 - e) * (1 - e) * (double)W / SIM_NS / 2;
        ck_assert_msg(fabs(shared - expect) / expect < 0.02,
                      "e = %g: mean added latency %.0f ns, analytic %.0f ns", e, shared, expect);
        /* The dispatcher's own statistic says the same. */
        const struct statistic *w =
            recorder_find_statistic(rig.rec, "lpar.x.vp0", "dispatch_wait");
        ck_assert_uint_eq(statistic_count(w), N);
        ck_assert_msg(fabs(statistic_mean(w) - expect) / expect < 0.02, "e = %g: stat %.0f",
                      e, statistic_mean(w));

        /* The same arrivals to the dedicated VP wait for nothing. */
        open_pool(e);
        double dedicated = mean_latency(0, N, WINDOWS, stream) - irq_ns;
        ck_assert_msg(dedicated < 5, "dedicated: %.1f ns added", dedicated);
    }
}
END_TEST

/* ---- listeners ----------------------------------------------------------- */

struct event_log {
    char text[64][24];
    size_t n;
    int tag;
};

static void log_event(struct event_log *l, char what, const struct dispatch_vp *vp,
                      uint32_t thread)
{
    if (l->n < 64)
        snprintf(l->text[l->n], sizeof l->text[0], "%d %llums %c%u@%u", l->tag,
                 (unsigned long long)(kernel_now(rig.k) / SIM_MS), what,
                 dispatch_vp_id(vp), thread);
    l->n++;
}

/* The state is already visible to a listener. With tags, each call flips
 * the tag between 1 and 2, so two listeners sharing the log show which
 * of them was called first. */
static void on_dispatched(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    struct event_log *l = ctx;
    ck_assert_int_eq(dispatch_vp_thread(vp), thread);
    log_event(l, 'D', vp, thread);
    l->tag = l->tag ? 3 - l->tag : 0;
}

static void on_undispatched(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    struct event_log *l = ctx;
    ck_assert(!dispatch_is_dispatched(vp));
    log_event(l, 'U', vp, thread);
    l->tag = l->tag ? 3 - l->tag : 0;
}

START_TEST(listeners_hear_every_dispatch_in_order)
{
    rig_open(1, 3);
    struct event_log log = { .tag = 0 };
    struct dispatch_listener a = { on_dispatched, on_undispatched, &log };
    ck_assert_int_eq(dispatch_add_listener(rig.d, &a), 0);
    add_lpar("lpar.ded", DISPATCH_DEDICATED, 1, 1, NULL); /* VP 0 on thread 0 */
    /* Pool = threads 1, 2. Slices of 6 ms: A [0,6) on 1; B [6,10) on 1
     * then [0,2) on 2; C [2,8) on 2. */
    add_lpar("lpar.a", DISPATCH_SHARED, 1, 0.6, NULL); /* VP 1 */
    add_lpar("lpar.b", DISPATCH_SHARED, 1, 0.6, NULL); /* VP 2 */
    add_lpar("lpar.c", DISPATCH_SHARED, 1, 0.6, NULL); /* VP 3 */
    start();
    ck_assert_int_eq(dispatch_add_listener(rig.d, &a), -1); /* too late */
    kernel_run_until(rig.k, 2 * W + 2 * SIM_MS);
    static const char *const want[] = {
        "0 0ms D0@0", "0 0ms D1@1", "0 0ms D2@2",                /* start */
        "0 2ms U2@2", "0 2ms D3@2",
        "0 6ms U1@1", "0 6ms D2@1",
        "0 8ms U3@2",
        "0 10ms U2@1", "0 10ms D1@1", "0 10ms D2@2",            /* wrap: U before D */
        "0 12ms U2@2", "0 12ms D3@2",
        "0 16ms U1@1", "0 16ms D2@1",
        "0 18ms U3@2",
        "0 20ms U2@1", "0 20ms D1@1", "0 20ms D2@2",
        "0 22ms U2@2", "0 22ms D3@2",
    };
    size_t nwant = sizeof want / sizeof want[0];
    ck_assert_uint_eq(log.n, nwant);
    for (size_t i = 0; i < nwant; i++)
        ck_assert_str_eq(log.text[i], want[i]);
}
END_TEST

START_TEST(several_listeners_are_called_in_registration_order)
{
    rig_open(1, 1);
    struct event_log log = { .tag = 1 };
    struct dispatch_listener l = { on_dispatched, on_undispatched, &log };
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(dispatch_add_listener(rig.d, &l), 0);
    add_lpar("lpar.a", DISPATCH_SHARED, 1, 0.5, NULL);
    add_lpar("lpar.b", DISPATCH_SHARED, 1, 0.5, NULL);
    start();
    kernel_run_until(rig.k, W);
    /* Tags alternate 1, 2: both listeners, first-registered first, for
     * each event; events in time order, undispatch before dispatch. */
    static const char *const want[] = {
        "1 0ms D0@0", "2 0ms D0@0", "1 5ms U0@0", "2 5ms U0@0", "1 5ms D1@0", "2 5ms D1@0",
        "1 10ms U1@0", "2 10ms U1@0", "1 10ms D0@0", "2 10ms D0@0",
    };
    ck_assert_uint_eq(log.n, 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_str_eq(log.text[i], want[i]);
}
END_TEST

/* ---- entitlement --------------------------------------------------------- */

/* Independent bookkeeping from listener calls: dispatched time per VP,
 * and the invariant that no thread holds two VPs and no VP two threads. */
struct occupancy {
    int64_t thread_vp[8];
    int64_t vp_thread[16];
    sim_time_t since[16], total[16];
    unsigned violations;
};

static void occ_dispatched(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    struct occupancy *o = ctx;
    uint32_t id = dispatch_vp_id(vp);
    o->violations += o->thread_vp[thread] != -1 || o->vp_thread[id] != -1;
    o->thread_vp[thread] = id;
    o->vp_thread[id] = thread;
    o->since[id] = kernel_now(rig.k);
}

static void occ_undispatched(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    struct occupancy *o = ctx;
    uint32_t id = dispatch_vp_id(vp);
    o->violations += o->thread_vp[thread] != id || o->vp_thread[id] != thread;
    o->thread_vp[thread] = -1;
    o->vp_thread[id] = -1;
    o->total[id] += kernel_now(rig.k) - o->since[id];
}

START_TEST(entitlement_is_respected_over_many_windows)
{
    rig_open(2, 3); /* 6 threads: 1 dedicated, pool of 5 */
    struct occupancy o;
    memset(&o, 0, sizeof o);
    memset(o.thread_vp, -1, sizeof o.thread_vp);
    memset(o.vp_thread, -1, sizeof o.vp_thread);
    struct dispatch_listener l = { occ_dispatched, occ_undispatched, &o };
    dispatch_add_listener(rig.d, &l);
    const uint32_t ded_thread = 4;
    add_lpar("lpar.d", DISPATCH_DEDICATED, 1, 1, &ded_thread);
    add_lpar("lpar.a", DISPATCH_SHARED, 1, 0.35, NULL);
    add_lpar("lpar.b", DISPATCH_SHARED, 2, 1.3, NULL);     /* 0.65 per VP */
    add_lpar("lpar.c", DISPATCH_SHARED, 4, 1.0, NULL);     /* 0.25 per VP */
    add_lpar("lpar.e", DISPATCH_SHARED, 3, 2.0 / 3, NULL); /* 2/9: rounded slices */
    /* A full-window VP that wraps from one pool thread to the next: it
     * leaves the second thread at the instant it arrives on the first. */
    add_lpar("lpar.f", DISPATCH_SHARED, 1, 1.0, NULL);     /* total 4.3167 */
    start();
    ck_assert_int_eq(dispatch_vp_thread(dispatch_vp_at(rig.d, 0)), 4);
    const double share[12] = { 1, 0.35, 0.65, 0.65, 0.25, 0.25, 0.25, 0.25,
                               2.0 / 9, 2.0 / 9, 2.0 / 9, 1.0 };
    ck_assert_uint_eq(dispatch_vp_count(rig.d), 12);
    const unsigned windows = 1000;
    kernel_run_until(rig.k, windows * W + 3 * SIM_MS);
    sim_time_t now = kernel_now(rig.k);
    ck_assert_uint_eq(o.violations, 0);
    for (uint32_t id = 0; id < 12; id++) {
        struct dispatch_vp *vp = dispatch_vp_at(rig.d, id);
        sim_time_t t = o.total[id] + (o.vp_thread[id] != -1 ? now - o.since[id] : 0);
        double by_listener = (double)t / (double)now;
        double by_model = dispatch_vp_dispatched_fraction(vp);
        ck_assert_msg(fabs(by_listener - share[id]) / share[id] < 1e-3,
                      "VP %u: dispatched %.6f of the time, share %.6f", id, by_listener,
                      share[id]);
        ck_assert_double_eq_tol(by_model, by_listener, 1e-9);
        ck_assert_msg(llabs((long long)dispatch_vp_slice(vp) -
                            llround(share[id] * (double)W)) <= 1,
                      "VP %u slice %llu", id, (unsigned long long)dispatch_vp_slice(vp));
    }
    env_finish(&rig.env);
    double v;
    ck_assert(recorder_scalar_get(rig.rec, "lpar.b.vp1", "dispatched_fraction", &v));
    ck_assert_double_eq_tol(v, 0.65, 1e-3);
}
END_TEST

/* ---- work across undispatch ---------------------------------------------- */

struct submit_at {
    struct dispatch_vp *vp;
    struct done_log *log;
    uint64_t cycles;
    bool irq;
};

static void submit_now(void *ctx, uint64_t arg)
{
    struct submit_at *s = ctx;
    if (s->irq)
        dispatch_submit_irq(s->vp, s->cycles, log_done, s->log, arg);
    else
        dispatch_submit(s->vp, s->cycles, log_done, s->log, arg);
}

START_TEST(work_waits_for_dispatch_and_resumes_where_it_stopped)
{
    rig_open(1, 1);
    add_lpar("lpar.a", DISPATCH_SHARED, 1, 0.5, NULL); /* [0, 5 ms) */
    add_lpar("lpar.b", DISPATCH_SHARED, 1, 0.5, NULL); /* [5, 10 ms) */
    start();
    struct dispatch_vp *a = dispatch_lpar_vp(rig.d, 0, 0);
    struct done_log log = { 0 };
    /* Timeline (1 cycle = 1 ns; A runs [0,5), [10,15), [20,25) ms):
     * 1 at 0: exactly fills A's slice, completes at 5 ms (not a window
     *   later, although the undispatch at 5 ms comes first);
     * 2 at 14 ms, 2 ms of work: runs 14-15, is cut, resumes at 20;
     * 3 at 16 ms and the interrupt 4 at 17 ms wait for 20 ms. */
    struct submit_at full = { a, &log, 5 * 1000 * 1000, false };
    struct submit_at t2ms = { a, &log, 2 * 1000 * 1000, false };
    struct submit_at small = { a, &log, 1000, false };
    struct submit_at irq = { a, &log, 100, true };
    kernel_schedule_at(rig.k, 0, submit_now, &full, 1);          /* 0 -> 5 ms */
    kernel_schedule_at(rig.k, 14 * SIM_MS, submit_now, &t2ms, 2); /* runs 14-15, 20-21 */
    kernel_schedule_at(rig.k, 16 * SIM_MS, submit_now, &small, 3);/* waits for 20 ms */
    kernel_schedule_at(rig.k, 17 * SIM_MS, submit_now, &irq, 4);  /* waits; first at 20 */
    kernel_run_until(rig.k, 18 * SIM_MS);
    ck_assert_uint_eq(dispatch_vp_backlog(a), 3);
    ck_assert(!dispatch_is_dispatched(a));
    ck_assert_int_eq(dispatch_vp_thread(a), -1);
    kernel_run_until(rig.k, 4 * W);
    ck_assert_uint_eq(log.n, 4);
    /* At 20 ms: the interrupt (1000 cycles) first, then the cut task's
     * remaining 1 ms, then the small task. */
    const uint64_t want_arg[] = { 1, 4, 2, 3 };
    const sim_time_t want_t[] = { 5 * SIM_MS, 20 * SIM_MS + SIM_US,
                                  21 * SIM_MS + SIM_US, 21 * SIM_MS + 2 * SIM_US };
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(log.arg[i], want_arg[i]);
        ck_assert_uint_eq(log.t[i], want_t[i]);
    }
    ck_assert_uint_eq(dispatch_vp_backlog(a), 0);
    ck_assert_uint_eq(cpu_thread_counters(rig.cpu, 0).preempted, 1);
    /* Dispatch waits: 0 (1, 2 arrive while dispatched), 4 ms (3), 3 ms (4). */
    const struct statistic *w = recorder_find_statistic(rig.rec, "lpar.a.vp0", "dispatch_wait");
    ck_assert_uint_eq(statistic_count(w), 4);
    ck_assert_double_eq_tol(statistic_mean(w), (4e6 + 3e6) / 4, 1e-6);
}
END_TEST

/* A listener that redelivers an interrupt when VP 0 is dispatched, as the
 * XIVE wiring will for a VP's NVT backlog. */
struct redeliver {
    struct done_log *log;
    unsigned calls;
};

static void redeliver_on_dispatch(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    struct redeliver *r = ctx;
    (void)thread;
    if (dispatch_vp_id(vp) == 0 && r->calls++ == 1) /* the second dispatch */
        dispatch_submit_irq((struct dispatch_vp *)vp, 0, log_done, r->log, 9);
}

START_TEST(an_interrupt_redelivered_at_dispatch_goes_before_the_backlog_tasks)
{
    rig_open(1, 1);
    struct done_log log = { 0 };
    struct redeliver r = { &log, 0 };
    struct dispatch_listener l = { redeliver_on_dispatch, NULL, &r };
    dispatch_add_listener(rig.d, &l);
    add_lpar("lpar.a", DISPATCH_SHARED, 1, 0.5, NULL);
    add_lpar("lpar.b", DISPATCH_SHARED, 1, 0.5, NULL);
    start();
    struct submit_at task = { dispatch_lpar_vp(rig.d, 0, 0), &log, 1000, false };
    kernel_schedule_at(rig.k, 6 * SIM_MS, submit_now, &task, 1);
    kernel_run_until(rig.k, 2 * W);
    ck_assert_uint_eq(log.n, 2);
    ck_assert_uint_eq(log.arg[0], 9);
    ck_assert_uint_eq(log.t[0], W + 900 * SIM_NS);
    ck_assert_uint_eq(log.arg[1], 1);
    ck_assert_uint_eq(log.t[1], W + 1900 * SIM_NS);
}
END_TEST

/* ---- configuration errors ----------------------------------------------- */

START_TEST(bad_configurations_are_refused_with_a_message)
{
    rig_open(1, 2);
    ck_assert_int_eq(add_lpar("lpar.big", DISPATCH_SHARED, 1, 1.5, NULL), -1);
    ck_assert_msg(strstr(rig.err.msg, "lpar.big") && strstr(rig.err.msg, "1.5"), "%s",
                  rig.err.msg);
    ck_assert_int_eq(add_lpar("lpar.tiny", DISPATCH_SHARED, 4, 0.1, NULL), -1); /* 0.025 */
    ck_assert_int_eq(add_lpar("lpar.none", DISPATCH_SHARED, 0, 1, NULL), -1);
    ck_assert_int_eq(add_lpar("lpar.ok", DISPATCH_SHARED, 4, 0.2, NULL), 0);   /* 0.05 */

    rig_open(1, 2);
    const uint32_t t5 = 5;
    add_lpar("lpar.x", DISPATCH_DEDICATED, 1, 1, &t5);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "out of range"), "%s", rig.err.msg);

    rig_open(1, 2);
    const uint32_t t1 = 1;
    add_lpar("lpar.x", DISPATCH_DEDICATED, 1, 1, &t1);
    add_lpar("lpar.y", DISPATCH_DEDICATED, 1, 1, &t1);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "already taken"), "%s", rig.err.msg);

    rig_open(1, 2);
    add_lpar("lpar.x", DISPATCH_DEDICATED, 3, 1, NULL);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "no free hardware thread"), "%s", rig.err.msg);

    rig_open(1, 2);
    add_lpar("lpar.x", DISPATCH_DEDICATED, 1, 1, NULL);
    add_lpar("lpar.y", DISPATCH_SHARED, 1, 0.5, NULL); /* pool = 1 thread */
    add_lpar("lpar.z", DISPATCH_SHARED, 1, 0.6, NULL);
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_msg(strstr(rig.err.msg, "1.1") && strstr(rig.err.msg, "1 threads"), "%s",
                  rig.err.msg);

    rig_open(1, 2);
    start();
    ck_assert_int_eq(dispatch_start(rig.d, &rig.err), -1);
    ck_assert_int_eq(add_lpar("lpar.late", DISPATCH_DEDICATED, 1, 1, NULL), -1);
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

static Suite *dispatch_suite(void)
{
    Suite *s = suite_create("dispatch");
    TCase *t = tcase_create("dispatch");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, defaults_and_a_dedicated_vp_runs_work_at_once);
    tcase_add_test(t, shared_pool_adds_the_expected_dispatch_wait);
    tcase_add_test(t, listeners_hear_every_dispatch_in_order);
    tcase_add_test(t, several_listeners_are_called_in_registration_order);
    tcase_add_test(t, entitlement_is_respected_over_many_windows);
    tcase_add_test(t, work_waits_for_dispatch_and_resumes_where_it_stopped);
    tcase_add_test(t, an_interrupt_redelivered_at_dispatch_goes_before_the_backlog_tasks);
    tcase_add_test(t, bad_configurations_are_refused_with_a_message);
    tcase_add_test(t, hcall_costs_batches_and_counters);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dispatch_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
