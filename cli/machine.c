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
#include "models/adapter/adapter.h"
#include "models/guest/vf_driver.h"
#include "models/hypervisor/hypervisor.h"
#include "models/hypervisor/lpar.h"
#include "models/iommu/tce_table.h"
#include "models/pcie/phb.h"
#include "models/hypervisor/lpar_memory.h"
#include "workloads/workload.h"

#define MSI_SOURCES_PER_PHB 4096 /* PHB4 (REFERENCE.md "PHB / PCIe on POWER") */

struct machine {
    struct hypervisor **hyps;
    size_t nsystems;
    struct phb **phbs;
    struct adapter **adapters;
    size_t nadapters;
    struct lpar **lpars;
    struct vf_driver **drivers;
    struct lpar_memory **memories;
    size_t nlpars;
    struct workload **workloads;
    size_t nworkloads, cap_workloads;
};

/* ---- building ----------------------------------------------------------- */

static int build_systems(struct machine *m, struct env *e, const struct cfg_node *root,
                         struct diag *err)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    m->hyps = calloc(systems->nkids + 1, sizeof *m->hyps);
    if (!m->hyps)
        return diag_set(err, NULL, "out of memory");
    for (size_t s = 0; s < systems->nkids; s++) {
        const struct cfg_node *sys = systems->kids[s];
        uint32_t vps = 0;
        for (size_t i = 0; i < lpars->nkids; i++)
            if (strcmp(cfg_str(lpars->kids[i], "system"), sys->key) == 0)
                vps += (uint32_t)cfg_u64(lpars->kids[i], "vps");
        m->hyps[s] = hypervisor_create(e, sys, vps,
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
    c->pes = rc.pes;
    c->msi_sources = MSI_SOURCES_PER_PHB;
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
        struct phb_config pc;
        if (phb_config(&pc, ad, err) != 0)
            return -1;
        snprintf(path, sizeof path, "%s.%s.phb", sys, ad->key);
        m->phbs[i] = phb_create(e, path, &pc);
        if (!m->phbs[i] || hypervisor_attach_phb(m->hyps[s], m->phbs[i]) != 0)
            return diag_set(err, &ad->loc, "cannot build the PHB of adapter '%s'", ad->key);
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

/* The LPAR's VPs, its VF (driver included) and its accounting. */
static struct lpar *build_lpar(struct machine *m, struct env *e, const struct cfg_node *root,
                               const struct cfg_node *cfg, size_t i, struct diag *err)
{
    const struct cfg_node *adapter_cfg = machine_lpar_adapter(root, cfg, err);
    if (!adapter_cfg)
        return NULL;
    size_t ai = machine_adapter_index(root, adapter_cfg);
    struct hypervisor *h = m->hyps[machine_system_index(root, cfg_str(cfg, "system"))];
    struct adapter *ad = m->adapters[ai];
    unsigned vf = (unsigned)cfg_u64(cfg, "vf");
    int li = hypervisor_add_lpar(h, cfg, err);
    if (li < 0)
        return NULL;
    if (adapter_is_abstract(ad))
        return lpar_create(e, cfg->key, cfg, adapter_vf_sink(ad, vf), adapter_submit_latency(ad));
    struct vf_driver_config dc;
    char path[128];
    vf_driver_config_init(&dc, cfg_find(cfg, "driver"));
    snprintf(path, sizeof path, "lpar.%s.driver", cfg->key);
    m->drivers[i] = hypervisor_assign_vf(h, li, ad, vf, m->phbs[ai], path, &dc, err);
    if (!m->drivers[i])
        return NULL;
    return lpar_create(e, cfg->key, cfg, vf_driver_sink(m->drivers[i]), 0);
}

struct build_ctx {
    struct machine *m;
    struct env *e;
    struct diag *err;
    struct workload_ports ports;
};

/* Component path: lpar.NAME.workload for the single one, else
 * lpar.NAME.ITEM. */
static int build_workload(void *ctx, const struct cfg_node *lpar, const struct cfg_node *w)
{
    struct build_ctx *bc = ctx;
    struct machine *m = bc->m;
    char path[160];
    snprintf(path, sizeof path, "lpar.%s.%s", lpar->key,
             strcmp(w->key, "workload") == 0 && w->kind == CFG_STRUCT &&
                     w->parent == lpar ? "workload" : w->key);
    if (m->nworkloads == m->cap_workloads) {
        size_t cap = m->cap_workloads ? 2 * m->cap_workloads : 16;
        struct workload **v = realloc(m->workloads, cap * sizeof *v);
        if (!v)
            return diag_set(bc->err, NULL, "out of memory");
        m->workloads = v;
        m->cap_workloads = cap;
    }
    struct workload *wl = workload_create(bc->e, path, w, &bc->ports, bc->err);
    if (!wl)
        return -1;
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
    m->drivers = calloc(lpars->nkids + 1, sizeof *m->drivers);
    m->memories = calloc(lpars->nkids + 1, sizeof *m->memories);
    if (!m->lpars || !m->memories || !m->drivers)
        return diag_set(err, NULL, "out of memory");
    if (e->trace_out && !e->trace_lpar && lpars->nkids)
        e->trace_lpar = lpars->kids[0]->key;
    for (size_t i = 0; i < lpars->nkids; i++) {
        const struct cfg_node *cfg = lpars->kids[i];
        struct lpar *l = build_lpar(m, e, root, cfg, i, err);
        m->nlpars = i + 1;
        if (!l)
            return err->msg[0] ? -1 : diag_set(err, &cfg->loc, "out of memory");
        m->lpars[i] = l;
        char path[128];
        snprintf(path, sizeof path, "lpar.%s.memory", cfg->key);
        m->memories[i] = lpar_memory_create(e, path, cfg_u64(cfg, "memory"), cfg_find(cfg, "pages"),
                                             err);
        if (!m->memories[i])
            return -1;
        struct build_ctx bc = { m, e, err, {
            .io = lpar_issue_port(l),
            .cpu = hypervisor_vp_port(m->hyps[machine_system_index(root, cfg_str(cfg, "system"))],
                                      hypervisor_lpar_count(
                                          m->hyps[machine_system_index(root, cfg_str(cfg, "system"))]) - 1),
            .mem = lpar_memory_dirty_port(m->memories[i]),
        } };
        int io_workloads = 0;
        machine_each_workload(cfg, count_io, &io_workloads);
        bc.ports.own_latency = io_workloads > 1;
        if (machine_each_workload(cfg, build_workload, &bc) != 0)
            return -1;
    }
    return 0;
}

struct machine *machine_build(struct env *e, const struct cfg_node *root, struct diag *err)
{
    if (machine_check(root, err) != 0)
        return NULL;
    struct machine *m = calloc(1, sizeof *m);
    if (!m) {
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    if (build_systems(m, e, root, err) != 0 || build_adapters(m, e, root, err) != 0 ||
        build_lpars(m, e, root, err) != 0)
        goto fail;
    for (size_t s = 0; s < m->nsystems; s++)
        if (hypervisor_start(m->hyps[s], err) != 0)
            goto fail;
    return m;
fail:
    machine_destroy(m);
    return NULL;
}

void machine_start(struct machine *m)
{
    for (size_t i = 0; i < m->nworkloads; i++)
        workload_start(m->workloads[i]);
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nworkloads; i++)
        workload_destroy(m->workloads[i]);
    for (size_t i = 0; i < m->nlpars; i++) {
        lpar_memory_destroy(m->memories[i]);
        lpar_destroy(m->lpars[i]);
        vf_driver_destroy(m->drivers[i]);
    }
    for (size_t i = 0; i < m->nadapters; i++) {
        adapter_destroy(m->adapters[i]);
        phb_destroy(m->phbs[i]);
    }
    for (size_t s = 0; s < m->nsystems; s++)
        hypervisor_destroy(m->hyps[s]);
    free(m->hyps);
    free(m->workloads);
    free(m->memories);
    free(m->drivers);
    free(m->lpars);
    free(m->adapters);
    free(m->phbs);
    free(m);
}
