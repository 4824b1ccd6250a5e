/* sim/env.h — what every component of one run shares: the kernel, the
 * recorder, the seed and the measurement window, plus hooks a component
 * registers at build time to take part in the run's phases:
 *   warm-up end   -> forget transient state (statistics are reset for it)
 *   batch end     -> close time-weighted measures for batch means
 *   sample        -> append a point to each series, every sample interval
 *   finish        -> write final scalars, check invariants
 * Hooks are called in registration order, so runs are reproducible. */
#ifndef LPARSIM_SIM_ENV_H
#define LPARSIM_SIM_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/directory.h"
#include "sim/kernel.h"
#include "sim/stats.h"

typedef void (*env_hook_fn)(void *ctx, sim_time_t now);

struct env_hook {
    env_hook_fn fn;
    void *ctx;
};

struct env_hooks {
    struct env_hook *v;
    size_t n, cap;
};

/* A component's reaction to a timeline `set` of one of its run-time
 * parameters (param_desc.runtime): `param` is the parameter's node (its
 * key names it), v the new value, already parsed and checked against the
 * parameter's type, unit and range. */
typedef void (*env_setter_fn)(void *ctx, const struct cfg_node *param,
                              const struct param_value *v);

struct env_setter {
    const struct cfg_node *param; /* the parameter's node in the scenario */
    env_setter_fn fn;
    void *ctx;
};

struct env_setters {
    struct env_setter *v;
    size_t n, cap;
};

/* Hooks called every `period`, at whole multiples of it (one kernel event
 * per period for all of them: a watchdog costs the event heap nothing). */
struct env_ticker {
    struct env *e;
    sim_time_t period;
    struct env_hooks hooks;
    bool started;
};

struct env {
    struct kernel *k;
    struct recorder *rec;
    uint64_t seed;
    sim_time_t warmup;          /* statistics start here */
    sim_time_t duration;        /* the run ends here */
    unsigned batches;           /* batch means over [warmup, duration] */
    sim_time_t sample_interval; /* 0 = no series */
    struct env_hooks on_warmup_end, on_batch_end, on_sample, on_finish;
    /* lparsim run --trace-io: the I/O to follow (I/O number trace_seq of
     * LPAR trace_lpar, or of the first LPAR when NULL) and where its hops
     * are printed; trace_out NULL = no tracing. */
    FILE *trace_out;
    const char *trace_lpar;
    uint64_t trace_seq;
    uint64_t trace_lines;       /* hops printed so far */
    /* A model that finds a broken invariant (or a missed `expect:`)
     * records it here; the run completed, and is stored with every row
     * and status check_failed. */
    char failure[512];
    /* Components by dotted path (env_register), for run-time actions. */
    struct directory *dir;
    struct env_setters setters;
    /* debug.skip_step ("" = none): a protocol step a mechanism leaves out
     * (mech_skip, sim/mechanism.h), and whether one was left out. */
    const char *skip_step;
    bool step_skipped;
    /* debug.stuck_after: an I/O outstanding longer than this at the end
     * of the run counts as lost. */
    sim_time_t stuck_after;
    struct env_ticker **tickers; /* one per distinct period, each allocated once */
    size_t ntickers;
    bool started;
};

void env_init(struct env *e, struct kernel *k, struct recorder *rec,
              uint64_t seed, sim_time_t warmup, sim_time_t duration,
              unsigned batches, sim_time_t sample_interval);
void env_release(struct env *e);

void env_on_warmup_end(struct env *e, env_hook_fn fn, void *ctx);
void env_on_batch_end(struct env *e, env_hook_fn fn, void *ctx);
void env_on_sample(struct env *e, env_hook_fn fn, void *ctx);
void env_on_finish(struct env *e, env_hook_fn fn, void *ctx);
/* fn(ctx, now) at every whole multiple of `period` (> 0) from then on,
 * in registration order among hooks of the same period (at most
 * hooks of other periods; any number of periods, each one event). */
void env_every(struct env *e, sim_time_t period, env_hook_fn fn, void *ctx);

/* Schedules the phase events (warm-up end, batch boundaries, sampling).
 * Call once, after every component is built. */
void env_start(struct env *e);
/* Runs the finish hooks (at the current time). */
void env_finish(struct env *e);

/* Length of one batch. */
sim_time_t env_batch_len(const struct env *e);

/* Registers a component under its dotted path (sim/directory.h), so run-
 * time actions can find it; a NULL ops registers nothing. Aborts on
 * allocation failure (like the hooks: build time only). */
void env_register(struct env *e, const char *path, const struct component_ops *ops, void *obj);
void env_unregister(struct env *e, const char *path);
/* The object registered at path with ops of `kind`, or NULL. */
void *env_find(const struct env *e, const char *path, const char *kind);

/* Registers fn to hear timeline `set`s of the parameter `param` (a
 * CFG_VALUE node of the scenario). NULL param: nothing. */
void env_on_set(struct env *e, const struct cfg_node *param, env_setter_fn fn, void *ctx);
/* Calls every setter of param with v; returns how many heard it. */
size_t env_set(struct env *e, const struct cfg_node *param, const struct param_value *v);

/* Records an invariant failure (first one wins). */
void env_fail(struct env *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One hop of the traced I/O: "  12.345678 us  COMPONENT  TEXT". Only
 * called for a request marked traced, so never on the common path. */
void env_trace(struct env *e, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
