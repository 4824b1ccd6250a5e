/* sim/report_data.c — what the headline view of `lparsim report` reads
 * (report_internal.h): the selected runs, their parameters, the headline
 * values (per LPAR io_latency mean/p50/p99, throughput and ios_*
 * scalars; every scalar of the mechanisms' components), grouping of runs
 * into points, and a point's mean and 95% confidence interval over its
 * completed runs. Printing is in report_headline.c. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "sim/report_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"

#define MECHANISMS "(component GLOB 'lpm.*' OR component GLOB 'switch.*' OR" \
                   " component GLOB 'failover.*' OR component GLOB 'eeh.*' OR"   \
                   " component GLOB 'irq.*')"
#define LPARS "component GLOB 'lpar.*' AND component NOT GLOB 'lpar.*.*'"

int report_oom(struct headline *h)
{
    return diag_set(h->err, NULL, "out of memory");
}

static char *dup_col(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return strdup(t ? t : "");
}

static void *grow(void *p, size_t n, size_t elem)
{
    return realloc(p, (n + 1) * elem);
}

/* ---- loading ---- */

static int prepare_f(struct headline *h, sqlite3_stmt **st, const char *fmt, const char *arg)
{
    char sql[2048];
    snprintf(sql, sizeof sql, fmt, arg);
    if (sqlite3_prepare_v2(h->db, sql, -1, st, NULL) != SQLITE_OK)
        return results_sqlite_fail(h->db, h->path, h->err, "cannot read results");
    return 0;
}

static int done(struct headline *h, sqlite3_stmt *st, int rc, int e)
{
    sqlite3_finalize(st);
    if (!e && rc != SQLITE_DONE)
        return results_sqlite_fail(h->db, h->path, h->err, "cannot read results");
    return e;
}

static int load_runs(struct headline *h)
{
    sqlite3_stmt *st;
    char fmt[512];
    snprintf(fmt, sizeof fmt, "SELECT run_id, rep, %s, status, error, scenario, kernel, seed,"
             " events, sim_end_ps, wall_s, run_key FROM run%%s ORDER BY run_id",
             results_has_column(h->db, "run", "point") ? "point" : "NULL");
    if (prepare_f(h, &st, fmt, h->filter))
        return -1;
    int rc = SQLITE_DONE, e = 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hrun *g = grow(h->runs, h->nruns, sizeof *g);
        if (!g) {
            e = report_oom(h);
            break;
        }
        h->runs = g;
        struct hrun *r = memset(&g[h->nruns++], 0, sizeof *g);
        r->id = sqlite3_column_int64(st, 0);
        r->rep = sqlite3_column_int64(st, 1);
        r->has_point = sqlite3_column_type(st, 2) != SQLITE_NULL;
        r->point = sqlite3_column_int64(st, 2);
        r->status = dup_col(st, 3);
        r->error = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL : dup_col(st, 4);
        r->scenario = dup_col(st, 5);
        r->kernel = dup_col(st, 6);
        r->seed = (uint64_t)sqlite3_column_int64(st, 7);
        r->events = (uint64_t)sqlite3_column_int64(st, 8);
        r->sim_end = (uint64_t)sqlite3_column_int64(st, 9);
        r->wall = sqlite3_column_double(st, 10);
        r->key = dup_col(st, 11);
        r->completed = strcmp(r->status, "failed") != 0;
        if (!r->status || !r->scenario || !r->kernel || !r->key)
            e = report_oom(h);
    }
    return done(h, st, rc, e);
}

static int load_params(struct headline *h)
{
    sqlite3_stmt *st;
    if (prepare_f(h, &st, "SELECT run_id, name, value FROM param%s ORDER BY run_id, rowid",
                  h->filter))
        return -1;
    int rc = SQLITE_DONE, e = 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hparam *g = grow(h->params, h->nparams, sizeof *g);
        if (!g) {
            e = report_oom(h);
            break;
        }
        h->params = g;
        struct hparam *p = &g[h->nparams++];
        p->run = sqlite3_column_int64(st, 0);
        p->name = dup_col(st, 1);
        p->value = dup_col(st, 2);
        e = p->name && p->value ? 0 : report_oom(h);
    }
    return done(h, st, rc, e);
}

static int val_cmp(const void *a, const void *b)
{
    const struct hval *x = a, *y = b;
    if (x->run != y->run)
        return x->run < y->run ? -1 : 1;
    int c = strcmp(x->comp, y->comp);
    return c ? c : strcmp(x->name, y->name);
}

