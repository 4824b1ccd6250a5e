/* models/cpu/cpu.h — a system's processor: `cores` x `threads_per_core`
 * hardware threads at `frequency`, each executing work items whose cost
 * is given in cycles (no instruction-level simulation).
 *
 * A work item ("job") is a number of cycles, a kind (task or interrupt)
 * and a completion callback (event_fn, ctx, arg) called when its last
 * cycle has executed. Each thread runs one job at a time from its own
 * queue: interrupt jobs in FIFO order ahead of task jobs in FIFO order.
 * An interrupt never stops the job that is running (no mid-item
 * preemption: the OS would take it at the next instruction boundary, but
 * at the granularity of cost-in-cycles items the difference is at most
 * one item's length); it only overtakes tasks that have not started.
 * Only the hypervisor's dispatcher takes a running job off its thread
 * (cpu_thread_take), when the VP it belongs to is undispatched. A thread
 * remembers when it last ran out of jobs, and can tell the dispatcher at
 * that instant (the start of a VP's idle loop).
 *
 * An interrupt job costs irq_entry + handler + irq_exit cycles; cycles
 * are converted to picoseconds once per job, exactly (integer Hz, 128-bit
 * arithmetic, rounded to the nearest ps). With `smt_slowdown` > 1 a job
 * runs slower when other threads of its core are busy as it starts.
 * Defaults and their sources: the descriptor in cpu.c and
 * docs/model-cpu.md. Jobs come from a pool that grows in chunks up to the
 * peak number of outstanding jobs: no allocation per job. */
#ifndef LPARSIM_MODELS_CPU_CPU_H
#define LPARSIM_MODELS_CPU_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/env.h"
#include "sim/kernel.h"

extern const struct param_desc cpu_params[];
extern const struct schema cpu_schema;

#define CPU_NO_THREAD UINT32_MAX

enum cpu_kind { CPU_IRQ = 0, CPU_TASK = 1, CPU_KINDS };

struct cpu_config {
    uint32_t cores;
    uint32_t threads_per_core;
    uint64_t frequency_hz;   /* whole Hz */
    uint64_t irq_entry;      /* cycles */
    uint64_t irq_exit;       /* cycles */
    double smt_slowdown;     /* >= 1; 1 = SMT does not slow a thread */
    bool thread_series;      /* a utilisation series per thread */
};

/* Cores, threads and frequency from a system node (system_params), the
 * rest from a cpu node (cpu_schema); either may be NULL for the
 * descriptor defaults. */
void cpu_config_init(struct cpu_config *c, const struct cfg_node *system_cfg,
                     const struct cfg_node *cpu_cfg);

/* A pooled work item. Fields are the cpu's and the dispatcher's; other
 * code only creates jobs (cpu_job_new) and hands them over. */
struct cpu_job {
    struct cpu_job *next;
    event_fn fn;
    void *ctx;
    uint64_t arg;
    uint64_t cycles;       /* cycles still to execute */
    sim_time_t t_submit;   /* when it was created: latencies start here */
    sim_time_t t_start;    /* start of the current run (its first cycle) */
    sim_time_t run_ps;     /* length of the current run */
    uint8_t kind;          /* enum cpu_kind */
    bool started;          /* has run at least once */
};

/* Two FIFOs, interrupts and tasks; a thread's queue and a VP's backlog. */
struct cpu_jobq {
    struct cpu_job *head[CPU_KINDS], *tail[CPU_KINDS];
    uint64_t n[CPU_KINDS];
};

struct cpu_thread_counters {
    uint64_t tasks;        /* task jobs completed (since warm-up) */
    uint64_t interrupts;   /* interrupt jobs completed (since warm-up) */
    uint64_t preempted;    /* running jobs taken off the thread */
    uint64_t queued;       /* jobs waiting now (running one excluded) */
    bool busy;             /* a job is running now */
};

struct cpu;

/* Creates the processor; `path` names its component ("s0.cpu"); thread t
 * reports as "<path>.t<t>". NULL on a zero count, a frequency of 0,
 * smt_slowdown < 1, or allocation failure. */
struct cpu *cpu_create(struct env *e, const char *path, const struct cpu_config *c);
void cpu_destroy(struct cpu *c);

uint32_t cpu_threads(const struct cpu *c);
uint32_t cpu_threads_per_core(const struct cpu *c);
const struct cpu_config *cpu_config(const struct cpu *c);

