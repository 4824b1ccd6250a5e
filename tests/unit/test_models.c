/* tests/unit/test_models.c — the I/O slice end to end, in process: RNG
 * streams, distributions, VF queue + LPAR + workload through
 * run_scenario, on both kernel backends. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registry.h"
#include "cli/run.h"
#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/scenario.h"

/* ---- RNG and distributions ------------------------------------------- */

START_TEST(rng_streams_are_reproducible_and_distinct)
{
    struct rng a, b, c;
    rng_seed(&a, 7, "lpar.db1");
    rng_seed(&b, 7, "lpar.db1");
    rng_seed(&c, 7, "lpar.db2");
    int same_c = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        ck_assert_uint_eq(x, rng_next(&b));
        same_c += x == rng_next(&c);
    }
    ck_assert_int_eq(same_c, 0);
}
END_TEST

START_TEST(rng_uniform_in_range_and_below_is_unbiased_enough)
{
    struct rng r;
    rng_seed(&r, 1, "u");
    unsigned counts[10] = { 0 };
    for (int i = 0; i < 100000; i++) {
        double u = rng_uniform(&r);
        ck_assert(u >= 0 && u < 1);
        double p = rng_uniform_pos(&r);
        ck_assert(p > 0 && p <= 1);
        counts[rng_below(&r, 10)]++;
    }
    for (int i = 0; i < 10; i++)
        ck_assert_msg(counts[i] > 9500 && counts[i] < 10500, "bucket %d: %u", i, counts[i]);
}
END_TEST

static void check_moments(enum dist_kind kind, double mean_ps, double cv)
{
    struct dist d;
    struct rng r;
    dist_init(&d, kind, mean_ps, cv);
    rng_seed(&r, 3, dist_kind_name(kind));
    const int n = 400000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double x = (double)dist_sample(&d, &r);
        s += x;
        s2 += x * x;
    }
    double m = s / n, m2 = s2 / n;
    ck_assert_msg(fabs(m - dist_mean(&d)) / dist_mean(&d) < 0.01, "%s mean %g vs %g",
                  dist_kind_name(kind), m, dist_mean(&d));
    ck_assert_msg(fabs(m2 - dist_second_moment(&d)) / dist_second_moment(&d) < 0.03,
                  "%s E[X^2] %g vs %g", dist_kind_name(kind), m2, dist_second_moment(&d));
}

START_TEST(distributions_match_their_moments)
{
    check_moments(DIST_CONSTANT, 1e7, 0);
    check_moments(DIST_EXPONENTIAL, 1e7, 1);
    check_moments(DIST_LOGNORMAL, 1e7, 0.5);
    check_moments(DIST_UNIFORM, 1e7, 0.3);
}
END_TEST

/* ---- the I/O slice through run_scenario ----------------------------- */

static const char *base_yaml =
    "name: t\n"
    "seed: 5\n"
    "duration: 200ms\n"
    "warmup: 20ms\n"
    "systems:\n"
    "  - name: s0\n"
    "    adapters:\n"
    "      - name: a0\n"
    "        vfs: 2\n"
    "        servers: 2\n"
    "        queue_entries: %s\n"
    "        service: {dist: exponential, mean: 20us}\n"
    "lpars:\n"
    "  - name: l1\n"
    "    system: s0\n"
    "    adapter: a0\n"
    "    vps: 4\n" /* the CPU path keeps up with the device at 200k/s */
    "    workload: {mode: %s, rate: %s, depth: 8}\n";

