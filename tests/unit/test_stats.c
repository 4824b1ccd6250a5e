/* tests/unit/test_stats.c — the recorder (sim/stats.h): quantile accuracy
 * of the log-bucketed histogram against exact order statistics, Welford
 * moments against a two-pass computation, batch-means intervals, the
 * Student t table, and handle/scalar/series/event bookkeeping. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"

/* A fixed-seed generator (splitmix64) so the data are reproducible
 * without depending on the simulator's own RNG. */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double rng_unit(void) /* (0, 1) */
{
    return ((double)(rng_next() >> 11) + 0.5) * 0x1p-53;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank order statistic of sorted data. */
static double exact_quantile(const double *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p * (double)n - 1e-9);
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

/* Adds data to a fresh statistic and checks quantiles within 1%. */
static void check_quantiles(double *data, size_t n, const double *ps, size_t np)
{
    struct recorder *r = recorder_create(0);
    struct statistic *s = recorder_statistic(r, "t", "q", "ns");
    for (size_t i = 0; i < n; i++)
        statistic_add(s, data[i]);
    qsort(data, n, sizeof *data, cmp_double);
    for (size_t i = 0; i < np; i++) {
        double exact = exact_quantile(data, n, ps[i]);
        double est = statistic_quantile(s, ps[i]);
        ck_assert_msg(fabs(est - exact) <= 0.01 * fabs(exact),
                      "p=%g: estimate %.9g, exact %.9g", ps[i], est, exact);
    }
    ck_assert_double_eq(statistic_quantile(s, 0.0), data[0]);
    ck_assert_double_eq(statistic_quantile(s, 1.0), data[n - 1]);
    recorder_destroy(r);
}

static const double probes[] = { 0.001, 0.01, 0.1, 0.25, 0.5, 0.75,
                                 0.9, 0.99, 0.999, 0.9999 };
#define NPROBES (sizeof probes / sizeof probes[0])

START_TEST(quantiles_uniform_integers)
{
    enum { N = 100000 };
    double *d = malloc(N * sizeof *d);
    for (size_t i = 0; i < N; i++)
        d[i] = (double)(i + 1);
    rng_state = 1;
    for (size_t i = N - 1; i > 0; i--) { /* Fisher-Yates shuffle */
        size_t j = rng_next() % (i + 1);
        double t = d[i];
        d[i] = d[j];
        d[j] = t;
    }
    check_quantiles(d, N, probes, NPROBES);
    /* and the headline quantiles against their known exact values */
    struct recorder *r = recorder_create(0);
    struct statistic *s = recorder_statistic(r, "t", "u", "");
    for (size_t i = 1; i <= N; i++)
        statistic_add(s, (double)i);
    ck_assert_double_eq_tol(statistic_quantile(s, 0.5), 50000, 500);
    ck_assert_double_eq_tol(statistic_quantile(s, 0.9), 90000, 900);
    ck_assert_double_eq_tol(statistic_quantile(s, 0.99), 99000, 990);
    ck_assert_double_eq_tol(statistic_quantile(s, 0.999), 99900, 999);
    recorder_destroy(r);
    free(d);
}
END_TEST

START_TEST(quantiles_exponential)
{
    enum { N = 200000 };
    double *d = malloc(N * sizeof *d);
    rng_state = 42;
    for (size_t i = 0; i < N; i++)
        d[i] = -1000.0 * log(rng_unit()); /* mean 1 us in ns */
    check_quantiles(d, N, probes, NPROBES);
    free(d);
}
END_TEST

START_TEST(quantiles_wide_range)
{
    enum { N = 100000 };
    double *d = malloc(N * sizeof *d);
    rng_state = 7;
    for (size_t i = 0; i < N; i++) /* log-uniform over 1e-2 .. 1e9 */
        d[i] = pow(10.0, -2.0 + 11.0 * rng_unit());
    double ps[99];
    for (int i = 0; i < 99; i++)
        ps[i] = (i + 1) / 100.0;
    check_quantiles(d, N, ps, 99);
    free(d);
}
END_TEST

START_TEST(quantile_single_and_empty)
{
    struct recorder *r = recorder_create(0);
    struct statistic *s = recorder_statistic(r, "t", "one", "");
    ck_assert_uint_eq(statistic_count(s), 0);
    ck_assert(isnan(statistic_mean(s)));
    ck_assert(isnan(statistic_quantile(s, 0.5)));
    ck_assert(isnan(statistic_min(s)));
    statistic_add(s, 123.456);
    /* clamping to [min, max] makes a one-value statistic exact */
    ck_assert_double_eq(statistic_quantile(s, 0.5), 123.456);
    ck_assert_double_eq(statistic_quantile(s, 0.999), 123.456);
    ck_assert(isnan(statistic_stddev(s)));
    recorder_destroy(r);
}
END_TEST

START_TEST(moments_match_two_pass)
{
    enum { N = 50000 };
    double *d = malloc(N * sizeof *d);
    rng_state = 99;
    struct recorder *r = recorder_create(0);
    struct statistic *s = recorder_statistic(r, "t", "m", "");
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < N; i++) {
        /* large offset: the naive sum-of-squares formula would lose it */
        d[i] = 1e9 + 1000.0 * (rng_unit() - 0.5);
        if (i == 17)
            d[i] = -3.5; /* negatives are exact in mean/min */
        statistic_add(s, d[i]);
        sum += d[i];
        mn = fmin(mn, d[i]);
        mx = fmax(mx, d[i]);
    }
    double mean = sum / N, ss = 0;
    for (size_t i = 0; i < N; i++)
        ss += (d[i] - mean) * (d[i] - mean);
    double sd = sqrt(ss / (N - 1));
    ck_assert_uint_eq(statistic_count(s), N);
    ck_assert_double_eq_tol(statistic_mean(s), mean, 1e-12 * fabs(mean));
    ck_assert_double_eq_tol(statistic_stddev(s), sd, 1e-9 * sd);
    ck_assert_double_eq(statistic_min(s), mn);
    ck_assert_double_eq(statistic_max(s), mx);
    ck_assert_double_eq(statistic_min(s), -3.5);
    recorder_destroy(r);
    free(d);
}
END_TEST

