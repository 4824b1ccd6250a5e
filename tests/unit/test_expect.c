/* tests/unit/test_expect.c — the `expect:` assertions (sim/expect.h):
 * parsing COMPONENT.METRIC[.FIELD] OP VALUE with located syntax errors;
 * globs that stay within a dotted part; resolving against a recorder
 * (a metric or a component it does not have is an error that suggests
 * the right one; a field on a scalar, a series, a value without the
 * metric's unit are errors; values convert to the metric's unit); and
 * checking a run: every match of a glob must hold, the message names the
 * expression and the measured value. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/expect.h"
#include "sim/scenario.h"

/* A CFG_SEQ of texts, as the loader builds for `expect:`, at line 10+i. */
static struct cfg_node seq, item[8], *kids[8];

static const struct cfg_node *items(const char *const *texts, size_t n)
{
    memset(&seq, 0, sizeof seq);
    seq.kind = CFG_SEQ;
    seq.kids = kids;
    seq.nkids = n;
    for (size_t i = 0; i < n; i++) {
        memset(&item[i], 0, sizeof item[i]);
        item[i].kind = CFG_VALUE;
        item[i].v.s = texts[i];
        item[i].loc = (struct src_loc){ "s.yaml", 10 + (int)i, 5 };
        kids[i] = &item[i];
    }
    return &seq;
}

/* lpar.db1 and lpar.db2 with io_latency (ns) and ios_lost; db2 lost 3. */
static struct recorder *make_run(void)
{
    struct recorder *r = recorder_create(0);
    struct statistic *a = recorder_statistic(r, "lpar.db1", "io_latency", "ns");
    struct statistic *b = recorder_statistic(r, "lpar.db2", "io_latency", "ns");
    for (int i = 1; i <= 1000; i++) {
        statistic_add(a, 1000.0 * i); /* 1 us .. 1 ms */
        statistic_add(b, 100.0 * i);
    }
    recorder_scalar(r, "lpar.db1", "ios_lost", "", 0);
    recorder_scalar(r, "lpar.db2", "ios_lost", "", 3);
    recorder_scalar(r, "lpar.db1", "throughput", "1/s", 60000);
    recorder_scalar(r, "lpar.db1.oltp", "ios_lost", "", 99); /* a workload, not an LPAR */
    recorder_series(r, "lpar.db1", "iops", "1/s");
    return r;
}

static int parse_resolve(const char *text, struct expect_list *l, struct diag *err)
{
    const char *t[] = { text };
    struct recorder *r = make_run();
    int e = expect_parse_all(items(t, 1), l, err);
    if (!e && (e = expect_resolve(l, r, err)) != 0)
        expect_list_free(l); /* a list that did not resolve is of no use */
    recorder_destroy(r);
    return e;
}

static void expect_error(const char *text, int col, const char *msg)
{
    struct expect_list l;
    struct diag err;
    ck_assert_msg(parse_resolve(text, &l, &err) == -1, "'%s' was accepted", text);
    ck_assert_str_eq(err.file, "s.yaml");
    ck_assert_int_eq(err.line, 10);
    ck_assert_msg(err.col == col, "'%s': column %d, want %d", text, err.col, col);
    ck_assert_msg(strcmp(err.msg, msg) == 0, "'%s':\n got  %s\n want %s", text, err.msg, msg);
}

START_TEST(globs_stay_within_a_part)
{
    ck_assert(expect_glob_match("lpar.*", "lpar.db1"));
    ck_assert(!expect_glob_match("lpar.*", "lpar.db1.oltp"));
    ck_assert(expect_glob_match("lpar.*.*", "lpar.db1.oltp"));
    ck_assert(expect_glob_match("s0.nvme0.vf?.fn", "s0.nvme0.vf3.fn"));
    ck_assert(!expect_glob_match("s0.nvme0.vf?.fn", "s0.nvme0.vf12.fn"));
    ck_assert(expect_glob_match("*.xive", "s0.xive"));
    ck_assert(!expect_glob_match("*.xive", "s0.cpu.xive"));
    ck_assert(expect_glob_match("*", "s0"));
    ck_assert(!expect_glob_match("lpar.db", "lpar.db1"));
}
END_TEST

