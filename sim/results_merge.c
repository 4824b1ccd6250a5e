/* sim/results_merge.c — `lparsim merge`: joins results databases (e.g. the
 * per-task databases of a Slurm array) into one, one run per run_key
 * (results.h: results_merge_all).
 *
 * All or nothing. Every input is opened and read through (PRAGMA
 * quick_check) before the output is touched; then every input is copied
 * inside one BEGIN IMMEDIATE transaction on the output, so an input that
 * fails half-way, a full disk or a kill leaves the output as it was, and
 * an output the merge created is removed again. Inputs are read on their
 * own connections rather than ATTACHed: SQLite attaches at most ten
 * databases and never inside a transaction, and a Slurm array has
 * hundreds of task databases. The copy goes row by row through prepared
 * statements, naming columns, so an input of an older schema (without
 * run.point, param.value_si, series.unit) reads as NULL there; value_si is
 * then computed. Sweep workers may still write the output meanwhile: they
 * queue on the busy timeout. */
#define _POSIX_C_SOURCE 200809L /* stat */
#include "sim/results.h"
#include "sim/results_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The copied columns of each table (run_id is mapped, never copied); run
 * first. */
static const char *const run_cols[] = {
    "run_key", "scenario", "scenario_sha256", "rep", "seed", "kernel", "version",
    "started_at", "wall_s", "events", "sim_end_ps", "status", "error", "point", NULL,
};
static const char *const param_cols[] = { "name", "value", "value_si", NULL };
static const char *const scalar_cols[] = { "component", "name", "value", "unit", NULL };
static const char *const statistic_cols[] = {
    "component", "name", "unit", "count", "mean", "stddev", "min", "max",
    "p50", "p90", "p99", "p999", NULL,
};
static const char *const histogram_cols[] = {
    "component", "name", "lower", "upper", "count", NULL,
};
static const char *const series_cols[] = { "component", "name", "t_ps", "value", "unit", NULL };
static const char *const event_cols[] = { "t_ps", "component", "kind", "detail", NULL };

static const struct {
    const char *table;
    const char *const *cols;
} children[] = {
    { "param", param_cols },         { "scalar", scalar_cols },
    { "statistic", statistic_cols }, { "histogram", histogram_cols },
    { "series", series_cols },       { "event", event_cols },
};
#define NCHILD (sizeof children / sizeof children[0])

struct merger {
    sqlite3 *out;
    const char *out_path;
    struct diag *err;
    struct merge_counts *counts;
    sqlite3_stmt *find, *ins_run, *ins[NCHILD], *del[NCHILD + 1];
};

/* One input being copied. */
struct source {
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *runs, *sel[NCHILD];
};

