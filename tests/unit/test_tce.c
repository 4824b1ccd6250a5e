/* tests/unit/test_tce.c — TCE table (geometry, walk counts, permissions,
 * hcall counting, sparse storage) and TCE cache (LRU, the independent
 * reference model hit rate, miss cost, invalidation). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/iommu/tce_cache.h"
#include "models/iommu/tce_table.h"
#include "sim/rng.h"
#include "sim/scenario.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

static struct tce_table_config table_cfg(uint64_t base, uint64_t size, uint64_t page,
                                         unsigned levels)
{
    struct tce_table_config c;
    struct diag err;
    ck_assert_int_eq(tce_table_config_init(&c, NULL, &err), 0);
    c.window_base = base;
    c.window_size = size;
    c.page_size = page;
    c.levels = levels;
    ck_assert_msg(tce_table_config_check(&c, NULL, &err) == 0, "%s", err.msg);
    return c;
}

static struct tce_table *table_new(uint64_t base, uint64_t size, uint64_t page,
                                   unsigned levels)
{
    struct tce_table_config c = table_cfg(base, size, page, levels);
    struct tce_table *t = tce_table_create(&c);
    ck_assert_ptr_nonnull(t);
    return t;
}

/* ---- configuration ------------------------------------------------------ */

START_TEST(table_defaults_come_from_the_descriptor)
{
    struct tce_table_config c;
    struct diag err;
    ck_assert_int_eq(tce_table_config_init(&c, NULL, &err), 0);
    ck_assert_uint_eq(c.window_base, 0);
    ck_assert_uint_eq(c.window_size, 1 * GiB);
    /* 0: chosen for the drivers' mapping, as Linux on pseries does */
    ck_assert_uint_eq(c.page_size, 0);
    ck_assert_uint_eq(tce_table_page_for(c.page_size, true), 4 * KiB);
    ck_assert_uint_eq(tce_table_page_for(c.page_size, false), 64 * KiB);
    ck_assert_uint_eq(tce_table_page_for(2 * MiB, true), 2 * MiB);
    ck_assert_ptr_null(tce_table_create(&c)); /* a table needs its page size */
    ck_assert_uint_eq(c.levels, 2);
    ck_assert_uint_eq(c.indirect_max, 512);
    ck_assert_uint_eq(c.stuff_max, 512);
}
END_TEST

