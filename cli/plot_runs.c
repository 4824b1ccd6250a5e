/* cli/plot_runs.c — which runs a figure draws: the ids given with --runs
 * (in that order, which is the legend's), the runs of the sweep points
 * given with --points (one rep with --rep), or every run with status
 * ok. Run ids follow the order runs finished in, which a parallel sweep
 * does not fix; points and reps are the sweep's own coordinates. */
#include "cli/plot_internal.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sim/results.h"


static int load_run_ids(struct plot_db *q, bool ok_only, bool record, int64_t **ids,
                        size_t *n)
{
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    if (plot_db_query(q, &st, record, ok_only
                      ? "SELECT run_id FROM run WHERE status = 'ok' ORDER BY run_id"
                      : "SELECT run_id FROM run ORDER BY run_id", ""))
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t *g = realloc(*ids, (*n + 1) * sizeof *g);
        if (!g) {
            sqlite3_finalize(st);
            return plot_fail(q->err, "out of memory");
        }
        *ids = g;
        g[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : plot_db_fail(q, "cannot read results");
}

static bool has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Checks the given ids exist and copies them without repeats, in the
 * order given (which is the legend order). */
static int take_given_runs(struct plot_db *q, const int64_t *ids, size_t n, int64_t *all,
                           size_t nall, int64_t *out, size_t *nout)
{
    *nout = 0;
    for (size_t i = 0; i < n; i++) {
        if (!has_id(all, nall, ids[i])) {
            char list[256];
            plot_format_runs(all, nall, list, sizeof list);
            return plot_fail(q->err, "no run %" PRId64 " in %s (runs: %s)", ids[i], q->path,
                             nall ? list : "none");
        }
        if (!has_id(out, *nout, ids[i]))
            out[(*nout)++] = ids[i];
    }
    return 0;
}

/* The runs of the sweep points listed (in that order), of one rep or of
 * all. */
static int runs_of_points(struct plot_db *q, const struct plot_request *rq, int64_t **out,
                          size_t *nout)
{
    sqlite3_stmt *any;
    bool points = false;
    if (results_has_column(q->db, "run", "point") &&
        plot_db_query(q, &any, false, "SELECT 1 FROM run WHERE point IS NOT NULL LIMIT 1", "") == 0) {
        points = sqlite3_step(any) == SQLITE_ROW;
        sqlite3_finalize(any);
    }
    if (!points)
        return plot_fail(q->err, "the runs of %s record no sweep point (written by `lparsim"
                         " run`, or by an lparsim before points were recorded): choose runs"
                         " with --runs", q->path);
    for (size_t i = 0; i < rq->npoints; i++) {
        sqlite3_stmt *st;
        if (plot_db_query(q, &st, true, rq->rep >= 0
                          ? "SELECT run_id FROM run WHERE point = ?1 AND rep = ?2 ORDER BY rep"
                          : "SELECT run_id FROM run WHERE point = ?1 ORDER BY rep",
                          rq->rep >= 0 ? "ii" : "i", rq->points[i], rq->rep))
            return -1;
        size_t before = *nout;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t *id = plot_grow_one((void **)out, nout, sizeof *id);
            if (!id) {
                sqlite3_finalize(st);
                return plot_fail(q->err, "out of memory");
            }
            *id = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return plot_db_fail(q, "cannot read results");
        if (*nout == before && rq->rep >= 0)
            return plot_fail(q->err, "no run of point %" PRId64 " rep %" PRId64 " in %s",
                             rq->points[i], rq->rep, q->path);
        if (*nout == before)
            return plot_fail(q->err, "no run of point %" PRId64 " in %s (`lparsim report %s`"
                             " lists the points)", rq->points[i], q->path, q->path);
    }
    return 0;
}

int plot_select_runs(struct plot_db *q, const struct plot_request *rq, int64_t **out,
                     size_t *nout)
{
    const int64_t *ids = rq->runs;
    size_t n = rq->nruns;
    int64_t *all;
    size_t nall;
    *out = NULL;
    *nout = 0;
    if (rq->npoints)
        return runs_of_points(q, rq, out, nout);
    if (!n)
        return load_run_ids(q, true, true, out, nout) ? -1
               : *nout ? 0
                       : plot_fail(q->err, "no run with status ok in %s", q->path);
    if (load_run_ids(q, false, false, &all, &nall))
        return -1;
    int e = -1;
    if ((*out = malloc(n * sizeof **out)))
        e = take_given_runs(q, ids, n, all, nall, *out, nout);
    else
        plot_fail(q->err, "out of memory");
    free(all);
    return e;
}

char *plot_sql_ids(const int64_t *ids, size_t n)
{
    char *buf = malloc(n * 22 + 1);
    size_t used = 0;
    if (!buf)
        return NULL;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        used += (size_t)sprintf(buf + used, "%s%" PRId64, i ? "," : "", ids[i]);
    return buf;
}
