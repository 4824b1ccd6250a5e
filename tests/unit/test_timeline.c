/* tests/unit/test_timeline.c — the timeline engine of sim/timeline.h on
 * its own: a test schema (a duration, one run-time parameter and one that
 * is not, and a `timeline` list of the real item schema), fake components
 * in the run's directory that count what the generic actions do to them,
 * and a setter that records what a `set` gives it.
 *
 * Checked: what timeline_check_item refuses (a parameter the action does
 * not read, `at` past the duration, `until` not after `at`, no `at`, a
 * `set` of an unknown or non-run-time parameter or with a bad value);
 * fail/repair/freeze fire once, at `at`, on the named component; a
 * refused action (missing component, an operation the kind lacks, the
 * component's own refusal) writes its reason and the run goes on; `set`
 * parses the value with the parameter's unit and reaches the setter; an
 * item with `every` repeats with gaps drawn from the run's seed and the
 * item's name (identical for the same seed, different for another),
 * within [at, until]; unnamed items ("#N") fire like named ones. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/timeline_actions.h"
#include "sim/env.h"
#include "sim/kernel.h"
#include "sim/scenario.h"
#include "sim/timeline.h"

/* ---- test schema --------------------------------------------------------- */

static const struct param_desc root_params[] = {
    { "duration", PARAM_TIME, "ns", "1s", "run length", .min = "1ns" },
    { "knob", PARAM_RATE, "1/s", "10/s", "a run-time parameter", .min = "0/s", .runtime = true },
    { "fixed", PARAM_RATE, "1/s", "10/s", "not a run-time parameter", .min = "0/s" },
    { 0 }
};
static const struct schema_child root_children[] = {
    { "timeline", CFG_LIST, &timeline_item_schema, "actions", false, true },
    { 0 }
};
static const struct schema root_schema = { "root", "test root", root_params, root_children };

/* ---- fake components ---------------------------------------------------- */

struct widget {
    int fails, repairs, freezes;
    sim_time_t last;
};

static bool widget_refuses; /* the component's own refusal */

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct scenario *s;
    struct timeline *t;
    struct widget w, w2;
    int sets;
    double set_value;
    sim_time_t set_at;
} rig;

static int widget_op(void *obj, int *count, char *why, size_t n)
{
    struct widget *w = obj;
    if (widget_refuses)
        return snprintf(why, n, "the widget says no"), -1;
    (*count)++;
    w->last = kernel_now(rig.k);
    return 0;
}
static int widget_fail(void *obj, char *why, size_t n)
{
    return widget_op(obj, &((struct widget *)obj)->fails, why, n);
}
static int widget_repair(void *obj, char *why, size_t n)
{
    return widget_op(obj, &((struct widget *)obj)->repairs, why, n);
}
static int widget_freeze(void *obj, char *why, size_t n)
{
    return widget_op(obj, &((struct widget *)obj)->freezes, why, n);
}
static const struct component_ops widget_ops = { "widget", widget_fail, widget_repair,
                                                 widget_freeze };
static const struct component_ops rigid_ops = { "rigid", widget_fail, widget_repair, NULL };

static void on_knob(void *ctx, const struct cfg_node *param, const struct param_value *v)
{
    (void)ctx;
    ck_assert_str_eq(param->key, "knob");
    rig.sets++;
    rig.set_value = v->d;
    rig.set_at = kernel_now(rig.k);
}

static struct scenario *load(const char *text, struct diag *err)
{
    return scenario_load_string("t.yaml", text, &root_schema, err);
}

static void rig_close(void)
{
    timeline_destroy(rig.t);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    scenario_free(rig.s);
    memset(&rig, 0, sizeof rig);
}