START_TEST(table_config_from_a_scenario_and_located_errors)
{
    struct diag err = { 0 };
    struct scenario *s = scenario_load_string("w.yaml", "window_size: 2GiB\nlevels: 3\n",
                                              &tce_table_schema, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    struct tce_table_config c;
    ck_assert_int_eq(tce_table_config_init(&c, s->root, &err), 0);
    ck_assert_uint_eq(c.window_size, 2 * GiB);
    ck_assert_uint_eq(c.levels, 3);
    ck_assert_uint_eq(c.page_size, 0); /* chosen by the drivers' mapping */
    scenario_free(s);

    s = scenario_load_string("w.yaml", "levels: 1\npage_size: 8KiB\n", &tce_table_schema, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(tce_table_config_init(&c, s->root, &err), -1);
    ck_assert_int_eq(err.line, 2);
    ck_assert_ptr_nonnull(strstr(err.msg, "page_size"));
    scenario_free(s);

    s = scenario_load_string("w.yaml", "window_size: 3GiB\n", &tce_table_schema, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(tce_table_config_init(&c, s->root, &err), -1);
    ck_assert_int_eq(err.line, 1);
    scenario_free(s);

    /* A one-level table for 2^40 pages is refused with advice. */
    c = table_cfg(0, 1 * GiB, 4 * KiB, 2);
    c.window_size = UINT64_C(1) << 52;
    c.levels = 1;
    ck_assert_int_eq(tce_table_config_check(&c, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "levels"));
    /* Misaligned base. */
    c = table_cfg(0, 1 * GiB, 64 * KiB, 2);
    c.window_base = 4 * KiB;
    ck_assert_int_eq(tce_table_config_check(&c, NULL, &err), -1);
}
END_TEST

START_TEST(every_page_size_is_accepted)
{
    const uint64_t sizes[] = { 4 * KiB, 64 * KiB, 2 * MiB, 16 * MiB, 256 * MiB, 1 * GiB };
    for (size_t i = 0; i < 6; i++) {
        struct tce_table *t = table_new(0, 64 * GiB, sizes[i], 2);
        ck_assert_uint_eq(tce_table_entries(t), 64 * GiB / sizes[i]);
        uint64_t hc;
        ck_assert_int_eq(tce_table_map(t, sizes[i], 3 * sizes[i], 1, TCE_READ,
                                       TCE_HCALL_PUT, &hc), TCE_OK);
        struct tce_xlate x = tce_table_translate(t, sizes[i] + 5, 8, false);
        ck_assert_int_eq(x.fault, TCE_FAULT_NONE);
        ck_assert_uint_eq(x.real_addr, 3 * sizes[i] + 5);
        tce_table_destroy(t);
    }
}
END_TEST

/* ---- geometry and walks ------------------------------------------------- */

START_TEST(levels_split_the_index_like_linux)
{
    /* 1 GiB / 4 KiB = 2^18 entries. */
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 1);
    ck_assert_uint_eq(tce_table_level_entries(t, 0), UINT64_C(1) << 18);
    ck_assert_uint_eq(tce_table_level_entries(t, 1), 0);
    tce_table_destroy(t);
    t = table_new(0, 1 * GiB, 4 * KiB, 2);
    ck_assert_uint_eq(tce_table_level_entries(t, 0), 512);
    ck_assert_uint_eq(tce_table_level_entries(t, 1), 512);
    tce_table_destroy(t);
    /* ceil(18/3) = 6 bits < 9: levels are at least 512 entries, top 1. */
    t = table_new(0, 1 * GiB, 4 * KiB, 3);
    ck_assert_uint_eq(tce_table_level_entries(t, 0), 1);
    ck_assert_uint_eq(tce_table_level_entries(t, 2), 512);
    tce_table_destroy(t);
    /* 2^59 / 4 KiB = 2^47: ceil(47/5) = 10 bits per level, top 2^7. */
    t = table_new(0, UINT64_C(1) << 59, 4 * KiB, 5);
    ck_assert_uint_eq(tce_table_level_entries(t, 0), 128);
    for (unsigned l = 1; l < 5; l++)
        ck_assert_uint_eq(tce_table_level_entries(t, l), 1024);
    tce_table_destroy(t);
}
END_TEST

START_TEST(a_full_walk_reads_one_entry_per_level)
{
    for (unsigned levels = 1; levels <= 5; levels++) {
        struct tce_table *t = table_new(0, 64 * GiB, 64 * KiB, levels);
        uint64_t hc;
        ck_assert_int_eq(tce_table_map(t, 0x40000000, 0x80000000, 1, TCE_READ | TCE_WRITE,
                                       TCE_HCALL_PUT, &hc), TCE_OK);
        struct tce_xlate x = tce_table_translate(t, 0x40000010, 64, true);
        ck_assert_int_eq(x.fault, TCE_FAULT_NONE);
        ck_assert_uint_eq(x.walk_accesses, levels);
        ck_assert_uint_eq(x.real_addr, 0x80000010);
        tce_table_destroy(t);
    }
}
END_TEST

START_TEST(an_empty_upper_level_ends_the_walk)
{
    /* 1 TiB / 4 KiB = 2^28; 3 levels of 10 bits, top 2^8. */
    struct tce_table *t = table_new(0, 1 * TiB, 4 * KiB, 3);
    ck_assert_uint_eq(tce_table_level_entries(t, 0), 256);
    uint64_t hc, page = 4 * KiB;
    ck_assert_int_eq(tce_table_put(t, 0, tce_make(0x1000, TCE_READ), &hc), TCE_OK);
    struct tce_xlate x = tce_table_translate(t, page * (UINT64_C(1) << 20), 4, false);
    ck_assert_int_eq(x.fault, TCE_FAULT_UNMAPPED);
    ck_assert_uint_eq(x.walk_accesses, 1); /* other top entry: empty */
    x = tce_table_translate(t, page * (UINT64_C(1) << 10), 4, false);
    ck_assert_uint_eq(x.walk_accesses, 2); /* same top, empty middle */
    x = tce_table_translate(t, page, 4, false);
    ck_assert_int_eq(x.fault, TCE_FAULT_UNMAPPED);
    ck_assert_uint_eq(x.walk_accesses, 3); /* same leaf table, zero TCE */
    tce_table_destroy(t);
}
END_TEST

START_TEST(storage_is_sparse_and_allocated_at_map_time)
{
    struct tce_table *t = table_new(0, UINT64_C(1) << 59, 4 * KiB, 5);
    uint64_t top = tce_table_bytes(t);
    ck_assert_uint_eq(top, 128 * 8);
    uint64_t hc;
    ck_assert_int_eq(tce_table_unmap(t, 0, 1000, TCE_HCALL_STUFF, &hc), TCE_OK);
    ck_assert_uint_eq(tce_table_bytes(t), top); /* clearing allocates nothing */
    ck_assert_int_eq(tce_table_put(t, 0, tce_make(0, TCE_READ), &hc), TCE_OK);
    ck_assert_uint_eq(tce_table_bytes(t), top + 4 * 1024 * 8);
    ck_assert_int_eq(tce_table_put(t, 4 * KiB, tce_make(0, TCE_READ), &hc), TCE_OK);
    ck_assert_uint_eq(tce_table_bytes(t), top + 4 * 1024 * 8); /* same leaf */
    ck_assert_uint_eq(tce_table_mapped(t), 2);
    tce_table_destroy(t);
}
END_TEST

/* ---- permissions and faults --------------------------------------------- */

START_TEST(permissions_are_enforced)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc;
    ck_assert_int_eq(tce_table_put(t, 0x1000, tce_make(0xa000, TCE_READ), &hc), TCE_OK);
    ck_assert_int_eq(tce_table_put(t, 0x2000, tce_make(0xb000, TCE_WRITE), &hc), TCE_OK);
    ck_assert_int_eq(tce_table_put(t, 0x3000, tce_make(0xc000, TCE_READ | TCE_WRITE), &hc),
                     TCE_OK);
    ck_assert_int_eq(tce_table_translate(t, 0x1000, 8, false).fault, TCE_FAULT_NONE);
    ck_assert_int_eq(tce_table_translate(t, 0x1000, 8, true).fault, TCE_FAULT_PERMISSION);
    ck_assert_int_eq(tce_table_translate(t, 0x2000, 8, true).fault, TCE_FAULT_NONE);
    ck_assert_int_eq(tce_table_translate(t, 0x2000, 8, false).fault, TCE_FAULT_PERMISSION);
    ck_assert_int_eq(tce_table_translate(t, 0x3000, 8, false).fault, TCE_FAULT_NONE);
    ck_assert_int_eq(tce_table_translate(t, 0x3000, 8, true).fault, TCE_FAULT_NONE);
    ck_assert_int_eq(tce_table_translate(t, 0x4000, 8, false).fault, TCE_FAULT_UNMAPPED);
    /* A TCE with neither bit is not mapped, whatever its RPN. */
    ck_assert_int_eq(tce_table_put(t, 0x5000, 0xd000, &hc), TCE_OK);
    ck_assert_int_eq(tce_table_translate(t, 0x5000, 8, false).fault, TCE_FAULT_UNMAPPED);
    ck_assert_uint_eq(tce_table_get(t, 0x1000), tce_make(0xa000, TCE_READ));
    tce_table_destroy(t);
}
END_TEST

START_TEST(accesses_outside_the_window_or_across_pages_fault)
{
    struct tce_table *t = table_new(1 * GiB, 1 * GiB, 64 * KiB, 2);
    uint64_t hc;
    ck_assert_int_eq(tce_table_map(t, 1 * GiB, 0, 16384, TCE_READ, TCE_HCALL_PUT_INDIRECT, &hc),
                     TCE_OK);
    struct tce_xlate x = tce_table_translate(t, 1 * GiB - 8, 8, false);
    ck_assert_int_eq(x.fault, TCE_FAULT_WINDOW);
    ck_assert_uint_eq(x.walk_accesses, 0);
    ck_assert_int_eq(tce_table_translate(t, 2 * GiB, 1, false).fault, TCE_FAULT_WINDOW);
    ck_assert_int_eq(tce_table_translate(t, 2 * GiB - 4, 8, false).fault, TCE_FAULT_WINDOW);
    ck_assert_int_eq(tce_table_translate(t, 2 * GiB - 8, 8, false).fault, TCE_FAULT_NONE);
    ck_assert_int_eq(tce_table_translate(t, 1 * GiB + 64 * KiB - 4, 8, false).fault,
                     TCE_FAULT_SPAN);
    ck_assert_int_eq(tce_table_translate(t, 1 * GiB + 64 * KiB - 8, 8, false).fault,
                     TCE_FAULT_NONE);
    ck_assert_int_eq(tce_table_translate(t, UINT64_MAX, 1, false).fault, TCE_FAULT_WINDOW);
    tce_table_destroy(t);
}
END_TEST

START_TEST(bad_control_calls_are_refused_whole)
{
    struct tce_table *t = table_new(0, 1 * GiB, 64 * KiB, 2);
    uint64_t hc;
    ck_assert_int_eq(tce_table_put(t, 0x1000, tce_make(0, TCE_READ), &hc), TCE_ERR_ALIGN);
    ck_assert_int_eq(tce_table_put(t, 0, tce_make(0x1000, TCE_READ), &hc), TCE_ERR_ALIGN);
    ck_assert_int_eq(tce_table_put(t, 0, 0x10000 | 0x4 | TCE_READ, &hc), TCE_ERR_TCE);
    ck_assert_int_eq(tce_table_put(t, 1 * GiB, tce_make(0, TCE_READ), &hc), TCE_ERR_WINDOW);
    /* A range running past the end writes nothing and costs one call. */
    ck_assert_int_eq(tce_table_map(t, 1 * GiB - 64 * KiB * 10, 0, 11, TCE_READ,
                                   TCE_HCALL_PUT, &hc), TCE_ERR_WINDOW);
    ck_assert_uint_eq(hc, 1);
    ck_assert_uint_eq(tce_table_mapped(t), 0);
    uint64_t list[3] = { tce_make(0, TCE_READ), 0x20000 | 0x800, tce_make(0x30000, TCE_READ) };
    ck_assert_int_eq(tce_table_put_indirect(t, 0, list, 3, &hc), TCE_ERR_TCE);
    ck_assert_uint_eq(tce_table_mapped(t), 0);
    ck_assert_int_eq(tce_table_map(t, 0, 0, 4, TCE_READ, TCE_HCALL_STUFF, &hc), TCE_ERR_METHOD);
    tce_table_destroy(t);
}
END_TEST

/* ---- hcall counting ----------------------------------------------------- */

START_TEST(hcalls_are_counted_per_method)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc, list[1024];
    for (int i = 0; i < 1024; i++)
        list[i] = tce_make((uint64_t)i * 4 * KiB, TCE_READ);
    ck_assert_int_eq(tce_table_put(t, 0, list[0], &hc), TCE_OK);
    ck_assert_uint_eq(hc, 1);
    const struct { uint64_t n, calls; } ind[] = { { 1, 1 }, { 511, 1 }, { 512, 1 },
                                                  { 513, 2 }, { 1024, 2 } };
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(tce_table_put_indirect(t, 0, list, ind[i].n, &hc), TCE_OK);
        ck_assert_uint_eq(hc, ind[i].calls);
    }
    ck_assert_int_eq(tce_table_map(t, 0, 0, 100, TCE_READ, TCE_HCALL_PUT, &hc), TCE_OK);
    ck_assert_uint_eq(hc, 100);
    ck_assert_int_eq(tce_table_map(t, 0, 0, 1000, TCE_READ, TCE_HCALL_PUT_INDIRECT, &hc),
                     TCE_OK);
    ck_assert_uint_eq(hc, 2);
    ck_assert_uint_eq(tce_table_mapped(t), 1024);
    ck_assert_int_eq(tce_table_unmap(t, 0, 1000, TCE_HCALL_STUFF, &hc), TCE_OK);
    ck_assert_uint_eq(hc, 2);
    ck_assert_uint_eq(tce_table_mapped(t), 24);
    ck_assert_int_eq(tce_table_unmap(t, 1000 * 4 * KiB, 24, TCE_HCALL_PUT, &hc), TCE_OK);
    ck_assert_uint_eq(hc, 24);
    ck_assert_uint_eq(tce_table_mapped(t), 0);
    /* H_STUFF_TCE with a value maps every entry to the same page. */
    ck_assert_int_eq(tce_table_stuff(t, 0, tce_make(0x5000, TCE_READ), 3, &hc), TCE_OK);
    ck_assert_uint_eq(hc, 1);
    ck_assert_uint_eq(tce_table_translate(t, 2 * 4 * KiB + 1, 1, false).real_addr, 0x5001);
    tce_table_destroy(t);

    struct tce_table_config c = table_cfg(0, 1 * GiB, 4 * KiB, 2);
    c.stuff_max = 1 << 20;
    t = tce_table_create(&c);
    ck_assert_int_eq(tce_table_unmap(t, 0, 262144, TCE_HCALL_STUFF, &hc), TCE_OK);
    ck_assert_uint_eq(hc, 1);
    tce_table_destroy(t);
}
END_TEST

