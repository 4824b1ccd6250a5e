/* tests/unit/dispatch_rig.h — the rig the dispatcher's unit tests share
 * (test_dispatch.c, test_dispatch_pool.c, test_dispatch_runtime.c): a
 * kernel, recorder and env per test, a processor at 1 GHz (1 cycle =
 * 1 ns) with the default interrupt costs (entry + exit = 900 cycles), the
 * default hypervisor-call costs (H_CEDE 3000 cycles, H_PROD 2000), and one
 * or two dispatchers; completion logs, VPs kept busy ("spinners"), and a
 * listener log. Header-only (static): each test file is built alone.
 *
 * With the defaults at 1 GHz: switch_in = switch_out = 3 us, escalation
 * 2 us, cede exit 10 us, H_CEDE 3 us, snooze 100 us. */
#ifndef LPARSIM_TESTS_UNIT_DISPATCH_RIG_H
#define LPARSIM_TESTS_UNIT_DISPATCH_RIG_H

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
#define US SIM_US
#define IRQ_NS 900 /* interrupt entry + exit at 1 GHz */

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct cpu *cpu, *cpu2;
    struct hcall *hcall;
    struct dispatch *d, *d2;
    struct dispatch_config dc;
    struct diag err;
} rig;

static inline void rig_close(void)
{
    dispatch_destroy(rig.d);
    dispatch_destroy(rig.d2);
    hcall_destroy(rig.hcall);
    cpu_destroy(rig.cpu);
    cpu_destroy(rig.cpu2);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    memset(&rig, 0, sizeof rig);
}

