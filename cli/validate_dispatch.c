/* cli/validate_dispatch.c — dispatcher rows of the validation table
 * (docs/validation.md "Dispatcher rows"). Component level: a processor at
 * the default 3.8 GHz and a dispatcher with the default costs, driven
 * directly (work and interrupts submitted as the driver and the XIVE
 * controller submit them), on the chosen kernel.
 *
 * Shares (dispatch-share). Six shared LPARs on a pool of 6 threads, five
 * kept busy (every VP always has work) and one (F) with a periodic
 * demand: uncapped weights 200, 100, 255 (one VP: it can use at most 1.0),
 * a capped LPAR, an uncapped one with weight 0, and F, uncapped weight 255
 * but needing only a 3 ms job every 10 ms plus its wake-up, snooze and
 * H_CEDE. Reference: weighted water-filling (validate_water_fill) of the
 * pool over each LPAR's entitlement, its VPs and its demand. switch_out is
 * 0 here so that no pool time is lost between VPs (a switch-out belongs
 * to no LPAR); switch_in is the VP's own time. 300 windows after 10.
 * PASS within 1%.
 *
 * Wake-up (dispatch-wake). A ceded shared VP gets an interrupt through an
 * escalation every 1-1.5 ms: the handler starts after exactly escalation
 * + cede exit + switch-in; a task (timer) after cede exit + switch-in; a
 * ceded dedicated VP's interrupt after the cede exit alone. Exact (every
 * wake-up, and the spread max - min is 0).
 *
 * Capped VP (dispatch-cap). One capped VP with share e = 0.3 of a
 * one-thread pool, kept busy by 20 us jobs, spends its budget from the
 * start of each window W (switch-in c first) and is preempted at e W. An
 * interrupt at a uniformly random time waits until the VP's next run,
 * (1 - e)^2 W / 2 on average; the reference adds the switch-in, (1 - e) c
 * + c^2 / 2W, and the job j running when it comes during the VP's run:
 * the rest of that job (uniform on [0, j]), or, when the job would not
 * end before the run does, the wait for the next run; integrated over
 * the run these add j / 2 - j^2 / 6W (docs/validation.md). 80000 interrupts over 10000 windows (then
 * one more for the last to be handled), 95%
 * interval from 20 batch means: PASS inside it, PASS* within 1%. Its time
 * on the thread is e exactly (1e-6). */
#include "cli/validate_dispatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/validate_tce.h"
#include "models/hypervisor/dispatch.h"
#include "models/hypervisor/hcall.h"
#include "sim/env.h"
#include "sim/rng.h"
#include "sim/stats.h"

#define SEED 1
#define BATCHES 20

/* ---- the closed form ------------------------------------------------------ */

static double fill_at(const struct wf_lpar *l, size_t n, double level, double *x)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double want = l[i].uncapped && l[i].weight > 0 ? l[i].entitlement + l[i].weight * level
                                                       : l[i].entitlement;
        double v = want < l[i].cap ? want : l[i].cap;
        if (x)
            x[i] = v;
        sum += v;
    }
    return sum;
}

void validate_water_fill(const struct wf_lpar *l, size_t n, double pool, double *x)
{
    double hi = 1;
    while (fill_at(l, n, hi, NULL) < pool && hi < 1e12)
        hi *= 2;
    double lo = 0;
    for (int i = 0; i < 200 && fill_at(l, n, hi, NULL) > pool; i++) {
        double mid = (lo + hi) / 2;
        if (fill_at(l, n, mid, NULL) > pool)
            hi = mid;
        else
            lo = mid;
    }
    fill_at(l, n, fill_at(l, n, hi, NULL) > pool ? lo : hi, x);
}

/* ---- one simulation ------------------------------------------------------- */

struct bench {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct cpu *cpu;
    struct hcall *hcall;
    struct dispatch *d;
};

static void bench_close(struct bench *b)
{
    dispatch_destroy(b->d);
    hcall_destroy(b->hcall);
    cpu_destroy(b->cpu);
    if (b->rec)
        env_release(&b->env);
    recorder_destroy(b->rec);
    if (b->k)
        kernel_destroy(b->k);
}

