/* models/cpu/cpu.c — hardware threads executing cycle-costed work items.
 *
 * Numbers (docs/model-cpu.md has the reasoning):
 * - cores, threads_per_core and frequency are the system's (POWER9
 *   scale-out defaults in models/hypervisor/system.c);
 * - irq_entry / irq_exit are modelling choices anchored to measured
 *   POWER8 round trips: a getppid() system call ~320 cycles and a guest
 *   hypervisor-call entry ~830 cycles (Linux commit acd7d8cef015,
 *   "powerpc/64s: Optimize hypercall/syscall entry"); an external
 *   interrupt adds the XIVE acknowledge and EOI (cache-inhibited loads).
 *   With XIVE a dispatched VP takes its interrupts without a hypervisor
 *   exit (what ELI, Gordon et al., ASPLOS 2012, achieves in software on
 *   x86), so these are native costs;
 * - smt_slowdown defaults to 1 (off): the SMT scaling of a workload is an
 *   input, not something this model can know.
 *
 * Time: a job's cycles are converted to ps once, when it starts, with the
 * SMT factor of that moment; the factor is not revised while it runs. */
#include "models/cpu/cpu.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hypervisor/system.h"
#include "sim/timeavg.h"

__extension__ typedef unsigned __int128 u128;

const struct param_desc cpu_params[] = {
    { "irq_entry", PARAM_U64, "cycles", "500",
      "interrupt entry: vector, state save, XIVE acknowledge (choice; POWER8 syscall "
      "round trip ~320 cycles, Linux acd7d8cef015)", .max = "1000000" },
    { "irq_exit", PARAM_U64, "cycles", "400",
      "interrupt exit: EOI load from the ESB, softirq check, restore, rfid (choice)",
      .max = "1000000" },
    { "smt_slowdown", PARAM_F64, "", "1.0",
      "a thread runs this many times slower when every thread of its core is busy "
      "(linear in busy threads; 1 = off)", .min = "1", .max = "64" },
    { "thread_series", PARAM_BOOL, "", "false",
      "record a utilisation series per hardware thread (else only the processor's)" },
    { 0 }
};

const struct schema cpu_schema = {
    .name = "cpu",
    .doc = "processor: interrupt entry/exit costs and SMT slowdown",
    .params = cpu_params,
};

#define POOL_CHUNK 256

struct cpu_thread {
    struct cpu_jobq q;
    struct cpu_job *running;
    struct event_id done_ev;
    sim_time_t idle_since;     /* when it last ran out of jobs */
    bool notify_idle;          /* tell the idle hook when it does */
    struct time_avg busy, busy_sample;
    uint64_t tasks, interrupts, preempted;
    struct series *se_util;
};

struct cpu {
    struct env *env;
    char path[96];
    struct cpu_config cfg;
    uint32_t nthreads;
    struct cpu_thread *threads;
    uint32_t *core_busy;       /* running jobs per core */

    struct cpu_job **chunks;
    size_t nchunks;
    struct cpu_job *free_list;
    uint64_t live, pooled;

    cpu_idle_fn idle_fn;       /* the dispatcher's idle hook */
    void *idle_ctx;

    sim_time_t since;          /* start of the measurement window */
    struct time_avg busy_all, busy_all_sample, busy_all_batch;
    struct statistic *st_irq_wait, *st_irq_latency, *st_task_wait, *st_util_batch;
    struct series *se_util;
};

/* ---- configuration ------------------------------------------------------ */

void cpu_config_init(struct cpu_config *c, const struct cfg_node *system_cfg,
                     const struct cfg_node *cpu_cfg)
{
    c->cores = (uint32_t)cfg_param(system_cfg, system_params, "cores").u;
    c->threads_per_core = (uint32_t)cfg_param(system_cfg, system_params, "threads_per_core").u;
    /* PARAM_FREQ is a double; "3.8GHz" may parse a hair below 3.8e9. */
    c->frequency_hz = (uint64_t)llround(cfg_param(system_cfg, system_params, "frequency").d);
    c->irq_entry = cfg_param(cpu_cfg, cpu_params, "irq_entry").u;
    c->irq_exit = cfg_param(cpu_cfg, cpu_params, "irq_exit").u;
    c->smt_slowdown = cfg_param(cpu_cfg, cpu_params, "smt_slowdown").d;
    c->thread_series = cfg_param(cpu_cfg, cpu_params, "thread_series").u != 0;
}

uint32_t cpu_threads(const struct cpu *c) { return c->nthreads; }
uint32_t cpu_threads_per_core(const struct cpu *c) { return c->cfg.threads_per_core; }
const struct cpu_config *cpu_config(const struct cpu *c) { return &c->cfg; }

