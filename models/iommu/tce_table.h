/* models/iommu/tce_table.h — the TCE table behind one DMA window of a PE.
 *
 * A DMA window is an I/O address range [window_base, window_base +
 * window_size) cut into I/O pages (4K, 64K, 2M, 16M, 256M, 1G). Each page
 * has a 64-bit TCE: bit 0 = the device may read memory (DMA to the device),
 * bit 1 = the device may write memory, bits 12.. = the real page number
 * (real address >> 12). The table is a radix tree of 1..5 levels; a miss in
 * the PHB's TCE cache costs one memory access per level walked
 * (LoPAR "TCE"; docs/model-state-machines.md).
 *
 * Two sides:
 *  - control path (the hypervisor's H_PUT_TCE / H_PUT_TCE_INDIRECT /
 *    H_STUFF_TCE): map, unmap, stuff; may allocate level tables; returns
 *    how many hypervisor calls the operation takes;
 *  - I/O path (the PHB): translate; never allocates, never prints. */
#ifndef LPARSIM_MODELS_IOMMU_TCE_TABLE_H
#define LPARSIM_MODELS_IOMMU_TCE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/diag.h"

#define TCE_READ       UINT64_C(0x1) /* device may read memory */
#define TCE_WRITE      UINT64_C(0x2) /* device may write memory */
#define TCE_PERM_MASK  UINT64_C(0x3)
#define TCE_RPN_SHIFT  12
/* Bits 2..11 are reserved: a TCE with any of them set is refused. */
#define TCE_RSVD_MASK  UINT64_C(0xffc)

/* The TCE that maps the I/O page at `real_addr` with `perm`. */
static inline uint64_t tce_make(uint64_t real_addr, uint64_t perm)
{
    return (real_addr & ~UINT64_C(0xfff)) | (perm & TCE_PERM_MASK);
}

extern const struct schema tce_table_schema;

struct tce_table_config {
    uint64_t window_base;  /* bytes; I/O address of the window's first page */
    uint64_t window_size;  /* bytes; a power of two */
    uint64_t page_size;    /* bytes; 4K, 64K, 2M, 16M, 256M or 1G; 0 = not
                              chosen yet (tce_table_page_for) */
    unsigned levels;       /* 1..5 */
    uint64_t indirect_max; /* TCEs per H_PUT_TCE_INDIRECT call */
    uint64_t stuff_max;    /* TCEs per H_STUFF_TCE call */
};

/* Linux on pseries (arch/powerpc/platforms/pseries/iommu.c): a driver
 * whose device gets a dynamic DMA window (enable_ddw) maps all memory once
 * with the largest I/O page the firmware offers (iommu_get_page_shift);
 * without one it maps each I/O in the 32-bit default window of 4 KiB
 * pages. */
#define TCE_DEFAULT_WINDOW_PAGE (UINT64_C(1) << 12)
#define TCE_DDW_PAGE            (UINT64_C(1) << 16)
/* page_size, or when it is 0 (the default) the page Linux would use:
 * TCE_DEFAULT_WINDOW_PAGE for per-I/O mapping, else TCE_DDW_PAGE. */
uint64_t tce_table_page_for(uint64_t page_size, bool per_io);

/* Fills *c from a tce_table_schema node, or from the descriptor defaults
 * when cfg is NULL, and checks it (tce_table_config_check). Returns 0, or
 * -1 with *err located at the offending value. */
int tce_table_config_init(struct tce_table_config *c, const struct cfg_node *cfg,
                          struct diag *err);
/* The cross-field rules: page size one of the six, window a power of two
 * >= one page, base page-aligned, window inside 2^64, levels 1..5, a top
 * level small enough to allocate. */
int tce_table_config_check(const struct tce_table_config *c, const struct cfg_node *cfg,
                           struct diag *err);

/* Outcome of a control-path operation (the hcall's return code). */
enum tce_status {
    TCE_OK = 0,
    TCE_ERR_WINDOW, /* ioba range not inside the window (H_PARAMETER) */
    TCE_ERR_ALIGN,  /* ioba not page-aligned, or RPN not aligned to the
                       I/O page (H_PARAMETER) */
    TCE_ERR_TCE,    /* reserved TCE bits set (H_PARAMETER) */
    TCE_ERR_METHOD, /* mapping a range with H_STUFF_TCE (one value) */
    TCE_ERR_NOMEM,  /* a level table could not be allocated (H_NO_MEM) */
};

/* Which hypervisor call a range operation is made of. */
enum tce_hcall {
    TCE_HCALL_PUT,          /* H_PUT_TCE: one entry per call */
    TCE_HCALL_PUT_INDIRECT, /* H_PUT_TCE_INDIRECT: indirect_max per call */
    TCE_HCALL_STUFF,        /* H_STUFF_TCE: one value over stuff_max entries */
};