static struct run_outcome run_yaml(enum kernel_backend k, const char *entries,
                                   const char *mode, const char *rate)
{
    char text[2048];
    snprintf(text, sizeof text, base_yaml, entries, mode, rate);
    struct diag err;
    struct scenario *s = scenario_load_string("t.yaml", text, &scenario_schema, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    struct run_options o = { .kernel = k };
    struct run_outcome out;
    ck_assert_int_eq(run_scenario(s, &o, &out, &err), 0);
    scenario_free(s);
    return out;
}

static double scalar_of(const struct run_outcome *o, const char *comp, const char *name)
{
    double v = NAN;
    ck_assert_msg(recorder_scalar_get(o->rec, comp, name, &v), "no scalar %s %s", comp, name);
    return v;
}

START_TEST(open_loop_conserves_ios)
{
    struct run_outcome o = run_yaml(KERNEL_NATIVE, "65536", "open", "50k/s");
    ck_assert(o.ok);
    double issued = scalar_of(&o, "lpar.l1", "ios_issued");
    double done = scalar_of(&o, "lpar.l1", "ios_completed");
    double in_flight = scalar_of(&o, "lpar.l1", "ios_in_flight");
    ck_assert(issued > 9000 && issued < 11000); /* 50k/s x 200 ms */
    ck_assert_double_eq(issued, done + in_flight);
    ck_assert_double_eq(scalar_of(&o, "lpar.l1", "ios_lost"), 0);
    ck_assert_double_eq(scalar_of(&o, "lpar.l1", "ios_failed"), 0);
    recorder_destroy(o.rec);
}
END_TEST

START_TEST(full_queue_fails_visibly)
{
    /* Overload (2 servers x 50k/s capacity vs 200k/s) with a 4-entry
     * queue: many I/Os are rejected, each is counted failed, none lost. */
    struct run_outcome o = run_yaml(KERNEL_NATIVE, "4", "open", "200k/s");
    ck_assert(o.ok);
    double failed = scalar_of(&o, "lpar.l1", "ios_failed");
    ck_assert(failed > 10000);
    ck_assert_double_eq(scalar_of(&o, "s0.a0.vf0", "ios_rejected") > 0, 1);
    ck_assert_double_eq(scalar_of(&o, "lpar.l1", "ios_lost"), 0);
    ck_assert(scalar_of(&o, "lpar.l1", "ios_in_flight") <= 6); /* 2 serving + 4 queued */
    recorder_destroy(o.rec);
}
END_TEST

START_TEST(closed_loop_keeps_depth_outstanding)
{
    struct run_outcome o = run_yaml(KERNEL_NATIVE, "65536", "closed", "1/s");
    ck_assert(o.ok);
    ck_assert_double_eq(scalar_of(&o, "lpar.l1", "ios_in_flight"), 8);
    /* With no think time the population never drops: mean outstanding 8. */
    ck_assert_double_eq_tol(scalar_of(&o, "lpar.l1", "mean_outstanding"), 8, 1e-9);
    /* 2 servers always busy (8 outstanding: the few microseconds of CPU and
     * PCIe path per I/O never leave a server idle for long): throughput =
     * 2 / 20 us = 100k/s (+-3%). */
    ck_assert_double_eq_tol(scalar_of(&o, "lpar.l1", "throughput"), 100e3, 3e3);
    recorder_destroy(o.rec);
}
END_TEST

START_TEST(backends_agree)
{
    struct run_outcome a = run_yaml(KERNEL_NATIVE, "65536", "open", "80k/s");
    struct run_outcome b = run_yaml(KERNEL_SYSTEMC, "65536", "open", "80k/s");
    ck_assert_uint_eq(a.events, b.events);
    const struct statistic *sa = recorder_find_statistic(a.rec, "lpar.l1", "io_latency");
    const struct statistic *sb = recorder_find_statistic(b.rec, "lpar.l1", "io_latency");
    ck_assert_uint_eq(statistic_count(sa), statistic_count(sb));
    ck_assert(statistic_mean(sa) == statistic_mean(sb));
    ck_assert(statistic_quantile(sa, 0.99) == statistic_quantile(sb, 0.99));
    ck_assert_str_eq(a.run_key, b.run_key);
    recorder_destroy(a.rec);
    recorder_destroy(b.rec);
}
END_TEST

static Suite *models_suite(void)
{
    Suite *s = suite_create("models");
    TCase *t = tcase_create("rng");
    tcase_add_test(t, rng_streams_are_reproducible_and_distinct);
    tcase_add_test(t, rng_uniform_in_range_and_below_is_unbiased_enough);
    tcase_add_test(t, distributions_match_their_moments);
    suite_add_tcase(s, t);
    t = tcase_create("io_slice");
    tcase_add_test(t, open_loop_conserves_ios);
    tcase_add_test(t, full_queue_fails_visibly);
    tcase_add_test(t, closed_loop_keeps_depth_outstanding);
    tcase_add_test(t, backends_agree);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(models_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
