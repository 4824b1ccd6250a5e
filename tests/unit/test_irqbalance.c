/* tests/unit/test_irqbalance.c — irqbalance's placement
 * (models/guest/irqbalance_algo.h) on a small case worked out by hand
 * from the algorithm (irqbalance's irqlist.c, placement.c,
 * procinterrupts.c), move for move:
 *
 * 4 CPUs in two cache domains C0 = {0, 1}, C1 = {2, 3}; IRQs 0..4, all of
 * one class, balanced per core.
 *
 * Cycle 1 (no load yet; every IRQ in the rebalance list, sorted by
 * descending index: 4 3 2 1 0). Each placement adds load + 1 = 1 to its
 * object; ties go to the object with fewer IRQs, else the first:
 *   caches: 4 -> C0 (0,0), 3 -> C1 (1,0), 2 -> C0 (1,1), 1 -> C1 (2,1),
 *           0 -> C0 (2,2);
 *   C0's CPUs: 4 -> 0, 2 -> 1, 0 -> 0 (tie 1,1);  C1's: 3 -> 2, 1 -> 3.
 * So CPU 0 holds {4, 0}, CPU 1 {2}, CPU 2 {3}, CPU 3 {1}.
 *
 * Cycle 2: interrupt counts since cycle 1: IRQ 0 1000, 1 100, 2 300,
 * 3 200, 4 2000; irq + softirq time: CPU 0 6 ms, 1 0.9 ms, 2 0.8 ms,
 * 3 0.1 ms. Per CPU the load slice is load / interrupts counted on it:
 *   CPU 0: 6e6 / 3000 = 2000 -> IRQ 4 = 4e6, IRQ 0 = 2e6 ns;
 *   CPU 1: 9e5 / 300 -> IRQ 2 = 9e5; CPU 2: IRQ 3 = 8e5; CPU 3: IRQ 1 = 1e5.
 * Phase 1 at the CPU level: min = 1e5 (CPU 3). CPU 0 (6e6, two IRQs)
 * sorted 4, 0: IRQ 4: 1e5 + 4e6 < 6e6 - 4e6? no. IRQ 0: 1e5 + 2e6 <
 * 6e6 - 2e6? yes: taken; min becomes 2.1e6, adjustment 4e6. CPUs 1..3
 * are below the new min. The cache level has no IRQs of its own.
 * Phase 2: IRQ 0 -> C1 (9e5 < 6.9e6) -> CPU 3 (1e5 < 8e5).
 * So cycle 2 makes one move: IRQ 0 from CPU 0 to CPU 3. */
#include <check.h>
#include <stdlib.h>

#include "models/guest/irqbalance_algo.h"

static struct irqbalance_algo a;

static void placed(uint32_t expect0, uint32_t expect1, uint32_t expect2, uint32_t expect3,
                   uint32_t expect4)
{
    uint32_t want[5] = { expect0, expect1, expect2, expect3, expect4 };
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_msg(ib_irq_cpu(&a, i) == want[i], "IRQ %u on CPU %u, want %u", i,
                      ib_irq_cpu(&a, i), want[i]);
}

/* activate every IRQ the scan moved; returns how many were moved */
static unsigned activate_all(bool refuse)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < a.nirqs; i++) {
        struct vp_mask m;
        if (ib_to_activate(&a, i, &m)) {
            ck_assert_uint_eq(vp_mask_weight(&m), 1);
            ck_assert(vp_mask_test(&m, ib_irq_cpu(&a, i)));
            n++;
            ib_activated(&a, i, refuse);
        }
    }
    return n;
}

static const uint64_t zero[5] = { 0 };
static const uint64_t counts2[5] = { 1000, 100, 300, 200, 2000 };
static const uint64_t cpu2[4] = { 6000000, 900000, 800000, 100000 };

START_TEST(first_cycle_places_every_irq_without_load)
{
    ck_assert_int_eq(ib_init(&a, 4, 2, 5, 0, IB_HINT_IGNORE), 0);
    ib_scan(&a, zero, zero);
    placed(0, 3, 1, 2, 0);
    ck_assert_uint_eq(a.taken, 0);
    ck_assert_uint_eq(a.placed, 5);
    ck_assert_uint_eq(activate_all(false), 5);
    ib_fini(&a);
}
END_TEST

