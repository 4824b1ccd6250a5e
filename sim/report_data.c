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

/* Grows *p (of *n elements) by one zeroed element; NULL on out of memory. */
static void *grow_one(void **p, size_t *n, size_t elem)
{
    char *g = realloc(*p, (*n + 1) * elem);
    if (!g)
        return NULL;
    *p = g;
    memset(g + *n * elem, 0, elem);
    return g + (*n)++ * elem;
}

/* ---- loading ---- */

/* Prepares sql (a format with one %s: the run filter's condition) and hands
 * each row to take, which appends it somewhere in h; -1 with h->err. */
static int read_rows(struct headline *h, const char *fmt, const char *arg,
                     int (*take)(struct headline *h, sqlite3_stmt *st, void *ctx), void *ctx)
{
    char sql[4096];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, fmt, arg);
    if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
        return results_sqlite_fail(h->db, h->path, h->err, "cannot read results");
    int rc = SQLITE_DONE, e = 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW)
        e = take(h, st, ctx);
    sqlite3_finalize(st);
    if (!e && rc != SQLITE_DONE)
        return results_sqlite_fail(h->db, h->path, h->err, "cannot read results");
    return e;
}

static int take_run(struct headline *h, sqlite3_stmt *st, void *ctx)
{
    (void)ctx;
    struct hrun *r = grow_one((void **)&h->runs, &h->nruns, sizeof *r);
    if (!r)
        return report_oom(h);
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
    if (!r->status || !r->scenario || !r->kernel || !r->key)
        return report_oom(h);
    r->completed = strcmp(r->status, "failed") != 0;
    return 0;
}

static int load_runs(struct headline *h)
{
    char fmt[512];
    snprintf(fmt, sizeof fmt, "SELECT run_id, rep, %s, status, error, scenario, kernel, seed,"
             " events, sim_end_ps, wall_s, run_key FROM run%%s ORDER BY run_id",
             results_has_column(h->db, "run", "point") ? "point" : "NULL");
    return read_rows(h, fmt, h->filter, take_run, NULL);
}

static int take_param(struct headline *h, sqlite3_stmt *st, void *ctx)
{
    (void)ctx;
    struct hparam *p = grow_one((void **)&h->params, &h->nparams, sizeof *p);
    if (!p)
        return report_oom(h);
    p->run = sqlite3_column_int64(st, 0);
    p->name = dup_col(st, 1);
    p->value = dup_col(st, 2);
    return p->name && p->value ? 0 : report_oom(h);
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

static int take_value(struct headline *h, sqlite3_stmt *st, void *ctx)
{
    (void)ctx;
    struct hval *v = grow_one((void **)&h->vals, &h->nvals, sizeof *v);
    if (!v)
        return report_oom(h);
    v->run = sqlite3_column_int64(st, 0);
    v->comp = dup_col(st, 1);
    v->name = dup_col(st, 2);
    v->unit = dup_col(st, 3);
    v->v = sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
    return v->comp && v->name && v->unit ? 0 : report_oom(h);
}

static int load_values(struct headline *h)
{
    /* the filter's WHERE becomes a condition of each branch */
    const char *cond = *h->filter ? h->filter + strlen(" WHERE ") : "1";
    if (read_rows(h, values_sql, cond, take_value, NULL))
        return -1;
    if (h->nvals)
        qsort(h->vals, h->nvals, sizeof *h->vals, val_cmp);
    return 0;
}

/* Components (and, for mechanisms, their scalar names and units) in the
 * order they were first written. */
static int take_name(struct headline *h, sqlite3_stmt *st, void *ctx)
{
    struct names *ns = ctx;
    size_t n = ns->n, ncol = (size_t)sqlite3_column_count(st);
    char **c = grow_one((void **)&ns->comp, &n, sizeof *c);
    n = ns->n;
    char **nm = c ? grow_one((void **)&ns->name, &n, sizeof *nm) : NULL;
    n = ns->n;
    char **u = nm ? grow_one((void **)&ns->unit, &n, sizeof *u) : NULL;
    if (!u)
        return report_oom(h);
    ns->n++;
    *c = dup_col(st, 0);
    *nm = ncol > 1 ? dup_col(st, 1) : strdup("");
    *u = ncol > 2 ? dup_col(st, 2) : strdup("");
    return *c && *nm && *u ? 0 : report_oom(h);
}

static int load_names(struct headline *h, struct names *ns, const char *sql)
{
    return read_rows(h, "%s", sql, take_name, ns);
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
    return load_runs(h) ||
                   read_rows(h, "SELECT run_id, name, value FROM param%s ORDER BY run_id, rowid",
                             h->filter, take_param, NULL) ||
                   load_values(h) ||
                   load_names(h, &h->lpars, "SELECT component FROM scalar WHERE " LPARS
                              " AND name = 'ios_issued' GROUP BY component ORDER BY min(rowid)") ||
                   load_names(h, &h->mech, "SELECT component, name, max(unit) FROM scalar WHERE "
                              MECHANISMS " GROUP BY component, name ORDER BY min(rowid)") ||
                   report_group_runs(h)
               ? -1 : 0;
}