static void count_change(void *ctx, uint64_t index)
{
    uint64_t *seen = ctx;
    seen[0]++;
    seen[1] = index;
}

START_TEST(changes_of_valid_entries_are_reported)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t seen[2] = { 0 }, hc;
    ck_assert_int_eq(tce_table_on_change(t, count_change, seen), 0);
    ck_assert_int_eq(tce_table_on_change(t, count_change, seen), -1);
    tce_table_put(t, 7 * 4 * KiB, tce_make(0x1000, TCE_READ), &hc);
    ck_assert_uint_eq(seen[0], 0); /* mapping an empty entry: nothing cached */
    tce_table_put(t, 7 * 4 * KiB, tce_make(0x1000, TCE_READ), &hc);
    ck_assert_uint_eq(seen[0], 0); /* same value */
    tce_table_put(t, 7 * 4 * KiB, tce_make(0x2000, TCE_READ), &hc);
    ck_assert_uint_eq(seen[0], 1);
    ck_assert_uint_eq(seen[1], 7);
    tce_table_unmap(t, 0, 16, TCE_HCALL_STUFF, &hc);
    ck_assert_uint_eq(seen[0], 2);
    tce_table_destroy(t);
}
END_TEST

/* Unmapping a whole sparse window (what phb_remove_pe does) clears
 * exactly the valid entries, in index order, across 3 levels and gaps of
 * whole empty subtrees; the entries around the unmapped range stay. */