static inline struct cpu *rig_cpu(const char *path, uint32_t cores, uint32_t tpc)
{
    struct cpu_config cc;
    cpu_config_init(&cc, NULL, NULL);
    cc.cores = cores;
    cc.threads_per_core = tpc;
    cc.frequency_hz = 1000000000u;
    struct cpu *c = cpu_create(&rig.env, path, &cc);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* Kernel, processor of cores x tpc threads and the hcall account; the
 * dispatcher's configuration in rig.dc (defaults) for the test to adjust
 * before rig_dispatch. */
static inline void rig_open(uint32_t cores, uint32_t tpc)
{
    rig_close();
    rig.k = kernel_create(KERNEL_NATIVE, 1024);
    ck_assert_ptr_nonnull(rig.k);
    rig.rec = recorder_create(0);
    env_init(&rig.env, rig.k, rig.rec, 1, 0, 10000 * SIM_S, 0, 0);
    rig.cpu = rig_cpu("s0.cpu", cores, tpc);
    struct hcall_config hc;
    hcall_config_init(&hc, NULL);
    rig.hcall = hcall_create(&rig.env, "s0.hcall", &hc);
    dispatch_config_init(&rig.dc, NULL);
}

static inline struct dispatch *rig_dispatch(void)
{
    rig.d = dispatch_create(&rig.env, "s0.hyp", rig.cpu, &rig.dc);
    ck_assert_ptr_nonnull(rig.d);
    dispatch_set_hcall(rig.d, rig.hcall);
    return rig.d;
}

static inline struct dispatch_lpar_config lpar_cfg(enum dispatch_mode mode, uint32_t vps,
                                                    double ent)
{
    struct dispatch_lpar_config c;
    dispatch_lpar_config_init(&c, NULL, NULL);
    c.mode = mode;
    c.vps = vps;
    c.entitlement = ent;
    return c;
}

static inline int add_shared(struct dispatch *d, const char *path, uint32_t vps, double ent,
                      enum dispatch_sharing sharing, unsigned weight)
{
    struct dispatch_lpar_config c = lpar_cfg(DISPATCH_SHARED, vps, ent);
    c.sharing = sharing;
    c.weight = weight;
    return dispatch_add_lpar(d, path, &c, NULL, NULL, &rig.err);
}

static inline int add_dedicated(struct dispatch *d, const char *path, uint32_t vps,
                         const uint32_t *threads)
{
    struct dispatch_lpar_config c = lpar_cfg(DISPATCH_DEDICATED, vps, 1);
    return dispatch_add_lpar(d, path, &c, threads, NULL, &rig.err);
}

static inline void start(struct dispatch *d)
{
    ck_assert_msg(dispatch_start(d, &rig.err) == 0, "%s", rig.err.msg);
}

static inline struct dispatch_vp *vp_of(unsigned lpar, uint32_t i)
{
    struct dispatch_vp *vp = dispatch_lpar_vp(rig.d, lpar, i);
    ck_assert_ptr_nonnull(vp);
    return vp;
}

/* ---- completion log ------------------------------------------------------ */

#define LOG_N 64

struct done_log {
    uint64_t arg[LOG_N];
    sim_time_t t[LOG_N];
    size_t n;
};

static inline void log_done(void *ctx, uint64_t arg)
{
    struct done_log *l = ctx;
    if (l->n < LOG_N) {
        l->arg[l->n] = arg;
        l->t[l->n] = kernel_now(rig.k);
    }
    l->n++;
}

/* Work scheduled for later: a task or an interrupt (with an escalation,
 * as the XIVE controller gives it to a VP that is not on a thread). */
struct submit_at {
    struct dispatch_vp *vp;
    struct done_log *log;
    uint64_t cycles;
    bool irq;
};

static inline void submit_now(void *ctx, uint64_t arg)
{
    struct submit_at *s = ctx;
    if (s->irq) {
        ck_assert_int_eq(dispatch_submit_irq(s->vp, s->cycles, log_done, s->log, arg), 0);
        if (!dispatch_is_dispatched(s->vp))
            dispatch_escalate(s->vp);
    } else {
        ck_assert_int_eq(dispatch_submit(s->vp, s->cycles, log_done, s->log, arg), 0);
    }
}

static inline void submit_at(sim_time_t t, struct submit_at *s, uint64_t arg)
{
    kernel_schedule_at(rig.k, t, submit_now, s, arg);
}

/* ---- spinners: a VP always runnable, jobs of `cycles` back to back ------- */

struct spinner {
    struct dispatch_vp *vp;
    uint64_t cycles;
    uint64_t done;
};

static inline void spin_next(void *ctx, uint64_t arg)
{
    struct spinner *s = ctx;
    (void)arg;
    s->done++;
    ck_assert_int_eq(dispatch_submit(s->vp, s->cycles, spin_next, s, 0), 0);
}

static inline void spin(struct spinner *s, struct dispatch_vp *vp, uint64_t cycles)
{
    *s = (struct spinner){ vp, cycles, 0 };
    ck_assert_int_eq(dispatch_submit(vp, cycles, spin_next, s, 0), 0);
}

/* ---- listener log -------------------------------------------------------- */

struct event_log {
    char text[LOG_N][32];
    size_t n;
};

static inline void log_event(struct event_log *l, char what, const struct dispatch_vp *vp,
                      uint32_t thread)
{
    if (l->n < LOG_N)
        snprintf(l->text[l->n], sizeof l->text[0], "%lluus %c%u@%u",
                 (unsigned long long)(kernel_now(rig.k) / SIM_US), what, dispatch_vp_id(vp),
                 thread);
    l->n++;
}

static inline void on_dispatched(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    ck_assert_int_eq(dispatch_vp_thread(vp), thread);
    log_event(ctx, 'D', vp, thread);
}

static inline void on_undispatched(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    ck_assert(!dispatch_is_dispatched(vp));
    log_event(ctx, 'U', vp, thread);
}

/* Logs rig.d's dispatches and undispatches into ev. */
static inline void listen(struct event_log *ev)
{
    struct dispatch_listener l = { on_dispatched, on_undispatched, ev };
    ck_assert_int_eq(dispatch_add_listener(rig.d, &l), 0);
}

static inline void expect_log(const struct event_log *l, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n && i < l->n; i++)
        ck_assert_msg(strcmp(l->text[i], want[i]) == 0, "event %zu: got '%s', want '%s'", i,
                      l->text[i], want[i]);
    ck_assert_uint_eq(l->n, n);
}

static inline double scalar(const char *component, const char *name)
{
    double v = NAN;
    ck_assert_msg(recorder_scalar_get(rig.rec, component, name, &v), "%s %s", component, name);
    return v;
}

static inline int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
