/* models/hypervisor/vf_assign.c — VF assignment and its inverse (see
 * vf_assign.h). Costs: one H_VIOCTL to enable or disable the VF, one per
 * queue pair to program its MSI-X entry through the PF, one
 * H_INT_SET_SOURCE_CONFIG per logical interrupt bound or unbound, and
 * the TCE calls of the DMA window (dma_window.c). */
#include "models/hypervisor/vf_assign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/adapter/vf.h"
#include "models/hypervisor/hypervisor_internal.h"
#include "models/hypervisor/lirq.h"
#include "models/hypervisor/lpar.h"

void hyp_binding_add(struct hypervisor *h, struct vf_binding *b)
{
    if (h->nbindings == h->cap_bindings) {
        size_t cap = h->cap_bindings ? 2 * h->cap_bindings : 16;
        struct vf_binding **v = realloc(h->bindings, cap * sizeof *v);
        if (!v)
            abort(); /* control path: as the env's hooks do */
        h->bindings = v;
        h->cap_bindings = cap;
    }
    h->bindings[h->nbindings++] = b;
}

void hyp_binding_remove(struct hypervisor *h, struct vf_binding *b)
{
    for (size_t i = 0; i < h->nbindings; i++)
        if (h->bindings[i] == b) {
            h->bindings[i] = h->bindings[--h->nbindings];
            return;
        }
}