START_TEST(unmapping_a_sparse_window_clears_exactly_what_is_mapped)
{
    struct tce_table *t = table_new(0, 64 * GiB, 4 * KiB, 3); /* 2^24 entries */
    uint64_t seen[2] = { 0 }, hc;
    ck_assert_int_eq(tce_table_on_change(t, count_change, seen), 0);
    const uint64_t pages[] = { 0, 1, 511, 512, 262143, 262144, 9000000, 16777214 };
    const size_t n = sizeof pages / sizeof pages[0];
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(tce_table_put(t, pages[i] * 4 * KiB, tce_make(0x1000, TCE_WRITE), &hc),
                         TCE_OK);
    ck_assert_uint_eq(tce_table_mapped(t), n);
    /* All but the last page: every mapped entry except 16777214 goes. */
    ck_assert_int_eq(tce_table_unmap(t, 0, 16777214, TCE_HCALL_STUFF, &hc), TCE_OK);
    ck_assert_uint_eq(hc, (16777214 + 511) / 512);
    ck_assert_uint_eq(seen[0], n - 1);
    ck_assert_uint_eq(seen[1], 9000000); /* the last one cleared, in index order */
    ck_assert_uint_eq(tce_table_mapped(t), 1);
    ck_assert_uint_ne(tce_table_get(t, 16777214 * 4 * KiB), 0);
    ck_assert_uint_eq(tce_table_get(t, 9000000 * 4 * KiB), 0);
    tce_table_destroy(t);
}
END_TEST

