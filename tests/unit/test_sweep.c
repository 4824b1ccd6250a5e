/* tests/unit/test_sweep.c — sweep expansion (cli/sweep.h): cartesian
 * product order, --vary replacing or adding axes, seeds (common random
 * numbers, independent, a varied seed), run keys equal to what `lparsim
 * run --set ... --seed S --rep R` computes, the param rows, located
 * errors, and marking runs done for --resume. Nothing here runs a model. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registry.h"
#include "cli/run.h"
#include "cli/sweep.h"
#include "sim/scenario.h"

#define RATE "lpars.db1.workload.rate"
#define SERVERS "systems.s0.adapters.nvme0.servers"

static const char base_yaml[] =
    "name: sw\n"                                   /* 1 */
    "seed: 7\n"                                    /* 2 */
    "duration: 10ms\n"                             /* 3 */
    "systems:\n"                                   /* 4 */
    "  - name: s0\n"                               /* 5 */
    "    adapters:\n"                              /* 6 */
    "      - {name: nvme0, kind: storage, vfs: 1}\n" /* 7 */
    "lpars:\n"                                     /* 8 */
    "  - name: db1\n"                              /* 9 */
    "    system: s0\n"                             /* 10 */
    "    adapter: nvme0\n"                         /* 11 */
    "    workload: {mode: open, rate: 10k/s}\n";   /* 12 */

/* base_yaml plus a sweep section (starting at line 13). */
static struct scenario *load_with(const char *sweep)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base_yaml, sweep);
    struct diag err;
    struct scenario *s = scenario_load_string("sw.yaml", text, &scenario_schema, &err);
    ck_assert_msg(s != NULL, "load: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return s;
}

static const char two_axes[] =
    "sweep:\n"                                     /* 13 */
    "  reps: 2\n"                                  /* 14 */
    "  vary:\n"                                    /* 15 */
    "    " RATE ": [50k/s, 60k/s, 70k/s]\n"        /* 16 */
    "    " SERVERS ": [1, 2]\n";                   /* 17 */

