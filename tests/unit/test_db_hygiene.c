/* tests/unit/test_db_hygiene.c — what the results database does to the
 * files around it and with damaged or older files (sim/results.h):
 * readers leave no DB-wal / DB-shm; a truncated file is called that, not
 * "not an lparsim database"; a report of a damaged database prints
 * nothing; a merge with a bad input leaves OUT byte for byte as it was
 * (and creates no OUT); an export of a damaged database leaves no CSV
 * behind; a database of schema 1 is read by report and merge and upgraded
 * by a writer; param.value_si sorts values written with units; a sweep's
 * run records its point. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, truncate */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/results.h"

#define TMPDIR_RIG_NAME "hygiene"
#include "tmpdir_rig.h"

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static bool exists_suffix(const char *path, const char *suffix)
{
    char p[1300];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    return exists(p);
}

/* A run with a statistic of many buckets, so that the file has pages to
 * damage. */
static void put_run(const char *db, const char *key, const char *rate, bool in_sweep,
                    size_t point)
{
    struct recorder *rec = recorder_create(0);
    struct statistic *st = recorder_statistic(rec, "lpar.db1", "io_latency", "ns");
    for (int i = 1; i <= 4000; i++)
        statistic_add(st, 100.0 * i);
    recorder_scalar(rec, "lpar.db1", "ios_issued", "", 4000);
    recorder_scalar(rec, "lpar.db1", "throughput", "1/s", 4000);
    struct series *se = recorder_series(rec, "lpar.db1", "iops", "1/s");
    for (int i = 0; i < 200; i++)
        series_append(se, (sim_time_t)i * 1000, i);
    struct run_param params[] = { { "lpars.db1.workload.rate", rate } };
    struct run_record rr = {
        .run_key = key, .scenario = "h", .scenario_sha256 = "00", .seed = 1,
        .kernel = "native", .version = "0", .started_at = "2024-01-01T00:00:00Z",
        .status = "ok", .params = params, .nparams = 1, .in_sweep = in_sweep, .point = point,
    };
    struct diag err;
    ck_assert_msg(results_write(db, &rr, rec, &err) == 0, "%s", err.msg);
    recorder_destroy(rec);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    *n = fread(buf, 1, (size_t)len, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

/* Overwrites `len` bytes at `off` with a pattern SQLite cannot read. */
static void damage(const char *path, long off, size_t len)
{
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, off, SEEK_SET);
    for (size_t i = 0; i < len; i++)
        fputc(0xa5, f);
    fclose(f);
}

static long file_size(const char *path)
{
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    return (long)sb.st_size;
}

static char *report_text(const char *db, int *rc, struct diag *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct report_options o = { .fmt = REPORT_TABLE };
    *rc = results_report(db, f, &o, err);
    fclose(f);
    return text;
}

START_TEST(readers_leave_nothing_beside_the_database)
{
    const char *db = tmp("r.db");
    put_run(db, "k1", "40k/s", false, 0);
    put_run(db, "k2", "60k/s", false, 0);
    ck_assert(!exists_suffix(db, "-wal") && !exists_suffix(db, "-shm"));
    struct diag err;
    int rc;
    free(report_text(db, &rc, &err));
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_msg(!exists_suffix(db, "-wal"), "report left %s-wal", db);
    ck_assert_msg(!exists_suffix(db, "-shm"), "report left %s-shm", db);
    ck_assert_int_eq(results_open_check(db, &err), 0);
    struct results_keys k;
    ck_assert_int_eq(results_ok_keys(db, &k, &err), 0);
    ck_assert_uint_eq(k.n, 2);
    results_keys_free(&k);
    ck_assert(results_has_run(db, "k1"));
    ck_assert_int_eq(results_export_csv(db, tmp("csv"), &err), 0);
    ck_assert(!exists_suffix(db, "-wal") && !exists_suffix(db, "-shm"));
}
END_TEST

START_TEST(a_truncated_database_is_called_truncated)
{
    const char *db = tmp("t.db"), *txt = tmp("t.txt");
    put_run(db, "k1", "40k/s", false, 0);
    ck_assert_int_eq(truncate(db, file_size(db) / 2), 0);
    struct diag err;
    ck_assert_int_eq(results_open_check(db, &err), -1);
    ck_assert_msg(strstr(err.msg, "corrupt or truncated"), "%s", err.msg);
    ck_assert_ptr_null(strstr(err.msg, "not an lparsim"));
    ck_assert_int_eq(truncate(db, 60), 0); /* less than the header */
    ck_assert_int_eq(results_open_check(db, &err), -1);
    ck_assert_msg(strstr(err.msg, "corrupt or truncated"), "%s", err.msg);
    FILE *f = fopen(txt, "w");
    fputs("time,op\n0us,read\n", f);
    fclose(f);
    ck_assert_int_eq(results_open_check(txt, &err), -1);
    ck_assert_msg(strstr(err.msg, "not an SQLite file"), "%s", err.msg);
    ck_assert_int_eq(truncate(txt, 0), 0);
    ck_assert_int_eq(results_open_check(txt, &err), -1);
    ck_assert_msg(strstr(err.msg, "empty"), "%s", err.msg);
    ck_assert_int_eq(results_open_check(tmpdir, &err), -1);
    ck_assert_msg(strstr(err.msg, "directory"), "%s", err.msg);
}
END_TEST

START_TEST(a_damaged_database_reports_nothing)
{
    const char *db = tmp("c.db");
    for (int i = 0; i < 6; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", i);
        put_run(db, key, "40k/s", false, 0);
    }
    long size = file_size(db);
    damage(db, size - 3 * 4096 + 100, 3000); /* a page of the last run's rows */
    struct diag err;
    int rc;
    char *text = report_text(db, &rc, &err);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(err.msg, "corrupt"), "%s", err.msg);
    ck_assert_msg(!text || !*text, "printed before the error:\n%s", text);
    free(text);
    /* an export creates no directory, and writes nothing into one */
    ck_assert_int_eq(results_export_csv(db, tmp("new/csv"), &err), -1);
    ck_assert(!exists(tmp("new/csv")));
    mkdir(tmp("old"), 0777);
    ck_assert_int_eq(results_export_csv(db, tmp("old"), &err), -1);
    ck_assert(!exists(tmp("old/run.csv")) && !exists(tmp("old/.param.csv.tmp")));
}
END_TEST

