/* cli/machine.c — machine builder (see machine.h).
 *
 * Build order: per system its hypervisor (CPU, dispatcher, XIVE,
 * hcalls); per adapter its slot's PHB (hardware path) and the adapter;
 * per LPAR its VPs, the VF assignment through the PF (which builds the
 * driver and programs DMA window, MSI-X and interrupt routing), the LPAR
 * accounting and its workload; finally the dispatchers start. */
#include "cli/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/machine_internal.h"
#include "cli/timeline_actions.h"
#include "models/adapter/adapter.h"
#include "models/adapter/vf.h"
#include "models/guest/irqbalance.h"
#include "models/guest/vf_driver.h"
#include "models/hypervisor/hypervisor.h"
#include "models/hypervisor/irq_manager.h"
#include "models/hypervisor/irq_stats.h"
#include "models/hypervisor/lpar.h"
#include "models/iommu/tce_table.h"
#include "models/pcie/phb.h"
#include "models/guest/eeh_core.h"
#include "models/hypervisor/adapter_switch.h"
#include "models/hypervisor/eeh_rtas.h"
#include "models/hypervisor/vf_assign.h"
#include "models/hypervisor/vf_pool.h"
#include "models/hypervisor/lpm_session.h"
#include "models/hypervisor/mover_link.h"
#include "workloads/workload.h"

#define MSI_SOURCES_PER_PHB 4096 /* PHB4 (skiboot hw/phb4.c) */

struct machine {
    struct hypervisor **hyps;
    size_t nsystems;
    struct phb **phbs;
    struct adapter **adapters;
    size_t nadapters;
    struct lpar **lpars;
    size_t nlpars;
    struct workload **workloads;
    struct lpar **workload_lpar;  /* whose each workload is */
    size_t nworkloads, cap_workloads;
    struct timeline *timeline;
    struct lpm_service *lpm;
    struct env *env;
    struct irqbalance **irqbalance;   /* per LPAR (kind irqbalance) */
    struct irq_manager **irq_managers; /* per system (kind metric-threshold) */
};

/* ---- building ----------------------------------------------------------- */

/* Every VP of the scenario: a system's dispatcher and interrupt
 * controller can hold that many, so any LPAR may move in at run time. */
static uint32_t all_vps(const struct cfg_node *root)
{
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    uint32_t vps = 0;
    for (size_t i = 0; i < lpars->nkids; i++)
        vps += (uint32_t)cfg_u64(lpars->kids[i], "vps");
    return vps;
}

static int build_systems(struct machine *m, struct env *e, const struct cfg_node *root,
                         struct diag *err)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    m->hyps = calloc(systems->nkids + 1, sizeof *m->hyps);
    if (!m->hyps)
        return diag_set(err, NULL, "out of memory");
    for (size_t s = 0; s < systems->nkids; s++) {
        const struct cfg_node *sys = systems->kids[s];
        m->hyps[s] = hypervisor_create(e, sys, all_vps(root),
                                       (uint32_t)cfg_find(sys, "adapters")->nkids, err);
        if (!m->hyps[s])
            return -1;
        m->nsystems = s + 1;
    }
    return 0;
}

static int phb_config(struct phb_config *c, const struct cfg_node *ad, struct diag *err)
{
    struct pe_rtt_config rc;
    pcie_link_config_from_cfg(&c->link, cfg_find(ad, "link"));
    if (pe_config_init(&c->pe, cfg_find(ad, "eeh"), err) != 0 ||
        tce_cache_config_init(&c->cache, cfg_find(ad, "tce_cache"), err) != 0 ||
        tce_table_config_init(&c->window, cfg_find(ad, "dma_window"), err) != 0 ||
        pe_rtt_config_init(&rc, cfg_find(ad, "phb"), err) != 0)
        return -1;
    c->window.page_size = machine_adapter_io_page(ad, c->window.page_size);
    c->pes = rc.pes;
    c->msi_sources = MSI_SOURCES_PER_PHB;
    return 0;
}

