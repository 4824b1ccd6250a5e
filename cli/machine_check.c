/* cli/machine_check.c — the semantic checks of a scenario that the schema
 * cannot express, each reported at the value that breaks it, before
 * anything is built (machine.h): adapters and links, the interrupt
 * controller, PowerVM processor limits, memory, VF ownership, the DMA
 * window the driver needs, and each workload's own checks. Also the
 * configuration-tree helpers the builder shares (machine_internal.h). */
#include "cli/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/machine_internal.h"
#include "cli/timeline_actions.h"
#include "models/guest/vf_driver.h"
#include "models/hypervisor/system.h"
#include "models/iommu/tce_table.h"
#include "models/pcie/pcie_link.h"
#include "sim/suggest.h"
#include "sim/units.h"
#include "workloads/workload.h"

/* Calls fn for the LPAR's `workload` (when the file has one) and each
 * item of its `workloads`; stops at the first non-zero return. */
int machine_each_workload(const struct cfg_node *lpar,
                          int (*fn)(void *ctx, const struct cfg_node *lpar,
                                   const struct cfg_node *w),
                         void *ctx)
{
    const struct cfg_node *one = cfg_find(lpar, "workload");
    if (one && !one->is_default) {
        int rc = fn(ctx, lpar, one);
        if (rc)
            return rc;
    }
    const struct cfg_node *list = cfg_find(lpar, "workloads");
    for (size_t i = 0; list && i < list->nkids; i++) {
        int rc = fn(ctx, lpar, list->kids[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* Index of the adapter among all systems' adapters, in scenario order. */
size_t machine_adapter_index(const struct cfg_node *root, const struct cfg_node *adapter)
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

size_t machine_system_index(const struct cfg_node *root, const char *name)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    for (size_t s = 0; s < systems->nkids; s++)
        if (strcmp(systems->kids[s]->key, name) == 0)
            return s;
    return 0;
}

size_t machine_count_adapters(const struct cfg_node *root)
{
    size_t n = 0;
    const struct cfg_node *systems = cfg_find(root, "systems");
    for (size_t s = 0; s < systems->nkids; s++)
        n += cfg_find(systems->kids[s], "adapters")->nkids;
    return n;
}

size_t machine_device_count(const struct cfg_node *lpar)
{
    const struct cfg_node *list = cfg_find(lpar, "devices");
    return 1 + (list ? list->nkids : 0);
}

const struct cfg_node *machine_device(const struct cfg_node *lpar, size_t i)
{
    return i == 0 ? lpar : cfg_find(lpar, "devices")->kids[i - 1];
}

int machine_workload_device(const struct cfg_node *lpar, const struct cfg_node *w,
                            struct diag *err)
{
    const struct cfg_node *v = cfg_find(w, "device");
    if (!v || !*v->v.s)
        return 0;
    const struct cfg_node *list = cfg_find(lpar, "devices");
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; list && i < list->nkids; i++) {
        if (strcmp(list->kids[i]->key, v->v.s) == 0)
            return (int)i + 1;
        if (n < 64)
            names[n++] = list->kids[i]->key;
    }
    const char *near = suggest_closest(v->v.s, names, n);
    char shown[64];
    unit_show(v->v.s, shown, sizeof shown);
    return diag_set(err, &v->loc, "'device' = '%s': LPAR '%s' has no such item in 'devices'%s%s%s",
                    shown, lpar->key, near ? " (did you mean '" : "", near ? near : "",
                    near ? "'?)" : "");
}

/* Resolves a device's adapter and VF; reports what is wrong. */
const struct cfg_node *machine_device_adapter(const struct cfg_node *root,
                                              const struct cfg_node *lpar,
                                              const struct cfg_node *dev, struct diag *err)
{
    const char *sys_name = cfg_str(lpar, "system");
    const char *ad_name = cfg_str(dev, "adapter");
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
        diag_set(err, cfg_loc(dev, "adapter"),
                 "'adapter' refers to '%s', but system '%s' has no adapter named '%s'%s%s%s",
                 shown, sys_name, shown, near ? " (did you mean '" : "",
                 near ? near : "", near ? "'?)" : "");
        return NULL;
    }
    uint64_t vf = cfg_u64(dev, "vf");
    uint64_t nvfs = cfg_u64(adapter, "vfs");
    if (vf >= nvfs) {
        diag_set(err, cfg_loc(dev, "vf"),
                 "'vf' = %llu is out of range: adapter '%s' has %llu VFs (0..%llu)",
                 (unsigned long long)vf, ad_name, (unsigned long long)nvfs,
                 (unsigned long long)(nvfs - 1));
        return NULL;
    }
    return adapter;
}

/* Processors handed out per system: dedicated VPs take a thread each,
 * shared LPARs' entitlement comes out of the threads left (the pool). */
struct cpu_budget {
    uint64_t threads, dedicated;
    double entitlement;
};

/* PowerVM's per-VP share limits and the pool's capacity, as the
 * dispatcher enforces them when it starts (models/hypervisor/dispatch.c). */
static int take_processors(struct cpu_budget *b, const struct cfg_node *lpar, struct diag *err)
{
    const struct cfg_node *proc = cfg_find(lpar, "processors");
    uint64_t vps = cfg_u64(lpar, "vps");
    if (strcmp(cfg_str(proc, "mode"), "dedicated") == 0) {
        b->dedicated += vps;
        if (b->dedicated > b->threads)
            return diag_set(err, cfg_loc(lpar, "vps"),
                            "LPAR '%s': %llu dedicated VPs in all, but the system has %llu "
                            "hardware threads", lpar->key, (unsigned long long)b->dedicated,
                            (unsigned long long)b->threads);
        return 0;
    }
    double e = cfg_f64(proc, "entitlement"), share = e / (double)vps;
    if (share < 0.05 - 1e-9 || share > 1.0 + 1e-9)
        return diag_set(err, cfg_loc(proc, "entitlement"),
                        "LPAR '%s': entitlement %g over %llu VPs is %g per VP; it must be "
                        "between 0.05 and 1 (PowerVM)", lpar->key, e, (unsigned long long)vps,
                        share);
    b->entitlement += e;
    return 0;
}

/* With granularity core the pool is counted in cores (a shared VP takes
 * a core no other LPAR uses), and dedicated VPs, placed on the lowest
 * threads, take the cores they touch. */
static int check_pool(const struct cpu_budget *b, const struct cfg_node *sys, struct diag *err)
{
    double pool = (double)(b->threads - b->dedicated);
    const char *unit = "threads";
    if (strcmp(cfg_str(cfg_find(sys, "dispatch"), "granularity"), "core") == 0) {
        uint64_t tpc = cfg_u64(sys, "threads_per_core");
        pool = (double)(b->threads / tpc - (b->dedicated + tpc - 1) / tpc);
        unit = "cores";
    }
    if (b->entitlement > pool + 1e-9)
        return diag_set(err, &sys->loc,
                        "system '%s': shared LPARs are entitled to %g processors, but its "
                        "shared pool has %g %s", sys->key, b->entitlement, pool, unit);
    return 0;
}

/* VF ownership: one LPAR per VF (SR-IOV logical port assignment). */
struct vf_owner {
    const struct cfg_node *adapter;
    uint64_t vf;
    const struct cfg_node *lpar;
};

struct workload_ctx {
    const struct cfg_node *root;
    struct diag *err;
};

/* A workload's own checks, that its device exists, and that its I/Os fit
 * that device's driver buffers (a larger one could never be issued). */
static int check_one_workload(void *ctx, const struct cfg_node *lpar, const struct cfg_node *w)
{
    const struct workload_ctx *wc = ctx;
    const struct cfg_node *root = wc->root;
    struct diag *err = wc->err;
    if (workload_check(w, err) != 0)
        return -1;
    int d = machine_workload_device(lpar, w, err);
    if (d < 0)
        return -1;
    const struct cfg_node *dev = machine_device(lpar, (size_t)d);
    const struct cfg_node *adapter = machine_device_adapter(root, lpar, dev, err);
    if (!adapter)
        return -1;
    if (strcmp(cfg_str(adapter, "path"), "abstract") == 0)
        return 0;
    struct vf_driver_config dc;
    vf_driver_config_init(&dc, cfg_find(dev, "driver"));
    const struct cfg_node *where = NULL;
    uint64_t largest = workload_largest_io(w, &where);
    if (largest > dc.buffer_size)
        return diag_set(err, &where->loc,
                        "'%s' asks for %llu-byte I/Os, larger than the driver's buffer_size "
                        "(%llu B)", where->key, (unsigned long long)largest,
                        (unsigned long long)dc.buffer_size);
    return 0;
}

uint64_t machine_adapter_io_page(const struct cfg_node *adapter, uint64_t page_size)
{
    if (page_size)
        return page_size;
    const struct cfg_node *root = adapter;
    while (root->parent)
        root = root->parent;
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    bool per_io = false;
    for (size_t i = 0; lpars && i < lpars->nkids && !per_io; i++)
        for (size_t d = 0; d < machine_device_count(lpars->kids[i]) && !per_io; d++) {
            const struct cfg_node *dev = machine_device(lpars->kids[i], d);
            per_io = vf_driver_cfg_per_io(cfg_find(dev, "driver")) &&
                     machine_device_adapter(root, lpars->kids[i], dev, &(struct diag){ 0 }) ==
                         adapter;
        }
    return tce_table_page_for(0, per_io);
}

/* What a device's driver needs of the DMA window. */
static int check_driver(const struct cfg_node *lpar, const struct cfg_node *dev,
                        const struct cfg_node *adapter, struct diag *err)
{
    if (strcmp(cfg_str(adapter, "path"), "abstract") == 0)
        return 0;
    struct vf_driver_config dc;
    struct tce_table_config tc;
    vf_driver_config_init(&dc, cfg_find(dev, "driver"));
    if (tce_table_config_init(&tc, cfg_find(adapter, "dma_window"), err) != 0)
        return -1;
    if (dc.queue_entries & (dc.queue_entries - 1))
        return diag_set(err, cfg_loc(cfg_find(dev, "driver"), "queue_entries"),
                        "'queue_entries' = %u is not a power of two", dc.queue_entries);
    uint32_t qps = (uint32_t)cfg_u64(adapter, "queue_pairs");
    if (!tc.page_size) {
        /* The default page is the static mappings' (the larger): a window
         * that holds the rings and buffers in it holds them in the smaller
         * per-I/O page too, so the scan of every LPAR's drivers for the
         * adapter's page (machine_adapter_io_page) runs only when it does
         * not: once per device, it made checking a large machine
         * quadratic. */
        tc.page_size = tce_table_page_for(0, false);
        if (vf_driver_window_bytes(&dc, qps, tc.page_size) > tc.window_size)
            tc.page_size = machine_adapter_io_page(adapter, 0);
    }
    uint64_t need = vf_driver_window_bytes(&dc, qps, tc.page_size);
    if (need > tc.window_size) {
        char need_s[32], have_s[32];
        struct param_value v = { .u = need, .d = (double)need };
        unit_format(PARAM_SIZE, &v, need_s, sizeof need_s);
        v = (struct param_value){ .u = tc.window_size, .d = (double)tc.window_size };
        unit_format(PARAM_SIZE, &v, have_s, sizeof have_s);
        return diag_set(err, cfg_loc(cfg_find(adapter, "dma_window"), "window_size"),
                        "the driver of LPAR '%s' needs %s of DMA window (rings and buffers) "
                        "but adapter '%s' gives each VF %s", lpar->key, need_s, adapter->key,
                        have_s);
    }
    return 0;
}

/* The link's cross-field rules, reported at the parameter they name. */
static int check_link(const struct cfg_node *link, struct diag *err)
{
    struct pcie_link_config lc;
    char msg[160], name[32] = "";
    pcie_link_config_from_cfg(&lc, link);
    if (pcie_link_config_check(&lc, msg, sizeof msg) == 0)
        return 0;
    const struct src_loc *at = &link->loc;
    if (sscanf(msg, "'%31[a-z_]'", name) == 1 && cfg_find(link, name))
        at = cfg_loc(link, name);
    return diag_set(err, at, "%s", msg);
}

/* A parameter the adapter's path or kind never reads is refused where it
 * is written, so a scenario cannot believe it tuned something it did not. */
/* Who reads a parameter that only some adapters use. */
enum adapter_users { ABSTRACT_PATH, STORAGE_MEDIA, NETWORK_PORT };

static bool read_by(enum adapter_users who, bool hardware, bool network)
{
    switch (who) {
    case ABSTRACT_PATH: return !hardware;
    case STORAGE_MEDIA: return !network || !hardware; /* the abstract path always has media */
    case NETWORK_PORT: return network && hardware;
    }
    return false;
}

static int check_path_params(const struct cfg_node *ad, struct diag *err)
{
    bool hardware = strcmp(cfg_str(ad, "path"), "hardware") == 0;
    bool network = strcmp(cfg_str(ad, "kind"), "network") == 0;
    static const struct {
        const char *name;
        enum adapter_users who;
    } only[] = {
        { "submit_latency", ABSTRACT_PATH }, { "completion_latency", ABSTRACT_PATH },
        { "servers", STORAGE_MEDIA }, { "queue_entries", STORAGE_MEDIA },
        { "service", STORAGE_MEDIA }, { "port_rate", NETWORK_PORT },
    };
    static const char *const users[] = {
        [ABSTRACT_PATH] = "the abstract path", [STORAGE_MEDIA] = "storage adapters",
        [NETWORK_PORT] = "network adapters",
    };
    for (size_t i = 0; i < sizeof only / sizeof only[0]; i++) {
        const struct cfg_node *n = cfg_find(ad, only[i].name);
        if (n && !n->is_default && !read_by(only[i].who, hardware, network))
            return diag_set(err, &n->loc,
                            "'%s' applies to %s only; adapter '%s' is a %s adapter on the "
                            "%s path", only[i].name, users[only[i].who], ad->key,
                            network ? "network" : "storage", hardware ? "hardware" : "abstract");
    }
    return 0;
}

/* The interrupt controller's sizes follow the machine; priorities must
 * hold every driver's priority. */
static int check_system(const struct cfg_node *root, const struct cfg_node *sys,
                        struct diag *err)
{
    const struct cfg_node *xive = cfg_find(sys, "xive");
    static const char *const derived[] = { "threads", "vps", "eas_entries" };
    for (size_t i = 0; i < 3; i++) {
        const struct cfg_node *n = cfg_find(xive, derived[i]);
        if (n && !n->is_default)
            return diag_set(err, &n->loc, "'%s' of the interrupt controller follows the "
                            "machine (threads, VPs and PHB sources); leave it out", derived[i]);
    }
    uint64_t prios = cfg_u64(xive, "priorities");
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    for (size_t i = 0; i < lpars->nkids; i++) {
        const struct cfg_node *l = lpars->kids[i];
        if (strcmp(cfg_str(l, "system"), sys->key) != 0)
            continue;
        for (size_t d = 0; d < machine_device_count(l); d++) {
            const struct cfg_node *drv = cfg_find(machine_device(l, d), "driver");
            if (cfg_u64(drv, "irq_priority") >= prios)
                return diag_set(err, cfg_loc(drv, "irq_priority"),
                                "'irq_priority' = %llu, but system '%s' has priorities 0..%llu",
                                (unsigned long long)cfg_u64(drv, "irq_priority"), sys->key,
                                (unsigned long long)(prios - 1));
        }
    }
    return 0;
}

static int check_adapters(const struct cfg_node *root, struct diag *err)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    for (size_t s = 0; s < systems->nkids; s++) {
        const struct cfg_node *adapters = cfg_find(systems->kids[s], "adapters");
        if (check_system(root, systems->kids[s], err) != 0)
            return -1;
        if (adapters->nkids > 16)
            return diag_set(err, &adapters->kids[16]->loc,
                            "system '%s' has more than 16 adapters (PHBs one interrupt "
                            "controller serves)", systems->kids[s]->key);
        for (size_t a = 0; a < adapters->nkids; a++) {
            const struct cfg_node *ad = adapters->kids[a];
            if (cfg_u64(ad, "vfs") > cfg_u64(ad, "max_vfs"))
                return diag_set(err, cfg_loc(ad, "vfs"),
                                "'vfs' = %llu exceeds the adapter's max_vfs (%llu)",
                                (unsigned long long)cfg_u64(ad, "vfs"),
                                (unsigned long long)cfg_u64(ad, "max_vfs"));
            uint64_t vectors = cfg_u64(ad, "msix_vectors");
            if (vectors && vectors < cfg_u64(ad, "queue_pairs"))
                return diag_set(err, cfg_loc(ad, "msix_vectors"),
                                "'msix_vectors' = %llu is fewer than the queue pairs (%llu)",
                                (unsigned long long)vectors,
                                (unsigned long long)cfg_u64(ad, "queue_pairs"));
            if (check_link(cfg_find(ad, "link"), err) != 0 ||
                check_path_params(ad, err) != 0 || machine_check_coalescing(ad, err) != 0)
                return -1;
        }
    }
    return 0;
}

