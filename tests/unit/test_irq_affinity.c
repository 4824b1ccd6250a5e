/* tests/unit/test_irq_affinity.c — the guest kernel's interrupt affinity
 * (models/guest/irq_affinity.h): managed masks as group_cpus_evenly
 * spreads them (lib/group_cpus.c: G groups of N CPUs, consecutive, the
 * first N mod G one larger), blk-mq's CPU -> queue map, and XIVE's target
 * pick (xive_find_target_in_mask: the (fuzz mod weight)-th CPU). */
#include <check.h>
#include <stdlib.h>

#include "models/guest/irq_affinity.h"

static void expect_range(const struct vp_mask *m, uint32_t first, uint32_t n)
{
    ck_assert_uint_eq(vp_mask_weight(m), n);
    for (uint32_t v = first; v < first + n; v++)
        ck_assert_msg(vp_mask_test(m, v), "VP %u missing", v);
}

START_TEST(spread_even_groups)
{
    struct vp_mask m[4];
    irq_affinity_spread(4, 8, m);
    for (uint32_t q = 0; q < 4; q++)
        expect_range(&m[q], 2 * q, 2);
}
END_TEST

START_TEST(spread_first_groups_take_the_remainder)
{
    struct vp_mask m[3];
    irq_affinity_spread(3, 8, m); /* 8 = 3 + 3 + 2 */
    expect_range(&m[0], 0, 3);
    expect_range(&m[1], 3, 3);
    expect_range(&m[2], 6, 2);
}
END_TEST

START_TEST(spread_more_vectors_than_cpus)
{
    struct vp_mask m[4];
    irq_affinity_spread(4, 2, m);
    expect_range(&m[0], 0, 1);
    expect_range(&m[1], 1, 1);
    ck_assert(vp_mask_empty(&m[2]));
    ck_assert(vp_mask_empty(&m[3]));
}
END_TEST

START_TEST(queue_map_managed_and_not)
{
    struct vp_mask m[3];
    uint16_t q[8];
    irq_affinity_spread(3, 8, m);
    irq_affinity_queue_map(3, 8, true, m, q);
    static const uint16_t managed[8] = { 0, 0, 0, 1, 1, 1, 2, 2 };
    for (int c = 0; c < 8; c++)
        ck_assert_uint_eq(q[c], managed[c]);
    irq_affinity_queue_map(3, 8, false, m, q);
    for (int c = 0; c < 8; c++)
        ck_assert_uint_eq(q[c], c % 3);
}
END_TEST

START_TEST(pick_walks_the_mask_with_the_fuzz)
{
    struct vp_mask m;
    vp_mask_clear(&m);
    vp_mask_set(&m, 2);
    vp_mask_set(&m, 5);
    vp_mask_set(&m, 9);
    uint32_t fuzz = 0;
    ck_assert_uint_eq(irq_affinity_pick(&m, &fuzz), 2);
    ck_assert_uint_eq(irq_affinity_pick(&m, &fuzz), 5);
    ck_assert_uint_eq(irq_affinity_pick(&m, &fuzz), 9);
    ck_assert_uint_eq(irq_affinity_pick(&m, &fuzz), 2);
    ck_assert_uint_eq(fuzz, 4);
    fuzz = 7; /* 7 mod 3 = 1 */
    ck_assert_uint_eq(irq_affinity_pick(&m, &fuzz), 5);
    vp_mask_clear(&m);
    ck_assert_uint_eq(irq_affinity_pick(&m, &fuzz), UINT32_MAX);
}
END_TEST

START_TEST(mask_format_names_ranges)
{
    struct vp_mask m;
    char buf[64];
    vp_mask_range(&m, 0, 4);
    vp_mask_set(&m, 6);
    vp_mask_set(&m, 8);
    vp_mask_set(&m, 9);
    vp_mask_format(&m, buf, sizeof buf);
    ck_assert_str_eq(buf, "0-3,6,8-9");
}
END_TEST

static Suite *affinity_suite(void)
{
    Suite *s = suite_create("irq_affinity");
    TCase *t = tcase_create("affinity");
    tcase_add_test(t, spread_even_groups);
    tcase_add_test(t, spread_first_groups_take_the_remainder);
    tcase_add_test(t, spread_more_vectors_than_cpus);
    tcase_add_test(t, queue_map_managed_and_not);
    tcase_add_test(t, pick_walks_the_mask_with_the_fuzz);
    tcase_add_test(t, mask_format_names_ranges);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(affinity_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
