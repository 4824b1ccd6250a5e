/* cli/registry.c — composes the component descriptors declared next to
 * each model into the scenario schema. This is the one place that knows
 * which component nests inside which (systems hold adapters, LPARs hold a
 * workload); the components themselves know only their own parameters. */
#include "cli/registry.h"

#include "models/adapter/adapter.h"
#include "models/adapter/msix_table.h"
#include "models/intc/xive_router.h"
#include "models/intc/xive_source.h"
#include "models/iommu/tce_cache.h"
#include "models/iommu/tce_table.h"
#include "models/pcie/pcie_link.h"
#include "models/pcie/pe.h"
#include "models/cpu/cpu.h"
#include "models/hypervisor/adapter_switch.h"
#include "models/hypervisor/dispatch.h"
#include "models/hypervisor/hcall.h"
#include "models/hypervisor/lpar.h"
#include "models/hypervisor/lpar_memory.h"
#include "models/hypervisor/lpm_session.h"
#include "models/hypervisor/mover_link.h"
#include "models/hypervisor/system.h"
#include "models/hypervisor/vf_pool.h"
#include "models/guest/irqbalance.h"
#include "models/guest/vf_driver.h"
#include "models/hypervisor/irq_manager.h"
#include "models/adapter/coalescing.h"
#include "sim/dist.h"
#include "cli/timeline_actions.h"
#include "workloads/workload.h"

static const struct schema_child system_children[] = {
    { "adapters", CFG_LIST, &adapter_schema, "adapters in the system's PCIe slots", false },
    { "cpu", CFG_STRUCT, &cpu_schema, "interrupt entry/exit costs, SMT", false },
    { "dispatch", CFG_STRUCT, &dispatch_schema, "the hypervisor's VP dispatcher", false },
    { "hcalls", CFG_STRUCT, &hcall_schema, "hypervisor-call costs", false },
    { "xive", CFG_STRUCT, &xive_router_schema,
      "interrupt controller (threads, vps and eas_entries follow the machine)", false },
    { "switch", CFG_STRUCT, &switch_schema, "adapter switch costs of the hypervisor", false },
    { "lpm", CFG_STRUCT, &lpm_system_schema, "live partition mobility limits", false },
    { 0 }
};

static const struct schema system_schema = {
    .name = "system",
    .doc = "a physical system: cores, SMT threads, memory, adapters",
    .params = system_params,
    .children = system_children,
};

static const struct schema_child lpar_device_children[] = {
    { "driver", CFG_STRUCT, &vf_driver_schema, "the driver of this VF", false },
    { "vnic", CFG_STRUCT, &vnic_schema, "virtual NIC failover (with backups)", false },
    { "backups", CFG_LIST, &vnic_backup_schema,
      "backing VFs on other adapters: the device is a vNIC that fails over to them", false },
    { 0 }
};

static const struct schema lpar_device_schema = {
    .name = "device",
    .doc = "one more VF assigned to the LPAR (its workloads pick it by `device`)",
    .params = lpar_device_params,
    .children = lpar_device_children,
};

static const struct schema_child lpar_children[] = {
    { "workload", CFG_STRUCT, &workload_schema, "what the LPAR runs (one workload)", false },
    { "workloads", CFG_LIST, &workload_schema,
      "what the LPAR runs (several, each with a name)", false },
    { "processors", CFG_STRUCT, &dispatch_lpar_schema,
      "dedicated or shared processors, entitlement", false },
    { "driver", CFG_STRUCT, &vf_driver_schema, "the driver of the assigned VF", false },
    { "devices", CFG_LIST, &lpar_device_schema,
      "more VFs assigned to the LPAR, each with a name and its own driver", false },
    { "pages", CFG_STRUCT, &lpar_memory_schema, "memory pages as migration tracks them", false },
    { "vnic", CFG_STRUCT, &vnic_schema, "virtual NIC failover of its own VF (with backups)",
      false },
    { "backups", CFG_LIST, &vnic_backup_schema,
      "backing VFs on other adapters: its own device is a vNIC that fails over to them", false },
    { 0 }
};

static const struct schema lpar_schema = {
    .name = "lpar",
    .doc = "a logical partition with an assigned VF and a workload",
    .params = lpar_params,
    .children = lpar_children,
};

static const struct param_desc stats_params[] = {
    { "batches", PARAM_U64, "", "20",
      "batches for batch-means confidence intervals over [warmup, duration]",
      .max = "1000" },
    { "sample_interval", PARAM_TIME, "ns", "1ms",
      "interval of series samples (0 = no series)" },
    { "p99_series", PARAM_BOOL, "", "false",
      "also record each LPAR's io_latency p99 over every sample interval (series "
      "io_latency_p99)" },
    { 0 }
};

