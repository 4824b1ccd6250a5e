/* sim/report.c — `lparsim report`: the runs of a results database as a
 * human table (the headline view, report_headline.c; or, with --all or
 * --component, every metric of every run), as long-format CSV (one row
 * per metric) or as a JSON array of runs. --run limits it to some runs,
 * --component to components matching a glob.
 *
 * Nothing is printed from a database that turns out damaged half-way:
 * the database is read through first (PRAGMA quick_check) and the report
 * is built in memory and written only when complete. The database is
 * only read (results_open_read), so a report can run during a sweep.
 *
 * Machine formats print numbers in the shortest form that reads back to
 * the same double, so CSV/JSON carry what the database holds. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "sim/report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"

static const char param_sql[] =
    "SELECT name, value FROM param WHERE run_id = ?1 ORDER BY rowid";
static const char scalar_sql[] =
    "SELECT component, name, unit, value FROM scalar WHERE run_id = ?1"
    " AND component GLOB ?2 ORDER BY rowid";
static const char stat_sql[] =
    "SELECT component, name, unit, count, mean, stddev, min, max,"
    " p50, p90, p99, p999 FROM statistic WHERE run_id = ?1 AND component GLOB ?2"
    " ORDER BY rowid";

/* Column positions in the run query (report_run_sql). */
enum { R_ID, R_KEY, R_STATUS, R_ERROR, R_SCEN, R_SHA, R_REP, R_SEED,
       R_KERNEL, R_VERSION, R_STARTED, R_WALL, R_EVENTS, R_SIMEND, R_POINT };

struct report {
    sqlite3 *db;
    const char *path;
    FILE *out;
    struct diag *err;
    const char *glob;         /* --component, "*" for every component */
    int nruns;
};

static int report_fail(struct report *r, const char *what)
{
    return results_sqlite_fail(r->db, r->path, r->err, what);
}

/* ---- per-run child queries ---- */

static int query_run(struct report *r, const char *sql, sqlite3_int64 run_id,
                     sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK)
        return report_fail(r, "cannot read results");
    sqlite3_bind_int64(*st, 1, run_id);
    if (sqlite3_bind_parameter_count(*st) >= 2)
        sqlite3_bind_text(*st, 2, r->glob, -1, SQLITE_STATIC);
    return 0;
}

static int finish(struct report *r, sqlite3_stmt *st, int rc)
{
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : report_fail(r, "cannot read results");
}

/* ---- every metric of a run (--all, --component) ---- */

/* Loads a child query (ncols columns, an optional header row) into a grid
 * and prints it under a title; nothing when the query has no rows. */
static int table_section(struct report *r, const char *title, const char *sql,
                         sqlite3_int64 run_id, const char *const *header,
                         const bool *right, size_t ncols)
{
    sqlite3_stmt *st;
    if (query_run(r, sql, run_id, &st))
        return -1;
    struct grid g = { ncols, 0, 0, NULL };
    int e = header ? grid_add(&g, header) : 0;
    int rc = SQLITE_DONE;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char buf[16][64];
        const char *vals[16];
        for (size_t j = 0; j < ncols; j++)
            vals[j] = report_col_str(st, (int)j, buf[j], sizeof buf[j], true);
        e = grid_add(&g, vals);
    }
    if (e) {
        sqlite3_finalize(st);
        grid_free(&g);
        return diag_set(r->err, NULL, "out of memory");
    }
    if (g.nrows > (header ? 1u : 0u)) {
        fprintf(r->out, "  %s:\n", title);
        grid_print(&g, r->out, 4, right);
    }
    grid_free(&g);
    return finish(r, st, rc);
}

static const char tbl_param_sql[] =
    "SELECT name, '=', value FROM param WHERE run_id = ?1 ORDER BY rowid";
static const char tbl_scalar_sql[] =
    "SELECT component, name, '=', value, unit FROM scalar WHERE run_id = ?1"
    " AND component GLOB ?2 ORDER BY rowid";
static const char tbl_stat_sql[] =
    "SELECT component, name, unit, count, mean, p50, p99, max FROM statistic"
    " WHERE run_id = ?1 AND component GLOB ?2 ORDER BY rowid";