/* One LPAR per VF (SR-IOV logical port assignment). */
static int check_owner(struct vf_owner *owners, size_t *n, const struct cfg_node *adapter,
                       const struct cfg_node *dev, const struct cfg_node *lpar, struct diag *err)
{
    uint64_t vf = cfg_u64(dev, "vf");
    for (size_t j = 0; j < *n; j++)
        if (owners[j].adapter == adapter && owners[j].vf == vf)
            return diag_set(err, cfg_loc(dev, "vf"),
                            "VF %llu of adapter '%s' is already assigned to LPAR '%s'",
                            (unsigned long long)vf, adapter->key, owners[j].lpar->key);
    owners[(*n)++] = (struct vf_owner){ adapter, vf, lpar };
    return 0;
}

/* An adapter a device may move to (its `standby`, or a vNIC backup's):
 * on the LPAR's system, on the hardware path, of the kind and queue pairs
 * of the device's own. */
static int check_alternate(const struct cfg_node *root, const struct cfg_node *lpar,
                           const struct cfg_node *own, const struct cfg_node *name,
                           struct diag *err)
{
    struct machine_target t;
    char path[160], why[256], shown[64];
    snprintf(path, sizeof path, "%s.%s", cfg_str(lpar, "system"), name->v.s);
    if (machine_target(root, path, &t, why, sizeof why) != 0 || strcmp(t.kind, "adapter") != 0)
        return diag_set(err, &name->loc, "'%s' = '%s': %s", name->key,
                        unit_show(name->v.s, shown, sizeof shown), why);
    if (t.adapter == own)
        return diag_set(err, &name->loc, "'%s' = '%s' is the device's own adapter", name->key,
                        name->v.s);
    if (strcmp(cfg_str(t.adapter, "path"), "hardware") != 0 ||
        strcmp(cfg_str(own, "path"), "hardware") != 0)
        return diag_set(err, &name->loc, "'%s' = '%s': moving a VF needs both adapters on the "
                        "hardware path", name->key, name->v.s);
    if (strcmp(cfg_str(t.adapter, "kind"), cfg_str(own, "kind")) != 0 ||
        cfg_u64(t.adapter, "queue_pairs") != cfg_u64(own, "queue_pairs"))
        return diag_set(err, &name->loc, "'%s' = '%s' is not of the kind and queue_pairs of "
                        "'%s'", name->key, name->v.s, own->key);
    return 0;
}

