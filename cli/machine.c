/* cli/machine.c — machine builder (see machine.h). */
#include "cli/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/adapter/adapter.h"
#include "models/hypervisor/lpar.h"
#include "models/hypervisor/system.h"
#include "sim/suggest.h"
#include "sim/units.h"
#include "workloads/storage.h"

struct machine {
    struct adapter **adapters;
    size_t nadapters;
    struct lpar **lpars;
    struct storage_workload **workloads;
    size_t nlpars;
};

/* Index of the adapter among all systems' adapters, in scenario order. */
static size_t adapter_index(const struct cfg_node *root, const struct cfg_node *adapter)
{
    size_t idx = 0;
    const struct cfg_node *systems = cfg_find(root, "systems");
    for (size_t s = 0; s < systems->nkids; s++) {
        const struct cfg_node *adapters = cfg_find(systems->kids[s], "adapters");
        for (size_t a = 0; a < adapters->nkids; a++, idx++)
            if (adapters->kids[a] == adapter)
                return idx;
    }
    return idx;
}

static size_t count_adapters(const struct cfg_node *root)
{
    size_t n = 0;
    const struct cfg_node *systems = cfg_find(root, "systems");
    for (size_t s = 0; s < systems->nkids; s++)
        n += cfg_find(systems->kids[s], "adapters")->nkids;
    return n;
}

/* Resolves an LPAR's adapter and VF; reports what is wrong. */
static const struct cfg_node *lpar_adapter(const struct cfg_node *root,
                                           const struct cfg_node *lpar,
                                           struct diag *err)
{
    const char *sys_name = cfg_str(lpar, "system");
    const char *ad_name = cfg_str(lpar, "adapter");
    const struct cfg_node *system = cfg_item(cfg_find(root, "systems"), sys_name);
    const struct cfg_node *adapter = system ? cfg_item(cfg_find(system, "adapters"), ad_name) : NULL;
    if (!adapter) {
        const char *names[64];
        size_t n = 0;
        const struct cfg_node *adapters = system ? cfg_find(system, "adapters") : NULL;
        for (size_t i = 0; adapters && i < adapters->nkids && n < 64; i++)
            names[n++] = adapters->kids[i]->key;
        const char *near = suggest_closest(ad_name, names, n);
        char shown[64]; /* user text: control characters escaped, length bounded */
        unit_show(ad_name, shown, sizeof shown);
        diag_set(err, cfg_loc(lpar, "adapter"),
                 "'adapter' refers to '%s', but system '%s' has no adapter named '%s'%s%s%s",
                 shown, sys_name, shown, near ? " (did you mean '" : "",
                 near ? near : "", near ? "'?)" : "");
        return NULL;
    }
    uint64_t vf = cfg_u64(lpar, "vf");
    uint64_t nvfs = cfg_u64(adapter, "vfs");
    if (vf >= nvfs) {
        diag_set(err, cfg_loc(lpar, "vf"),
                 "'vf' = %llu is out of range: adapter '%s' has %llu VFs (0..%llu)",
                 (unsigned long long)vf, ad_name, (unsigned long long)nvfs,
                 (unsigned long long)(nvfs - 1));
        return NULL;
    }
    return adapter;
}

/* VF ownership: one LPAR per VF (SR-IOV logical port assignment). */
struct vf_owner {
    const struct cfg_node *adapter;
    uint64_t vf;
    const struct cfg_node *lpar;
};

static int check_lpars(const struct cfg_node *root, struct diag *err)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    struct system_budget *budgets = calloc(systems->nkids + 1, sizeof *budgets);
    struct vf_owner *owners = calloc(lpars->nkids + 1, sizeof *owners);
    int rc = -1;
    if (!budgets || !owners) {
        diag_set(err, NULL, "out of memory");
        goto out;
    }
    for (size_t s = 0; s < systems->nkids; s++)
        system_budget_init(&budgets[s], systems->kids[s]);
    for (size_t i = 0; i < lpars->nkids; i++) {
        const struct cfg_node *lpar = lpars->kids[i];
        const struct cfg_node *adapter = lpar_adapter(root, lpar, err);
        if (!adapter)
            goto out;
        uint64_t vf = cfg_u64(lpar, "vf");
        for (size_t j = 0; j < i; j++)
            if (owners[j].adapter == adapter && owners[j].vf == vf) {
                diag_set(err, cfg_loc(lpar, "vf"),
                         "VF %llu of adapter '%s' is already assigned to LPAR '%s'",
                         (unsigned long long)vf, adapter->key, owners[j].lpar->key);
                goto out;
            }
        owners[i] = (struct vf_owner){ adapter, vf, lpar };
        for (size_t s = 0; s < systems->nkids; s++)
            if (strcmp(systems->kids[s]->key, cfg_str(lpar, "system")) == 0 &&
                system_budget_take_lpar(&budgets[s], lpar, err) != 0)
                goto out;
    }
    rc = 0;
