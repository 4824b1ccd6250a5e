/* models/hypervisor/hypervisor.c — a system's hypervisor (see hypervisor.h). */
#include "models/hypervisor/hypervisor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/adapter/vf.h"
#include "models/cpu/cpu.h"
#include "models/hypervisor/dispatch.h"
#include "models/hypervisor/hcall.h"
#include "models/hypervisor/lpar.h"
#include "models/intc/xive_controller.h"

/* MMIO space handed out to VF BARs: from here, one BAR after another. */
#define MMIO_BASE UINT64_C(0x0006000000000000)

/* A logical interrupt of an LPAR: its PHB source and target. */
struct lirq {
    uint32_t src;  /* global source number */
    uint32_t vp;   /* the LPAR's VP */
};

struct hypervisor;

struct hyp_lpar {
    struct hypervisor *h;
    int index;
    const struct cfg_node *cfg;
    int dispatch_index;
    uint32_t vps;
    uint64_t mem_base;
    struct lirq *irqs;
    uint32_t nirqs;
};

/* One VF assignment: the driver's DMA window, for per-I/O TCE calls. */
struct hyp_dma {
    struct hypervisor *h;
    struct tce_table *table;
    uint64_t real_base;
};

struct hypervisor {
    struct env *env;
    char path[96];
    struct cpu *cpu;
    struct dispatch *dispatch;
    struct hcall *hcall;
    struct xive_controller *xive;
    struct hyp_lpar **lpars;
    unsigned nlpars;
    uint64_t mem_next, mmio_next;
    struct hyp_dma **dmas;
    size_t ndmas;
};

/* ---- the processor, as LPARs and the interrupt controller use it --------- */

static int lpar_run(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
                    uint64_t arg)
{
    const struct hyp_lpar *l = ctx;
    struct dispatch_vp *v = dispatch_lpar_vp(l->h->dispatch, (unsigned)l->dispatch_index, vp);
    return v ? dispatch_submit(v, cycles, fn, fctx, arg) : -1;
}

static int submit_irq(void *ctx, uint32_t vp, uint64_t handler, event_fn fn, void *fctx,
                      uint64_t arg)
{
    struct hypervisor *h = ctx;
    struct dispatch_vp *v = dispatch_vp_at(h->dispatch, vp);
    return v ? dispatch_submit_irq(v, handler, fn, fctx, arg) : -1;
}

static void escalate(void *ctx, uint32_t vp)
{
    struct hypervisor *h = ctx;
    struct dispatch_vp *v = dispatch_vp_at(h->dispatch, vp);
    if (v)
        dispatch_escalate(v);
}

static void vp_dispatched(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    struct hypervisor *h = ctx;
    xive_controller_vp_dispatched(h->xive, dispatch_vp_id(vp), thread);
}

static void vp_undispatched(void *ctx, const struct dispatch_vp *vp, uint32_t thread)
{
    (void)vp;
    struct hypervisor *h = ctx;
    xive_controller_vp_undispatched(h->xive, thread);
}

/* ---- construction ------------------------------------------------------- */

