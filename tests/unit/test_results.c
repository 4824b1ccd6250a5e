/* tests/unit/test_results.c — the results database (sim/results.h): a
 * recorder written and read back column by column with the sqlite3 API,
 * the results schema (docs/user-guide.md §3), replacing a run_key, failed runs, refusing foreign
 * files, concurrent writers, and the three report formats. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, fork */
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/results.h"

static char tmpdir[1024];

static void make_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/lparsim-results-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir))
        ck_abort_msg("mkdtemp %s failed", tmpdir);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tmpdir(void)
{
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *tmp_path(const char *name)
{
    static char buf[4][1200];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

/* ---- sqlite helpers ---- */

static sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    return db;
}

static sqlite3_stmt *q(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    return st;
}

static sqlite3_int64 q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = q(db, sql);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    sqlite3_int64 v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static const char *col_s(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "(null)";
}

/* ---- fixtures ---- */

static const struct run_param params[] = {
    { "io_depth", "32" },
    { "note", "value, with \"quotes\"\nand a newline" },
    { "bytes", "\xff\xc3\xa9" }, /* invalid UTF-8, then a valid e-acute */
};
#define NPARAMS (sizeof params / sizeof params[0])

static struct run_record make_run(const char *key, uint64_t seed)
{
    return (struct run_record){
        .run_key = key, .scenario = "lpm_basic",
        .scenario_sha256 = "ab12", .rep = 3, .seed = seed,
        .kernel = "native", .version = "0.1.0",
        .started_at = "2024-05-01T12:00:00Z", .wall_s = 1.25,
        .events = 123456789, .sim_end_ps = 5 * SIM_MS, .status = "ok",
        .error = NULL, .params = params, .nparams = NPARAMS,
    };
}

static struct recorder *make_recorder(void)
{
    struct recorder *r = recorder_create(0);
    struct statistic *lat = recorder_statistic(r, "lpar.db1", "io_latency", "ns");
    for (int i = 1; i <= 1000; i++)
        statistic_add(lat, 1000.0 + i * 3.5);
    recorder_statistic(r, "lpar.db2", "io_latency", "ns"); /* empty */
    recorder_scalar(r, "lpar.db1", "ios_issued", "", 1000);
    recorder_scalar(r, "lpm.db1", "downtime", "ns", 2.5e6);
    struct series *s = recorder_series(r, "phb0", "util", "1");
    for (int i = 0; i < 3; i++)
        series_append(s, (sim_time_t)i * SIM_US, 0.25 * i);
    recorder_event(r, 7 * SIM_US, "lpm.db1", "phase", "precopy round %d", 1);
    recorder_event(r, 9 * SIM_US, "tl", "action", "say \"hi\"\t\xff");
    return r;
}

static void write_ok(const char *path, const struct run_record *run,
                     const struct recorder *rec)
{
    struct diag err = { 0 };
    int rc = results_write(path, run, rec, &err);
    ck_assert_msg(rc == 0, "results_write: %s: %s", err.file, err.msg);
}

/* ---- round trip ---- */

static void check_run_row(sqlite3 *db, const struct run_record *run)
{
    sqlite3_stmt *st = q(db, "SELECT run_key, scenario, scenario_sha256, rep,"
                             " seed, kernel, version, started_at, wall_s,"
                             " events, sim_end_ps, status, error FROM run");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq(col_s(st, 0), run->run_key);
    ck_assert_str_eq(col_s(st, 1), run->scenario);
    ck_assert_str_eq(col_s(st, 2), run->scenario_sha256);
    ck_assert_int_eq(sqlite3_column_int(st, 3), run->rep);
    ck_assert_uint_eq((uint64_t)sqlite3_column_int64(st, 4), run->seed);
    ck_assert_str_eq(col_s(st, 5), run->kernel);
    ck_assert_str_eq(col_s(st, 6), run->version);
    ck_assert_str_eq(col_s(st, 7), run->started_at);
    ck_assert_double_eq(sqlite3_column_double(st, 8), run->wall_s);
    ck_assert_uint_eq((uint64_t)sqlite3_column_int64(st, 9), run->events);
    ck_assert_uint_eq((uint64_t)sqlite3_column_int64(st, 10), run->sim_end_ps);
    ck_assert_str_eq(col_s(st, 11), "ok");
    ck_assert_int_eq(sqlite3_column_type(st, 12), SQLITE_NULL);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void check_stat_value(sqlite3_stmt *st, int col, double want)
{
    if (isnan(want))
        ck_assert_int_eq(sqlite3_column_type(st, col), SQLITE_NULL);
    else
        ck_assert_double_eq(sqlite3_column_double(st, col), want);
}

static void check_statistics(sqlite3 *db, const struct recorder *rec)
{
    sqlite3_stmt *st = q(db, "SELECT component, name, unit, count, mean,"
                             " stddev, min, max, p50, p90, p99, p999"
                             " FROM statistic ORDER BY rowid");
    for (size_t i = 0; i < recorder_statistic_count(rec); i++) {
        const struct statistic *s = recorder_statistic_at(rec, i);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq(col_s(st, 0), statistic_component(s));
        ck_assert_str_eq(col_s(st, 1), statistic_name(s));
        ck_assert_str_eq(col_s(st, 2), statistic_unit(s));
        ck_assert_uint_eq((uint64_t)sqlite3_column_int64(st, 3), statistic_count(s));
        check_stat_value(st, 4, statistic_mean(s));
        check_stat_value(st, 5, statistic_stddev(s));
        check_stat_value(st, 6, statistic_min(s));
        check_stat_value(st, 7, statistic_max(s));
        check_stat_value(st, 8, statistic_quantile(s, 0.5));
        check_stat_value(st, 9, statistic_quantile(s, 0.9));
        check_stat_value(st, 10, statistic_quantile(s, 0.99));
        check_stat_value(st, 11, statistic_quantile(s, 0.999));
    }
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

struct hist_cmp {
    sqlite3_stmt *st;
    uint64_t sum;
};

static void hist_cb(void *ctx, double lower, double upper, uint64_t count)
{
    struct hist_cmp *h = ctx;
    ck_assert_int_eq(sqlite3_step(h->st), SQLITE_ROW);
    ck_assert_str_eq(col_s(h->st, 0), "lpar.db1");
    ck_assert_str_eq(col_s(h->st, 1), "io_latency");
    ck_assert_double_eq(sqlite3_column_double(h->st, 2), lower);
    ck_assert_double_eq(sqlite3_column_double(h->st, 3), upper);
    ck_assert_uint_eq((uint64_t)sqlite3_column_int64(h->st, 4), count);
    h->sum += count;
}

static void check_histogram(sqlite3 *db, const struct recorder *rec)
{
    struct hist_cmp h = { q(db, "SELECT component, name, lower, upper, count"
                                " FROM histogram ORDER BY rowid"), 0 };
    statistic_foreach_bucket(recorder_statistic_at(rec, 0), hist_cb, &h);
    ck_assert_int_eq(sqlite3_step(h.st), SQLITE_DONE); /* empty stat: no rows */
    sqlite3_finalize(h.st);
    ck_assert_uint_eq(h.sum, 1000);
}

static void check_children(sqlite3 *db)
{
    sqlite3_stmt *st = q(db, "SELECT name, value FROM param ORDER BY rowid");
    for (size_t i = 0; i < NPARAMS; i++) {
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq(col_s(st, 0), params[i].name);
        ck_assert_str_eq(col_s(st, 1), params[i].value);
    }
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);

    st = q(db, "SELECT component, name, value, unit FROM scalar ORDER BY rowid");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq(col_s(st, 0), "lpar.db1");
    ck_assert_str_eq(col_s(st, 1), "ios_issued");
    ck_assert_double_eq(sqlite3_column_double(st, 2), 1000);
    ck_assert_str_eq(col_s(st, 3), "");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq(col_s(st, 0), "lpm.db1");
    ck_assert_str_eq(col_s(st, 1), "downtime");
    ck_assert_double_eq(sqlite3_column_double(st, 2), 2.5e6);
    ck_assert_str_eq(col_s(st, 3), "ns");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);

    st = q(db, "SELECT component, name, t_ps, value FROM series ORDER BY rowid");
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq(col_s(st, 0), "phb0");
        ck_assert_str_eq(col_s(st, 1), "util");
        ck_assert_int_eq(sqlite3_column_int64(st, 2), i * (sqlite3_int64)SIM_US);
        ck_assert_double_eq(sqlite3_column_double(st, 3), 0.25 * i);
    }
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);

    st = q(db, "SELECT t_ps, component, kind, detail FROM event ORDER BY rowid");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int64(st, 0), 7 * (sqlite3_int64)SIM_US);
    ck_assert_str_eq(col_s(st, 1), "lpm.db1");
    ck_assert_str_eq(col_s(st, 2), "phase");
    ck_assert_str_eq(col_s(st, 3), "precopy round 1");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq(col_s(st, 3), "say \"hi\"\t\xff");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