/* ---- TCE cache ---------------------------------------------------------- */

static struct tce_cache_config cache_cfg(uint32_t entries, uint32_t ways)
{
    struct tce_cache_config c;
    struct diag err;
    ck_assert_int_eq(tce_cache_config_init(&c, NULL, &err), 0);
    c.entries = entries;
    c.ways = ways;
    return c;
}

START_TEST(cache_defaults_come_from_the_descriptor)
{
    struct tce_cache_config c;
    struct diag err;
    ck_assert_int_eq(tce_cache_config_init(&c, NULL, &err), 0);
    ck_assert_uint_eq(c.entries, 64);
    ck_assert_uint_eq(c.ways, 0);
    ck_assert_uint_eq(c.walk_ps, 280 * SIM_NS);
    ck_assert_int_eq(c.walk_mode, TCE_WALK_PER_MISS);
    ck_assert(c.overlap);
    ck_assert_uint_eq(c.hit_ps, 0);
    ck_assert_int_eq(c.replacement, TCE_REPLACE_LRU);
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    struct tce_cache_config bad = c;
    bad.ways = 7;
    ck_assert_ptr_null(tce_cache_create(&bad, t));
    tce_table_destroy(t);

    struct scenario *s = scenario_load_string("c.yaml", "entries: 64\nways: 7\n",
                                              &tce_cache_schema, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(tce_cache_config_init(&c, s->root, &err), -1);
    ck_assert_int_eq(err.line, 2);
    scenario_free(s);
    s = scenario_load_string("c.yaml", "walk_mode: per_level\nwalk: 90ns\n",
                             &tce_cache_schema, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(tce_cache_config_init(&c, s->root, &err), 0);
    ck_assert_int_eq(c.walk_mode, TCE_WALK_PER_LEVEL);
    ck_assert_uint_eq(c.walk_ps, 90 * SIM_NS);
    scenario_free(s);
}
END_TEST

/* Under the independent reference model with W equally likely pages, any
 * demand-fetch cache of C entries hits with probability min(1, C/W). */
static double random_hit_rate(uint32_t entries, uint32_t ways, uint64_t w, uint64_t n)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc;
    ck_assert_int_eq(tce_table_map(t, 0, 0, w, TCE_READ, TCE_HCALL_PUT_INDIRECT, &hc), TCE_OK);
    struct tce_cache_config cc = cache_cfg(entries, ways);
    struct tce_cache *c = tce_cache_create(&cc, t);
    struct rng r;
    rng_seed(&r, 11, "irm");
    /* No ck_assert in the loop: Check records every assertion's location. */
    uint64_t faults = 0;
    for (uint64_t i = 0; i < n; i++)
        faults += tce_cache_translate(c, rng_below(&r, w) * 4 * KiB, 64, false).fault != 0;
    ck_assert_uint_eq(faults, 0);
    const struct tce_cache_counters *k = tce_cache_counters(c);
    ck_assert_uint_eq(k->hits + k->misses, n);
    double rate = (double)k->hits / (double)n;
    tce_cache_destroy(c);
    tce_table_destroy(t);
    return rate;
}

START_TEST(uniform_random_hit_rate_is_c_over_w)
{
    const uint64_t ws[] = { 16, 64, 96, 128, 256, 1024, 4096 };
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) {
        double expect = ws[i] <= 64 ? 1.0 : 64.0 / (double)ws[i];
        double got = random_hit_rate(64, 0, ws[i], 1000000);
        ck_assert_msg(fabs(got - expect) <= 0.01 * expect, "W=%llu: hit rate %.5f, expected %.5f",
                      (unsigned long long)ws[i], got, expect);
    }
    /* Set-associative: each set sees W/sets pages uniformly. */
    double got = random_hit_rate(64, 8, 256, 1000000);
    ck_assert_msg(fabs(got - 0.25) <= 0.0025, "8-way: %.5f", got);
}
END_TEST