/* A device's standby adapter, or its vNIC backups (each VF owned once). */
static int check_moves(const struct cfg_node *root, const struct cfg_node *lpar,
                       const struct cfg_node *dev, const struct cfg_node *own,
                       struct vf_owner *owners, size_t *nowners, struct diag *err)
{
    const struct cfg_node *standby = cfg_find(dev, "standby");
    if (standby && standby->v.s[0] && check_alternate(root, lpar, own, standby, err) != 0)
        return -1;
    const struct cfg_node *backups = cfg_find(dev, "backups");
    for (size_t i = 0; backups && i < backups->nkids; i++) {
        const struct cfg_node *b = backups->kids[i];
        if (strcmp(cfg_str(own, "kind"), "network") != 0)
            return diag_set(err, &b->loc, "backups make a virtual NIC: the device's adapter "
                            "'%s' is not a network adapter", own->key);
        if (check_alternate(root, lpar, own, cfg_find(b, "adapter"), err) != 0)
            return -1;
        struct machine_target t;
        char path[160], why[256];
        snprintf(path, sizeof path, "%s.%s.vf%llu", cfg_str(lpar, "system"), cfg_str(b, "adapter"),
                 (unsigned long long)cfg_u64(b, "vf"));
        if (machine_target(root, path, &t, why, sizeof why) != 0)
            return diag_set(err, cfg_loc(b, "vf"), "'vf': %s", why);
        if (check_owner(owners, nowners, t.adapter, b, lpar, err) != 0)
            return -1;
    }
    return 0;
}