START_TEST(round_trip)
{
    const char *path = tmp_path("sub/dir/results.db"); /* parents created */
    struct recorder *rec = make_recorder();
    /* a seed above 2^63 survives SQLite's signed INTEGER */
    struct run_record run = make_run("key-1", 0xfedcba9876543210ull);
    write_ok(path, &run, rec);
    sqlite3 *db = db_open(path);
    check_run_row(db, &run);
    check_children(db);
    check_statistics(db, rec);
    check_histogram(db, rec);
    /* every child row belongs to the one run */
    sqlite3_int64 id = q_int(db, "SELECT run_id FROM run");
    static const char *const orphans[] = {
        "SELECT count(*) FROM param WHERE run_id <> (SELECT run_id FROM run)",
        "SELECT count(*) FROM scalar WHERE run_id <> (SELECT run_id FROM run)",
        "SELECT count(*) FROM statistic WHERE run_id <> (SELECT run_id FROM run)",
        "SELECT count(*) FROM histogram WHERE run_id <> (SELECT run_id FROM run)",
        "SELECT count(*) FROM series WHERE run_id <> (SELECT run_id FROM run)",
        "SELECT count(*) FROM event WHERE run_id <> (SELECT run_id FROM run)",
    };
    for (size_t i = 0; i < 6; i++)
        ck_assert_int_eq(q_int(db, orphans[i]), 0);
    ck_assert_int_gt(id, 0);
    /* the metric view unions scalars and statistic means */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM metric"), 4);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM metric WHERE"
                               " component='lpar.db1' AND name='io_latency'"
                               " AND unit='ns' AND abs(value - 2751.75) < 1e-9"), 1);
    sqlite3_close(db);
    recorder_destroy(rec);
}
END_TEST

