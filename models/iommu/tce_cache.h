/* models/iommu/tce_cache.h — the PHB's TCE cache in front of one TCE table.
 *
 * `entries` cached TCEs, fully associative or `ways`-way set associative,
 * LRU (default), FIFO or random replacement. A hit adds `hit` (default 0: the hit cost is part of the
 * base DMA latency); a miss adds `hit` + the table walk: `walk` per miss,
 * or `walk` per memory read of the walk (walk_mode = per_level). Defaults
 * from pcie-bench (Neugebauer et al., SIGCOMM 2018: ~64 entries of 4 KiB reach,
 * ~280 ns per miss). Unmapping or remapping an entry in the table drops
 * the cached copy (the hypervisor's TCE kill), so a stale translation is
 * never used. */
#ifndef LPARSIM_MODELS_IOMMU_TCE_CACHE_H
#define LPARSIM_MODELS_IOMMU_TCE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/iommu/tce_table.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/time.h"

extern const struct schema tce_cache_schema;

enum tce_walk_mode {
    TCE_WALK_PER_MISS,  /* every miss adds `walk` */
    TCE_WALK_PER_LEVEL, /* a miss adds `walk` per memory read of the walk */
};

enum tce_replacement {
    TCE_REPLACE_LRU,    /* evict the least recently used entry of the set */
    TCE_REPLACE_FIFO,   /* evict the oldest filled; hits do not refresh */
    TCE_REPLACE_RANDOM, /* evict a uniformly random entry of the set */
};

struct tce_cache_config {
    uint32_t entries;
    uint32_t ways;          /* 0 = fully associative */
    sim_time_t walk_ps;
    enum tce_walk_mode walk_mode;
    bool overlap;           /* one access's walks overlap (its user, the PHB) */
    sim_time_t hit_ps;
    enum tce_replacement replacement;
    uint64_t seed;          /* random replacement's stream (the PHB sets it) */
};

/* From a tce_cache_schema node, or the descriptor defaults when cfg is
 * NULL. Returns 0, or -1 with *err located at the offending value. */
int tce_cache_config_init(struct tce_cache_config *c, const struct cfg_node *cfg,
                          struct diag *err);

struct tce_lookup {
    enum tce_fault fault;
    bool hit;             /* false on a miss and outside the window */
    uint64_t real_addr;   /* valid when fault == TCE_FAULT_NONE */
    sim_time_t added_ps;  /* latency the translation adds to the access */
};

struct tce_cache_counters {
    uint64_t hits, misses;
    uint64_t faults;        /* translations that faulted (any kind) */
    uint64_t walk_reads;    /* memory reads made by miss walks */
    uint64_t invalidations; /* cached entries dropped (page or flush) */
    uint64_t flushes;       /* full flushes */
};

struct tce_cache;

/* Allocates every cache array (no allocation afterwards) and registers
 * with the table for invalidation on unmap. NULL on allocation failure, a
 * bad geometry, or if the table already has a cache. Destroy the cache
 * before the table. */
struct tce_cache *tce_cache_create(const struct tce_cache_config *c, struct tce_table *t);
void tce_cache_destroy(struct tce_cache *c);

/* I/O path: translates through the cache, walking the table on a miss.
 * Only valid TCEs are cached; a permission fault on a valid TCE still
 * caches it (the hardware checks after the fetch). */
struct tce_lookup tce_cache_translate(struct tce_cache *c, uint64_t ioba, uint64_t size,
                                      bool is_write);

/* Drops the entry for the I/O page containing ioba / every entry. */
void tce_cache_invalidate(struct tce_cache *c, uint64_t ioba);
void tce_cache_flush(struct tce_cache *c);

bool tce_cache_contains(const struct tce_cache *c, uint64_t ioba);
uint32_t tce_cache_valid(const struct tce_cache *c); /* entries in use */
const struct tce_cache_counters *tce_cache_counters(const struct tce_cache *c);
/* Forgets the counters (end of warm-up); the cached entries stay. */
void tce_cache_reset_counters(struct tce_cache *c);

#endif
