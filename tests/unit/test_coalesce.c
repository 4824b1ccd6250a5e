/* tests/unit/test_coalesce.c — the dynamic coalescing policies:
 *  - vIC's entries per interrupt k(CIF) = min(max_batch, floor(CIF /
 *    cif_threshold)), 1 at or below the CIF threshold or below the IOPS
 *    threshold (models/adapter/coalesce_vic.h), and its epochs;
 *  - net DIM's decisions (lib/dim/net_dim.c) on samples whose rates are
 *    set by hand, step by step. */
#include <check.h>
#include <stdlib.h>

#include "models/adapter/coalesce_dim.h"
#include "models/adapter/coalesce_vic.h"

static const struct vic_config vic = { .cif_threshold = 4, .iops_threshold = 2000,
                                       .epoch = 200 * SIM_MS, .max_batch = 8,
                                       .safety_timer = SIM_MS };

START_TEST(vic_ratio_is_one_below_either_threshold)
{
    for (uint32_t cif = 0; cif <= 64; cif++)
        ck_assert_uint_eq(vic_batch(&vic, cif, false), 1); /* IOPS below */
    for (uint32_t cif = 0; cif <= 4; cif++)
        ck_assert_uint_eq(vic_batch(&vic, cif, true), 1);  /* CIF at or below */
}
END_TEST

START_TEST(vic_ratio_follows_cif_above_them)
{
    ck_assert_uint_eq(vic_batch(&vic, 5, true), 1);   /* floor(5/4) */
    ck_assert_uint_eq(vic_batch(&vic, 8, true), 2);
    ck_assert_uint_eq(vic_batch(&vic, 11, true), 2);
    ck_assert_uint_eq(vic_batch(&vic, 12, true), 3);
    ck_assert_uint_eq(vic_batch(&vic, 31, true), 7);
    ck_assert_uint_eq(vic_batch(&vic, 32, true), 8);
    ck_assert_uint_eq(vic_batch(&vic, 1000, true), 8); /* max_batch */
    struct vic_config c = vic;
    c.cif_threshold = 2;
    c.max_batch = 64;
    ck_assert_uint_eq(vic_batch(&c, 100, true), 50);
}
END_TEST

START_TEST(vic_epoch_compares_iops_with_threshold)
{
    struct vic_epoch ep = { 0 };
    /* 401 completions in 200 ms = 2005/s: busy; then 399 more: 1995/s */
    ck_assert(vic_epoch_end(&ep, &vic, 401, 200 * SIM_MS));
    ck_assert(!vic_epoch_end(&ep, &vic, 800, 200 * SIM_MS));
    ck_assert(vic_epoch_end(&ep, &vic, 1200, 200 * SIM_MS)); /* exactly 2000/s */
}
END_TEST

/* ---- DIM ---- */

static struct dim_config dimc = { .start_profile = 1 };

/* One interrupt's sample: counters `events`, `pkts` and `bytes` (since
 * time 0), at t_us. */
static bool sample(struct net_dim *d, uint64_t t_us, uint16_t events, uint32_t pkts,
                   uint32_t bytes, struct moderation *m)
{
    struct dim_sample s = { t_us * SIM_US, pkts, bytes, events };
    return net_dim_sample(d, &dimc, &s, m);
}

START_TEST(dim_profiles_are_net_dims)
{
    struct moderation m = net_dim_moderation(&dimc, 1);
    ck_assert_uint_eq(m.count, 256);
    ck_assert_uint_eq(m.time, 8 * SIM_US);
    ck_assert(!m.restart);
    struct dim_config cqe = { .cqe_mode = true };
    m = net_dim_moderation(&cqe, 4);
    ck_assert_uint_eq(m.count, 64);
    ck_assert_uint_eq(m.time, 64 * SIM_US);
    ck_assert(m.restart);
    struct dim_config tx = { .tx_profiles = true };
    m = net_dim_moderation(&tx, 2);
    ck_assert_uint_eq(m.count, 128);
    ck_assert_uint_eq(m.time, 32 * SIM_US);
}
END_TEST

