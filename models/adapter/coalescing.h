/* models/adapter/coalescing.h — interrupt coalescing (moderation) of a
 * VF's queue pairs: what the adapter's `coalescing` section configures
 * and the small interface between the VF's completion path (vf.c) and
 * the policies, each in its own file:
 *
 *   off      every completion entry raises its vector's interrupt;
 *   fixed    count + timer (NVMe's Interrupt Coalescing feature, a NIC's
 *            rx-usecs / rx-frames): an interrupt after `count` entries
 *            or `time` after the first entry not yet signalled;
 *   dynamic  vIC (coalesce_vic.h: Ahmad et al., USENIX ATC 2011;
 *            US 8,478,924): the entries per interrupt follow the
 *            commands in flight, no high-resolution timer;
 *   dim      Linux's net DIM (coalesce_dim.h: lib/dim/net_dim.c): the
 *            (usecs, frames) profile moves with the measured rates.
 *
 * Every policy reduces, per queue pair and at each moment, to a
 * moderation: signal when `count` entries are unsignalled, or when the
 * timer of `time` (0: none) started at the first unsignalled entry (or,
 * with `restart`, at the last one: DIM's CQE mode) fires. The VF keeps
 * one `struct moderation` per queue pair and asks the dynamic policies
 * for it; nothing here allocates or runs per event beyond that. */
#ifndef LPARSIM_MODELS_ADAPTER_COALESCING_H
#define LPARSIM_MODELS_ADAPTER_COALESCING_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/time.h"

extern const struct schema coalescing_schema;

enum coalescing_kind { COALESCE_OFF, COALESCE_FIXED, COALESCE_DYNAMIC, COALESCE_DIM };

/* What a queue pair's completion path applies now. */
struct moderation {
    uint32_t count;     /* entries per interrupt (>= 1) */
    sim_time_t time;    /* the timer; 0 = none */
    bool restart;       /* the timer restarts at each entry (DIM CQE mode) */
};

struct vic_config {
    uint32_t cif_threshold;   /* commands in flight at or below which: no coalescing */
    double iops_threshold;    /* completions per second below which: no coalescing */
    sim_time_t epoch;         /* IOPS is measured and the ratio re-enabled per epoch */
    uint32_t max_batch;       /* most completions one interrupt waits for */
    sim_time_t safety_timer;  /* the coarse timer that delivers what is left */
};

struct dim_config {
    uint32_t start_profile;   /* index into the profile table, 0..4 */
    bool cqe_mode;            /* CQE-based period (the timer restarts per entry) */
    bool tx_profiles;         /* the TX table instead of RX */
};

struct coalescing_config {
    enum coalescing_kind kind;
    uint32_t count;
    sim_time_t time;
    struct vic_config vic;
    struct dim_config dim;
};

/* From a coalescing_schema node, or the descriptor defaults when cfg is
 * NULL (coalescing off). */
void coalescing_config_init(struct coalescing_config *c, const struct cfg_node *cfg);
const char *coalescing_kind_name(enum coalescing_kind k);

/* The scenario checks of one `coalescing` node (a fixed count without a
 * timer): 0, or -1 with *err located at the offending value. The other
 * kinds' parameters may be given, unread, so that one file can sweep the
 * kind. `adapter` names it in the message. */
int coalescing_check(const struct cfg_node *cfg, const char *adapter, struct diag *err);

#endif