START_TEST(nan_dropped_null_handle_ignored)
{
    struct recorder *r = recorder_create(0);
    struct statistic *s = recorder_statistic(r, "t", "n", "");
    statistic_add(s, 1.0);
    statistic_add(s, NAN);
    statistic_add(NULL, 5.0);
    series_append(NULL, 1, 2.0);
    ck_assert_uint_eq(statistic_count(s), 1);
    ck_assert_double_eq(statistic_mean(s), 1.0);
    recorder_destroy(r);
}
END_TEST

START_TEST(reset_forgets_samples_keeps_rest)
{
    struct recorder *r = recorder_create(2);
    struct statistic *s = recorder_statistic(r, "t", "r", "ns");
    recorder_set_batch(r, 0);
    for (int i = 0; i < 100; i++)
        statistic_add(s, 1e6);
    recorder_scalar(r, "t", "k", "", 7);
    recorder_event(r, 5, "t", "phase", "warmup done");
    recorder_reset_statistics(r);
    ck_assert_uint_eq(statistic_count(s), 0);
    double m, hw;
    ck_assert_uint_eq(statistic_batch_ci(s, &m, &hw), 0);
    statistic_add(s, 10);
    statistic_add(s, 20);
    ck_assert_uint_eq(statistic_count(s), 2);
    ck_assert_double_eq(statistic_mean(s), 15);
    ck_assert_double_eq(statistic_max(s), 20);
    ck_assert_double_le(statistic_quantile(s, 0.99), 20);
    double v;
    ck_assert(recorder_scalar_get(r, "t", "k", &v));
    const struct event_row *ev;
    ck_assert_uint_eq(recorder_events(r, &ev), 1);
    recorder_destroy(r);
}
END_TEST

START_TEST(batch_ci_formula)
{
    struct recorder *r = recorder_create(4);
    struct statistic *s = recorder_statistic(r, "t", "b", "");
    statistic_add(s, 1000); /* before any batch: not in a batch */
    recorder_set_batch(r, 0);
    for (int i = 0; i < 10; i++)
        statistic_add(s, i % 2 ? 0.5 : 1.5); /* batch mean 1 */
    recorder_set_batch(r, 1);
    for (int i = 0; i < 5; i++)
        statistic_add(s, 3);
    /* batch 2 stays empty */
    recorder_set_batch(r, 3);
    statistic_add(s, 4);
    statistic_add(s, 6); /* batch mean 5 */
    recorder_set_batch(r, 4); /* out of range: no batch */
    statistic_add(s, 1e9);
    recorder_set_batch(r, -1);
    statistic_add(s, 1e9);
    double m, hw;
    ck_assert_uint_eq(statistic_batch_ci(s, &m, &hw), 3);
    /* batch means 1, 3, 5: mean 3, sd 2 */
    ck_assert_double_eq_tol(m, 3.0, 1e-12);
    double want = student_t975(2) * 2.0 / sqrt(3.0);
    ck_assert_double_eq_tol(hw, want, 1e-12);
    ck_assert_double_eq_tol(hw, 4.968275, 1e-5);
    ck_assert_uint_eq(statistic_count(s), 20);

    struct statistic *one = recorder_statistic(r, "t", "one", "");
    recorder_set_batch(r, 2);
    statistic_add(one, 8);
    ck_assert_uint_eq(statistic_batch_ci(one, &m, &hw), 1);
    ck_assert_double_eq(m, 8);
    ck_assert(isnan(hw));
    recorder_destroy(r);

    struct recorder *nob = recorder_create(0);
    struct statistic *n = recorder_statistic(nob, "t", "n", "");
    recorder_set_batch(nob, 0);
    statistic_add(n, 1);
    ck_assert_uint_eq(statistic_batch_ci(n, &m, &hw), 0);
    recorder_destroy(nob);
}
END_TEST

