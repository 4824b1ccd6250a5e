/* models/hypervisor/hypervisor.c — a system's hypervisor (see
 * hypervisor.h): its processor, dispatcher, interrupt controller and
 * hcall accounting, and the placement of LPARs on them. The partition
 * services live in dma_window.c, vf_assign.c and lirq.c. */
#include "models/hypervisor/hypervisor_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hypervisor/adapter_switch.h"
#include "models/hypervisor/irq_stats.h"
#include "models/hypervisor/lirq.h"
#include "models/hypervisor/lpar.h"
#include "models/hypervisor/vf_assign.h"

/* MMIO space handed out to VF BARs: from here, one BAR after another. */
#define MMIO_BASE UINT64_C(0x0006000000000000)

/* ---- the processor, as LPARs and the interrupt controller use it --------- */

/* VP `vp` of the LPAR with dispatcher index `dispatch_lpar`; NULL for an
 * LPAR not on this dispatcher (index -1) or a VP it does not have. */
static struct dispatch_vp *lpar_vp(struct hypervisor *h, int dispatch_lpar, uint32_t vp)
{
    return dispatch_lpar < 0 ? NULL
                             : dispatch_lpar_vp(h->dispatch, (unsigned)dispatch_lpar, vp);
}

int hypervisor_run(struct hypervisor *h, int dispatch_lpar, uint32_t vp, uint64_t cycles,
                   event_fn fn, void *fctx, uint64_t arg)
{
    struct dispatch_vp *v = lpar_vp(h, dispatch_lpar, vp);
    return v ? dispatch_submit(v, cycles, fn, fctx, arg) : -1;
}

/* An IPI on POWER9 is a XIVE interrupt (Linux xive_cause_ipi: a store to
 * the IPI source's trigger page): an interrupt job on the VP, and, for a
 * ceded shared VP, the escalation that wakes it. */
int hypervisor_ipi(struct hypervisor *h, int dispatch_lpar, uint32_t vp, uint64_t cycles,
                   event_fn fn, void *fctx, uint64_t arg)
{
    struct dispatch_vp *v = lpar_vp(h, dispatch_lpar, vp);
    if (!v || dispatch_submit_irq(v, cycles + xive_controller_eoi_cycles(h->xive), fn, fctx,
                                  arg) != 0)
        return -1;
    dispatch_escalate(v);
    return 0;
}

int hypervisor_run_softirq(struct hypervisor *h, int dispatch_lpar, uint32_t vp, uint64_t cycles,
                           event_fn fn, void *fctx, uint64_t arg)
{
    struct dispatch_vp *v = lpar_vp(h, dispatch_lpar, vp);
    return v ? dispatch_submit_softirq(v, cycles, fn, fctx, arg) : -1;
}