static int check_lpars(const struct cfg_node *root, struct diag *err)
{
    const struct cfg_node *systems = cfg_find(root, "systems");
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    struct system_budget *budgets = calloc(systems->nkids + 1, sizeof *budgets);
    struct cpu_budget *cpus = calloc(systems->nkids + 1, sizeof *cpus);
    size_t ndev = 0, nowners = 0;
    for (size_t i = 0; i < lpars->nkids; i++)
        for (size_t d = 0; d < machine_device_count(lpars->kids[i]); d++) {
            const struct cfg_node *b = cfg_find(machine_device(lpars->kids[i], d), "backups");
            ndev += 1 + (b ? b->nkids : 0);
        }
    struct vf_owner *owners = calloc(ndev + 1, sizeof *owners);
    int rc = -1;
    if (!budgets || !owners || !cpus) {
        diag_set(err, NULL, "out of memory");
        goto out;
    }
    for (size_t s = 0; s < systems->nkids; s++) {
        system_budget_init(&budgets[s], systems->kids[s]);
        cpus[s].threads = budgets[s].threads;
    }
    for (size_t i = 0; i < lpars->nkids; i++) {
        const struct cfg_node *lpar = lpars->kids[i];
        struct workload_ctx wc = { root, err };
        if (machine_each_workload(lpar, check_one_workload, &wc) != 0)
            goto out;
        for (size_t d = 0; d < machine_device_count(lpar); d++) {
            const struct cfg_node *dev = machine_device(lpar, d);
            const struct cfg_node *adapter = machine_device_adapter(root, lpar, dev, err);
            if (!adapter || check_driver(lpar, dev, adapter, err) != 0 ||
                check_owner(owners, &nowners, adapter, dev, lpar, err) != 0 ||
                check_moves(root, lpar, dev, adapter, owners, &nowners, err) != 0)
                goto out;
        }
        size_t s = machine_system_index(root, cfg_str(lpar, "system"));
        if (system_budget_take_lpar(&budgets[s], lpar, err) != 0 ||
            take_processors(&cpus[s], lpar, err) != 0)
            goto out;
    }
    for (size_t s = 0; s < systems->nkids; s++)
        if (check_pool(&cpus[s], systems->kids[s], err) != 0)
            goto out;
    rc = 0;
out:
    free(budgets);
    free(cpus);
    free(owners);
    return rc;
}