START_TEST(second_cycle_moves_irq0_to_cpu3)
{
    ck_assert_int_eq(ib_init(&a, 4, 2, 5, 0, IB_HINT_IGNORE), 0);
    ib_scan(&a, zero, zero);
    activate_all(false);
    ib_scan(&a, counts2, cpu2);
    ck_assert_uint_eq(a.irqs[4].load, 4000000);
    ck_assert_uint_eq(a.irqs[0].load, 2000000);
    ck_assert_uint_eq(a.irqs[2].load, 900000);
    ck_assert_uint_eq(a.irqs[3].load, 800000);
    ck_assert_uint_eq(a.irqs[1].load, 100000);
    ck_assert_uint_eq(a.taken, 1);
    placed(3, 3, 1, 2, 0);
    ck_assert_uint_eq(activate_all(false), 1); /* only IRQ 0 */
    ib_fini(&a);
}
END_TEST

/* The same cycle with a migrate ratio of 2 (--migrateval 2): delta =
 * (6e6 - 1e5) / 2 = 2.95e6 makes IRQ 4 a candidate too: 1e5 + 4e6 <
 * 2.95e6 + 2e6, taken first (adjustment 2e6, min 4.1e6 capped to 2e6);
 * IRQ 0 then is the only one left on CPU 0 and stays. IRQ 4 (4e6) goes to
 * C1 (9e5 < 6.9e6) and CPU 3 (1e5 < 8e5). */
START_TEST(migrate_ratio_moves_the_heavier_irq)
{
    ck_assert_int_eq(ib_init(&a, 4, 2, 5, 2, IB_HINT_IGNORE), 0);
    ib_scan(&a, zero, zero);
    activate_all(false);
    ib_scan(&a, counts2, cpu2);
    ck_assert_uint_eq(a.taken, 1);
    placed(0, 3, 1, 2, 3);
    ib_fini(&a);
}
END_TEST

/* With hint policy subset and IRQ 0's hint {1}, phase 2 considers only
 * objects that intersect the hint: C0 (not C1), then CPU 1 (not CPU 0). */
START_TEST(subset_hint_confines_placement)
{
    struct vp_mask h;
    vp_mask_clear(&h);
    vp_mask_set(&h, 1);
    ck_assert_int_eq(ib_init(&a, 4, 2, 5, 0, IB_HINT_SUBSET), 0);
    ib_set_hint(&a, 0, &h);
    ib_scan(&a, zero, zero);
    /* cycle 1 with the hint: 4 -> C0, 3 -> C1, 2 -> C0, 1 -> C1, 0 -> C0
     * (the only cache with CPU 1); in C0: 4 -> 0, 2 -> 1, 0 -> 1 (the only
     * CPU in its hint) */
    placed(1, 3, 1, 2, 0);
    activate_all(false);
    ib_fini(&a);
}
END_TEST

/* A managed IRQ refuses its write (-EIO): it is given up for good and is
 * never taken off its CPU again, even where it would be. */
START_TEST(refused_irq_is_never_moved_again)
{
    ck_assert_int_eq(ib_init(&a, 4, 2, 5, 0, IB_HINT_IGNORE), 0);
    ib_scan(&a, zero, zero);
    for (uint32_t i = 0; i < 5; i++) {
        struct vp_mask m;
        if (ib_to_activate(&a, i, &m))
            ib_activated(&a, i, i == 0); /* IRQ 0 is managed */
    }
    ib_scan(&a, counts2, cpu2);
    ck_assert_uint_eq(a.taken, 0); /* IRQ 0, the one that would move, is BALANCE_NONE */
    placed(0, 3, 1, 2, 0);
    ck_assert_uint_eq(activate_all(false), 0);
    ib_fini(&a);
}
END_TEST

/* The only IRQ of a CPU stays whatever its load: CPU 1 far above the rest
 * with IRQ 2 alone on it. */
START_TEST(only_irq_of_a_cpu_stays)
{
    static const uint64_t cpu[4] = { 100000, 9000000, 100000, 100000 };
    static const uint64_t counts[5] = { 10, 10, 5000, 10, 10 };
    ck_assert_int_eq(ib_init(&a, 4, 2, 5, 0, IB_HINT_IGNORE), 0);
    ib_scan(&a, zero, zero);
    activate_all(false);
    ib_scan(&a, counts, cpu);
    ck_assert_uint_eq(a.taken, 0);
    placed(0, 3, 1, 2, 0);
    ib_fini(&a);
}
END_TEST

static Suite *irqbalance_suite(void)
{
    Suite *s = suite_create("irqbalance");
    TCase *t = tcase_create("placement");
    tcase_add_test(t, first_cycle_places_every_irq_without_load);
    tcase_add_test(t, second_cycle_moves_irq0_to_cpu3);
    tcase_add_test(t, migrate_ratio_moves_the_heavier_irq);
    tcase_add_test(t, subset_hint_confines_placement);
    tcase_add_test(t, refused_irq_is_never_moved_again);
    tcase_add_test(t, only_irq_of_a_cpu_stays);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(irqbalance_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