uint32_t hypervisor_vp_id(struct hypervisor *h, int dispatch_lpar, uint32_t vp)
{
    struct dispatch_vp *v = lpar_vp(h, dispatch_lpar, vp);
    return v ? dispatch_vp_id(v) : UINT32_MAX;
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

static struct xive_controller *build_xive(struct hypervisor *h, const struct cfg_node *system_cfg,
                                          const struct cpu_config *cc, uint32_t vp_capacity,
                                          uint32_t phbs, struct xive_router_config *xc,
                                          struct diag *err)
{
    char path[128];
    xive_router_config_init(xc, cfg_find(system_cfg, "xive"), err);
    /* the machine decides these three: every thread, VP and PHB source */
    xc->threads = cc->cores * cc->threads_per_core;
    xc->vps = vp_capacity ? vp_capacity : 1;
    xc->eas_entries = (phbs ? phbs : 1) * 4096u;
    /* one cost for H_INT_SET_SOURCE_CONFIG: the hcall's */
    xc->retarget_ps = cpu_cycles_to_ps(h->cpu,
                                       hcall_cycles(h->hcall, HCALL_INT_SET_SOURCE_CONFIG, 1));
    /* the ESB load-EOI: the thread waits for it, at its frequency */
    xc->eoi_cycles = (uint64_t)(((unsigned __int128)xc->eoi_load_ps * cc->frequency_hz +
                                 UINT64_C(999999999999)) / UINT64_C(1000000000000));
    snprintf(path, sizeof path, "%s.xive", system_cfg->key);
    return xive_controller_create(h->env, path, xc,
                                  (struct vp_irq_port){ submit_irq, h, escalate });
}

struct hypervisor *hypervisor_create(struct env *e, const struct cfg_node *system_cfg,
                                     uint32_t vp_capacity, uint32_t phbs, struct diag *err)
{
    struct hypervisor *h = calloc(1, sizeof *h);
    if (!h) {
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    h->env = e;
    h->cfg = system_cfg;
    h->mmio_next = MMIO_BASE;
    snprintf(h->name, sizeof h->name, "%s", system_cfg->key);
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
    struct xive_router_config xc = { 0 };
    h->xive = h->cpu && h->hcall ? build_xive(h, system_cfg, &cc, vp_capacity, phbs, &xc, err)
                                 : NULL;
    struct dispatch_config dc;
    dispatch_config_init(&dc, cfg_find(system_cfg, "dispatch"));
    dc.vp_capacity = xc.vps; /* VP ids are the XIVE's VP numbers */
    h->dispatch = h->xive ? dispatch_create(e, h->path, h->cpu, &dc) : NULL;
    if (h->dispatch)
        dispatch_set_hcall(h->dispatch, h->hcall);
    adapter_switch_config(h, cfg_find(system_cfg, "switch"));
    struct dispatch_listener dl = { vp_dispatched, vp_undispatched, h };
    h->irq = irq_stats_create(e, h->name);
    if (!h->dispatch || !h->hcall || !h->xive || !h->irq ||
        dispatch_add_listener(h->dispatch, &dl) != 0) {
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
    /* the VFs still assigned at the end: their records only (the machine
     * is being torn down, nothing is unwired) */
    for (size_t i = 0; i < h->nbindings; i++)
        vf_binding_free(h->bindings[i]);
    free(h->bindings);
    irq_stats_destroy(h->irq);
    xive_controller_destroy(h->xive);
    hcall_destroy(h->hcall);
    dispatch_destroy(h->dispatch);
    cpu_destroy(h->cpu);
    free(h);
}

const char *hypervisor_name(const struct hypervisor *h)
{
    return h->name;
}

/* ---- LPARs -------------------------------------------------------------- */

int hypervisor_add_lpar(struct hypervisor *h, struct lpar *l, struct diag *err)
{
    return hypervisor_place_lpar(h, l, NULL, err);
}

int hypervisor_place_lpar(struct hypervisor *h, struct lpar *l, const struct dispatch_saved *saved,
                          struct diag *err)
{
    uint64_t memory = cfg_param(lpar_cfg(l), lpar_params, "memory").u;
    uint64_t base = hypervisor_reserve_memory(h, memory);
    if (hypervisor_place_reserved(h, l, saved, base, err) != 0) {
        hypervisor_release_memory(h, memory);
        return -1;
    }
    return 0;
}

uint64_t hypervisor_reserve_memory(struct hypervisor *h, uint64_t bytes)
{
    uint64_t base = h->mem_next;
    h->mem_next += bytes;
    h->mem_used += bytes;
    return base;
}

void hypervisor_release_memory(struct hypervisor *h, uint64_t bytes)
{
    h->mem_used -= bytes;
}

void hypervisor_retake_memory(struct hypervisor *h, uint64_t bytes)
{
    h->mem_used += bytes;
}

uint64_t hypervisor_memory_size(const struct hypervisor *h)
{
    return cfg_u64(h->cfg, "memory");
}

int hypervisor_place_reserved(struct hypervisor *h, struct lpar *l,
                              const struct dispatch_saved *saved, uint64_t mem_base,
                              struct diag *err)
{
    const struct cfg_node *cfg = lpar_cfg(l);
    struct dispatch_lpar_config dc;
    dispatch_lpar_config_init(&dc, cfg, cfg ? cfg_find(cfg, "processors") : NULL);
    struct diag derr = { 0 };
    int idx = dispatch_add_lpar(h->dispatch, lpar_path(l), &dc, NULL, saved, &derr);
    if (idx < 0) {
        const struct cfg_node *proc = cfg ? cfg_find(cfg, "processors") : NULL;
        return diag_set(err, proc ? cfg_loc(proc, "entitlement") : cfg ? &cfg->loc : NULL,
                        "LPAR '%s': %s", lpar_name(l), derr.msg);
    }
    struct lpar_placement p = { h, idx, mem_base };
    lpar_place(l, &p);
    return 0;
}

/* A PE of one of the system's slots froze: a device with a standby
 * adapter is switched to it (the guest never notices); any other is the
 * guest's to notice and recover. */
static void pe_frozen(void *ctx, uint32_t pe, const char *why)
{
    (void)why;
    struct hyp_slot *s = ctx;
    adapter_switch_on_freeze(s->h, s->phb, pe);
}

int hypervisor_remove_lpar(struct hypervisor *h, struct lpar *l, struct dispatch_saved *saved)
{
    const struct lpar_placement *p = lpar_placement(l);
    if (p->hyp != h || dispatch_remove_lpar(h->dispatch, (unsigned)p->dispatch_lpar, saved) != 0)
        return -1;
    h->mem_used -= cfg_param(lpar_cfg(l), lpar_params, "memory").u;
    lpar_place(l, &(struct lpar_placement){ NULL, -1, 0 });
    return 0;
}

uint64_t hypervisor_memory_used(const struct hypervisor *h)
{
    return h->mem_used;
}

int hypervisor_attach_phb(struct hypervisor *h, struct phb *p)
{
    uint32_t base;
    if (xive_controller_attach(h->xive, phb_sources(p), &base) != 0)
        return -1;
    phb_connect_irq(p, xive_controller_trigger_port(h->xive), base);
    for (size_t i = 0; i < XIVE_MAX_BLOCKS; i++)
        if (!h->slots[i].h) {
            h->slots[i] = (struct hyp_slot){ h, p };
            phb_set_freeze_listener(p, &(struct phb_freeze_listener){ pe_frozen, &h->slots[i] });
            return 0;
        }
    return -1;
    return 0;
}

int hypervisor_start(struct hypervisor *h, struct diag *err)
{
    return dispatch_start(h->dispatch, err);
}

sim_time_t hypervisor_retarget_irq(struct hypervisor *h, struct lpar *l, uint32_t lisn,
                                   uint32_t vp)
{
    struct lirq *li = lpar_lirq(l, lisn);
    return li ? lirq_retarget(h, li, vp) : SIM_TIME_MAX;
}

/* ---- what interrupt managers read (models/guest/irqbalance.c,
 * irq_manager.c) ------------------------------------------------------------ */

int hypervisor_vp_work(struct hypervisor *h, int dispatch_lpar, uint32_t vp, uint64_t *irq,
                       uint64_t *task)
{
    struct dispatch_vp *v = lpar_vp(h, dispatch_lpar, vp);
    if (!v)
        return -1;
    *irq = dispatch_vp_work(v, DISPATCH_WORK_IRQ) + dispatch_vp_work(v, DISPATCH_WORK_SOFTIRQ);
    *task = dispatch_vp_work(v, DISPATCH_WORK_TASK);
    return 0;
}

int hypervisor_source_stats(struct hypervisor *h, uint32_t src, uint64_t *handled,
                            sim_time_t *latency)
{
    return xive_controller_source_stats(h->xive, src, handled, latency);
}

sim_time_t hypervisor_cycles_ps(const struct hypervisor *h, uint64_t cycles)
{
    return cpu_cycles_to_ps(h->cpu, cycles);
}

uint64_t hypervisor_retarget_cycles(const struct hypervisor *h)
{
    return hcall_cycles(h->hcall, HCALL_INT_SET_SOURCE_CONFIG, 1);
}

uint32_t hypervisor_threads_per_core(const struct hypervisor *h)
{
    return cpu_threads_per_core(h->cpu);
}

struct irq_stats *hypervisor_irq_stats(struct hypervisor *h)
{
    return h->irq;
}