/* cycles / frequency in ps, rounded to the nearest ps (halves up), exact
 * (128-bit intermediate) whenever the result fits in 64 bits: up to ~7e16
 * cycles at 3.8 GHz, the 213 days sim_time_t spans. */
sim_time_t cpu_cycles_to_ps(const struct cpu *c, uint64_t cycles);
/* Cycles of an interrupt whose handler takes `handler` cycles. */
uint64_t cpu_irq_cycles(const struct cpu *c, uint64_t handler);

/* Submits to a hardware thread. A task costs `cycles`; an interrupt costs
 * cpu_irq_cycles(handler). fn(ctx, arg) is called when it completes.
 * Returns 0, or -1 if the job pool cannot grow. */
int cpu_submit_task(struct cpu *c, uint32_t thread, uint64_t cycles,
                    event_fn fn, void *ctx, uint64_t arg);
int cpu_submit_irq(struct cpu *c, uint32_t thread, uint64_t handler,
                   event_fn fn, void *ctx, uint64_t arg);

/* Grows the job pool to at least n jobs now (optional). */
int cpu_reserve(struct cpu *c, uint64_t n);

/* Read side, for tests and the wiring. */
struct cpu_thread_counters cpu_thread_counters(const struct cpu *c, uint32_t thread);
/* Busy fraction of the thread since the warm-up (or creation). */
double cpu_thread_utilisation(const struct cpu *c, uint32_t thread);
/* Jobs outstanding (queued or running) and the pool size. */
uint64_t cpu_jobs_live(const struct cpu *c);
uint64_t cpu_jobs_pooled(const struct cpu *c);

/* ---- for the hypervisor's dispatcher (models/hypervisor/dispatch.c) ----
 * It keeps the jobs of an undispatched VP in a cpu_jobq and moves them
 * to and from the thread the VP is dispatched on. */

typedef void (*cpu_idle_fn)(void *ctx, uint32_t thread);

void cpu_jobq_init(struct cpu_jobq *q);
bool cpu_jobq_empty(const struct cpu_jobq *q);
void cpu_jobq_push(struct cpu_jobq *q, struct cpu_job *j);

/* A job of `cycles` total cycles (for an interrupt: cpu_irq_cycles
 * already applied), submitted now. NULL if the pool cannot grow. */
struct cpu_job *cpu_job_new(struct cpu *c, enum cpu_kind kind, uint64_t cycles,
                            event_fn fn, void *ctx, uint64_t arg);
/* Returns a job that will not run (moved elsewhere) to the pool. */
void cpu_job_free(struct cpu *c, struct cpu_job *j);
/* Queues j on thread, starting it if the thread is idle. */
void cpu_thread_push(struct cpu *c, uint32_t thread, struct cpu_job *j);
/* Starts j on the idle thread with its first cycle `delay` from now: the
 * thread spends the delay first (busy; a VP's wake-up from H_CEDE). Its
 * wait is counted to its first cycle; taken off before it, it has run
 * none. */
void cpu_thread_push_delayed(struct cpu *c, uint32_t thread, struct cpu_job *j,
                             sim_time_t delay);
/* Moves every job of q onto thread (q is left empty), then starts the
 * first one if the thread is idle. */
void cpu_thread_give(struct cpu *c, uint32_t thread, struct cpu_jobq *q);
/* Takes every job off thread and puts them in front of q's jobs of the
 * same kind, in the order they would have run: the running job (with the
 * cycles it has left, rounded down to whole cycles executed), then the
 * queued ones. A running job that has just finished (its completion is
 * due now) completes first, with its callback. */
void cpu_thread_take(struct cpu *c, uint32_t thread, struct cpu_jobq *q);

/* No job running (then none is queued either), and since when: the end
 * of the last job, or the last take (creation: 0). */
bool cpu_thread_idle(const struct cpu *c, uint32_t thread);
sim_time_t cpu_thread_idle_since(const struct cpu *c, uint32_t thread);
/* The hook is called when a thread with notification on runs out of jobs
 * (after the last one's callback; not when cpu_thread_take empties it).
 * Notification is off for every thread until turned on. */
void cpu_set_idle_hook(struct cpu *c, cpu_idle_fn fn, void *ctx);
void cpu_thread_notify_idle(struct cpu *c, uint32_t thread, bool on);

#endif