/* Hand trace (net_dim.c):
 *  1. start measuring at 0;
 *  2. 64 interrupts, 1e6 bytes in 1000 us: bpms 1e6 against no previous
 *     sample: better; parked on top it leaves towards the left (profile
 *     1 is not 0) and steps: profile 0;
 *  3. the next measurement starts (the profile was applied);
 *  4. 1000 us, 2e6 bytes: bpms 2e6, better: keeps going left, but
 *     profile 0 is the edge: parks on top, no change;
 *  5. 1000 us, 2e6 bytes again: same: stays parked;
 *  6. 1000 us, 3e6 bytes: better by 50%: leaves parking to the right
 *     (profile 0): profile 1. */
START_TEST(dim_steps_as_net_dim)
{
    struct net_dim d;
    struct moderation m = { 0 };
    net_dim_init(&d, &dimc);
    ck_assert_uint_eq(d.profile, 1);
    ck_assert(!sample(&d, 0, 0, 0, 0, &m));
    ck_assert(!sample(&d, 500, 63, 500, 500000, &m)); /* < 64 events */
    ck_assert(sample(&d, 1000, 64, 1000, 1000000, &m));
    ck_assert_uint_eq(d.profile, 0);
    ck_assert_uint_eq(m.time, SIM_US);
    ck_assert_uint_eq(m.count, 256);
    ck_assert_int_eq(d.tune, DIM_GOING_LEFT);
    ck_assert(!sample(&d, 1000, 64, 1000, 1000000, &m)); /* restart */
    ck_assert(!sample(&d, 2000, 128, 2000, 3000000, &m));
    ck_assert_int_eq(d.tune, DIM_PARKING_ON_TOP);
    ck_assert_uint_eq(d.profile, 0);
    ck_assert(!sample(&d, 3000, 192, 3000, 5000000, &m));
    ck_assert_int_eq(d.tune, DIM_PARKING_ON_TOP);
    ck_assert(sample(&d, 4000, 256, 4000, 8000000, &m));
    ck_assert_uint_eq(d.profile, 1);
    ck_assert_int_eq(d.tune, DIM_GOING_RIGHT);
    ck_assert_uint_eq(m.time, 8 * SIM_US);
    ck_assert_uint_eq(d.changes, 2);
}
END_TEST

/* With unchanging rates DIM turns at every step (same is not better),
 * swinging 0, 1, 0, ... while `tired` counts its steps; after 10 steps it
 * is too tired: it parks, then waits as many samples before moving again. */
START_TEST(dim_tires_on_flat_rates)
{
    struct net_dim d;
    struct moderation m;
    net_dim_init(&d, &dimc);
    uint64_t t = 0;
    uint16_t ev = 0;
    uint32_t pk = 0, by = 0;
    sample(&d, t, ev, pk, by, &m);
    unsigned changes = 0;
    uint8_t seen[12];
    for (unsigned i = 0; i < 12; i++) {
        t += 1000, ev += 64, pk += 1000, by += 1000000;
        bool c = sample(&d, t, ev, pk, by, &m);
        seen[i] = d.profile;
        changes += c;
        if (c) /* the next interrupt starts a new measurement */
            sample(&d, t, ev, pk, by, &m);
    }
    /* steps 1..10 swing 0 1 0 1 ...; the 11th finds it tired */
    static const uint8_t want[12] = { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1 };
    for (unsigned i = 0; i < 12; i++)
        ck_assert_msg(seen[i] == want[i], "sample %u: profile %u, want %u", i, seen[i], want[i]);
    ck_assert_uint_eq(changes, 10);
    ck_assert_int_eq(d.tune, DIM_PARKING_TIRED);
}
END_TEST

static Suite *coalesce_suite(void)
{
    Suite *s = suite_create("coalesce");
    TCase *t = tcase_create("vic");
    tcase_add_test(t, vic_ratio_is_one_below_either_threshold);
    tcase_add_test(t, vic_ratio_follows_cif_above_them);
    tcase_add_test(t, vic_epoch_compares_iops_with_threshold);
    suite_add_tcase(s, t);
    t = tcase_create("dim");
    tcase_add_test(t, dim_profiles_are_net_dims);
    tcase_add_test(t, dim_steps_as_net_dim);
    tcase_add_test(t, dim_tires_on_flat_rates);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(coalesce_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
