/* tests/unit/test_merge.c — joining and exporting results databases
 * (sim/results.h: results_merge, results_export_csv, results_ok_keys):
 * one run per run_key, ok kept over anything, ok replacing failed, child
 * rows remapped and orphans dropped, foreign or missing inputs refused
 * with the output untouched; CSV files with headers and RFC 4180
 * quoting. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/results.h"

#define TMPDIR_RIG_NAME "merge"
#include "tmpdir_rig.h"

static const struct run_param params[] = {
    { "rate", "50k/s" },
    { "note", "a, \"quoted\"\nvalue" },
};

/* A run with `n` scalars, a statistic (+ histogram), a series, an event. */
static void put_run(const char *db, const char *key, uint64_t seed, const char *status,
                    int n)
{
    struct recorder *rec = recorder_create(0);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", i);
        recorder_scalar(rec, "lpar.db1", name, "", seed * 100.0 + i);
    }
    struct statistic *st = recorder_statistic(rec, "lpar.db1", "io_latency", "ns");
    for (int i = 1; i <= 50; i++)
        statistic_add(st, 1000.0 * i);
    struct series *se = recorder_series(rec, "lpar.db1", "iops", "1/s");
    series_append(se, 1000, 1.5);
    series_append(se, 2000, 2.5);
    recorder_event(rec, 500, "tl", "action", "fail %s", key);
    struct run_record rr = {
        .run_key = key, .scenario = "m", .scenario_sha256 = "00", .rep = 0, .seed = seed,
        .kernel = "native", .version = "0", .started_at = "2024-01-01T00:00:00Z",
        .status = status, .error = strcmp(status, "ok") ? "boom" : NULL,
        .params = params, .nparams = 2,
    };
    struct diag err;
    int rc = results_write(db, &rr, strcmp(status, "ok") ? NULL : rec, &err);
    ck_assert_msg(rc == 0, "%s: %s", err.file, err.msg);
    recorder_destroy(rec);
}

