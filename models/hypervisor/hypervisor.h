/* models/hypervisor/hypervisor.h — one system's firmware hypervisor: the
 * processor (models/cpu), the VP dispatcher, the XIVE interrupt
 * controller, hypervisor-call accounting, and the partition services the
 * I/O path needs (SPEC §3):
 *  - LPARs: memory (a real-address range each) and VPs;
 *  - VF assignment through the PF: a PE for the VF's RID on the slot's
 *    PHB, an MMIO window for its BAR, one H_VIOCTL;
 *  - DMA windows and TCE programming (H_PUT_TCE_INDIRECT at start, or
 *    H_PUT_TCE / H_STUFF_TCE per I/O for a driver that maps per I/O);
 *  - the logical interrupt table: (LPAR, logical IRQ) -> PHB source ->
 *    target VP, programmed into the VF's MSI-X table through the PF and
 *    into the XIVE router; retargeting is H_INT_SET_SOURCE_CONFIG.
 * Set-up calls cost no simulated time (they happen before the run) and,
 * like everything before the warm-up ends, are not in the hcall metrics;
 * calls made during the run (per-I/O TCE mapping, retargets) are.
 *
 * Components "<system>.cpu", "<system>.hcall.<H_NAME>", "<system>.xive";
 * an LPAR's VPs report as "lpar.NAME.vp<i>". */
#ifndef LPARSIM_MODELS_HYPERVISOR_HYPERVISOR_H
#define LPARSIM_MODELS_HYPERVISOR_HYPERVISOR_H

#include "models/adapter/adapter.h"
#include "models/guest/vf_driver.h"
#include "models/pcie/phb.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

struct hypervisor;

/* `system_cfg` is the system's node (system_params; children cpu,
 * dispatch, hcalls, xive). total_vps: every VP the system's LPARs will
 * add; phbs: slots whose PHBs will attach. NULL with *err. */
struct hypervisor *hypervisor_create(struct env *e, const struct cfg_node *system_cfg,
                                     uint32_t total_vps, uint32_t phbs, struct diag *err);
void hypervisor_destroy(struct hypervisor *h);

/* An LPAR (lpar_params node; child `processors`). Returns its index. */
int hypervisor_add_lpar(struct hypervisor *h, const struct cfg_node *lpar_cfg, struct diag *err);
/* Its VPs, for workloads and drivers. */
struct cpu_work_port hypervisor_vp_port(struct hypervisor *h, int lpar);

/* The slot's PHB: its MSI sources join the interrupt controller. */
int hypervisor_attach_phb(struct hypervisor *h, struct phb *p);

/* Assigns VF `vf` of adapter `ad` (in the slot of PHB `p`) to the LPAR
 * and builds its driver (`drv_cfg`, component `path`): PE, MMIO window,
 * DMA window mapped for the driver's rings and buffers, queue pairs and
 * interrupts wired through the PF. NULL with *err. */
struct vf_driver *hypervisor_assign_vf(struct hypervisor *h, int lpar, struct adapter *ad,
                                       unsigned vf, struct phb *p, const char *path,
                                       const struct vf_driver_config *drv_cfg,
                                       struct diag *err);

/* Moves logical IRQ `lisn` of the LPAR to its VP `vp` (one
 * H_INT_SET_SOURCE_CONFIG; returns its cost, the XIVE router's `retarget`,
 * or SIM_TIME_MAX when there is no such IRQ). */
sim_time_t hypervisor_retarget_irq(struct hypervisor *h, int lpar, uint32_t lisn, uint32_t vp);

/* Places the VPs and starts the dispatch clock (after every LPAR). */
int hypervisor_start(struct hypervisor *h, struct diag *err);

#endif
