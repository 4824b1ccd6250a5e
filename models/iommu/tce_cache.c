/* models/iommu/tce_cache.c — a TCE cache (PHB TCE cache / IOTLB).
 *
 * Defaults (pcie-bench, Neugebauer et al., SIGCOMM 2018, measured on x86):
 *  - entries 64: with 4 KiB pages the measured reach was ~256 KiB;
 *  - walk 280 ns: a miss measured ~270-280 ns more than a hit;
 *  - fully associative, LRU, hit 0 ns: modelling choices (pcie-bench's
 *    curve fits an LRU cache; its miss cost is relative to a hit).
 *
 * Layout: slots are grouped by set (sets = entries / ways; one set when
 * fully associative); each set keeps its slots on a list, most recently
 * filled (LRU: used) at the head, empty slots at the tail so they are used
 * first. LRU moves a hit to the head and evicts the tail; FIFO evicts the
 * tail without moving hits; random evicts a uniformly drawn slot of a full
 * set (its own stream, seeded from the configuration: runs repeat). A linear-probing
 * hash from I/O page number to slot makes a lookup O(1) at any size. All
 * arrays are allocated at create; a lookup never allocates. */
#include "models/iommu/tce_cache.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

static const struct param_desc tce_cache_params[] = {
    { "entries", PARAM_U64, "", "64",
      "cached TCEs (pcie-bench, SIGCOMM 2018: ~64 x 4 KiB reach)",
      .min = "1", .max = "1048576" },
    { "ways", PARAM_U64, "", "0",
      "associativity; 0 = fully associative (modelling choice: pcie-bench's "
      "reach fits a fully associative LRU)", .max = "1048576" },
    { "walk", PARAM_TIME, "ns", "280ns",
      "added latency of a miss, or of each walk read with walk_mode=per_level "
      "(pcie-bench, SIGCOMM 2018: 270-280 ns per miss)" },
    { "walk_mode", PARAM_ENUM, "", "per_miss",
      "per_miss: every miss costs `walk`; per_level: `walk` per memory read "
      "(modelling choice: pcie-bench measured a whole miss)",
      .choices = "per_miss|per_level" },
    { "overlap", PARAM_BOOL, "", "true",
      "the misses of one DMA access (its TLPs' I/O pages) walk at once and the access "
      "waits for the longest; false: one after another (modelling choice: a PHB keeps "
      "several table reads in flight, as its DMA reads are; see docs/model-pcie.md)" },
    { "replacement", PARAM_ENUM, "", "lru",
      "which entry a miss evicts (modelling choice: pcie-bench's reach curve fits LRU; "
      "fifo and random for what-if studies)", .choices = "lru|fifo|random" },
    { "hit", PARAM_TIME, "ns", "0ns",
      "added latency of a hit (modelling choice: the miss cost is measured "
      "relative to a hit, whose cost is in the base DMA latency)" },
    { 0 }
};

const struct schema tce_cache_schema = {
    .name = "tce_cache",
    .doc = "the PHB's TCE cache (IOTLB) in front of a TCE table",
    .params = tce_cache_params,
};

#define NO_SLOT UINT32_MAX

struct tce_cache {
    struct tce_cache_config cfg;
    struct tce_table *table;
    uint32_t sets, ways;
    /* One record per slot, so a lookup and its LRU update touch few cache
     * lines (a machine has one cache per PE: hundreds of them). */
    struct tce_slot {
        uint64_t key;        /* I/O page number */
        uint64_t tce;        /* cached entry */
        uint32_t prev, next; /* LRU list links within the slot's set */
        uint8_t valid;
    } *slot;
    uint32_t *head, *tail; /* per set: MRU, LRU */
    uint32_t *hash;        /* open addressing: slot or NO_SLOT */
    uint32_t hash_mask;
    uint32_t in_use;
    struct rng rng;       /* random replacement */
    struct tce_cache_counters n;
};

/* ---- configuration ------------------------------------------------------ */

int tce_cache_config_init(struct tce_cache_config *c, const struct cfg_node *cfg,
                          struct diag *err)
{
    c->entries = (uint32_t)cfg_param(cfg, tce_cache_params, "entries").u;
    c->ways = (uint32_t)cfg_param(cfg, tce_cache_params, "ways").u;
    c->walk_ps = cfg_param(cfg, tce_cache_params, "walk").u;
    c->overlap = cfg_param(cfg, tce_cache_params, "overlap").u != 0;
    c->walk_mode = strcmp(cfg_param(cfg, tce_cache_params, "walk_mode").s, "per_level") == 0
                       ? TCE_WALK_PER_LEVEL : TCE_WALK_PER_MISS;
    c->hit_ps = cfg_param(cfg, tce_cache_params, "hit").u;
    const char *rep = cfg_param(cfg, tce_cache_params, "replacement").s;
    c->replacement = strcmp(rep, "fifo") == 0     ? TCE_REPLACE_FIFO
                     : strcmp(rep, "random") == 0 ? TCE_REPLACE_RANDOM
                                                  : TCE_REPLACE_LRU;
    c->seed = 0;
    if (c->entries == 0)
        return diag_set(err, cfg ? cfg_loc(cfg, "entries") : NULL,
                        "'entries' must be at least 1");
    if (c->ways && (c->ways > c->entries || c->entries % c->ways))
        return diag_set(err, cfg ? cfg_loc(cfg, "ways") : NULL,
                        "'ways' (%u) must divide 'entries' (%u)", c->ways, c->entries);
    return 0;
}