START_TEST(a_miss_adds_the_walk_cost_and_a_hit_adds_nothing)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 3);
    uint64_t hc;
    tce_table_map(t, 0, 0, 8, TCE_READ, TCE_HCALL_PUT, &hc);
    struct tce_cache_config cc = cache_cfg(64, 0);
    struct tce_cache *c = tce_cache_create(&cc, t);
    for (int i = 0; i < 8; i++) {
        struct tce_lookup l = tce_cache_translate(c, (uint64_t)i * 4 * KiB, 8, false);
        ck_assert(!l.hit);
        ck_assert_uint_eq(l.added_ps, 280 * SIM_NS);
        l = tce_cache_translate(c, (uint64_t)i * 4 * KiB + 8, 8, false);
        ck_assert(l.hit);
        ck_assert_uint_eq(l.added_ps, 0);
    }
    ck_assert_uint_eq(tce_cache_counters(c)->walk_reads, 8 * 3);
    tce_cache_destroy(c);

    cc.walk_mode = TCE_WALK_PER_LEVEL;
    cc.walk_ps = 100 * SIM_NS;
    cc.hit_ps = 5 * SIM_NS;
    c = tce_cache_create(&cc, t);
    struct tce_lookup l = tce_cache_translate(c, 0, 8, false);
    ck_assert_uint_eq(l.added_ps, 5 * SIM_NS + 3 * 100 * SIM_NS);
    ck_assert_uint_eq(tce_cache_translate(c, 0, 8, false).added_ps, 5 * SIM_NS);
    tce_cache_destroy(c);
    tce_table_destroy(t);
}
END_TEST

START_TEST(a_scan_larger_than_the_cache_always_misses)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc;
    tce_table_map(t, 0, 0, 65, TCE_READ, TCE_HCALL_PUT_INDIRECT, &hc);
    struct tce_cache_config cc = cache_cfg(64, 0);
    struct tce_cache *c = tce_cache_create(&cc, t);
    for (int pass = 0; pass < 10; pass++)
        for (uint64_t p = 0; p < 65; p++)
            ck_assert(!tce_cache_translate(c, p * 4 * KiB, 4, false).hit);
    ck_assert_uint_eq(tce_cache_counters(c)->hits, 0);
    ck_assert_uint_eq(tce_cache_valid(c), 64);
    tce_cache_destroy(c);
    /* A scan that fits hits on every pass after the first. */
    c = tce_cache_create(&cc, t);
    for (int pass = 0; pass < 10; pass++)
        for (uint64_t p = 0; p < 64; p++)
            ck_assert(tce_cache_translate(c, p * 4 * KiB, 4, false).hit == (pass > 0));
    tce_cache_destroy(c);
    tce_table_destroy(t);
}
END_TEST

START_TEST(lru_evicts_the_least_recently_used)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc, a = 0, b = 4 * KiB, d = 8 * KiB;
    tce_table_map(t, 0, 0, 3, TCE_READ, TCE_HCALL_PUT, &hc);
    struct tce_cache_config cc = cache_cfg(2, 0);
    struct tce_cache *c = tce_cache_create(&cc, t);
    tce_cache_translate(c, a, 1, false);
    tce_cache_translate(c, b, 1, false);
    tce_cache_translate(c, a, 1, false); /* a is now most recent */
    tce_cache_translate(c, d, 1, false); /* evicts b */
    ck_assert(tce_cache_contains(c, a));
    ck_assert(!tce_cache_contains(c, b));
    ck_assert(tce_cache_contains(c, d));
    tce_cache_destroy(c);
    tce_table_destroy(t);
}
END_TEST

/* FIFO evicts the oldest filled entry whatever was hit since: the same
 * sequence as above keeps b and loses a. */
START_TEST(fifo_evicts_the_oldest_filled)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc, a = 0, b = 4 * KiB, d = 8 * KiB;
    tce_table_map(t, 0, 0, 3, TCE_READ, TCE_HCALL_PUT, &hc);
    struct tce_cache_config cc = cache_cfg(2, 0);
    cc.replacement = TCE_REPLACE_FIFO;
    struct tce_cache *c = tce_cache_create(&cc, t);
    tce_cache_translate(c, a, 1, false);
    tce_cache_translate(c, b, 1, false);
    ck_assert(tce_cache_translate(c, a, 1, false).hit); /* no refresh */
    tce_cache_translate(c, d, 1, false);                /* evicts a */
    ck_assert(!tce_cache_contains(c, a));
    ck_assert(tce_cache_contains(c, b));
    ck_assert(tce_cache_contains(c, d));
    tce_cache_destroy(c);
    tce_table_destroy(t);
}
END_TEST