/* ---- schema ---- */

static void check_columns(sqlite3 *db, const char *table, const char *const *cols)
{
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    sqlite3_stmt *st = q(db, sql);
    int i = 0;
    for (; cols[i]; i++) {
        ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: missing %s", table, cols[i]);
        ck_assert_str_eq(col_s(st, 1), cols[i]);
    }
    ck_assert_msg(sqlite3_step(st) == SQLITE_DONE, "%s: extra columns", table);
    sqlite3_finalize(st);
}

START_TEST(schema_matches_spec)
{
    const char *path = tmp_path("s.db");
    struct run_record run = make_run("k", 1);
    write_ok(path, &run, NULL);
    sqlite3 *db = db_open(path);
    check_columns(db, "run", (const char *const[]){ "run_id", "run_key",
        "scenario", "scenario_sha256", "rep", "seed", "kernel", "version",
        "started_at", "wall_s", "events", "sim_end_ps", "status", "error", "point", NULL });
    check_columns(db, "param", (const char *const[]){ "run_id", "name", "value", "value_si",
        NULL });
    check_columns(db, "scalar", (const char *const[]){ "run_id", "component",
        "name", "value", "unit", NULL });
    check_columns(db, "statistic", (const char *const[]){ "run_id", "component",
        "name", "unit", "count", "mean", "stddev", "min", "max", "p50", "p90",
        "p99", "p999", NULL });
    check_columns(db, "histogram", (const char *const[]){ "run_id", "component",
        "name", "lower", "upper", "count", NULL });
    check_columns(db, "series", (const char *const[]){ "run_id", "component",
        "name", "t_ps", "value", "unit", NULL });
    check_columns(db, "event", (const char *const[]){ "run_id", "t_ps",
        "component", "kind", "detail", NULL });
    check_columns(db, "metric", (const char *const[]){ "run_id", "component",
        "name", "unit", "value", NULL });
    /* run_id is the rowid alias, run_key unique */
    ck_assert_int_eq(q_int(db, "SELECT pk FROM pragma_table_info('run')"
                               " WHERE name='run_id'"), 1);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM pragma_index_list('run')"
                               " WHERE \"unique\" = 1"), 1);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sqlite_master WHERE"
                               " type='index' AND sql LIKE '%(run_id)'"), 6);
    ck_assert_int_eq(q_int(db, "SELECT value FROM meta WHERE key='schema_version'"), 2);
    sqlite3_stmt *st = q(db, "PRAGMA journal_mode");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq(col_s(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}
END_TEST

/* ---- replacing runs, failed runs, has_run ---- */

static sqlite3_int64 total_rows(sqlite3 *db)
{
    return q_int(db, "SELECT (SELECT count(*) FROM param) + (SELECT count(*)"
                     " FROM scalar) + (SELECT count(*) FROM statistic) +"
                     " (SELECT count(*) FROM histogram) + (SELECT count(*)"
                     " FROM series) + (SELECT count(*) FROM event)");
}

START_TEST(same_key_replaces)
{
    const char *path = tmp_path("r.db");
    struct recorder *rec = make_recorder();
    struct run_record run = make_run("dup", 5);
    write_ok(path, &run, rec);
    sqlite3 *db = db_open(path);
    sqlite3_int64 once = total_rows(db);
    sqlite3_close(db);
    ck_assert_int_gt(once, 10);
    run.seed = 6;
    write_ok(path, &run, rec);
    struct run_record other = make_run("other", 7);
    write_ok(path, &other, NULL);
    db = db_open(path);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM run WHERE run_key='dup'"), 1);
    ck_assert_int_eq(q_int(db, "SELECT seed FROM run WHERE run_key='dup'"), 6);
    ck_assert_int_eq(total_rows(db), once + NPARAMS); /* + other's params */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM scalar WHERE run_id NOT IN"
                               " (SELECT run_id FROM run)"), 0);
    sqlite3_close(db);
    recorder_destroy(rec);
}
END_TEST

