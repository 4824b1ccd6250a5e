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

/* ---- a timeline's annotations (plot_timeline.c gathers them, plot_lanes.c
 * lays them out, plot_script.c draws them) ---- */

struct plot_mark {            /* a point event: a numbered dashed line, explained in the key */
    double t;                 /* in axis units */
    char *component, *kind, *detail;
};

struct plot_tag {             /* a short label over things of one row: event numbers
                                "3–5" over their lines, step keys "a–f" in a lane's header */
    size_t lane;              /* header tags: the lane */
    size_t first, last;       /* the things of its row it stands for (markers: events) */
    double x;                 /* centre of its text (axis units) */
    char text[64];
};

enum plot_label_at {
    LABEL_NONE,               /* no room anywhere: counted in tl.unlabelled */
    LABEL_INSIDE,             /* centred inside the step's segment */
    LABEL_HEADER,             /* its key in the lane's header row (tl.tags), over it */
};

struct plot_phase {           /* a KIND_start .. KIND_end pair of one component */
    double t0, t1;            /* clipped to the window, axis units */
    char *component, *kind;   /* "switch.db1", "switch_prepare" */
    const char *step;         /* kind without the mechanism's prefix: "prepare" (in kind) */
    bool outline;             /* the whole mechanism (switch_start .. switch_end) */
    size_t lane;
    int sub;                  /* bar row in its lane (steps that overlap get more) */
    int shade;                /* 0, 1: consecutive steps alternate */
    long key;                 /* entry of the step key, -1: labelled by its name */
    enum plot_label_at at;
    const char *label;        /* drawn: step, or its key's tag (NULL for outlines) */
    double label_x;           /* centre of the label (axis units) */
    size_t seq;               /* order of its start event (ties of start time) */
};

struct plot_lane {            /* one mechanism component, above the data */
    char *component;
    int subrows;              /* bar rows */
    double y_header;          /* graph y of the header row (component name, keys) */
    bool name_right;          /* the name ends at the right edge (keys at the left) */
    double y_top;             /* graph y of the top of its first bar row */
};

struct plot_step_key {        /* "a: error_detected": a step too short for its name */
    char tag[8];
    char *text;
    const char *kind;         /* the full kind it stands for */
};

/* The timeline's layout: lanes and the marker row in the band above the
 * data (graph coordinates), the keys below the x axis (screen), and the
 * figure's height, which grows with them. */
struct plot_timeline {
    double from, to;          /* x range, axis units */
    double char_w;            /* one annotation character, in axis units (errs wide) */
    struct plot_lane *lanes;
    size_t nlanes;
    struct plot_tag *markers; /* over the point events' lines */
    size_t nmarkers;
    struct plot_tag *tags;    /* keys in the lanes' headers */
    size_t ntags;
    double marker_y;          /* graph y of the marker numbers */
    double bar_h;             /* graph height of a lane's bar row */
    struct plot_step_key *keys;
    size_t nkeys;
    char **key_lines;         /* step key, then event key, one line each */
    size_t nkey_lines;
    double *key_y;            /* screen y of each key line */
    size_t events_listed;     /* events the key lists (the .gp lists all) */
    size_t unlabelled;        /* steps with no room for a label */
    double height_in;         /* the figure's height (width: 3.5 in) */
    double graph_top, graph_bottom; /* screen fractions */
    double key_rows;          /* rows reserved for the series key */
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
    /* timeline: the series lie below this fraction of the graph's height,
     * lanes and markers above it (struct plot_timeline) */
    double data_top;
    struct plot_timeline tl;
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
int plot_mark_add(struct plot_data *pd, double t, const char *component, const char *kind,
                  const char *detail);
int plot_phase_add(struct plot_data *pd, double t0, double t1, const char *component,
                   const char *kind);
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

/* ---- layout (plot_layout.c; a timeline's lanes and keys: plot_lanes.c) ---- */

/* The geometry every figure is laid out for: a 3.5 in column at 8 pt
 * (PNG and SVG are the same figure scaled), annotations at 7 pt. A
 * timeline is as wide and grows in height with its lanes and keys. */
#define PLOT_WIDTH_IN 3.5
#define PLOT_HEIGHT_IN 2.4
/* An annotation character's width as a fraction of the plotting area
 * (without and with a right-hand axis), and of the whole figure's width
 * (the keys below the x axis). Estimates that err wide. */
#define PLOT_CHAR_W 0.0205
#define PLOT_CHAR_W_Y2 0.0265
#define PLOT_KEY_CHAR_W 0.0159
/* A lane's name starts this many characters in from the left axis. */
#define PLOT_LANE_INDENT 0.3
/* Characters of a line of the keys below a timeline: a longer event is
 * cut with "…" (the .gp and .dat keep it whole). */
#define PLOT_KEY_CHARS 60
/* Events listed in the key; the .gp lists every one. */
#define PLOT_KEY_EVENTS 12
/* The data keep at least this share of a timeline's plotting area. */
#define PLOT_DATA_SHARE 0.55

/* An axis range around data [lo, hi]: 5% padding each side, never below
 * zero for data that are not (a cache of -100 entries), multiplicative
 * on a log axis. */
void plot_pad_range(double lo, double hi, bool log, double *a, double *b);
/* Lays out a timeline's annotations over x in [from, to] (axis units):
 * lanes per mechanism component, step labels and the step key, event
 * markers and the event key, the figure's height (pd->tl, pd->data_top).
 * Reorders pd->phases (by start). -1 on out of memory. */
int plot_lanes_layout(struct plot_data *pd, double from, double to, bool title);
void plot_timeline_free(struct plot_timeline *tl);
/* An event's line in the key: "n: kind (component) — detail", cut to
 * PLOT_KEY_CHARS characters (heap; NULL on out of memory). */
char *plot_event_key(const struct plot_mark *m, size_t n);
/* Characters of a text as drawn (UTF-8 continuation bytes take no room). */
size_t plot_text_chars(const char *s);
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