struct hypervisor *hypervisor_create(struct env *e, const struct cfg_node *system_cfg,
                                     uint32_t total_vps, uint32_t phbs, struct diag *err)
{
    struct hypervisor *h = calloc(1, sizeof *h);
    if (!h) {
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    h->env = e;
    h->mmio_next = MMIO_BASE;
    snprintf(h->path, sizeof h->path, "%s.hyp", system_cfg->key);
    char path[128];
    struct cpu_config cc;
    cpu_config_init(&cc, system_cfg, cfg_find(system_cfg, "cpu"));
    snprintf(path, sizeof path, "%s.cpu", system_cfg->key);
    h->cpu = cpu_create(e, path, &cc);
    struct hcall_config hc;
    hcall_config_init(&hc, cfg_find(system_cfg, "hcalls"));
    snprintf(path, sizeof path, "%s.hcall", system_cfg->key);
    h->hcall = hcall_create(e, path, &hc);
    struct xive_router_config xc;
    xive_router_config_init(&xc, cfg_find(system_cfg, "xive"), err);
    /* the machine decides these three: every thread, VP and PHB source */
    xc.threads = cc.cores * cc.threads_per_core;
    xc.vps = total_vps ? total_vps : 1;
    xc.eas_entries = (phbs ? phbs : 1) * 4096u;
    struct dispatch_config dc;
    dispatch_config_init(&dc, cfg_find(system_cfg, "dispatch"));
    dc.vp_capacity = xc.vps; /* VP ids are the XIVE's VP numbers */
    h->dispatch = h->cpu ? dispatch_create(e, h->path, h->cpu, &dc) : NULL;
    if (h->dispatch)
        dispatch_set_hcall(h->dispatch, h->hcall);
    snprintf(path, sizeof path, "%s.xive", system_cfg->key);
    h->xive = xive_controller_create(e, path, &xc,
                                     (struct vp_irq_port){ submit_irq, h, escalate });
    struct dispatch_listener dl = { vp_dispatched, vp_undispatched, h };
    if (!h->dispatch || !h->hcall || !h->xive || dispatch_add_listener(h->dispatch, &dl) != 0) {
        diag_set(err, &system_cfg->loc, "cannot build system '%s' (out of memory or bad "
                 "processor parameters)", system_cfg->key);
        hypervisor_destroy(h);
        return NULL;
    }
    return h;
}

void hypervisor_destroy(struct hypervisor *h)
{
    if (!h)
        return;
    for (unsigned i = 0; i < h->nlpars; i++) {
        free(h->lpars[i]->irqs);
        free(h->lpars[i]);
    }
    for (size_t i = 0; i < h->ndmas; i++)
        free(h->dmas[i]);
    free(h->dmas);
    free(h->lpars);
    xive_controller_destroy(h->xive);
    hcall_destroy(h->hcall);
    dispatch_destroy(h->dispatch);
    cpu_destroy(h->cpu);
    free(h);
}

/* ---- LPARs -------------------------------------------------------------- */

int hypervisor_add_lpar(struct hypervisor *h, const struct cfg_node *lpar_cfg, struct diag *err)
{
    struct hyp_lpar **v = realloc(h->lpars, (h->nlpars + 1) * sizeof *v);
    struct hyp_lpar *l = calloc(1, sizeof *l);
    if (v)
        h->lpars = v;
    if (!v || !l) {
        free(l);
        return diag_set(err, NULL, "out of memory");
    }
    struct dispatch_lpar_config dc;
    dispatch_lpar_config_init(&dc, lpar_cfg, cfg_find(lpar_cfg, "processors"));
    char path[128];
    snprintf(path, sizeof path, "lpar.%s", lpar_cfg->key);
    struct diag derr = { 0 };
    int idx = dispatch_add_lpar(h->dispatch, path, &dc, NULL, NULL, &derr);
    if (idx < 0) {
        free(l);
        const struct cfg_node *proc = cfg_find(lpar_cfg, "processors");
        return diag_set(err, proc ? cfg_loc(proc, "entitlement") : &lpar_cfg->loc, "LPAR '%s': %s",
                        lpar_cfg->key, derr.msg);
    }
    *l = (struct hyp_lpar){ .h = h, .index = (int)h->nlpars, .cfg = lpar_cfg,
                            .dispatch_index = idx, .vps = dc.vps, .mem_base = h->mem_next };
    h->mem_next += cfg_u64(lpar_cfg, "memory");
    h->lpars[h->nlpars++] = l;
    return l->index;
}

struct cpu_work_port hypervisor_vp_port(struct hypervisor *h, int lpar)
{
    struct hyp_lpar *l = h->lpars[lpar];
    return (struct cpu_work_port){ lpar_run, l, l->vps };
}

int hypervisor_attach_phb(struct hypervisor *h, struct phb *p)
{
    uint32_t base;
    if (xive_controller_attach(h->xive, phb_sources(p), &base) != 0)
        return -1;
    phb_connect_irq(p, xive_controller_trigger_port(h->xive), base);
    return 0;
}

int hypervisor_start(struct hypervisor *h, struct diag *err)
{
    return dispatch_start(h->dispatch, err);
}

/* ---- DMA windows and TCEs ----------------------------------------------- */

static uint64_t pages_of(const struct tce_table *t, uint64_t ioba, uint64_t bytes, uint64_t *first)
{
    uint64_t page = tce_table_page_size(t);
    *first = ioba / page * page;
    return (ioba + (bytes ? bytes : 1) - *first + page - 1) / page;
}

/* H_PUT_TCE per page: the per-I/O mapping of a driver without a direct
 * window (the pSeries IOMMU's map_page). */
static int dma_map(void *ctx, uint64_t ioba, uint64_t bytes, bool device_writes, uint64_t *cycles)
{
    struct hyp_dma *d = ctx;
    uint64_t first, calls;
    uint64_t n = pages_of(d->table, ioba, bytes, &first);
    uint64_t perm = device_writes ? TCE_WRITE : TCE_READ;
    enum tce_status st = tce_table_map(d->table, first, d->real_base + first, n, perm,
                                       TCE_HCALL_PUT, &calls);
    *cycles = hcall_cycles(d->h->hcall, HCALL_PUT_TCE, calls);
    hcall_cost_ps(d->h->hcall, d->h->cpu, HCALL_PUT_TCE, calls);
    return st == TCE_OK ? 0 : -1;
}

static int dma_unmap(void *ctx, uint64_t ioba, uint64_t bytes, uint64_t *cycles)
{
    struct hyp_dma *d = ctx;
    uint64_t first, calls;
    uint64_t n = pages_of(d->table, ioba, bytes, &first);
    enum tce_status st = tce_table_unmap(d->table, first, n, TCE_HCALL_PUT, &calls);
    *cycles = hcall_cycles(d->h->hcall, HCALL_PUT_TCE, calls);
    hcall_cost_ps(d->h->hcall, d->h->cpu, HCALL_PUT_TCE, calls);
    return st == TCE_OK ? 0 : -1;
}

/* Maps [ioba, end) of the window to the LPAR's memory, read and write,
 * with H_PUT_TCE_INDIRECT (the driver's set-up, before the run). */
static int map_static(struct hypervisor *h, struct hyp_dma *d, uint64_t ioba, uint64_t end)
{
    uint64_t first, calls;
    uint64_t n = pages_of(d->table, ioba, end - ioba, &first);
    if (n == 0)
        return 0;
    enum tce_status st = tce_table_map(d->table, first, d->real_base + first, n,
                                       TCE_READ | TCE_WRITE, TCE_HCALL_PUT_INDIRECT, &calls);
    hcall_cost_ps(h->hcall, h->cpu, HCALL_PUT_TCE_INDIRECT, n);
    return st == TCE_OK ? 0 : -1;
}

/* ---- VF assignment ------------------------------------------------------ */

static int add_lirq(struct hyp_lpar *l, uint32_t src, uint32_t vp)
{
    struct lirq *v = realloc(l->irqs, (l->nirqs + 1) * sizeof *v);
    if (!v)
        return -1;
    l->irqs = v;
    l->irqs[l->nirqs++] = (struct lirq){ src, vp };
    return 0;
}

/* Queue pair qp: rings to the VF and an MSI-X vector -> PHB source ->
 * the queue's VP, all through the PF and the interrupt controller. */
static int bind_queue(struct hypervisor *h, struct hyp_lpar *l, struct adapter *ad, unsigned vf,
                      struct phb *p, struct vf_driver *drv, uint32_t qp, uint8_t prio)
{
    uint32_t local;
    if (adapter_pf_attach_queue(ad, vf, qp, vf_driver_queue(drv, qp), qp) != 0 ||
        phb_alloc_source(p, &local) != 0 ||
        adapter_pf_program_msix(ad, vf, qp, phb_msi_address(p), local) != 0)
        return -1;
    hcall_cost_ps(h->hcall, h->cpu, HCALL_VIOCTL, 1);
    uint32_t base = phb_source_base(p);
    uint32_t vp = vf_driver_queue_vp(drv, qp);
    struct dispatch_vp *v = dispatch_lpar_vp(h->dispatch, (unsigned)l->dispatch_index, vp);
    struct irq_action act = vf_driver_irq_action(drv, qp);
    if (!v || xive_controller_route(h->xive, base + local, dispatch_vp_id(v), prio, &act) != 0)
        return -1;
    hcall_cost_ps(h->hcall, h->cpu, HCALL_INT_SET_SOURCE_CONFIG, 1);
    return add_lirq(l, base + local, vp);
}

struct vf_driver *hypervisor_assign_vf(struct hypervisor *h, int lpar, struct adapter *ad,
                                       unsigned vf, struct phb *p, const char *path,
                                       const struct vf_driver_config *drv_cfg,
                                       struct diag *err)
{
    struct hyp_lpar *l = h->lpars[lpar];
    uint32_t pe;
    struct hyp_dma *d = calloc(1, sizeof *d);
    struct hyp_dma **dv = d ? realloc(h->dmas, (h->ndmas + 1) * sizeof *dv) : NULL;
    if (!dv) {
        free(d);
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    h->dmas = dv;
    h->dmas[h->ndmas++] = d;
    if (phb_add_pe(p, adapter_vf_rid(ad, vf), &pe) != 0 ||
        phb_map_mmio(p, h->mmio_next, VF_BAR_SIZE, pe, adapter_vf_bar(ad, vf)) != 0) {
        diag_set(err, &l->cfg->loc, "LPAR '%s': no PE or MMIO window left for VF %u",
                 l->cfg->key, vf);
        return NULL;
    }
    hcall_cost_ps(h->hcall, h->cpu, HCALL_VIOCTL, 1); /* enable the VF through the PF */
    *d = (struct hyp_dma){ h, phb_pe_table(p, pe), l->mem_base };
    struct vf_driver_wiring w = {
        .cpu = hypervisor_vp_port(h, lpar),
        .mmio = phb_mmio_port(p),
        .bar_base = h->mmio_next,
        .doorbell_stride = VF_DOORBELL_STRIDE,
        .queue_pairs = adapter_queue_pairs(ad),
        .wire_rx = adapter_vf_receive(ad, vf),
        .tce = { dma_map, dma_unmap, d },
        .io_page = tce_table_page_size(d->table),
        .window_base = phb_window_base(p),
    };
    h->mmio_next += VF_BAR_SIZE;
    struct vf_driver *drv = vf_driver_create(h->env, path, drv_cfg, &w);
    if (!drv) {
        diag_set(err, &l->cfg->loc, "LPAR '%s': cannot build the VF driver", l->cfg->key);
        return NULL;
    }
    struct vf_driver_layout lay = vf_driver_layout(drv);
    uint64_t mapped_end = drv_cfg->mapping == TCE_MAP_STATIC ? lay.end_ioba : lay.buffers_ioba;
    int rc = map_static(h, d, lay.rings_ioba, mapped_end);
    for (uint32_t qp = 0; rc == 0 && qp < adapter_queue_pairs(ad); qp++)
        rc = bind_queue(h, l, ad, vf, p, drv, qp, drv_cfg->irq_priority);
    if (rc != 0) {
        vf_driver_destroy(drv);
        diag_set(err, &l->cfg->loc, "LPAR '%s': cannot set up VF %u (DMA window or "
                 "interrupt sources exhausted)", l->cfg->key, vf);
        return NULL;
    }
    return drv;
}

sim_time_t hypervisor_retarget_irq(struct hypervisor *h, int lpar, uint32_t lisn, uint32_t vp)
{
    struct hyp_lpar *l = h->lpars[lpar];
    struct dispatch_vp *v = dispatch_lpar_vp(h->dispatch, (unsigned)l->dispatch_index, vp);
    sim_time_t cost;
    if (lisn >= l->nirqs || !v ||
        xive_controller_retarget(h->xive, l->irqs[lisn].src, dispatch_vp_id(v), &cost) != 0)
        return SIM_TIME_MAX;
    l->irqs[lisn].vp = vp;
    /* one H_INT_SET_SOURCE_CONFIG: counted with the hcalls; its time is
     * the router's retarget cost (EAS update and cache sync included) */
    hcall_cost_ps(h->hcall, h->cpu, HCALL_INT_SET_SOURCE_CONFIG, 1);
    return cost;
}