static sqlite3_int64 q_int(const char *db_path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    sqlite3_int64 v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void merge_ok(const char *out, const char *in, size_t added, size_t replaced,
                     size_t kept)
{
    struct merge_counts c;
    struct diag err;
    int rc = results_merge(out, in, &c, &err);
    ck_assert_msg(rc == 0, "%s: %s", err.file, err.msg);
    ck_assert_uint_eq(c.added, added);
    ck_assert_uint_eq(c.replaced, replaced);
    ck_assert_uint_eq(c.kept, kept);
}

static const char *const child_tables[] = {
    "param", "scalar", "statistic", "histogram", "series", "event",
};

static void expect_no_orphans(const char *db)
{
    char sql[160];
    for (size_t i = 0; i < sizeof child_tables / sizeof child_tables[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE run_id NOT IN"
                                  " (SELECT run_id FROM run)", child_tables[i]);
        ck_assert_int_eq(q_int(db, sql), 0);
    }
}

START_TEST(one_run_per_key_with_rows_remapped)
{
    const char *a = tmp("a.db"), *b = tmp("b.db"), *out = tmp("sub/out.db");
    put_run(a, "k1", 1, "ok", 3);
    put_run(a, "k2", 2, "ok", 3);
    put_run(b, "k3", 3, "ok", 5);
    put_run(b, "k2", 22, "ok", 4); /* same key, other rows: must not enter */
    merge_ok(out, a, 2, 0, 0);
    merge_ok(out, b, 1, 0, 1);
    merge_ok(out, b, 0, 0, 2); /* merging again adds nothing */
    ck_assert_int_eq(q_int(out, "SELECT count(*) FROM run"), 3);
    ck_assert_int_eq(q_int(out, "SELECT seed FROM run WHERE run_key='k2'"), 2);
    ck_assert_int_eq(q_int(out, "SELECT count(*) FROM scalar JOIN run USING(run_id)"
                                " WHERE run_key='k3'"), 5);
    ck_assert_int_eq(q_int(out, "SELECT count(*) FROM scalar JOIN run USING(run_id)"
                                " WHERE run_key='k2'"), 3);
    ck_assert_int_eq(q_int(out, "SELECT min(value) FROM scalar JOIN run USING(run_id)"
                                " WHERE run_key='k3'"), 300);
    ck_assert_int_eq(q_int(out, "SELECT count(*) FROM param"), 6);
    /* every child table came along, as in the inputs */
    for (size_t i = 0; i < sizeof child_tables / sizeof child_tables[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s JOIN run USING(run_id)"
                                  " WHERE run_key='k3'", child_tables[i]);
        ck_assert_int_eq(q_int(out, sql), q_int(b, sql));
    }
    expect_no_orphans(out);
}
END_TEST

START_TEST(ok_replaces_failed_and_is_never_replaced)
{
    const char *out = tmp("out.db"), *good = tmp("good.db"), *bad = tmp("bad.db");
    put_run(out, "k1", 1, "failed", 0);
    put_run(out, "k2", 2, "ok", 2);
    put_run(good, "k1", 11, "ok", 4);
    put_run(bad, "k2", 12, "failed", 0);
    merge_ok(out, good, 0, 1, 0);
    merge_ok(out, bad, 0, 0, 1);
    ck_assert_int_eq(q_int(out, "SELECT count(*) FROM run WHERE status='ok'"), 2);
    ck_assert_int_eq(q_int(out, "SELECT seed FROM run WHERE run_key='k1'"), 11);
    ck_assert_int_eq(q_int(out, "SELECT seed FROM run WHERE run_key='k2'"), 2);
    ck_assert_int_eq(q_int(out, "SELECT count(*) FROM param"), 4); /* failed k1's went */
    expect_no_orphans(out);
}
END_TEST

START_TEST(orphans_in_an_input_are_dropped)
{
    const char *in = tmp("in.db"), *out = tmp("out.db");
    put_run(in, "k1", 1, "ok", 1);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(in, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO scalar(run_id, component, name, value)"
                                      " VALUES(999, 'x', 'y', 1)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    merge_ok(out, in, 1, 0, 0);
    ck_assert_int_eq(q_int(out, "SELECT count(*) FROM scalar"), 1);
    expect_no_orphans(out);
}
END_TEST

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 1 << 16);
    *n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

START_TEST(bad_inputs_leave_the_output_alone)
{
    const char *out = tmp("out.db"), *txt = tmp("notes.txt"), *foreign = tmp("f.db");
    put_run(out, "k1", 1, "ok", 2);
    FILE *f = fopen(txt, "w");
    fputs("not a database\n", f);
    fclose(f);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(foreign, &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE other(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    size_t n0, n1;
    char *before = slurp(out, &n0);
    struct merge_counts c;
    struct diag err;
    ck_assert_int_eq(results_merge(out, txt, &c, &err), -1);
    ck_assert_str_eq(err.file, txt);
    ck_assert_int_eq(results_merge(out, foreign, &c, &err), -1);
    ck_assert_str_eq(err.file, foreign);
    ck_assert(strstr(err.msg, "not an lparsim results database"));
    ck_assert_int_eq(results_merge(out, tmp("missing.db"), &c, &err), -1);
    char *after = slurp(out, &n1);
    ck_assert_uint_eq(n0, n1);
    ck_assert(memcmp(before, after, n0) == 0);
    free(before);
    free(after);
    /* nor is a new output created */
    ck_assert_int_eq(results_merge(tmp("new.db"), foreign, &c, &err), -1);
    ck_assert_int_ne(access(tmp("new.db"), F_OK), 0);
}
END_TEST

START_TEST(ok_keys_are_the_ok_runs_sorted)
{
    const char *db = tmp("k.db");
    struct results_keys k;
    struct diag err;
    ck_assert_int_eq(results_ok_keys(db, &k, &err), 0); /* no file: none */
    ck_assert_uint_eq(k.n, 0);
    put_run(db, "kz", 1, "ok", 0);
    put_run(db, "ka", 2, "ok", 0);
    put_run(db, "km", 3, "failed", 0);
    ck_assert_int_eq(results_ok_keys(db, &k, &err), 0);
    ck_assert_uint_eq(k.n, 2);
    ck_assert_str_eq(k.keys[0], "ka");
    ck_assert_str_eq(k.keys[1], "kz");
    ck_assert(results_keys_contain(&k, "kz"));
    ck_assert(!results_keys_contain(&k, "km"));
    results_keys_free(&k);
    sqlite3 *f;
    ck_assert_int_eq(sqlite3_open(tmp("f.db"), &f), SQLITE_OK);
    sqlite3_exec(f, "CREATE TABLE other(x)", NULL, NULL, NULL);
    sqlite3_close(f);
    ck_assert_int_eq(results_ok_keys(tmp("f.db"), &k, &err), -1);
}
END_TEST

START_TEST(export_writes_a_csv_per_table)
{
    const char *db = tmp("e.db"), *dir = tmp("csv/out");
    put_run(db, "k1", (UINT64_C(1) << 63) + 5, "ok", 2);
    put_run(db, "k2", 2, "failed", 0);
    struct diag err;
    int rc = results_export_csv(db, dir, &err);
    ck_assert_msg(rc == 0, "%s: %s", err.file, err.msg);
    static const char *const heads[] = {
        "run_id,run_key,scenario,scenario_sha256,rep,seed,kernel,version,started_at,"
        "wall_s,events,sim_end_ps,status,error,point\n",
        "run_id,name,value,value_si\n", "run_id,component,name,value,unit\n",
        "run_id,component,name,unit,count,mean,stddev,min,max,p50,p90,p99,p999\n",
        "run_id,component,name,lower,upper,count\n", "run_id,component,name,t_ps,value,unit\n",
        "run_id,t_ps,component,kind,detail\n",
    };
    static const char *const names[] = { "run", "param", "scalar", "statistic",
                                         "histogram", "series", "event" };
    for (size_t i = 0; i < 7; i++) {
        char path[1300];
        size_t n;
        snprintf(path, sizeof path, "%s/%s.csv", dir, names[i]);
        char *text = slurp(path, &n);
        ck_assert_msg(strncmp(text, heads[i], strlen(heads[i])) == 0, "%s header: %s",
                      names[i], text);
        ck_assert_msg(n > strlen(heads[i]), "%s has no rows", names[i]);
        free(text);
    }
    char path[1300];
    size_t n;
    snprintf(path, sizeof path, "%s/param.csv", dir);
    char *text = slurp(path, &n);
    ck_assert(strstr(text, "1,note,\"a, \"\"quoted\"\"\nvalue\",\n"));
    ck_assert(strstr(text, "1,rate,50k/s,50000\n")); /* value_si: SI units */
    free(text);
    snprintf(path, sizeof path, "%s/run.csv", dir);
    text = slurp(path, &n);
    ck_assert(strstr(text, ",9223372036854775813,")); /* 2^63 + 5, unsigned */
    ck_assert(strstr(text, ",failed,boom,\n"));
    free(text);
    ck_assert_int_eq(results_export_csv(tmp("nope.db"), dir, &err), -1);
}
END_TEST

static Suite *merge_suite(void)
{
    Suite *s = suite_create("merge");
    TCase *t = tcase_create("merge");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, one_run_per_key_with_rows_remapped);
    tcase_add_test(t, ok_replaces_failed_and_is_never_replaced);
    tcase_add_test(t, orphans_in_an_input_are_dropped);
    tcase_add_test(t, bad_inputs_leave_the_output_alone);
    tcase_add_test(t, ok_keys_are_the_ok_runs_sorted);
    suite_add_tcase(s, t);
    t = tcase_create("export");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, export_writes_a_csv_per_table);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(merge_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
