/* sim/results.h — the SQLite results database.
 *
 * One database per run or sweep, WAL journal, each run written in one
 * transaction so that a killed run leaves no half-written rows. A run
 * whose run_key is already present replaces the old rows (same
 * transaction). Tables: meta, run, param, scalar, statistic, histogram,
 * series, event, plus indexes and a `metric` view (docs/metrics.md
 * describes every column; sim/results_schema.c holds the SQL and its
 * versions). */
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
    bool in_sweep;               /* a sweep's run: `point` is stored */
    size_t point;                /* the sweep point's index (0-based) */
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
/* Sets run.point of the runs with these keys (one transaction): a sweep
 * extended with new values numbers its points anew, and the runs it skips
 * because they are done take their place in the new numbering. */
int results_renumber_points(const char *db_path, const char *const *keys, const size_t *points,
                            size_t n, struct diag *err);

/* (sim/results_merge.c) Merges the runs of every input into out_path
 * (created with the schema if needed). Every input is checked first (an
 * lparsim database, every page readable); then all of them are copied in
 * one transaction, so a failed or killed merge leaves out_path as it was
 * (and does not leave a new out_path behind). One run per run_key: a run
 * already in out_path with status ok or check_failed is kept; an incoming
 * one of those replaces a failed one; a failed run replaces nothing.
 * Child rows (param, scalar, ...) follow their run with run_id remapped;
 * rows of an input whose run_id has no run are dropped. Inputs of schema
 * 1 are read too (value_si is computed). Inputs are only read. */
struct merge_counts {
    size_t added;    /* run_keys new to out_path */
    size_t replaced; /* failed runs in out_path replaced by ok ones */
    size_t kept;     /* incoming runs not taken: out_path had the key */
};
int results_merge_all(const char *out_path, const char *const *in_paths, size_t nin,
                      struct merge_counts *counts, struct diag *err);
/* The same for one input. */
int results_merge(const char *out_path, const char *in_path,
                  struct merge_counts *counts, struct diag *err);

/* (sim/results_export.c) Writes DIR/<table>.csv for each table (run,
 * param, scalar, statistic, histogram, series, event): a header row,
 * then the rows in insertion order; RFC 4180 quoting; NULL as an empty
 * field; 64-bit unsigned columns (seed, events, sim_end_ps, t_ps, count)
 * as unsigned; reals in the shortest form that reads back exactly.
 * All or nothing: the files appear only when every one is written (a new
 * DIR appears whole, or not at all). */
int results_export_csv(const char *db_path, const char *dir, struct diag *err);

/* (sim/results_open.c) Opens an existing results database to read it,
 * leaving nothing beside it (no DB-wal, DB-shm). Names what is wrong with
 * a file: missing, a directory, empty, not an SQLite file, corrupt or
 * truncated, someone else's database, a newer lparsim's. `deep` also
 * reads every page (PRAGMA quick_check), for callers that must not act
 * on half of a damaged file. *version (may be NULL) receives the schema
 * version, 1 or 2. Close with sqlite3_close. */
struct sqlite3;
int results_open_read(const char *db_path, bool deep, struct sqlite3 **db, int *version,
                      struct diag *err);
/* Whether table has the column (an older schema may lack it). */
bool results_has_column(struct sqlite3 *db, const char *table, const char *column);

/* Checks that db_path exists and is an lparsim results database, without
 * writing to it. Returns 0, or -1 with *err set as results_open_read. */
int results_open_check(const char *db_path, struct diag *err);

enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_JSON };

struct report_options {
    enum report_format fmt;
    const int64_t *runs;      /* --run: only these runs (NULL: every run) */
    size_t nruns;
    const char *component;    /* --component GLOB: every metric of those components */
    bool all;                 /* --all: every metric of every run */
};

/* (sim/report*.c) The runs of a database. The table format shows the
 * headline figures first: per LPAR io_latency mean/p50/p99, IOPS and the
 * ios_* counts, and the scalars of the mechanisms (lpm, switch, failover,
 * eeh, irq); one row per run, or per sweep point with mean +- 95% CI
 * over its reps; then the runs that missed a check or failed. --all or
 * --component list every metric of every selected run instead. CSV
 * (long format) and JSON hold every metric of the selected runs and
 * components. Nothing is written to out unless the whole report is. */
int results_report(const char *db_path, FILE *out, const struct report_options *o,
                   struct diag *err);

#endif
