/* models/adapter/adapter.c — SR-IOV adapter container: the adapter's
 * parameters and its VFs. The PF, MSI-X tables, DMA engine and EEH state
 * join this file's VFs when the PCIe path is modelled (issue: hardware
 * I/O path); until then the submit and completion latencies stand for
 * the whole doorbell / DMA / interrupt path and default to 0. */
#include "models/adapter/adapter.h"

#include <stdio.h>
#include <stdlib.h>

#include "models/adapter/vf_queue.h"
#include "sim/dist.h"

static const struct param_desc adapter_params[] = {
    { "kind", PARAM_ENUM, "", "storage", "what the adapter serves",
      .choices = "storage|network" },
    { "vfs", PARAM_U64, "", "1",
      "SR-IOV virtual functions enabled (PCIe SR-IOV allows up to 64K; "
      "adapters typically 64)", .min = "1", .max = "256" },
    { "servers", PARAM_U64, "", "1",
      "parallel service units behind each VF queue (flash channels, engines)",
      .min = "1", .max = "4096" },
    { "queue_entries", PARAM_U64, "", "65536",
      "entries of each VF's submission queue; a full queue rejects I/O "
      "(NVMe allows up to 64Ki)", .min = "1", .max = "16777216" },
    { "submit_latency", PARAM_TIME, "ns", "0ns",
      "driver -> device latency (doorbell); stands for the PCIe path" },
    { "completion_latency", PARAM_TIME, "ns", "0ns",
      "device -> driver latency (completion + interrupt)" },
    { 0 }
};

static const struct schema_child adapter_children[] = {
    { "service", CFG_STRUCT, &dist_schema,
      "device service time per I/O (storage media latency)", false },
    { 0 }
};

const struct schema adapter_schema = {
    .name = "adapter",
    .doc = "an SR-IOV adapter with VFs, each with a request queue",
    .params = adapter_params,
    .children = adapter_children,
};

struct adapter {
    unsigned nvfs;
    sim_time_t submit_latency;
    struct vf_queue **vfs;
};

struct adapter *adapter_create(struct env *e, const char *path,
                               const struct cfg_node *cfg)
{
    struct adapter *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->nvfs = (unsigned)cfg_u64(cfg, "vfs");
    a->submit_latency = cfg_u64(cfg, "submit_latency");
    a->vfs = calloc(a->nvfs, sizeof *a->vfs);
    if (!a->vfs) {
        free(a);
        return NULL;
    }
    for (unsigned i = 0; i < a->nvfs; i++) {
        char vf_path[160];
        snprintf(vf_path, sizeof vf_path, "%s.vf%u", path, i);
        a->vfs[i] = vf_queue_create(e, vf_path, cfg);
        if (!a->vfs[i]) {
            adapter_destroy(a);
            return NULL;
        }
    }
    return a;
}

void adapter_destroy(struct adapter *a)
{
    if (!a)
        return;
    for (unsigned i = 0; i < a->nvfs; i++)
        vf_queue_destroy(a->vfs[i]);
    free(a->vfs);
    free(a);
}

struct io_sink adapter_vf_sink(struct adapter *a, unsigned vf)
{
    return vf_queue_sink(a->vfs[vf]);
}

sim_time_t adapter_submit_latency(const struct adapter *a)
{
    return a->submit_latency;
}