/* Random replacement fills empty slots first, evicts only within the
 * page's set, never loses a page to another set, and repeats itself for
 * the same seed (a run is reproducible) but not for another. */
static uint64_t random_victims(uint64_t seed, bool *in_set)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc, evicted = 0;
    tce_table_map(t, 0, 0, 64, TCE_READ, TCE_HCALL_PUT, &hc);
    struct tce_cache_config cc = cache_cfg(8, 4); /* 2 sets of 4 */
    cc.replacement = TCE_REPLACE_RANDOM;
    cc.seed = seed;
    struct tce_cache *c = tce_cache_create(&cc, t);
    for (uint64_t p = 0; p < 8; p++) /* 0,2,4,6 -> set 0; 1,3,5,7 -> set 1 */
        tce_cache_translate(c, p * 4 * KiB, 1, false);
    *in_set = tce_cache_valid(c) == 8;
    for (uint64_t p = 8; p < 40; p += 2) { /* even pages: set 0 only */
        tce_cache_translate(c, p * 4 * KiB, 1, false);
        for (uint64_t q = 1; q < 8; q += 2)
            *in_set &= tce_cache_contains(c, q * 4 * KiB);
        for (uint64_t q = 0; q < p; q += 2)
            evicted = evicted * 3 + !tce_cache_contains(c, q * 4 * KiB);
    }
    tce_cache_destroy(c);
    tce_table_destroy(t);
    return evicted;
}

START_TEST(random_replacement_stays_in_the_set_and_repeats_per_seed)
{
    bool in_set_a, in_set_b, in_set_c;
    uint64_t a = random_victims(1, &in_set_a), b = random_victims(1, &in_set_b);
    uint64_t other = random_victims(2, &in_set_c);
    ck_assert(in_set_a && in_set_b && in_set_c);
    ck_assert_uint_eq(a, b);
    ck_assert_uint_ne(a, other);
}
END_TEST

START_TEST(invalidation_forces_a_miss_and_no_stale_translation)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc;
    tce_table_map(t, 0, 0x100000, 4, TCE_READ | TCE_WRITE, TCE_HCALL_PUT, &hc);
    struct tce_cache_config cc = cache_cfg(64, 0);
    struct tce_cache *c = tce_cache_create(&cc, t);
    ck_assert(tce_cache_create(&cc, t) == NULL); /* one cache per table */
    for (uint64_t p = 0; p < 4; p++)
        tce_cache_translate(c, p * 4 * KiB, 8, true);
    ck_assert(tce_cache_translate(c, 0, 8, true).hit);

    tce_cache_invalidate(c, 0x10); /* by page */
    ck_assert(!tce_cache_translate(c, 0, 8, true).hit);
    ck_assert(tce_cache_translate(c, 0, 8, true).hit);

    /* Remap in the table: the cached copy goes, the new address is used. */
    ck_assert_int_eq(tce_table_put(t, 4 * KiB, tce_make(0x900000, TCE_READ), &hc), TCE_OK);
    ck_assert(!tce_cache_contains(c, 4 * KiB));
    struct tce_lookup l = tce_cache_translate(c, 4 * KiB + 4, 4, false);
    ck_assert(!l.hit);
    ck_assert_uint_eq(l.real_addr, 0x900004);
    ck_assert_int_eq(tce_cache_translate(c, 4 * KiB, 4, true).fault, TCE_FAULT_PERMISSION);

    /* Unmap: the next access misses and faults. */
    tce_table_unmap(t, 2 * 4 * KiB, 1, TCE_HCALL_PUT, &hc);
    l = tce_cache_translate(c, 2 * 4 * KiB, 4, false);
    ck_assert(!l.hit);
    ck_assert_int_eq(l.fault, TCE_FAULT_UNMAPPED);
    ck_assert(!tce_cache_contains(c, 2 * 4 * KiB)); /* invalid TCEs are not cached */

    uint64_t inv = tce_cache_counters(c)->invalidations;
    tce_cache_flush(c);
    ck_assert_uint_eq(tce_cache_valid(c), 0);
    ck_assert_uint_eq(tce_cache_counters(c)->invalidations, inv + 3);
    ck_assert_uint_eq(tce_cache_counters(c)->flushes, 1);
    for (uint64_t p = 0; p < 2; p++)
        ck_assert(!tce_cache_translate(c, p * 4 * KiB, 4, false).hit);
    tce_cache_destroy(c);
    tce_table_destroy(t);
}
END_TEST

