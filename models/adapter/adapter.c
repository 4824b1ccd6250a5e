/* models/adapter/adapter.c — SR-IOV adapter: PF, VFs, service stages
 * (see adapter.h). VF requester IDs follow the SR-IOV rule: PF RID +
 * FirstVFOffset + (n - 1) x VFStride for VF n (1-based), with the PF at
 * bus `bus`, device 0, function 0. */
#include "models/adapter/adapter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/adapter/coalescing.h"
#include "models/adapter/nic_port.h"
#include "models/adapter/vf.h"
#include "models/adapter/vf_queue.h"
#include "models/iommu/tce_cache.h"
#include "models/iommu/tce_table.h"
#include "models/pcie/pcie_link.h"
#include "models/pcie/pe.h"
#include "sim/dist.h"

static const struct param_desc adapter_params[] = {
    { "kind", PARAM_ENUM, "", "storage", "what the adapter serves",
      .choices = "storage|network" },
    { "path", PARAM_ENUM, "", "hardware",
      "hardware: doorbells, DMA, TCEs, MSI-X and XIVE are simulated; abstract: "
      "fixed submit/completion latencies around the media queue",
      .choices = "hardware|abstract" },
    { "vfs", PARAM_U64, "", "1", "SR-IOV virtual functions enabled",
      .min = "1", .max = "256" },
    { "max_vfs", PARAM_U64, "", "64",
      "VFs the adapter supports (TotalVFs; 64 is typical of SR-IOV NICs and NVMe "
      "controllers)", .min = "1", .max = "256" },
    { "bus", PARAM_U64, "", "1", "PCI bus number of the PF (its RID is bus << 8)",
      .max = "255" },
    { "first_vf_offset", PARAM_U64, "", "1", "SR-IOV First VF Offset", .min = "1",
      .max = "65535" },
    { "vf_stride", PARAM_U64, "", "1", "SR-IOV VF Stride", .min = "1", .max = "65535" },
    { "servers", PARAM_U64, "", "1",
      "storage: parallel service units behind each VF queue (flash channels)",
      .min = "1", .max = "4096" },
    { "queue_entries", PARAM_U64, "", "65536",
      "storage: commands each VF's media queue holds; a full queue rejects I/O "
      "(NVMe allows up to 64Ki)", .min = "1", .max = "16777216" },
    { "queue_pairs", PARAM_U64, "", "1",
      "submission/completion queue pairs per VF, each with a doorbell and an MSI-X vector",
      .min = "1", .max = "256" },
    { "msix_vectors", PARAM_U64, "", "0",
      "MSI-X table size per VF (0: one per queue pair)", .max = "2048" },
    { "fetch_max", PARAM_U64, "", "8",
      "descriptors fetched per DMA read (8 x 64 B = 512 B = one MRRS)", .min = "1",
      .max = "1024" },
    { "port_rate", PARAM_BITRATE, "bps", "25Gbps",
      "network: Ethernet line rate of the port the VFs share", .min = "1Mbps",
      .max = "1600Gbps" },
    { "submit_latency", PARAM_TIME, "ns", "0ns",
      "abstract path: driver -> device latency standing for doorbell and fetch" },
    { "completion_latency", PARAM_TIME, "ns", "0ns",
      "abstract path: device -> driver latency standing for DMA and interrupt" },
    { 0 }
};

/* The storage media's service time: dist_schema's parameters with a NAND
 * default. Intel's P4500 NVMe drive is specified at 85 us typical random
 * 4 KiB read latency (115 us for the 4 TB model); cv 0.35 is the lognormal
 * whose mean is a datasheet's typical random read latency and whose 99.9th
 * percentile its QoS figure (Intel S4500, the same TLC 3D NAND: 110 us
 * typical, 300 us at 99.9%: exp(3.090 s - s^2/2) = 300/110 gives
 * s = 0.344, cv = sqrt(exp(s^2) - 1) = 0.354). */
