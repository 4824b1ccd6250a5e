/* sim/report_internal.h — what the parts of `lparsim report` share:
 * aligned text tables (report_grid.c), the headline view of runs and
 * sweep points (report_headline.c); report.c drives them and writes the
 * machine formats. Not a public API: the CLI uses sim/results.h. */
#ifndef LPARSIM_SIM_REPORT_INTERNAL_H
#define LPARSIM_SIM_REPORT_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/diag.h"
#include "sim/results.h"
#include "sim/results_internal.h"

/* A table of copied cells printed with per-column widths. */
struct grid {
    size_t ncols, nrows, cap;
    char **cell;
};

/* Appends a row of ncols cells (NULL reads as ""); -1 on out of memory. */
int grid_add(struct grid *g, const char *const *vals);
/* Prints the rows indented by `indent`, two spaces between columns;
 * right[j] right-aligns column j. No trailing blanks. */
void grid_print(const struct grid *g, FILE *out, int indent, const bool *right);
void grid_free(struct grid *g);

/* Column i of the current row as text; "" for NULL. `human`: whole
 * numbers exactly, others to 6 digits; else the shortest form that reads
 * back to the same double. 64-bit unsigned columns (seed, events, ...)
 * print unsigned. */
const char *report_col_str(sqlite3_stmt *st, int i, char *buf, size_t n, bool human);

/* " WHERE run_id IN (1,2)" or "" for every run, checking that each id
 * exists; a heap string (free it), NULL with *err. */
char *report_run_filter(sqlite3 *db, const char *path, const struct report_options *o,
                        struct diag *err);

/* ---- the headline view's data (report_data.c) ---- */

struct hrun {
    int64_t id, rep, point;
    bool has_point, completed;
    char *status, *error, *scenario, *kernel, *key;
    uint64_t seed, events, sim_end;
    double wall;
    char *label;              /* the point's varied values, "rate=50k/s" */
    size_t group;
};

struct hval {                 /* one headline value of one run */
    int64_t run;
    char *comp, *name, *unit;
    double v;
};

struct hparam {
    int64_t run;
    char *name, *value;
};

struct names {                /* components (or component/name pairs) in order */
    char **comp, **name, **unit;
    size_t n;
};

struct headline {
    sqlite3 *db;
    const char *path;
    FILE *out;
    struct diag *err;
    const char *filter;       /* " WHERE run_id IN (...)" or "" */
    struct hrun *runs;
    size_t nruns, ngroups;
    struct hval *vals;
    size_t nvals;
    struct hparam *params;
    size_t nparams;
    struct names lpars, mech; /* mech: component, name, unit */
};

/* Loads the runs the options select, their params and headline values,
 * and groups them into points. -1 with h->err. */
int report_headline_load(struct headline *h);
void report_headline_free(struct headline *h);
int report_oom(struct headline *h);
/* The headline value of (run, component, name), NULL if it has none. */
const struct hval *report_value(const struct headline *h, int64_t run, const char *comp,
                                const char *name);
/* Mean and 95% CI half-width (Student t; NaN for one value) of a metric
 * over the completed runs (ok, check_failed) of group g; *n how many had
 * it, *unit its unit. */
void report_group_stat(const struct headline *h, size_t g, const char *comp, const char *name,
                       double *mean, double *half, size_t *n, const char **unit);

/* (report_headline.c) The default table view: per run, or per sweep
 * point with mean +- 95% CI over the reps, the figures people look at
 * first; then the runs that missed a check or failed. */
int report_headline(sqlite3 *db, const char *path, FILE *out, const struct report_options *o,
                    struct diag *err);

#endif