/* The slot's PHB (hardware path); its link is "S.A.link" to the timeline. */
static int build_phb(struct machine *m, struct env *e, size_t s, size_t i,
                     const struct cfg_node *ad, const char *sys, struct diag *err)
{
    char path[160];
    struct phb_config pc;
    if (phb_config(&pc, ad, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s.%s.phb", sys, ad->key);
    m->phbs[i] = phb_create(e, path, &pc);
    if (!m->phbs[i] || hypervisor_attach_phb(m->hyps[s], m->phbs[i]) != 0)
        return diag_set(err, &ad->loc, "cannot build the PHB of adapter '%s'", ad->key);
    snprintf(path, sizeof path, "%s.%s.link", sys, ad->key);
    env_register(e, path, &phb_link_ops, m->phbs[i]);
    return 0;
}

static int build_adapter(struct machine *m, struct env *e, size_t s, const struct cfg_node *ad,
                         struct diag *err)
{
    char path[160];
    const char *sys = cfg_find(ad, "")->parent->parent->key;
    struct pcie_upstream up = { 0 };
    size_t i = m->nadapters;
    if (strcmp(cfg_str(ad, "path"), "hardware") == 0) {
        if (build_phb(m, e, s, i, ad, sys, err) != 0)
            return -1;
        up = phb_upstream(m->phbs[i]);
    }
    snprintf(path, sizeof path, "%s.%s", sys, ad->key);
    m->adapters[i] = adapter_create(e, path, ad, up);
    if (!m->adapters[i])
        return diag_set(err, &ad->loc, "out of memory");
    m->nadapters++;
    return 0;
}

static int build_adapters(struct machine *m, struct env *e, const struct cfg_node *root,
                          struct diag *err)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    size_t n = machine_count_adapters(root);
    m->adapters = calloc(n + 1, sizeof *m->adapters);
    m->phbs = calloc(n + 1, sizeof *m->phbs);
    if (!m->adapters || !m->phbs)
        return diag_set(err, NULL, "out of memory");
    for (size_t s = 0; s < systems->nkids; s++) {
        const struct cfg_node *adapters = cfg_find(systems->kids[s], "adapters");
        for (size_t a = 0; a < adapters->nkids; a++)
            if (build_adapter(m, e, s, adapters->kids[a], err) != 0)
                return -1;
    }
    return 0;
}

/* What device d of the LPAR is before a VF is bound: its adapter's queue
 * pairs, or the VF's media queue on the abstract path. */
static int device_spec(struct machine *m, const struct cfg_node *root, const struct cfg_node *cfg,
                       size_t d, struct lpar_device_spec *out, struct diag *err)
{
    const struct cfg_node *dev = machine_device(cfg, d);
    const struct cfg_node *adapter_cfg = machine_device_adapter(root, cfg, dev, err);
    if (!adapter_cfg)
        return -1;
    struct adapter *ad = m->adapters[machine_adapter_index(root, adapter_cfg)];
    *out = (struct lpar_device_spec){
        .cfg = dev, .name = d == 0 ? "" : dev->key,
        .queue_pairs = adapter_queue_pairs(ad), .abstract = adapter_is_abstract(ad),
    };
    if (out->abstract) {
        out->sink = adapter_vf_sink(ad, (unsigned)cfg_u64(dev, "vf"));
        out->latency = adapter_submit_latency(ad);
    }
    return 0;
}

/* Whether a device may switch adapters: it names a standby, or a
 * timeline item switches it. */
static bool may_switch(const struct cfg_node *root, struct lpar *l, const struct lpar_device *d)
{
    const struct cfg_node *sb = cfg_find(d->cfg, "standby");
    if (sb && sb->v.s[0])
        return true;
    const struct cfg_node *tl = cfg_find(root, "timeline");
    for (size_t i = 0; tl && i < tl->nkids; i++) {
        const struct cfg_node *it = tl->kids[i];
        if (strcmp(cfg_str(it, "action"), "switch_adapter") == 0 &&
            strcmp(cfg_str(it, "lpar"), lpar_name(l)) == 0 &&
            strcmp(cfg_str(it, "device"), d->name) == 0)
            return true;
    }
    return false;
}

/* The guest's driver for device d (component lpar.NAME.driver, or
 * lpar.NAME.DEVICE.driver), wired to the device's ports, and the VF
 * assigned to it through the PF. */
static int build_driver(struct machine *m, const struct cfg_node *root, struct env *e,
                        struct lpar *l, struct lpar_device *dev, struct diag *err)
{
    const struct cfg_node *adapter_cfg = machine_device_adapter(root, lpar_cfg(l), dev->cfg, err);
    if (!adapter_cfg)
        return -1;
    size_t ai = machine_adapter_index(root, adapter_cfg);
    struct adapter *ad = m->adapters[ai];
    struct phb *p = m->phbs[ai];
    struct vf_driver_wiring w = {
        .cpu = lpar_vp_port(l),
        .mmio = lpar_device_mmio_port(dev),
        .bar_base = dev->guest_bar,
        .doorbell_stride = VF_DOORBELL_STRIDE,
        .queue_pairs = dev->queue_pairs,
        .wire_rx = lpar_device_rx_port(dev),
        .tce = lpar_device_tce_port(dev),
        .io_page = phb_io_page(p),
        .window_base = phb_window_base(p),
    };
    dev->network = adapter_is_network(ad);
    if (dev->drv_cfg.managed < 0) /* auto: NVMe's vectors are managed, a NIC's not */
        dev->drv_cfg.managed = !dev->network;
    struct vf_driver *drv = vf_driver_create(e, dev->path, &dev->drv_cfg, &w);
    bool vnic = vf_pool_is_vnic(dev->cfg); /* its VFs are the hypervisor's, not its EEH */
    struct eeh_core *eeh = drv && !vnic ? eeh_core_create(e, l, drv, &dev->drv_cfg, w.mmio,
                                                          w.bar_base, lpar_device_rtas_port(dev))
                                        : NULL;
    if (!drv || (!vnic && !eeh)) {
        vf_driver_destroy(drv);
        return diag_set(err, &lpar_cfg(l)->loc, "LPAR '%s': cannot build the VF driver",
                        lpar_name(l));
    }
    lpar_device_set_driver(dev, drv, eeh);
    sim_time_t cost;
    struct hypervisor *h = m->hyps[machine_system_index(root, cfg_str(lpar_cfg(l), "system"))];
    if (!vf_assign(h, dev, ad, (unsigned)cfg_u64(dev->cfg, "vf"), p, &cost, err))
        return -1;
    if (vnic && !(dev->pool = vf_pool_create(h, dev, err)))
        return -1;
    if (eeh)
        eeh_core_declare(eeh);
    if (may_switch(root, l, dev))
        adapter_switch_declare(dev);
    return 0;
}

/* The LPAR object with its devices, placed on its system, a driver and
 * a VF for each device on the hardware path. */
static struct lpar *build_lpar(struct machine *m, struct env *e, const struct cfg_node *root,
                               const struct cfg_node *cfg, struct diag *err)
{
    size_t n = machine_device_count(cfg);
    struct lpar_device_spec *specs = calloc(n, sizeof *specs);
    if (!specs) {
        diag_set(err, &cfg->loc, "out of memory");
        return NULL;
    }
    struct lpar *l = NULL;
    size_t d = 0;
    while (d < n && device_spec(m, root, cfg, d, &specs[d], err) == 0)
        d++;
    if (d == n)
        l = lpar_create(e, cfg->key, cfg, specs, n, err);
    free(specs);
    if (!l)
        return NULL;
    struct hypervisor *h = m->hyps[machine_system_index(root, cfg_str(cfg, "system"))];
    int rc = hypervisor_add_lpar(h, l, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!lpar_device(l, i)->sink.submit)
            rc = build_driver(m, root, e, l, lpar_device(l, i), err);
    if (rc != 0) {
        lpar_destroy(l);
        return NULL;
    }
    return l;
}

struct build_ctx {
    struct machine *m;
    struct env *e;
    struct diag *err;
    struct lpar *lpar;
    struct workload_ports ports;
};

/* Component path lpar.NAME.KEY: KEY is `workload` for the single one
 * (its node's key), the item's name in `workloads`. */
static int build_workload(void *ctx, const struct cfg_node *lpar, const struct cfg_node *w)
{
    struct build_ctx *bc = ctx;
    struct machine *m = bc->m;
    char path[160];
    snprintf(path, sizeof path, "lpar.%s.%s", lpar->key, w->key);
    if (m->nworkloads == m->cap_workloads) {
        size_t cap = m->cap_workloads ? 2 * m->cap_workloads : 16;
        struct workload **v = realloc(m->workloads, cap * sizeof *v);
        if (v)
            m->workloads = v;
        struct lpar **o = v ? realloc(m->workload_lpar, cap * sizeof *o) : NULL;
        if (!o)
            return diag_set(bc->err, NULL, "out of memory");
        m->workload_lpar = o;
        m->cap_workloads = cap;
    }
    int dev = machine_workload_device(lpar, w, bc->err);
    if (dev < 0)
        return -1;
    bc->ports.io = lpar_issue_port(bc->lpar, (size_t)dev);
    struct workload *wl = workload_create(bc->e, path, w, &bc->ports, bc->err);
    if (!wl)
        return -1;
    m->workload_lpar[m->nworkloads] = bc->lpar;
    m->workloads[m->nworkloads++] = wl;
    return 0;
}

static int count_io(void *ctx, const struct cfg_node *lpar, const struct cfg_node *w)
{
    (void)lpar;
    *(int *)ctx += workload_does_io(w);
    return 0;
}

static int build_lpars(struct machine *m, struct env *e, const struct cfg_node *root,
                       struct diag *err)
{
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    m->lpars = calloc(lpars->nkids + 1, sizeof *m->lpars);
    if (!m->lpars)
        return diag_set(err, NULL, "out of memory");
    if (e->trace_out && !e->trace_lpar && lpars->nkids)
        e->trace_lpar = lpars->kids[0]->key;
    for (size_t i = 0; i < lpars->nkids; i++) {
        const struct cfg_node *cfg = lpars->kids[i];
        struct lpar *l = build_lpar(m, e, root, cfg, err);
        if (!l)
            return -1;
        m->lpars[m->nlpars++] = l;
        struct build_ctx bc = { m, e, err, l, {
            .cpu = lpar_vp_port(l),
            .mem = lpar_memory_dirty_port(lpar_memory(l)),
        } };
        int io_workloads = 0;
        machine_each_workload(cfg, count_io, &io_workloads);
        bc.ports.own_latency = io_workloads > 1;
        if (machine_each_workload(cfg, build_workload, &bc) != 0)
            return -1;
    }
    return 0;
}

/* The scenario's load changes (timeline `set` actions), for the time to
 * settle of each system's interrupt reassignments. */
static void load_changes(struct machine *m, const struct cfg_node *root)
{
    const struct cfg_node *tl = cfg_find(root, "timeline");
    sim_time_t t[64];
    size_t n = 0;
    for (size_t i = 0; tl && i < tl->nkids && n < 64; i++)
        if (strcmp(cfg_str(tl->kids[i], "action"), "set") == 0)
            t[n++] = cfg_u64(tl->kids[i], "at");
    for (size_t s = 0; s < m->nsystems; s++)
        irq_stats_load_changes(hypervisor_irq_stats(m->hyps[s]), t, n);
}

/* policies.interrupts: the per-VP load series, and the managers. */
static int build_irq_policy(struct machine *m, struct env *e, const struct cfg_node *root,
                            struct diag *err)
{
    const struct cfg_node *pol = cfg_find(root, "policies.interrupts");
    enum irq_policy kind = irq_policy_of(pol);
    load_changes(m, root);
    for (size_t s = 0; pol && !pol->is_default && s < m->nsystems; s++)
        irq_stats_record(hypervisor_irq_stats(m->hyps[s]));
    m->irqbalance = calloc(m->nlpars + 1, sizeof *m->irqbalance);
    m->irq_managers = calloc(m->nsystems + 1, sizeof *m->irq_managers);
    if (!m->irqbalance || !m->irq_managers)
        return diag_set(err, NULL, "out of memory");
    for (size_t i = 0; i < m->nlpars; i++) {
        struct lpar *l = m->lpars[i];
        if (cfg_bool(root, "stats.p99_series"))
            lpar_record_p99(l);
        if (pol && cfg_bool(pol, "load_series") && lpar_record_vp_load(l) != 0)
            return diag_set(err, NULL, "out of memory");
        if (kind != IRQ_POLICY_IRQBALANCE || lpar_lirq_count(l) == 0)
            continue;
        struct guest_irq_port port;
        struct hypervisor *h = m->hyps[machine_system_index(root, cfg_str(lpar_cfg(l), "system"))];
        if (lpar_guest_irq_port(l, &port) != 0)
            return diag_set(err, NULL, "out of memory");
        m->irqbalance[i] = irqbalance_create(e, lpar_name(l), &port,
                                             hypervisor_threads_per_core(h),
                                             cfg_find(pol, "irqbalance"), err);
        if (!m->irqbalance[i])
            return -1;
    }
    for (size_t s = 0; kind == IRQ_POLICY_METRIC && s < m->nsystems; s++)
        if (!(m->irq_managers[s] = irq_manager_create(e, m->hyps[s],
                                                      cfg_find(pol, "metric_threshold"), err)))
            return -1;
    return 0;
}

/* The migration service: every system, the mover links, and lpm.<L>
 * declared for every LPAR a `migrate` names. */
static int build_mobility(struct machine *m, struct env *e, const struct cfg_node *root,
                          struct diag *err)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    const struct cfg_node *links = cfg_find(root, "links");
    const struct cfg_node *tl = cfg_find(root, "timeline");
    if (!(m->lpm = lpm_service_create(e)))
        return diag_set(err, NULL, "out of memory");
    for (size_t s = 0; s < m->nsystems; s++)
        if (lpm_service_add_system(m->lpm, m->hyps[s], cfg_find(systems->kids[s], "lpm")) != 0)
            return diag_set(err, NULL, "out of memory");
    for (size_t i = 0; links && i < links->nkids; i++) {
        struct mover_link *l = mover_link_create(e, links->kids[i], err);
        if (!l)
            return -1;
        if (lpm_service_add_link(m->lpm, l) != 0) {
            mover_link_destroy(l);
            return diag_set(err, NULL, "out of memory");
        }
    }
    for (size_t i = 0; tl && i < tl->nkids; i++) {
        if (strcmp(cfg_str(tl->kids[i], "action"), "migrate") != 0)
            continue;
        const char *name = cfg_str(tl->kids[i], "lpar");
        for (size_t k = 0; k < m->nlpars; k++)
            if (strcmp(lpar_name(m->lpars[k]), name) == 0 &&
                lpm_service_declare(m->lpm, m->lpars[k]) != 0)
                return diag_set(err, NULL, "out of memory");
    }
    return 0;
}

