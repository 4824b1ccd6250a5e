/* models/hypervisor/vf_pool.h — VF pool failover for virtual NICs
 * (US10884878B2; PowerVM's vNIC with several backing devices).
 *
 * A vNIC is an LPAR device with backing VFs on several adapters: its own
 * VF and the items of its `backups`, each with a failover priority from
 * 1 to 100 (the lowest wins; default 50). The data path is the bound
 * VF's DMA straight into the LPAR's memory; the control path goes through
 * the hypervisor, which heartbeats every backing device (`heartbeat`):
 * a backing device whose adapter failed or whose port is down misses its
 * heartbeat, and the vNIC fails over to the best healthy one (`selection`:
 * by priority, or the least loaded adapter). When the preferred one is
 * healthy again the vNIC fails back (`failback`).
 *
 * A failover, as events failover_<step>_start/_end inside
 * failover_start/_end on component "failover.<L>" (".<device>" for an
 * item of `devices`):
 *   detect    from the failure to the heartbeat that misses it
 *   reset     the client's queues stop: what was in flight is lost (it
 *             fails visibly: ios_failed, packets_lost)
 *   release   the old VF unassigned (hypervisor calls)
 *   assign    the new VF assigned (hypervisor calls)
 *   login     the client logs in again over the control path (`login`)
 *   announce  a gratuitous announcement (`announce`), then traffic flows
 * Scalars: failovers, failbacks, failover_time (ns, mean: the sum of the
 * steps), packets_lost. */
#ifndef LPARSIM_MODELS_HYPERVISOR_VF_POOL_H
#define LPARSIM_MODELS_HYPERVISOR_VF_POOL_H

#include "models/hypervisor/lpar_device.h"
#include "sim/config.h"
#include "sim/mechanism.h"

extern const struct schema vnic_schema;         /* a device's `vnic` section */
extern const struct schema vnic_backup_schema;  /* an item of its `backups` */
extern const struct mech_step *const failover_steps[];
extern const size_t failover_nsteps;

struct hypervisor;
struct vf_pool;

/* Whether the device node `dev_cfg` (the LPAR, or an item of `devices`)
 * is a vNIC: it has backups. */
bool vf_pool_is_vnic(const struct cfg_node *dev_cfg);

/* The pool of device d (bound to its own VF already), on the system of
 * hypervisor h. NULL with *err (a backup adapter that is not there). */
struct vf_pool *vf_pool_create(struct hypervisor *h, struct lpar_device *d, struct diag *err);
void vf_pool_destroy(struct vf_pool *p);

#endif
