/* cli/plot_timeline.c — `lparsim plot DB timeline`: sampled series of
 * one run against time, and what happened: an event KIND_start and the
 * next KIND_end of the same component delimit a phase named KIND
 * (switch_prepare_start .. switch_prepare_end -> "switch_prepare"; a
 * start never ended lasts to the end of the run), drawn in the lane of
 * its component (plot_lanes.c); every other event is a point event, a
 * numbered line explained in the key. --from/--to zoom into a window of
 * the run (series, events and phases clipped to it, the time axis in the
 * unit the window reads best in), --phases picks the lanes. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "cli/plot_internal.h"

#include <fnmatch.h>
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

/* ---- timeline ---- */

/* Units of the series listed in docs/metrics.md: schema 1's series table
 * has no unit column (a later one's is read instead, see plot_resolve). */
static const char *series_unit_hint(const char *name)
{
    return strcmp(name, "iops") == 0 ? "1/s" : "";
}

static int timeline_run(struct plot_db *q, const struct plot_request *rq, int64_t *run,
                        double *end_ps)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int e = 0;
    if (rq->nruns || rq->npoints) {
        e = plot_select_runs(q, rq, &ids, &n);
        if (!e && n != 1)
            e = plot_fail(q->err, "a timeline draws one run: --points %" PRId64 " selects %zu"
                          " (add --rep R)", rq->points[0], n);
    } else {
        sqlite3_stmt *st;
        e = plot_db_query(q, &st, false, "SELECT run_id FROM run ORDER BY run_id", "");
        while (!e && sqlite3_step(st) == SQLITE_ROW) {
            int64_t *id = plot_grow_one((void **)&ids, &n, sizeof *id);
            e = id ? (*id = sqlite3_column_int64(st, 0), 0) : oom(q);
        }
        sqlite3_finalize(st);
        char list[256];
        plot_format_runs(ids, n, list, sizeof list);
        if (!e && n != 1)
            e = n ? plot_fail(q->err, "%s holds %zu runs (%s): choose one with --run ID",
                              q->path, n, list)
                  : plot_fail(q->err, "%s holds no run", q->path);
    }
    *run = e ? 0 : ids[0];
    free(ids);
    if (e)
        return -1;
    sqlite3_stmt *st;
    if (plot_db_query(q, &st, true, "SELECT sim_end_ps FROM run WHERE run_id = ?1", "i", *run))
        return -1;
    *end_ps = sqlite3_step(st) == SQLITE_ROW
                  ? (double)(uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return 0;
}

/* The window of the run drawn, and the time axis: x = (t - origin) / div.
 * The unit is the one the window's span reads best in (s, ms, µs, ns);
 * a window far from 0 (999.9 ms .. 1001 ms, 17.1 s .. 17.7 s) is drawn
 * from its start (origin = from), so that its tic labels stay short. */
struct tl_window {
    double from_ps, to_ps, origin_ps, div;
    const char *unit;         /* "s", "ms", "µs", "ns" */
};

static void window_axis(struct tl_window *w)
{
    double span = w->to_ps - w->from_ps;
    w->div = span >= 2e12 ? 1e12 : span >= 2e9 ? 1e9 : span >= 2e6 ? 1e6 : 1e3;
    w->unit = span >= 2e12 ? "s" : span >= 2e9 ? "ms" : span >= 2e6 ? "\xc2\xb5s" : "ns";
    /* absolute tic labels would be more than four characters long
     * (17100 ms, 999.95 ms) */
    double step = plot_nice_step(span / w->div), top = w->to_ps / w->div;
    int chars = (top >= 1 ? (int)floor(log10(top)) + 1 : 1) +
                (step < 1 ? 1 + (int)ceil(-log10(step) - 1e-9) : 0);
    w->origin_ps = w->from_ps > 0 && chars > 4 ? w->from_ps : 0;
}

static double window_x(const struct tl_window *w, double t_ps)
{
    return (t_ps - w->origin_ps) / w->div;
}

/* A time for people: "20 s", "999.9 ms". */
static void time_text(double ps, char *buf, size_t n)
{
    double a = fabs(ps);
    double div = a >= 1e12 ? 1e12 : a >= 1e9 ? 1e9 : a >= 1e6 ? 1e6 : a >= 1e3 ? 1e3 : 1;
    if (ps == 0)
        plot_fmt(buf, n, "0");
    else
        plot_fmt(buf, n, "%.10g %s", ps / div,
             div == 1e12 ? "s" : div == 1e9 ? "ms" : div == 1e6 ? "\xc2\xb5s"
                                : div == 1e3 ? "ns" : "ps");
}

