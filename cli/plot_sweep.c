/* cli/plot_sweep.c — `lparsim plot DB sweep`: a scalar, a statistic's
 * mean or one of its columns (NAME.p99) against a swept parameter of the
 * ok runs, one line per value of a second parameter. Runs that share
 * (series value, x value) are repetitions: the line shows their mean and
 * a 95% confidence bar, mean +- t(0.975, n-1) s / sqrt(n), none for n=1. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "cli/plot_internal.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"
#include "sim/units.h"

static int oom(struct plot_db *q)
{
    return plot_fail(q->err, "out of memory");
}

/* ---- sweep ---- */

struct sweep_point {
    long series, x;     /* group indexes */
    double y;
};

static int sweep_rows(struct plot_db *q, const struct plot_metric *m, const char *xp,
                      const char *sp, struct plot_data *pd, struct plot_groups *xs,
                      struct plot_groups *ss, struct sweep_point **pts, size_t *npts)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT r.run_id, " PARAM_OF("r.run_id", "?3") " AS x, %s AS s, y.%s"
             " FROM run r JOIN %s y ON y.run_id = r.run_id"
             " WHERE r.status = 'ok' AND y.component = ?1 AND y.name = ?2"
             " AND x IS NOT NULL AND y.%s IS NOT NULL ORDER BY r.run_id",
             sp ? PARAM_OF("r.run_id", "?4") : "NULL", m->is_statistic ? m->column : "value",
             m->is_statistic ? "statistic" : "scalar", m->is_statistic ? m->column : "value");
    sqlite3_stmt *st;
    if (sp ? plot_db_query(q, &st, true, sql, "tttt", m->component, m->name, xp, sp)
           : plot_db_query(q, &st, true, sql, "ttt", m->component, m->name, xp))
        return -1;
    int rc = SQLITE_DONE, e = 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct sweep_point *p = plot_grow_one((void **)pts, npts, sizeof *p);
        if (!p || plot_run_add(pd, sqlite3_column_int64(st, 0))) {
            e = oom(q);
            break;
        }
        p->x = plot_groups_find(xs, (const char *)sqlite3_column_text(st, 1));
        p->series = plot_groups_find(ss, (const char *)sqlite3_column_text(st, 2));
        p->y = sqlite3_column_double(st, 3);
        e = p->x < 0 || p->series < 0 ? oom(q) : 0;
    }
    if (!e && rc != SQLITE_DONE)
        e = plot_db_fail(q, "cannot read results");
    sqlite3_finalize(st);
    return e;
}

/* Mean, 95% CI half-width (Student t, n-1 dof) and stddev of the ys of
 * one (series, x) cell; NaN half-width and stddev for a single rep. The
 * sixth column, the half-width of the bar drawn, is filled by the
 * caller. */
static void sweep_cell(const struct sweep_point *pts, size_t n, long s, long x, double *out)
{
    double sum = 0, sq = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].series == s && pts[i].x == x) {
            sum += pts[i].y;
            k++;
        }
    double mean = k ? sum / (double)k : NAN;
    for (size_t i = 0; i < n; i++)
        if (pts[i].series == s && pts[i].x == x)
            sq += (pts[i].y - mean) * (pts[i].y - mean);
    double sd = k > 1 ? sqrt(sq / (double)(k - 1)) : NAN;
    out[1] = mean;
    out[2] = k > 1 ? student_t975((unsigned)(k - 1)) * sd / sqrt((double)k) : NAN;
    out[3] = (double)k;
    out[4] = sd;
}

/* Index of the group that was at position old before sorting. */
static long sorted_index(const struct plot_groups *gs, const long *rank, long old)
{
    for (size_t i = 0; i < gs->n; i++)
        if (rank[i] == old)
            return (long)i;
    return -1;
}

/* Sorts the groups, remapping the points' indexes. */
static int sort_remap(struct plot_groups *gs, struct sweep_point *pts, size_t n, bool is_x)
{
    for (size_t i = 0; i < gs->n; i++)
        gs->g[i].line = i; /* remember the old index across the sort */
    if (plot_groups_sort(gs))
        return -1;
    long *rank = malloc((gs->n + 1) * sizeof *rank);
    if (!rank)
        return -1;
    for (size_t i = 0; i < gs->n; i++)
        rank[i] = (long)gs->g[i].line;
    for (size_t i = 0; i < n; i++) {
        long *field = is_x ? &pts[i].x : &pts[i].series;
        *field = sorted_index(gs, rank, *field);
    }
    free(rank);
    return 0;
}

/* A quantile is read off the histogram: it cannot be known closer than
 * its bucket, however well the reps agree. */
static bool is_quantile(const struct plot_metric *m)
{
    return m->is_statistic && m->column[0] == 'p';
}

