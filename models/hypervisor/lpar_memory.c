/* models/hypervisor/lpar_memory.c — an LPAR's memory pages and their
 * dirty bits, the state live migration's pre-copy works from.
 *
 * The page is the unit the hypervisor tracks and sends: 64 KiB by
 * default, the base page size of Linux on POWER (the ppc64 server
 * distributions build their kernels with 64K pages). One bit
 * per page (8 GiB of memory = 128 Ki pages = 16 KiB of bitmap), kept in
 * 64-bit words so that marking a run of pages and counting what became
 * dirty are a few word operations. The count of distinct dirty pages is
 * kept up to date, so reading it never scans the bitmap.
 *
 * Metrics (docs/metrics.md), scalars at the end of the run: pages_dirtied
 * (page writes since the warm-up, repeated writes to a dirty page
 * included), dirty_pages (distinct pages dirty at the end), dirty_rate
 * (pages_dirtied per second since the warm-up). */
#include "models/hypervisor/lpar_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct param_desc lpar_memory_params[] = {
    { "page_size", PARAM_SIZE, "B", "64KiB",
      "page size migration tracks and sends (Linux on POWER: 64KiB base pages)",
      .min = "4KiB", .max = "16GiB" },
    { 0 }
};

const struct schema lpar_memory_schema = {
    .name = "pages",
    .doc = "how the LPAR's memory is tracked for migration: page size of the dirty bitmap",
    .params = lpar_memory_params,
};

struct lpar_memory {
    struct env *env;
    char path[96];
    uint64_t page_size;
    uint64_t pages;
    uint64_t *bits;           /* bit p of word p/64: page p is dirty */
    uint64_t dirty;           /* bits set */
    uint64_t written;         /* page writes since the warm-up */
    bool frozen;              /* the guest is suspended: it writes nothing */
    bool special;             /* frozen or missing_left: the one test a write pays */
    uint64_t *missing;        /* post-copy: pages not yet on this side (NULL: none) */
    uint64_t missing_left, faults;
    sim_time_t fault;         /* post-copy: what one fault costs the writer */
    sim_time_t window_start;
};