static const char values_sql[] =
    "SELECT run_id, component, 'io_latency.mean', unit, mean FROM statistic"
    " WHERE name = 'io_latency' AND " LPARS " AND %1$s"
    " UNION ALL SELECT run_id, component, 'io_latency.p50', unit, p50 FROM statistic"
    " WHERE name = 'io_latency' AND " LPARS " AND %1$s"
    " UNION ALL SELECT run_id, component, 'io_latency.p99', unit, p99 FROM statistic"
    " WHERE name = 'io_latency' AND " LPARS " AND %1$s"
    " UNION ALL SELECT run_id, component, name, unit, value FROM scalar"
    " WHERE " LPARS " AND name IN ('throughput', 'ios_issued', 'ios_completed',"
    " 'ios_failed', 'ios_retried', 'ios_lost') AND %1$s"
    " UNION ALL SELECT run_id, component, name, unit, value FROM scalar"
    " WHERE " MECHANISMS " AND %1$s";

static int load_values(struct headline *h)
{
    sqlite3_stmt *st;
    /* the filter's WHERE becomes a condition of each branch */
    const char *cond = *h->filter ? h->filter + strlen(" WHERE ") : "1";
    char sql[4096];
    snprintf(sql, sizeof sql, values_sql, cond);
    if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
        return results_sqlite_fail(h->db, h->path, h->err, "cannot read results");
    int rc = SQLITE_DONE, e = 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hval *g = grow(h->vals, h->nvals, sizeof *g);
        if (!g) {
            e = report_oom(h);
            break;
        }
        h->vals = g;
        struct hval *v = &g[h->nvals++];
        v->run = sqlite3_column_int64(st, 0);
        v->comp = dup_col(st, 1);
        v->name = dup_col(st, 2);
        v->unit = dup_col(st, 3);
        v->v = sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
        e = v->comp && v->name && v->unit ? 0 : report_oom(h);
    }
    e = done(h, st, rc, e);
    if (!e && h->nvals)
        qsort(h->vals, h->nvals, sizeof *h->vals, val_cmp);
    return e;
}

/* Components (and, for mechanisms, their scalar names) in the order they
 * were first written. */
static int load_names(struct headline *h, struct names *ns, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
        return results_sqlite_fail(h->db, h->path, h->err, "cannot read results");
    int rc = SQLITE_DONE, e = 0, ncol = sqlite3_column_count(st);
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char **c = grow(ns->comp, ns->n, sizeof *c), **n = NULL, **u = NULL;
        if (c)
            ns->comp = c;
        if (c && (n = grow(ns->name, ns->n, sizeof *n)))
            ns->name = n;
        if (n && (u = grow(ns->unit, ns->n, sizeof *u)))
            ns->unit = u;
        if (!u) {
            e = report_oom(h);
            break;
        }
        c[ns->n] = dup_col(st, 0);
        n[ns->n] = ncol > 1 ? dup_col(st, 1) : strdup("");
        u[ns->n] = ncol > 2 ? dup_col(st, 2) : strdup("");
        ns->n++;
    }
    return done(h, st, rc, e);
}

void report_names_free(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++) {
        free(ns->comp[i]);
        free(ns->name[i]);
        free(ns->unit[i]);
    }
    free(ns->comp);
    free(ns->name);
    free(ns->unit);
}

const struct hval *report_value(const struct headline *h, int64_t run, const char *comp,
                                   const char *name)
{
    struct hval key = { run, (char *)comp, (char *)name, NULL, 0 };
    return h->nvals ? bsearch(&key, h->vals, h->nvals, sizeof key, val_cmp) : NULL;
}

/* ---- points ---- */

/* Whether the parameter (not the seed) has the same value in runs a and b. */
static const char *param_of(const struct headline *h, int64_t run, const char *name)
{
    for (size_t i = 0; i < h->nparams; i++)
        if (h->params[i].run == run && strcmp(h->params[i].name, name) == 0)
            return h->params[i].value;
    return NULL;
}

static bool same_params(const struct headline *h, int64_t a, int64_t b)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < h->nparams; i++) {
            const struct hparam *p = &h->params[i];
            if (p->run != (pass ? b : a) || strcmp(p->name, "seed") == 0)
                continue;
            const char *o = param_of(h, pass ? a : b, p->name);
            if (!o || strcmp(o, p->value) != 0)
                return false;
        }
    return true;
}