/* "INSERT INTO t(c1, c2, run_id) VALUES(?1, ?2, ?3)" into buf. */
static void insert_sql(char *buf, size_t n, const char *table, const char *const *cols,
                       bool with_run_id)
{
    size_t o = (size_t)snprintf(buf, n, "INSERT INTO %s(", table), k = 0;
    for (; cols[k]; k++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", k ? ", " : "", cols[k]);
    o += (size_t)snprintf(buf + o, n - o, "%s) VALUES(", with_run_id ? ", run_id" : "");
    for (size_t i = 0; i < k + with_run_id; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s?%zu", i ? ", " : "", i + 1);
    snprintf(buf + o, n - o, ")");
}

/* "SELECT c1, NULL, ... FROM t WHERE run_id = ?1 ORDER BY rowid", NULL for
 * the columns an older input lacks; the run table is read whole, its
 * run_id first. */
static void select_sql(char *buf, size_t n, sqlite3 *db, const char *table,
                       const char *const *cols, bool is_run)
{
    size_t o = (size_t)snprintf(buf, n, "SELECT %s", is_run ? "run_id, " : "");
    for (size_t k = 0; cols[k]; k++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", k ? ", " : "",
                              results_has_column(db, table, cols[k]) ? cols[k] : "NULL");
    snprintf(buf + o, n - o, " FROM %s%s ORDER BY rowid", table,
             is_run ? "" : " WHERE run_id = ?1");
}

static int prep(sqlite3 *db, const char *path, const char *sql, sqlite3_stmt **st,
                struct diag *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
        return 0;
    *st = NULL;
    return results_sqlite_fail(db, path, err, "cannot merge");
}

static int step_done(sqlite3 *db, const char *path, sqlite3_stmt *st, struct diag *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : results_sqlite_fail(db, path, err, "cannot merge");
}

static int merger_prepare(struct merger *m)
{
    char sql[1024];
    if (prep(m->out, m->out_path, "SELECT run_id, status FROM run WHERE run_key = ?1",
             &m->find, m->err))
        return -1;
    insert_sql(sql, sizeof sql, "run", run_cols, false);
    if (prep(m->out, m->out_path, sql, &m->ins_run, m->err))
        return -1;
    for (size_t t = 0; t < NCHILD; t++) {
        insert_sql(sql, sizeof sql, children[t].table, children[t].cols, true);
        if (prep(m->out, m->out_path, sql, &m->ins[t], m->err))
            return -1;
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE run_id = ?1", children[t].table);
        if (prep(m->out, m->out_path, sql, &m->del[t], m->err))
            return -1;
    }
    return prep(m->out, m->out_path, "DELETE FROM run WHERE run_id = ?1", &m->del[NCHILD],
                m->err);
}

static void finalize_all(sqlite3_stmt **st, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_finalize(st[i]);
        st[i] = NULL;
    }
}

static void merger_finish(struct merger *m)
{
    finalize_all(&m->find, 1);
    finalize_all(&m->ins_run, 1);
    finalize_all(m->ins, NCHILD);
    finalize_all(m->del, NCHILD + 1);
}

/* A failed run of the output, replaced: its rows go first. */
static int drop_run(struct merger *m, sqlite3_int64 id)
{
    for (size_t t = 0; t <= NCHILD; t++) {
        sqlite3_bind_int64(m->del[t], 1, id);
        if (step_done(m->out, m->out_path, m->del[t], m->err))
            return -1;
    }
    return 0;
}

/* Copies the child rows of the source's run src_id to the output's dst_id. */
static int copy_children(struct merger *m, struct source *s, sqlite3_int64 src_id,
                         sqlite3_int64 dst_id)
{
    for (size_t t = 0; t < NCHILD; t++) {
        sqlite3_stmt *sel = s->sel[t], *ins = m->ins[t];
        int ncols = sqlite3_column_count(sel), rc;
        sqlite3_bind_int64(sel, 1, src_id);
        while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
            for (int c = 0; c < ncols; c++)
                sqlite3_bind_value(ins, c + 1, sqlite3_column_value(sel, c));
            sqlite3_bind_int64(ins, ncols + 1, dst_id);
            if (step_done(m->out, m->out_path, ins, m->err)) {
                sqlite3_reset(sel);
                return -1;
            }
        }
        sqlite3_reset(sel);
        if (rc != SQLITE_DONE)
            return results_sqlite_fail(s->db, s->path, m->err, "cannot read");
    }
    return 0;
}