struct machine *machine_build(struct env *e, struct cfg_node *root, struct diag *err)
{
    if (machine_check(root, err) != 0)
        return NULL;
    struct machine *m = calloc(1, sizeof *m);
    if (!m) {
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    m->env = e;
    if (build_systems(m, e, root, err) != 0 || build_adapters(m, e, root, err) != 0 ||
        build_lpars(m, e, root, err) != 0 || build_irq_policy(m, e, root, err) != 0 ||
        build_mobility(m, e, root, err) != 0)
        goto fail;
    for (size_t s = 0; s < m->nsystems; s++)
        if (hypervisor_start(m->hyps[s], err) != 0)
            goto fail;
    const struct timeline_action *const *acts;
    size_t nacts = timeline_actions(&acts);
    e->skip_step = cfg_str(root, "debug.skip_step");
    e->stuck_after = cfg_u64(root, "debug.stuck_after");
    if (!(m->timeline = timeline_create(e, root, acts, nacts, m))) {
        diag_set(err, NULL, "out of memory");
        goto fail;
    }
    return m;
fail:
    machine_destroy(m);
    return NULL;
}

static void start_workload(void *ctx, uint64_t arg)
{
    struct machine *m = ctx;
    workload_start_from(m->workloads[arg], kernel_now(m->env->k));
}

/* A workload starts when its LPAR starts running (activate_at + boot),
 * unless the scenario gives its `start`. */
void machine_start(struct machine *m)
{
    for (size_t i = 0; i < m->nlpars; i++)
        lpar_start(m->lpars[i]);
    for (size_t i = 0; i < m->nworkloads; i++) {
        const struct cfg_node *lc = lpar_cfg(m->workload_lpar[i]);
        sim_time_t runs = cfg_u64(lc, "activate_at") + cfg_u64(lc, "boot");
        if (runs == 0 || workload_start_given(m->workloads[i]))
            workload_start(m->workloads[i]);
        else
            kernel_schedule_at(m->env->k, runs, start_workload, m, i);
    }
    timeline_start(m->timeline);
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    timeline_destroy(m->timeline);
    for (size_t i = 0; m->irqbalance && i < m->nlpars; i++)
        irqbalance_destroy(m->irqbalance[i]);
    for (size_t s = 0; m->irq_managers && s < m->nsystems; s++)
        irq_manager_destroy(m->irq_managers[s]);
    free(m->irqbalance);
    free(m->irq_managers);
    lpm_service_destroy(m->lpm);
    for (size_t i = 0; i < m->nworkloads; i++)
        workload_destroy(m->workloads[i]);
    for (size_t i = 0; i < m->nlpars; i++)
        lpar_destroy(m->lpars[i]);
    for (size_t i = 0; i < m->nadapters; i++) {
        adapter_destroy(m->adapters[i]);
        phb_destroy(m->phbs[i]);
    }
    for (size_t s = 0; s < m->nsystems; s++)
        hypervisor_destroy(m->hyps[s]);
    free(m->hyps);
    free(m->workloads);
    free(m->workload_lpar);
    free(m->lpars);
    free(m->adapters);
    free(m->phbs);
    free(m);
}
