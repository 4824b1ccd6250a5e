/* models/hypervisor/dma_window.h — a DMA window as the hypervisor keeps
 * it for one assigned VF: the PE's TCE table, mapped to the LPAR's real
 * memory. It maps the driver's rings and buffers (H_PUT_TCE_INDIRECT, at
 * assignment or when a switch rebuilds the window on another PE), maps
 * and unmaps per I/O for a driver that maps per I/O (H_PUT_TCE, the
 * pSeries IOMMU's map_page), and is cleared when the VF goes away
 * (H_STUFF_TCE of an invalid entry over the mapped range). */
#ifndef LPARSIM_MODELS_HYPERVISOR_DMA_WINDOW_H
#define LPARSIM_MODELS_HYPERVISOR_DMA_WINDOW_H

#include "models/guest/vf_driver.h"
#include "models/iommu/tce_table.h"

struct hypervisor;

struct dma_window {
    struct hypervisor *h;
    struct tce_table *table;
    uint64_t real_base;             /* the LPAR's memory */
    uint64_t mapped_lo, mapped_hi;  /* what map_range mapped (for clear) */
};

/* Maps [ioba, end) to the LPAR's memory, read and write, with
 * H_PUT_TCE_INDIRECT. 0 and *cost (the hcalls' time), or -1. */
int dma_window_map_range(struct dma_window *w, uint64_t ioba, uint64_t end, sim_time_t *cost);
/* Clears everything map_range mapped (H_STUFF_TCE); *cost as above. */
void dma_window_clear(struct dma_window *w, sim_time_t *cost);
/* TCEs that map_range of [ioba, end) writes (for closed forms). */
uint64_t dma_window_pages(const struct dma_window *w, uint64_t ioba, uint64_t end);
/* The per-I/O H_PUT_TCE service of a driver with per_io mapping. */
struct tce_map_port dma_window_port(struct dma_window *w);

#endif