/* Each mover link joins two distinct systems of the scenario. */
static int check_links(const struct cfg_node *root, struct diag *err)
{
    const struct cfg_node *links = cfg_find(root, "links");
    char why[256];
    for (size_t i = 0; links && i < links->nkids; i++) {
        const struct cfg_node *b = cfg_find(links->kids[i], "between");
        if (!b || b->nkids != 2)
            return diag_set(err, b ? &b->loc : &links->kids[i]->loc,
                            "mover link '%s': 'between' names two systems: [A, B]",
                            links->kids[i]->key);
        for (size_t k = 0; k < 2; k++)
            if (!machine_system_named(root, b->kids[k]->v.s, why, sizeof why))
                return diag_set(err, &b->kids[k]->loc, "mover link '%s': %s",
                                links->kids[i]->key, why);
        if (strcmp(b->kids[0]->v.s, b->kids[1]->v.s) == 0)
            return diag_set(err, &b->kids[1]->loc, "mover link '%s' joins system '%s' to "
                            "itself", links->kids[i]->key, b->kids[1]->v.s);
    }
    return 0;
}

int machine_check(const struct cfg_node *root, struct diag *err)
{
    if (cfg_u64(root, "warmup") >= cfg_u64(root, "duration"))
        return diag_set(err, cfg_loc(root, "warmup"),
                        "'warmup' must be shorter than 'duration'");
    if (check_adapters(root, err) != 0 || check_lpars(root, err) != 0 ||
        machine_check_irq(root, err) != 0 || check_links(root, err) != 0)
        return -1;
    return timeline_check(root, err);
}
