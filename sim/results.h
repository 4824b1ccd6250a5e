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
    const char *status;          /* "ok" | "check_failed" | "failed" */
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

/* (sim/results_keys.c) The run_keys of every run with status ok, sorted,
 * for `sweep --resume`: one read of the database instead of one open per
 * run. A database that does not exist yet holds none. Returns 0, or -1
 * with *err set (e.g. the file is not an lparsim database). Free with
 * results_keys_free. */
struct results_keys {
    char **keys;
    size_t n;
};
int results_ok_keys(const char *db_path, struct results_keys *keys, struct diag *err);
bool results_keys_contain(const struct results_keys *keys, const char *run_key);
void results_keys_free(struct results_keys *keys);

/* (sim/results_merge.c) Merges the runs of in_path into out_path
 * (created with the schema if needed) in one transaction, so a failed or
 * killed merge leaves the runs of out_path as they were. One run per
 * run_key: a run already in out_path with status ok is kept; an incoming
 * ok run replaces a failed one; a failed run replaces nothing. Child rows
 * (param, scalar, ...) follow their run with run_id remapped; rows of
 * in_path whose run_id has no run are dropped. in_path must be an lparsim
 * database (it is only read). */
struct merge_counts {
    size_t added;    /* run_keys new to out_path */
    size_t replaced; /* failed runs in out_path replaced by ok ones */
    size_t kept;     /* incoming runs not taken: out_path had the key */
};
int results_merge(const char *out_path, const char *in_path,
                  struct merge_counts *counts, struct diag *err);

/* (sim/results_export.c) Writes DIR/<table>.csv for each table (run,
 * param, scalar, statistic, histogram, series, event): a header row,
 * then the rows in insertion order; RFC 4180 quoting; NULL as an empty
 * field; 64-bit unsigned columns (seed, events, sim_end_ps, t_ps, count)
 * as unsigned; reals in the shortest form that reads back exactly.
 * Creates DIR if needed. */
int results_export_csv(const char *db_path, const char *dir, struct diag *err);

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
