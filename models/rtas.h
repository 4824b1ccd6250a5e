/* models/rtas.h — the RTAS calls a guest's EEH core recovers a frozen PE
 * with (Linux arch/powerpc/platforms/pseries/eeh_pseries.c): on PowerVM
 * the hypervisor carries them out for the partition's PE; the guest only
 * waits. One port per device; each call returns how long it takes
 * before the guest may go on (the waits are guest sleeps). A neutral
 * header: the guest's EEH core (models/guest/eeh_core.c) calls it, the
 * hypervisor (models/hypervisor/eeh_rtas.c) implements it. */
#ifndef LPARSIM_MODELS_RTAS_H
#define LPARSIM_MODELS_RTAS_H

#include <stdbool.h>

#include "sim/time.h"

/* ibm,read-slot-reset-state2, as the EEH core reads it. */
enum rtas_slot {
    RTAS_SLOT_ACTIVE,       /* state 0: MMIO and DMA pass */
    RTAS_SLOT_FROZEN,       /* 2 (or 4: MMIO only): recoverable */
    RTAS_SLOT_UNAVAILABLE,  /* 5: not answering (after a failed reset) */
    RTAS_SLOT_OFFLINE,      /* permanently unavailable */
    RTAS_SLOT_NONE,         /* no PE: no VF is assigned to the device now */
};

struct eeh_rtas_port {
    enum rtas_slot (*state)(void *ctx);
    /* When the PE last froze (for the detect time). */
    sim_time_t (*frozen_at)(void *ctx);
    /* ibm,set-eeh-option: thaw MMIO / thaw DMA. */
    sim_time_t (*thaw_mmio)(void *ctx);
    sim_time_t (*thaw_dma)(void *ctx);
    /* ibm,set-slot-reset: assert (then hold), deassert (then settle). */
    sim_time_t (*reset_assert)(void *ctx);
    sim_time_t (*reset_deassert)(void *ctx);
    /* ibm,configure-pe after a reset. */
    sim_time_t (*configure)(void *ctx);
    /* BARs and config space restored (eeh_pe_restore_bars). */
    sim_time_t (*restore)(void *ctx);
    /* The driver's re-initialisation asks the hypervisor to set the VF's
     * queues and MSI-X up again through the PF: one H_VIOCTL per queue
     * pair, whose time this returns. */
    sim_time_t (*reinit_vf)(void *ctx);
    /* The driver disabled the device (error_detected): the VF is reset
     * through the PF, dropping what it held. */
    void (*quiesce)(void *ctx);
    /* Recovery gave up: the PE goes permanently offline. */
    void (*give_up)(void *ctx);
    /* The VF's component path ("s0.nvme0.vf3"), or "" with none. */
    const char *(*vf_path)(void *ctx);
    void *ctx;
};

#endif
