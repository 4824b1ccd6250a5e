/* cli/sweep.h — a parameter sweep expanded into runs (docs/sweeps.md).
 *
 * A plan is the cartesian product of the varied parameters (the
 * scenario's sweep.vary, with --vary replacing or adding paths) times the
 * repetitions, every point checked and every run's seed and run_key
 * computed up front, so that bad input is reported before anything runs
 * and --resume / --emit-slurm know every run_key. Points are applied to
 * the one loaded scenario in place (scenario_set) and undone afterwards:
 * a worker process applies its point to its copy of the scenario after
 * fork(), loading nothing. Execution is in sweep_exec.c, the Slurm
 * writer in sweep_slurm.c. */
#ifndef LPARSIM_CLI_SWEEP_H
#define LPARSIM_CLI_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/results.h"
#include "sim/scenario.h"

/* What the command line asks for. */
struct sweep_request {
    const char *const *sets;  /* --set PATH=VALUE, in order */
    size_t nsets;
    const char *seed;         /* --seed N, or NULL */
    const char *const *varies; /* --vary PATH=V1,V2,... */
    size_t nvaries;
    uint64_t reps;            /* --reps N; 0: the scenario's sweep.reps */
    bool independent_seeds;   /* --independent-seeds */
};

/* One varied parameter: its values as written. */
struct sweep_axis {
    char *path;
    char **values;
    struct src_loc key_loc;    /* where the path was written */
    struct src_loc *value_loc; /* per value; file NULL for --vary values */
    size_t nvalues;
    bool is_seed;
    struct cfg_node *node;     /* the parameter in the scenario */
    struct cfg_node saved;     /* its value before any point was applied */
};

struct sweep_run {
    size_t point;      /* index into the cartesian product */
    int rep;
    uint64_t seed;
    bool done;         /* already ok in the database: skipped */
    char outcome;      /* after the sweep ran it: 'o' ok, 'c' check_failed, 'f'
                          failed; 0 not run */
    char *message;     /* check_failed or failed: why (owned; the plan frees it) */
    char run_key[65];
};

struct sweep_plan {
    struct scenario *s;           /* not owned */
    struct sweep_axis *axes;      /* slowest-varying first */
    size_t naxes;
    struct run_param *fixed;      /* --set values still in effect (not seed, not varied) */
    size_t nfixed;
    uint64_t base_seed;
    bool independent_seeds;
    struct cfg_node *seed_node;
    struct cfg_node seed_saved;
    size_t npoints;
    uint64_t reps;
    struct sweep_run *runs;       /* point-major: all reps of point 0 first */
    size_t nruns;
    char scenario_sha256[65];
};

/* Applies --set / --seed to s, collects the axes, and expands and checks
 * every point (values, references, machine semantics) and run (seed,
 * run_key). Errors are located: in the scenario file for sweep.vary,
 * `--set:1:COL` / `--vary:1:COL` for the command line. On error the plan
 * is freed; the scenario may hold the --set values. */
int sweep_plan_init(struct sweep_plan *p, struct scenario *s, const struct sweep_request *req,
                    struct diag *err);
void sweep_plan_free(struct sweep_plan *p);

/* Sets the scenario to run r's point and seed (validated by init).
 * sweep_point_undo returns it to the base values. */
int sweep_point_apply(struct sweep_plan *p, const struct sweep_run *r, struct diag *err);
void sweep_point_undo(struct sweep_plan *p);

/* The index of axis a's value at a point. */
size_t sweep_value_index(const struct sweep_plan *p, size_t point, size_t a);

/* The `param` rows of run r: seed, the --set values, then the varied
 * values in axis order. `seed_buf` (>= 21 bytes) holds the seed's text.
 * Returns the count; out has room for nfixed + naxes + 1. */
size_t sweep_run_params(const struct sweep_plan *p, const struct sweep_run *r,
                        struct run_param *out, char *seed_buf);

/* "lpars.db1.workload.rate=50k/s servers=2" (empty without axes). */
void sweep_point_label(const struct sweep_plan *p, size_t point, char *buf, size_t n);
/* "rate=50k/s servers=2 rep 1", for messages. */
void sweep_run_label(const struct sweep_plan *p, const struct sweep_run *r, char *buf,
                     size_t n);

/* The seed of a rep. Common random numbers (default): rep 0 keeps the
 * base seed and rep r gets a seed derived from (base, r), the same at
 * every point. Independent: derived from (base, point_hash, r). Derived
 * seeds are below 2^53 so that every tool reading them as doubles keeps
 * them exact. */
uint64_t sweep_seed_derive(uint64_t base, uint64_t point_hash, uint64_t rep, bool independent);

/* Marks runs whose key is in `done` (results_ok_keys); returns how many. */
size_t sweep_mark_done(struct sweep_plan *p, const struct results_keys *done);

#endif
