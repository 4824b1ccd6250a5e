/* cli/plot_cdf.c — `lparsim plot DB cdf`: the empirical CDF of a
 * statistic from its histogram rows (x = bucket upper bound in the
 * statistic's unit, y = cumulative fraction), one line per run, or one
 * line per value of a parameter with the histograms of its runs summed
 * (every run uses the same log buckets, so the sums are exact). The .dat
 * also carries the CCDF, P(X > x), for tail plots on a log y axis. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "cli/plot_internal.h"

#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"

static int oom(struct plot_db *q)
{
    return plot_fail(q->err, "out of memory");
}

/* ---- cdf ---- */

/* Legend text of each run: "run N" plus the parameters whose values
 * differ between the runs drawn, so a figure of a sweep reads without a
 * lookup table. */
static int run_labels(struct plot_db *q, const int64_t *ids, size_t n, char **labels)
{
    char *in = plot_sql_ids(ids, n);
    char *full = in ? plot_strf(
        "SELECT run_id, name, value FROM param WHERE run_id IN (%s)"
        " AND name IN (SELECT name FROM param WHERE run_id IN (%s) GROUP BY name"
        " HAVING count(DISTINCT coalesce(value, '')) > 1 OR count(DISTINCT run_id) < %zu)"
        " ORDER BY run_id, rowid", in, in, n) : NULL;
    sqlite3_stmt *st = NULL;
    free(in);
    if (!full)
        return oom(q);
    int e = plot_db_query(q, &st, false, full, "");
    free(full);
    for (size_t i = 0; i < n && !e; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "run %" PRId64, ids[i]);
        e = (labels[i] = strdup(buf)) ? 0 : oom(q);
    }
    int rc = SQLITE_DONE;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        for (size_t i = 0; i < n; i++) {
            if (ids[i] != id)
                continue;
            char buf[512];
            const char *name = (const char *)sqlite3_column_text(st, 1);
            const char *value = (const char *)sqlite3_column_text(st, 2);
            bool first = !strchr(labels[i], ':');
            snprintf(buf, sizeof buf, "%s%s %s=%s", labels[i], first ? ":" : ",",
                     plot_short_name(name ? name : ""), value ? value : "");
            free(labels[i]);
            e = (labels[i] = strdup(buf)) ? 0 : oom(q);
        }
    }
    if (!e && rc != SQLITE_DONE)
        e = plot_db_fail(q, "cannot read results");
    sqlite3_finalize(st);
    return e;
}

/* Below this cumulative fraction a CDF is indistinguishable from 0, so
 * the log axis starts where the first line reaches it: the empty decades
 * of a few outliers (a 1 ns latency) would squeeze the body of the plot.
 * The .dat keeps every bucket. */
#define CDF_VISIBLE 0.01

/* Turns (upper, count, lower) rows into (upper, cdf, ccdf, count); notes
 * where the lines become visible for the log axis (the [0, 2^-10) bucket
 * of exact zeros has no place on it). Empty lines are dropped. */
static void cdf_finish(struct plot_data *pd, double *max_x)
{
    size_t kept = 0;
    for (size_t i = 0; i < pd->nlines; i++) {
        struct plot_line *l = &pd->lines[i];
        uint64_t total = 0, cum = 0;
        for (size_t j = 0; j < l->nrows; j++)
            total += (uint64_t)l->rows[j].v[3];
        if (total == 0) {
            free(l->rows);
            free(l->label);
            continue;
        }
        bool visible = false;
        for (size_t j = 0; j < l->nrows; j++) {
            double *v = l->rows[j].v;
            cum += (uint64_t)v[3];
            /* integer ratios: the last row is exactly 1 and 0 */
            v[1] = (double)cum / (double)total;
            v[2] = (double)(total - cum) / (double)total;
            if (!visible && v[4] > 0 && v[1] >= CDF_VISIBLE) {
                visible = true;
                if (pd->xmin_pos == 0 || v[0] < pd->xmin_pos)
                    pd->xmin_pos = v[0];
            }
            if (v[0] > *max_x)
                *max_x = v[0];
            v[4] = 0;
        }
        pd->lines[kept++] = *l;
    }
    pd->nlines = kept;
}

/* Appends a histogram row to line l: v = upper, -, -, count, lower. */
static int cdf_row(struct plot_line *l, sqlite3_stmt *st, int col)
{
    double v[5] = { sqlite3_column_double(st, col), 0, 0,
                    (double)sqlite3_column_int64(st, col + 1),
                    sqlite3_column_double(st, col + 2) };
    return plot_row_add(l, v, 5, NULL);
}

static const char cdf_by_run_sql[] =
    "SELECT run_id, upper, sum(count), min(lower) FROM histogram"
    " WHERE component = ?1 AND name = ?2 AND run_id IN (%s)"
    " GROUP BY run_id, upper ORDER BY run_id, upper";

static int cdf_by_run(struct plot_db *q, struct plot_data *pd, const struct plot_metric *m,
                      const int64_t *ids, size_t n)
{
    char **labels = calloc(n, sizeof *labels);
    if (!labels)
        return oom(q);
    int e = run_labels(q, ids, n, labels);
    for (size_t i = 0; i < n && !e; i++) {
        struct plot_line *l;
        e = plot_line_add(pd, labels[i], &l) ? oom(q) : 0;
    }
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
    char *in = plot_sql_ids(ids, n), *sql = in ? plot_strf(cdf_by_run_sql, in) : NULL;
    sqlite3_stmt *st = NULL;
    if (!e && !sql)
        e = oom(q);
    if (!e)
        e = plot_db_query(q, &st, true, sql, "tt", m->component, m->name);
    free(in);
    free(sql);
    int rc = SQLITE_DONE;
    size_t line = 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        for (line = 0; line < n && ids[line] != id; line++)
            ;
        e = line < n && cdf_row(&pd->lines[line], st, 1) ? oom(q) : 0;
    }
    if (!e && rc != SQLITE_DONE)
        e = plot_db_fail(q, "cannot read results");
    sqlite3_finalize(st);
    return e;
}

