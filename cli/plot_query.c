/* cli/plot_query.c — the database side of `lparsim plot`: a read-only
 * connection whose data queries are logged for the provenance header, and
 * resolution of the names users type ([COMPONENT:]NAME, parameter paths)
 * with did-you-mean messages. Which runs a figure draws is plot_runs.c.
 *
 * Every value reaches SQL as a bound parameter; the only text spliced
 * into queries is a table name from a fixed list and run ids we
 * formatted ourselves. */
#define _POSIX_C_SOURCE 200809L /* open_memstream, strdup */
#include "cli/plot_internal.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/results.h"
#include "sim/suggest.h"

int plot_fail(struct diag *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return diag_set(err, NULL, "%s", msg);
}

int plot_db_fail(struct plot_db *q, const char *what)
{
    return plot_fail(q->err, "%s: %s: %s", q->path, what,
                     q->db ? sqlite3_errmsg(q->db) : "out of memory");
}

int plot_db_open(struct plot_db *q, const char *path, struct plot_data *pd,
                 struct diag *err)
{
    *q = (struct plot_db){ NULL, path, pd, err };
    if (results_open_read(path, false, &q->db, NULL, err) != 0) {
        /* results_open_read locates the message at the file; the CLI
         * prints `lparsim plot: error: MSG`, so fold the path in. */
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return plot_fail(err, "%s: %s", path, msg);
    }
    return 0;
}

void plot_db_close(struct plot_db *q)
{
    sqlite3_close(q->db);
    q->db = NULL;
}

static int record_query(struct plot_db *q, const char *sql, const char *log)
{
    size_t len = strlen(sql) + strlen(log) + 8;
    char *s = malloc(len);
    char **grown = realloc(q->pd->queries, (q->pd->nqueries + 1) * sizeof *grown);
    if (!s || !grown) {
        free(s);
        if (grown)
            q->pd->queries = grown;
        return plot_fail(q->err, "out of memory");
    }
    snprintf(s, len, "%s%s%s", sql, *log ? "  -- " : "", log);
    q->pd->queries = grown;
    q->pd->queries[q->pd->nqueries++] = s;
    return 0;
}

int plot_db_query(struct plot_db *q, sqlite3_stmt **st, bool record,
                  const char *sql, const char *types, ...)
{
    if (sqlite3_prepare_v2(q->db, sql, -1, st, NULL) != SQLITE_OK)
        return plot_db_fail(q, "cannot read results");
    char log[1024] = "";
    size_t used = 0;
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        const char *sep = i ? ", " : "";
        int w;
        if (types[i] == 't') {
            const char *s = va_arg(ap, const char *);
            sqlite3_bind_text(*st, i + 1, s, -1, SQLITE_TRANSIENT);
            w = snprintf(log + used, sizeof log - used, "%s?%d='%s'", sep, i + 1, s);
        } else {
            int64_t v = va_arg(ap, int64_t);
            sqlite3_bind_int64(*st, i + 1, v);
            w = snprintf(log + used, sizeof log - used, "%s?%d=%" PRId64, sep, i + 1, v);
        }
        if (w > 0)
            used = used + (size_t)w < sizeof log ? used + (size_t)w : sizeof log - 1;
    }
    va_end(ap);
    if (record && record_query(q, sql, log)) {
        sqlite3_finalize(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

/* ---- (component, name) pairs of a table ---- */

struct pair {
    char *comp, *name, *unit;
    bool is_statistic;
};

struct pairs {
    struct pair *p;
    size_t n, cap;
};

static void pairs_free(struct pairs *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->p[i].comp);
        free(ps->p[i].name);
        free(ps->p[i].unit);
    }
    free(ps->p);
}

static int pairs_add(struct pairs *ps, const char *comp, const char *name,
                     const char *unit, bool is_statistic)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 32;
        struct pair *p = realloc(ps->p, cap * sizeof *p);
        if (!p)
            return -1;
        ps->p = p;
        ps->cap = cap;
    }
    struct pair *e = &ps->p[ps->n];
    e->comp = strdup(comp ? comp : "");
    e->name = strdup(name ? name : "");
    e->unit = strdup(unit ? unit : "");
    e->is_statistic = is_statistic;
    ps->n++;
    return e->comp && e->name && e->unit ? 0 : -1;
}