/* Loads `text`, builds the run (seed), runs it to its duration. */
static void run_text(const char *text, uint64_t seed)
{
    struct diag err;
    rig_close();
    rig.s = load(text, &err);
    ck_assert_msg(rig.s != NULL, "%s", err.msg);
    sim_time_t duration = cfg_u64(rig.s->root, "duration");
    rig.k = kernel_create(KERNEL_NATIVE, 1024);
    rig.rec = recorder_create(0);
    env_init(&rig.env, rig.k, rig.rec, seed, 0, duration, 0, 0);
    env_register(&rig.env, "s0.w", &widget_ops, &rig.w);
    env_register(&rig.env, "s0.rigid", &rigid_ops, &rig.w2);
    env_on_set(&rig.env, cfg_find(rig.s->root, "knob"), on_knob, NULL);
    const struct timeline_action *const *acts;
    size_t n = timeline_actions(&acts);
    const struct cfg_node *list = cfg_find(rig.s->root, "timeline");
    for (size_t i = 0; list && i < list->nkids; i++)
        ck_assert_msg(timeline_check_item(rig.s->root, list->kids[i], acts, n, &err) == 0, "%s",
                      err.msg);
    rig.t = timeline_create(&rig.env, rig.s->root, acts, n, NULL);
    ck_assert_ptr_nonnull(rig.t);
    env_start(&rig.env);
    timeline_start(rig.t);
    kernel_run_until(rig.k, duration);
}

/* The events of `kind` on component "timeline", in order. */
static size_t timeline_events(const char *kind, const struct event_row **out, size_t max)
{
    const struct event_row *rows;
    size_t count = recorder_events(rig.rec, &rows), n = 0;
    for (size_t i = 0; i < count; i++)
        if (strcmp(rows[i].component, "timeline") == 0 && strcmp(rows[i].kind, kind) == 0) {
            if (n < max)
                out[n] = &rows[i];
            n++;
        }
    return n;
}

static void teardown(void)
{
    rig_close();
}

/* ---- checks before the run -------------------------------------------------- */

static void expect_refused(const char *item, const char *msg)
{
    char text[512];
    struct diag err;
    snprintf(text, sizeof text, "duration: 1s\ntimeline:\n  - %s\n", item);
    struct scenario *s = load(text, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    const struct timeline_action *const *acts;
    size_t n = timeline_actions(&acts);
    int rc = timeline_check_item(s->root, cfg_find(s->root, "timeline")->kids[0], acts, n, &err);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(err.msg, msg) != NULL, "'%s' does not say '%s'", err.msg, msg);
    scenario_free(s);
}

START_TEST(check_refuses_bad_items)
{
    expect_refused("{at: 10ms, action: fail, target: s0.w, value: 3/s}",
                   "'value' does not apply to a 'fail' action");
    expect_refused("{at: 10ms, action: repair, target: s0.w, every: 1ms}",
                   "'every' does not apply to a 'repair' action");
    expect_refused("{at: 1001ms, action: fail, target: s0.w}", "is after the end of the run");
    expect_refused("{at: 10ms, action: freeze, target: s0.w, every: 1ms, until: 10ms}",
                   "'until' must be after 'at'");
    expect_refused("{action: fail, target: s0.w}", "missing required key 'at'");
    expect_refused("{at: 10ms, action: set, path: fixed, value: 3/s}",
                   "cannot change while the machine runs");
    expect_refused("{at: 10ms, action: set, path: nothing, value: 3/s}",
                   "is not a parameter of the scenario");
    expect_refused("{at: 10ms, action: set, path: knob, value: 3ms}", "is not a rate");
    expect_refused("{at: 10ms, action: set, path: knob}", "a 'set' needs a 'value'");
    expect_refused("{at: 10ms, action: set, value: 3/s}", "a 'set' needs a 'path'");
}
END_TEST

START_TEST(check_accepts_every_without_at_and_the_last_instant)
{
    const char *ok[] = {
        "{action: freeze, target: s0.w, every: 100ms}",
        "{at: 1s, action: fail, target: s0.w}",
        "{at: 10ms, action: set, path: knob, value: 2k/s}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char text[256];
        struct diag err;
        snprintf(text, sizeof text, "duration: 1s\ntimeline:\n  - %s\n", ok[i]);
        struct scenario *s = load(text, &err);
        ck_assert_msg(s != NULL, "%s", err.msg);
        const struct timeline_action *const *acts;
        size_t n = timeline_actions(&acts);
        ck_assert_msg(timeline_check_item(s->root, cfg_find(s->root, "timeline")->kids[0], acts,
                                          n, &err) == 0, "%s: %s", ok[i], err.msg);
        scenario_free(s);
    }
}
END_TEST