static int bench_open(struct bench *b, enum kernel_backend kb, uint32_t threads,
                      const struct dispatch_config *dc, sim_time_t warmup, sim_time_t duration)
{
    memset(b, 0, sizeof *b);
    b->k = kernel_create(kb, 1 << 16);
    b->rec = b->k ? recorder_create(0) : NULL;
    if (b->rec) {
        env_init(&b->env, b->k, b->rec, SEED, warmup, duration, 0, 0);
        struct cpu_config cc;
        cpu_config_init(&cc, NULL, NULL);
        cc.cores = 1;
        cc.threads_per_core = threads;
        struct hcall_config hc;
        hcall_config_init(&hc, NULL);
        b->cpu = cpu_create(&b->env, "s0.cpu", &cc);
        b->hcall = hcall_create(&b->env, "s0.hcall", &hc);
        b->d = b->cpu && b->hcall ? dispatch_create(&b->env, "s0.hyp", b->cpu, dc) : NULL;
    }
    if (b->d) {
        dispatch_set_hcall(b->d, b->hcall);
        return 0;
    }
    fprintf(stderr, "lparsim: validate: cannot create a %s kernel and dispatcher\n",
            kernel_backend_name(kb));
    bench_close(b);
    return -1;
}

static int bench_start(struct bench *b)
{
    struct diag err;
    if (dispatch_start(b->d, &err) == 0) {
        env_start(&b->env);
        return 0;
    }
    fprintf(stderr, "lparsim: validate: %s\n", err.msg);
    return -1;
}

static int add(struct bench *b, const char *path, enum dispatch_mode mode, uint32_t vps,
               double ent, enum dispatch_sharing sharing, unsigned weight)
{
    struct dispatch_lpar_config c;
    struct diag err;
    dispatch_lpar_config_init(&c, NULL, NULL);
    c.mode = mode;
    c.vps = vps;
    c.entitlement = ent;
    c.sharing = sharing;
    c.weight = weight;
    int i = dispatch_add_lpar(b->d, path, &c, NULL, NULL, &err);
    if (i < 0)
        fprintf(stderr, "lparsim: validate: %s\n", err.msg);
    return i;
}

/* A VP that always has work: jobs of `cycles` back to back. */
struct spinner {
    struct dispatch_vp *vp;
    uint64_t cycles;
};

static void spin_next(void *ctx, uint64_t arg)
{
    struct spinner *s = ctx;
    (void)arg;
    dispatch_submit(s->vp, s->cycles, spin_next, s, 0);
}

/* ---- shares --------------------------------------------------------------- */

struct share_lpar {
    const char *name;
    enum dispatch_sharing sharing;
    unsigned weight;
    uint32_t vps;
    double entitlement;
};

static const struct share_lpar share_lpars[] = {
    { "A", DISPATCH_UNCAPPED, 200, 3, 0.6 },
    { "B", DISPATCH_UNCAPPED, 100, 3, 0.6 },
    { "C", DISPATCH_UNCAPPED, 255, 1, 0.5 },
    { "D", DISPATCH_CAPPED, 128, 2, 0.8 },
    { "E", DISPATCH_UNCAPPED, 0, 1, 0.3 },
    { "F", DISPATCH_UNCAPPED, 255, 1, 0.2 }, /* periodic demand */
};
#define SHARE_LPARS (sizeof share_lpars / sizeof share_lpars[0])
#define SHARE_POOL 6
#define F_JOB_PS (3 * SIM_MS)
#define F_PERIOD_PS (10 * SIM_MS)
#define F_PHASE_PS (3700 * SIM_US)

struct periodic {
    struct bench *b;
    struct dispatch_vp *vp;
    uint64_t cycles;
};

static void periodic_job(void *ctx, uint64_t arg)
{
    struct periodic *p = ctx;
    (void)arg;
    dispatch_submit(p->vp, p->cycles, NULL, NULL, 0);
    kernel_schedule_in(p->b->k, F_PERIOD_PS, periodic_job, p, 0);
}