/* ---- time --------------------------------------------------------------- */

sim_time_t cpu_cycles_to_ps(const struct cpu *c, uint64_t cycles)
{
    u128 f = c->cfg.frequency_hz;
    return (sim_time_t)(((u128)cycles * 1000000000000u + f / 2) / f);
}

uint64_t cpu_irq_cycles(const struct cpu *c, uint64_t handler)
{
    return c->cfg.irq_entry + handler + c->cfg.irq_exit;
}

/* Run time of `cycles` on a thread of a core with `busy` threads running
 * (itself included): slowdown grows linearly from 1 (alone) to
 * smt_slowdown (all threads busy). One rounding either way. */
static sim_time_t run_ps(const struct cpu *c, uint64_t cycles, uint32_t busy)
{
    uint32_t tpc = c->cfg.threads_per_core;
    if (c->cfg.smt_slowdown == 1.0 || tpc == 1 || busy <= 1)
        return cpu_cycles_to_ps(c, cycles);
    long double factor = 1.0L + (long double)(c->cfg.smt_slowdown - 1.0) * (busy - 1) / (tpc - 1);
    return (sim_time_t)llroundl((long double)cycles * 1e12L * factor /
                                (long double)c->cfg.frequency_hz);
}

/* ---- job queues --------------------------------------------------------- */

void cpu_jobq_init(struct cpu_jobq *q)
{
    memset(q, 0, sizeof *q);
}

bool cpu_jobq_empty(const struct cpu_jobq *q)
{
    return !q->head[CPU_IRQ] && !q->head[CPU_TASK];
}

void cpu_jobq_push(struct cpu_jobq *q, struct cpu_job *j)
{
    j->next = NULL;
    if (q->tail[j->kind])
        q->tail[j->kind]->next = j;
    else
        q->head[j->kind] = j;
    q->tail[j->kind] = j;
    q->n[j->kind]++;
}

static struct cpu_job *jobq_pop(struct cpu_jobq *q)
{
    for (int k = 0; k < CPU_KINDS; k++) {
        struct cpu_job *j = q->head[k];
        if (!j)
            continue;
        q->head[k] = j->next;
        if (!q->head[k])
            q->tail[k] = NULL;
        q->n[k]--;
        j->next = NULL;
        return j;
    }
    return NULL;
}

/* Appends src's jobs of each kind behind dst's; src is left empty. */
static void jobq_append(struct cpu_jobq *dst, struct cpu_jobq *src)
{
    for (int k = 0; k < CPU_KINDS; k++) {
        if (!src->head[k])
            continue;
        if (dst->tail[k])
            dst->tail[k]->next = src->head[k];
        else
            dst->head[k] = src->head[k];
        dst->tail[k] = src->tail[k];
        dst->n[k] += src->n[k];
    }
    cpu_jobq_init(src);
}

/* ---- pool --------------------------------------------------------------- */

static int pool_grow(struct cpu *c)
{
    struct cpu_job **chunks = realloc(c->chunks, (c->nchunks + 1) * sizeof *chunks);
    if (!chunks)
        return -1;
    c->chunks = chunks;
    struct cpu_job *chunk = calloc(POOL_CHUNK, sizeof *chunk);
    if (!chunk)
        return -1;
    c->chunks[c->nchunks++] = chunk;
    for (size_t i = POOL_CHUNK; i-- > 0;) {
        chunk[i].next = c->free_list;
        c->free_list = &chunk[i];
    }
    c->pooled += POOL_CHUNK;
    return 0;
}

int cpu_reserve(struct cpu *c, uint64_t n)
{
    while (c->pooled < n)
        if (pool_grow(c) != 0)
            return -1;
    return 0;
}

struct cpu_job *cpu_job_new(struct cpu *c, enum cpu_kind kind, uint64_t cycles,
                            event_fn fn, void *ctx, uint64_t arg)
{
    if (!c->free_list && pool_grow(c) != 0)
        return NULL;
    struct cpu_job *j = c->free_list;
    c->free_list = j->next;
    c->live++;
    *j = (struct cpu_job){ .fn = fn, .ctx = ctx, .arg = arg, .cycles = cycles,
                           .t_submit = kernel_now(c->env->k), .kind = (uint8_t)kind };
    return j;
}

void cpu_job_free(struct cpu *c, struct cpu_job *j)
{
    j->next = c->free_list;
    c->free_list = j;
    c->live--;
}

uint64_t cpu_jobs_live(const struct cpu *c) { return c->live; }
uint64_t cpu_jobs_pooled(const struct cpu *c) { return c->pooled; }