out:
    free(budgets);
    free(owners);
    return rc;
}

int machine_check(const struct cfg_node *root, struct diag *err)
{
    if (cfg_u64(root, "warmup") >= cfg_u64(root, "duration"))
        return diag_set(err, cfg_loc(root, "warmup"),
                        "'warmup' must be shorter than 'duration'");
    return check_lpars(root, err);
}

static int build_adapters(struct machine *m, struct env *e, const struct cfg_node *root,
                          struct diag *err)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    m->nadapters = 0;
    m->adapters = calloc(count_adapters(root) + 1, sizeof *m->adapters);
    if (!m->adapters)
        return diag_set(err, NULL, "out of memory");
    for (size_t s = 0; s < systems->nkids; s++) {
        const struct cfg_node *adapters = cfg_find(systems->kids[s], "adapters");
        for (size_t a = 0; a < adapters->nkids; a++) {
            char path[128];
            snprintf(path, sizeof path, "%s.%s", systems->kids[s]->key, adapters->kids[a]->key);
            m->adapters[m->nadapters] = adapter_create(e, path, adapters->kids[a]);
            if (!m->adapters[m->nadapters])
                return diag_set(err, &adapters->kids[a]->loc, "out of memory");
            m->nadapters++;
        }
    }
    return 0;
}

static int build_lpars(struct machine *m, struct env *e, const struct cfg_node *root,
                       struct diag *err)
{
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    m->lpars = calloc(lpars->nkids + 1, sizeof *m->lpars);
    m->workloads = calloc(lpars->nkids + 1, sizeof *m->workloads);
    if (!m->lpars || !m->workloads)
        return diag_set(err, NULL, "out of memory");
    for (size_t i = 0; i < lpars->nkids; i++) {
        const struct cfg_node *cfg = lpars->kids[i];
        const struct cfg_node *adapter_cfg = lpar_adapter(root, cfg, err);
        if (!adapter_cfg)
            return -1;
        struct adapter *ad = m->adapters[adapter_index(root, adapter_cfg)];
        unsigned vf = (unsigned)cfg_u64(cfg, "vf");
        struct lpar *l = lpar_create(e, cfg->key, cfg, adapter_vf_sink(ad, vf),
                                     adapter_submit_latency(ad));
        char path[128];
        snprintf(path, sizeof path, "lpar.%s.workload", cfg->key);
        struct storage_workload *w =
            l ? storage_workload_create(e, path, cfg_find(cfg, "workload"), lpar_issue_port(l)) : NULL;
        m->lpars[i] = l;
        m->workloads[i] = w;
        m->nlpars = i + 1;
        if (!w)
            return diag_set(err, &cfg->loc, "out of memory");
        lpar_set_notify(l, storage_workload_notify_port(w));
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
    if (build_adapters(m, e, root, err) != 0 || build_lpars(m, e, root, err) != 0) {
        machine_destroy(m);
        return NULL;
    }
    return m;
}

void machine_start(struct machine *m)
{
    for (size_t i = 0; i < m->nlpars; i++)
        storage_workload_start(m->workloads[i]);
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nlpars; i++) {
        storage_workload_destroy(m->workloads[i]);
        lpar_destroy(m->lpars[i]);
    }
    for (size_t i = 0; i < m->nadapters; i++)
        adapter_destroy(m->adapters[i]);
    free(m->workloads);
    free(m->lpars);
    free(m->adapters);
    free(m);
}
