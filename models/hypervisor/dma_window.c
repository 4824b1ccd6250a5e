/* models/hypervisor/dma_window.c — DMA windows and TCE programming (see
 * dma_window.h). Costs: hcall.c (H_PUT_TCE, H_PUT_TCE_INDIRECT and
 * H_STUFF_TCE, each at most tces_per_call entries per call). */
#include "models/hypervisor/dma_window.h"

#include "models/hypervisor/hypervisor_internal.h"

static uint64_t pages_of(const struct tce_table *t, uint64_t ioba, uint64_t bytes, uint64_t *first)
{
    uint64_t page = tce_table_page_size(t);
    *first = ioba / page * page;
    return (ioba + (bytes ? bytes : 1) - *first + page - 1) / page;
}

uint64_t dma_window_pages(const struct dma_window *w, uint64_t ioba, uint64_t end)
{
    uint64_t first;
    return end > ioba ? pages_of(w->table, ioba, end - ioba, &first) : 0;
}

/* H_PUT_TCE per page: the per-I/O mapping of a driver without a direct
 * window (the pSeries IOMMU's map_page). */
static int map_one(void *ctx, uint64_t ioba, uint64_t bytes, bool device_writes, uint64_t *cycles)
{
    struct dma_window *w = ctx;
    uint64_t first, calls;
    uint64_t n = pages_of(w->table, ioba, bytes, &first);
    uint64_t perm = device_writes ? TCE_WRITE : TCE_READ;
    enum tce_status st = tce_table_map(w->table, first, w->real_base + first, n, perm,
                                       TCE_HCALL_PUT, &calls);
    *cycles = hcall_cycles(w->h->hcall, HCALL_PUT_TCE, calls);
    hyp_hcall(w->h, HCALL_PUT_TCE, calls);
    return st == TCE_OK ? 0 : -1;
}

static int unmap_one(void *ctx, uint64_t ioba, uint64_t bytes, uint64_t *cycles)
{
    struct dma_window *w = ctx;
    uint64_t first, calls;
    uint64_t n = pages_of(w->table, ioba, bytes, &first);
    enum tce_status st = tce_table_unmap(w->table, first, n, TCE_HCALL_PUT, &calls);
    *cycles = hcall_cycles(w->h->hcall, HCALL_PUT_TCE, calls);
    hyp_hcall(w->h, HCALL_PUT_TCE, calls);
    return st == TCE_OK ? 0 : -1;
}

int dma_window_map_range(struct dma_window *w, uint64_t ioba, uint64_t end, sim_time_t *cost)
{
    uint64_t first, calls;
    *cost = 0;
    if (end <= ioba)
        return 0;
    uint64_t n = pages_of(w->table, ioba, end - ioba, &first);
    enum tce_status st = tce_table_map(w->table, first, w->real_base + first, n,
                                       TCE_READ | TCE_WRITE, TCE_HCALL_PUT_INDIRECT, &calls);
    *cost = hyp_hcall(w->h, HCALL_PUT_TCE_INDIRECT, n);
    if (w->mapped_hi == w->mapped_lo || first < w->mapped_lo)
        w->mapped_lo = first;
    if (first + n * tce_table_page_size(w->table) > w->mapped_hi)
        w->mapped_hi = first + n * tce_table_page_size(w->table);
    return st == TCE_OK ? 0 : -1;
}

void dma_window_clear(struct dma_window *w, sim_time_t *cost)
{
    uint64_t calls;
    *cost = 0;
    if (w->mapped_hi <= w->mapped_lo)
        return;
    uint64_t n = (w->mapped_hi - w->mapped_lo) / tce_table_page_size(w->table);
    tce_table_unmap(w->table, w->mapped_lo, n, TCE_HCALL_STUFF, &calls);
    *cost = hyp_hcall(w->h, HCALL_STUFF_TCE, n);
    w->mapped_lo = w->mapped_hi = 0;
}

struct tce_map_port dma_window_port(struct dma_window *w)
{
    return (struct tce_map_port){ map_one, unmap_one, w };
}
