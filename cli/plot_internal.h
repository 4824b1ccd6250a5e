/* cli/plot_internal.h — what the parts of `lparsim plot` share:
 * the figure's data (lines, event marks, phases, axis labels and the
 * provenance gathered while querying), the read-only database handle, and
 * the helpers for parameter values written with units.
 *
 *   plot_query.c   database access, name resolution
 *   plot_runs.c    run selection (--runs, --points, --rep)
 *   plot_layout.c  axis ranges, the timeline's band of labels
 *   plot_data.c    struct plot_data; parameter values with units
 *   plot_cdf.c, plot_sweep.c, plot_timeline.c   the three kinds
 *   plot_script.c  the .dat and .gp files
 *   plot_meta.c    provenance embedded in the rendered figure
 *   plot.c         files, temp names, running gnuplot */
#ifndef LPARSIM_CLI_PLOT_INTERNAL_H
#define LPARSIM_CLI_PLOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/plot.h"
#include "sim/param.h"

#define PLOT_MAX_COLS 6

/* One row of a line: numeric columns and an optional text column (the
 * parameter value as written, e.g. "50k/s"). */
struct plot_row {
    double v[PLOT_MAX_COLS];
    char *text;
};

/* One line of the figure = one `index` block of the .dat. */
struct plot_line {
    char *label;
    int axis;                 /* 1 or 2 (timeline: second unit on y2) */
    bool model;               /* sweep: a closed form's curve (--model), drawn as a line */
    struct plot_row *rows;
    size_t nrows, cap;
};

struct plot_mark {            /* an event row: a labelled vertical line */
    double t;
    char *label;              /* "kind: detail", cut to fit */
    int row;                  /* band row of its label (0 = top); -1: no label */
    bool right;               /* the label ends at t (it would pass the right edge) */
};

struct plot_phase {           /* a *_start .. *_end pair: a shaded interval */
    double t0, t1;
    char *label;              /* the mechanism step: "lpm_precopy" */
    int depth;                /* phases enclosing it: its row in the band */
    double label_x;           /* where its label starts (after the one before) */
};

struct plot_data {
    enum plot_kind kind;
    char what[512];           /* one-line description of the figure */
    char columns[256];        /* names of the .dat columns */
    size_t ncols;             /* numeric columns per row */
    bool has_text;            /* rows carry a text column after them */
    bool categorical_x;       /* sweep: x is text, use xtic(text) */
    struct plot_line *lines;
    size_t nlines;
    struct plot_mark *marks;
    size_t nmarks;
    struct plot_phase *phases;
    size_t nphases;
    char xlabel[256], ylabel[256], y2label[256];
    bool logx, logy;
    double xmin_pos;          /* smallest positive x (log axis range) */
    /* explicit axis ranges in display units (NaN: gnuplot's autoscale) */
    double xlo, xhi, ylo, yhi, y2lo, y2hi;
    /* timeline: the series lie below this fraction of the graph's height;
     * the band above holds band_rows rows of phase bars and event labels */
    double data_top;
    int band_rows;
    size_t unlabelled;        /* events drawn without a label (no room) */
    char bars_note[200];      /* sweep: the key entry saying what the bars are */
    /* provenance */
    char **queries;           /* SQL text with its bound values */
    size_t nqueries;
    int64_t *run_ids;         /* runs the figure draws on */
    size_t nrun_ids;
};

void plot_data_free(struct plot_data *pd);
/* Appends; -1 on out of memory. */
int plot_line_add(struct plot_data *pd, const char *label, struct plot_line **out);
int plot_row_add(struct plot_line *l, const double *v, size_t n, const char *text);
int plot_mark_add(struct plot_data *pd, double t, const char *label);
int plot_phase_add(struct plot_data *pd, double t0, double t1, const char *label);
int plot_run_add(struct plot_data *pd, int64_t run_id);
/* Grows *p (of *n elements) by one zeroed element; NULL on out of memory. */
void *plot_grow_one(void **p, size_t *n, size_t elem);
/* snprintf for labels and names that may be cut at the buffer's end
 * (lengths are checked where a cut would matter). */
