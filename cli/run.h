/* cli/run.h — one simulation run: build the machine from a resolved
 * scenario, run it on the chosen kernel backend, check invariants, and
 * (optionally) write the results database. Used by `run`, `validate`
 * and the sweep workers. */
#ifndef LPARSIM_CLI_RUN_H
#define LPARSIM_CLI_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/kernel.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/stats.h"

struct run_options {
    enum kernel_backend kernel;
    int rep;
    bool in_sweep;                   /* a sweep's run: `point` is recorded */
    size_t point;                    /* its sweep point (run.point) */
    const char *db_path;             /* NULL: keep results in memory only */
    bool progress;                   /* progress line on stderr */
    /* Set (by a signal handler) to stop the run: it ends at the next
     * slice of simulated time, unfinished and unwritten. NULL: never. */
    const volatile sig_atomic_t *stop;
    const struct run_param *params;  /* --set / swept values, for `param` */
    size_t nparams;
    /* --trace-io: print the hops of I/O trace_seq (0 = none) of LPAR
     * trace_lpar (NULL = the first LPAR) on stdout. */
    const char *trace_lpar;
    uint64_t trace_seq;
};

struct run_outcome {
    struct recorder *rec;   /* owned by the caller: recorder_destroy */
    uint64_t events;
    sim_time_t sim_end;
    double wall_s;
    bool ok;                /* completed with every invariant holding */
    bool interrupted;       /* stopped by *stop: not finished, nothing written */
    char error[512];        /* why not: the first invariant missed */
    char run_key[65];
    uint64_t trace_lines;   /* hops printed for --trace-io */
};

/* The run's status for the database: "ok", or "check_failed" when it
 * completed but an invariant or an `expect:` assertion missed. */
const char *run_status(const struct run_outcome *out);

/* Returns 0 when the run took place (ok or check_failed, see out->ok) or
 * was interrupted (out->interrupted: nothing written), -1 with *err when
 * the scenario cannot be built or results cannot be written. */
int run_scenario(const struct scenario *s, const struct run_options *o,
                 struct run_outcome *out, struct diag *err);

/* Hex SHA-256 of a buffer (65 bytes with the terminator). */
void sha256_hex(const void *data, size_t len, char out[65]);
/* The run key: hash of the canonical resolved scenario and the rep. */
void run_key_of(const struct scenario *s, int rep, char out[65]);

#endif
