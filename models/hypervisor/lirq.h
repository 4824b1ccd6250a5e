/* models/hypervisor/lirq.h — the logical interrupt table as the
 * hypervisor drives it: binding an LPAR's logical interrupt (LISN) to a
 * hardware source of its system's XIVE (routed to the LPAR's VP at the
 * driver's priority, with the driver's handler), unbinding it (the source
 * turned off and masked), and retargeting it to another VP. Each is one
 * H_INT_SET_SOURCE_CONFIG; each returns its time. The LPAR keeps its LISN
 * numbers whichever source backs them: that is what makes an adapter
 * switch transparent to the guest (US11188369B2). */
#ifndef LPARSIM_MODELS_HYPERVISOR_LIRQ_H
#define LPARSIM_MODELS_HYPERVISOR_LIRQ_H

#include "models/hypervisor/lpar_device.h"
#include "sim/time.h"

struct hypervisor;

/* Routes global source `src` to the lirq's VP and handler. SIM_TIME_MAX
 * if the interrupt controller refuses it. */
sim_time_t lirq_bind(struct hypervisor *h, struct lirq *li, uint32_t src);
/* The source goes off and masked; the lirq is unbound. 0 if it was not
 * bound. */
sim_time_t lirq_unbind(struct hypervisor *h, struct lirq *li);
/* Moves a bound lirq to the LPAR's VP `vp`: the guest's
 * H_INT_SET_SOURCE_CONFIG (counted with the hcalls). SIM_TIME_MAX if
 * unbound or the VP does not exist. */
sim_time_t lirq_retarget(struct hypervisor *h, struct lirq *li, uint32_t vp);
/* The same done by the hypervisor itself (its interrupt manager updating
 * the logical interrupt table): the router's retarget time, no guest
 * hcall. */
sim_time_t lirq_move(struct hypervisor *h, struct lirq *li, uint32_t vp);

#endif