static int load_pairs(struct plot_db *q, const char *table, struct pairs *ps)
{
    char sql[256];
    bool unit = results_has_column(q->db, table, "unit");
    snprintf(sql, sizeof sql, "SELECT component, name, %s FROM %s"
             " GROUP BY component, name ORDER BY component, name",
             unit ? "max(unit)" : "NULL", table);
    sqlite3_stmt *st;
    if (plot_db_query(q, &st, false, sql, ""))
        return -1;
    int rc;
    bool stat = strcmp(table, "statistic") == 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (pairs_add(ps, (const char *)sqlite3_column_text(st, 0),
                      (const char *)sqlite3_column_text(st, 1),
                      (const char *)sqlite3_column_text(st, 2), stat)) {
            sqlite3_finalize(st);
            return plot_fail(q->err, "out of memory");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : plot_db_fail(q, "cannot read results");
}

/* Splits "COMPONENT:NAME" (component may be empty: any). */
static int split_spec(struct plot_db *q, const char *what, const char *spec,
                      struct plot_metric *m)
{
    const char *colon = strchr(spec, ':');
    memset(m, 0, sizeof *m);
    if (colon) {
        snprintf(m->component, sizeof m->component, "%.*s", (int)(colon - spec), spec);
        spec = colon + 1;
    }
    snprintf(m->name, sizeof m->name, "%s", spec);
    if (!m->name[0])
        return plot_fail(q->err, "empty %s name in '%s'", what, spec);
    return 0;
}

/* Indexes of pairs matching comp (empty: any) and name. */
static size_t find_pairs(const struct pairs *ps, const char *comp, const char *name,
                         size_t *first)
{
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++) {
        if (strcmp(ps->p[i].name, name) != 0 || (*comp && strcmp(ps->p[i].comp, comp) != 0))
            continue;
        if (n++ == 0)
            *first = i;
    }
    return n;
}

/* Joins up to 8 distinct strings as "a, b, c, ..." into buf. */
static void join_names(const char *const *names, size_t n, char *buf, size_t size)
{
    size_t used = 0, shown = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < size; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(names[i], names[j]) == 0;
        if (dup)
            continue;
        const char *text = shown == 8 ? "..." : names[i];
        int w = snprintf(buf + used, size - used, "%s%s", shown ? ", " : "", text);
        if (w < 0 || (size_t)w >= size - used || shown++ == 8)
            break;
        used += (size_t)w;
    }
}

/* The name exists, the component does not record it: suggest among the
 * components that do. */
static int wrong_component(struct plot_db *q, const char *what, const struct plot_metric *m,
                           const struct pairs *ps)
{
    const char **comps = calloc(ps->n + 1, sizeof *comps);
    size_t n = 0;
    if (!comps)
        return plot_fail(q->err, "out of memory");
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->p[i].name, m->name) == 0)
            comps[n++] = ps->p[i].comp;
    const char *near = suggest_closest(m->component, comps, n);
    char list[512];
    join_names(comps, n, list, sizeof list);
    if (near)
        plot_fail(q->err, "no %s '%s' for component '%s' in %s (did you mean '%s'?)", what,
                  m->name, m->component, q->path, near);
    else
        plot_fail(q->err, "no %s '%s' for component '%s' in %s (recorded by: %s)", what,
                  m->name, m->component, q->path, list);
    free(comps);
    return -1;
}

/* An unknown name: suggests a name, or COMPONENT:NAME when the user wrote
 * a dot for the colon (lpar.db1.io_latency), or lists the known names. */