static bool same_point(const struct headline *h, const struct hrun *a, const struct hrun *b)
{
    if (strcmp(a->scenario, b->scenario) != 0 || a->has_point != b->has_point)
        return false;
    return a->has_point ? a->point == b->point : same_params(h, a->id, b->id);
}

/* Whether a parameter varies between the runs shown (the seed never
 * labels a point: reps differ by it). */
static bool param_varies(const struct headline *h, const char *name)
{
    const char *first = NULL;
    bool seen_missing = false, seen = false;
    for (size_t r = 0; r < h->nruns; r++) {
        const char *v = param_of(h, h->runs[r].id, name);
        if (!v) {
            seen_missing = true;
            continue;
        }
        if (seen && strcmp(v, first) != 0)
            return true;
        first = v;
        seen = true;
    }
    return seen && seen_missing;
}

static const char *short_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

/* Gives each run its group (point) and the label of its varied values. */
int report_group_runs(struct headline *h)
{
    for (size_t i = 0; i < h->nruns; i++) {
        struct hrun *r = &h->runs[i];
        r->group = h->ngroups;
        for (size_t j = 0; j < i; j++)
            if (same_point(h, &h->runs[j], r)) {
                r->group = h->runs[j].group;
                break;
            }
        if (r->group == h->ngroups)
            h->ngroups++;
        char label[512] = "";
        size_t used = 0;
        for (size_t p = 0; p < h->nparams; p++) {
            const struct hparam *hp = &h->params[p];
            if (hp->run != r->id || strcmp(hp->name, "seed") == 0 || !param_varies(h, hp->name))
                continue;
            int w = snprintf(label + used, sizeof label - used, "%s%s=%s", used ? " " : "",
                             short_name(hp->name), hp->value);
            used = w > 0 && used + (size_t)w < sizeof label ? used + (size_t)w : used;
        }
        if (!(r->label = strdup(label)))
            return report_oom(h);
    }
    return 0;
}

/* Mean and 95% CI half-width (NaN for one value) of a metric over the
 * completed runs of group g; *n how many had it. */
void report_group_stat(const struct headline *h, size_t g, const char *comp, const char *name,
                       double *mean, double *half, size_t *n, const char **unit)
{
    double sum = 0, sq = 0;
    *n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < h->nruns; i++) {
            const struct hval *v = h->runs[i].group == g && h->runs[i].completed
                                       ? report_value(h, h->runs[i].id, comp, name) : NULL;
            if (!v || isnan(v->v))
                continue;
            if (pass == 0) {
                sum += v->v;
                (*n)++;
                *unit = v->unit;
            } else {
                sq += (v->v - sum / (double)*n) * (v->v - sum / (double)*n);
            }
        }
    *mean = *n ? sum / (double)*n : NAN;
    *half = *n > 1 ? student_t975((unsigned)(*n - 1)) * sqrt(sq / (double)(*n - 1)) /
                         sqrt((double)*n)
                   : NAN;
}

void report_headline_free(struct headline *h)
{
    for (size_t i = 0; i < h->nruns; i++) {
        struct hrun *r = &h->runs[i];
        free(r->status);
        free(r->error);
        free(r->scenario);
        free(r->kernel);
        free(r->key);
        free(r->label);
    }
    for (size_t i = 0; i < h->nvals; i++) {
        free(h->vals[i].comp);
        free(h->vals[i].name);
        free(h->vals[i].unit);
    }
    for (size_t i = 0; i < h->nparams; i++) {
        free(h->params[i].name);
        free(h->params[i].value);
    }
    free(h->runs);
    free(h->vals);
    free(h->params);
    report_names_free(&h->lpars);
    report_names_free(&h->mech);
}


int report_headline_load(struct headline *h)
{
    return load_runs(h) || load_params(h) || load_values(h) ||
                   load_names(h, &h->lpars, "SELECT component FROM scalar WHERE " LPARS
                              " AND name = 'ios_issued' GROUP BY component ORDER BY min(rowid)") ||
                   load_names(h, &h->mech, "SELECT component, name, max(unit) FROM scalar WHERE "
                              MECHANISMS " GROUP BY component, name ORDER BY min(rowid)") ||
                   report_group_runs(h)
               ? -1 : 0;
}