static const char cdf_by_param_sql[] =
    "SELECT " PARAM_OF("h.run_id", "?3") " AS grp, h.upper, sum(h.count), min(h.lower)"
    " FROM histogram h WHERE h.component = ?1 AND h.name = ?2 AND h.run_id IN (%s)"
    " GROUP BY grp, h.upper ORDER BY grp, h.upper";

/* Sorts the lines into the groups' order. */
static int reorder_lines(struct plot_data *pd, const struct plot_groups *gs)
{
    struct plot_line *sorted = malloc((pd->nlines + 1) * sizeof *sorted);
    if (!sorted)
        return -1;
    for (size_t i = 0; i < gs->n; i++)
        sorted[i] = pd->lines[gs->g[i].line];
    free(pd->lines);
    pd->lines = sorted;
    return 0;
}

static int cdf_by_param(struct plot_db *q, struct plot_data *pd, const struct plot_metric *m,
                        const char *param, const int64_t *ids, size_t n)
{
    char *in = plot_sql_ids(ids, n), *sql = in ? plot_strf(cdf_by_param_sql, in) : NULL;
    sqlite3_stmt *st = NULL;
    int e = sql ? 0 : oom(q);
    if (!e)
        e = plot_db_query(q, &st, true, sql, "ttt", m->component, m->name, param);
    free(in);
    free(sql);
    struct plot_groups gs = { 0 };
    int rc = SQLITE_DONE;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        long g = plot_groups_find(&gs, (const char *)sqlite3_column_text(st, 0));
        struct plot_line *l = NULL;
        /* each new group gets its line at once, so a group beyond the
         * lines is the one just added */
        if (g >= 0 && gs.n > pd->nlines) {
            char label[512];
            plot_group_label(param, &gs.g[g], label, sizeof label);
            gs.g[g].line = pd->nlines;
            if (plot_line_add(pd, label, &l))
                g = -1;
        }
        e = g < 0 || cdf_row(&pd->lines[gs.g[g].line], st, 1) ? oom(q) : 0;
    }
    if (!e && rc != SQLITE_DONE)
        e = plot_db_fail(q, "cannot read results");
    sqlite3_finalize(st);
    if (!e && (plot_groups_sort(&gs) || reorder_lines(pd, &gs)))
        e = oom(q);
    plot_groups_free(&gs);
    return e;
}

int plot_build_cdf(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd)
{
    struct plot_metric m;
    char param[256] = "";
    int64_t *ids = NULL;
    size_t n = 0;
    if (plot_resolve(q, "statistic", "statistic", rq->metric, &m) ||
        (rq->by && plot_resolve_param(q, rq->by, param, sizeof param)) ||
        plot_select_runs(q, rq, &ids, &n)) {
        free(ids);
        return -1;
    }
    int e = rq->by ? cdf_by_param(q, pd, &m, param, ids, n) : cdf_by_run(q, pd, &m, ids, n);
    for (size_t i = 0; i < n && !e; i++)
        e = plot_run_add(pd, ids[i]) ? oom(q) : 0;
    /* a run asked for by id must show; by default, runs without samples
     * (another scenario in the same database) are left out */
    for (size_t i = 0; i < n && !e && (rq->nruns || rq->npoints) && !rq->by; i++)
        if (pd->lines[i].nrows == 0)
            e = plot_fail(q->err, "run %" PRId64 " has no samples of '%s:%s'", ids[i],
                          m.component, m.name);
    free(ids);
    if (e)
        return -1;
    double max_x = 0;
    cdf_finish(pd, &max_x);
    if (!pd->nlines)
        return plot_fail(q->err, "statistic '%s:%s' has no samples in the runs selected",
                         m.component, m.name);
    /* x in the unit its values read best in (latencies up to 300000 ns: us) */
    struct unit_scale sc = unit_scale_pick(m.unit, max_x);
    for (size_t i = 0; i < pd->nlines; i++)
        for (size_t j = 0; j < pd->lines[i].nrows; j++)
            pd->lines[i].rows[j].v[0] /= sc.div;
    pd->xmin_pos /= sc.div;
    char u[80];
    plot_unit_suffix(sc.pretty, u, sizeof u);
    pd->ncols = 4;
    snprintf(pd->columns, sizeof pd->columns, "upper%s%s cdf ccdf count", *sc.sym ? "_" : "",
             sc.sym);
    plot_fmt(pd->what, sizeof pd->what, "%s of %s:%s%s%s", rq->ccdf ? "CCDF" : "CDF",
             m.component, m.name, rq->by ? " by " : " per run", rq->by ? param : "");
    plot_fmt(pd->xlabel, sizeof pd->xlabel, "%s%s", m.name, u);
    plot_fmt(pd->ylabel, sizeof pd->ylabel, "%s",
             rq->ccdf ? "fraction of samples > x" : "cumulative fraction");
    /* log x unless asked otherwise: latencies span decades, and the tail
     * is where mechanisms differ */
    pd->logx = rq->xscale == PLOT_SCALE_LOG ||
               (rq->xscale == PLOT_SCALE_AUTO && pd->xmin_pos > 0);
    pd->logy = rq->ccdf;
    if (!rq->ccdf) {
        pd->ylo = 0;
        pd->yhi = 1;
    } else {
        pd->yhi = 1;
    }
    return 0;
}