/* ---- firing ------------------------------------------------------------------ */

START_TEST(generic_actions_fire_once_at_their_time)
{
    run_text("duration: 1s\n"
             "timeline:\n"
             "  - {name: down, at: 100ms, action: fail, target: s0.w}\n"
             "  - {at: 300ms, action: repair, target: s0.w}\n"
             "  - {at: 700ms, action: freeze, target: s0.w}\n", 1);
    ck_assert_int_eq(rig.w.fails, 1);
    ck_assert_int_eq(rig.w.repairs, 1);
    ck_assert_int_eq(rig.w.freezes, 1);
    ck_assert_uint_eq(rig.w.last, 700 * SIM_MS);
    const struct event_row *e[4];
    ck_assert_uint_eq(timeline_events("fail", e, 4), 1);
    ck_assert_uint_eq(e[0]->t, 100 * SIM_MS);
    ck_assert_str_eq(e[0]->detail, "down: target s0.w");
    ck_assert_uint_eq(timeline_events("repair", e, 4), 1);
    ck_assert_uint_eq(e[0]->t, 300 * SIM_MS);
    ck_assert_str_eq(e[0]->detail, "target s0.w"); /* unnamed: no prefix */
}
END_TEST

START_TEST(refused_actions_say_why_and_the_run_goes_on)
{
    run_text("duration: 1s\n"
             "timeline:\n"
             "  - {at: 100ms, action: fail, target: s0.gone}\n"
             "  - {at: 200ms, action: freeze, target: s0.rigid}\n"
             "  - {at: 300ms, action: fail, target: s0.w}\n", 1);
    const struct event_row *e[4];
    ck_assert_uint_eq(timeline_events("fail", e, 4), 2);
    ck_assert_str_eq(e[0]->detail, "target s0.gone: refused: no component 's0.gone'");
    ck_assert_str_eq(e[1]->detail, "target s0.w");
    ck_assert_uint_eq(timeline_events("freeze", e, 4), 1);
    ck_assert_str_eq(e[0]->detail, "target s0.rigid: refused: a rigid cannot be frozen");
    ck_assert_int_eq(rig.w.fails, 1);
    ck_assert_int_eq(rig.w2.freezes, 0);
}
END_TEST

START_TEST(a_component_refusal_is_recorded)
{
    widget_refuses = true;
    run_text("duration: 1s\ntimeline:\n  - {at: 1ms, action: repair, target: s0.w}\n", 1);
    widget_refuses = false;
    const struct event_row *e[2];
    ck_assert_uint_eq(timeline_events("repair", e, 2), 1);
    ck_assert_str_eq(e[0]->detail, "target s0.w: refused: the widget says no");
    ck_assert_int_eq(rig.w.repairs, 0);
}
END_TEST

START_TEST(set_reaches_the_setter_with_the_parsed_value)
{
    run_text("duration: 1s\nknob: 5/s\n"
             "timeline:\n  - {name: turn, at: 250ms, action: set, path: knob, value: 2.5k/s}\n",
             1);
    ck_assert_int_eq(rig.sets, 1);
    ck_assert_double_eq(rig.set_value, 2500);
    ck_assert_uint_eq(rig.set_at, 250 * SIM_MS);
    /* the scenario's tree holds the new value too */
    ck_assert_double_eq(cfg_f64(rig.s->root, "knob"), 2500);
    const struct event_row *e[2];
    ck_assert_uint_eq(timeline_events("set", e, 2), 1);
    ck_assert_str_eq(e[0]->detail, "turn: path knob value 2.5k/s");
}
END_TEST

/* ---- every ---------------------------------------------------------------- */

