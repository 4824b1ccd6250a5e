/* models/iommu/tce_table.c — a multi-level TCE table for one DMA window.
 *
 * Numbers (LoPAR, the Linux on Power Architecture Reference, "TCE" and
 * the H_PUT_TCE family; Linux arch/powerpc/platforms/pseries/iommu.c;
 * docs/model-reference.md), unless noted:
 *  - TCE format: bit 0 read, bit 1 write, RPN = real address >> 12;
 *  - I/O page sizes 4K, 64K, 2M, 16M, 256M, 1G; 1..5 levels;
 *  - default window: the 32-bit window 0..1 GiB with 4 KiB pages;
 *  - H_PUT_TCE_INDIRECT takes up to 512 TCEs per call;
 *  - H_STUFF_TCE: Linux pseries (tce_freemulti_pSeriesLP) issues it in
 *    chunks of at most 512 entries, so 512 per call is the default;
 *  - levels: Linux powernv creates tables with 2 levels by default
 *    (POWERNV_IOMMU_DEFAULT_LEVELS), splits the index bits evenly over the
 *    levels (rounded up) and never makes a level table smaller than one
 *    4 KiB page of 512 TCEs; this file does the same.
 *
 * Storage is sparse like Linux's on-demand indirect levels: the top level
 * is allocated at create, lower levels when a non-zero TCE is first
 * written below them (the hypervisor's control path). The I/O path only
 * reads. An empty upper-level entry ends a walk early, so an access to an
 * unpopulated region costs fewer memory reads than a full walk, as on the
 * hardware. */
#include "models/iommu/tce_table.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const struct param_desc tce_table_params[] = {
    { "window_base", PARAM_SIZE, "B", "0",
      "I/O address of the DMA window (the 32-bit default window of a pseries PE "
      "starts at 0: Linux pseries iommu.c)" },
    { "window_size", PARAM_SIZE, "B", "1GiB",
      "DMA window size, a power of two (the 32-bit default window spans "
      "0..1 GiB: Linux pseries iommu.c, ibm,dma-window)", .min = "4KiB" },
    { "page_size", PARAM_SIZE, "B", "0",
      "I/O page size: 4KiB, 64KiB, 2MiB, 16MiB, 256MiB or 1GiB (the sizes "
      "ibm,query-pe-dma-window offers), or 0: as Linux on pseries chooses for the "
      "drivers' mapping: 64KiB with static mapping (the dynamic DMA window, "
      "enable_ddw with the largest size iommu_get_page_shift finds; 64 KiB modelled), "
      "4KiB with per_io (the 32-bit default window's page)", .max = "1GiB" },
    { "levels", PARAM_U64, "", "2",
      "table levels; a cache miss walks one memory read per level (Linux powernv "
      "POWERNV_IOMMU_DEFAULT_LEVELS = 2)", .min = "1", .max = "5" },
    { "indirect_max", PARAM_U64, "", "512",
      "TCEs per H_PUT_TCE_INDIRECT call (LoPAR: one 4 KiB page of TCEs, 512)",
      .min = "1", .max = "512" },
    { "stuff_max", PARAM_U64, "", "512",
      "TCEs per H_STUFF_TCE call (Linux pseries splits H_STUFF_TCE into calls "
      "of at most 512)", .min = "1" },
    { 0 }
};

const struct schema tce_table_schema = {
    .name = "tce_table",
    .doc = "the TCE table of one DMA window (POWER IOMMU)",
    .params = tce_table_params,
};

/* Linux powernv: a level table is at least one 4 KiB page of TCEs. */
#define MIN_LEVEL_BITS 9
/* A top level above 2^27 entries (1 GiB of TCEs) is a configuration the
 * user should split into more levels, not an allocation to attempt. */
#define MAX_TOP_BITS 27
#define MAX_INDEX_BITS 52

struct tce_table {
    struct tce_table_config cfg;
    unsigned page_shift;
    unsigned index_bits;  /* log2(pages in the window) */
    unsigned level_bits;  /* bits of the index each lower level takes */
    unsigned top_bits;    /* bits the top level takes */
    void *root;           /* void *[] when levels > 1, else uint64_t[] */
    uint64_t mapped;
    uint64_t bytes;
    tce_change_fn on_change;
    void *change_ctx;
};

/* ---- configuration ------------------------------------------------------ */

static bool is_pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

static unsigned log2_u64(uint64_t x)
{
    unsigned n = 0;
    while (x >>= 1)
        n++;
    return n;
}

