/* models/pcie/pe.h — a partitionable endpoint (PE) and its EEH state, plus
 * the requester ID -> PE mapping of a PHB (RTT) and the SR-IOV VF RID rule.
 *
 * EEH (Linux arch/powerpc/kernel/eeh.c, eeh_pe.c): an error freezes the PE: MMIO reads return
 * all-ones, MMIO writes and DMA are dropped, interrupts are still
 * delivered. Slot states: 0 normal, 1 reset asserted, 2 stopped/frozen,
 * 4 MMIO enabled only, 5 temporarily unavailable. Recovery is a sequence
 * of steps the hypervisor drives: pe_recovery_step performs one and says
 * how long it takes before the next may run. More than `max_freezes`
 * freezes counted from the first freeze of the current `freeze_window`
 * puts the PE permanently offline (Linux's rule, eeh_pe_update_time_stamp:
 * the count restarts when the window since the first counted freeze has
 * passed, i.e. a fixed window, not a sliding one). */
#ifndef LPARSIM_MODELS_PCIE_PE_H
#define LPARSIM_MODELS_PCIE_PE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/time.h"

extern const struct schema pe_schema;
extern const struct schema pe_rtt_schema;

struct pe_config {
    sim_time_t thaw_ps;      /* one freeze-clear call (MMIO or DMA) */
    sim_time_t reset_hold_ps;
    sim_time_t reset_settle_ps;
    sim_time_t configure_ps; /* configure the PE after reset */
    sim_time_t restore_ps;   /* restore BARs and config space */
    uint32_t max_freezes;
    sim_time_t freeze_window_ps;
};

/* From a pe_schema node, or the descriptor defaults when cfg is NULL. */
int pe_config_init(struct pe_config *c, const struct cfg_node *cfg, struct diag *err);

enum pe_slot_state {
    PE_STATE_NORMAL = 0,
    PE_STATE_RESET = 1,       /* reset asserted */
    PE_STATE_FROZEN = 2,      /* MMIO and DMA stopped */
    PE_STATE_MMIO_ONLY = 4,   /* MMIO enabled, DMA still stopped */
    PE_STATE_UNAVAILABLE = 5, /* temporarily unavailable (settling) */
};

enum pe_verdict {
    PE_PASS,     /* the access reaches the device / memory */
    PE_ALL_ONES, /* MMIO read answered with all-ones by the PHB */
    PE_DROP,     /* write, DMA or message discarded */
};

enum pe_freeze_result {
    PE_FROZE,          /* a new freeze: counted */
    PE_ALREADY_FROZEN, /* detected again before recovery: not counted */
    PE_NOW_OFFLINE,    /* this freeze exceeded max_freezes */
    PE_IS_OFFLINE,     /* the PE was already permanently offline */
};

enum pe_recovery {
    PE_RECOVER_THAW,  /* the driver can recover: thaw MMIO, mmio_enabled, thaw DMA */
    PE_RECOVER_RESET, /* slot reset */
};

enum pe_step {
    PE_STEP_DONE = 0,       /* no recovery in progress (or just finished) */
    PE_STEP_THAW_MMIO,      /* -> 4 */
    PE_STEP_MMIO_ENABLED,   /* driver callback, stays 4 */
    PE_STEP_THAW_DMA,       /* -> 0 */
    PE_STEP_RESET_ASSERT,   /* -> 1, held reset_hold */
    PE_STEP_RESET_DEASSERT, /* -> 5, settling for reset_settle */
    PE_STEP_CONFIGURE,      /* -> 0, PE configured, freeze cleared */
    PE_STEP_RESTORE,        /* BARs and config space restored */
    PE_STEP_SLOT_RESET,     /* driver callback */
    PE_STEP_RESUME,         /* driver callback; recovery complete */
    PE_STEP_ABORTED,        /* the PE froze again (or went offline) mid-way */
};

struct pe_step_result {
    enum pe_step step;        /* the step just performed */
    enum pe_slot_state state; /* slot state after it */
    sim_time_t duration_ps;   /* time before the next step may run; the
                                 driver callbacks cost 0 here: the driver
                                 model adds its own time */
};

struct pe_counters {
    uint64_t freezes, reads_all_ones, writes_dropped, dma_dropped, msi_delivered;
    uint64_t msi_dropped, thaw_recoveries, reset_recoveries, aborted_recoveries;
};

struct pe;

struct pe *pe_create(const struct pe_config *c, uint32_t pe_number);
void pe_destroy(struct pe *pe);

/* An error detected at time `now` (a PHB error, a TCE fault, a driver
 * report). Aborts a recovery in progress. */
