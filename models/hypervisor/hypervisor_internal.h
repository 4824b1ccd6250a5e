/* models/hypervisor/hypervisor_internal.h — a system hypervisor's state,
 * shared by the files of its services: hypervisor.c (the processor and
 * LPAR placement), dma_window.c, vf_assign.c and lirq.c. Nothing outside
 * models/hypervisor/ includes it. */
#ifndef LPARSIM_MODELS_HYPERVISOR_HYPERVISOR_INTERNAL_H
#define LPARSIM_MODELS_HYPERVISOR_HYPERVISOR_INTERNAL_H

#include "models/cpu/cpu.h"
#include "models/hypervisor/dispatch.h"
#include "models/hypervisor/hcall.h"
#include "models/hypervisor/hypervisor.h"
#include "models/intc/xive_controller.h"

/* One slot's PHB, as the hypervisor hears its PE freezes. */
struct hyp_slot {
    struct hypervisor *h;
    struct phb *phb;
};

struct hypervisor {
    struct env *env;
    const struct cfg_node *cfg;
    char name[64];                /* the system's */
    char path[96];                /* "<system>.hyp" */
    struct cpu *cpu;
    struct dispatch *dispatch;
    struct hcall *hcall;
    struct xive_controller *xive;
    uint64_t mem_next, mem_used;  /* real memory handed to LPARs */
    uint64_t mmio_next;           /* MMIO space handed to VF BARs */
    struct vf_binding **bindings; /* every VF assigned on this system */
    size_t nbindings, cap_bindings;
    sim_time_t switch_detect, switch_remap, switch_replay; /* switch_schema */
    struct hyp_slot slots[XIVE_MAX_BLOCKS]; /* the PHBs whose freezes it hears */
    struct irq_stats *irq;        /* its interrupt managers' reassignments */
};

/* vf_assign.c keeps h->bindings. */
void hyp_binding_add(struct hypervisor *h, struct vf_binding *b);
void hyp_binding_remove(struct hypervisor *h, struct vf_binding *b);

/* Time of `count` units of an hcall on this system's processor, counted. */
static inline sim_time_t hyp_hcall(struct hypervisor *h, enum hcall_kind kind, uint64_t count)
{
    return hcall_cost_ps(h->hcall, h->cpu, kind, count);
}

#endif