START_TEST(student_t_values)
{
    static const struct { unsigned dof; double t; } known[] = {
        { 1, 12.706 }, { 2, 4.303 }, { 3, 3.182 }, { 5, 2.571 },
        { 10, 2.228 }, { 19, 2.093 }, { 29, 2.045 }, { 30, 2.042 },
        { 31, 2.040 }, { 40, 2.021 }, { 60, 2.000 }, { 100, 1.984 },
        { 120, 1.980 }, { 1000, 1.962 },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ck_assert_msg(fabs(student_t975(known[i].dof) - known[i].t) < 6e-4,
                      "dof %u: %.6f, want %.3f", known[i].dof,
                      student_t975(known[i].dof), known[i].t);
    ck_assert_double_eq_tol(student_t975(1000000), 1.959964, 1e-5);
    for (unsigned d = 1; d < 2000; d++) /* table/expansion seam included */
        ck_assert_double_gt(student_t975(d), student_t975(d + 1));
    ck_assert(isinf(student_t975(0)));
}
END_TEST

START_TEST(scalar_overwrite_and_lookup)
{
    struct recorder *r = recorder_create(0);
    recorder_scalar(r, "lpm.db1", "downtime", "ns", 1.0);
    recorder_scalar(r, "lpm.db1", "bytes_moved", "B", 4096);
    recorder_scalar(r, "lpm.db1", "downtime", "ns", 2.5);
    const struct scalar_row *rows;
    ck_assert_uint_eq(recorder_scalars(r, &rows), 2);
    ck_assert_str_eq(rows[0].name, "downtime");
    ck_assert_double_eq(rows[0].value, 2.5);
    ck_assert_str_eq(rows[0].unit, "ns");
    double v = 0;
    ck_assert(recorder_scalar_get(r, "lpm.db1", "bytes_moved", &v));
    ck_assert_double_eq(v, 4096);
    ck_assert(!recorder_scalar_get(r, "lpm.db2", "downtime", &v));
    /* many scalars: the index grows and still finds every one */
    char name[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "s%d", i);
        recorder_scalar(r, "x", name, "", i);
    }
    for (int i = 0; i < 1000; i += 97) {
        snprintf(name, sizeof name, "s%d", i);
        ck_assert(recorder_scalar_get(r, "x", name, &v));
        ck_assert_double_eq(v, i);
    }
    ck_assert_uint_eq(recorder_scalars(r, &rows), 1002);
    recorder_destroy(r);
}
END_TEST

START_TEST(same_handle_twice)
{
    struct recorder *r = recorder_create(3);
    char comp[32] = "lpar.db1";
    struct statistic *a = recorder_statistic(r, comp, "io_latency", "ns");
    strcpy(comp, "clobbered"); /* strings are copied */
    /* enough statistics to grow every array several times */
    struct statistic *many[300];
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "s%d", i);
        many[i] = recorder_statistic(r, "x", name, "");
        statistic_add(many[i], i + 1);
    }
    ck_assert_ptr_eq(recorder_statistic(r, "lpar.db1", "io_latency", "ns"), a);
    ck_assert_ptr_ne(recorder_statistic(r, "lpar.db2", "io_latency", "ns"), a);
    /* ("a.b", "c") and ("a", "b.c") are different keys */
    ck_assert_ptr_ne(recorder_statistic(r, "a.b", "c", ""),
                     recorder_statistic(r, "a", "b.c", ""));
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "s%d", i);
        ck_assert_ptr_eq(recorder_find_statistic(r, "x", name), many[i]);
        ck_assert_double_eq(statistic_mean(many[i]), i + 1);
    }
    ck_assert_ptr_null(recorder_find_statistic(r, "x", "nope"));
    ck_assert_str_eq(statistic_component(a), "lpar.db1");
    ck_assert_str_eq(statistic_unit(a), "ns");
    ck_assert_ptr_eq(recorder_statistic_at(r, 0), a);
    ck_assert_uint_eq(recorder_statistic_count(r), 1 + 300 + 1 + 2);
    struct series *s1 = recorder_series(r, "irq.sys", "load", "1");
    ck_assert_ptr_eq(recorder_series(r, "irq.sys", "load", "1"), s1);
    ck_assert_uint_eq(recorder_series_count(r), 1);
    recorder_destroy(r);
}
END_TEST