/* Sets the bits [lo, hi) of word *w; returns how many were clear. */
static uint64_t set_bits(uint64_t *w, unsigned lo, unsigned hi)
{
    uint64_t mask = (hi == 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
    uint64_t fresh = mask & ~*w;
    *w |= mask;
    return (uint64_t)__builtin_popcountll(fresh);
}

/* Post-copy: a write to a page still at the source faults it over;
 * returns how many did. */
static uint64_t touch_missing(struct lpar_memory *m, uint64_t first, uint64_t npages)
{
    uint64_t before = m->faults;
    for (uint64_t p = first; p < first + npages && m->missing_left; p++) {
        uint64_t bit = UINT64_C(1) << (p % 64);
        if (m->missing[p / 64] & bit) {
            m->missing[p / 64] &= ~bit;
            m->missing_left--;
            m->faults++;
        }
    }
    m->special = m->frozen || m->missing_left;
    return m->faults - before;
}

static sim_time_t mem_dirty(void *ctx, uint64_t first, uint64_t npages)
{
    struct lpar_memory *m = ctx;
    if (first >= m->pages)
        return 0; /* beyond the partition: nothing of it to send */
    if (npages > m->pages - first)
        npages = m->pages - first;
    sim_time_t wait = 0;
    if (m->special) { /* a migration suspended the guest or is fetching pages */
        if (m->frozen)
            return 0;
        wait = (sim_time_t)touch_missing(m, first, npages) * m->fault;
    }
    m->written += npages;
    for (uint64_t p = first, end = first + npages; p < end;) {
        unsigned lo = (unsigned)(p % 64);
        unsigned hi = end - (p - lo) >= 64 ? 64 : (unsigned)(end - (p - lo));
        m->dirty += set_bits(&m->bits[p / 64], lo, hi);
        p += hi - lo;
    }
    return wait;
}

static void on_warmup_end(void *ctx, sim_time_t now)
{
    struct lpar_memory *m = ctx;
    m->written = 0;
    m->window_start = now;
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct lpar_memory *m = ctx;
    double window = sim_time_to_s(now - m->window_start);
    recorder_scalar(m->env->rec, m->path, "pages_dirtied", "", (double)m->written);
    recorder_scalar(m->env->rec, m->path, "dirty_pages", "", (double)m->dirty);
    recorder_scalar(m->env->rec, m->path, "dirty_rate", "1/s",
                    window > 0 ? (double)m->written / window : 0);
}

struct lpar_memory *lpar_memory_create(struct env *e, const char *path, uint64_t memory_bytes,
                                       const struct cfg_node *cfg, struct diag *err)
{
    uint64_t page = cfg_param(cfg, lpar_memory_params, "page_size").u;
    const struct src_loc *loc = cfg ? cfg_loc(cfg, "page_size") : NULL;
    if (page & (page - 1))
        return diag_set(err, loc, "'page_size' must be a power of two"), NULL;
    if (memory_bytes < page)
        return diag_set(err, loc, "'page_size' is larger than the LPAR's memory"), NULL;
    struct lpar_memory *m = calloc(1, sizeof *m);
    if (m) {
        m->pages = memory_bytes / page;
        m->bits = calloc((size_t)((m->pages + 63) / 64), sizeof *m->bits);
    }
    if (!m || !m->bits) {
        lpar_memory_destroy(m);
        return diag_set(err, loc, "out of memory for the dirty bitmap"), NULL;
    }
    m->env = e;
    m->page_size = page;
    snprintf(m->path, sizeof m->path, "%s", path);
    env_on_warmup_end(e, on_warmup_end, m);
    env_on_finish(e, on_finish, m);
    return m;
}

void lpar_memory_destroy(struct lpar_memory *m)
{
    if (!m)
        return;
    free(m->bits);
    free(m->missing);
    free(m);
}

struct mem_dirty_port lpar_memory_dirty_port(struct lpar_memory *m)
{
    return (struct mem_dirty_port){ mem_dirty, m, m->pages, m->page_size };
}

uint64_t lpar_memory_dirty_count(const struct lpar_memory *m)
{
    return m->dirty;
}

uint64_t lpar_memory_collect_dirty(struct lpar_memory *m)
{
    uint64_t n = m->dirty;
    memset(m->bits, 0, (size_t)((m->pages + 63) / 64) * sizeof *m->bits);
    m->dirty = 0;
    return n;
}

uint64_t lpar_memory_pages(const struct lpar_memory *m)
{
    return m->pages;
}

uint64_t lpar_memory_page_size(const struct lpar_memory *m)
{
    return m->page_size;
}

void lpar_memory_mark(struct lpar_memory *m, uint64_t first, uint64_t npages)
{
    mem_dirty(m, first, npages);
}

void lpar_memory_freeze(struct lpar_memory *m, bool frozen)
{
    m->frozen = frozen;
    m->special = m->frozen || m->missing_left;
}

uint64_t lpar_memory_begin_postcopy(struct lpar_memory *m, sim_time_t fault)
{
    size_t words = (size_t)((m->pages + 63) / 64);
    if (!m->missing && !(m->missing = calloc(words, sizeof *m->missing)))
        return 0; /* no room to track them: as if all were sent */
    uint64_t *t = m->missing;
    m->missing = m->bits;
    m->bits = t;
    memset(m->bits, 0, words * sizeof *m->bits);
    m->missing_left = m->dirty;
    m->dirty = 0;
    m->faults = 0;
    m->fault = fault;
    m->special = m->frozen || m->missing_left;
    return m->missing_left;
}

uint64_t lpar_memory_end_postcopy(struct lpar_memory *m)
{
    if (m->missing)
        memset(m->missing, 0, (size_t)((m->pages + 63) / 64) * sizeof *m->missing);
    m->missing_left = 0;
    m->special = m->frozen;
    return m->faults;
}

uint64_t lpar_memory_missing(const struct lpar_memory *m)
{
    return m->missing_left;
}