/* The samples in the window, and the one just before and just after it,
 * so that the lines reach the window's edges. */
static int timeline_series(struct plot_db *q, struct plot_data *pd, int64_t run,
                           const struct plot_metric *m, const char *label,
                           const struct tl_window *w)
{
    sqlite3_stmt *st;
    struct plot_line *l;
    if (plot_db_query(q, &st, true, "SELECT t_ps, value FROM series WHERE run_id = ?1"
                      " AND component = ?2 AND name = ?3 ORDER BY t_ps, rowid",
                      "itt", run, m->component, m->name))
        return -1;
    int rc = SQLITE_DONE, e = plot_line_add(pd, label, &l) ? oom(q) : 0;
    size_t seen = 0;
    double before[2] = { NAN, NAN };
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        double t = (double)(uint64_t)sqlite3_column_int64(st, 0);
        double v[2] = { window_x(w, t), sqlite3_column_type(st, 1) == SQLITE_NULL
                                            ? NAN : sqlite3_column_double(st, 1) };
        seen++;
        if (t < w->from_ps) {
            memcpy(before, v, sizeof v);
            continue;
        }
        if (!isnan(before[0]) && (e = plot_row_add(l, before, 2, NULL) ? oom(q) : 0))
            break;
        before[0] = NAN;
        e = plot_row_add(l, v, 2, NULL) ? oom(q) : 0;
        if (t > w->to_ps)
            break;
    }
    if (!e && !isnan(before[0]))
        e = plot_row_add(l, before, 2, NULL) ? oom(q) : 0; /* all samples before the window */
    if (!e && rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = plot_db_fail(q, "cannot read results");
    sqlite3_finalize(st);
    if (!e && seen == 0)
        e = plot_fail(q->err, "run %" PRId64 " has no samples of series '%s:%s'", run,
                      m->component, m->name);
    return e;
}

struct tl_event {
    double t_ps;
    char *comp, *kind, *detail;
    bool used;
};

static bool ends_with(const char *s, const char *suffix, size_t *stem)
{
    size_t n = strlen(s), k = strlen(suffix);
    *stem = n >= k ? n - k : 0;
    return n > k && strcmp(s + n - k, suffix) == 0;
}

static bool is_phase_event(const char *kind)
{
    size_t stem;
    return ends_with(kind, "_start", &stem) || ends_with(kind, "_end", &stem);
}

/* --phases: a component gets a lane when it matches one of the globs. */
static bool lane_wanted(const char *globs, const char *comp)
{
    if (!globs)
        return true;
    char buf[4096];
    plot_fmt(buf, sizeof buf, "%s", globs);
    for (char *save = NULL, *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save))
        if (fnmatch(g, comp, 0) == 0)
            return true;
    return false;
}

/* A phase, clipped to the window, if it reaches into it and its
 * component is wanted. */
static int phase_add(struct plot_data *pd, const struct tl_window *w, const char *globs,
                     const struct tl_event *ev, size_t seq, double t1_ps, size_t stem)
{
    const struct tl_event *start = &ev[seq];
    double t0_ps = start->t_ps;
    if (t1_ps < w->from_ps || t0_ps > w->to_ps || !lane_wanted(globs, start->comp))
        return 0;
    char *kind = strndup(start->kind, stem);
    int e = !kind || plot_phase_add(pd, window_x(w, t0_ps > w->from_ps ? t0_ps : w->from_ps),
                                     window_x(w, t1_ps < w->to_ps ? t1_ps : w->to_ps),
                                     start->comp, kind);
    free(kind);
    if (!e)
        pd->phases[pd->nphases - 1].seq = seq;
    return e ? -1 : 0;
}

/* Pairs each KIND_end with the latest open KIND_start of the same
 * component; a start never ended runs to the end of the run. */
