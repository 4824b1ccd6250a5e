/* sim/report.c — `lparsim report`: prints the runs of a results database
 * as an aligned human table, as long-format CSV (one row per metric) or
 * as a JSON array of runs. Read-only: the database is opened with
 * SQLITE_OPEN_READONLY, so a report can run while a sweep still writes.
 *
 * Machine formats print numbers in the shortest form that reads back to
 * the same double, so CSV/JSON carry what the database holds. */
#define _POSIX_C_SOURCE 200809L /* stat, mkdir, strdup */
#include "sim/results.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPORT_BUSY_MS 60000

static const char run_sql[] =
    "SELECT run_id, run_key, status, error, scenario, scenario_sha256, rep,"
    " seed, kernel, version, started_at, wall_s, events, sim_end_ps"
    " FROM run ORDER BY run_id";
static const char param_sql[] =
    "SELECT name, value FROM param WHERE run_id = ?1 ORDER BY rowid";
static const char scalar_sql[] =
    "SELECT component, name, unit, value FROM scalar WHERE run_id = ?1"
    " ORDER BY rowid";
static const char stat_sql[] =
    "SELECT component, name, unit, count, mean, stddev, min, max,"
    " p50, p90, p99, p999 FROM statistic WHERE run_id = ?1 ORDER BY rowid";

/* Column positions in run_sql. */
enum { R_ID, R_KEY, R_STATUS, R_ERROR, R_SCEN, R_SHA, R_REP, R_SEED,
       R_KERNEL, R_VERSION, R_STARTED, R_WALL, R_EVENTS, R_SIMEND };

struct report {
    sqlite3 *db;
    const char *path;
    FILE *out;
    struct diag *err;
    int nruns;
};

static int report_fail(const char *path, sqlite3 *db, struct diag *err,
                       const char *what)
{
    struct src_loc loc = { path, 0, 0 };
    if (db)
        return diag_set(err, &loc, "%s: %s", what, sqlite3_errmsg(db));
    return diag_set(err, &loc, "%s", what);
}

/* Opens read-only and checks for the run table. sqlite reports a
 * non-database file only when it first reads it, i.e. here. */
static int open_ro(const char *path, sqlite3 **out, struct diag *err)
{
    struct stat sb;
    *out = NULL;
    if (!path || stat(path, &sb) != 0)
        return report_fail(path, NULL, err, "no such results database");
    if (!S_ISREG(sb.st_mode))
        return report_fail(path, NULL, err, "not an lparsim results database");
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        report_fail(path, db, err, "cannot open results database");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, REPORT_BUSY_MS);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master"
                                    " WHERE type='table' AND name='run'",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        report_fail(path, NULL, err, "not an lparsim results database");
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

int results_open_check(const char *db_path, struct diag *err)
{
    sqlite3 *db;
    if (open_ro(db_path, &db, err))
        return -1;
    sqlite3_close(db);
    return 0;
}

/* ---- value formatting ---- */

/* Shortest of %.15g / %.17g that reads back to v. */
static const char *fmt_num(char *buf, size_t n, double v)
{
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, n, "%.17g", v);
    return buf;
}

/* Integer columns that hold uint64_t bit patterns (see results.c). */
static bool col_is_u64(const char *name)
{
    static const char *const u64[] = { "seed", "events", "sim_end_ps", "count" };
    for (size_t i = 0; i < sizeof u64 / sizeof u64[0]; i++)
        if (strcmp(name, u64[i]) == 0)
            return true;
    return false;
}

/* Column i as text for the human and CSV formats; "" for NULL. */
static const char *col_str(sqlite3_stmt *st, int i, char *buf, size_t n,
                           bool human)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        return "";
    case SQLITE_INTEGER:
        if (col_is_u64(sqlite3_column_name(st, i)))
            snprintf(buf, n, "%llu",
                     (unsigned long long)(uint64_t)sqlite3_column_int64(st, i));
        else
            snprintf(buf, n, "%lld", (long long)sqlite3_column_int64(st, i));
        return buf;
    case SQLITE_FLOAT:
        if (human) {
            /* Counts (ios_issued, ...) print exactly; the rest to 6 digits. */
            double v = sqlite3_column_double(st, i);
            if (v == (double)(long long)v && v < 1e15 && v > -1e15)
                snprintf(buf, n, "%lld", (long long)v);
            else
                snprintf(buf, n, "%.6g", v);
        } else
            fmt_num(buf, n, sqlite3_column_double(st, i));
        return buf;
    default:
        return (const char *)sqlite3_column_text(st, i);
    }
}

