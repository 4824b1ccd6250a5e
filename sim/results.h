/* sim/results.h — the SQLite results database (SPEC §7).
 *
 * One database per run or sweep, WAL journal, each run written in one
 * transaction so that a killed run leaves no half-written rows. A run
 * whose run_key is already present replaces the old rows (same
 * transaction). Tables: run, param, scalar, statistic, histogram, series,
 * event (columns as in SPEC §7), plus indexes and a `metric` view. */
#ifndef LPARSIM_SIM_RESULTS_H
#define LPARSIM_SIM_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/diag.h"
#include "sim/stats.h"

struct run_param {
    const char *name;
    const char *value;
};

struct run_record {
    const char *run_key;
    const char *scenario;        /* scenario name */
    const char *scenario_sha256; /* of the scenario file's bytes */
    int rep;
    uint64_t seed;
    const char *kernel;          /* "systemc" | "native" */
    const char *version;
    const char *started_at;      /* ISO 8601 UTC */
    double wall_s;
    uint64_t events;
    uint64_t sim_end_ps;
    const char *status;          /* "ok" | "failed" */
    const char *error;           /* NULL when ok */
    const struct run_param *params;
    size_t nparams;
};

/* Creates the database and schema if needed (parent directory too) and
 * writes one run with everything the recorder holds (rec may be NULL for
 * a failed run). Returns 0, or -1 with *err set. Safe against concurrent
 * writers (busy timeout). */
int results_write(const char *db_path, const struct run_record *run,
                  const struct recorder *rec, struct diag *err);

/* True if the database exists and holds a run with this key and status ok. */
bool results_has_run(const char *db_path, const char *run_key);

/* Checks that db_path exists and is an lparsim results database (has the
 * run table), without writing to it. Returns 0, or -1 with *err set
 * ("not an lparsim results database", no such file, ...). */
int results_open_check(const char *db_path, struct diag *err);

enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_JSON };

/* Prints the runs and headline figures (per run: status, seed, params,
 * every scalar, and every statistic's count/mean/p50/p99). */
int results_report(const char *db_path, FILE *out, enum report_format fmt,
                   struct diag *err);

#endif