static size_t firing_times(sim_time_t *t, size_t max)
{
    const struct event_row *e[4096];
    size_t n = timeline_events("freeze", e, 4096);
    ck_assert_uint_le(n, 4096);
    for (size_t i = 0; i < n && i < max; i++)
        t[i] = e[i]->t;
    return n;
}

static const char *every_yaml =
    "duration: 20s\n"
    "timeline:\n"
    "  - {name: noise, at: 1s, action: freeze, target: s0.w, every: 10ms, until: 19s}\n";

START_TEST(every_repeats_with_exponential_gaps_from_the_seed)
{
    static sim_time_t a[4096], b[4096], c[4096];
    run_text(every_yaml, 77);
    size_t na = firing_times(a, 4096);
    ck_assert_int_eq(rig.w.freezes, (int)na);
    run_text(every_yaml, 77);
    size_t nb = firing_times(b, 4096);
    run_text(every_yaml, 78);
    size_t nc = firing_times(c, 4096);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(a, b, na * sizeof *a) == 0);
    ck_assert(nc != na || memcmp(a, c, na * sizeof *a) != 0);
    /* Poisson count of mean (19 s - 1 s) / 10 ms = 1800, within 4 sd */
    double mean = 1800;
    ck_assert_msg(fabs((double)na - mean) <= 4 * sqrt(mean), "%zu firings", na);
    double s = 0, s2 = 0;
    sim_time_t prev = SIM_S;
    for (size_t i = 0; i < na; i++) {
        ck_assert_uint_ge(a[i], SIM_S);
        ck_assert_uint_le(a[i], 19 * SIM_S);
        ck_assert_uint_ge(a[i], prev);
        double g = (double)(a[i] - prev);
        s += g;
        s2 += g * g;
        prev = a[i];
    }
    double m = s / (double)na, sd = sqrt(s2 / (double)na - m * m);
    ck_assert_msg(fabs(m - 10 * (double)SIM_MS) <= 4 * 10 * (double)SIM_MS / sqrt((double)na),
                  "mean gap %g", m);
    ck_assert_msg(sd / m > 0.85 && sd / m < 1.15, "cv %g", sd / m);
}
END_TEST

START_TEST(every_streams_follow_the_item_name)
{
    static sim_time_t a[4096], b[4096];
    run_text(every_yaml, 77);
    size_t na = firing_times(a, 4096);
    char other[512];
    snprintf(other, sizeof other, "%s", every_yaml);
    memcpy(strstr(other, "noise"), "sound", 5);
    run_text(other, 77);
    size_t nb = firing_times(b, 4096);
    ck_assert(na != nb || memcmp(a, b, na * sizeof *a) != 0);
}
END_TEST

START_TEST(every_until_defaults_to_the_end_of_the_run)
{
    run_text("duration: 2s\ntimeline:\n  - {at: 1s, action: freeze, target: s0.w, every: 20ms}\n",
             5);
    static sim_time_t t[4096];
    size_t n = firing_times(t, 4096);
    ck_assert_uint_gt(n, 20);
    ck_assert_uint_le(t[n - 1], 2 * SIM_S);
    ck_assert_uint_gt(t[n - 1], 1800 * SIM_MS); /* P(no firing in 200 ms) = e^-10 */
}
END_TEST

static Suite *timeline_suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *t = tcase_create("timeline");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_add_test(t, check_refuses_bad_items);
    tcase_add_test(t, check_accepts_every_without_at_and_the_last_instant);
    tcase_add_test(t, generic_actions_fire_once_at_their_time);
    tcase_add_test(t, refused_actions_say_why_and_the_run_goes_on);
    tcase_add_test(t, a_component_refusal_is_recorded);
    tcase_add_test(t, set_reaches_the_setter_with_the_parsed_value);
    tcase_add_test(t, every_repeats_with_exponential_gaps_from_the_seed);
    tcase_add_test(t, every_streams_follow_the_item_name);
    tcase_add_test(t, every_until_defaults_to_the_end_of_the_run);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(timeline_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