/* ---- execution ---------------------------------------------------------- */

static void job_done(void *ctx, uint64_t thread);

static void set_busy(struct cpu *c, uint32_t thread, bool busy)
{
    sim_time_t now = kernel_now(c->env->k);
    struct cpu_thread *t = &c->threads[thread];
    double v = busy ? 1.0 : 0.0, d = busy ? 1.0 : -1.0;
    time_avg_set(&t->busy, now, v);
    time_avg_set(&t->busy_sample, now, v);
    time_avg_add(&c->busy_all, now, d);
    time_avg_add(&c->busy_all_sample, now, d);
    time_avg_add(&c->busy_all_batch, now, d);
    if (busy)
        c->core_busy[thread / c->cfg.threads_per_core]++;
    else
        c->core_busy[thread / c->cfg.threads_per_core]--;
}

/* Its first cycle runs `delay` after now (a wake-up the thread spends
 * first: busy, but no cycle of the job). */
static void job_start(struct cpu *c, uint32_t thread, struct cpu_job *j, sim_time_t delay)
{
    struct cpu_thread *t = &c->threads[thread];
    sim_time_t now = kernel_now(c->env->k);
    if (!j->started) {
        j->started = true;
        statistic_add(j->kind == CPU_IRQ ? c->st_irq_wait : c->st_task_wait,
                      sim_time_to_ns(now + delay - j->t_submit));
    }
    set_busy(c, thread, true);
    j->t_start = now + delay;
    j->run_ps = run_ps(c, j->cycles, c->core_busy[thread / c->cfg.threads_per_core]);
    t->running = j;
    t->done_ev = kernel_schedule_in(c->env->k, delay + j->run_ps, job_done, c, thread);
}

static void thread_kick(struct cpu *c, uint32_t thread)
{
    struct cpu_thread *t = &c->threads[thread];
    if (t->running)
        return;
    struct cpu_job *j = jobq_pop(&t->q);
    if (j)
        job_start(c, thread, j, 0);
}

/* The thread has just run out of jobs. */
static void thread_went_idle(struct cpu *c, uint32_t thread)
{
    struct cpu_thread *t = &c->threads[thread];
    t->idle_since = kernel_now(c->env->k);
    if (t->notify_idle)
        c->idle_fn(c->idle_ctx, thread);
}

/* The running job has executed its last cycle. The callback runs before
 * the next job is chosen, so an interrupt it raises on this thread is
 * taken ahead of the queued tasks, as one pending at that instant is. */
static void job_finish(struct cpu *c, uint32_t thread, bool start_next)
{
    struct cpu_thread *t = &c->threads[thread];
    struct cpu_job *j = t->running;
    sim_time_t now = kernel_now(c->env->k);
    t->running = NULL;
    t->done_ev = (struct event_id){ 0 };
    set_busy(c, thread, false);
    /* Work the callback submits to this thread finds it idle since now
     * if nothing is queued (not since the end of an earlier idle period:
     * a dedicated VP busy until now has not ceded), and busy otherwise. */
    if (cpu_jobq_empty(&t->q))
        t->idle_since = now;
    if (j->kind == CPU_IRQ) {
        t->interrupts++;
        statistic_add(c->st_irq_latency, sim_time_to_ns(now - j->t_submit));
    } else {
        t->tasks++;
    }
    event_fn fn = j->fn;
    void *ctx = j->ctx;
    uint64_t arg = j->arg;
    cpu_job_free(c, j);
    if (fn)
        fn(ctx, arg);
    if (!start_next)
        return;
    thread_kick(c, thread);
    if (!t->running)
        thread_went_idle(c, thread);
}

static void job_done(void *ctx, uint64_t thread)
{
    job_finish(ctx, (uint32_t)thread, true);
}

void cpu_thread_push(struct cpu *c, uint32_t thread, struct cpu_job *j)
{
    assert(thread < c->nthreads);
    cpu_jobq_push(&c->threads[thread].q, j);
    thread_kick(c, thread);
}

void cpu_thread_push_delayed(struct cpu *c, uint32_t thread, struct cpu_job *j,
                             sim_time_t delay)
{
    assert(thread < c->nthreads && !c->threads[thread].running);
    job_start(c, thread, j, delay);
}

void cpu_thread_give(struct cpu *c, uint32_t thread, struct cpu_jobq *q)
{
    assert(thread < c->nthreads);
    jobq_append(&c->threads[thread].q, q);
    thread_kick(c, thread);
}