START_TEST(parses_and_converts_to_the_metric_unit)
{
    struct expect_list l;
    struct diag err;
    ck_assert_msg(parse_resolve("lpar.db1.io_latency.p99 < 500us", &l, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(l.v[0].comp, "lpar.db1");
    ck_assert_str_eq(l.v[0].metric, "io_latency");
    ck_assert_str_eq(l.v[0].field, "p99");
    ck_assert_int_eq(l.v[0].op, EXPECT_LT);
    ck_assert(l.v[0].limit == 500000); /* ns */
    expect_list_free(&l);
    ck_assert(parse_resolve("lpar.*.ios_lost==0", &l, &err) == 0);
    ck_assert_str_eq(l.v[0].comp, "lpar.*");
    ck_assert_str_eq(l.v[0].field, "");
    ck_assert_int_eq(l.v[0].op, EXPECT_EQ);
    expect_list_free(&l);
    ck_assert(parse_resolve("lpar.db1.throughput >= 50k/s", &l, &err) == 0);
    ck_assert(l.v[0].limit == 50000);
    expect_list_free(&l);
    ck_assert(parse_resolve("lpar.db1.io_latency.count > 1k", &l, &err) == 0);
    ck_assert(l.v[0].limit == 1000);
    expect_list_free(&l);
    ck_assert(parse_resolve("lpar.db1.io_latency <= 1.5ms", &l, &err) == 0); /* the mean */
    ck_assert(l.v[0].limit == 1.5e6);
    expect_list_free(&l);
}
END_TEST

START_TEST(mistakes_are_located_with_a_suggestion)
{
    expect_error("lpar.db1.io_latncy.p99 < 1ms", 5,
                 "expect: 'lpar.db1' records no metric 'io_latncy' (did you mean 'io_latency'?)");
    expect_error("lpar.db3.ios_lost == 0", 5,
                 "expect: no component of this scenario matches 'lpar.db3' (did you mean"
                 " 'lpar.db1'?)");
    expect_error("lpar.x*.ios_lost == 0", 5,
                 "expect: no component of this scenario matches 'lpar.x*' (did you mean"
                 " 'lpar.db1'?)");
    expect_error("zzz.ios_lost == 0", 5, "expect: no component of this scenario matches"
                 " 'zzz'");
    expect_error("lpar.*.ios_lost.p99 == 0", 5,
                 "expect: 'ios_lost' is a scalar: a field such as .p99 belongs to a statistic");
    expect_error("lpar.db1.iops > 5k/s", 5,
                 "expect: 'iops' is a series (one value per sample interval): expect compares"
                 " scalars and statistics");
    expect_error("lpar.db1.io_latency.p99 < 500", 5,
                 "expect: missing unit in '500' (expected a time such as 250ns); io_latency is"
                 " in ns");
    expect_error("lpar.db1.throughput > 50MB", 5,
                 "expect: '50MB' is not a rate (write N/s, N/ms or N/us, N may end in k, M or"
                 " G); throughput is in 1/s");
    expect_error("lpar.db1.ios_lost = 0", 23, "expect: '=' is not a comparison (use < <= > >="
                 " == !=)");
    expect_error("lpar.db1.ios_lost", 5, "expect: 'lpar.db1.ios_lost' compares nothing (write"
                 " COMPONENT.METRIC[.FIELD] OP VALUE, OP one of < <= > >= == !=)");
    expect_error("ios_lost == 0", 5, "expect: 'ios_lost' names no component (write"
                 " COMPONENT.METRIC, e.g. lpar.db1.ios_lost)");
    expect_error("lpar.db1.ios_lost >", 24, "expect: no value after the comparison");
    expect_error("lpar.db1.ios_* == 0", 5, "expect: 'ios_*': only the component may hold * or"
                 " ? (the metric is named exactly)");
}
END_TEST

static size_t evaluate(const char *const *texts, size_t n, char *msg, size_t size)
{
    struct expect_list l;
    struct diag err;
    struct recorder *r = make_run();
    ck_assert(expect_parse_all(items(texts, n), &l, &err) == 0);
    ck_assert_msg(expect_resolve(&l, r, &err) == 0, "%s", err.msg);
    size_t missed = expect_evaluate(&l, r, msg, size);
    expect_list_free(&l);
    recorder_destroy(r);
    return missed;
}

START_TEST(every_match_must_hold)
{
    char msg[1024];
    const char *ok[] = { "lpar.db1.ios_lost == 0", "lpar.db1.io_latency.p99 < 1ms",
                         "lpar.db2.io_latency.max <= 100us", "lpar.db1.throughput > 50k/s" };
    ck_assert_uint_eq(evaluate(ok, 4, msg, sizeof msg), 0);
    ck_assert_str_eq(msg, "");
    /* lpar.* is both LPARs (db2 lost 3), not the workload lpar.db1.oltp */
    const char *lost[] = { "lpar.*.ios_lost == 0" };
    ck_assert_uint_eq(evaluate(lost, 1, msg, sizeof msg), 1);
    ck_assert_str_eq(msg, "expect 'lpar.*.ios_lost == 0' missed: lpar.db2 ios_lost = 3");
    const char *two[] = { "lpar.*.io_latency.p99 < 50us", "lpar.db1.ios_lost != 0" };
    ck_assert_uint_eq(evaluate(two, 2, msg, sizeof msg), 2);
    ck_assert_str_eq(msg, "expect 'lpar.*.io_latency.p99 < 50us' missed: lpar.db1"
                          " io_latency.p99 = 987.1 us (and 1 more of 2); expect"
                          " 'lpar.db1.ios_lost != 0' missed: lpar.db1 ios_lost = 0");
}
END_TEST

START_TEST(no_expectations_cost_nothing)
{
    struct expect_list l;
    struct diag err;
    ck_assert_int_eq(expect_parse_all(NULL, &l, &err), 0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(expect_parse_all(items(NULL, 0), &l, &err), 0);
    ck_assert_uint_eq(l.n, 0);
}
END_TEST

static Suite *expect_suite(void)
{
    Suite *s = suite_create("expect");
    TCase *t = tcase_create("expect");
    tcase_add_test(t, globs_stay_within_a_part);
    tcase_add_test(t, parses_and_converts_to_the_metric_unit);
    tcase_add_test(t, mistakes_are_located_with_a_suggestion);
    tcase_add_test(t, every_match_must_hold);
    tcase_add_test(t, no_expectations_cost_nothing);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(expect_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