/* What to do with an incoming run: 1 take it, 0 keep the output's. */
static int decide(struct merger *m, const char *key, const char *status)
{
    sqlite3_bind_text(m->find, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(m->find);
    sqlite3_int64 id = rc == SQLITE_ROW ? sqlite3_column_int64(m->find, 0) : 0;
    bool failed = rc == SQLITE_ROW &&
                  strcmp((const char *)sqlite3_column_text(m->find, 1), "failed") == 0;
    sqlite3_reset(m->find);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return results_sqlite_fail(m->out, m->out_path, m->err, "cannot merge");
    if (rc == SQLITE_DONE) {
        m->counts->added++;
        return 1;
    }
    if (!failed || strcmp(status, "failed") == 0) {
        m->counts->kept++;
        return 0;
    }
    m->counts->replaced++;
    return drop_run(m, id) ? -1 : 1;
}

static int copy_runs(struct merger *m, struct source *s)
{
    int ncols = sqlite3_column_count(s->runs), rc;
    while ((rc = sqlite3_step(s->runs)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(s->runs, 1);
        const char *status = (const char *)sqlite3_column_text(s->runs, 12);
        int take = key && status ? decide(m, key, status) : 0;
        if (take < 0)
            return -1;
        if (!take)
            continue;
        for (int c = 1; c < ncols; c++)
            sqlite3_bind_value(m->ins_run, c, sqlite3_column_value(s->runs, c));
        if (step_done(m->out, m->out_path, m->ins_run, m->err) ||
            copy_children(m, s, sqlite3_column_int64(s->runs, 0),
                          sqlite3_last_insert_rowid(m->out)))
            return -1;
    }
    return rc == SQLITE_DONE ? 0 : results_sqlite_fail(s->db, s->path, m->err, "cannot read");
}

static int merge_one(struct merger *m, const char *path)
{
    struct source s = { NULL, path, NULL, { NULL } };
    char sql[1024];
    int e = results_open_read(path, false, &s.db, NULL, m->err);
    if (!e) {
        select_sql(sql, sizeof sql, s.db, "run", run_cols, true);
        e = prep(s.db, path, sql, &s.runs, m->err);
    }
    for (size_t t = 0; !e && t < NCHILD; t++) {
        select_sql(sql, sizeof sql, s.db, children[t].table, children[t].cols, false);
        e = prep(s.db, path, sql, &s.sel[t], m->err);
    }
    if (!e)
        e = copy_runs(m, &s);
    finalize_all(&s.runs, 1);
    finalize_all(s.sel, NCHILD);
    sqlite3_close(s.db);
    return e;
}

static int merge_body(struct merger *m, const char *const *in, size_t nin)
{
    if (results_db_schema(m->out, m->out_path, m->err) || merger_prepare(m))
        return -1;
    for (size_t i = 0; i < nin; i++)
        if (merge_one(m, in[i]))
            return -1;
    return results_fill_value_si(m->out, m->out_path, m->err);
}

/* An output the merge created goes again, with its WAL and index. */
static void remove_new_output(const char *path)
{
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    char name[4200];
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(name, sizeof name, "%s%s", path, suffix[i]);
        unlink(name);
    }
}

int results_merge_all(const char *out_path, const char *const *in, size_t nin,
                      struct merge_counts *counts, struct diag *err)
{
    struct merger m = { NULL, out_path, err, counts, NULL, NULL, { NULL }, { NULL } };
    struct merge_counts none = { 0, 0, 0 };
    struct stat sb;
    *counts = none;
    for (size_t i = 0; i < nin; i++) {
        sqlite3 *db;
        if (results_open_read(in[i], true, &db, NULL, err))
            return -1;
        sqlite3_close(db);
    }
    bool existed = stat(out_path, &sb) == 0;
    if (results_db_open(out_path, &m.out, err))
        return -1;
    int e = sqlite3_exec(m.out, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK
                ? results_sqlite_fail(m.out, out_path, err, "cannot start merging")
                : 0;
    if (!e) {
        e = merge_body(&m, in, nin);
        merger_finish(&m);
        if (!e && sqlite3_exec(m.out, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            e = results_sqlite_fail(m.out, out_path, err, "cannot commit the merge");
        if (e) /* keeps the first error's message */
            sqlite3_exec(m.out, "ROLLBACK", NULL, NULL, NULL);
    }
    merger_finish(&m);
    sqlite3_close(m.out);
    if (e && !existed)
        remove_new_output(out_path);
    if (e)
        *counts = none;
    return e ? -1 : 0;
}

int results_merge(const char *out_path, const char *in_path, struct merge_counts *counts,
                  struct diag *err)
{
    return results_merge_all(out_path, &in_path, 1, counts, err);
}
