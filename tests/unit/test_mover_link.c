/* tests/unit/test_mover_link.c — the mover link of
 * models/hypervisor/mover_link.h on its own, against closed forms of
 * processor sharing at rate R = bandwidth x efficiency / 8 (8 Gbps: R =
 * 1e9 B/s, one byte per ns) with latency L = 50 us:
 *  - one transfer of B bytes is delivered B / R + L after it starts;
 *  - two of B started together share R: both at 2B / R + L;
 *  - A of B bytes at 0, C of B bytes at t1: A alone until t1, then each
 *    at R / 2: A's last byte at tA = t1 + 2 (B - R t1) / R, C's at
 *    tA + t1 (its R t1 left, alone);
 *  - a `set` of the bandwidth at t1: the rest at the new rate,
 *    t1 + (B - R t1) / R2 + L; efficiency 0.5 halves the rate;
 *  - a fail ends the transfer at once with status -1 and refuses new
 *    ones until the repair; a cancelled transfer calls nothing back. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "models/hypervisor/mover_link.h"
#include "sim/env.h"
#include "sim/kernel.h"
#include "sim/scenario.h"

static const struct param_desc root_params[] = {
    { "duration", PARAM_TIME, "ns", "1s", "run length", .min = "1ns" },
    { 0 }
};
static const struct schema_child root_children[] = {
    { "links", CFG_LIST, &mover_link_schema, "links", false },
    { 0 }
};
static const struct schema root_schema = { "root", "test root", root_params, root_children };

#define MS 1000000000ull /* ps */
#define US 1000000ull
#define B 1000000ull     /* bytes: 1 ms at 1e9 B/s */
#define LAT (50 * US)

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct scenario *s;
    struct mover_link *l;
    sim_time_t done_at[4];
    int status[4];
    int calls;
} rig;

static void setup_link(const char *extra)
{
    char text[512];
    snprintf(text, sizeof text,
             "duration: 1s\nlinks:\n  - {name: m0, between: [a, b], bandwidth: 8Gbps, "
             "latency: 50us%s}\n", extra);
    struct diag err;
    rig.s = scenario_load_string("t.yaml", text, &root_schema, &err);
    ck_assert_msg(rig.s, "%s", err.msg);
    rig.k = kernel_create(KERNEL_NATIVE, 64);
    rig.rec = recorder_create(0);
    env_init(&rig.env, rig.k, rig.rec, 1, 0, 1000 * MS, 0, 0);
    rig.l = mover_link_create(&rig.env, cfg_find(rig.s->root, "links")->kids[0], &err);
    ck_assert(rig.l);
    env_start(&rig.env);
    for (int i = 0; i < 4; i++)
        rig.done_at[i] = 0, rig.status[i] = 99;
    rig.calls = 0;
}

static void teardown_link(void)
{
    mover_link_destroy(rig.l);
    env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    scenario_free(rig.s);
}

static void on_done(void *ctx, int status)
{
    int i = (int)(intptr_t)ctx;
    rig.done_at[i] = kernel_now(rig.k);
    rig.status[i] = status;
    rig.calls++;
}

static void start(void *ctx, uint64_t bytes)
{
    ck_assert(mover_link_send(rig.l, bytes, on_done, ctx));
}

START_TEST(alone)
{
    setup_link("");
    ck_assert(mover_link_rate(rig.l) == 1e9);
    kernel_schedule_at(rig.k, 3 * MS, start, (void *)0, B);
    kernel_run_until(rig.k, 100 * MS);
    ck_assert_int_eq(rig.status[0], 0);
    ck_assert_uint_eq(rig.done_at[0], 3 * MS + 1 * MS + LAT);
    teardown_link();
}
END_TEST

START_TEST(two_together)
{
    setup_link("");
    kernel_schedule_at(rig.k, 0, start, (void *)0, B);
    kernel_schedule_at(rig.k, 0, start, (void *)1, B);
    kernel_run_until(rig.k, 100 * MS);
    ck_assert_uint_eq(rig.done_at[0], 2 * MS + LAT);
    ck_assert_uint_eq(rig.done_at[1], 2 * MS + LAT);
    teardown_link();
}
END_TEST