static int unknown_name(struct plot_db *q, const char *what, const char *spec,
                        const struct pairs *ps, const char *const *extra, size_t nextra)
{
    const char **cand = calloc(2 * ps->n + nextra + 1, sizeof *cand);
    char **owned = calloc(ps->n + 1, sizeof *owned);
    size_t n = 0, nowned = 0;
    if (!cand || !owned) {
        free(cand);
        free(owned);
        return plot_fail(q->err, "out of memory");
    }
    for (size_t i = 0; i < ps->n; i++) {
        cand[n++] = ps->p[i].name;
        if ((owned[nowned] = plot_strf("%s:%s", ps->p[i].comp, ps->p[i].name)))
            cand[n++] = owned[nowned++];
    }
    for (size_t i = 0; i < nextra; i++)
        cand[n++] = extra[i];
    const char *near = suggest_closest(spec, cand, n);
    if (near) {
        plot_fail(q->err, "no %s '%s' in %s (did you mean '%s'?)", what, spec, q->path, near);
    } else {
        char list[512];
        for (size_t i = 0; i < ps->n; i++)
            cand[i] = ps->p[i].name;
        join_names(cand, ps->n, list, sizeof list);
        plot_fail(q->err, "no %s '%s' in %s (%s%s)", what, spec, q->path,
                  ps->n ? "known: " : "the database has none", list);
    }
    for (size_t i = 0; i < nowned; i++)
        free(owned[i]);
    free(owned);
    free(cand);
    return -1;
}

static int not_found(struct plot_db *q, const char *what, const struct plot_metric *m,
                     const char *spec, const struct pairs *ps, const char *const *extra,
                     size_t nextra)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->p[i].name, m->name) == 0)
            return wrong_component(q, what, m, ps);
    return unknown_name(q, what, spec, ps, extra, nextra);
}

static int ambiguous(struct plot_db *q, const char *what, const struct plot_metric *m,
                     const struct pairs *ps)
{
    const char *comps[64];
    size_t n = 0;
    for (size_t i = 0; i < ps->n && n < 64; i++)
        if (strcmp(ps->p[i].name, m->name) == 0)
            comps[n++] = ps->p[i].comp;
    char list[512];
    join_names(comps, n, list, sizeof list);
    return plot_fail(q->err, "%s '%s' is recorded by several components (%s):"
                     " write COMPONENT:%s", what, m->name, list, m->name);
}

static void take_pair(struct plot_metric *m, const struct pair *p)
{
    snprintf(m->component, sizeof m->component, "%s", p->comp);
    snprintf(m->unit, sizeof m->unit, "%s", p->unit);
    m->is_statistic = p->is_statistic;
}

int plot_resolve(struct plot_db *q, const char *table, const char *what,
                 const char *spec, struct plot_metric *m)
{
    struct pairs ps = { 0 };
    if (split_spec(q, what, spec, m) || load_pairs(q, table, &ps)) {
        pairs_free(&ps);
        return -1;
    }
    size_t first = 0, n = find_pairs(&ps, m->component, m->name, &first);
    int e = 0;
    if (n == 1)
        take_pair(m, &ps.p[first]);
    else
        e = n ? ambiguous(q, what, m, &ps) : not_found(q, what, m, spec, &ps, NULL, 0);
    pairs_free(&ps);
    return e;
}

static const char *const stat_columns[] = {
    "count", "mean", "stddev", "min", "max", "p50", "p90", "p99", "p999",
};
#define NSTAT_COLUMNS (sizeof stat_columns / sizeof stat_columns[0])

/* NAME.COLUMN of a statistic: splits off a known column. */
static bool split_column(struct plot_metric *m)
{
    char *dot = strrchr(m->name, '.');
    if (!dot)
        return false;
    for (size_t i = 0; i < NSTAT_COLUMNS; i++)
        if (strcmp(dot + 1, stat_columns[i]) == 0) {
            snprintf(m->column, sizeof m->column, "%s", stat_columns[i]);
            *dot = '\0';
            return true;
        }
    return false;
}

/* "io_latency.p99" etc. for every statistic, as did-you-mean candidates. */
static char **column_candidates(const struct pairs *stats, size_t *n)
{
    char **c = calloc(stats->n * NSTAT_COLUMNS + 1, sizeof *c);
    *n = 0;
    for (size_t i = 0; c && i < stats->n; i++)
        for (size_t j = 0; j < NSTAT_COLUMNS; j++) {
            size_t len = strlen(stats->p[i].name) + strlen(stat_columns[j]) + 2;
            if ((c[*n] = malloc(len)))
                snprintf(c[(*n)++], len, "%s.%s", stats->p[i].name, stat_columns[j]);
        }
    return c;
}