static int share_rows(FILE *out, enum kernel_backend kb)
{
    struct dispatch_config dc;
    dispatch_config_init(&dc, NULL);
    dc.switch_out = 0;
    const sim_time_t warmup = 10 * dc.window_ps, duration = warmup + 300 * dc.window_ps;
    struct bench b;
    if (bench_open(&b, kb, SHARE_POOL, &dc, warmup, duration) != 0)
        return -1;
    struct spinner spin[16];
    struct periodic f = { &b, NULL, 0 };
    struct wf_lpar wf[SHARE_LPARS];
    size_t nspin = 0;
    uint64_t spin_cycles = (uint64_t)llround(50e-6 * (double)cpu_config(b.cpu)->frequency_hz);
    for (size_t i = 0; i < SHARE_LPARS; i++) {
        const struct share_lpar *s = &share_lpars[i];
        char path[32];
        snprintf(path, sizeof path, "lpar.%s", s->name);
        int li = add(&b, path, DISPATCH_SHARED, s->vps, s->entitlement, s->sharing, s->weight);
        if (li < 0) {
            bench_close(&b);
            return -1;
        }
        wf[i] = (struct wf_lpar){ s->entitlement, s->vps, s->weight,
                                  s->sharing == DISPATCH_UNCAPPED };
        if (strcmp(s->name, "F") == 0) {
            /* its demand: the job, and per job a wake-up (cede exit and
             * switch-in), the snooze and the H_CEDE call */
            f.vp = dispatch_lpar_vp(b.d, (unsigned)li, 0);
            f.cycles = (uint64_t)llround((double)F_JOB_PS * 1e-12 *
                                         (double)cpu_config(b.cpu)->frequency_hz);
            sim_time_t per = cpu_cycles_to_ps(b.cpu, f.cycles) + dc.cede_exit_ps +
                             cpu_cycles_to_ps(b.cpu, dc.switch_in) + 100 * SIM_US +
                             cpu_cycles_to_ps(b.cpu, hcall_cycles(b.hcall, HCALL_CEDE, 1));
            wf[i].cap = (double)per / (double)F_PERIOD_PS;
            kernel_schedule_at(b.k, F_PHASE_PS, periodic_job, &f, 0);
            continue;
        }
        for (uint32_t v = 0; v < s->vps; v++)
            spin[nspin++] = (struct spinner){ dispatch_lpar_vp(b.d, (unsigned)li, v),
                                              spin_cycles };
    }
    if (bench_start(&b) != 0) {
        bench_close(&b);
        return -1;
    }
    for (size_t i = 0; i < nspin; i++)
        spin_next(&spin[i], 0);
    kernel_run_until(b.k, duration);
    double x[SHARE_LPARS];
    validate_water_fill(wf, SHARE_LPARS, SHARE_POOL, x);
    int failed = 0;
    for (size_t i = 0; i < SHARE_LPARS; i++) {
        const struct share_lpar *s = &share_lpars[i];
        char q[40];
        if (s->sharing == DISPATCH_CAPPED)
            snprintf(q, sizeof q, "physc %s capped %uVP", s->name, s->vps);
        else
            snprintf(q, sizeof q, "physc %s w%u %uVP%s", s->name, s->weight, s->vps,
                     i == SHARE_LPARS - 1 ? " demand" : "");
        failed += validate_row(out, "dispatch-share", q, "", x[i],
                               dispatch_lpar_physc(b.d, (unsigned)i), -1, 0.01);
    }
    bench_close(&b);
    return failed;
}

/* ---- wake-up -------------------------------------------------------------- */

#define WAKES 200

struct wake_probe {
    struct bench *b;
    struct dispatch_vp *vp;
    bool irq;
    sim_time_t run_ps;        /* the job's own time */
    double sum_ps, min_ps, max_ps;
    unsigned n;
};

