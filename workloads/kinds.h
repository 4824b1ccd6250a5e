/* workloads/kinds.h — internal to workloads/: what every kind of workload
 * shares, and the descriptor each kind file exports for workload.c to
 * dispatch to. Nothing outside workloads/ includes this; the public API is
 * workload.h.
 *
 * A kind's state is a struct whose first member is `struct workload`, so
 * workload.c allocates `kind->size` bytes, fills the shared part, and the
 * kind's functions cast back to their own struct. */
#ifndef LPARSIM_WORKLOADS_KINDS_H
#define LPARSIM_WORKLOADS_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/rng.h"
#include "sim/stats.h"
#include "workloads/workload.h"

struct workload_kind;

struct workload {
    const struct workload_kind *kind;
    struct env *env;
    char path[128];            /* component path, also the rng stream name */
    struct rng rng;            /* the kind's timing and op draws */
    struct workload_ports ports;
    sim_time_t start;          /* `start`: time of the first arrival */
    bool start_given;          /* set in the scenario (else: when the LPAR runs) */
    /* Every I/O this workload issues carries &notify, so its completion
     * comes back here even when several workloads share one LPAR. */
    struct io_notify_port notify;
    /* I/O accounting of the kinds that issue I/O (storage, network,
     * replay); whole run, so that it balances like the LPAR's. */
    uint64_t ios_issued, ios_completed, ios_failed;
    struct statistic *st_io_latency;
};

struct workload_kind {
    const char *name;
    /* The parameters the kind reads besides `kind` and `start`, as
     * "a|b|c": workload_check refuses any other one set explicitly. */
    const char *params;
    size_t size;               /* of the kind's struct (starts with struct workload) */
    bool does_io;              /* issues I/O: io_latency, ios_* scalars */
    /* Semantic checks of the kind's parameters; NULL = none. */
    int (*check)(const struct cfg_node *cfg, struct diag *err);
    /* Reads the parameters into the (zeroed) struct whose shared part is
     * filled. 0, or -1 with *err; fini is called either way. */
    int (*init)(struct workload *w, const struct cfg_node *cfg, struct diag *err);
    void (*start)(struct workload *w);
    /* An I/O of this workload completed (after the shared accounting);
     * NULL = nothing to do (open loop). */
    void (*completed)(struct workload *w, enum io_status st);
    /* Writes the kind's own scalars at the end of the run; NULL = none. */
    void (*finish)(struct workload *w, sim_time_t now);
    /* Frees what init allocated; NULL = nothing. */
    void (*fini)(struct workload *w);
    /* A timeline `set` of one of its run-time parameters (param_desc
     * .runtime; `key` names it) while the run goes; NULL = it has none. */
    void (*set)(struct workload *w, const char *key, const struct param_value *v);
};

extern const struct workload_kind workload_storage_kind;
extern const struct workload_kind workload_network_kind;
extern const struct workload_kind workload_compute_kind;
extern const struct workload_kind workload_dirty_kind;
extern const struct workload_kind workload_replay_kind;

/* ---- shared helpers (workload.c) ---------------------------------------- */

/* An open-loop stream of arrivals: fn(ctx, arg) at gaps of mean_ps
 * (workload_gap), one pending event at a time, so a timeline `set` of
 * the rate takes effect at once: the pending arrival is dropped and the
 * next one drawn at the new rate from now (exact for Poisson arrivals,
 * which are memoryless; for constant gaps the new spacing starts now). */
struct arrivals {
    struct workload *w;
    bool poisson;
    double mean_ps;          /* 0 = stopped */
    event_fn fn;
    void *ctx;
    uint64_t arg;
    struct event_id next;
};

void arrivals_init(struct arrivals *a, struct workload *w, bool poisson, double rate,
                   event_fn fn, void *ctx, uint64_t arg);
/* Schedules the first arrival one gap after `from` (if running). */
void arrivals_start(struct arrivals *a, sim_time_t from);
/* From inside fn: schedules the next arrival. */
void arrivals_next(struct arrivals *a);
/* Changes the rate now (0 stops the stream). */
void arrivals_set_rate(struct arrivals *a, double rate);

/* Issues one I/O through the LPAR's port with this workload's notify port
 * and the issue time as tag (io_latency is taken from it). Counts it;
 * returns the port's answer (-1: refused at once, counted as failed). */
int workload_issue(struct workload *w, enum io_op op, uint32_t bytes, uint64_t offset);

/* A gap between arrivals of mean `mean_ps`: exponential when `poisson`,
 * else exactly the mean; rounded to the nearest ps. */
sim_time_t workload_gap(struct workload *w, bool poisson, double mean_ps);

/* Writes "what" (a size, a time...) in its canonical unit into buf. */
const char *workload_show(enum param_type t, uint64_t v, char *buf, size_t n);

/* ---- size mixes (size_mix.c) -------------------------------------------- */

#define SIZE_MIX_MAX 16

/* Sizes drawn with fixed probabilities: "4KiB:0.7,64KiB:0.3". */
struct size_mix {
    unsigned n;
    uint32_t bytes[SIZE_MIX_MAX];
    double cum[SIZE_MIX_MAX]; /* cumulative normalised weights; cum[n-1] == 1 */
};

/* Parses a mix "SIZE[:WEIGHT],..." (a missing weight is 1; weights are
 * normalised), each size within [min_bytes, max_bytes]. 0, or -1 with
 * the message (naming nothing: the caller prefixes the parameter). */
int size_mix_parse(struct size_mix *m, const char *text, uint64_t min_bytes,
                   uint64_t max_bytes, char *msg, size_t n);
/* The mix of a workload: the parameter `mix_key` if it is non-empty, else
 * the single size `size_key`. Refuses both set explicitly. Errors are
 * located at the offending value. */
int size_mix_from_cfg(struct size_mix *m, const struct cfg_node *cfg, const char *size_key,
                      const char *mix_key, uint64_t min_bytes, uint64_t max_bytes,
                      struct diag *err);
/* One size of the mix; draws from r only when the mix has several sizes,
 * so a single size leaves the stream untouched. */
uint32_t size_mix_draw(const struct size_mix *m, struct rng *r);
uint32_t size_mix_largest(const struct size_mix *m);

#endif
