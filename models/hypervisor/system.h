/* models/hypervisor/system.h — one physical system (CEC): processor
 * cores and SMT threads, memory, and the adapters in its PCIe slots. The
 * hypervisor of the system hands these resources to LPARs. */
#ifndef LPARSIM_MODELS_HYPERVISOR_SYSTEM_H
#define LPARSIM_MODELS_HYPERVISOR_SYSTEM_H

#include <stdint.h>

#include "sim/config.h"
#include "sim/diag.h"

extern const struct param_desc system_params[];

/* Resources handed out so far, to refuse an over-committed scenario. */
struct system_budget {
    const struct cfg_node *cfg;
    uint64_t memory_left;
    uint64_t threads;
};

void system_budget_init(struct system_budget *b, const struct cfg_node *system_cfg);
/* Takes an LPAR's memory; -1 with *err located at the LPAR's memory if
 * the system does not have that much left. */
int system_budget_take_lpar(struct system_budget *b, const struct cfg_node *lpar_cfg,
                            struct diag *err);

#endif
