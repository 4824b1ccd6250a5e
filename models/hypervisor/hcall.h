/* models/hypervisor/hcall.h — what hypervisor calls cost the calling
 * thread: a cycle count per call, plus one per entry for the calls that
 * take a batch of TCEs, converted with the caller's processor frequency.
 * The calls the model makes: TCE programming (per I/O, at VF assignment
 * and when a window is rebuilt or cleared), H_INT_SET_SOURCE_CONFIG
 * (routing, retargeting, masking a source), VP control (H_CEDE, H_PROD)
 * and VF configuration through the PF (H_VIOCTL). XIVE has no XICS calls
 * (H_EOI, H_XIRR, H_IPI): a guest EOIs through the source's ESB page. Defaults and their reasons: the descriptor in hcall.c and
 * docs/model-cpu.md. Counters per kind (calls, entries, cycles). */
#ifndef LPARSIM_MODELS_HYPERVISOR_HCALL_H
#define LPARSIM_MODELS_HYPERVISOR_HCALL_H

#include <stdint.h>

#include "models/cpu/cpu.h"
#include "sim/config.h"
#include "sim/env.h"

extern const struct param_desc hcall_params[];
extern const struct schema hcall_schema;

enum hcall_kind {
    HCALL_PUT_TCE,               /* one TCE per call */
    HCALL_PUT_TCE_INDIRECT,      /* a list of TCEs, <= tces_per_call per call */
    HCALL_STUFF_TCE,             /* one value into a range, <= tces_per_call */
    HCALL_INT_SET_SOURCE_CONFIG, /* XIVE: route a source (retarget) */
    HCALL_CEDE,                  /* give up the rest of the VP's slice */
    HCALL_PROD,                  /* wake a ceded VP */
    HCALL_VIOCTL,                /* VF configuration through its PF */
    HCALL_KINDS
};

struct hcall_config {
    uint64_t call_cycles[HCALL_KINDS];  /* per call */
    uint64_t entry_cycles[HCALL_KINDS]; /* per TCE (batched kinds; else 0) */
    uint64_t tces_per_call;             /* batch limit of INDIRECT / STUFF */
};

struct hcall_counters {
    uint64_t calls, entries, cycles;
};

/* From a hcall_schema node (NULL: the descriptor defaults). */
void hcall_config_init(struct hcall_config *c, const struct cfg_node *cfg);

struct hcall;

/* With an env, counters restart at the warm-up and are written at finish
 * as scalars "<path>.<name>" calls / entries / cycles for each kind that
 * was called; env may be NULL (tests). NULL if tces_per_call is 0. */
struct hcall *hcall_create(struct env *e, const char *path, const struct hcall_config *c);
void hcall_destroy(struct hcall *h);

/* Cycles of `count` units of `kind`, without counting them. A unit is a
 * TCE for H_PUT_TCE_INDIRECT and H_STUFF_TCE (split into calls of at most
 * tces_per_call) and one call for the others. */
uint64_t hcall_cycles(const struct hcall *h, enum hcall_kind kind, uint64_t count);
/* Charges `count` units of `kind`: counts them and returns their time on
 * a thread of `cpu`. */
sim_time_t hcall_cost_ps(struct hcall *h, const struct cpu *cpu, enum hcall_kind kind,
                         uint64_t count);

/* Calls the batch limit turns `count` units into. */
uint64_t hcall_calls(const struct hcall *h, enum hcall_kind kind, uint64_t count);
const struct hcall_counters *hcall_counters(const struct hcall *h, enum hcall_kind kind);
/* The PAPR name: "H_PUT_TCE". */
const char *hcall_name(enum hcall_kind kind);

#endif