struct bucket_check {
    double prev_upper;
    uint64_t sum;
    int n;
    double value_lower, value_upper; /* bucket that holds 1000.0 */
};

static void bucket_cb(void *ctx, double lower, double upper, uint64_t count)
{
    struct bucket_check *b = ctx;
    ck_assert_double_lt(lower, upper);
    ck_assert_double_ge(lower, b->prev_upper);
    ck_assert_uint_gt(count, 0);
    if (lower > 0 && isfinite(upper) && upper < 0x1p60)
        ck_assert_double_le((upper - lower) / lower, 1.0 / 64);
    if (lower <= 1000.0 && 1000.0 < upper) {
        b->value_lower = lower;
        b->value_upper = upper;
    }
    b->prev_upper = upper;
    b->sum += count;
    b->n++;
}

START_TEST(bucket_iteration)
{
    struct recorder *r = recorder_create(0);
    struct statistic *s = recorder_statistic(r, "t", "h", "");
    rng_state = 3;
    for (int i = 0; i < 20000; i++)
        statistic_add(s, pow(10.0, -4.0 + 22.0 * rng_unit()));
    statistic_add(s, 0);
    statistic_add(s, -5); /* clamped to the zero bucket */
    statistic_add(s, 1e-9);
    statistic_add(s, INFINITY);
    statistic_add(s, 1000.0);
    struct bucket_check b = { -1, 0, 0, 0, 0 };
    statistic_foreach_bucket(s, bucket_cb, &b);
    ck_assert_uint_eq(b.sum, statistic_count(s));
    ck_assert_int_gt(b.n, 1000);
    ck_assert_double_le(b.value_lower, 1000.0);
    ck_assert_double_gt(b.value_upper, 1000.0);
    ck_assert_double_eq(statistic_min(s), -5);
    ck_assert_double_eq(statistic_quantile(s, 0.0), -5);
    recorder_destroy(r);

    /* exact zeros are a quantile of 0, not a bucket midpoint */
    r = recorder_create(0);
    s = recorder_statistic(r, "t", "z", "");
    for (int i = 0; i < 60; i++)
        statistic_add(s, 0);
    for (int i = 0; i < 40; i++)
        statistic_add(s, 100);
    ck_assert_double_eq(statistic_quantile(s, 0.5), 0);
    ck_assert_double_eq(statistic_quantile(s, 0.9), 100);
    recorder_destroy(r);
}
END_TEST

START_TEST(series_and_events)
{
    struct recorder *r = recorder_create(0);
    struct series *s = recorder_series(r, "phb0", "util", "1");
    struct series *q = recorder_series(r, "phb1", "util", "1");
    for (int i = 0; i < 10000; i++)
        series_append(s, (sim_time_t)i * SIM_US, i * 0.5);
    series_append(q, 7, 1.0);
    struct series_row rows[4];
    ck_assert_uint_eq(recorder_series_rows(r, rows, 4), 2);
    ck_assert_uint_eq(recorder_series_rows(r, rows, 1), 1);
    ck_assert_str_eq(rows[0].component, "phb0");
    ck_assert_str_eq(rows[0].unit, "1");
    ck_assert_uint_eq(rows[0].n, 10000);
    ck_assert_uint_eq(rows[0].t[9999], 9999 * SIM_US);
    ck_assert_double_eq(rows[0].v[9999], 9999 * 0.5);

    char detail[] = "LPAR db1";
    recorder_event(r, 3 * SIM_MS, "lpm.db1", "phase", "start %s round %d",
                   detail, 2);
    detail[0] = 'X';
    const struct event_row *ev;
    ck_assert_uint_eq(recorder_events(r, &ev), 1);
    ck_assert_uint_eq(ev[0].t, 3 * SIM_MS);
    ck_assert_str_eq(ev[0].component, "lpm.db1");
    ck_assert_str_eq(ev[0].kind, "phase");
    ck_assert_str_eq(ev[0].detail, "start LPAR db1 round 2");
    recorder_destroy(r);
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, quantiles_uniform_integers);
    tcase_add_test(tc, quantiles_exponential);
    tcase_add_test(tc, quantiles_wide_range);
    tcase_add_test(tc, quantile_single_and_empty);
    tcase_add_test(tc, moments_match_two_pass);
    tcase_add_test(tc, nan_dropped_null_handle_ignored);
    tcase_add_test(tc, reset_forgets_samples_keeps_rest);
    tcase_add_test(tc, batch_ci_formula);
    tcase_add_test(tc, student_t_values);
    tcase_add_test(tc, scalar_overwrite_and_lookup);
    tcase_add_test(tc, same_handle_twice);
    tcase_add_test(tc, bucket_iteration);
    tcase_add_test(tc, series_and_events);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(stats_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
