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
    if (rq->nruns) {
        e = plot_select_runs(q, rq->runs, 1, &ids, &n);
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
    if (plot_db_query(q, &st, true, "SELECT t_ps, component, kind FROM event"
                      " WHERE run_id = ?1 ORDER BY t_ps, rowid", "i", run))
        return -1;
    struct tl_event *ev = NULL;
    size_t n = 0;
    int rc = SQLITE_DONE, e = 0;
    while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tl_event *x = plot_grow_one((void **)&ev, &n, sizeof *x);
        const char *c = (const char *)sqlite3_column_text(st, 1);
        const char *k = (const char *)sqlite3_column_text(st, 2);
        if (!x || !(x->comp = strdup(c ? c : "")) || !(x->kind = strdup(k ? k : "")) ||
            plot_mark_add(pd, (double)(uint64_t)sqlite3_column_int64(st, 0) / div, k ? k : "")) {
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

/* Appends "name" to an axis label ("iops, outstanding (1/s)" is built by
 * the caller adding the unit once). */
static void label_add(char *buf, size_t n, const char *name)
{
    size_t used = strlen(buf);
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

static int timeline_lines(struct plot_db *q, struct plot_data *pd, int64_t run,
                          const struct plot_metric *m, size_t n, double div)
{
    bool one_comp = true;
    for (size_t i = 1; i < n; i++)
        one_comp = one_comp && strcmp(m[i].component, m[0].component) == 0;
    char y1[256] = "", y2[256] = "", u1[80], u2[80] = "";
    for (size_t i = 0; i < n; i++) {
        char label[600];
        plot_fmt(label, sizeof label, "%s%s%s", one_comp ? "" : m[i].component,
                 one_comp ? "" : ":", m[i].name);
        if (timeline_series(q, pd, run, &m[i], label, div))
            return -1;
        /* a second unit goes on y2 so both stay readable */
        bool second = strcmp(m[i].unit, m[0].unit) != 0;
        pd->lines[pd->nlines - 1].axis = second ? 2 : 1;
        label_add(second ? y2 : y1, sizeof y1, m[i].name);
        if (second)
            plot_unit_suffix(m[i].unit, u2, sizeof u2);
    }
    plot_unit_suffix(m[0].unit, u1, sizeof u1);
    plot_fmt(pd->ylabel, sizeof pd->ylabel, "%s%s", y1, u1);
    if (y2[0])
        plot_fmt(pd->y2label, sizeof pd->y2label, "%s%s", y2, u2);
    return 0;
}

int plot_build_timeline(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd)
{
    struct plot_metric m[16];
    size_t n;
    int64_t run;
    double end_ps;
    if (timeline_resolve(q, rq->series, m, 16, &n) || timeline_run(q, rq, &run, &end_ps) ||
        plot_run_add(pd, run))
        return -1;
    /* seconds for long runs, milliseconds for the short ones */
    double div = end_ps >= 2e12 ? 1e12 : 1e9;
    if (timeline_lines(q, pd, run, m, n, div) || timeline_events(q, pd, run, div, end_ps))
        return -1;
    pd->ncols = 2;
    snprintf(pd->columns, sizeof pd->columns, "t_%s value", div == 1e12 ? "s" : "ms");
    snprintf(pd->xlabel, sizeof pd->xlabel, "time (%s)", div == 1e12 ? "s" : "ms");
    snprintf(pd->what, sizeof pd->what, "timeline of %s, run %" PRId64, rq->series, run);
    return 0;
}