static void fmt_time_ps(char *buf, size_t n, uint64_t ps)
{
    static const struct { const char *unit; double scale; } u[] = {
        { "s", 1e12 }, { "ms", 1e9 }, { "us", 1e6 }, { "ns", 1e3 }, { "ps", 1 },
    };
    size_t i = 0;
    while (i + 1 < sizeof u / sizeof u[0] && (double)ps < u[i].scale)
        i++;
    snprintf(buf, n, "%.6g %s", (double)ps / u[i].scale, u[i].unit);
}

/* ---- per-run child queries ---- */

static int query_run(struct report *r, const char *sql, sqlite3_int64 run_id,
                     sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK)
        return report_fail(r->path, r->db, r->err, "cannot read results");
    sqlite3_bind_int64(*st, 1, run_id);
    return 0;
}

static int finish(struct report *r, sqlite3_stmt *st, int rc)
{
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return report_fail(r->path, r->db, r->err, "cannot read results");
    return 0;
}

/* ---- human table ---- */

/* A grid of copied cells printed with per-column widths. */
struct grid {
    size_t ncols, nrows, cap;
    char **cell;
};

static int grid_add(struct grid *g, const char *const *vals)
{
    if (g->nrows == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        char **c = realloc(g->cell, cap * g->ncols * sizeof *c);
        if (!c)
            return -1;
        g->cell = c;
        g->cap = cap;
    }
    for (size_t j = 0; j < g->ncols; j++) {
        char *s = strdup(vals[j] ? vals[j] : "");
        g->cell[g->nrows * g->ncols + j] = s;
        if (!s) {
            g->nrows++; /* so grid_free frees this partial row */
            for (size_t k = j + 1; k < g->ncols; k++)
                g->cell[(g->nrows - 1) * g->ncols + k] = NULL;
            return -1;
        }
    }
    g->nrows++;
    return 0;
}

/* right[j]: right-align column j (numbers); gap[j]: spaces after it.
 * Trailing empty cells (a scalar without a unit) print nothing, so lines
 * carry no trailing blanks. */
static void grid_print(const struct grid *g, FILE *out, const bool *right,
                       const int *gap)
{
    size_t w[16] = { 0 };
    for (size_t i = 0; i < g->nrows; i++)
        for (size_t j = 0; j < g->ncols && j < 16; j++) {
            size_t len = strlen(g->cell[i * g->ncols + j]);
            if (len > w[j])
                w[j] = len;
        }
    for (size_t i = 0; i < g->nrows; i++) {
        char *const *row = &g->cell[i * g->ncols];
        size_t end = g->ncols;
        while (end > 1 && !row[end - 1][0])
            end--;
        fputs("    ", out);
        for (size_t j = 0; j < end; j++) {
            bool last = j + 1 == end;
            if (right[j])
                fprintf(out, "%*s", (int)w[j], row[j]);
            else
                fprintf(out, "%-*s", last ? 0 : (int)w[j], row[j]);
            if (!last)
                fprintf(out, "%*s", gap[j], "");
        }
        fputc('\n', out);
    }
}

static void grid_free(struct grid *g)
{
    for (size_t i = 0; i < g->nrows * g->ncols; i++)
        free(g->cell[i]);
    free(g->cell);
}

/* Loads a child query (ncols columns, an optional header row) into a grid
 * and prints it under a title; nothing when the query has no rows. */
static int table_section(struct report *r, const char *title, const char *sql,
                         sqlite3_int64 run_id, const char *const *header,
                         const bool *right, const int *gap, size_t ncols)
{
    sqlite3_stmt *st;
    if (query_run(r, sql, run_id, &st))
        return -1;
    struct grid g = { ncols, 0, 0, NULL };
    int e = header ? grid_add(&g, header) : 0;
    int rc;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char buf[16][64];
        const char *vals[16];
        for (size_t j = 0; j < ncols; j++)
            vals[j] = col_str(st, (int)j, buf[j], sizeof buf[j], true);
        e = grid_add(&g, vals);
    }
    if (e) {
        sqlite3_finalize(st);
        grid_free(&g);
        return report_fail(r->path, NULL, r->err, "out of memory");
    }
    if (g.nrows > (header ? 1u : 0u)) {
        fprintf(r->out, "  %s:\n", title);
        grid_print(&g, r->out, right, gap);
    }
    grid_free(&g);
    return finish(r, st, rc);
}

static const char tbl_param_sql[] =
    "SELECT name, '=', value FROM param WHERE run_id = ?1 ORDER BY rowid";
static const char tbl_scalar_sql[] =
    "SELECT component, name, '=', value, unit FROM scalar WHERE run_id = ?1"
    " ORDER BY rowid";