static const struct param_desc service_params[] = {
    { "dist", PARAM_ENUM, "", "lognormal",
      "shape of the distribution (lognormal: NAND read latency has a right tail)",
      .choices = "constant|exponential|lognormal|uniform" },
    { "mean", PARAM_TIME, "ns", "85us",
      "mean service time (a NAND random 4 KiB read: Intel SSD DC P4500, 85 us typical)",
      .min = "0ps" },
    { "cv", PARAM_F64, "", "0.35",
      "coefficient of variation; lognormal and uniform only (typical vs 99.9% QoS latency "
      "of a NAND datasheet, Intel SSD DC S4500: 110 us, 300 us)", .min = "0", .max = "100" },
    { 0 }
};

const struct schema storage_service_schema = {
    .name = "service",
    .doc = "storage media service time per I/O: a time distribution (constant, exponential, "
           "lognormal or uniform) with a NAND default",
    .params = service_params,
};

static const struct schema_child adapter_children[] = {
    { "service", CFG_STRUCT, &storage_service_schema,
      "storage: device service time per I/O (media latency)", false },
    { "link", CFG_STRUCT, &pcie_link_schema, "the slot's PCIe link", false },
    { "dma_window", CFG_STRUCT, &tce_table_schema, "each VF's DMA window (TCE table)", false },
    { "tce_cache", CFG_STRUCT, &tce_cache_schema, "the PHB's TCE cache, per PE", false },
    { "eeh", CFG_STRUCT, &pe_schema, "EEH timing of each VF's PE", false },
    { "phb", CFG_STRUCT, &pe_rtt_schema, "the slot's PHB", false },
    { "coalescing", CFG_STRUCT, &coalescing_schema,
      "interrupt coalescing of each VF queue pair (off, fixed, dynamic, dim)", false },
    { 0 }
};

/* Interrupt moderation moved under `coalescing`. */
static const struct schema_moved adapter_moved[] = {
    { "coalesce_count", "coalescing.count", "'coalescing: {kind: fixed, count: N, time: T}'" },
    { "coalesce_time", "coalescing.time", "'coalescing: {kind: fixed, count: N, time: T}'" },
    { 0 }
};

const struct schema adapter_schema = {
    .name = "adapter",
    .doc = "an SR-IOV adapter: PF, VFs with queue pairs, DMA engine, MSI-X",
    .params = adapter_params,
    .children = adapter_children,
    .moved = adapter_moved,
};

struct adapter {
    struct env *env;
    char path[128];
    struct pcie_upstream up;
    bool failed;              /* timeline `fail`: every function is dead */
    sim_time_t failed_at;
    bool abstract, network;
    unsigned nvfs;
    uint32_t queue_pairs;
    uint16_t pf_rid, first_vf_offset, vf_stride;
    sim_time_t submit_latency;
    struct vf_queue **media;  /* storage: one per VF */
    struct nic_port *port;    /* network */
    struct vf **vfs;          /* hardware path */
    struct vf_handle *handles; /* what the directory names S.A.vfN */
    bool *assigned;            /* per VF: assigned to an LPAR now */
};

struct vf_handle;
static void register_components(struct adapter *a);

static struct io_sink service_of(struct adapter *a, unsigned vf)
{
    return a->network ? nic_port_tx(a->port) : vf_queue_sink(a->media[vf]);
}