struct vf_binding *vf_binding_create(struct hypervisor *h, struct lpar_device *dev,
                                     struct adapter *ad, unsigned vf, struct phb *p,
                                     sim_time_t *cost, struct diag *err)
{
    struct lpar *l = dev->lpar;
    struct vf_binding *b = calloc(1, sizeof *b);
    uint32_t *src = calloc(dev->queue_pairs ? dev->queue_pairs : 1, sizeof *src);
    *cost = 0;
    if (!b || !src) {
        free(b);
        free(src);
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    *b = (struct vf_binding){ .h = h, .dev = dev, .adapter = ad, .vf = vf, .phb = p,
                              .bar = h->mmio_next, .src = src };
    for (uint32_t q = 0; q < dev->queue_pairs; q++)
        src[q] = LIRQ_UNBOUND;
    bool have_pe = phb_add_pe(p, adapter_vf_rid(ad, vf), &b->pe) == 0;
    if (!have_pe || phb_map_mmio(p, b->bar, VF_BAR_SIZE, b->pe, adapter_vf_bar(ad, vf)) != 0) {
        if (have_pe)
            phb_remove_pe(p, b->pe);
        diag_set(err, lpar_cfg(l) ? &lpar_cfg(l)->loc : NULL,
                 "LPAR '%s': no PE or MMIO window left for VF %u", lpar_name(l), vf);
        free(src);
        free(b);
        return NULL;
    }
    h->mmio_next += VF_BAR_SIZE;
    adapter_vf_set_assigned(ad, vf, true);
    hyp_binding_add(h, b);
    b->mmio = phb_mmio_port(p);
    b->rx = adapter_vf_receive(ad, vf);
    b->dma = (struct dma_window){ h, phb_pe_table(p, b->pe), lpar_placement(l)->mem_base, 0, 0 };
    *cost = hyp_hcall(h, HCALL_VIOCTL, 1); /* enable the VF through the PF */
    return b;
}

int vf_binding_map_dma(struct vf_binding *b, sim_time_t *cost)
{
    struct vf_driver *drv = b->dev->driver;
    struct vf_driver_layout lay = vf_driver_layout(drv);
    uint64_t end = b->dev->drv_cfg.mapping == TCE_MAP_STATIC ? lay.end_ioba : lay.buffers_ioba;
    return dma_window_map_range(&b->dma, lay.rings_ioba, end, cost);
}

/* Rings attached (at SQ head `head`, or fresh when heads is NULL) and
 * the MSI-X entry programmed through the PF (one H_VIOCTL), with the
 * queue's source as data. */
static int attach_queue(struct vf_binding *b, uint32_t qp, const uint32_t *heads,
                        sim_time_t *cost)
{
    struct io_qmem *mem = vf_driver_queue(b->dev->driver, qp);
    int rc = heads ? adapter_pf_attach_queue_at(b->adapter, b->vf, qp, mem, qp, heads[qp])
                   : adapter_pf_attach_queue(b->adapter, b->vf, qp, mem, qp);
    if (rc != 0 ||
        adapter_pf_program_msix(b->adapter, b->vf, qp, phb_msi_address(b->phb), b->src[qp]) != 0)
        return -1;
    *cost += hyp_hcall(b->h, HCALL_VIOCTL, 1);
    return 0;
}

static int connect(struct vf_binding *b, const uint32_t *heads, bool queues, sim_time_t *cost)
{
    struct lpar *l = b->dev->lpar;
    *cost = 0;
    for (uint32_t qp = 0; qp < b->dev->queue_pairs; qp++) {
        uint32_t local;
        if (phb_alloc_source(b->phb, &local) != 0)
            return -1;
        b->src[qp] = local;
        if (queues) {
            if (attach_queue(b, qp, heads, cost) != 0)
                return -1;
        } else if (adapter_pf_program_msix(b->adapter, b->vf, qp, phb_msi_address(b->phb),
                                           local) == 0) {
            *cost += hyp_hcall(b->h, HCALL_VIOCTL, 1);
        } else {
            return -1;
        }
        sim_time_t c = lirq_bind(b->h, lpar_lirq(l, b->dev->lisn_base + qp),
                                 phb_source_base(b->phb) + local);
        if (c == SIM_TIME_MAX)
            return -1;
        *cost += c;
    }
    b->connected = true;
    return 0;
}

int vf_binding_connect(struct vf_binding *b, sim_time_t *cost)
{
    return connect(b, NULL, true, cost);
}

int vf_binding_connect_at(struct vf_binding *b, const uint32_t *heads, sim_time_t *cost)
{
    return connect(b, heads, true, cost);
}

int vf_binding_connect_irqs(struct vf_binding *b, sim_time_t *cost)
{
    return connect(b, NULL, false, cost);
}

void vf_binding_stop(struct vf_binding *b, uint32_t *heads, sim_time_t *cost)
{
    *cost = 0;
    for (uint32_t qp = 0; qp < b->dev->queue_pairs; qp++) {
        heads[qp] = adapter_pf_queue_head(b->adapter, b->vf, qp);
        adapter_pf_detach_queue(b->adapter, b->vf, qp);
        *cost += hyp_hcall(b->h, HCALL_VIOCTL, 1);
    }
}

int vf_binding_resume_at(struct vf_binding *b, const uint32_t *heads, bool queues,
                         sim_time_t *cost)
{
    struct lpar *l = b->dev->lpar;
    *cost = 0;
    for (uint32_t qp = 0; qp < b->dev->queue_pairs; qp++) {
        if (b->src[qp] == LIRQ_UNBOUND)
            return -1;
        if (queues && attach_queue(b, qp, heads, cost) != 0)
            return -1;
        struct lirq *li = lpar_lirq(l, b->dev->lisn_base + qp);
        if (li->src != phb_source_base(b->phb) + b->src[qp]) {
            sim_time_t c = lirq_bind(b->h, li, phb_source_base(b->phb) + b->src[qp]);
            if (c == SIM_TIME_MAX)
                return -1;
            *cost += c;
        }
    }
    b->connected = true;
    return 0;
}

/* Whether the LPAR's logical interrupt is bound to this VF's source:
 * source numbers are per system, so the LPAR must be on this system
 * (after a migration the same number may be the target's source). */
static bool bound_here(const struct vf_binding *b, const struct lirq *li, uint32_t qp)
{
    return lpar_placement(b->dev->lpar)->hyp == b->h &&
           li->src == phb_source_base(b->phb) + b->src[qp];
}

sim_time_t vf_binding_unbind_irqs(struct vf_binding *b)
{
    struct lpar *l = b->dev->lpar;
    sim_time_t cost = 0;
    for (uint32_t qp = 0; qp < b->dev->queue_pairs; qp++) {
        struct lirq *li = lpar_lirq(l, b->dev->lisn_base + qp);
        if (b->src[qp] != LIRQ_UNBOUND && bound_here(b, li, qp))
            cost += lirq_unbind(b->h, li);
    }
    return cost;
}

void vf_binding_disconnect(struct vf_binding *b, sim_time_t *cost)
{
    struct lpar *l = b->dev->lpar;
    *cost = 0;
    for (uint32_t qp = 0; qp < b->dev->queue_pairs; qp++) {
        struct lirq *li = lpar_lirq(l, b->dev->lisn_base + qp);
        if (b->src[qp] != LIRQ_UNBOUND && bound_here(b, li, qp))
            *cost += lirq_unbind(b->h, li);
        if (b->src[qp] != LIRQ_UNBOUND)
            phb_free_source(b->phb, b->src[qp]);
        b->src[qp] = LIRQ_UNBOUND;
    }
    adapter_pf_reset_vf(b->adapter, b->vf); /* queues detached, MSI-X cleared */
    b->connected = false;
}

void vf_binding_unmap_dma(struct vf_binding *b, sim_time_t *cost)
{
    dma_window_clear(&b->dma, cost);
}

void vf_binding_destroy(struct vf_binding *b, sim_time_t *cost)
{
    *cost = 0;
    if (!b)
        return;
    phb_unmap_mmio(b->phb, b->bar);
    phb_remove_pe(b->phb, b->pe);
    adapter_vf_set_assigned(b->adapter, b->vf, false);
    hyp_binding_remove(b->h, b);
    *cost = hyp_hcall(b->h, HCALL_VIOCTL, 1); /* disable the VF through the PF */
    free(b->src);
    free(b);
}

void vf_binding_free(struct vf_binding *b)
{
    if (b) {
        free(b->src);
        free(b);
    }
}

struct vf_binding *vf_assign(struct hypervisor *h, struct lpar_device *dev, struct adapter *ad,
                             unsigned vf, struct phb *p, sim_time_t *cost, struct diag *err)
{
    sim_time_t c1, c2 = 0, c3 = 0;
    struct vf_binding *b = vf_binding_create(h, dev, ad, vf, p, &c1, err);
    if (!b)
        return NULL;
    if (vf_binding_map_dma(b, &c2) != 0 || vf_binding_connect(b, &c3) != 0) {
        struct lpar *l = dev->lpar;
        diag_set(err, lpar_cfg(l) ? &lpar_cfg(l)->loc : NULL,
                 "LPAR '%s': cannot set up VF %u (DMA window or interrupt sources exhausted)",
                 lpar_name(l), vf);
        sim_time_t ignored;
        vf_binding_disconnect(b, &ignored);
        vf_binding_unmap_dma(b, &ignored);
        vf_binding_destroy(b, &ignored);
        return NULL;
    }
    dev->vf = b;
    *cost = c1 + c2 + c3;
    return b;
}

void vf_unassign(struct vf_binding *b, sim_time_t *cost)
{
    sim_time_t c1, c2, c3;
    b->dev->vf = NULL;
    vf_binding_disconnect(b, &c1);
    vf_binding_unmap_dma(b, &c2);
    vf_binding_destroy(b, &c3);
    *cost = c1 + c2 + c3;
}

void vf_binding_reset(struct vf_binding *b)
{
    adapter_pf_reset_vf(b->adapter, b->vf);
}

int vf_binding_restore(struct vf_binding *b, sim_time_t *cost)
{
    *cost = 0;
    for (uint32_t qp = 0; qp < b->dev->queue_pairs; qp++)
        if (b->src[qp] != LIRQ_UNBOUND && attach_queue(b, qp, NULL, cost) != 0)
            return -1;
    return 0;
}

bool vf_binding_held(const struct vf_binding *b, const struct io_req *r)
{
    return adapter_vf_held(b->adapter, b->vf, r);
}

uint32_t vf_binding_source(const struct vf_binding *b, uint32_t qp)
{
    return b->src[qp] == LIRQ_UNBOUND ? LIRQ_UNBOUND : phb_source_base(b->phb) + b->src[qp];
}

bool vf_binding_holds(const struct vf_binding *b, const struct io_req *r)
{
    return adapter_vf_holds(b->adapter, b->vf, r);
}

bool vf_binding_queue_attached(const struct vf_binding *b, uint32_t qp)
{
    return adapter_vf_queue_attached(b->adapter, b->vf, qp, vf_driver_queue(b->dev->driver, qp));
}

struct pe *vf_binding_pe(const struct vf_binding *b)
{
    return phb_pe(b->phb, b->pe);
}

/* ---- the device's ports: to whatever VF is bound now ---------------------- */

static int guest_mmio_write(void *ctx, uint64_t addr, uint64_t value, bool traced)
{
    const struct lpar_device *d = ctx;
    const struct vf_binding *b = d->vf;
    if (!b || addr < d->guest_bar || addr - d->guest_bar >= VF_BAR_SIZE)
        return -1; /* nothing mapped there now */
    return b->mmio.write(b->mmio.ctx, b->bar + (addr - d->guest_bar), value, traced);
}

static uint64_t guest_mmio_read(void *ctx, uint64_t addr, unsigned bytes)
{
    const struct lpar_device *d = ctx;
    const struct vf_binding *b = d->vf;
    if (!b || addr < d->guest_bar || addr - d->guest_bar >= VF_BAR_SIZE)
        return bytes >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * bytes)) - 1;
    return b->mmio.read(b->mmio.ctx, b->bar + (addr - d->guest_bar), bytes);
}