static int table_run(struct report *r, sqlite3_stmt *run)
{
    char b[R_POINT + 1][64], end[64];
    const char *v[R_POINT + 1];
    for (int i = 0; i <= R_POINT; i++)
        v[i] = report_col_str(run, i, b[i], sizeof b[i], true);
    sqlite3_int64 id = sqlite3_column_int64(run, R_ID);
    unit_show_measured((double)(uint64_t)sqlite3_column_int64(run, R_SIMEND) / 1e3, "ns",
                       end, sizeof end);
    fprintf(r->out, "run %s  %s  scenario %s%s%s  rep %s  seed %s  kernel %s\n", v[R_ID],
            v[R_STATUS], v[R_SCEN], *v[R_POINT] ? "  point " : "", v[R_POINT], v[R_REP],
            v[R_SEED], v[R_KERNEL]);
    fprintf(r->out, "  wall_s %s  events %s  sim_end %s\n  key %s\n", v[R_WALL],
            v[R_EVENTS], end, v[R_KEY]);
    if (sqlite3_column_type(run, R_ERROR) != SQLITE_NULL)
        fprintf(r->out, "  error: %s\n", sqlite3_column_text(run, R_ERROR));
    static const bool pr[] = { false, false, false };
    static const bool sr[] = { false, false, false, true, false };
    static const char *const sh[] = { "component", "name", "unit", "count",
                                      "mean", "p50", "p99", "max" };
    static const bool tr[] = { false, false, false, true, true, true, true, true };
    if (table_section(r, "params", tbl_param_sql, id, NULL, pr, 3) ||
        table_section(r, "scalars", tbl_scalar_sql, id, NULL, sr, 5) ||
        table_section(r, "statistics", tbl_stat_sql, id, sh, tr, 8))
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
            row[to[j]] = report_col_str(st, j, buf[j], sizeof buf[j], false);
        csv_row(r->out, row);
    }
    return finish(r, st, rc);
}

static int csv_run(struct report *r, sqlite3_stmt *run)
{
    char b[3][64];
    const char *f[CSV_COLS] = { 0 };
    f[0] = report_col_str(run, R_ID, b[0], 64, false);
    f[1] = report_col_str(run, R_KEY, b[1], 64, false);
    f[2] = report_col_str(run, R_STATUS, b[2], 64, false);
    /* The run's own attributes, long format like everything else. */
    for (int i = R_ERROR; i <= R_POINT; i++) {
        char v[64];
        const char *row[CSV_COLS];
        memcpy(row, f, sizeof row);
        row[4] = sqlite3_column_name(run, i);
        row[6] = "run";
        row[7] = report_col_str(run, i, v, sizeof v, false);
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
        fputs(report_col_str(st, i, buf, sizeof buf, false), out);
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

/* The run columns, point as NULL in a database of schema 1. */
static char *run_query(sqlite3 *db, const char *filter)
{
    const char *point = results_has_column(db, "run", "point") ? "point" : "NULL AS point";
    size_t n = 512 + strlen(filter);
    char *sql = malloc(n);
    if (sql)
        snprintf(sql, n,
                 "SELECT run_id, run_key, status, error, scenario, scenario_sha256, rep,"
                 " seed, kernel, version, started_at, wall_s, events, sim_end_ps, %s"
                 " FROM run%s ORDER BY run_id", point, filter);
    return sql;
}

static int report_runs(struct report *r, enum report_format fmt, const char *filter)
{
    char *sql = run_query(r->db, filter);
    sqlite3_stmt *run;
    if (!sql || sqlite3_prepare_v2(r->db, sql, -1, &run, NULL) != SQLITE_OK) {
        free(sql);
        return report_fail(r, "cannot read results");
    }
    free(sql);
    if (fmt == REPORT_CSV)
        csv_row(r->out, csv_header);
    else if (fmt == REPORT_JSON)
        fputc('[', r->out);
    int rc = SQLITE_DONE, e = 0;
    while (!e && (rc = sqlite3_step(run)) == SQLITE_ROW) {
        e = fmt == REPORT_CSV    ? csv_run(r, run)
            : fmt == REPORT_JSON ? json_run(r, run)
                                 : table_run(r, run);
        r->nruns++;
    }
    if (!e && rc != SQLITE_DONE)
        e = report_fail(r, "cannot read results");
    if (fmt == REPORT_JSON)
        fputs(r->nruns ? "\n]\n" : "]\n", r->out);
    sqlite3_finalize(run);
    return e;
}

/* Builds the whole report in memory; out sees it only when complete. */
int results_report(const char *db_path, FILE *out, const struct report_options *o,
                   struct diag *err)
{
    struct report r = { NULL, db_path, NULL, err, o->component ? o->component : "*", 0 };
    char *text = NULL, *filter = NULL;
    size_t len = 0;
    if (results_open_read(db_path, true, &r.db, NULL, err))
        return -1;
    int e = (filter = report_run_filter(r.db, db_path, o, err)) ? 0 : -1;
    if (!e && !(r.out = open_memstream(&text, &len)))
        e = diag_set(err, NULL, "out of memory");
    if (!e && o->fmt == REPORT_TABLE && !o->all && !o->component)
        e = report_headline(r.db, db_path, r.out, o, err);
    else if (!e)
        e = report_runs(&r, o->fmt, filter);
    if (r.out && fclose(r.out) != 0 && !e)
        e = diag_set(err, NULL, "out of memory");
    sqlite3_close(r.db);
    if (!e)
        fwrite(text, 1, len, out);
    free(text);
    free(filter);
    return e ? -1 : 0;
}