static int build_vfs(struct adapter *a, struct env *e, const char *path,
                     const struct cfg_node *cfg, struct pcie_upstream up)
{
    struct vf_config vc = {
        .queue_pairs = a->queue_pairs,
        .msix_vectors = (uint32_t)cfg_u64(cfg, "msix_vectors"),
        .fetch_max = (uint32_t)cfg_u64(cfg, "fetch_max"),
    };
    coalescing_config_init(&vc.coal, cfg_find(cfg, "coalescing"));
    if (vc.msix_vectors == 0)
        vc.msix_vectors = vc.queue_pairs;
    a->vfs = calloc(a->nvfs, sizeof *a->vfs);
    if (!a->vfs)
        return -1;
    for (unsigned i = 0; i < a->nvfs; i++) {
        char vf_path[160];
        snprintf(vf_path, sizeof vf_path, "%s.vf%u.fn", path, i);
        struct io_sink rx = a->network ? nic_port_rx(a->port) : (struct io_sink){ 0 };
        a->vfs[i] = vf_create(e, vf_path, adapter_vf_rid(a, i), &vc, up, service_of(a, i), rx);
        if (!a->vfs[i])
            return -1;
    }
    return 0;
}

struct adapter *adapter_create(struct env *e, const char *path, const struct cfg_node *cfg,
                               struct pcie_upstream up)
{
    struct adapter *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->env = e;
    snprintf(a->path, sizeof a->path, "%s", path);
    a->up = up;
    a->abstract = strcmp(cfg_str(cfg, "path"), "abstract") == 0;
    a->network = strcmp(cfg_str(cfg, "kind"), "network") == 0 && !a->abstract;
    a->nvfs = (unsigned)cfg_u64(cfg, "vfs");
    a->queue_pairs = (uint32_t)cfg_u64(cfg, "queue_pairs");
    a->pf_rid = (uint16_t)(cfg_u64(cfg, "bus") << 8);
    a->first_vf_offset = (uint16_t)cfg_u64(cfg, "first_vf_offset");
    a->vf_stride = (uint16_t)cfg_u64(cfg, "vf_stride");
    a->submit_latency = cfg_u64(cfg, "submit_latency");
    a->media = calloc(a->nvfs, sizeof *a->media);
    a->assigned = calloc(a->nvfs, sizeof *a->assigned);
    if (!a->media || !a->assigned)
        goto fail;
    if (a->network) {
        char port_path[160];
        snprintf(port_path, sizeof port_path, "%s.port", path);
        if (!(a->port = nic_port_create(e, port_path, cfg_f64(cfg, "port_rate"))))
            goto fail;
    } else {
        for (unsigned i = 0; i < a->nvfs; i++) {
            char vf_path[160];
            snprintf(vf_path, sizeof vf_path, "%s.vf%u", path, i);
            if (!(a->media[i] = vf_queue_create(e, vf_path, cfg)))
                goto fail;
        }
    }
    if (!a->abstract && build_vfs(a, e, path, cfg, up) != 0)
        goto fail;
    register_components(a);
    return a;
fail:
    adapter_destroy(a);
    return NULL;
}

/* ---- failure (timeline fail / repair) ----------------------------------- */

/* The adapter dies: its functions stop answering (doorbells, DMA, MSIs)
 * and the root complex sees them fail, freezing their PEs (EEH). What
 * the VFs held is gone with them; the OS takes it back when it recovers. */
static int adapter_fail(void *obj, char *why, size_t n)
{
    struct adapter *a = obj;
    if (a->failed)
        return snprintf(why, n, "the adapter has already failed"), -1;
    if (a->abstract)
        return snprintf(why, n, "the adapter is on the abstract path (no PCIe functions)"), -1;
    a->failed = true;
    a->failed_at = kernel_now(a->env->k);
    recorder_event(a->env->rec, kernel_now(a->env->k), a->path, "adapter_failed",
                   "every function stops answering");
    for (unsigned i = 0; i < a->nvfs; i++) {
        vf_set_dead(a->vfs[i], true);
        if (a->media[i])
            vf_queue_reset(a->media[i]);
        if (a->up.error)
            a->up.error(a->up.ctx, adapter_vf_rid(a, i), "adapter failed");
    }
    return 0;
}

/* Repaired (replaced, or its fault cleared): the functions answer again,
 * unconfigured; the PEs stay frozen until an EEH reset recovers them. */