static void wake_done(void *ctx, uint64_t arrival)
{
    struct wake_probe *p = ctx;
    double start = (double)(kernel_now(p->b->k) - p->run_ps - arrival);
    p->sum_ps += start;
    p->min_ps = p->n ? fmin(p->min_ps, start) : start;
    p->max_ps = p->n ? fmax(p->max_ps, start) : start;
    p->n++;
}

static void wake_arrival(void *ctx, uint64_t arg)
{
    struct wake_probe *p = ctx;
    (void)arg;
    sim_time_t now = kernel_now(p->b->k);
    if (!p->irq) {
        dispatch_submit(p->vp, 1000, wake_done, p, now);
        return;
    }
    /* as the XIVE controller: the job, then the escalation if the VP is
     * not on a thread */
    dispatch_submit_irq(p->vp, 4000, wake_done, p, now);
    if (!dispatch_is_dispatched(p->vp))
        dispatch_escalate(p->vp);
}

static int wake_rows(FILE *out, enum kernel_backend kb)
{
    struct dispatch_config dc;
    dispatch_config_init(&dc, NULL);
    struct bench b;
    if (bench_open(&b, kb, 3, &dc, 0, SIM_S) != 0)
        return -1;
    if (add(&b, "lpar.ded", DISPATCH_DEDICATED, 1, 1, DISPATCH_UNCAPPED, 128) < 0 ||
        add(&b, "lpar.irq", DISPATCH_SHARED, 1, 0.5, DISPATCH_UNCAPPED, 128) < 0 ||
        add(&b, "lpar.task", DISPATCH_SHARED, 1, 0.5, DISPATCH_UNCAPPED, 128) < 0 ||
        bench_start(&b) != 0) {
        bench_close(&b);
        return -1;
    }
    struct wake_probe p[3];
    for (unsigned i = 0; i < 3; i++)
        p[i] = (struct wake_probe){ &b, dispatch_lpar_vp(b.d, i, 0), i < 2,
                                    cpu_cycles_to_ps(b.cpu, i < 2 ? cpu_irq_cycles(b.cpu, 4000)
                                                                  : 1000) };
    struct rng r;
    rng_seed(&r, SEED, "dispatch-wake");
    sim_time_t t = SIM_MS;
    for (unsigned i = 0; i < WAKES; i++) {
        for (unsigned v = 0; v < 3; v++)
            kernel_schedule_at(b.k, t, wake_arrival, &p[v], 0);
        t += SIM_MS + (sim_time_t)(rng_uniform(&r) * 500e6);
    }
    kernel_run_until(b.k, t);
    const double us = 1e6;
    double esc = (double)cpu_cycles_to_ps(b.cpu, dc.escalation);
    double in = (double)cpu_cycles_to_ps(b.cpu, dc.switch_in);
    double exit = (double)dc.cede_exit_ps;
    const struct { const char *q; double ref; } rows[3] = {
        { "dedicated irq: cede exit", exit },
        { "irq: esc + exit + switch-in", esc + exit + in },
        { "task: exit + switch-in", exit + in },
    };
    int failed = 0;
    for (unsigned i = 0; i < 3; i++) {
        double mean = p[i].n == WAKES ? p[i].sum_ps / WAKES : NAN;
        char q[40];
        failed += validate_row(out, "dispatch-wake", rows[i].q, "us", rows[i].ref / us,
                               mean / us, -1, 1e-9);
        snprintf(q, sizeof q, "  spread max - min (%c)", "dit"[i]);
        failed += validate_row(out, "dispatch-wake", q, "ns", 0, (p[i].max_ps - p[i].min_ps) / 1e3,
                               -1, 0);
    }
    bench_close(&b);
    return failed;
}

/* ---- capped VP ------------------------------------------------------------ */

#define CAPPED_SHARE 0.3
#define CAPPED_WINDOWS 10000
#define CAPPED_IRQS 80000
#define CAPPED_JOB_PS (20 * SIM_US)

