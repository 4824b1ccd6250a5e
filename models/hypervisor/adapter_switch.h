/* models/hypervisor/adapter_switch.h — moving an LPAR device from its VF
 * to a VF of another adapter while the machine runs, two ways:
 *
 * transparent (US11188369B2): the hypervisor does it all and the guest
 * never sees it: its driver keeps its rings, its logical interrupt
 * numbers and its BAR address; only what backs them changes.
 *   [detect]      on a failure: the hypervisor hears the PHB's freeze
 *   prepare       the target VF: PE, MMIO window, enabled (H_VIOCTL); the
 *                 DMA window rebuilt on its PE (H_PUT_TCE_INDIRECT)
 *   stop_source   the source's queue state (how far it fetched each SQ)
 *                 saved and its queues detached through the PF (H_VIOCTL
 *                 per queue pair); the commands it held are collected and
 *                 it is reset
 *   remap         the guest's BAR now maps the target's (a partition
 *                 page-table update)
 *   reroute       per queue pair: the logical interrupt unbound from the
 *                 source's source and bound to a new one on the target
 *                 (H_INT_SET_SOURCE_CONFIG each), the rings attached to the
 *                 target at the saved heads with its MSI-X programmed
 *                 (H_VIOCTL)
 *   replay        the collected commands issued on the target
 *                 (ios_retried), at a cost per command
 *   release       the source unassigned: sources freed, DMA window
 *                 cleared (H_STUFF_TCE), PE removed, VF disabled (H_VIOCTL)
 * It runs as the timeline's `switch_adapter` (planned) or by itself when
 * the active adapter fails and the device names a `standby` adapter.
 *
 * error_state (US9892070B1, US9720862B1): interrupt migration through the
 * error state; the guest's EEH core finishes it.
 *   collect       the source VF's interrupt mapping read through the PF
 *                 (H_VIOCTL per vector)
 *   configure     the target prepared as above and given that mapping
 *                 (its MSI-X programmed, the logical interrupts bound to
 *                 it), its queues not attached
 *   error_state   both PEs frozen
 *   deconfigure   the guest's BAR mapped to the target, the source
 *                 unassigned
 * then both recover: the guest notices the freeze and its EEH core
 * recovers the target (eeh.* metrics), retrying what the source held.
 *
 * Each step is a pair of events switch_<step>_start/_end inside
 * switch_start/_end on component "switch.<L>" ("switch.<L>.<device>"
 * for an item of `devices`), with scalars switches, switch_time (ns,
 * the sum of the steps: exactly their costs) and io_blackout (ns, from
 * the last completion before the switch, or the failure, to the first
 * completion after it), ios_replayed. Costs not set by hcalls: the
 * `switch` section of the system (switch_schema). */
#ifndef LPARSIM_MODELS_HYPERVISOR_ADAPTER_SWITCH_H
#define LPARSIM_MODELS_HYPERVISOR_ADAPTER_SWITCH_H

#include "models/adapter/adapter.h"
#include "models/hypervisor/lpar_device.h"
#include "models/pcie/phb.h"
#include "sim/mechanism.h"
#include "sim/timeline.h"

extern const struct schema switch_schema;
extern const struct mech_step *const switch_steps[];
extern const size_t switch_nsteps;
/* The timeline's `switch_adapter` {lpar, to, device, method}. */
extern const struct timeline_action switch_adapter_action;

struct hypervisor;

enum switch_method { SWITCH_TRANSPARENT, SWITCH_ERROR_STATE };

/* Starts moving device d (of an LPAR placed on h) to VF `vf` of adapter
 * `to` in the slot of PHB `phb` (vf < 0: its lowest free VF). on_failure:
 * the device's adapter failed (the detect step comes first). 0, or -1
 * with why (a switch already running, no free VF, a VF of another kind or
 * shape). */
int adapter_switch_start(struct hypervisor *h, struct lpar_device *d, struct adapter *to,
                         struct phb *phb, int vf, enum switch_method m, bool on_failure,
                         char *why, size_t n);

/* The costs of the system's `switch` section (NULL: defaults). */
void adapter_switch_config(struct hypervisor *h, const struct cfg_node *cfg);

/* Declares device d's switch scalars (written at the end, zeros if it
 * never switches), so `expect:` can name them: for a device with a
 * standby or one a timeline switches. A switch declares them anyway. */
void adapter_switch_declare(struct lpar_device *d);

/* The hypervisor heard a PE of `phb` freeze: if the device bound to it
 * names a standby adapter, a transparent switch to it starts. */
void adapter_switch_on_freeze(struct hypervisor *h, struct phb *phb, uint32_t pe);

#endif
