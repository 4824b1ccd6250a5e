/* sim/results.c — writes runs into the SQLite results database (the
 * schema is in results_schema.c, the tables in docs/metrics.md).
 *
 * One transaction per run, opened with BEGIN IMMEDIATE: the write lock is
 * taken up front, so concurrent sweep workers queue on the busy timeout
 * instead of deadlocking on a read-to-write upgrade, and a run killed
 * mid-write leaves nothing behind (WAL rolls the partial transaction
 * back). A run_key already present is replaced inside the same
 * transaction, which is what makes `--resume` idempotent. Every value is
 * a bound parameter; the only SQL text is the constant schema. */
#define _POSIX_C_SOURCE 200809L /* stat, mkdir, strdup */
#include "sim/results.h"
#include "sim/results_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "sim/units.h"

#define RESULTS_WAL_REFUSED_MS 2000 /* see set_wal */

/* Child tables first: the foreign keys point at run. */
static const char *const delete_sql[] = {
    "DELETE FROM param WHERE run_id = ?1",
    "DELETE FROM scalar WHERE run_id = ?1",
    "DELETE FROM statistic WHERE run_id = ?1",
    "DELETE FROM histogram WHERE run_id = ?1",
    "DELETE FROM series WHERE run_id = ?1",
    "DELETE FROM event WHERE run_id = ?1",
    "DELETE FROM run WHERE run_id = ?1",
};

struct writer {
    sqlite3 *db;
    const char *path;
    struct diag *err;
    sqlite3_int64 run_id;
};

/* Reports sqlite's own message: it names the actual cause (locked, not a
 * database, disk full) better than anything we could guess. */
static int fail(struct writer *w, const char *what)
{
    return results_sqlite_fail(w->db, w->path, w->err, what);
}

static int fail_msg(struct writer *w, const char *msg)
{
    struct src_loc loc = { w->path, 0, 0 };
    return diag_set(w->err, &loc, "%s", msg);
}

/* ---- binding and stepping ---- */

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC)
             : sqlite3_bind_null(st, i);
}

/* NaN (an empty statistic's mean) becomes NULL, not a bogus number. */
static int bind_real(sqlite3_stmt *st, int i, double v)
{
    return isnan(v) ? sqlite3_bind_null(st, i) : sqlite3_bind_double(st, i, v);
}

/* 64-bit unsigned values (seeds, times) are stored as their two's
 * complement bit pattern; readers cast back to uint64_t. */
static int bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
    return sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