/* ---- LRU lists ---------------------------------------------------------- */

static uint32_t set_of_slot(const struct tce_cache *c, uint32_t slot)
{
    return slot / c->ways;
}

static void list_unlink(struct tce_cache *c, uint32_t s)
{
    uint32_t set = set_of_slot(c, s);
    if (c->slot[s].prev != NO_SLOT) c->slot[c->slot[s].prev].next = c->slot[s].next;
    else c->head[set] = c->slot[s].next;
    if (c->slot[s].next != NO_SLOT) c->slot[c->slot[s].next].prev = c->slot[s].prev;
    else c->tail[set] = c->slot[s].prev;
}

static void list_push_head(struct tce_cache *c, uint32_t s)
{
    uint32_t set = set_of_slot(c, s);
    c->slot[s].prev = NO_SLOT;
    c->slot[s].next = c->head[set];
    if (c->head[set] != NO_SLOT) c->slot[c->head[set]].prev = s;
    else c->tail[set] = s;
    c->head[set] = s;
}

static void list_push_tail(struct tce_cache *c, uint32_t s)
{
    uint32_t set = set_of_slot(c, s);
    c->slot[s].next = NO_SLOT;
    c->slot[s].prev = c->tail[set];
    if (c->tail[set] != NO_SLOT) c->slot[c->tail[set]].next = s;
    else c->head[set] = s;
    c->tail[set] = s;
}

/* ---- hash: I/O page number -> slot -------------------------------------- */

static uint32_t hash_home(const struct tce_cache *c, uint64_t key)
{
    return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & c->hash_mask;
}

/* The hash position holding key, or NO_SLOT. */
static uint32_t hash_pos(const struct tce_cache *c, uint64_t key)
{
    for (uint32_t i = hash_home(c, key);; i = (i + 1) & c->hash_mask) {
        uint32_t s = c->hash[i];
        if (s == NO_SLOT)
            return NO_SLOT;
        if (c->slot[s].key == key)
            return i;
    }
}

static uint32_t hash_find(const struct tce_cache *c, uint64_t key)
{
    uint32_t pos = hash_pos(c, key);
    return pos == NO_SLOT ? NO_SLOT : c->hash[pos];
}

static void hash_insert(struct tce_cache *c, uint64_t key, uint32_t slot)
{
    uint32_t i = hash_home(c, key);
    while (c->hash[i] != NO_SLOT)
        i = (i + 1) & c->hash_mask;
    c->hash[i] = slot;
}

/* Backward-shift deletion keeps every probe chain unbroken without
 * tombstones, so lookups stay short however many entries churn. */
