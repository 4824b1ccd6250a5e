/* models/hypervisor/lpar_memory.h — an LPAR's memory as live migration
 * sees it: `memory / page_size` pages and one dirty bit per page, set by
 * the LPAR's workloads (mem_dirty_port) and collected by pre-copy rounds,
 * which send the pages dirtied since the previous round. */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPAR_MEMORY_H
#define LPARSIM_MODELS_HYPERVISOR_LPAR_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "models/io.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

/* page_size; for the registry to place next to the LPAR's `memory`. */
extern const struct param_desc lpar_memory_params[];
extern const struct schema lpar_memory_schema;

struct lpar_memory;

/* `memory_bytes` of memory in pages of `page_size` (read from cfg, a node
 * holding the lpar_memory_params; NULL = defaults); a last partial page is
 * not counted. Scalars are written under `path` ("lpar.db1.memory").
 * NULL with *err (at page_size's location) if page_size is not a power of
 * two or the memory is smaller than a page, or on allocation failure. */
struct lpar_memory *lpar_memory_create(struct env *e, const char *path, uint64_t memory_bytes,
                                       const struct cfg_node *cfg, struct diag *err);
void lpar_memory_destroy(struct lpar_memory *m);

/* The port workloads write through (pages, page_size filled in). */
struct mem_dirty_port lpar_memory_dirty_port(struct lpar_memory *m);

/* Distinct pages dirty now. */
uint64_t lpar_memory_dirty_count(const struct lpar_memory *m);
/* Returns the distinct dirty pages and clears them all (a pre-copy round
 * takes them to send). */
uint64_t lpar_memory_collect_dirty(struct lpar_memory *m);

/* Marks npages pages from `first` written (a device's DMA write). */
void lpar_memory_mark(struct lpar_memory *m, uint64_t first, uint64_t npages);
/* While frozen (the guest suspended) writes are ignored. */
void lpar_memory_freeze(struct lpar_memory *m, bool frozen);
/* Post-copy: the pages dirty now have not been sent: they become the
 * missing set (returned: how many) and the dirty set starts empty. Until
 * lpar_memory_end_postcopy, the first write to a missing page is a fault
 * (it is fetched on demand, the writer waiting `fault` for it: the port's
 * answer) and the page is no longer missing. */
uint64_t lpar_memory_begin_postcopy(struct lpar_memory *m, sim_time_t fault);
/* The rest arrived: nothing is missing. Returns the faults since
 * lpar_memory_begin_postcopy. */
uint64_t lpar_memory_end_postcopy(struct lpar_memory *m);
uint64_t lpar_memory_missing(const struct lpar_memory *m);

uint64_t lpar_memory_pages(const struct lpar_memory *m);
uint64_t lpar_memory_page_size(const struct lpar_memory *m);

#endif