/* Outcome of a translation (I/O path). */
enum tce_fault {
    TCE_FAULT_NONE = 0,
    TCE_FAULT_WINDOW,     /* outside the DMA window: no walk */
    TCE_FAULT_SPAN,       /* the access crosses an I/O page boundary; the
                             caller splits accesses at page boundaries, as
                             TLPs are */
    TCE_FAULT_UNMAPPED,   /* TCE has neither read nor write permission */
    TCE_FAULT_PERMISSION, /* write through a read-only TCE or vice versa */
};

struct tce_xlate {
    enum tce_fault fault;
    uint64_t real_addr;     /* valid when fault == TCE_FAULT_NONE */
    uint64_t tce;           /* the entry found (0 if none) */
    uint64_t index;         /* I/O page number within the window */
    unsigned walk_accesses; /* memory reads the walk made: levels for a
                               full walk, fewer when an upper level entry
                               is empty, 0 outside the window */
};

struct tce_table;

/* Allocates the top level (control path). NULL on allocation failure or
 * if `c` fails tce_table_config_check. */
struct tce_table *tce_table_create(const struct tce_table_config *c);
void tce_table_destroy(struct tce_table *t);

/* --- control path: every function sets *hcalls to the number of
 * hypervisor calls the operation takes. A range is checked whole before
 * any entry is written; a refused range costs 1 call (the one the
 * hypervisor refused) and changes nothing. --- */

/* H_PUT_TCE: one entry (tce = 0 unmaps). */
enum tce_status tce_table_put(struct tce_table *t, uint64_t ioba, uint64_t tce,
                              uint64_t *hcalls);
/* H_PUT_TCE_INDIRECT: n entries from a list, ceil(n / indirect_max) calls. */
enum tce_status tce_table_put_indirect(struct tce_table *t, uint64_t ioba,
                                       const uint64_t *tces, uint64_t n,
                                       uint64_t *hcalls);
/* H_STUFF_TCE: the same value into n entries, ceil(n / stuff_max) calls. */
enum tce_status tce_table_stuff(struct tce_table *t, uint64_t ioba, uint64_t tce,
                                uint64_t n, uint64_t *hcalls);
/* Maps npages consecutive I/O pages to consecutive real pages from
 * real_addr with `perm`, by H_PUT_TCE or H_PUT_TCE_INDIRECT. */
enum tce_status tce_table_map(struct tce_table *t, uint64_t ioba, uint64_t real_addr,
                              uint64_t npages, uint64_t perm, enum tce_hcall how,
                              uint64_t *hcalls);
/* Clears npages entries by any of the three calls. */
enum tce_status tce_table_unmap(struct tce_table *t, uint64_t ioba, uint64_t npages,
                                enum tce_hcall how, uint64_t *hcalls);

/* Called with the I/O page number of every valid entry that changes
 * (unmapped or remapped), so a TCE cache in front drops its copy. One
 * listener per table; returns -1 if another is set (fn = NULL clears). */
typedef void (*tce_change_fn)(void *ctx, uint64_t index);
int tce_table_on_change(struct tce_table *t, tce_change_fn fn, void *ctx);

/* --- I/O path: no allocation --- */

/* Translates a device access of `size` bytes at `ioba` (size 0 is treated
 * as 1). is_write = the device writes memory. */
struct tce_xlate tce_table_translate(const struct tce_table *t, uint64_t ioba,
                                     uint64_t size, bool is_write);
/* Window and page-span checks only; on success *index = I/O page number. */
enum tce_fault tce_table_locate(const struct tce_table *t, uint64_t ioba, uint64_t size,
                                uint64_t *index);
/* Applies a TCE already in hand (a cache hit) to an access at ioba. */
enum tce_fault tce_table_apply(const struct tce_table *t, uint64_t tce, uint64_t ioba,
                               bool is_write, uint64_t *real_addr);
/* The entry for ioba (H_GET_TCE); 0 when unmapped or outside the window. */
uint64_t tce_table_get(const struct tce_table *t, uint64_t ioba);

/* --- geometry and accounting --- */
unsigned tce_table_levels(const struct tce_table *t);
uint64_t tce_table_page_size(const struct tce_table *t);
uint64_t tce_table_entries(const struct tce_table *t);    /* pages in the window */
/* Entries of one table at `level` (0 = top). */
uint64_t tce_table_level_entries(const struct tce_table *t, unsigned level);
uint64_t tce_table_mapped(const struct tce_table *t);     /* valid entries */
uint64_t tce_table_bytes(const struct tce_table *t);      /* level tables allocated */
const char *tce_fault_name(enum tce_fault f);
const char *tce_status_name(enum tce_status s);

#endif