/* Stops the running job; it keeps the cycles it has not executed. */
static struct cpu_job *job_preempt(struct cpu *c, uint32_t thread)
{
    struct cpu_thread *t = &c->threads[thread];
    struct cpu_job *j = t->running;
    sim_time_t now = kernel_now(c->env->k);
    sim_time_t elapsed = now > j->t_start ? now - j->t_start : 0; /* 0: still delayed */
    kernel_cancel(c->env->k, t->done_ev);
    t->done_ev = (struct event_id){ 0 };
    t->running = NULL;
    set_busy(c, thread, false);
    /* elapsed < run_ps here, so at least one cycle is left. */
    j->cycles -= (uint64_t)((u128)j->cycles * elapsed / j->run_ps);
    t->preempted++;
    return j;
}

void cpu_thread_take(struct cpu *c, uint32_t thread, struct cpu_jobq *q)
{
    assert(thread < c->nthreads);
    struct cpu_thread *t = &c->threads[thread];
    sim_time_t now = kernel_now(c->env->k);
    while (t->running && now >= t->running->t_start + t->running->run_ps) {
        /* Due now: completing it beats parking a zero-cycle remainder for
         * a whole undispatched period. (A loop: its callback may push a
         * zero-cycle job straight onto this thread.) */
        kernel_cancel(c->env->k, t->done_ev);
        job_finish(c, thread, false);
    }
    struct cpu_jobq taken;
    cpu_jobq_init(&taken);
    if (t->running)
        cpu_jobq_push(&taken, job_preempt(c, thread));
    jobq_append(&taken, &t->q);
    jobq_append(&taken, q); /* q's own jobs go behind the taken ones */
    *q = taken;
    t->idle_since = now;
}

bool cpu_thread_idle(const struct cpu *c, uint32_t thread)
{
    /* between a job's end and the next one's start (the finished job's
     * callback) a thread with queued jobs is not idle */
    return !c->threads[thread].running && cpu_jobq_empty(&c->threads[thread].q);
}

sim_time_t cpu_thread_idle_since(const struct cpu *c, uint32_t thread)
{
    return c->threads[thread].idle_since;
}

void cpu_set_idle_hook(struct cpu *c, cpu_idle_fn fn, void *ctx)
{
    c->idle_fn = fn;
    c->idle_ctx = ctx;
}

void cpu_thread_notify_idle(struct cpu *c, uint32_t thread, bool on)
{
    assert(thread < c->nthreads);
    c->threads[thread].notify_idle = on && c->idle_fn;
}

int cpu_submit_task(struct cpu *c, uint32_t thread, uint64_t cycles,
                    event_fn fn, void *ctx, uint64_t arg)
{
    struct cpu_job *j = cpu_job_new(c, CPU_TASK, cycles, fn, ctx, arg);
    if (!j)
        return -1;
    cpu_thread_push(c, thread, j);
    return 0;
}

int cpu_submit_irq(struct cpu *c, uint32_t thread, uint64_t handler,
                   event_fn fn, void *ctx, uint64_t arg)
{
    struct cpu_job *j = cpu_job_new(c, CPU_IRQ, cpu_irq_cycles(c, handler), fn, ctx, arg);
    if (!j)
        return -1;
    cpu_thread_push(c, thread, j);
    return 0;
}

/* ---- measurement -------------------------------------------------------- */

/* Mean of a time average over [since, now] without starting a new window. */
static double time_avg_peek(const struct time_avg *a, sim_time_t now)
{
    double area = a->area + a->value * (double)(now - a->last);
    double span = (double)(now - a->since);
    return span > 0 ? area / span : a->value;
}

struct cpu_thread_counters cpu_thread_counters(const struct cpu *c, uint32_t thread)
{
    assert(thread < c->nthreads);
    const struct cpu_thread *t = &c->threads[thread];
    return (struct cpu_thread_counters){
        .tasks = t->tasks, .interrupts = t->interrupts, .preempted = t->preempted,
        .queued = t->q.n[CPU_IRQ] + t->q.n[CPU_TASK], .busy = t->running != NULL,
    };
}

double cpu_thread_utilisation(const struct cpu *c, uint32_t thread)
{
    assert(thread < c->nthreads);
    return time_avg_peek(&c->threads[thread].busy, kernel_now(c->env->k));
}

static void on_warmup_end(void *ctx, sim_time_t now)
{
    struct cpu *c = ctx;
    c->since = now;
    for (uint32_t i = 0; i < c->nthreads; i++) {
        struct cpu_thread *t = &c->threads[i];
        double v = t->running ? 1.0 : 0.0;
        time_avg_init(&t->busy, now, v);
        time_avg_init(&t->busy_sample, now, v);
        t->tasks = t->interrupts = t->preempted = 0;
    }
    time_avg_init(&c->busy_all, now, c->busy_all.value);
    time_avg_init(&c->busy_all_sample, now, c->busy_all.value);
    time_avg_init(&c->busy_all_batch, now, c->busy_all.value);
}