static int sweep_lines(struct plot_data *pd, const struct plot_metric *m,
                       const struct plot_groups *xs, const struct plot_groups *ss,
                       const struct sweep_point *pts, size_t n, const char *sp, double div)
{
    for (size_t s = 0; s < ss->n; s++) {
        char label[512];
        struct plot_line *l;
        if (sp)
            plot_group_label(sp, &ss->g[s], label, sizeof label);
        else
            snprintf(label, sizeof label, "%s", pd->ylabel);
        if (plot_line_add(pd, label, &l))
            return -1;
        for (size_t x = 0; x < xs->n; x++) {
            double v[6];
            sweep_cell(pts, n, (long)s, (long)x, v);
            if (v[3] == 0)
                continue;
            v[0] = xs->numeric ? xs->g[x].num / div : (double)x;
            v[5] = v[2];
            if (is_quantile(m)) {
                double res = plot_bucket_half_width(v[1]);
                v[5] = isnan(v[2]) || v[2] < res ? res : v[2];
            }
            if (plot_row_add(l, v, 6, xs->g[x].text))
                return -1;
        }
    }
    return 0;
}

static void sweep_x_axis(struct plot_data *pd, const char *xp, const struct plot_groups *xs,
                         double *div)
{
    double lo = 0, hi = 0;
    const char *sym = "";
    *div = 1;
    for (size_t i = 0; xs->numeric && i < xs->n; i++) {
        double a = fabs(xs->g[i].num);
        hi = a > hi ? a : hi;
        lo = i == 0 || a < lo ? a : lo;
    }
    const char *pretty = "";
    if (xs->numeric)
        plot_display_unit(xs->type, hi, div, &sym, &pretty);
    plot_fmt(pd->xlabel, sizeof pd->xlabel, "%s%s%s%s", plot_short_name(xp),
             *pretty ? " (" : "", pretty, *pretty ? ")" : "");
    snprintf(pd->columns, sizeof pd->columns, "x%s%s", *sym ? "_" : "", sym);
    pd->xmin_pos = lo / *div;
}

/* y in the unit the largest value reads best in (300000 ns: us); the
 * mean, half-widths and stddev are divided by it. */
static void sweep_y_axis(struct plot_data *pd, const struct plot_metric *m, bool logy)
{
    double hi = 0;
    bool bars = false;
    for (size_t i = 0; i < pd->nlines; i++)
        for (size_t j = 0; j < pd->lines[i].nrows; j++) {
            const double *v = pd->lines[i].rows[j].v;
            double top = fabs(v[1]) + (isnan(v[5]) ? 0 : v[5]);
            hi = top > hi ? top : hi;
            bars = bars || !isnan(v[5]);
        }
    const char *unit = strcmp(m->column, "count") ? m->unit : "";
    struct unit_scale sc = unit_scale_pick(unit, hi);
    for (size_t i = 0; i < pd->nlines; i++)
        for (size_t j = 0; j < pd->lines[i].nrows; j++) {
            double *v = pd->lines[i].rows[j].v;
            v[1] /= sc.div, v[2] /= sc.div, v[4] /= sc.div, v[5] /= sc.div;
        }
    char u[80], col[32] = "", s[8];
    plot_unit_suffix(sc.pretty, u, sizeof u);
    if (m->is_statistic)
        snprintf(col, sizeof col, " %s", m->column);
    plot_fmt(pd->ylabel, sizeof pd->ylabel, "%s%s%s", m->name, col, u);
    snprintf(s, sizeof s, "%s%s", *sc.sym ? "_" : "", sc.sym);
    size_t used = strlen(pd->columns);
    snprintf(pd->columns + used, sizeof pd->columns - used,
             " mean%s ci95_half_width%s n stddev%s bar_half_width%s x_as_given", s, s, s, s);
    pd->logy = logy;
    if (bars)
        plot_fmt(pd->bars_note, sizeof pd->bars_note, "%s",
                 is_quantile(m) ? "95% CI, \xe2\x89\xa5 histogram bucket" : "95% CI");
}

/* Ranges around the points and their bars, so that the padding never
 * shows impossible values (negative cache sizes). */
static void sweep_ranges(struct plot_data *pd, const struct plot_groups *xs)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < pd->nlines; i++)
        for (size_t j = 0; j < pd->lines[i].nrows; j++) {
            const double *v = pd->lines[i].rows[j].v;
            double bar = isnan(v[5]) ? 0 : v[5];
            xlo = fmin(xlo, v[0]), xhi = fmax(xhi, v[0]);
            ylo = fmin(ylo, v[1] - bar), yhi = fmax(yhi, v[1] + bar);
        }
    if (xs->numeric) {
        plot_pad_range(xlo, xhi, pd->logx, &pd->xlo, &pd->xhi);
    } else {
        pd->xlo = -0.5;
        pd->xhi = (double)xs->n - 0.5;
    }
    if (!pd->logy && ylo >= 0)
        ylo = 0; /* a measure that cannot be negative starts at zero */
    plot_pad_range(ylo, yhi, pd->logy, &pd->ylo, &pd->yhi);
}