static int step_reset(struct writer *w, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    int ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    int ret = ok ? 0 : fail(w, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

static int prepare(struct writer *w, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(w->db, sql, -1, st, NULL) != SQLITE_OK)
        return fail(w, "cannot prepare statement");
    return 0;
}

static int exec(struct writer *w, const char *sql, const char *what)
{
    if (sqlite3_exec(w->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(w, what);
    return 0;
}

/* ---- opening ---- */

/* mkdir -p of the directory part of path. */
static int make_parent_dirs(struct writer *w)
{
    char dir[4096];
    size_t n = strlen(w->path);
    if (n >= sizeof dir)
        return fail_msg(w, "path too long");
    memcpy(dir, w->path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            struct src_loc loc = { w->path, 0, 0 };
            return diag_set(w->err, &loc, "cannot create directory %s: %s",
                            dir, strerror(errno));
        }
        *p = c;
        if (c == '\0')
            return 0;
    }
}

/* Runs a pragma that returns one text row; the sqlite result code. */
static int pragma_text(struct writer *w, const char *sql, char *buf, size_t n)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(w->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    buf[0] = '\0';
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(buf, n, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Switches a new database to WAL. SQLite does not run the busy handler
 * for this conversion (it needs exclusive access), so concurrent sweep
 * workers opening a fresh file would fail at once: retry with backoff
 * within the busy budget. WAL is persistent, so once any worker has
 * converted the file the first read sees it and nothing is locked. A
 * file system that cannot do WAL keeps its rollback journal after a
 * short while: each run is still one atomic transaction. */
static int set_wal(struct writer *w)
{
    char mode[16];
    int waited_ms = 0, delay_ms = 1;
    for (;;) {
        int rc = pragma_text(w, "PRAGMA journal_mode", mode, sizeof mode);
        if (rc == SQLITE_OK && strcmp(mode, "wal") == 0)
            return 0;
        if (rc == SQLITE_OK)
            rc = pragma_text(w, "PRAGMA journal_mode=WAL", mode, sizeof mode);
        if (rc == SQLITE_OK && strcmp(mode, "wal") == 0)
            return 0;
        if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            return fail(w, "cannot open results database");
        if (rc == SQLITE_OK && waited_ms >= RESULTS_WAL_REFUSED_MS)
            return 0;
        if (waited_ms >= RESULTS_BUSY_MS)
            return fail(w, "cannot switch to WAL");
        sqlite3_sleep(delay_ms);
        waited_ms += delay_ms;
        delay_ms = delay_ms < 64 ? delay_ms * 2 : 100;
    }
}

static int open_for_write(struct writer *w)
{
    if (make_parent_dirs(w))
        return -1;
    struct stat sb;
    if (stat(w->path, &sb) == 0 && (!S_ISREG(sb.st_mode) || sb.st_size > 0) &&
        results_file_check(w->path, w->err))
        return -1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(w->path, &w->db, flags, NULL) != SQLITE_OK)
        return fail(w, "cannot open results database");
    sqlite3_busy_timeout(w->db, RESULTS_BUSY_MS);
    /* The first statement reads the header: a foreign file fails here,
     * before anything is written to it. */
    if (set_wal(w))
        return -1;
    return exec(w, "PRAGMA foreign_keys=ON", "cannot enable foreign keys");
}

/* ---- writing one run ---- */

static int delete_old_run(struct writer *w, const char *run_key)
{
    sqlite3_stmt *st;
    if (prepare(w, "SELECT run_id FROM run WHERE run_key = ?1", &st))
        return -1;
    bind_text(st, 1, run_key);
    int rc = sqlite3_step(st);
    sqlite3_int64 old = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(w, "cannot look up run");
    if (rc == SQLITE_DONE)
        return 0;
    for (size_t i = 0; i < sizeof delete_sql / sizeof delete_sql[0]; i++) {
        if (prepare(w, delete_sql[i], &st))
            return -1;
        sqlite3_bind_int64(st, 1, old);
        int e = step_reset(w, st, "cannot delete old run");
        sqlite3_finalize(st);
        if (e)
            return -1;
    }
    return 0;
}

static int insert_run(struct writer *w, const struct run_record *run)
{
    sqlite3_stmt *st;
    if (prepare(w, "INSERT INTO run(run_key, scenario, scenario_sha256, rep,"
                   " seed, kernel, version, started_at, wall_s, events,"
                   " sim_end_ps, status, error, point)"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)", &st))
        return -1;
    bind_text(st, 1, run->run_key);
    bind_text(st, 2, run->scenario);
    bind_text(st, 3, run->scenario_sha256);
    sqlite3_bind_int(st, 4, run->rep);
    bind_u64(st, 5, run->seed);
    bind_text(st, 6, run->kernel);
    bind_text(st, 7, run->version);
    bind_text(st, 8, run->started_at);
    bind_real(st, 9, run->wall_s);
    bind_u64(st, 10, run->events);
    bind_u64(st, 11, run->sim_end_ps);
    bind_text(st, 12, run->status);
    bind_text(st, 13, run->error);
    if (run->in_sweep)
        sqlite3_bind_int64(st, 14, (sqlite3_int64)run->point);
    int e = step_reset(w, st, "cannot insert run");
    sqlite3_finalize(st);
    w->run_id = sqlite3_last_insert_rowid(w->db);
    return e;
}

static int insert_params(struct writer *w, const struct run_record *run)
{
    sqlite3_stmt *st;
    if (prepare(w, "INSERT INTO param(run_id, name, value, value_si) VALUES(?1,?2,?3,?4)",
                &st))
        return -1;
    int e = 0;
    for (size_t i = 0; i < run->nparams && !e; i++) {
        double si;
        sqlite3_bind_int64(st, 1, w->run_id);
        bind_text(st, 2, run->params[i].name);
        bind_text(st, 3, run->params[i].value);
        if (run->params[i].value && unit_value_si(run->params[i].value, &si) == 0)
            bind_real(st, 4, si);
        e = step_reset(w, st, "cannot insert param");
    }
    sqlite3_finalize(st);
    return e;
}

static int insert_scalars(struct writer *w, const struct recorder *rec)
{
    const struct scalar_row *rows;
    size_t n = recorder_scalars(rec, &rows);
    sqlite3_stmt *st;
    if (prepare(w, "INSERT INTO scalar(run_id, component, name, value, unit)"
                   " VALUES(?1,?2,?3,?4,?5)", &st))
        return -1;
    int e = 0;
    for (size_t i = 0; i < n && !e; i++) {
        sqlite3_bind_int64(st, 1, w->run_id);
        bind_text(st, 2, rows[i].component);
        bind_text(st, 3, rows[i].name);
        bind_real(st, 4, rows[i].value);
        bind_text(st, 5, rows[i].unit);
        e = step_reset(w, st, "cannot insert scalar");
    }
    sqlite3_finalize(st);
    return e;
}

struct bucket_ctx {
    struct writer *w;
    sqlite3_stmt *st;
    const struct statistic *s;
    int err;
};

static void insert_bucket(void *ctx, double lower, double upper, uint64_t count)
{
    struct bucket_ctx *b = ctx;
    if (b->err)
        return;
    sqlite3_bind_int64(b->st, 1, b->w->run_id);
    bind_text(b->st, 2, statistic_component(b->s));
    bind_text(b->st, 3, statistic_name(b->s));
    sqlite3_bind_double(b->st, 4, lower);
    sqlite3_bind_double(b->st, 5, upper);
    bind_u64(b->st, 6, count);
    b->err = step_reset(b->w, b->st, "cannot insert histogram");
}

static int insert_statistic(struct writer *w, sqlite3_stmt *st,
                            const struct statistic *s)
{
    static const double q[] = { 0.5, 0.9, 0.99, 0.999 };
    sqlite3_bind_int64(st, 1, w->run_id);
    bind_text(st, 2, statistic_component(s));
    bind_text(st, 3, statistic_name(s));
    bind_text(st, 4, statistic_unit(s));
    bind_u64(st, 5, statistic_count(s));
    bind_real(st, 6, statistic_mean(s));
    bind_real(st, 7, statistic_stddev(s));
    bind_real(st, 8, statistic_min(s));
    bind_real(st, 9, statistic_max(s));
    for (int i = 0; i < 4; i++)
        bind_real(st, 10 + i, statistic_quantile(s, q[i]));
    return step_reset(w, st, "cannot insert statistic");
}

static int insert_statistics(struct writer *w, const struct recorder *rec)
{
    sqlite3_stmt *st, *hist;
    if (prepare(w, "INSERT INTO statistic(run_id, component, name, unit, count,"
                   " mean, stddev, min, max, p50, p90, p99, p999)"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)", &st))
        return -1;
    if (prepare(w, "INSERT INTO histogram(run_id, component, name, lower,"
                   " upper, count) VALUES(?1,?2,?3,?4,?5,?6)", &hist)) {
        sqlite3_finalize(st);
        return -1;
    }
    int e = 0;
    for (size_t i = 0; i < recorder_statistic_count(rec) && !e; i++) {
        const struct statistic *s = recorder_statistic_at(rec, i);
        e = insert_statistic(w, st, s);
        struct bucket_ctx b = { w, hist, s, e };
        statistic_foreach_bucket(s, insert_bucket, &b);
        e = b.err;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(hist);
    return e;
}

static int insert_one_series(struct writer *w, sqlite3_stmt *st,
                             const struct series_row *s)
{
    for (size_t j = 0; j < s->n; j++) {
        sqlite3_bind_int64(st, 1, w->run_id);
        bind_text(st, 2, s->component);
        bind_text(st, 3, s->name);
        bind_u64(st, 4, s->t[j]);
        bind_real(st, 5, s->v[j]);
        bind_text(st, 6, s->unit && *s->unit ? s->unit : NULL);
        if (step_reset(w, st, "cannot insert series"))
            return -1;
    }
    return 0;
}

static int insert_series(struct writer *w, const struct recorder *rec)
{
    size_t n = recorder_series_count(rec);
    struct series_row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows)
        return fail_msg(w, "out of memory");
    n = recorder_series_rows(rec, rows, n);
    sqlite3_stmt *st;
    int e = prepare(w, "INSERT INTO series(run_id, component, name, t_ps,"
                       " value, unit) VALUES(?1,?2,?3,?4,?5,?6)", &st);
    for (size_t i = 0; i < n && !e; i++)
        e = insert_one_series(w, st, &rows[i]);
    if (st)
        sqlite3_finalize(st);
    free(rows);
    return e;
}

static int insert_events(struct writer *w, const struct recorder *rec)
{
    const struct event_row *rows;
    size_t n = recorder_events(rec, &rows);
    sqlite3_stmt *st;
    if (prepare(w, "INSERT INTO event(run_id, t_ps, component, kind, detail)"
                   " VALUES(?1,?2,?3,?4,?5)", &st))
        return -1;
    int e = 0;
    for (size_t i = 0; i < n && !e; i++) {
        sqlite3_bind_int64(st, 1, w->run_id);
        bind_u64(st, 2, rows[i].t);
        bind_text(st, 3, rows[i].component);
        bind_text(st, 4, rows[i].kind);
        bind_text(st, 5, rows[i].detail);
        e = step_reset(w, st, "cannot insert event");
    }
    sqlite3_finalize(st);
    return e;
}

/* Everything between BEGIN IMMEDIATE and COMMIT. */
static int write_run(struct writer *w, const struct run_record *run,
                     const struct recorder *rec)
{
    if (results_db_schema(w->db, w->path, w->err) || delete_old_run(w, run->run_key) || insert_run(w, run) ||
        insert_params(w, run))
        return -1;
    if (!rec)
        return 0;
    return insert_scalars(w, rec) || insert_statistics(w, rec) ||
                   insert_series(w, rec) || insert_events(w, rec)
               ? -1
               : 0;
}

int results_write(const char *db_path, const struct run_record *run,
                  const struct recorder *rec, struct diag *err)
{
    struct writer w = { NULL, db_path ? db_path : "", err, 0 };
    if (!db_path || !*db_path)
        return fail_msg(&w, "no results database path");
    if (!run || !run->run_key || !run->status)
        return fail_msg(&w, "run record without run_key or status");
    int e = open_for_write(&w);
    if (!e && !(e = exec(&w, "BEGIN IMMEDIATE", "cannot start transaction"))) {
        e = write_run(&w, run, rec);
        if (!e)
            e = exec(&w, "COMMIT", "cannot commit run");
        if (e) /* keeps the first error's message in *err */
            sqlite3_exec(w.db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_close(w.db);
    return e ? -1 : 0;
}

bool results_has_run(const char *db_path, const char *run_key)
{
    struct stat sb;
    struct diag err;
    sqlite3 *db;
    if (!db_path || !run_key || stat(db_path, &sb) != 0 ||
        results_open_read(db_path, false, &db, NULL, &err) != 0)
        return false;
    sqlite3_stmt *st;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM run WHERE run_key = ?1 AND status = 'ok'", -1,
                           &st, NULL) == SQLITE_OK) {
        bind_text(st, 1, run_key);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return found;
}

/* ---- shared with results_merge.c (results_internal.h) ---- */

int results_db_open(const char *db_path, sqlite3 **db, struct diag *err)
{
    struct writer w = { NULL, db_path, err, 0 };
    if (open_for_write(&w)) {
        sqlite3_close(w.db);
        w.db = NULL;
    }
    *db = w.db;
    return w.db ? 0 : -1;
}
