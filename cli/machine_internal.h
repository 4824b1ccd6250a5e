/* cli/machine_internal.h — what the machine builder (machine.c) and its
 * semantic checks (machine_check.c) share: resolving an LPAR's system,
 * adapter and workloads in the configuration tree. */
#ifndef LPARSIM_CLI_MACHINE_INTERNAL_H
#define LPARSIM_CLI_MACHINE_INTERNAL_H

#include <stddef.h>

#include "sim/config.h"
#include "sim/diag.h"

/* Calls fn for the LPAR's `workload` (when the file has one) and each
 * item of its `workloads`; stops at the first non-zero return. */
int machine_each_workload(const struct cfg_node *lpar,
                          int (*fn)(void *ctx, const struct cfg_node *lpar,
                                    const struct cfg_node *w),
                          void *ctx);
/* Index of the adapter among all systems' adapters, in scenario order. */
size_t machine_adapter_index(const struct cfg_node *root, const struct cfg_node *adapter);
/* Index of the system named `name` (0 if none: names are checked first). */
size_t machine_system_index(const struct cfg_node *root, const char *name);
size_t machine_count_adapters(const struct cfg_node *root);
/* The VFs assigned to an LPAR: device 0 is its own `adapter`/`vf`, then
 * the items of its `devices`. machine_device returns the node that holds
 * device i's `adapter`, `vf` and `driver` (the LPAR itself for 0). */
size_t machine_device_count(const struct cfg_node *lpar);
const struct cfg_node *machine_device(const struct cfg_node *lpar, size_t i);
/* The device a workload's `device` names (0 when empty); -1 with *err
 * located at the value when the LPAR has no such device. */
int machine_workload_device(const struct cfg_node *lpar, const struct cfg_node *w,
                            struct diag *err);
/* The adapter node of device `dev` (a machine_device node) of the LPAR,
 * after checking it exists on the LPAR's system and has the VF; NULL
 * with *err located at the offending value. */
const struct cfg_node *machine_device_adapter(const struct cfg_node *root,
                                              const struct cfg_node *lpar,
                                              const struct cfg_node *dev, struct diag *err);
/* The I/O page of the adapter's DMA windows: `page_size`, or when it is 0
 * (the default) 4 KiB if the driver of a device on the adapter maps per
 * I/O, else 64 KiB (tce_table_page_for). */
uint64_t machine_adapter_io_page(const struct cfg_node *adapter, uint64_t page_size);

/* cli/machine_check_irq.c: an adapter's `coalescing` (its kind's
 * parameters only, a count with a timer, the hardware path), the
 * drivers' interrupt hints and the interrupt policy. */
int machine_check_coalescing(const struct cfg_node *adapter, struct diag *err);
int machine_check_irq(const struct cfg_node *root, struct diag *err);

#endif

/* What a dotted component path names in the scenario (cli/machine_targets.c):
 *   S.A        adapter A of system S          kind "adapter"
 *   S.A.vfN    VF N of that adapter           kind "vf" (hardware path)
 *   S.A.port   its Ethernet port              kind "nic_port" (network)
 *   S.A.link   its slot's PCIe link           kind "pcie_link" (hardware)
 *   lpar.L     LPAR L                         kind "lpar"
 *   links.M    mover link M                   kind "mover_link"
 * The machine builder registers the same paths (sim/directory.h). */
struct machine_target {
    const char *kind;
    const struct cfg_node *system, *adapter, *lpar, *link; /* those it involves */
    unsigned vf;
};
/* 0 and *t, or -1 with why ("system 's9' does not exist (did you mean
 * 's0'?)"). */
int machine_target(const struct cfg_node *root, const char *path, struct machine_target *t,
                   char *why, size_t n);
/* The system named `name`, or NULL with why (with a did-you-mean). */
const struct cfg_node *machine_system_named(const struct cfg_node *root, const char *name,
                                            char *why, size_t n);
