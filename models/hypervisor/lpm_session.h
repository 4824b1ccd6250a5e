/* models/hypervisor/lpm_session.h — live partition mobility: moving a
 * running LPAR, with its SR-IOV I/O, from one system to another over a
 * mover link (PowerVM LPM; the guest's side is Linux
 * arch/powerpc/platforms/pseries/mobility.c). The timeline's `migrate`
 * {lpar, to, via, quiesce, downtime_limit, max_rounds, max_factor,
 * switchover, dma_dirty, fallback, costs} starts one; docs/user-guide.md
 * "Live partition mobility" describes it for users.
 *
 * Phases, each a pair of events lpm_<phase>_start/_end inside
 * lpm_start/_end on component "lpm.<L>":
 *   validate     the target's memory and VP capacity, a compatible
 *                adapter with a free VF for every device, the link up
 *                (a refusal is an lpm_refused event: the LPAR keeps
 *                running where it is)
 *   prepare      both hypervisors prepare; the target's memory reserved
 *   unplug       (quiesce unplug) the VF's bond fails over to the virtual
 *                device after miimon, the VF is removed once it holds
 *                nothing (DLPAR remove)
 *   precopy      round 0 sends all memory, round i the pages dirtied
 *                during round i-1 (lpm_round_start/_end per round), until
 *                the dirty set fits downtime_limit at the link rate, or
 *                max_rounds rounds, or more than max_factor x memory sent
 *   vasi_wait    the guest notices `suspending` at its next H_VASI_STATE
 *                poll (every vasi_poll)
 *   drain        (quiesce drain, US9086904B2) submission suspended until
 *                no response is outstanding, then the queue state moved
 *                VF -> PF -> hypervisor memory
 *   join         every VP calls H_JOIN (stop_machine)
 *   suspend      the LPAR suspends: its VPs leave the source's
 *                dispatcher (eeh: the source VF placed in error state,
 *                which aborts the I/O it holds)
 *   stop_copy    (switchover stop_copy) the dirty set sent
 *   mappings     the interrupt-mapping (US20210357342A1) and MMIO-mapping
 *                (US9875060B1) information transferred
 *   rebuild_dma  the target VF's PE and its DMA window built, at the
 *                hypervisor's cost per TCE (its TCE cache starts cold)
 *   map_target   the LPAR's devices mapped to the target VFs: eeh places
 *                the target in EEH error state (US10761949B2); drain
 *                restores the queue state through the PF
 *   resume       the LPAR placed on the target's dispatcher with its
 *                interrupts bound there, and running
 *   plug         (quiesce unplug) a VF added on the target (probe), the
 *                bond fails back to it
 *   post_copy    (switchover post_copy) the pages not sent before resume
 *                fetched; a write to one before it arrives is a fault
 *   dt_update    the guest's device-tree update after resume
 *   cleanup      the source's resources released
 * Under eeh the guest's EEH core then recovers the target VF (eeh.*
 * events), retrying the I/O the error state aborted.
 * A failure of the link or of a target adapter before resume aborts the
 * migration (lpm_rollback_start/_end, an lpm_aborted event with why):
 * everything the target got is undone and the LPAR runs on the source.
 *
 * Metrics, component "lpm.<L>" (declared at build for every LPAR a
 * `migrate` names): scalars migrations, aborts, refusals and, of the last
 * completed migration, total_time, downtime, io_blackout (ns),
 * precopy_rounds, bytes_moved (B), ios_at_error, postcopy_faults,
 * postcopy_stall (ns: faults x fault, the writer's time waiting on them);
 * statistic io_latency (ns, I/O issued while a migration ran); series
 * round_bytes (B, one point per pre-copy round). */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPM_SESSION_H
#define LPARSIM_MODELS_HYPERVISOR_LPM_SESSION_H

#include "models/hypervisor/mover_link.h"
#include "sim/config.h"
#include "sim/mechanism.h"
#include "sim/timeline.h"

struct hypervisor;
struct lpar;
struct lpm_service;
struct lpm_session;

/* systems[].lpm: {max_concurrent}. */
extern const struct schema lpm_system_schema;
/* The timeline's `migrate`. */
extern const struct timeline_action migrate_action;
extern const struct mech_step *const lpm_steps[];
extern const size_t lpm_nsteps;

/* The machine's migration service (component "lpm", kind lpm_service):
 * the systems, the mover links and the per-LPAR results. NULL on
 * allocation failure. */
struct lpm_service *lpm_service_create(struct env *e);
void lpm_service_destroy(struct lpm_service *svc);
/* `lpm_cfg` is the system's `lpm` section (NULL: defaults). 0, or -1. */
int lpm_service_add_system(struct lpm_service *svc, struct hypervisor *h,
                           const struct cfg_node *lpm_cfg);
int lpm_service_add_link(struct lpm_service *svc, struct mover_link *l);
/* Declares lpm.<L>'s results (written even if it never migrates). */
int lpm_service_declare(struct lpm_service *svc, struct lpar *l);

#endif