enum pe_freeze_result pe_freeze(struct pe *pe, sim_time_t now);

/* Hot-path checks, one per access (counted). */
enum pe_verdict pe_mmio_read(struct pe *pe);
enum pe_verdict pe_mmio_write(struct pe *pe);
enum pe_verdict pe_dma(struct pe *pe);
enum pe_verdict pe_msi(struct pe *pe);
/* What a frozen MMIO read of `bytes` (1, 2, 4, 8) returns. */
uint64_t pe_all_ones(unsigned bytes);

/* Starts a recovery of a frozen PE; -1 if it is not frozen, is offline
 * or a recovery is already running. */
int pe_recovery_start(struct pe *pe, enum pe_recovery kind);
/* Performs the next step (see enum pe_step). */
struct pe_step_result pe_recovery_step(struct pe *pe);
/* Sum of the step durations of a recovery (driver time excluded). */
sim_time_t pe_recovery_duration(const struct pe *pe, enum pe_recovery kind);

/* The RTAS primitives a guest's EEH core drives recovery with, one call
 * each; each returns how long it takes before the next may run:
 *  - thaw MMIO (frozen -> 4) and DMA (4 -> 0; a slot still frozen stays
 *    so): `thaw` (ibm,set-eeh-option);
 *  - reset assert (-> 1): `reset_hold`; deassert: `reset_settle`, after
 *    which the slot is frozen again but its device answers (-> 2), or,
 *    when the device does not answer (it failed, or its link is down),
 *    stays temporarily unavailable (-> 5): the attempt failed;
 *  - configure after reset (2 -> 0; a PE frozen by an error and not reset
 *    since stays frozen): `configure` (ibm,configure-pe);
 *  - restore BARs and config space: `restore` (the driver's state is the
 *    hypervisor's to restore, no state change here).
 * A permanently offline PE stays as it is. */
sim_time_t pe_thaw_mmio(struct pe *pe);
sim_time_t pe_thaw_dma(struct pe *pe);
sim_time_t pe_reset_assert(struct pe *pe);
sim_time_t pe_reset_deassert(struct pe *pe, bool device_alive);
sim_time_t pe_configure(struct pe *pe);
sim_time_t pe_restore_time(const struct pe *pe);
/* One freeze-clear call that cannot clear the freeze (the function is
 * dead or its link down: the PHB freezes the PE again at once). */
sim_time_t pe_thaw_time(const struct pe *pe);
/* Recovery gave up (its reset attempts failed): permanently offline. */
void pe_set_offline(struct pe *pe);
/* When it last froze. */
sim_time_t pe_last_freeze(const struct pe *pe);

enum pe_slot_state pe_state(const struct pe *pe);
bool pe_offline(const struct pe *pe);
bool pe_recovering(const struct pe *pe);
uint32_t pe_number(const struct pe *pe);
uint32_t pe_freeze_count(const struct pe *pe); /* in the current window */
const struct pe_counters *pe_counters(const struct pe *pe);
const char *pe_step_name(enum pe_step s);

/* --- RID -> PE (the PHB's RTT) --- */

#define PE_NONE UINT32_MAX

/* VF n (1-based) of a PF: PF RID + FirstVFOffset + (n-1) * VFStride.
 * Returns -1 if n is 0 or the RID leaves the 16-bit space. */
int pcie_vf_rid(uint16_t pf_rid, uint16_t first_vf_offset, uint16_t vf_stride,
                uint32_t n, uint16_t *rid);

struct pe_rtt_config {
    uint32_t pes; /* PEs the PHB supports */
};
int pe_rtt_config_init(struct pe_rtt_config *c, const struct cfg_node *cfg, struct diag *err);

struct pe_rtt;

/* 64 Ki entries (one per RID), all unmapped. NULL on allocation failure. */
struct pe_rtt *pe_rtt_create(const struct pe_rtt_config *c);
void pe_rtt_destroy(struct pe_rtt *rtt);
/* Maps `count` RIDs from `rid` to PE pe_num; -1 if pe_num >= pes or the
 * range leaves the RID space. */
int pe_rtt_map(struct pe_rtt *rtt, uint16_t rid, uint32_t count, uint32_t pe_num);
/* The inverse: `count` RIDs from `rid` map to no PE. */
void pe_rtt_unmap(struct pe_rtt *rtt, uint16_t rid, uint32_t count);
/* The PE of a RID, or PE_NONE. */
uint32_t pe_rtt_lookup(const struct pe_rtt *rtt, uint16_t rid);

#endif