static void hash_remove_at(struct tce_cache *c, uint32_t hole)
{
    uint32_t j = hole;
    c->hash[hole] = NO_SLOT;
    for (;;) {
        j = (j + 1) & c->hash_mask;
        uint32_t s = c->hash[j];
        if (s == NO_SLOT)
            return;
        uint32_t home = hash_home(c, c->slot[s].key);
        /* The entry at j may stay if its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            c->hash[hole] = s;
            c->hash[j] = NO_SLOT;
            hole = j;
        }
    }
}

/* ---- create ------------------------------------------------------------- */

static void on_table_change(void *ctx, uint64_t index);

struct tce_cache *tce_cache_create(const struct tce_cache_config *cfg, struct tce_table *t)
{
    if (cfg->entries == 0 || cfg->entries > (UINT32_C(1) << 30) ||
        (cfg->ways && (cfg->ways > cfg->entries || cfg->entries % cfg->ways)))
        return NULL;
    struct tce_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cfg = *cfg;
    rng_seed(&c->rng, cfg->seed, "tce_cache");
    c->table = t;
    c->ways = cfg->ways ? cfg->ways : cfg->entries;
    c->sets = cfg->entries / c->ways;
    uint32_t cap = 2;
    while (cap < 2 * cfg->entries)
        cap <<= 1;
    c->hash_mask = cap - 1;
    uint32_t n = cfg->entries;
    c->slot = calloc(n, sizeof *c->slot);
    c->head = malloc(c->sets * sizeof *c->head);
    c->tail = malloc(c->sets * sizeof *c->tail);
    c->hash = malloc(cap * sizeof *c->hash);
    if (!c->slot || !c->head ||
        !c->tail || !c->hash || tce_table_on_change(t, on_table_change, c) < 0) {
        c->table = NULL; /* not registered: destroy must not unregister */
        tce_cache_destroy(c);
        return NULL;
    }
    memset(c->hash, 0xff, cap * sizeof *c->hash);
    memset(c->head, 0xff, c->sets * sizeof *c->head);
    memset(c->tail, 0xff, c->sets * sizeof *c->tail);
    for (uint32_t s = 0; s < n; s++)
        list_push_tail(c, s);
    return c;
}

void tce_cache_destroy(struct tce_cache *c)
{
    if (!c)
        return;
    if (c->table)
        tce_table_on_change(c->table, NULL, NULL);
    free(c->slot);
    free(c->head);
    free(c->tail);
    free(c->hash);
    free(c);
}

/* ---- lookup ------------------------------------------------------------- */

static void drop_slot(struct tce_cache *c, uint32_t slot)
{
    hash_remove_at(c, hash_pos(c, c->slot[slot].key));
    c->slot[slot].valid = 0;
    c->in_use--;
    list_unlink(c, slot);
    list_push_tail(c, slot); /* an empty slot is the next victim */
}

/* The slot a fill of `set` takes: an empty one if the set has one (the
 * tail), else the policy's choice. */
static uint32_t victim_of(struct tce_cache *c, uint32_t set)
{
    uint32_t tail = c->tail[set];
    if (!c->slot[tail].valid || c->cfg.replacement != TCE_REPLACE_RANDOM)
        return tail;
    return set * c->ways + (uint32_t)rng_below(&c->rng, c->ways);
}

/* Fills the victim slot of the page's set with the fetched TCE. */
static void fill(struct tce_cache *c, uint64_t index, uint64_t tce)
{
    uint32_t set = (uint32_t)(index % c->sets);
    uint32_t victim = victim_of(c, set);
    if (c->slot[victim].valid) {
        hash_remove_at(c, hash_pos(c, c->slot[victim].key));
        c->in_use--;
    }
    c->slot[victim].key = index;
    c->slot[victim].tce = tce;
    c->slot[victim].valid = 1;
    c->in_use++;
    hash_insert(c, index, victim);
    list_unlink(c, victim);
    list_push_head(c, victim);
}

static sim_time_t miss_cost(const struct tce_cache *c, unsigned reads)
{
    sim_time_t walk = c->cfg.walk_mode == TCE_WALK_PER_LEVEL ? c->cfg.walk_ps * reads
                                                             : c->cfg.walk_ps;
    return c->cfg.hit_ps + walk;
}

struct tce_lookup tce_cache_translate(struct tce_cache *c, uint64_t ioba, uint64_t size,
                                      bool is_write)
{
    struct tce_lookup r = { 0 };
    uint64_t index;
    r.fault = tce_table_locate(c->table, ioba, size, &index);
    if (r.fault != TCE_FAULT_NONE) { /* rejected by the window check, before the cache */
        c->n.faults++;
        return r;
    }
    uint32_t slot = hash_find(c, index);
    if (slot != NO_SLOT) {
        c->n.hits++;
        r.hit = true;
        r.added_ps = c->cfg.hit_ps;
        if (c->cfg.replacement == TCE_REPLACE_LRU) {
            list_unlink(c, slot);
            list_push_head(c, slot);
        }
        r.fault = tce_table_apply(c->table, c->slot[slot].tce, ioba, is_write, &r.real_addr);
    } else {
        struct tce_xlate x = tce_table_translate(c->table, ioba, size, is_write);
        c->n.misses++;
        c->n.walk_reads += x.walk_accesses;
        r.added_ps = miss_cost(c, x.walk_accesses);
        if (x.tce & TCE_PERM_MASK)
            fill(c, index, x.tce);
        r.fault = x.fault;
        r.real_addr = x.real_addr;
    }
    if (r.fault != TCE_FAULT_NONE)
        c->n.faults++;
    return r;
}

/* ---- invalidation ------------------------------------------------------- */

static void invalidate_index(struct tce_cache *c, uint64_t index)
{
    uint32_t slot = hash_find(c, index);
    if (slot == NO_SLOT)
        return;
    drop_slot(c, slot);
    c->n.invalidations++;
}

static void on_table_change(void *ctx, uint64_t index)
{
    invalidate_index(ctx, index);
}

void tce_cache_invalidate(struct tce_cache *c, uint64_t ioba)
{
    uint64_t index;
    if (tce_table_locate(c->table, ioba, 1, &index) == TCE_FAULT_NONE)
        invalidate_index(c, index);
}

void tce_cache_flush(struct tce_cache *c)
{
    for (uint32_t s = 0; s < c->cfg.entries; s++) {
        if (!c->slot[s].valid)
            continue;
        drop_slot(c, s);
        c->n.invalidations++;
    }
    c->n.flushes++;
}

bool tce_cache_contains(const struct tce_cache *c, uint64_t ioba)
{
    uint64_t index;
    if (tce_table_locate(c->table, ioba, 1, &index) != TCE_FAULT_NONE)
        return false;
    return hash_find(c, index) != NO_SLOT;
}

uint32_t tce_cache_valid(const struct tce_cache *c) { return c->in_use; }

const struct tce_cache_counters *tce_cache_counters(const struct tce_cache *c)
{
    return &c->n;
}

void tce_cache_reset_counters(struct tce_cache *c)
{
    memset(&c->n, 0, sizeof c->n);
}