static const struct src_loc *loc_of(const struct cfg_node *cfg, const char *name)
{
    return cfg ? cfg_loc(cfg, name) : NULL;
}

static bool page_size_ok(uint64_t p)
{
    static const uint64_t sizes[] = { UINT64_C(1) << 12, UINT64_C(1) << 16,
                                      UINT64_C(1) << 21, UINT64_C(1) << 24,
                                      UINT64_C(1) << 28, UINT64_C(1) << 30 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (p == sizes[i])
            return true;
    return false;
}

static void geometry(const struct tce_table_config *c, unsigned *index_bits,
                     unsigned *level_bits, unsigned *top_bits)
{
    unsigned b = log2_u64(c->window_size) - log2_u64(c->page_size);
    unsigned per = c->levels > 1 ? (b + c->levels - 1) / c->levels : b;
    if (c->levels > 1 && per < MIN_LEVEL_BITS)
        per = MIN_LEVEL_BITS;
    unsigned below = per * (c->levels - 1);
    *index_bits = b;
    *level_bits = per;
    *top_bits = b > below ? b - below : 0;
}

uint64_t tce_table_page_for(uint64_t page_size, bool per_io)
{
    return page_size ? page_size : per_io ? TCE_DEFAULT_WINDOW_PAGE : TCE_DDW_PAGE;
}

int tce_table_config_check(const struct tce_table_config *c, const struct cfg_node *cfg,
                           struct diag *err)
{
    if (c->page_size == 0) {
        /* not chosen yet: both choices must fit */
        struct tce_table_config small = *c, large = *c;
        small.page_size = tce_table_page_for(0, true);
        large.page_size = tce_table_page_for(0, false);
        return tce_table_config_check(&small, cfg, err) != 0 ? -1
               : tce_table_config_check(&large, cfg, err);
    }
    if (!page_size_ok(c->page_size))
        return diag_set(err, loc_of(cfg, "page_size"),
                        "'page_size' must be one of 4KiB, 64KiB, 2MiB, 16MiB, 256MiB, 1GiB");
    if (!is_pow2(c->window_size) || c->window_size < c->page_size)
        return diag_set(err, loc_of(cfg, "window_size"),
                        "'window_size' must be a power of two of at least one I/O page");
    if (c->window_base & (c->page_size - 1))
        return diag_set(err, loc_of(cfg, "window_base"),
                        "'window_base' must be aligned to the I/O page size");
    if (c->window_base > UINT64_MAX - (c->window_size - 1))
        return diag_set(err, loc_of(cfg, "window_base"),
                        "the window must end below 2^64");
    if (c->levels < 1 || c->levels > 5)
        return diag_set(err, loc_of(cfg, "levels"), "'levels' must be 1..5");
    if (c->indirect_max < 1 || c->stuff_max < 1)
        return diag_set(err, loc_of(cfg, "indirect_max"),
                        "calls must carry at least one TCE");
    unsigned ib, lb, tb;
    geometry(c, &ib, &lb, &tb);
    if (ib > MAX_INDEX_BITS)
        return diag_set(err, loc_of(cfg, "window_size"),
                        "the window has more than 2^%d I/O pages", MAX_INDEX_BITS);
    if (tb > MAX_TOP_BITS)
        return diag_set(err, loc_of(cfg, "levels"),
                        "the top level would hold 2^%u TCEs; use more 'levels'", tb);
    return 0;
}

int tce_table_config_init(struct tce_table_config *c, const struct cfg_node *cfg,
                          struct diag *err)
{
    c->window_base = cfg_param(cfg, tce_table_params, "window_base").u;
    c->window_size = cfg_param(cfg, tce_table_params, "window_size").u;
    c->page_size = cfg_param(cfg, tce_table_params, "page_size").u;
    c->levels = (unsigned)cfg_param(cfg, tce_table_params, "levels").u;
    c->indirect_max = cfg_param(cfg, tce_table_params, "indirect_max").u;
    c->stuff_max = cfg_param(cfg, tce_table_params, "stuff_max").u;
    return tce_table_config_check(c, cfg, err);
}

/* ---- tree --------------------------------------------------------------- */

static unsigned bits_at(const struct tce_table *t, unsigned level)
{
    return level == 0 ? t->top_bits : t->level_bits;
}

static uint64_t slot_at(const struct tce_table *t, uint64_t index, unsigned level)
{
    unsigned shift = t->level_bits * (t->cfg.levels - 1 - level);
    uint64_t mask = (UINT64_C(1) << bits_at(t, level)) - 1;
    return shift >= 64 ? 0 : (index >> shift) & mask;
}

/* One table of `level`: pointers to the next level, or TCEs at the last.
 * Accounted at 8 bytes per entry, the size of a TCE in memory. */
static void *level_alloc(struct tce_table *t, unsigned level)
{
    uint64_t n = UINT64_C(1) << bits_at(t, level);
    size_t elem = level + 1 < t->cfg.levels ? sizeof(void *) : sizeof(uint64_t);
    void *p = calloc(n, elem);
    if (p)
        t->bytes += n * 8;
    return p;
}

static void free_level(void *node, unsigned level, const struct tce_table *t)
{
    if (!node)
        return;
    if (level + 1 < t->cfg.levels) {
        void **kids = node;
        uint64_t n = UINT64_C(1) << bits_at(t, level);
        for (uint64_t i = 0; i < n; i++)
            free_level(kids[i], level + 1, t);
    }
    free(node);
}

struct tce_table *tce_table_create(const struct tce_table_config *c)
{
    struct diag ignored;
    if (c->page_size == 0 || tce_table_config_check(c, NULL, &ignored) < 0)
        return NULL; /* a table has a page size (tce_table_page_for) */
    struct tce_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = *c;
    t->page_shift = log2_u64(c->page_size);
    geometry(c, &t->index_bits, &t->level_bits, &t->top_bits);
    t->root = level_alloc(t, 0);
    if (!t->root) {
        free(t);
        return NULL;
    }
    return t;
}

void tce_table_destroy(struct tce_table *t)
{
    if (!t)
        return;
    free_level(t->root, 0, t);
    free(t);
}

/* The slot holding entry `index`, or NULL when an upper level entry is
 * empty. Counts one memory read per level visited. Never allocates. */
static uint64_t *slot_find(const struct tce_table *t, uint64_t index, unsigned *reads)
{
    void *node = t->root;
    for (unsigned level = 0; level + 1 < t->cfg.levels; level++) {
        ++*reads;
        node = ((void **)node)[slot_at(t, index, level)];
        if (!node)
            return NULL;
    }
    ++*reads;
    return (uint64_t *)node + slot_at(t, index, t->cfg.levels - 1);
}

/* Same, allocating missing lower levels (control path only). */
static uint64_t *slot_make(struct tce_table *t, uint64_t index)
{
    void *node = t->root;
    for (unsigned level = 0; level + 1 < t->cfg.levels; level++) {
        void **kid = &((void **)node)[slot_at(t, index, level)];
        if (!*kid && !(*kid = level_alloc(t, level + 1)))
            return NULL;
        node = *kid;
    }
    return (uint64_t *)node + slot_at(t, index, t->cfg.levels - 1);
}

/* ---- control path ------------------------------------------------------- */

static uint64_t calls_for(uint64_t n, uint64_t per_call)
{
    return (n + per_call - 1) / per_call;
}

/* A range refused by its checks is refused by its first call. */
static enum tce_status refused_at_first(enum tce_status st, uint64_t *hcalls)
{
    if (st != TCE_OK && st != TCE_ERR_NOMEM && *hcalls > 1)
        *hcalls = 1;
    return st;
}

static enum tce_status check_range(const struct tce_table *t, uint64_t ioba, uint64_t n)
{
    if (ioba & (t->cfg.page_size - 1))
        return TCE_ERR_ALIGN;
    if (ioba < t->cfg.window_base)
        return TCE_ERR_WINDOW;
    uint64_t first = (ioba - t->cfg.window_base) >> t->page_shift;
    uint64_t pages = tce_table_entries(t);
    if (first >= pages || n > pages - first)
        return TCE_ERR_WINDOW;
    return TCE_OK;
}

static enum tce_status check_tce(const struct tce_table *t, uint64_t tce)
{
    if (tce & TCE_RSVD_MASK)
        return TCE_ERR_TCE;
    if ((tce & TCE_PERM_MASK) && ((tce & ~TCE_PERM_MASK) & (t->cfg.page_size - 1)))
        return TCE_ERR_ALIGN;
    return TCE_OK;
}

/* Where the TCEs of a range come from: a list, or a first value plus a
 * real-address step per page (0 for H_STUFF_TCE). */
struct tce_source {
    const uint64_t *list;
    uint64_t first;
    uint64_t step;
};

static uint64_t source_at(const struct tce_source *s, uint64_t i)
{
    if (s->list)
        return s->list[i];
    return s->first ? s->first + i * s->step : 0;
}

static enum tce_status write_one(struct tce_table *t, uint64_t index, uint64_t tce)
{
    unsigned reads = 0;
    uint64_t *slot = tce ? slot_make(t, index) : slot_find(t, index, &reads);
    if (!slot)
        return tce ? TCE_ERR_NOMEM : TCE_OK; /* clearing an absent entry */
    uint64_t old = *slot;
    if (old == tce)
        return TCE_OK;
    *slot = tce;
    bool was = old & TCE_PERM_MASK, is = tce & TCE_PERM_MASK;
    t->mapped = t->mapped - was + is;
    if (was && t->on_change)
        t->on_change(t->change_ctx, index);
    return TCE_OK;
}

/* Clears entries [first, first + n) in index order, visiting only the
 * level tables that exist: an empty upper-level slot stands for a whole
 * subtree of empty entries. Tearing down a large, sparsely mapped window
 * (phb_remove_pe) then costs what is mapped, not the window's size. */
static void clear_range(struct tce_table *t, uint64_t first, uint64_t n)
{
    uint64_t end = first + n;
    for (uint64_t i = first; i < end;) {
        void *node = t->root;
        unsigned level = 0;
        for (; level + 1 < t->cfg.levels; level++) {
            void *kid = ((void **)node)[slot_at(t, i, level)];
            if (!kid)
                break;
            node = kid;
        }
        if (level + 1 < t->cfg.levels) {
            uint64_t span = UINT64_C(1) << (t->level_bits * (t->cfg.levels - 1 - level));
            i = (i / span + 1) * span;
            continue;
        }
        write_one(t, i, 0);
        i++;
    }
}

/* Writes n entries from ioba after checking the whole range and every
 * TCE, so a refused call changes nothing. */
static enum tce_status write_range(struct tce_table *t, uint64_t ioba, uint64_t n,
                                   const struct tce_source *src)
{
    enum tce_status st = check_range(t, ioba, n);
    if (st != TCE_OK)
        return st;
    /* A generated range steps by whole pages, so its first TCE stands for
     * all of them; a list is checked entry by entry. */
    for (uint64_t i = 0; i < n && (src->list || i == 0); i++)
        if ((st = check_tce(t, source_at(src, i))) != TCE_OK)
            return st;
    uint64_t first = (ioba - t->cfg.window_base) >> t->page_shift;
    if (!src->list && !src->first) {
        clear_range(t, first, n);
        return TCE_OK;
    }
    for (uint64_t i = 0; i < n; i++)
        if ((st = write_one(t, first + i, source_at(src, i))) != TCE_OK)
            return st;
    return TCE_OK;
}

enum tce_status tce_table_put(struct tce_table *t, uint64_t ioba, uint64_t tce,
                              uint64_t *hcalls)
{
    *hcalls = 1;
    struct tce_source src = { .first = tce };
    return refused_at_first(write_range(t, ioba, 1, &src), hcalls);
}

enum tce_status tce_table_put_indirect(struct tce_table *t, uint64_t ioba,
                                       const uint64_t *tces, uint64_t n, uint64_t *hcalls)
{
    *hcalls = calls_for(n, t->cfg.indirect_max);
    struct tce_source src = { .list = tces };
    return refused_at_first(write_range(t, ioba, n, &src), hcalls);
}

enum tce_status tce_table_stuff(struct tce_table *t, uint64_t ioba, uint64_t tce,
                                uint64_t n, uint64_t *hcalls)
{
    *hcalls = calls_for(n, t->cfg.stuff_max);
    struct tce_source src = { .first = tce, .step = 0 };
    return refused_at_first(write_range(t, ioba, n, &src), hcalls);
}

enum tce_status tce_table_map(struct tce_table *t, uint64_t ioba, uint64_t real_addr,
                              uint64_t npages, uint64_t perm, enum tce_hcall how,
                              uint64_t *hcalls)
{
    if (how == TCE_HCALL_STUFF) {
        *hcalls = 0;
        return TCE_ERR_METHOD;
    }
    *hcalls = calls_for(npages, how == TCE_HCALL_PUT ? 1 : t->cfg.indirect_max);
    /* The last real page must not wrap past 2^64. */
    uint64_t span_pages = npages ? npages - 1 : 0;
    if (span_pages > (UINT64_MAX - real_addr) / t->cfg.page_size)
        return refused_at_first(TCE_ERR_TCE, hcalls);
    struct tce_source src = { .first = tce_make(real_addr, perm), .step = t->cfg.page_size };
    if (!(perm & TCE_PERM_MASK))
        src.first = 0;
    return refused_at_first(write_range(t, ioba, npages, &src), hcalls);
}

enum tce_status tce_table_unmap(struct tce_table *t, uint64_t ioba, uint64_t npages,
                                enum tce_hcall how, uint64_t *hcalls)
{
    uint64_t per = how == TCE_HCALL_PUT ? 1
                 : how == TCE_HCALL_PUT_INDIRECT ? t->cfg.indirect_max : t->cfg.stuff_max;
    *hcalls = calls_for(npages, per);
    struct tce_source src = { 0 };
    return refused_at_first(write_range(t, ioba, npages, &src), hcalls);
}

int tce_table_on_change(struct tce_table *t, tce_change_fn fn, void *ctx)
{
    if (fn && t->on_change)
        return -1;
    t->on_change = fn;
    t->change_ctx = fn ? ctx : NULL;
    return 0;
}

/* ---- I/O path ----------------------------------------------------------- */

enum tce_fault tce_table_locate(const struct tce_table *t, uint64_t ioba, uint64_t size,
                                uint64_t *index)
{
    if (size == 0)
        size = 1;
    if (ioba < t->cfg.window_base)
        return TCE_FAULT_WINDOW;
    uint64_t off = ioba - t->cfg.window_base;
    if (off >= t->cfg.window_size || size > t->cfg.window_size - off)
        return TCE_FAULT_WINDOW;
    uint64_t in_page = off & (t->cfg.page_size - 1);
    if (size > t->cfg.page_size - in_page)
        return TCE_FAULT_SPAN;
    *index = off >> t->page_shift;
    return TCE_FAULT_NONE;
}

enum tce_fault tce_table_apply(const struct tce_table *t, uint64_t tce, uint64_t ioba,
                               bool is_write, uint64_t *real_addr)
{
    if (!(tce & TCE_PERM_MASK))
        return TCE_FAULT_UNMAPPED;
    if (!(tce & (is_write ? TCE_WRITE : TCE_READ)))
        return TCE_FAULT_PERMISSION;
    uint64_t mask = t->cfg.page_size - 1;
    *real_addr = (tce & ~mask) | ((ioba - t->cfg.window_base) & mask);
    return TCE_FAULT_NONE;
}

struct tce_xlate tce_table_translate(const struct tce_table *t, uint64_t ioba,
                                     uint64_t size, bool is_write)
{
    struct tce_xlate x = { 0 };
    x.fault = tce_table_locate(t, ioba, size, &x.index);
    if (x.fault != TCE_FAULT_NONE)
        return x;
    const uint64_t *slot = slot_find(t, x.index, &x.walk_accesses);
    x.tce = slot ? *slot : 0;
    x.fault = tce_table_apply(t, x.tce, ioba, is_write, &x.real_addr);
    return x;
}

uint64_t tce_table_get(const struct tce_table *t, uint64_t ioba)
{
    uint64_t index;
    unsigned reads = 0;
    if (tce_table_locate(t, ioba, 1, &index) != TCE_FAULT_NONE)
        return 0;
    const uint64_t *slot = slot_find(t, index, &reads);
    return slot ? *slot : 0;
}

/* ---- geometry and accounting -------------------------------------------- */

unsigned tce_table_levels(const struct tce_table *t) { return t->cfg.levels; }
uint64_t tce_table_page_size(const struct tce_table *t) { return t->cfg.page_size; }
uint64_t tce_table_mapped(const struct tce_table *t) { return t->mapped; }
uint64_t tce_table_bytes(const struct tce_table *t) { return t->bytes; }

uint64_t tce_table_entries(const struct tce_table *t)
{
    return UINT64_C(1) << t->index_bits;
}

uint64_t tce_table_level_entries(const struct tce_table *t, unsigned level)
{
    return level < t->cfg.levels ? UINT64_C(1) << bits_at(t, level) : 0;
}

const char *tce_fault_name(enum tce_fault f)
{
    switch (f) {
    case TCE_FAULT_NONE: return "none";
    case TCE_FAULT_WINDOW: return "out of window";
    case TCE_FAULT_SPAN: return "crosses an I/O page";
    case TCE_FAULT_UNMAPPED: return "not mapped";
    case TCE_FAULT_PERMISSION: return "permission";
    }
    return "?";
}

const char *tce_status_name(enum tce_status s)
{
    switch (s) {
    case TCE_OK: return "ok";
    case TCE_ERR_WINDOW: return "outside the window";
    case TCE_ERR_ALIGN: return "misaligned";
    case TCE_ERR_TCE: return "reserved TCE bits set";
    case TCE_ERR_METHOD: return "H_STUFF_TCE cannot map a range";
    case TCE_ERR_NOMEM: return "out of memory";
    }
    return "?";
}