static void plan_ok(struct sweep_plan *p, struct scenario *s, const struct sweep_request *req)
{
    struct diag err;
    int rc = sweep_plan_init(p, s, req, &err);
    ck_assert_msg(rc == 0, "plan: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
}

static const char *value_at(const struct sweep_plan *p, size_t run, size_t axis)
{
    return p->axes[axis].values[sweep_value_index(p, p->runs[run].point, axis)];
}

START_TEST(product_order_is_nested_loops_with_reps_innermost)
{
    struct scenario *s = load_with(two_axes);
    struct sweep_request req = { 0 };
    struct sweep_plan p;
    plan_ok(&p, s, &req);
    ck_assert_uint_eq(p.naxes, 2);
    ck_assert_str_eq(p.axes[0].path, RATE);
    ck_assert_str_eq(p.axes[1].path, SERVERS);
    ck_assert_uint_eq(p.npoints, 6);
    ck_assert_uint_eq(p.reps, 2);
    ck_assert_uint_eq(p.nruns, 12);
    static const char *const rates[] = { "50k/s", "60k/s", "70k/s" };
    static const char *const servers[] = { "1", "2" };
    for (size_t i = 0; i < p.nruns; i++) {
        ck_assert_uint_eq(p.runs[i].point, i / 2);
        ck_assert_int_eq(p.runs[i].rep, (int)(i % 2));
        ck_assert_str_eq(value_at(&p, i, 0), rates[i / 4]);
        ck_assert_str_eq(value_at(&p, i, 1), servers[(i / 2) % 2]);
    }
    char label[256];
    sweep_run_label(&p, &p.runs[3], label, sizeof label);
    ck_assert_str_eq(label, RATE "=50k/s " SERVERS "=2 rep 1");
    /* the scenario is back to its base values after the expansion */
    ck_assert_uint_eq(cfg_u64(s->root, SERVERS), 1);
    ck_assert_uint_eq(cfg_u64(s->root, "seed"), 7);
    ck_assert_double_eq(cfg_f64(s->root, RATE), 10000);
    sweep_plan_free(&p);
    scenario_free(s);
}
END_TEST

START_TEST(cli_vary_replaces_in_place_and_appends)
{
    struct scenario *s = load_with(two_axes);
    const char *varies[] = { SERVERS "=3, 4,5", "lpars.db1.vps=1,2" };
    struct sweep_request req = { .varies = varies, .nvaries = 2, .reps = 1 };
    struct sweep_plan p;
    plan_ok(&p, s, &req);
    ck_assert_uint_eq(p.naxes, 3);
    ck_assert_str_eq(p.axes[1].path, SERVERS); /* kept its place */
    ck_assert_uint_eq(p.axes[1].nvalues, 3);
    ck_assert_str_eq(p.axes[1].values[1], "4");
    ck_assert_str_eq(p.axes[2].path, "lpars.db1.vps");
    ck_assert_uint_eq(p.npoints, 3 * 3 * 2);
    ck_assert_uint_eq(p.nruns, 18); /* --reps 1 overrides sweep.reps */
    ck_assert_str_eq(value_at(&p, 1, 2), "2");
    ck_assert_str_eq(value_at(&p, 2, 1), "4");
    sweep_plan_free(&p);
    scenario_free(s);
}
END_TEST

START_TEST(common_random_numbers_by_default)
{
    struct scenario *s = load_with(two_axes);
    struct sweep_request req = { .reps = 3 };
    struct sweep_plan p;
    plan_ok(&p, s, &req);
    for (size_t i = 0; i < p.nruns; i++) {
        const struct sweep_run *r = &p.runs[i];
        ck_assert_uint_eq(r->seed, p.runs[r->rep].seed); /* same as point 0 */
        ck_assert_uint_lt(r->seed, UINT64_C(1) << 53);
    }
    ck_assert_uint_eq(p.runs[0].seed, 7); /* rep 0 keeps the scenario's seed */
    ck_assert_uint_ne(p.runs[1].seed, p.runs[0].seed);
    ck_assert_uint_ne(p.runs[2].seed, p.runs[1].seed);
    ck_assert_uint_eq(p.runs[1].seed, sweep_seed_derive(7, 0, 1, false));
    sweep_plan_free(&p);
    scenario_free(s);
}
END_TEST

START_TEST(independent_seeds_differ_per_point_and_are_stable)
{
    struct scenario *s = load_with(two_axes);
    struct sweep_request req = { .reps = 2, .independent_seeds = true };
    struct sweep_plan p, q;
    plan_ok(&p, s, &req);
    for (size_t i = 0; i < p.nruns; i++)
        for (size_t j = 0; j < i; j++)
            ck_assert_uint_ne(p.runs[i].seed, p.runs[j].seed);
    /* Adding a value to an axis does not move the other points' seeds. */
    const char *varies[] = { RATE "=50k/s,60k/s,70k/s,80k/s" };
    req.varies = varies;
    req.nvaries = 1;
    plan_ok(&q, s, &req);
    ck_assert_uint_eq(q.nruns, 16);
    for (size_t i = 0; i < p.nruns; i++) {
        ck_assert_uint_eq(q.runs[i].seed, p.runs[i].seed);
        ck_assert_str_eq(q.runs[i].run_key, p.runs[i].run_key);
    }
    sweep_plan_free(&p);
    sweep_plan_free(&q);
    scenario_free(s);
}
END_TEST

/* A run's key is what `lparsim run --set P=V... --seed S --rep R` gets:
 * the same values applied to a freshly loaded scenario. */
START_TEST(run_keys_match_a_plain_run_of_the_point)
{
    struct scenario *s = load_with(two_axes);
    const char *sets[] = { "duration=20ms", "lpars.db1.vps=2" };
    struct sweep_request req = { .sets = sets, .nsets = 2, .seed = "11" };
    struct sweep_plan p;
    plan_ok(&p, s, &req);
    ck_assert_uint_eq(p.base_seed, 11);
    for (size_t i = 0; i < p.nruns; i++) {
        const struct sweep_run *r = &p.runs[i];
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(r->run_key, p.runs[j].run_key);
        struct scenario *fresh = load_with(two_axes);
        struct diag err;
        char a[128], key[65];
        for (size_t k = 0; k < 2; k++)
            ck_assert_int_eq(scenario_set(fresh, sets[k], NULL, &err), 0);
        snprintf(a, sizeof a, "seed=%" PRIu64, r->seed);
        ck_assert_int_eq(scenario_set(fresh, a, NULL, &err), 0);
        for (size_t ax = 0; ax < p.naxes; ax++) {
            snprintf(a, sizeof a, "%s=%s", p.axes[ax].path, value_at(&p, i, ax));
            ck_assert_int_eq(scenario_set(fresh, a, NULL, &err), 0);
        }
        run_key_of(fresh, r->rep, key);
        ck_assert_str_eq(r->run_key, key);
        scenario_free(fresh);
    }
    sweep_plan_free(&p);
    scenario_free(s);
}
END_TEST

START_TEST(params_record_seed_sets_and_point)
{
    struct scenario *s = load_with(two_axes);
    const char *sets[] = { " duration = 20ms", RATE "=1k/s", "seed=9" };
    struct sweep_request req = { .sets = sets, .nsets = 3 };
    struct sweep_plan p;
    plan_ok(&p, s, &req);
    ck_assert_uint_eq(p.nfixed, 1); /* the varied rate and the seed are per run */
    ck_assert_uint_eq(p.base_seed, 9);
    struct run_param params[8];
    char seed[24];
    size_t n = sweep_run_params(&p, &p.runs[5], params, seed);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(params[0].name, "seed");
    char want[24];
    snprintf(want, sizeof want, "%" PRIu64, p.runs[5].seed);
    ck_assert_str_eq(params[0].value, want);
    ck_assert_str_eq(params[1].name, "duration");
    ck_assert_str_eq(params[1].value, "20ms");
    ck_assert_str_eq(params[2].name, RATE);
    ck_assert_str_eq(params[2].value, "60k/s");
    ck_assert_str_eq(params[3].name, SERVERS);
    ck_assert_str_eq(params[3].value, "1");
    sweep_plan_free(&p);
    scenario_free(s);
}
END_TEST

START_TEST(a_varied_seed_is_used_as_given)
{
    struct scenario *s = load_with(two_axes);
    const char *varies[] = { "seed=100,200" };
    struct sweep_request req = { .varies = varies, .nvaries = 1, .reps = 2,
                                 .independent_seeds = true };
    struct sweep_plan p;
    plan_ok(&p, s, &req);
    ck_assert_uint_eq(p.nruns, 24);
    ck_assert_uint_eq(p.runs[0].seed, 100);
    ck_assert_uint_eq(p.runs[2].seed, 200);
    ck_assert_uint_eq(p.runs[3].seed, sweep_seed_derive(200, 0, 1, false));
    struct run_param params[8];
    char seed[24];
    size_t n = sweep_run_params(&p, &p.runs[2], params, seed);
    ck_assert_uint_eq(n, 3); /* seed once, then rate and servers */
    ck_assert_str_eq(params[0].value, "200");
    ck_assert_uint_eq(cfg_u64(s->root, "seed"), 7);
    sweep_plan_free(&p);
    scenario_free(s);
}
END_TEST

static void expect_error(const char *sweep, const char *vary, const char *file, int line,
                         int col, const char *msg)
{
    struct scenario *s = load_with(sweep);
    const char *varies[] = { vary };
    struct sweep_request req = { .varies = varies, .nvaries = vary ? 1 : 0 };
    struct sweep_plan p;
    struct diag err;
    ck_assert_int_eq(sweep_plan_init(&p, s, &req, &err), -1);
    ck_assert_str_eq(err.file, file);
    ck_assert_int_eq(err.line, line);
    ck_assert_int_eq(err.col, col);
    ck_assert_msg(strstr(err.msg, msg), "'%s' lacks '%s'", err.msg, msg);
    ck_assert_uint_eq(p.nruns, 0);
    ck_assert_uint_eq(cfg_u64(s->root, SERVERS), 1); /* undone */
    scenario_free(s);
}

START_TEST(errors_are_located)
{
    expect_error("sweep:\n  vary:\n    systems.s0.adapters.nvme0.server: [1]\n", NULL,
                 "sw.yaml", 15, 5, "unknown key 'server' (did you mean 'servers'?)");
    expect_error("sweep:\n  vary:\n    " SERVERS ": [1, 0]\n", NULL, "sw.yaml", 15, 44,
                 "'servers' = 0 is out of range");
    expect_error("", "lpars.db1.workload.rat=1k/s", "--vary", 1, 1, "unknown key 'rat'");
    expect_error("", RATE "=1k/s, 2k", "--vary", 1, 31, "'2k' is not a rate");
    expect_error("", RATE "=1k/s,,2k/s", "--vary", 1, 30, "empty value");
    expect_error("", "rate", "--vary", 1, 1, "expected PATH=V1,V2");
    expect_error("", "systems.s0=1", "--vary", 1, 1, "is not a parameter");
    /* valid values, invalid combination: the point is named */
    expect_error("", "warmup=1ms,20ms", "--vary", 1, 12, "(sweep point: warmup=20ms)");
}
END_TEST

START_TEST(no_sweep_section_is_one_point)
{
    struct scenario *s = load_with("");
    struct sweep_request req = { 0 };
    struct sweep_plan p;
    plan_ok(&p, s, &req);
    ck_assert_uint_eq(p.naxes, 0);
    ck_assert_uint_eq(p.nruns, 1);
    char key[65];
    run_key_of(s, 0, key);
    ck_assert_str_eq(p.runs[0].run_key, key); /* same as a plain run */
    sweep_plan_free(&p);
    scenario_free(s);
}
END_TEST

START_TEST(mark_done_skips_only_listed_keys)
{
    struct scenario *s = load_with(two_axes);
    struct sweep_request req = { 0 };
    struct sweep_plan p;
    plan_ok(&p, s, &req);
    char *keys[] = { p.runs[7].run_key, p.runs[2].run_key };
    if (strcmp(keys[0], keys[1]) > 0) { /* results_ok_keys returns them sorted */
        char *t = keys[0];
        keys[0] = keys[1];
        keys[1] = t;
    }
    struct results_keys done = { keys, 2 };
    ck_assert_uint_eq(sweep_mark_done(&p, &done), 2);
    for (size_t i = 0; i < p.nruns; i++)
        ck_assert(p.runs[i].done == (i == 2 || i == 7));
    sweep_plan_free(&p);
    scenario_free(s);
}
END_TEST

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *t = tcase_create("expansion");
    tcase_add_test(t, product_order_is_nested_loops_with_reps_innermost);
    tcase_add_test(t, cli_vary_replaces_in_place_and_appends);
    tcase_add_test(t, no_sweep_section_is_one_point);
    tcase_add_test(t, errors_are_located);
    suite_add_tcase(s, t);
    t = tcase_create("runs");
    tcase_add_test(t, common_random_numbers_by_default);
    tcase_add_test(t, independent_seeds_differ_per_point_and_are_stable);
    tcase_add_test(t, a_varied_seed_is_used_as_given);
    tcase_add_test(t, run_keys_match_a_plain_run_of_the_point);
    tcase_add_test(t, params_record_seed_sets_and_point);
    tcase_add_test(t, mark_done_skips_only_listed_keys);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sweep_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