START_TEST(faults_through_the_cache)
{
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc;
    tce_table_put(t, 0, tce_make(0, TCE_READ), &hc);
    struct tce_cache_config cc = cache_cfg(64, 0);
    struct tce_cache *c = tce_cache_create(&cc, t);
    struct tce_lookup l = tce_cache_translate(c, 2 * GiB, 4, false);
    ck_assert_int_eq(l.fault, TCE_FAULT_WINDOW);
    ck_assert_uint_eq(l.added_ps, 0);
    ck_assert_uint_eq(tce_cache_counters(c)->hits + tce_cache_counters(c)->misses, 0);
    for (int i = 0; i < 3; i++) /* unmapped: walked every time */
        ck_assert(!tce_cache_translate(c, 4 * KiB, 4, false).hit);
    l = tce_cache_translate(c, 0, 4, true); /* miss, valid TCE cached, write refused */
    ck_assert_int_eq(l.fault, TCE_FAULT_PERMISSION);
    l = tce_cache_translate(c, 0, 4, true);
    ck_assert(l.hit);
    ck_assert_int_eq(l.fault, TCE_FAULT_PERMISSION);
    ck_assert_uint_eq(tce_cache_counters(c)->faults, 6);
    tce_cache_reset_counters(c);
    ck_assert_uint_eq(tce_cache_counters(c)->faults, 0);
    ck_assert(tce_cache_translate(c, 0, 4, false).hit); /* entries survive a reset */
    tce_cache_destroy(c);
    tce_table_destroy(t);
}
END_TEST

START_TEST(churn_keeps_the_hash_consistent)
{
    /* Many evictions and invalidations through a small set-associative
     * cache: contents must always match a direct recomputation. */
    struct tce_table *t = table_new(0, 1 * GiB, 4 * KiB, 2);
    uint64_t hc;
    tce_table_map(t, 0, 0, 4096, TCE_READ, TCE_HCALL_PUT_INDIRECT, &hc);
    struct tce_cache_config cc = cache_cfg(32, 4);
    struct tce_cache *c = tce_cache_create(&cc, t);
    struct rng r;
    rng_seed(&r, 5, "churn");
    uint64_t bad = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t p = rng_below(&r, 300);
        if (rng_below(&r, 10) == 0)
            tce_cache_invalidate(c, p * 4 * KiB);
        bool had = tce_cache_contains(c, p * 4 * KiB);
        struct tce_lookup l = tce_cache_translate(c, p * 4 * KiB, 4, false);
        bad += l.hit != had || l.real_addr != p * 4 * KiB ||
               !tce_cache_contains(c, p * 4 * KiB) || tce_cache_valid(c) > 32;
    }
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(tce_cache_valid(c), 32);
    tce_cache_destroy(c);
    tce_table_destroy(t);
}
END_TEST

static Suite *tce_suite(void)
{
    Suite *s = suite_create("tce");
    TCase *t = tcase_create("table");
    tcase_add_test(t, table_defaults_come_from_the_descriptor);
    tcase_add_test(t, table_config_from_a_scenario_and_located_errors);
    tcase_add_test(t, every_page_size_is_accepted);
    tcase_add_test(t, levels_split_the_index_like_linux);
    tcase_add_test(t, a_full_walk_reads_one_entry_per_level);
    tcase_add_test(t, an_empty_upper_level_ends_the_walk);
    tcase_add_test(t, storage_is_sparse_and_allocated_at_map_time);
    tcase_add_test(t, permissions_are_enforced);
    tcase_add_test(t, accesses_outside_the_window_or_across_pages_fault);
    tcase_add_test(t, bad_control_calls_are_refused_whole);
    tcase_add_test(t, hcalls_are_counted_per_method);
    tcase_add_test(t, changes_of_valid_entries_are_reported);
    tcase_add_test(t, unmapping_a_sparse_window_clears_exactly_what_is_mapped);
    suite_add_tcase(s, t);
    t = tcase_create("cache");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, cache_defaults_come_from_the_descriptor);
    tcase_add_test(t, uniform_random_hit_rate_is_c_over_w);
    tcase_add_test(t, a_miss_adds_the_walk_cost_and_a_hit_adds_nothing);
    tcase_add_test(t, a_scan_larger_than_the_cache_always_misses);
    tcase_add_test(t, lru_evicts_the_least_recently_used);
    tcase_add_test(t, fifo_evicts_the_oldest_filled);
    tcase_add_test(t, random_replacement_stays_in_the_set_and_repeats_per_seed);
    tcase_add_test(t, invalidation_forces_a_miss_and_no_stale_translation);
    tcase_add_test(t, faults_through_the_cache);
    tcase_add_test(t, churn_keeps_the_hash_consistent);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tce_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