START_TEST(a_bad_input_leaves_the_merge_output_as_it_was)
{
    const char *out = tmp("out.db"), *good = tmp("good.db"), *bad = tmp("bad.db");
    put_run(out, "o1", "40k/s", false, 0);
    for (int i = 0; i < 9; i++) {
        char key[8];
        snprintf(key, sizeof key, "g%d", i);
        put_run(good, key, "60k/s", false, 0);
    }
    put_run(bad, "b1", "80k/s", false, 0);
    put_run(bad, "b2", "80k/s", false, 0);
    damage(bad, file_size(bad) / 2, 9000); /* pages in the middle */
    size_t n0, n1;
    char *before = slurp(out, &n0);
    const char *in[] = { good, bad };
    struct merge_counts c;
    struct diag err;
    ck_assert_int_eq(results_merge_all(out, in, 2, &c, &err), -1);
    ck_assert_str_eq(err.file, bad);
    ck_assert_msg(strstr(err.msg, "corrupt"), "%s", err.msg);
    char *after = slurp(out, &n1);
    ck_assert_uint_eq(n0, n1);
    ck_assert(memcmp(before, after, n0) == 0);
    free(before);
    free(after);
    ck_assert(!exists_suffix(out, "-wal") && !exists_suffix(out, "-shm"));
    /* a new OUT is not left behind */
    ck_assert_int_eq(results_merge_all(tmp("new.db"), in, 2, &c, &err), -1);
    ck_assert(!exists(tmp("new.db")) && !exists(tmp("new.db-wal")));
    /* and the good ones merge, all in one go */
    ck_assert_int_eq(results_merge_all(out, in, 1, &c, &err), 0);
    ck_assert_uint_eq(c.added, 9);
}
END_TEST