static int timeline_phases(struct plot_data *pd, struct tl_event *ev, size_t n,
                           const struct tl_window *w, const char *globs, double end_ps)
{
    for (size_t i = 0; i < n; i++) {
        size_t stem, s2;
        if (!ends_with(ev[i].kind, "_end", &stem))
            continue;
        for (size_t j = i; j-- > 0;) {
            if (ev[j].used || strcmp(ev[j].comp, ev[i].comp) != 0 ||
                !ends_with(ev[j].kind, "_start", &s2) || s2 != stem ||
                strncmp(ev[j].kind, ev[i].kind, stem) != 0)
                continue;
            ev[j].used = ev[i].used = true;
            if (phase_add(pd, w, globs, ev, j, ev[i].t_ps, stem))
                return -1;
            break;
        }
    }
    for (size_t j = 0; j < n; j++) {
        size_t stem;
        if (!ev[j].used && ends_with(ev[j].kind, "_start", &stem) &&
            phase_add(pd, w, globs, ev, j, end_ps, stem))
            return -1;
    }
    return 0;
}

/* Every glob of --phases names a component that has phases in the run. */
static int check_globs(struct plot_db *q, const struct tl_event *ev, size_t n, int64_t run,
                       const char *globs)
{
    char buf[4096], list[700] = "";
    size_t used = 0, ncomp = 0;
    for (size_t i = 0; i < n; i++) {
        size_t stem;
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(ev[j].comp, ev[i].comp) != 0 || !ends_with(ev[j].kind, "_start", &stem);
        if (!first || !ends_with(ev[i].kind, "_start", &stem))
            continue;
        if (ncomp++ < 12 && used < sizeof list - 80)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", ncomp > 1 ? ", " : "",
                                     ev[i].comp);
    }
    if (ncomp > 12 && used < sizeof list - 32)
        snprintf(list + used, sizeof list - used, ", ... (%zu in all)", ncomp);
    if (strspn(globs, ",") == strlen(globs))
        return plot_fail(q->err, "--phases names no component");
    plot_fmt(buf, sizeof buf, "%s", globs);
    for (char *save = NULL, *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
        bool hit = false;
        for (size_t i = 0; i < n && !hit; i++) {
            size_t stem;
            hit = ends_with(ev[i].kind, "_start", &stem) && fnmatch(g, ev[i].comp, 0) == 0;
        }
        if (!hit && ncomp)
            return plot_fail(q->err, "--phases '%s' matches no component with phases in run %"
                             PRId64 " of %s (%s)", g, run, q->path, list);
        if (!hit)
            return plot_fail(q->err, "--phases '%s': run %" PRId64 " of %s has no phases (no"
                             " KIND_start events)", g, run, q->path);
    }
    return 0;
}

static int timeline_events(struct plot_db *q, struct plot_data *pd, int64_t run,
                           const struct tl_window *w, const char *globs, double end_ps)
{
    sqlite3_stmt *st;
    if (plot_db_query(q, &st, true, "SELECT t_ps, component, kind, detail FROM event"
                      " WHERE run_id = ?1 ORDER BY t_ps, rowid", "i", run))
        return -1;
    struct tl_event *ev = NULL;
    size_t n = 0;
    int rc = SQLITE_DONE, e = 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tl_event *x = plot_grow_one((void **)&ev, &n, sizeof *x);
        const char *c = (const char *)sqlite3_column_text(st, 1);
        const char *k = (const char *)sqlite3_column_text(st, 2);
        const char *d = (const char *)sqlite3_column_text(st, 3);
        if (!x || !(x->comp = strdup(c ? c : "")) || !(x->kind = strdup(k ? k : "")) ||
            !(x->detail = strdup(d ? d : ""))) {
            e = oom(q);
            break;
        }
        x->t_ps = (double)(uint64_t)sqlite3_column_int64(st, 0);
        /* a phase's own start and end are drawn as the phase, not as events */
        if (!is_phase_event(x->kind) && x->t_ps >= w->from_ps && x->t_ps <= w->to_ps &&
            plot_mark_add(pd, window_x(w, x->t_ps), x->comp, x->kind, x->detail))
            e = oom(q);
    }
    if (!e && rc != SQLITE_DONE)
        e = plot_db_fail(q, "cannot read results");
    sqlite3_finalize(st);
    if (!e && globs)
        e = check_globs(q, ev, n, run, globs);
    if (!e && timeline_phases(pd, ev, n, w, globs, end_ps))
        e = oom(q);
    for (size_t i = 0; i < n; i++) {
        free(ev[i].comp);
        free(ev[i].kind);
        free(ev[i].detail);
    }
    free(ev);
    return e;
}

/* Appends name to an axis label unless it is there already: two LPARs'
 * iops make the label "iops", not "iops, iops". */