static int adapter_repair(void *obj, char *why, size_t n)
{
    struct adapter *a = obj;
    if (!a->failed)
        return snprintf(why, n, "the adapter has not failed"), -1;
    a->failed = false;
    for (unsigned i = 0; i < a->nvfs; i++)
        vf_set_dead(a->vfs[i], false);
    recorder_event(a->env->rec, kernel_now(a->env->k), a->path, "adapter_repaired",
                   "functions answer again");
    return 0;
}

const struct component_ops adapter_ops = { "adapter", adapter_fail, adapter_repair, NULL };

/* Timeline `freeze` of one VF: the function signals an uncorrectable
 * error and the root complex freezes its PE. */
struct vf_handle {
    struct adapter *a;
    unsigned vf;
};

static int vf_freeze(void *obj, char *why, size_t n)
{
    const struct vf_handle *h = obj;
    if (!h->a->up.error)
        return snprintf(why, n, "the VF has no root complex"), -1;
    h->a->up.error(h->a->up.ctx, adapter_vf_rid(h->a, h->vf), "VF error (freeze)");
    return 0;
}

const struct component_ops adapter_vf_ops = { "vf", NULL, NULL, vf_freeze };

static void register_components(struct adapter *a)
{
    env_register(a->env, a->path, &adapter_ops, a);
    if (a->abstract)
        return;
    a->handles = calloc(a->nvfs, sizeof *a->handles);
    for (unsigned i = 0; a->handles && i < a->nvfs; i++) {
        char path[160];
        a->handles[i] = (struct vf_handle){ a, i };
        snprintf(path, sizeof path, "%s.vf%u", a->path, i);
        env_register(a->env, path, &adapter_vf_ops, &a->handles[i]);
    }
}

bool adapter_failed(const struct adapter *a)
{
    return a->failed;
}

bool adapter_port_up(const struct adapter *a)
{
    return !a->network || nic_port_up(a->port);
}

sim_time_t adapter_fault_time(const struct adapter *a)
{
    if (a->failed)
        return a->failed_at;
    return a->network ? nic_port_down_since(a->port) : 0;
}

void adapter_destroy(struct adapter *a)
{
    if (!a)
        return;
    for (unsigned i = 0; i < a->nvfs; i++) {
        if (a->media)
            vf_queue_destroy(a->media[i]);
        if (a->vfs)
            vf_destroy(a->vfs[i]);
    }
    nic_port_destroy(a->port);
    free(a->handles);
    free(a->assigned);
    free(a->media);
    free(a->vfs);
    free(a);
}

bool adapter_is_abstract(const struct adapter *a)
{
    return a->abstract;
}

struct io_sink adapter_vf_sink(struct adapter *a, unsigned vf)
{
    return vf_queue_sink(a->media[vf]);
}

sim_time_t adapter_submit_latency(const struct adapter *a)
{
    return a->submit_latency;
}

uint16_t adapter_vf_rid(const struct adapter *a, unsigned vf)
{
    uint16_t rid = 0;
    pcie_vf_rid(a->pf_rid, a->first_vf_offset, a->vf_stride, vf + 1, &rid);
    return rid;
}

uint32_t adapter_queue_pairs(const struct adapter *a)
{
    return a->queue_pairs;
}

struct mmio_target adapter_vf_bar(struct adapter *a, unsigned vf)
{
    return vf_bar(a->vfs[vf]);
}

struct io_sink adapter_vf_receive(struct adapter *a, unsigned vf)
{
    return vf_receive(a->vfs[vf]);
}

int adapter_pf_attach_queue(struct adapter *a, unsigned vf, uint32_t qp, struct io_qmem *mem,
                            uint32_t vector)
{
    return vf < a->nvfs && a->vfs ? vf_attach_queue(a->vfs[vf], qp, mem, vector) : -1;
}