void plot_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A formatted string on the heap (free it); NULL on out of memory. */
char *plot_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes "1-3,7" style lists into buf. */
void plot_format_runs(const int64_t *ids, size_t n, char *buf, size_t size);

/* ---- database (plot_query.c) ---- */

struct sqlite3;
struct sqlite3_stmt;

struct plot_db {
    struct sqlite3 *db;
    const char *path;         /* as the user gave it, for messages */
    struct plot_data *pd;     /* receives the data queries */
    struct diag *err;
};

int plot_db_open(struct plot_db *q, const char *path, struct plot_data *pd,
                 struct diag *err);
void plot_db_close(struct plot_db *q);
/* Prepares sql and binds args by `types` ('t' const char *, 'i' int64_t);
 * `record` logs the query with its values in the provenance. */
int plot_db_query(struct plot_db *q, struct sqlite3_stmt **st, bool record,
                  const char *sql, const char *types, ...);
/* Error helpers: set *err, return -1. */
int plot_db_fail(struct plot_db *q, const char *what);
int plot_fail(struct diag *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A [COMPONENT:]NAME resolved against a table (statistic, scalar, series). */
struct plot_metric {
    char component[256];
    char name[256];
    char column[16];          /* sweep: statistic column ("mean", "p99") */
    char unit[64];
    bool is_statistic;        /* sweep --y: from statistic, not scalar */
};

int plot_resolve(struct plot_db *q, const char *table, const char *what,
                 const char *spec, struct plot_metric *m);
/* sweep --y: a scalar, a statistic (its mean) or NAME.COLUMN. */
int plot_resolve_y(struct plot_db *q, const char *spec, struct plot_metric *m);
/* A parameter name, exact or by its last dotted part when unique. */
int plot_resolve_param(struct plot_db *q, const char *spec, char *out, size_t n);

/* (plot_runs.c) The runs a figure uses: the ids of --runs (which must
 * exist), the runs of --points (and --rep), or every run with status ok. */
int plot_select_runs(struct plot_db *q, const struct plot_request *rq, int64_t **out,
                     size_t *nout);
/* "1,2,5" for an SQL IN list. */
char *plot_sql_ids(const int64_t *ids, size_t n);

/* ---- parameter values written with units ---- */

/* The numeric axis of a set of parameter texts: the first of time, size,
 * bitrate, frequency, rate, count, real that parses every text (so "10us"
 * sorts below "100us"), in base units. Returns false when none does (the
 * values are then categorical and sorted as text). */
bool plot_values_numeric(const char *const *texts, size_t n, double *nums,
                         enum param_type *type);
/* A display unit for parameter values of type t (in base units, times in
 * ps) up to maxabs: the divisor, its symbol ("us", "" for plain numbers)
 * and the symbol for figures ("µs"; pretty may be NULL). */
void plot_display_unit(enum param_type t, double maxabs, double *div, const char **sym,
                       const char **pretty);
/* The part of a dotted parameter path after the last dot. */
const char *plot_short_name(const char *param);

/* Distinct parameter values (one line each, or the x positions of a
 * sweep) in numeric order. */
struct plot_group {
    char *text;               /* NULL: the parameter was not set (default) */
    double num;               /* value in base units, or the text's rank */
    size_t line;              /* its line in plot_data.lines */
};

struct plot_groups {
    struct plot_group *g;
    size_t n;
    bool numeric;             /* else sorted as text */
    enum param_type type;
};

void plot_groups_free(struct plot_groups *gs);
/* Index of text in gs (NULL matches NULL), added if new; -1 on OOM. */
long plot_groups_find(struct plot_groups *gs, const char *text);
/* Sorts numerically when every set value parses with one unit type. */
int plot_groups_sort(struct plot_groups *gs);
/* "rate=50k/s" (the default when text is NULL). */
void plot_group_label(const char *param, const struct plot_group *g, char *buf, size_t n);

/* The last value a run was given for a parameter (a repeated --set wins),
 * as an SQL expression. */
#define PARAM_OF(RUN, ARG) \
    "(SELECT value FROM param p WHERE p.run_id = " RUN " AND p.name = " ARG \
    " ORDER BY p.rowid DESC LIMIT 1)"

/* " (ns)" for an axis label; "" for no unit. */
void plot_unit_suffix(const char *unit, char *buf, size_t n);

/* ---- layout (plot_layout.c) ---- */

/* The geometry every figure is laid out for: a 3.5 in column at 8 pt
 * (PNG and SVG are the same figure scaled), annotations at 7 pt. As
 * fractions of the plotting area: a character's width (without and
 * with a right-hand axis), and the height of one row of annotations. */
#define PLOT_CHAR_W 0.0205
#define PLOT_CHAR_W_Y2 0.0265
#define PLOT_ROW_H 0.075
/* At most this many rows of event labels; other events keep their line. */
#define PLOT_EVENT_ROWS 4

/* An axis range around data [lo, hi]: 5% padding each side, never below
 * zero for data that are not (a cache of -100 entries), multiplicative
 * on a log axis. */
void plot_pad_range(double lo, double hi, bool log, double *a, double *b);
/* Lays out the timeline's band: phase rows by depth, event labels in
 * rows (at most PLOT_EVENT_ROWS) so that no two overlap; sets
 * pd->band_rows and pd->data_top. x runs over [0, xend]. */
void plot_band_layout(struct plot_data *pd, double xend);
/* A round tic step giving four to eight tics up to hi (1, 2 or 5 x 10^n),
 * and hi rounded up to a multiple of it (so the top tic holds the data). */
double plot_nice_step(double hi);
double plot_round_up(double hi);
/* Half the width of the histogram bucket holding v (buckets are 1/64 of
 * their power of two wide, sim/histogram.h): a quantile's resolution. */
double plot_bucket_half_width(double v);
/* Log axis? auto: the data span more than two decades. */
bool plot_want_log(enum plot_scale s, double lo, double hi);

/* ---- the three kinds ---- */

int plot_build_cdf(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd);
int plot_build_sweep(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd);
int plot_build_timeline(const struct plot_request *rq, struct plot_db *q,
                        struct plot_data *pd);
int plot_build(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd);

/* ---- output (plot_script.c, plot_meta.c) ---- */

enum plot_format { FMT_PDF, FMT_PNG, FMT_SVG, FMT_TEX };

struct plot_provenance {
    const char *version;
    const char *command_line;
    const char *cwd;
    const char *db_abs;       /* absolute database path */
    const char *db_sha256;
    bool db_has_wal;          /* a non-empty -wal file was beside it */
    const char *created;      /* ISO 8601 UTC */
    const char *script_abs;
};

struct plot_names {
    enum plot_format fmt;
    const char *dir_abs;      /* directory of FILE, absolute */
    const char *figure;       /* basename of FILE */
    const char *script;       /* basename of the .gp */
    const char *data;         /* basename of the .dat */
};

int plot_write_data(FILE *f, const struct plot_data *pd,
                    const struct plot_provenance *pv);
int plot_write_script(FILE *f, const struct plot_request *rq,
                      const struct plot_data *pd, const struct plot_names *nm,
                      const struct plot_provenance *pv);
/* Escapes a string for a single-quoted gnuplot string literal (and for
 * LaTeX when tex is set). Returns buf. */
const char *plot_gp_str(const char *s, bool tex, char *buf, size_t n);

/* Embeds the provenance in the rendered file at path (format fmt).
 * Returns true when it could, false when the file is not as expected (it
 * is then left as it was). */
bool plot_embed_metadata(const char *path, enum plot_format fmt,
                         const char *title, const char *text);

#endif
