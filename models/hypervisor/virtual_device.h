/* models/hypervisor/virtual_device.h — an emulated virtual device that
 * stands in for an LPAR device's VF while the VF is absent: the virtual
 * NIC that "migratable SR-IOV" bonds active-backup with the VF, or the
 * logical device that switches between emulation and pass-through
 * (the virtual-device fallback of a migration). Every request it is given completes
 * after `per_io` (the hypervisor's or VIOS's path for one I/O: an
 * infinite server, no queueing of its own); nothing of it touches the
 * adapter. While it serves a device, that device's requests go to it
 * (virtual_device_attach) and what it holds counts as in flight.
 *
 * Metrics, component "<device path>.virtual": scalars ios (requests it
 * served). */
#ifndef LPARSIM_MODELS_HYPERVISOR_VIRTUAL_DEVICE_H
#define LPARSIM_MODELS_HYPERVISOR_VIRTUAL_DEVICE_H

#include "models/hypervisor/lpar_device.h"
#include "sim/env.h"

struct virtual_device;

/* For device d, at `per_io` per request. NULL on allocation failure. */
struct virtual_device *virtual_device_create(struct env *e, struct lpar_device *d,
                                             sim_time_t per_io);
void virtual_device_destroy(struct virtual_device *v);
/* From now on the device's new requests go to the virtual device
 * (attach) or back to its driver (detach). Requests already at either
 * finish where they are. NULL: nothing happens. */
void virtual_device_attach(struct virtual_device *v);
void virtual_device_detach(struct virtual_device *v);
bool virtual_device_attached(const struct virtual_device *v);
uint64_t virtual_device_ios(const struct virtual_device *v);
/* Requests it holds now (0 for NULL). */
uint64_t virtual_device_in_flight(const struct virtual_device *v);

#endif