struct mmio_port lpar_device_mmio_port(struct lpar_device *d)
{
    return (struct mmio_port){ guest_mmio_write, guest_mmio_read, d };
}

static int guest_map(void *ctx, uint64_t ioba, uint64_t bytes, bool device_writes,
                     uint64_t *cycles)
{
    struct lpar_device *d = ctx;
    *cycles = 0;
    if (!d->vf)
        return -1;
    struct tce_map_port t = dma_window_port(&d->vf->dma);
    return t.map(t.ctx, ioba, bytes, device_writes, cycles);
}

static int guest_unmap(void *ctx, uint64_t ioba, uint64_t bytes, uint64_t *cycles)
{
    struct lpar_device *d = ctx;
    *cycles = 0;
    if (!d->vf)
        return -1;
    struct tce_map_port t = dma_window_port(&d->vf->dma);
    return t.unmap(t.ctx, ioba, bytes, cycles);
}

struct tce_map_port lpar_device_tce_port(struct lpar_device *d)
{
    return (struct tce_map_port){ guest_map, guest_unmap, d };
}

static void guest_rx(void *ctx, struct io_req *r)
{
    struct lpar_device *d = ctx;
    if (d->vf)
        d->vf->rx.submit(d->vf->rx.ctx, r);
    else
        vf_driver_rx_dropped(d->driver, r); /* no VF: no frame arrives */
}

struct io_sink lpar_device_rx_port(struct lpar_device *d)
{
    return (struct io_sink){ guest_rx, d };
}
