/* models/pcie/phb.h — a PCIe host bridge (root complex) and the slot it
 * serves: the link to the adapter, the RID -> PE table, one DMA window
 * per PE (a TCE table with a TCE cache in front), the MMIO windows that
 * map the functions' BARs, and the PHB's MSI interrupt sources.
 *
 * I/O path (skiboot hw/phb4.c; the POWER9 PHB4 specification):
 *  - MMIO from the host: address -> window -> PE (frozen: dropped) ->
 *    posted write down the link -> the function's BAR;
 *  - DMA from the device: RID -> PE (DMA stopped: dropped) -> TCE
 *    translation of every I/O page touched (cache hit, or miss + walk;
 *    a fault freezes the PE and drops the access) -> the link;
 *  - MSI from the device: a posted write up the link to the PHB's MSI
 *    address; its data selects the PHB source, whose trigger goes to the
 *    interrupt controller.
 * Posted writes in one direction arrive in the order they were sent, so
 * the pending MMIO writes and MSIs wait in FIFO rings and one kernel
 * event per arrival pops the head: no allocation per access.
 *
 * Metrics (docs/metrics.md), component "<path>": msis, msis_dropped,
 * mmio_unmapped, dma_unclaimed, tce_hit_rate, tce_misses, eeh_freezes;
 * per PE "<path>.pe<N>": tce_hits, tce_misses, tce_hit_rate, walk_reads,
 * eeh_freezes, dma_dropped, mmio_dropped. The link reports as
 * "<path>.link" (models/pcie/pcie_link.h). */
#ifndef LPARSIM_MODELS_PCIE_PHB_H
#define LPARSIM_MODELS_PCIE_PHB_H

#include <stdint.h>

#include "models/intc/xive_source.h"
#include "models/iommu/tce_cache.h"
#include "models/iommu/tce_table.h"
#include "models/pcie/pcie_link.h"
#include "models/pcie/pcie_ports.h"
#include "models/pcie/pe.h"
#include "sim/env.h"

struct phb_config {
    struct pcie_link_config link;
    struct pe_config pe;
    struct tce_cache_config cache;   /* one cache per PE's window */
    struct tce_table_config window;  /* every PE's DMA window */
    uint32_t pes;                    /* PEs the RTT can name */
    uint32_t msi_sources;            /* PHB interrupt sources */
};

struct phb;

/* NULL on allocation failure or a link configuration that fails
 * pcie_link_config_check. */
struct phb *phb_create(struct env *e, const char *path, const struct phb_config *c);
void phb_destroy(struct phb *p);

/* ---- control path (the hypervisor, at build time) ---- */

/* A new PE for the function at `rid`, with its DMA window. 0 and *pe_num,
 * or -1 when the PEs are exhausted or on allocation failure. */
int phb_add_pe(struct phb *p, uint16_t rid, uint32_t *pe_num);
/* The inverse: the RID no longer maps to it, its window is emptied and
 * its TCE cache invalidated; the slot is reused by a later add. */
int phb_remove_pe(struct phb *p, uint32_t pe_num);
/* The PE's DMA window (what H_PUT_TCE programs) and EEH state. */
struct tce_table *phb_pe_table(struct phb *p, uint32_t pe_num);
struct pe *phb_pe(struct phb *p, uint32_t pe_num);
/* Maps [base, base + size) of MMIO space to a BAR of a function in PE
 * pe_num. -1 if it overlaps another window or on allocation failure. */
int phb_map_mmio(struct phb *p, uint64_t base, uint64_t size, uint32_t pe_num,
                 struct mmio_target target);
/* Removes the window at `base`. -1 if there is none. */
int phb_unmap_mmio(struct phb *p, uint64_t base);
/* The PHB's interrupt sources (attached to the interrupt controller) and
 * where their triggers go: source i is global number src_base + i. */
struct xive_source *phb_sources(struct phb *p);
void phb_connect_irq(struct phb *p, struct irq_trigger_port port, uint32_t src_base);
/* I/O page size of every PE's DMA window. */
uint64_t phb_io_page(const struct phb *p);
/* First I/O address of every PE's DMA window. */
uint64_t phb_window_base(const struct phb *p);
/* Global number of source 0 (as connected). */
uint32_t phb_source_base(const struct phb *p);
/* The lowest unused source (its number within the PHB: the MSI data). */
int phb_alloc_source(struct phb *p, uint32_t *local);
/* Gives a source back (turned off, PQ 01). -1 if it was not allocated. */
int phb_free_source(struct phb *p, uint32_t local);

/* ---- EEH and faults ---- */

/* Who hears a PE freeze (the hypervisor: it may switch to a standby). */
struct phb_freeze_listener {
    void (*frozen)(void *ctx, uint32_t pe, const char *why);
    void *ctx;
};
void phb_set_freeze_listener(struct phb *p, const struct phb_freeze_listener *l);
/* Timeline `fail` / `repair` of the slot's link ("S.A.link"): down, every
 * PE freezes and nothing crosses; up, traffic passes (the PEs stay frozen
 * until an EEH recovery). */
extern const struct component_ops phb_link_ops;
bool phb_link_up(const struct phb *p);
/* The address MSIs are written to (programmed into MSI-X tables). */
uint64_t phb_msi_address(const struct phb *p);

/* ---- ports ---- */
struct pcie_upstream phb_upstream(struct phb *p);
struct mmio_port phb_mmio_port(struct phb *p);
struct pcie_link *phb_link(struct phb *p);

#endif