/* The schema of the first release, as it wrote it. */
static const char schema_v1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "INSERT INTO meta VALUES('schema_version', '1');"
    "CREATE TABLE run(run_id INTEGER PRIMARY KEY, run_key TEXT UNIQUE NOT NULL,"
    " scenario TEXT, scenario_sha256 TEXT, rep INTEGER, seed INTEGER, kernel TEXT,"
    " version TEXT, started_at TEXT, wall_s REAL, events INTEGER, sim_end_ps INTEGER,"
    " status TEXT NOT NULL, error TEXT);"
    "CREATE TABLE param(run_id INTEGER NOT NULL REFERENCES run(run_id), name TEXT, value TEXT);"
    "CREATE TABLE scalar(run_id INTEGER NOT NULL REFERENCES run(run_id), component TEXT,"
    " name TEXT, value REAL, unit TEXT);"
    "CREATE TABLE statistic(run_id INTEGER NOT NULL REFERENCES run(run_id), component TEXT,"
    " name TEXT, unit TEXT, count INTEGER, mean REAL, stddev REAL, min REAL, max REAL,"
    " p50 REAL, p90 REAL, p99 REAL, p999 REAL);"
    "CREATE TABLE histogram(run_id INTEGER NOT NULL REFERENCES run(run_id), component TEXT,"
    " name TEXT, lower REAL, upper REAL, count INTEGER);"
    "CREATE TABLE series(run_id INTEGER NOT NULL REFERENCES run(run_id), component TEXT,"
    " name TEXT, t_ps INTEGER, value REAL);"
    "CREATE TABLE event(run_id INTEGER NOT NULL REFERENCES run(run_id), t_ps INTEGER,"
    " component TEXT, kind TEXT, detail TEXT);"
    "INSERT INTO run VALUES(1, 'old1', 'h', '00', 0, 1, 'native', '0.0.9', 'x', 1, 1, 1,"
    " 'ok', NULL);"
    "INSERT INTO param VALUES(1, 'lpars.db1.workload.rate', '100k/s');"
    "INSERT INTO scalar VALUES(1, 'lpar.db1', 'ios_issued', 7, '');"
    "INSERT INTO series VALUES(1, 'lpar.db1', 'iops', 5, 2.5);";

static void make_v1(const char *path)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, schema_v1, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static sqlite3_int64 q_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    sqlite3_int64 v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

START_TEST(an_older_database_is_read_and_upgraded)
{
    const char *old = tmp("v1.db"), *out = tmp("m.db");
    make_v1(old);
    struct diag err;
    int rc;
    char *text = report_text(old, &rc, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(strstr(text, "run 1  ok"));
    free(text);
    /* merged into a new database: value_si computed, point NULL */
    put_run(out, "new1", "40k/s", true, 2);
    struct merge_counts c;
    ck_assert_msg(results_merge(out, old, &c, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(c.added, 1);
    ck_assert_int_eq(q_int(out, "SELECT value_si FROM param WHERE value = '100k/s'"), 100000);
    ck_assert_int_eq(q_int(out, "SELECT point IS NULL FROM run WHERE run_key = 'old1'"), 1);
    ck_assert_int_eq(q_int(out, "SELECT point FROM run WHERE run_key = 'new1'"), 2);
    /* a writer upgrades it in place and keeps its rows */
    put_run(old, "new2", "60k/s", false, 0);
    ck_assert_int_eq(q_int(old, "SELECT value FROM meta WHERE key = 'schema_version'"), 2);
    ck_assert_int_eq(q_int(old, "SELECT count(*) FROM run"), 2);
    ck_assert_int_eq(q_int(old, "SELECT value_si FROM param WHERE value = '100k/s'"), 100000);
    ck_assert_int_eq(q_int(old, "SELECT count(*) FROM series WHERE unit IS NULL"), 1);
    /* a newer one is refused by name, for reading and for writing */
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(old, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "UPDATE meta SET value = '9'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    ck_assert_int_eq(results_open_check(old, &err), -1);
    ck_assert_msg(strstr(err.msg, "newer lparsim"), "%s", err.msg);
}
END_TEST

START_TEST(value_si_sorts_values_with_units)
{
    const char *db = tmp("v.db");
    put_run(db, "a", "100k/s", false, 0);
    put_run(db, "b", "40k/s", false, 0);
    put_run(db, "c", "1M/s", false, 0);
    /* as text, 100k/s < 1M/s < 40k/s */
    ck_assert_int_eq(q_int(db, "SELECT group_concat(v, ' ') = '40000 100000 1000000' FROM"
                               " (SELECT CAST(value_si AS INTEGER) AS v FROM param"
                               " ORDER BY value_si)"), 1);
}
END_TEST

static Suite *hygiene_suite(void)
{
    Suite *s = suite_create("db_hygiene");
    TCase *t = tcase_create("files");
    tcase_set_timeout(t, 60);
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, readers_leave_nothing_beside_the_database);
    tcase_add_test(t, a_truncated_database_is_called_truncated);
    tcase_add_test(t, a_damaged_database_reports_nothing);
    tcase_add_test(t, a_bad_input_leaves_the_merge_output_as_it_was);
    tcase_add_test(t, an_older_database_is_read_and_upgraded);
    tcase_add_test(t, value_si_sorts_values_with_units);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(hygiene_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