static void label_add(char *buf, size_t n, const char *name)
{
    size_t used = strlen(buf), len = strlen(name);
    for (const char *p = buf; (p = strstr(p, name)); p++)
        if ((p == buf || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
            return;
    snprintf(buf + used, n - used, "%s%s", used ? ", " : "", name);
}

/* Resolves the comma-separated series; m[] receives them. */
static int timeline_resolve(struct plot_db *q, const char *list, struct plot_metric *m,
                            size_t max, size_t *n)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", list);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (*n == max)
            return plot_fail(q->err, "too many series (at most %zu)", max);
        if (plot_resolve(q, "series", "series", tok, &m[*n]))
            return -1;
        if (!m[*n].unit[0])
            snprintf(m[*n].unit, sizeof m[*n].unit, "%s", series_unit_hint(m[*n].name));
        (*n)++;
    }
    return *n ? 0 : plot_fail(q->err, "--series names no series");
}

/* A line's title: the component when every series is the same metric
 * (two LPARs' iops), the metric when all are of one component. */
static void line_title(const struct plot_metric *m, size_t n, size_t i, char *buf, size_t size)
{
    bool one_comp = true, one_name = true;
    for (size_t j = 1; j < n; j++) {
        one_comp = one_comp && strcmp(m[j].component, m[0].component) == 0;
        one_name = one_name && strcmp(m[j].name, m[0].name) == 0;
    }
    if (one_name && !one_comp)
        plot_fmt(buf, size, "%s", m[i].component);
    else if (one_comp)
        plot_fmt(buf, size, "%s", m[i].name);
    else
        plot_fmt(buf, size, "%s:%s", m[i].component, m[i].name);
}

static int timeline_lines(struct plot_db *q, struct plot_data *pd, int64_t run,
                          const struct plot_metric *m, size_t n, const struct tl_window *w)
{
    for (size_t i = 0; i < n; i++) {
        char title[600];
        line_title(m, n, i, title, sizeof title);
        if (timeline_series(q, pd, run, &m[i], title, w))
            return -1;
        /* a second unit goes on y2 so both stay readable */
        pd->lines[pd->nlines - 1].axis = strcmp(m[i].unit, m[0].unit) != 0 ? 2 : 1;
    }
    return 0;
}

/* Each axis in the unit its largest value reads best in (60000 1/s:
 * k/s), labelled with its metrics' names, each once. */
static void timeline_y_axes(struct plot_data *pd, const struct plot_metric *m, size_t n)
{
    double hi[3] = { 0, 0, 0 };
    for (size_t i = 0; i < pd->nlines; i++)
        for (size_t j = 0; j < pd->lines[i].nrows; j++) {
            double v = fabs(pd->lines[i].rows[j].v[1]);
            int a = pd->lines[i].axis;
            hi[a] = v > hi[a] ? v : hi[a];
        }
    const char *unit[3] = { "", m[0].unit, "" };
    char names[3][256] = { "", "", "" };
    for (size_t i = 0; i < n; i++) {
        int a = pd->lines[i].axis;
        unit[a] = m[i].unit;
        label_add(names[a], sizeof names[a], m[i].name);
    }
    for (int a = 1; a <= 2; a++) {
        if (!names[a][0])
            continue;
        struct unit_scale sc = unit_scale_pick(unit[a], hi[a]);
        for (size_t i = 0; i < pd->nlines; i++)
            for (size_t j = 0; pd->lines[i].axis == a && j < pd->lines[i].nrows; j++)
                pd->lines[i].rows[j].v[1] /= sc.div;
        char u[80];
        plot_unit_suffix(sc.pretty, u, sizeof u);
        plot_fmt(a == 1 ? pd->ylabel : pd->y2label, sizeof pd->ylabel, "%s%s", names[a], u);
        hi[a] /= sc.div;
    }
    /* each axis tops at a round tic above its data (timeline_band lifts it) */
    pd->ylo = 0, pd->yhi = plot_round_up(hi[1]);
    if (names[2][0])
        pd->y2lo = 0, pd->y2hi = plot_round_up(hi[2]);
}

/* The band above the series: lanes, markers and keys (plot_lanes.c); the
 * axes' tops are raised so that the series end at pd->data_top, under
 * every label. */
