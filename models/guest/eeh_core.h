/* models/guest/eeh_core.h — the guest's EEH core for one device: how
 * Linux on pseries notices a frozen PE and recovers it
 * (arch/powerpc/kernel/eeh.c, eeh_driver.c: eeh_handle_normal_event).
 *
 * Detection: the driver's I/O timeout, then a register read that returns
 * all-ones (detect: timeout), or a register read every poll_interval
 * (detect: mmio_poll). The recovery then runs while the LPAR runs, with
 * the RTAS calls of models/rtas.h (the waits are guest sleeps), as a
 * sequence of steps that depends on the driver's answer to
 * error_detected (driver parameter `eeh`):
 *   reset:   error_detected, reset (assert, hold, deassert, settle; up to
 *            reset_attempts times while the device does not answer),
 *            configure, restore, slot_reset, reinit, resume
 *   recover: error_detected, thaw MMIO, mmio_enabled, thaw DMA, reinit,
 *            resume
 *   none:    error_detected (the driver has no handler: the device is
 *            removed and its I/O fails), reset, configure, restore,
 *            hotplug sleep, reinit (probe)
 * At error_detected the driver takes back every command the device held
 * (ios_retried) and the VF is reset; at resume they go out again. When
 * every reset attempt fails, the MMIO thaw leaves the device unanswering
 * (a failed adapter: Linux eeh_pci_enable fails), or the PE froze too
 * often (max_freezes per freeze_window), the PE is given up: the
 * device's I/O fails visibly, and it is not detected again.
 *
 * Each step is a pair of events eeh_<step>_start / _end inside
 * eeh_start / eeh_end, on component "eeh.<S>.<A>.vf<N>", which also gets
 * the scalars freezes, recoveries, permanent_failures, detect_time and
 * recovery_time (ns, means; recovery runs from error_detected to the end
 * of resume). Skippable steps (debug.skip_step): eeh_steps. */
#ifndef LPARSIM_MODELS_GUEST_EEH_CORE_H
#define LPARSIM_MODELS_GUEST_EEH_CORE_H

#include "models/guest/vf_driver.h"
#include "models/hypervisor/lpar.h"
#include "models/pcie/pcie_ports.h"
#include "models/rtas.h"
#include "sim/env.h"
#include "sim/mechanism.h"

extern const struct mech_step *const eeh_steps[];
extern const size_t eeh_nsteps;

struct eeh_core;

/* For the device's driver `drv` (configured by c): it reads registers
 * through `mmio` at `bar`, recovers through `rtas`, and runs while the
 * LPAR `l` runs. NULL on allocation failure. */
struct eeh_core *eeh_core_create(struct env *e, struct lpar *l, struct vf_driver *drv,
                                 const struct vf_driver_config *c, struct mmio_port mmio,
                                 uint64_t bar, struct eeh_rtas_port rtas);
void eeh_core_destroy(struct eeh_core *core);
/* Declares the scalars of the VF bound now (written at the end even if it
 * never froze), so `expect:` can name them; call once the VF is bound. */
void eeh_core_declare(struct eeh_core *core);
/* Starts the register polling (detect: mmio_poll); call after env_start. */
void eeh_core_start(struct eeh_core *core);
/* A register read now (the driver touching its device when the
 * partition resumes after a migration): all-ones starts a recovery.
 * Returns whether a recovery is running. */
bool eeh_core_check(struct eeh_core *core);
/* Who hears a recovery's milestones (a migration waiting on it):
 * stopped when error_detected has stopped the driver's queues (with what
 * it took back), ended when the recovery ends (recovered, or given up). */
struct eeh_core_listener {
    void (*stopped)(void *ctx, uint64_t taken_back);
    void (*ended)(void *ctx, bool recovered);
    void *ctx;
};
void eeh_core_set_listener(struct eeh_core *core, const struct eeh_core_listener *l);
/* Whether what the device holds waits on EEH rather than being stuck: its
 * PE froze and the guest has not noticed that freeze yet (its I/O
 * timeout or next poll will), or a recovery is running. For the LPAR's
 * conservation check (debug.stuck_after); false for NULL. */
bool eeh_core_waiting(const struct eeh_core *core);

#endif