static const char tbl_stat_sql[] =
    "SELECT component, name, unit, count, mean, p50, p99, max FROM statistic"
    " WHERE run_id = ?1 ORDER BY rowid";

static int table_run(struct report *r, sqlite3_stmt *run)
{
    char b[R_SIMEND + 1][64], end[64];
    const char *v[R_SIMEND + 1];
    for (int i = 0; i <= R_SIMEND; i++)
        v[i] = col_str(run, i, b[i], sizeof b[i], true);
    sqlite3_int64 id = sqlite3_column_int64(run, R_ID);
    fmt_time_ps(end, sizeof end, (uint64_t)sqlite3_column_int64(run, R_SIMEND));
    fprintf(r->out, "run %s  %s  scenario %s  rep %s  seed %s  kernel %s\n",
            v[R_ID], v[R_STATUS], v[R_SCEN], v[R_REP], v[R_SEED], v[R_KERNEL]);
    fprintf(r->out, "  wall_s %s  events %s  sim_end %s\n  key %s\n",
            v[R_WALL], v[R_EVENTS], end, v[R_KEY]);
    if (sqlite3_column_type(run, R_ERROR) != SQLITE_NULL)
        fprintf(r->out, "  error: %s\n", sqlite3_column_text(run, R_ERROR));
    static const bool pr[] = { false, false, false };
    static const int pg[] = { 1, 1 };
    static const bool sr[] = { false, false, false, true, false };
    static const int sg[] = { 2, 1, 1, 1 };
    static const char *const sh[] = { "component", "name", "unit", "count",
                                      "mean", "p50", "p99", "max" };
    static const bool tr[] = { false, false, false, true, true, true, true, true };
    static const int tg[] = { 2, 2, 2, 2, 2, 2, 2 };
    if (table_section(r, "params", tbl_param_sql, id, NULL, pr, pg, 3) ||
        table_section(r, "scalars", tbl_scalar_sql, id, NULL, sr, sg, 5) ||
        table_section(r, "statistics", tbl_stat_sql, id, sh, tr, tg, 8))
        return -1;
    fputc('\n', r->out);
    return 0;
}

/* ---- CSV ---- */

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' &&
        (!*s || s[strlen(s) - 1] != ' ')) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

#define CSV_COLS 17
static const char *const csv_header[CSV_COLS] = {
    "run_id", "run_key", "status", "component", "name", "unit", "kind",
    "value", "count", "mean", "stddev", "min", "max", "p50", "p90", "p99",
    "p999",
};

static void csv_row(FILE *out, const char *const *f)
{
    for (int i = 0; i < CSV_COLS; i++) {
        if (i)
            fputc(',', out);
        csv_field(out, f[i] ? f[i] : "");
    }
    fputc('\n', out);
}

/* Rows of a child query: the statement's columns land in the CSV columns
 * listed in `to`. */
static int csv_section(struct report *r, const char *sql, const char **f,
                       const char *kind, const int *to, int ncols,
                       sqlite3_int64 id)
{
    sqlite3_stmt *st;
    if (query_run(r, sql, id, &st))
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char buf[CSV_COLS][64];
        const char *row[CSV_COLS];
        memcpy(row, f, sizeof row);
        row[6] = kind;
        for (int j = 0; j < ncols; j++)
            row[to[j]] = col_str(st, j, buf[j], sizeof buf[j], false);
        csv_row(r->out, row);
    }
    return finish(r, st, rc);
}

static int csv_run(struct report *r, sqlite3_stmt *run)
{
    char b[3][64];
    const char *f[CSV_COLS] = { 0 };
    f[0] = col_str(run, R_ID, b[0], 64, false);
    f[1] = col_str(run, R_KEY, b[1], 64, false);
    f[2] = col_str(run, R_STATUS, b[2], 64, false);
    /* The run's own attributes, long format like everything else. */
    for (int i = R_ERROR; i <= R_SIMEND; i++) {
        char v[64];
        const char *row[CSV_COLS];
        memcpy(row, f, sizeof row);
        row[4] = sqlite3_column_name(run, i);
        row[6] = "run";
        row[7] = col_str(run, i, v, sizeof v, false);
        csv_row(r->out, row);
    }
    sqlite3_int64 id = sqlite3_column_int64(run, R_ID);
    static const int pto[] = { 4, 7 };
    static const int sto[] = { 3, 4, 5, 7 };
    static const int tto[] = { 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    return csv_section(r, param_sql, f, "param", pto, 2, id) ||
                   csv_section(r, scalar_sql, f, "scalar", sto, 4, id) ||
                   csv_section(r, stat_sql, f, "statistic", tto, 12, id)
               ? -1
               : 0;
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), 0 if it
 * is invalid (stray continuation, overlong form, surrogate, > U+10FFFF). */
static int utf8_len(const unsigned char *p)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    int len;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0; /* overlong */
    else if (c == 0xed)
        hi = 0x9f; /* surrogates */
    else if (c == 0xf0)
        lo = 0x90; /* overlong */
    else if (c == 0xf4)
        hi = 0x8f; /* beyond U+10FFFF */
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* Emits a JSON string; invalid UTF-8 becomes U+FFFD so the output always
 * parses. */
static void json_str(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
            p++;
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc(c, out);
            p++;
        } else {
            int len = utf8_len(p);
            bool ok = len > 0;
            if (ok) {
                fwrite(p, 1, (size_t)len, out);
                p += len;
            } else {
                fputs("\\ufffd", out);
                p++;
            }
        }
    }
    fputc('"', out);
}

