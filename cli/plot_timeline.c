/* cli/plot_timeline.c — `lparsim plot DB timeline`: sampled series of
 * one run against time, every event row as a labelled vertical line, and
 * phases shaded: an event KIND_start and the next KIND_end of the same
 * component delimit a phase named KIND (lpm_precopy_start ..
 * lpm_precopy_end -> "lpm_precopy"); a start never ended lasts to the
 * end of the run. */
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

static int timeline_series(struct plot_db *q, struct plot_data *pd, int64_t run,
                           const struct plot_metric *m, const char *label, double div)
{
    sqlite3_stmt *st;
    struct plot_line *l;
    if (plot_db_query(q, &st, true, "SELECT t_ps, value FROM series WHERE run_id = ?1"
                      " AND component = ?2 AND name = ?3 ORDER BY t_ps, rowid",
                      "itt", run, m->component, m->name))
        return -1;
    int rc = SQLITE_DONE, e = plot_line_add(pd, label, &l) ? oom(q) : 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        double v[2] = { (double)(uint64_t)sqlite3_column_int64(st, 0) / div,
                        sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN
                                                                  : sqlite3_column_double(st, 1) };
        e = plot_row_add(l, v, 2, NULL) ? oom(q) : 0;
    }
    if (!e && rc != SQLITE_DONE)
        e = plot_db_fail(q, "cannot read results");
    sqlite3_finalize(st);
    if (!e && l->nrows == 0)
        e = plot_fail(q->err, "run %" PRId64 " has no samples of series '%s:%s'", run,
                      m->component, m->name);
    return e;
}

struct tl_event {
    double t;
    char *comp, *kind;
    bool used;
};

#define EVENT_LABEL_MAX 32 /* characters of "kind: detail" drawn; the .dat has all */

/* "kind: detail", cut to EVENT_LABEL_MAX characters with "..." */
static char *event_label(const char *kind, const char *detail)
{
    char *full = plot_strf("%s%s%s", kind, detail && *detail ? ": " : "",
                           detail ? detail : "");
    if (full && strlen(full) > EVENT_LABEL_MAX)
        memcpy(full + EVENT_LABEL_MAX - 3, "...", 4);
    return full;
}

static bool ends_with(const char *s, const char *suffix, size_t *stem)
{
    size_t n = strlen(s), k = strlen(suffix);
    *stem = n >= k ? n - k : 0;
    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* Pairs each KIND_end with the latest open KIND_start of the same
 * component; a start never ended runs to the end of the run. */
static int timeline_phases(struct plot_data *pd, struct tl_event *ev, size_t n, double end)
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
            ev[j].kind[stem] = '\0';
            if (plot_phase_add(pd, ev[j].t, ev[i].t, ev[j].kind))
                return -1;
            break;
        }
    }
    for (size_t j = 0; j < n; j++) {
        size_t stem;
        if (!ev[j].used && ends_with(ev[j].kind, "_start", &stem)) {
            ev[j].kind[stem] = '\0';
            if (plot_phase_add(pd, ev[j].t, end, ev[j].kind))
                return -1;
        }
    }
    return 0;
}

static int timeline_events(struct plot_db *q, struct plot_data *pd, int64_t run, double div,
                           double end)
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
        char *label = event_label(k ? k : "", (const char *)sqlite3_column_text(st, 3));
        bool ok = x && label && (x->comp = strdup(c ? c : "")) && (x->kind = strdup(k ? k : ""));
        /* a phase's own start and end are drawn as the phase, not as events */
        size_t stem;
        if (ok && !ends_with(k ? k : "", "_start", &stem) && !ends_with(k ? k : "", "_end", &stem))
            ok = plot_mark_add(pd, (double)(uint64_t)sqlite3_column_int64(st, 0) / div, label) == 0;
        free(label);
        if (!ok) {
            e = oom(q);
            break;
        }
        x->t = (double)(uint64_t)sqlite3_column_int64(st, 0) / div;
    }
    if (!e && rc != SQLITE_DONE)
        e = plot_db_fail(q, "cannot read results");
    sqlite3_finalize(st);
    if (!e && timeline_phases(pd, ev, n, end / div))
        e = oom(q);
    for (size_t i = 0; i < n; i++) {
        free(ev[i].comp);
        free(ev[i].kind);
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
                          const struct plot_metric *m, size_t n, double div)
{
    for (size_t i = 0; i < n; i++) {
        char title[600];
        line_title(m, n, i, title, sizeof title);
        if (timeline_series(q, pd, run, &m[i], title, div))
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

static int phase_cmp(const void *a, const void *b)
{
    const struct plot_phase *x = a, *y = b;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    return x->t1 > y->t1 ? -1 : x->t1 < y->t1; /* the enclosing one first */
}

/* Each phase's row: the first whose phases end before it starts, so a
 * nested phase sits below the one that holds it and no two overlap. */
static void phase_depths(struct plot_data *pd)
{
    if (pd->nphases)
        qsort(pd->phases, pd->nphases, sizeof *pd->phases, phase_cmp);
    for (size_t i = 0; i < pd->nphases; i++) {
        struct plot_phase *p = &pd->phases[i];
        for (p->depth = 0;; p->depth++) {
            bool free_row = true;
            for (size_t j = 0; j < i && free_row; j++)
                free_row = pd->phases[j].depth != p->depth || pd->phases[j].t1 <= p->t0;
            if (free_row)
                break;
        }
    }
}

/* The band above the series: the axes' tops are raised so that the
 * series end at pd->data_top, under every label. */
static void timeline_band(struct plot_data *pd, double xend)
{
    phase_depths(pd);
    plot_band_layout(pd, xend);
    pd->yhi /= pd->data_top;
    if (!isnan(pd->y2hi))
        pd->y2hi /= pd->data_top;
    pd->xlo = 0;
    pd->xhi = xend;
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

int plot_build_timeline(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd)
{
    struct plot_metric m[16];
    size_t n;
    int64_t run;
    double end_ps;
    if (timeline_run(q, rq, &run, &end_ps))
        return -1;
    if (!rq->series || !*rq->series)
        return list_series(q, run);
    if (timeline_resolve(q, rq->series, m, 16, &n) || plot_run_add(pd, run))
        return -1;
    /* seconds for long runs, milliseconds for the short ones */
    double div = end_ps >= 2e12 ? 1e12 : 1e9;
    if (timeline_lines(q, pd, run, m, n, div) || timeline_events(q, pd, run, div, end_ps))
        return -1;
    timeline_y_axes(pd, m, n);
    timeline_band(pd, end_ps / div);
    pd->ncols = 2;
    snprintf(pd->columns, sizeof pd->columns, "t_%s value (in the unit of its axis label)",
             div == 1e12 ? "s" : "ms");
    snprintf(pd->xlabel, sizeof pd->xlabel, "time (%s)", div == 1e12 ? "s" : "ms");
    snprintf(pd->what, sizeof pd->what, "timeline of %s, run %" PRId64, rq->series, run);
    return 0;
}