struct capped_probe {
    struct bench *b;
    struct dispatch_vp *vp;
    sim_time_t irq_ps, t0, span;
    double sum[BATCHES];
    unsigned n[BATCHES];
};

static void capped_done(void *ctx, uint64_t arrival)
{
    struct capped_probe *p = ctx;
    unsigned k = (unsigned)((arrival - p->t0) * BATCHES / p->span);
    p->sum[k] += (double)(kernel_now(p->b->k) - p->irq_ps - arrival);
    p->n[k]++;
}

static void capped_arrival(void *ctx, uint64_t arg)
{
    struct capped_probe *p = ctx;
    (void)arg;
    dispatch_submit_irq(p->vp, 0, capped_done, p, kernel_now(p->b->k));
    if (!dispatch_is_dispatched(p->vp))
        dispatch_escalate(p->vp);
}

static int capped_rows(FILE *out, enum kernel_backend kb)
{
    struct dispatch_config dc;
    dispatch_config_init(&dc, NULL);
    const sim_time_t w = dc.window_ps, end = (CAPPED_WINDOWS + 2) * w;
    struct bench b;
    if (bench_open(&b, kb, 1, &dc, 0, end) != 0)
        return -1;
    if (add(&b, "lpar.cap", DISPATCH_SHARED, 1, CAPPED_SHARE, DISPATCH_CAPPED, 128) < 0 ||
        bench_start(&b) != 0) {
        bench_close(&b);
        return -1;
    }
    double hz = (double)cpu_config(b.cpu)->frequency_hz;
    struct spinner s = { dispatch_lpar_vp(b.d, 0, 0),
                         (uint64_t)llround((double)CAPPED_JOB_PS * 1e-12 * hz) };
    struct capped_probe p = { &b, s.vp, cpu_cycles_to_ps(b.cpu, cpu_irq_cycles(b.cpu, 0)), w,
                              CAPPED_WINDOWS * w, { 0 }, { 0 } };
    spin_next(&s, 0);
    struct rng r;
    rng_seed(&r, SEED, "dispatch-capped");
    for (unsigned i = 0; i < CAPPED_IRQS; i++)
        kernel_schedule_at(b.k, p.t0 + (sim_time_t)(rng_uniform(&r) * (double)p.span),
                           capped_arrival, &p, 0);
    kernel_run_until(b.k, end);
    /* 95% interval over the batch means */
    double mean = 0, m[BATCHES];
    unsigned total = 0;
    for (unsigned k = 0; k < BATCHES; k++) {
        m[k] = p.n[k] ? p.sum[k] / p.n[k] : NAN;
        mean += m[k] / BATCHES;
        total += p.n[k];
    }
    double var = 0;
    for (unsigned k = 0; k < BATCHES; k++)
        var += (m[k] - mean) * (m[k] - mean) / (BATCHES - 1);
    double hw = student_t975(BATCHES - 1) * sqrt(var / BATCHES);
    double e = CAPPED_SHARE, W = (double)w, c = (double)cpu_cycles_to_ps(b.cpu, dc.switch_in);
    double j = (double)cpu_cycles_to_ps(b.cpu, s.cycles);
    double ref = (1 - e) * ((1 - e) * W / 2 + c) + c * c / (2 * W) + j / 2 - j * j / (6 * W);
    const double us = 1e6;
    int failed = validate_row(out, "dispatch-cap", "irq wait (1-e)^2 W/2 e=0.3", "us",
                              ref / us, total == CAPPED_IRQS ? mean / us : NAN, hw / us, 0.01);
    failed += validate_row(out, "dispatch-cap", "physc = entitlement", "", e,
                           dispatch_lpar_physc(b.d, 0), -1, 1e-6);
    bench_close(&b);
    return failed;
}

int validate_dispatch(FILE *out, enum kernel_backend k)
{
    int failed = 0;
    int (*const rows[])(FILE *, enum kernel_backend) = { share_rows, wake_rows, capped_rows };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int f = rows[i](out, k);
        if (f < 0)
            return -1;
        failed += f;
    }
    return failed;
}