static void on_batch_end(void *ctx, sim_time_t now)
{
    struct cpu *c = ctx;
    statistic_add(c->st_util_batch, time_avg_take(&c->busy_all_batch, now) / c->nthreads);
}

static void on_sample(void *ctx, sim_time_t now)
{
    struct cpu *c = ctx;
    series_append(c->se_util, now, time_avg_take(&c->busy_all_sample, now) / c->nthreads);
    if (!c->cfg.thread_series)
        return;
    for (uint32_t i = 0; i < c->nthreads; i++)
        series_append(c->threads[i].se_util, now,
                      time_avg_take(&c->threads[i].busy_sample, now));
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct cpu *c = ctx;
    struct recorder *rec = c->env->rec;
    double secs = sim_time_to_s(now - c->since);
    uint64_t tasks = 0, irqs = 0;
    char path[128];
    for (uint32_t i = 0; i < c->nthreads; i++) {
        const struct cpu_thread *t = &c->threads[i];
        snprintf(path, sizeof path, "%s.t%u", c->path, i);
        recorder_scalar(rec, path, "utilisation", "", time_avg_peek(&t->busy, now));
        recorder_scalar(rec, path, "interrupts", "", (double)t->interrupts);
        recorder_scalar(rec, path, "interrupt_rate", "1/s",
                        secs > 0 ? (double)t->interrupts / secs : 0);
        recorder_scalar(rec, path, "tasks", "", (double)t->tasks);
        tasks += t->tasks;
        irqs += t->interrupts;
    }
    recorder_scalar(rec, c->path, "utilisation", "",
                    time_avg_peek(&c->busy_all, now) / c->nthreads);
    recorder_scalar(rec, c->path, "interrupts", "", (double)irqs);
    recorder_scalar(rec, c->path, "interrupt_rate", "1/s", secs > 0 ? (double)irqs / secs : 0);
    recorder_scalar(rec, c->path, "tasks", "", (double)tasks);
}

/* ---- create ------------------------------------------------------------- */

static int create_series(struct cpu *c)
{
    struct recorder *rec = c->env->rec;
    c->st_irq_wait = recorder_statistic(rec, c->path, "irq_wait", "ns");
    c->st_irq_latency = recorder_statistic(rec, c->path, "irq_latency", "ns");
    c->st_task_wait = recorder_statistic(rec, c->path, "task_wait", "ns");
    c->st_util_batch = recorder_statistic(rec, c->path, "utilisation_per_batch", "");
    c->se_util = recorder_series(rec, c->path, "utilisation", "");
    if (!c->st_irq_wait || !c->st_irq_latency || !c->st_task_wait || !c->st_util_batch ||
        !c->se_util)
        return -1;
    if (!c->cfg.thread_series)
        return 0;
    char path[128];
    for (uint32_t i = 0; i < c->nthreads; i++) {
        snprintf(path, sizeof path, "%s.t%u", c->path, i);
        c->threads[i].se_util = recorder_series(rec, path, "utilisation", "");
        if (!c->threads[i].se_util)
            return -1;
    }
    return 0;
}

struct cpu *cpu_create(struct env *e, const char *path, const struct cpu_config *cfg)
{
    if (!cfg->cores || !cfg->threads_per_core || !cfg->frequency_hz ||
        !(cfg->smt_slowdown >= 1.0) || (uint64_t)cfg->cores * cfg->threads_per_core > UINT32_MAX / 2)
        return NULL;
    struct cpu *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->env = e;
    c->cfg = *cfg;
    snprintf(c->path, sizeof c->path, "%s", path);
    c->nthreads = cfg->cores * cfg->threads_per_core;
    c->threads = calloc(c->nthreads, sizeof *c->threads);
    c->core_busy = calloc(cfg->cores, sizeof *c->core_busy);
    if (!c->threads || !c->core_busy || create_series(c) != 0 || pool_grow(c) != 0) {
        cpu_destroy(c);
        return NULL;
    }
    on_warmup_end(c, kernel_now(e->k));
    env_on_warmup_end(e, on_warmup_end, c);
    env_on_batch_end(e, on_batch_end, c);
    env_on_sample(e, on_sample, c);
    env_on_finish(e, on_finish, c);
    return c;
}

void cpu_destroy(struct cpu *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nchunks; i++)
        free(c->chunks[i]);
    free(c->chunks);
    free(c->threads);
    free(c->core_busy);
    free(c);
}
