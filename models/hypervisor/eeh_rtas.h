/* models/hypervisor/eeh_rtas.h — the hypervisor's side of EEH for one LPAR
 * device: the RTAS calls of models/rtas.h carried out on the PE of the VF
 * bound to the device now (vf_assign.h). A reset succeeds only if the
 * device answers afterwards: its adapter has not failed and its slot's
 * link is up. */
#ifndef LPARSIM_MODELS_HYPERVISOR_EEH_RTAS_H
#define LPARSIM_MODELS_HYPERVISOR_EEH_RTAS_H

#include "models/hypervisor/lpar_device.h"
#include "models/rtas.h"

struct eeh_rtas_port lpar_device_rtas_port(struct lpar_device *d);

#endif
