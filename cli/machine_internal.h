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
/* The LPAR's adapter node after checking it exists and has the LPAR's
 * VF; NULL with *err located at the LPAR's value. */
const struct cfg_node *machine_lpar_adapter(const struct cfg_node *root,
                                            const struct cfg_node *lpar, struct diag *err);

#endif