static int resolve_y_in(struct plot_db *q, const char *spec, struct plot_metric *m,
                        struct pairs *all, size_t nscalars)
{
    size_t first = 0, n = find_pairs(all, m->component, m->name, &first);
    if (n > 1)
        return ambiguous(q, "scalar or statistic", m, all);
    if (n == 1) {
        take_pair(m, &all->p[first]);
        snprintf(m->column, sizeof m->column, "%s", m->is_statistic ? "mean" : "");
        return 0;
    }
    struct plot_metric c = *m;
    if (split_column(&c)) {
        n = find_pairs(all, c.component, c.name, &first);
        if (n == 1 && all->p[first].is_statistic) {
            *m = c;
            take_pair(m, &all->p[first]);
            return 0;
        }
        if (n > 1)
            return ambiguous(q, "statistic", &c, all);
    }
    struct pairs stats = { all->p + nscalars, all->n - nscalars, 0 };
    size_t nextra;
    char **extra = column_candidates(&stats, &nextra);
    int e = not_found(q, "scalar or statistic", m, spec, all,
                      (const char *const *)extra, nextra);
    for (size_t i = 0; i < nextra; i++)
        free(extra[i]);
    free(extra);
    return e;
}

int plot_resolve_y(struct plot_db *q, const char *spec, struct plot_metric *m)
{
    struct pairs all = { 0 };
    if (split_spec(q, "scalar or statistic", spec, m) || load_pairs(q, "scalar", &all)) {
        pairs_free(&all);
        return -1;
    }
    size_t nscalars = all.n;
    int e = load_pairs(q, "statistic", &all);
    if (!e)
        e = resolve_y_in(q, spec, m, &all, nscalars);
    pairs_free(&all);
    return e;
}

/* Distinct parameter names, in the order first recorded. */
static int load_param_names(struct plot_db *q, char ***names, size_t *n)
{
    sqlite3_stmt *st;
    *names = NULL;
    *n = 0;
    if (plot_db_query(q, &st, false, "SELECT name FROM param GROUP BY name"
                      " ORDER BY min(rowid)", ""))
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char **g = realloc(*names, (*n + 1) * sizeof *g);
        const char *s = (const char *)sqlite3_column_text(st, 0);
        if (!g || !(g[*n] = strdup(s ? s : ""))) {
            if (g)
                *names = g;
            sqlite3_finalize(st);
            return plot_fail(q->err, "out of memory");
        }
        *names = g;
        (*n)++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : plot_db_fail(q, "cannot read results");
}

static int param_not_found(struct plot_db *q, const char *spec, char **names, size_t n)
{
    const char **cand = calloc(2 * n + 1, sizeof *cand);
    if (!cand)
        return plot_fail(q->err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        cand[2 * i] = names[i];
        cand[2 * i + 1] = plot_short_name(names[i]);
    }
    const char *near = suggest_closest(spec, cand, 2 * n);
    char list[512];
    join_names((const char *const *)names, n, list, sizeof list);
    if (near)
        plot_fail(q->err, "no parameter '%s' in %s (did you mean '%s'?)", spec, q->path, near);
    else if (n)
        plot_fail(q->err, "no parameter '%s' in %s (known: %s)", spec, q->path, list);
    else
        plot_fail(q->err, "no parameter '%s' in %s (no run was given --set values)",
                  spec, q->path);
    free(cand);
    return -1;
}

int plot_resolve_param(struct plot_db *q, const char *spec, char *out, size_t size)
{
    char **names;
    size_t n;
    if (load_param_names(q, &names, &n))
        return -1;
    const char *hit = NULL, *shorts[64];
    size_t nshort = 0;
    for (size_t i = 0; i < n && !hit; i++) {
        if (strcmp(names[i], spec) == 0)
            hit = names[i];
        else if (strcmp(plot_short_name(names[i]), spec) == 0 && nshort < 64)
            shorts[nshort++] = names[i];
    }
    int e = 0;
    if (!hit && nshort == 1)
        hit = shorts[0];
    if (hit) {
        snprintf(out, size, "%s", hit);
    } else if (nshort > 1) {
        char list[512];
        join_names(shorts, nshort, list, sizeof list);
        e = plot_fail(q->err, "parameter '%s' is ambiguous in %s (%s): write the full path",
                      spec, q->path, list);
    } else {
        e = param_not_found(q, spec, names, n);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return e;
}