static void json_col(FILE *out, sqlite3_stmt *st, int i)
{
    char buf[64];
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL ||
        (type == SQLITE_FLOAT && !isfinite(sqlite3_column_double(st, i))))
        fputs("null", out);
    else if (type == SQLITE_TEXT || type == SQLITE_BLOB)
        json_str(out, (const char *)sqlite3_column_text(st, i));
    else
        fputs(col_str(st, i, buf, sizeof buf, false), out);
}

/* The current row as a JSON object keyed by column name. */
static void json_row(FILE *out, sqlite3_stmt *st)
{
    fputc('{', out);
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        if (i)
            fputs(", ", out);
        json_str(out, sqlite3_column_name(st, i));
        fputs(": ", out);
        json_col(out, st, i);
    }
    fputc('}', out);
}

static int json_array(struct report *r, const char *key, const char *sql,
                      sqlite3_int64 id)
{
    sqlite3_stmt *st;
    if (query_run(r, sql, id, &st))
        return -1;
    fprintf(r->out, ",\n   \"%s\": [", key);
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fputs(n++ ? ",\n    " : "\n    ", r->out);
        json_row(r->out, st);
    }
    fputs(n ? "\n   ]" : "]", r->out);
    return finish(r, st, rc);
}

static int json_params(struct report *r, sqlite3_int64 id)
{
    sqlite3_stmt *st;
    if (query_run(r, param_sql, id, &st))
        return -1;
    fputs(",\n   \"params\": {", r->out);
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++)
            fputs(", ", r->out);
        json_col(r->out, st, 0);
        fputs(": ", r->out);
        json_col(r->out, st, 1);
    }
    fputc('}', r->out);
    return finish(r, st, rc);
}

static int json_run(struct report *r, sqlite3_stmt *run)
{
    sqlite3_int64 id = sqlite3_column_int64(run, R_ID);
    fputs(r->nruns ? ",\n  {" : "\n  {", r->out);
    for (int i = 0; i < sqlite3_column_count(run); i++) {
        fputs(i ? ", " : "", r->out);
        json_str(r->out, sqlite3_column_name(run, i));
        fputs(": ", r->out);
        json_col(r->out, run, i);
    }
    if (json_params(r, id) || json_array(r, "scalars", scalar_sql, id) ||
        json_array(r, "statistics", stat_sql, id))
        return -1;
    fputs("}", r->out);
    return 0;
}

/* ---- driver ---- */

int results_report(const char *db_path, FILE *out, enum report_format fmt,
                   struct diag *err)
{
    struct report r = { NULL, db_path, out, err, 0 };
    if (open_ro(db_path, &r.db, err))
        return -1;
    sqlite3_stmt *run;
    if (sqlite3_prepare_v2(r.db, run_sql, -1, &run, NULL) != SQLITE_OK) {
        report_fail(db_path, r.db, err, "cannot read results");
        sqlite3_close(r.db);
        return -1;
    }
    if (fmt == REPORT_CSV)
        csv_row(out, csv_header);
    else if (fmt == REPORT_JSON)
        fputc('[', out);
    int rc, e = 0;
    while (!e && (rc = sqlite3_step(run)) == SQLITE_ROW) {
        e = fmt == REPORT_CSV    ? csv_run(&r, run)
            : fmt == REPORT_JSON ? json_run(&r, run)
                                 : table_run(&r, run);
        r.nruns++;
    }
    if (!e && rc != SQLITE_DONE)
        e = report_fail(db_path, r.db, err, "cannot read results");
    if (fmt == REPORT_JSON)
        fputs(r.nruns ? "\n]\n" : "]\n", out);
    sqlite3_finalize(run);
    sqlite3_close(r.db);
    return e ? -1 : 0;
}