START_TEST(two_staggered)
{
    setup_link("");
    const sim_time_t t1 = MS / 4; /* A has sent 250000 B */
    kernel_schedule_at(rig.k, 0, start, (void *)0, B);
    kernel_schedule_at(rig.k, t1, start, (void *)1, B);
    kernel_run_until(rig.k, 100 * MS);
    sim_time_t ta = t1 + 2 * (MS - t1); /* 2 (B - R t1) / R */
    ck_assert_uint_eq(rig.done_at[0], ta + LAT);
    ck_assert_uint_eq(rig.done_at[1], ta + t1 + LAT);
    teardown_link();
}
END_TEST

static void set_bw(void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    const struct cfg_node *p = cfg_find(cfg_find(rig.s->root, "links")->kids[0], "bandwidth");
    struct param_value v = { .u = 2000000000, .d = 2e9 };
    ck_assert_uint_eq(env_set(&rig.env, p, &v), 1);
}

START_TEST(set_bandwidth)
{
    setup_link("");
    kernel_schedule_at(rig.k, 0, start, (void *)0, B);
    kernel_schedule_at(rig.k, MS / 2, set_bw, NULL, 0); /* 2 Gbps: R2 = 2.5e8 B/s */
    kernel_run_until(rig.k, 100 * MS);
    /* 500000 B left at 250 B/us: 2 ms */
    ck_assert_uint_eq(rig.done_at[0], MS / 2 + 2 * MS + LAT);
    teardown_link();
}
END_TEST

START_TEST(efficiency)
{
    setup_link(", efficiency: 0.5");
    ck_assert(mover_link_rate(rig.l) == 5e8);
    ck_assert_uint_eq(mover_link_send_time(rig.l, B), 2 * MS);
    kernel_schedule_at(rig.k, 0, start, (void *)0, B);
    kernel_run_until(rig.k, 100 * MS);
    ck_assert_uint_eq(rig.done_at[0], 2 * MS + LAT);
    teardown_link();
}
END_TEST

static void fail_link(void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    char why[64];
    ck_assert_int_eq((mover_link_ops.fail)(rig.l, why, sizeof why), 0);
    ck_assert(!mover_link_up(rig.l));
    ck_assert(!mover_link_send(rig.l, B, on_done, (void *)2)); /* refused while down */
    ck_assert_int_eq((mover_link_ops.fail)(rig.l, why, sizeof why), -1);
}

static void repair_link(void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    char why[64];
    ck_assert_int_eq((mover_link_ops.repair)(rig.l, why, sizeof why), 0);
}

START_TEST(fail_and_repair)
{
    setup_link("");
    kernel_schedule_at(rig.k, 0, start, (void *)0, B);
    kernel_schedule_at(rig.k, MS / 2, fail_link, NULL, 0);
    kernel_schedule_at(rig.k, 10 * MS, repair_link, NULL, 0);
    kernel_schedule_at(rig.k, 20 * MS, start, (void *)1, B);
    kernel_run_until(rig.k, 100 * MS);
    ck_assert_int_eq(rig.status[0], -1);
    ck_assert_uint_eq(rig.done_at[0], MS / 2);
    ck_assert_int_eq(rig.status[1], 0);
    ck_assert_uint_eq(rig.done_at[1], 20 * MS + MS + LAT);
    ck_assert_int_eq(rig.calls, 2); /* the refused one calls nothing back */
    teardown_link();
}
END_TEST

static struct mover_xfer *to_cancel;

static void start_cancelled(void *ctx, uint64_t arg)
{
    (void)arg;
    to_cancel = mover_link_send(rig.l, B, on_done, ctx);
}

static void cancel(void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    mover_link_cancel(rig.l, to_cancel);
}

START_TEST(cancel_frees_the_share)
{
    setup_link("");
    kernel_schedule_at(rig.k, 0, start, (void *)0, B);
    kernel_schedule_at(rig.k, 0, start_cancelled, (void *)1, 0);
    kernel_schedule_at(rig.k, MS / 2, cancel, NULL, 0);
    kernel_run_until(rig.k, 100 * MS);
    /* shared until 0.5 ms (250000 B sent), then alone: 750 us more */
    ck_assert_uint_eq(rig.done_at[0], MS / 2 + 3 * MS / 4 + LAT);
    ck_assert_int_eq(rig.calls, 1);
    teardown_link();
}
END_TEST

Suite *mover_link_suite(void)
{
    Suite *s = suite_create("mover_link");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, alone);
    tcase_add_test(tc, two_together);
    tcase_add_test(tc, two_staggered);
    tcase_add_test(tc, set_bandwidth);
    tcase_add_test(tc, efficiency);
    tcase_add_test(tc, fail_and_repair);
    tcase_add_test(tc, cancel_frees_the_share);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mover_link_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
