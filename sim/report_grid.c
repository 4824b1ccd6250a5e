/* sim/report_grid.c — the pieces every view of `lparsim report` uses:
 * aligned text tables, a column's value as text, and the run selection
 * (--run) as an SQL filter (report_internal.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "sim/report_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int grid_add(struct grid *g, const char *const *vals)
{
    if (g->nrows == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        char **c = realloc(g->cell, cap * g->ncols * sizeof *c);
        if (!c)
            return -1;
        g->cell = c;
        g->cap = cap;
    }
    char **row = &g->cell[g->nrows * g->ncols];
    int e = 0;
    for (size_t j = 0; j < g->ncols; j++)
        if (!(row[j] = strdup(vals[j] ? vals[j] : "")))
            e = -1;
    g->nrows++; /* a partial row is freed with the rest */
    return e;
}

void grid_print(const struct grid *g, FILE *out, int indent, const bool *right)
{
    size_t w[32] = { 0 };
    for (size_t i = 0; i < g->nrows; i++)
        for (size_t j = 0; j < g->ncols && j < 32; j++) {
            const char *c = g->cell[i * g->ncols + j];
            size_t len = c ? strlen(c) : 0;
            w[j] = len > w[j] ? len : w[j];
        }
    for (size_t i = 0; i < g->nrows; i++) {
        char *const *row = &g->cell[i * g->ncols];
        size_t end = g->ncols;
        while (end > 1 && (!row[end - 1] || !row[end - 1][0]))
            end--;
        fprintf(out, "%*s", indent, "");
        for (size_t j = 0; j < end; j++) {
            bool last = j + 1 == end;
            const char *c = row[j] ? row[j] : "";
            if (right[j])
                fprintf(out, "%*s", (int)w[j], c);
            else
                fprintf(out, "%-*s", last ? 0 : (int)w[j], c);
            if (!last)
                fputs("  ", out);
        }
        fputc('\n', out);
    }
}

void grid_free(struct grid *g)
{
    for (size_t i = 0; i < g->nrows * g->ncols; i++)
        free(g->cell[i]);
    free(g->cell);
    g->cell = NULL;
    g->nrows = g->cap = 0;
}

/* Integer columns that hold uint64_t bit patterns (see results.c). */
static bool col_is_u64(const char *name)
{
    static const char *const u64[] = { "seed", "events", "sim_end_ps", "count", "t_ps" };
    for (size_t i = 0; name && i < sizeof u64 / sizeof u64[0]; i++)
        if (strcmp(name, u64[i]) == 0)
            return true;
    return false;
}

const char *report_col_str(sqlite3_stmt *st, int i, char *buf, size_t n, bool human)
{
    double v;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        return "";
    case SQLITE_INTEGER:
        if (col_is_u64(sqlite3_column_name(st, i)))
            snprintf(buf, n, "%" PRIu64, (uint64_t)sqlite3_column_int64(st, i));
        else
            snprintf(buf, n, "%lld", (long long)sqlite3_column_int64(st, i));
        return buf;
    case SQLITE_FLOAT:
        v = sqlite3_column_double(st, i);
        if (human && v == (double)(long long)v && v < 1e15 && v > -1e15)
            snprintf(buf, n, "%lld", (long long)v);
        else if (human)
            snprintf(buf, n, "%.6g", v);
        else if (snprintf(buf, n, "%.15g", v) > 0 && strtod(buf, NULL) != v)
            snprintf(buf, n, "%.17g", v);
        return buf;
    default:
        return (const char *)sqlite3_column_text(st, i);
    }
}

static bool has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

char *report_run_filter(sqlite3 *db, const char *path, const struct report_options *o,
                        struct diag *err)
{
    struct src_loc loc = { path, 0, 0 };
    if (!o->nruns)
        return strdup("");
    int64_t *all = NULL;
    size_t nall = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT run_id FROM run ORDER BY run_id", -1, &st, NULL) ==
        SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t *g = realloc(all, (nall + 1) * sizeof *g);
            if (!g)
                break;
            all = g;
            all[nall++] = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    char *sql = malloc(32 + 22 * o->nruns);
    size_t used = sql ? (size_t)sprintf(sql, " WHERE run_id IN (") : 0;
    for (size_t i = 0; sql && i < o->nruns; i++) {
        if (!has_id(all, nall, o->runs[i])) {
            diag_set(err, &loc, "no run %" PRId64 " (the database holds %zu run%s%s)",
                     o->runs[i], nall, nall == 1 ? "" : "s",
                     nall ? "; `lparsim report DB` lists them" : "");
            free(sql);
            free(all);
            return NULL;
        }
        used += (size_t)sprintf(sql + used, "%s%" PRId64, i ? "," : "", o->runs[i]);
    }
    free(all);
    if (!sql) {
        diag_set(err, &loc, "out of memory");
        return NULL;
    }
    sprintf(sql + used, ")");
    return sql;
}