/* --model FILE: curves of 'x y' lines (x in the parameter's stored unit,
 * shown divided by div as the points are; y in the metric's unit, scaled
 * with the points by sweep_y_axis). A blank line ends a curve; '# title:
 * TEXT' names the next one; other '#' lines are comments. */
static int sweep_model(struct plot_db *q, struct plot_data *pd, const char *path, double div)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return plot_fail(q->err, "--model %s: cannot read it", path);
    char buf[512], title[256] = "";
    struct plot_line *l = NULL;
    int lineno = 0, e = 0, curves = 0;
    while (!e && fgets(buf, sizeof buf, f)) {
        lineno++;
        char *t = buf + strspn(buf, " \t");
        if (*t == '\n' || *t == 0) {
            l = NULL;
            continue;
        }
        if (*t == '#') {
            if (strncmp(t, "# title:", 8) == 0) {
                snprintf(title, sizeof title, "%s", t + 8 + strspn(t + 8, " \t"));
                title[strcspn(title, "\r\n")] = 0;
            }
            continue;
        }
        double x, y;
        char extra;
        if (sscanf(t, "%lf %lf %c", &x, &y, &extra) != 2) {
            e = plot_fail(q->err, "%s:%d: expected two numbers 'x y'", path, lineno);
            break;
        }
        if (!l) {
            char label[300];
            snprintf(label, sizeof label, "%s", title[0] ? title : "model");
            if (plot_line_add(pd, label, &l)) {
                e = oom(q);
                break;
            }
            l->model = true;
            title[0] = 0;
            curves++;
        }
        double v[6] = { x / div, y, NAN, NAN, NAN, NAN };
        if (plot_row_add(l, v, 6, "model"))
            e = oom(q);
    }
    fclose(f);
    if (!e && !curves)
        e = plot_fail(q->err, "--model %s: no 'x y' line in it", path);
    return e;
}

int plot_build_sweep(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd)
{
    struct plot_metric m;
    char xp[256], sp[256];
    if (plot_resolve_y(q, rq->metric, &m) || plot_resolve_param(q, rq->x_param, xp, sizeof xp) ||
        (rq->series_param && plot_resolve_param(q, rq->series_param, sp, sizeof sp)))
        return -1;
    struct plot_groups xs = { 0 }, ss = { 0 };
    struct sweep_point *pts = NULL;
    size_t n = 0;
    double div = 1;
    const char *series = rq->series_param ? sp : NULL;
    int e = sweep_rows(q, &m, xp, series, pd, &xs, &ss, &pts, &n);
    if (!e && n == 0)
        e = plot_fail(q->err, "no run with status ok has both parameter '%s' and '%s%s%s'",
                      xp, m.component, ":", m.name);
    if (!e && xs.n == 1)
        e = plot_fail(q->err, "parameter '%s' has one value (%s) in the runs of %s: nothing"
                      " to draw against; vary it (lparsim sweep --vary %s=V1,V2,...) or plot a"
                      " cdf", xp, xs.g[0].text ? xs.g[0].text : "default", q->path, xp);
    if (!e && (sort_remap(&xs, pts, n, true) || sort_remap(&ss, pts, n, false)))
        e = oom(q);
    if (!e) {
        sweep_x_axis(pd, xp, &xs, &div);
        pd->logx = xs.numeric && plot_want_log(rq->xscale, pd->xmin_pos, xs.g[xs.n - 1].num / div);
        pd->categorical_x = !xs.numeric;
        pd->ncols = 6;
        pd->has_text = true;
        plot_fmt(pd->what, sizeof pd->what, "sweep of %s:%s%s%s against %s%s%s", m.component,
                 m.name, m.is_statistic ? "." : "", m.is_statistic ? m.column : "", xp,
                 series ? ", one line per " : "", series ? series : "");
        e = sweep_lines(pd, &m, &xs, &ss, pts, n, series, div) ? oom(q) : 0;
        if (!e && rq->model_path)
            e = !xs.numeric ? plot_fail(q->err, "--model needs a numeric parameter on x ('%s' is "
                                        "not)", xp)
                            : sweep_model(q, pd, rq->model_path, div);
    }
    if (!e) {
        sweep_y_axis(pd, &m, rq->logy);
        sweep_ranges(pd, &xs);
    }
    free(pts);
    plot_groups_free(&xs);
    plot_groups_free(&ss);
    return e;
}