static const struct schema stats_schema = {
    .name = "stats",
    .doc = "how statistics are gathered",
    .params = stats_params,
};

static const struct param_desc sweep_params[] = {
    { "reps", PARAM_U64, "", "1", "repetitions of each point (seeds derived per rep)",
      .min = "1", .max = "100000" },
    { 0 }
};

static const struct schema_child sweep_children[] = {
    { "vary", CFG_VARY, NULL, "PATH: [values] — cartesian product", false },
    { 0 }
};

static const struct schema sweep_schema = {
    .name = "sweep",
    .doc = "parameter sweep: values to vary and repetitions",
    .params = sweep_params,
    .children = sweep_children,
};

static const struct schema_child interrupts_children[] = {
    { "irqbalance", CFG_STRUCT, &irqbalance_schema, "kind irqbalance: the daemon's parameters",
      false },
    { "metric_threshold", CFG_STRUCT, &irq_manager_schema,
      "kind metric-threshold: the hypervisor's interrupt manager", false },
    { 0 }
};

static const struct schema interrupts_schema = {
    .name = "interrupts",
    .doc = "interrupt management: static, irqbalance or metric-threshold",
    .params = irq_policy_params,
    .children = interrupts_children,
};

static const struct schema_child policies_children[] = {
    { "interrupts", CFG_STRUCT, &interrupts_schema, "who moves interrupts while the machine runs",
      false },
    { 0 }
};

static const struct schema policies_schema = {
    .name = "policies",
    .doc = "the mechanisms a scenario switches on",
    .params = (const struct param_desc[]){ { 0 } },
    .children = policies_children,
};

static const struct param_desc scenario_params[] = {
    { "name", PARAM_STR, "", NULL, "scenario name (names the default database)" },
    { "description", PARAM_STR, "", "", "free text" },
    { "seed", PARAM_U64, "", "1", "random seed of the run" },
    { "duration", PARAM_TIME, "ns", NULL, "simulated time of the run", .min = "1ns" },
    { "warmup", PARAM_TIME, "ns", "0ns", "statistics start after this (must be < duration)" },
    { 0 }
};

static const struct schema_child scenario_children[] = {
    { "systems", CFG_LIST, &system_schema, "physical systems", true },
    { "links", CFG_LIST, &mover_link_schema,
      "mover links between systems (live partition mobility)", false },
    { "lpars", CFG_LIST, &lpar_schema, "logical partitions", false },
    { "stats", CFG_STRUCT, &stats_schema, "statistics gathering", false },
    { "sweep", CFG_STRUCT, &sweep_schema, "parameter sweep", false },
    { "timeline", CFG_LIST, &timeline_item_schema,
      "actions while the machine runs: {at, action, ...}, each may carry a name", false,
      .unnamed_ok = true },
    { "debug", CFG_STRUCT, &debug_schema, "checks of the model itself", false },
    { "policies", CFG_STRUCT, &policies_schema, "policies: interrupt management", false },
    { "expect", CFG_SEQ, NULL,
      "assertions checked at the end of every run: COMPONENT.METRIC[.FIELD] OP VALUE", false },
    { 0 }
};

const struct schema scenario_schema = {
    .name = "scenario",
    .doc = "a scenario file",
    .params = scenario_params,
    .children = scenario_children,
};

/* Listed by `lparsim params`: every component a scenario can configure. */
static const struct schema *const all_schemas[] = {
    &scenario_schema, &system_schema, &adapter_schema, &storage_service_schema,
    &lpar_schema, &lpar_device_schema, &workload_schema, &stats_schema, &sweep_schema,
    &pcie_link_schema, &pe_schema, &pe_rtt_schema, &tce_table_schema,
    &tce_cache_schema, &xive_source_schema, &xive_router_schema, &msix_table_schema,
    &cpu_schema, &dispatch_schema, &dispatch_lpar_schema, &hcall_schema, &vf_driver_schema,
    &lpar_memory_schema, &timeline_item_schema, &debug_schema, &switch_schema,
    &vnic_schema, &vnic_backup_schema, &policies_schema, &interrupts_schema,
    &irqbalance_schema, &irq_manager_schema, &coalescing_schema,
    &mover_link_schema, &lpm_system_schema,
};

size_t registry_schemas(const struct schema *const **out)
{
    *out = all_schemas;
    return sizeof all_schemas / sizeof all_schemas[0];
}