static int timeline_band(struct plot_data *pd, double from, double to, bool title)
{
    if (plot_lanes_layout(pd, from, to, title))
        return -1;
    pd->yhi /= pd->data_top;
    if (!isnan(pd->y2hi))
        pd->y2hi /= pd->data_top;
    pd->xlo = from;
    pd->xhi = to;
    return 0;
}

/* Without --series: what the run has, to choose from. */
static int list_series(struct plot_db *q, int64_t run)
{
    sqlite3_stmt *st;
    if (plot_db_query(q, &st, false, "SELECT component || ':' || name FROM series"
                      " WHERE run_id = ?1 GROUP BY component, name ORDER BY component, name",
                      "i", run))
        return -1;
    char list[700] = "";
    size_t used = 0, n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ < 12 && used < sizeof list - 8)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", n > 1 ? ", " : "",
                                     (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (n > 12 && used < sizeof list - 32)
        snprintf(list + used, sizeof list - used, ", ... (%zu in all)", n);
    if (!n)
        return plot_fail(q->err, "run %" PRId64 " of %s recorded no series (set"
                         " stats.sample_interval)", run, q->path);
    return plot_fail(q->err, "a timeline needs --series NAME[,NAME...]; run %" PRId64
                     " of %s has: %s", run, q->path, list);
}

/* --from/--to against the run: the window lies in it. */
static int timeline_window(struct plot_db *q, const struct plot_request *rq, int64_t run,
                           double end_ps, struct tl_window *w)
{
    char a[64], b[64];
    w->from_ps = rq->from_ps >= 0 ? (double)rq->from_ps : 0;
    w->to_ps = rq->to_ps >= 0 ? (double)rq->to_ps : end_ps;
    if (w->from_ps >= end_ps) {
        time_text(w->from_ps, a, sizeof a);
        time_text(end_ps, b, sizeof b);
        return plot_fail(q->err, "--from %s is not before the end of run %" PRId64 " of %s"
                         " (%s)", a, run, q->path, b);
    }
    if (!(w->to_ps > w->from_ps)) {
        time_text(w->to_ps, a, sizeof a);
        return plot_fail(q->err, "--to %s leaves nothing to draw: the window must end after"
                         " its start", a);
    }
    window_axis(w);
    return 0;
}

/* "time (ms)", or from the window's start: "time after 999.9 ms (µs)". */
static void time_label(const struct tl_window *w, char *buf, size_t n)
{
    char origin[64];
    time_text(w->origin_ps, origin, sizeof origin);
    if (w->origin_ps > 0)
        plot_fmt(buf, n, "time after %s (%s)", origin, w->unit);
    else
        plot_fmt(buf, n, "time (%s)", w->unit);
}

int plot_build_timeline(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd)
{
    struct plot_metric m[16];
    size_t n;
    int64_t run;
    double end_ps;
    struct tl_window w;
    if (timeline_run(q, rq, &run, &end_ps))
        return -1;
    if (!rq->series || !*rq->series)
        return list_series(q, run);
    if (timeline_window(q, rq, run, end_ps, &w) || timeline_resolve(q, rq->series, m, 16, &n) ||
        plot_run_add(pd, run))
        return -1;
    if (timeline_lines(q, pd, run, m, n, &w) ||
        timeline_events(q, pd, run, &w, rq->phases, end_ps))
        return -1;
    timeline_y_axes(pd, m, n);
    if (timeline_band(pd, window_x(&w, w.from_ps), window_x(&w, w.to_ps), rq->title != NULL))
        return oom(q);
    pd->ncols = 2;
    char xlabel[128];
    time_label(&w, xlabel, sizeof xlabel);
    snprintf(pd->xlabel, sizeof pd->xlabel, "%s", xlabel);
    snprintf(pd->columns, sizeof pd->columns, "t_%s%s value (in the unit of its axis label)",
             w.div == 1e12 ? "s" : w.div == 1e9 ? "ms" : w.div == 1e6 ? "us" : "ns",
             w.origin_ps > 0 ? "_after_from" : "");
    if (rq->from_ps >= 0 || rq->to_ps >= 0) {
        char a[64], b[64];
        time_text(w.from_ps, a, sizeof a);
        time_text(w.to_ps, b, sizeof b);
        snprintf(pd->what, sizeof pd->what, "timeline of %s, run %" PRId64 ", from %s to %s",
                 rq->series, run, a, b);
    } else {
        snprintf(pd->what, sizeof pd->what, "timeline of %s, run %" PRId64, rq->series, run);
    }
    return 0;
}