START_TEST(failed_run_and_has_run)
{
    const char *path = tmp_path("f.db");
    ck_assert(!results_has_run(path, "x")); /* no file yet */
    struct run_record run = make_run("bad", 9);
    run.status = "failed";
    run.error = "scenario.yaml:3:5: error: unknown model";
    write_ok(path, &run, NULL);
    sqlite3 *db = db_open(path);
    sqlite3_stmt *st = q(db, "SELECT status, error FROM run WHERE run_key='bad'");
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq(col_s(st, 0), "failed");
    ck_assert_str_eq(col_s(st, 1), run.error);
    sqlite3_finalize(st);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM scalar"), 0);
    sqlite3_close(db);
    ck_assert(!results_has_run(path, "bad")); /* failed runs are redone */
    ck_assert(!results_has_run(path, "missing"));
    run.status = "ok";
    run.error = NULL;
    write_ok(path, &run, NULL);
    ck_assert(results_has_run(path, "bad"));
}
END_TEST

/* ---- refusing what is not ours ---- */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(1 << 20);
    *n = fread(buf, 1, (1 << 20) - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(refuses_foreign_files)
{
    struct run_record run = make_run("k", 1);
    struct diag err = { 0 };

    /* a directory */
    ck_assert_int_eq(results_write(tmpdir, &run, NULL, &err), -1);
    ck_assert_str_eq(err.file, tmpdir);
    ck_assert_int_gt(strlen(err.msg), 0);
    ck_assert_int_eq(results_open_check(tmpdir, &err), -1);

    /* a text file: error, and not one byte changed */
    const char *txt = tmp_path("notes.txt");
    const char text[] = "these are my notes, not a database\n"
                        "0123456789abcdef0123456789abcdef0123456789abcdef\n"
                        "0123456789abcdef0123456789abcdef0123456789abcdef\n";
    FILE *f = fopen(txt, "w");
    fputs(text, f);
    fclose(f);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(results_write(txt, &run, NULL, &err), -1);
    ck_assert_str_eq(err.file, txt);
    ck_assert_msg(strstr(err.msg, "database"), "msg: %s", err.msg);
    size_t n;
    char *after = slurp(txt, &n);
    ck_assert_uint_eq(n, strlen(text));
    ck_assert_str_eq(after, text);
    free(after);
    ck_assert_int_eq(access(tmp_path("notes.txt-wal"), F_OK), -1);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(results_open_check(txt, &err), -1);
    ck_assert_msg(strstr(err.msg, "not an lparsim results database"), "%s", err.msg);
    ck_assert(!results_has_run(txt, "k"));

    /* someone else's SQLite database */
    const char *foreign = tmp_path("other.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(foreign, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(results_write(foreign, &run, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "not an lparsim results database"), "%s", err.msg);
    db = db_open(foreign);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sqlite_master"), 1);
    sqlite3_close(db);
    ck_assert_int_eq(results_open_check(foreign, &err), -1);

    /* missing file, and a good one */
    ck_assert_int_eq(results_open_check(tmp_path("nope.db"), &err), -1);
    write_ok(tmp_path("good.db"), &run, NULL);
    ck_assert_int_eq(results_open_check(tmp_path("good.db"), &err), 0);

    /* a run without a key is refused before the file is touched */
    run.run_key = NULL;
    ck_assert_int_eq(results_write(tmp_path("nokey.db"), &run, NULL, &err), -1);
    ck_assert_int_eq(access(tmp_path("nokey.db"), F_OK), -1);
}
END_TEST

/* ---- concurrent writers (sweep workers) ---- */

START_TEST(concurrent_writers)
{
    const char *path = tmp_path("sweep.db");
    enum { WORKERS = 4, RUNS = 10 };
    pid_t pid[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        pid[w] = fork();
        ck_assert_int_ge(pid[w], 0);
        if (pid[w] == 0) {
            int bad = 0;
            for (int i = 0; i < RUNS; i++) {
                char key[32];
                snprintf(key, sizeof key, "w%d-r%d", w, i);
                struct recorder *rec = make_recorder();
                struct run_record run = make_run(key, (uint64_t)i);
                struct diag err;
                if (results_write(path, &run, rec, &err) != 0) {
                    fprintf(stderr, "%s: %s\n", err.file, err.msg);
                    bad = 1;
                }
                recorder_destroy(rec);
            }
            _exit(bad);
        }
    }
    for (int w = 0; w < WORKERS; w++) {
        int status;
        ck_assert_int_eq(waitpid(pid[w], &status, 0), pid[w]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    sqlite3 *db = db_open(path);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM run"), WORKERS * RUNS);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM scalar"), WORKERS * RUNS * 2);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM meta"), 1);
    sqlite3_close(db);
    char last[32];
    snprintf(last, sizeof last, "w%d-r%d", WORKERS - 1, RUNS - 1);
    ck_assert(results_has_run(path, last));
}
END_TEST

/* ---- report ---- */

static char *report(const char *db, enum report_format fmt)
{
    const char *out = tmp_path("report.out");
    FILE *f = fopen(out, "w");
    struct diag err = { 0 };
    struct report_options o = { .fmt = fmt, .all = true };
    int rc = results_report(db, f, &o, &err);
    fclose(f);
    ck_assert_msg(rc == 0, "report: %s", err.msg);
    size_t n;
    return slurp(out, &n);
}

static void assert_json_valid(const char *text)
{
    /* Prefer a real parser; fall back to a brace/bracket balance check. */
    if (system("python3 -c '' >/dev/null 2>&1") == 0) {
        const char *path = tmp_path("report.json");
        FILE *f = fopen(path, "w");
        fputs(text, f);
        fclose(f);
        char cmd[1400];
        snprintf(cmd, sizeof cmd, "python3 -m json.tool '%s' >/dev/null", path);
        ck_assert_msg(system(cmd) == 0, "invalid JSON:\n%s", text);
        return;
    }
    int depth = 0;
    bool in_str = false;
    for (const char *p = text; *p; p++) {
        if (in_str) {
            if (*p == '\\')
                p++;
            else if (*p == '"')
                in_str = false;
        } else if (*p == '"') {
            in_str = true;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            ck_assert_int_gt(depth--, 0);
        }
    }
    ck_assert(!in_str && depth == 0);
}

START_TEST(report_formats)
{
    const char *path = tmp_path("rep.db");
    struct recorder *rec = make_recorder();
    struct run_record run = make_run("rk-1", 42);
    write_ok(path, &run, rec);
    struct run_record bad = make_run("rk-2", 43);
    bad.status = "failed";
    bad.error = "boom \"quoted\"";
    write_ok(path, &bad, NULL);

    char *t = report(path, REPORT_TABLE);
    ck_assert_ptr_nonnull(strstr(t, "io_latency"));
    ck_assert_ptr_nonnull(strstr(t, "ios_issued"));
    ck_assert_ptr_nonnull(strstr(t, "io_depth"));
    ck_assert_ptr_nonnull(strstr(t, "lpm_basic"));
    ck_assert_ptr_nonnull(strstr(t, "failed"));
    ck_assert_ptr_nonnull(strstr(t, "boom"));
    ck_assert_ptr_nonnull(strstr(t, "5 ms"));
    free(t);

    char *c = report(path, REPORT_CSV);
    ck_assert_msg(strncmp(c, "run_id,run_key,status,component,name,unit,kind,"
                             "value,count,mean", 57) == 0, "%s", c);
    ck_assert_ptr_nonnull(strstr(c, "1,rk-1,ok,lpar.db1,io_latency,ns,statistic,,1000,"));
    ck_assert_ptr_nonnull(strstr(c, "1,rk-1,ok,lpm.db1,downtime,ns,scalar,2500000,"));
    ck_assert_ptr_nonnull(strstr(c, "\"value, with \"\"quotes\"\"\nand a newline\""));
    ck_assert_ptr_nonnull(strstr(c, ",seed,,run,42,"));
    ck_assert_ptr_nonnull(strstr(c, "\"boom \"\"quoted\"\"\""));
    free(c);

    char *j = report(path, REPORT_JSON);
    ck_assert_ptr_nonnull(strstr(j, "\"io_latency\""));
    ck_assert_ptr_nonnull(strstr(j, "\"io_depth\": \"32\""));
    ck_assert_ptr_nonnull(strstr(j, "\"seed\": 42"));
    ck_assert_ptr_nonnull(strstr(j, "\"error\": \"boom \\\"quoted\\\"\""));
    ck_assert_ptr_nonnull(strstr(j, "\"mean\": null")); /* the empty statistic */
    ck_assert_ptr_nonnull(strstr(j, "\"bytes\": \"\\ufffd\xc3\xa9\""));
    assert_json_valid(j);
    free(j);

    struct diag err = { 0 };
    struct report_options o = { .fmt = REPORT_TABLE };
    ck_assert_int_eq(results_report(tmp_path("missing.db"), stdout, &o, &err), -1);
    ck_assert_str_eq(err.file, tmp_path("missing.db"));
    recorder_destroy(rec);
}
END_TEST

START_TEST(report_empty_database)
{
    const char *path = tmp_path("e.db");
    struct run_record run = make_run("k", 1);
    write_ok(path, &run, NULL);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM param; DELETE FROM run",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char *j = report(path, REPORT_JSON);
    ck_assert_str_eq(j, "[]\n");
    free(j);
}
END_TEST

static Suite *results_suite(void)
{
    Suite *s = suite_create("results");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    /* a checked fixture: the directory goes even when a test fails */
    tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, schema_matches_spec);
    tcase_add_test(tc, same_key_replaces);
    tcase_add_test(tc, failed_run_and_has_run);
    tcase_add_test(tc, refuses_foreign_files);
    tcase_add_test(tc, concurrent_writers);
    tcase_add_test(tc, report_formats);
    tcase_add_test(tc, report_empty_database);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(results_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