int adapter_pf_program_msix(struct adapter *a, unsigned vf, uint32_t vector, uint64_t addr,
                            uint32_t data)
{
    if (vf >= a->nvfs || !a->vfs)
        return -1;
    struct msix_table *t = vf_msix(a->vfs[vf]);
    if (msix_table_program(t, vector, addr, data) < 0 || msix_table_mask(t, vector, false) < 0)
        return -1;
    return msix_table_set_control(t, true, false) < 0 ? -1 : 0;
}

int adapter_pf_detach_queue(struct adapter *a, unsigned vf, uint32_t qp)
{
    return vf < a->nvfs && a->vfs ? vf_detach_queue(a->vfs[vf], qp) : -1;
}

int adapter_pf_reset_vf(struct adapter *a, unsigned vf)
{
    if (vf >= a->nvfs || !a->vfs)
        return -1;
    vf_reset(a->vfs[vf]);
    if (a->media[vf])
        vf_queue_reset(a->media[vf]);
    return 0;
}

bool adapter_vf_holds(const struct adapter *a, unsigned vf, const struct io_req *r)
{
    if (vf >= a->nvfs)
        return false;
    if (a->vfs && vf_holds(a->vfs[vf], r))
        return true;
    if (a->failed)
        return false;
    return a->network ? nic_port_holds(a->port, r) : vf_queue_holds(a->media[vf], r);
}

bool adapter_vf_queue_attached(const struct adapter *a, unsigned vf, uint32_t qp,
                               const struct io_qmem *mem)
{
    return vf < a->nvfs && a->vfs && vf_queue_attached(a->vfs[vf], qp, mem);
}

bool adapter_is_network(const struct adapter *a)
{
    return a->network;
}

unsigned adapter_vfs(const struct adapter *a)
{
    return a->nvfs;
}

const char *adapter_path(const struct adapter *a)
{
    return a->path;
}

uint32_t adapter_pf_queue_head(const struct adapter *a, unsigned vf, uint32_t qp)
{
    return vf < a->nvfs && a->vfs ? vf_queue_head(a->vfs[vf], qp) : 0;
}

int adapter_pf_attach_queue_at(struct adapter *a, unsigned vf, uint32_t qp, struct io_qmem *mem,
                               uint32_t vector, uint32_t head)
{
    return vf < a->nvfs && a->vfs ? vf_attach_queue_at(a->vfs[vf], qp, mem, vector, head) : -1;
}

int adapter_pf_replay(struct adapter *a, unsigned vf, struct io_req *r)
{
    if (vf >= a->nvfs || !a->vfs)
        return -1;
    vf_replay(a->vfs[vf], r);
    return 0;
}

uint64_t adapter_vf_completions(const struct adapter *a, unsigned vf)
{
    return a->vfs && vf < a->nvfs ? vf_completions(a->vfs[vf]) : 0;
}

bool adapter_vf_held(const struct adapter *a, unsigned vf, const struct io_req *r)
{
    if (vf >= a->nvfs)
        return false;
    if (a->vfs && vf_held(a->vfs[vf], r))
        return true;
    return a->network ? nic_port_holds(a->port, r) : vf_queue_holds(a->media[vf], r);
}

void adapter_vf_set_assigned(struct adapter *a, unsigned vf, bool assigned)
{
    if (vf < a->nvfs)
        a->assigned[vf] = assigned;
}

bool adapter_vf_assigned(const struct adapter *a, unsigned vf)
{
    return vf < a->nvfs && a->assigned[vf];
}

int adapter_free_vf(const struct adapter *a)
{
    for (unsigned i = 0; i < a->nvfs; i++)
        if (!a->assigned[i])
            return (int)i;
    return -1;
}

uint32_t adapter_rid_vf(const struct adapter *a, uint16_t rid)
{
    for (unsigned i = 0; i < a->nvfs; i++)
        if (adapter_vf_rid(a, i) == rid)
            return i;
    return UINT32_MAX;
}
