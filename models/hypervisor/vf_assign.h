/* models/hypervisor/vf_assign.h — VF assignment: what the hypervisor does
 * to give an LPAR's device a VF, in steps a mechanism can take one at a
 * time (each returns its hypervisor calls' time), and their inverses:
 *
 *   vf_binding_create     a PE for the VF's RID, an MMIO window for its
 *                         BAR, the VF enabled through the PF (H_VIOCTL)
 *   vf_binding_map_dma    the PE's DMA window mapped for the driver's
 *                         rings (and buffers, with static mapping):
 *                         H_PUT_TCE_INDIRECT
 *   vf_binding_connect    per queue pair: the rings attached and the
 *                         MSI-X entry programmed through the PF
 *                         (H_VIOCTL), a PHB source allocated and the
 *                         LPAR's logical interrupt bound to it
 *                         (H_INT_SET_SOURCE_CONFIG)
 *   vf_binding_disconnect logical interrupts unbound, sources freed, the
 *                         VF reset through the PF (queues detached,
 *                         MSI-X cleared, commands it held aborted)
 *   vf_binding_unmap_dma  the window cleared (H_STUFF_TCE)
 *   vf_binding_destroy    VF disabled (H_VIOCTL), window unmapped, PE
 *                         removed
 *
 * The guest's driver never talks to the binding: its MMIO, DMA-mapping
 * and receive ports are the device's (lpar_device_*_port), which go to
 * whatever VF is bound now. */
#ifndef LPARSIM_MODELS_HYPERVISOR_VF_ASSIGN_H
#define LPARSIM_MODELS_HYPERVISOR_VF_ASSIGN_H

#include "models/adapter/adapter.h"
#include "models/hypervisor/dma_window.h"
#include "models/hypervisor/lpar_device.h"
#include "models/pcie/phb.h"
#include "sim/diag.h"

struct hypervisor;

struct vf_binding {
    struct hypervisor *h;
    struct lpar_device *dev;
    struct adapter *adapter;
    unsigned vf;
    struct phb *phb;
    uint32_t pe;
    uint64_t bar;             /* the VF BAR's address in the system's MMIO space */
    struct mmio_port mmio;    /* the PHB's */
    struct io_sink rx;        /* frames from the wire (network) */
    struct dma_window dma;
    uint32_t *src;            /* per queue pair: the PHB source (LIRQ_UNBOUND: none) */
    bool connected;
};

struct vf_binding *vf_binding_create(struct hypervisor *h, struct lpar_device *dev,
                                     struct adapter *ad, unsigned vf, struct phb *p,
                                     sim_time_t *cost, struct diag *err);
int vf_binding_map_dma(struct vf_binding *b, sim_time_t *cost);
int vf_binding_connect(struct vf_binding *b, sim_time_t *cost);
void vf_binding_disconnect(struct vf_binding *b, sim_time_t *cost);
void vf_binding_unmap_dma(struct vf_binding *b, sim_time_t *cost);
void vf_binding_destroy(struct vf_binding *b, sim_time_t *cost);

/* Frees the record only, at the machine's teardown (nothing unwired). */
void vf_binding_free(struct vf_binding *b);

/* The three steps / the three inverses, and the device's `vf` set or
 * cleared. vf_assign: NULL with *err. */
struct vf_binding *vf_assign(struct hypervisor *h, struct lpar_device *dev, struct adapter *ad,
                             unsigned vf, struct phb *p, sim_time_t *cost, struct diag *err);
void vf_unassign(struct vf_binding *b, sim_time_t *cost);

/* ---- an adapter switch ----
 * The source's queue state saved (how far it fetched each SQ) and its
 * queues detached through the PF (one H_VIOCTL per queue pair); the
 * target connected with its queues attached at those heads, or with its
 * interrupts only (its queues come back when the guest re-initialises
 * it); the source's logical interrupts unbound. */
void vf_binding_stop(struct vf_binding *b, uint32_t *heads, sim_time_t *cost);
int vf_binding_connect_at(struct vf_binding *b, const uint32_t *heads, sim_time_t *cost);
int vf_binding_connect_irqs(struct vf_binding *b, sim_time_t *cost);
sim_time_t vf_binding_unbind_irqs(struct vf_binding *b);
/* The inverse of vf_binding_stop and _unbind_irqs on the same VF (a
 * migration rolled back): with `queues`, its queues attached again at the
 * saved heads (NULL: fresh) with their MSI-X programmed; the logical
 * interrupts bound again to the sources it kept. 0, or -1. */
int vf_binding_resume_at(struct vf_binding *b, const uint32_t *heads, bool queues,
                         sim_time_t *cost);
/* Whether r is at the VF, failed or not (what a switch replays). */
bool vf_binding_held(const struct vf_binding *b, const struct io_req *r);
/* The global source queue pair qp signals on, or LIRQ_UNBOUND. */
uint32_t vf_binding_source(const struct vf_binding *b, uint32_t qp);

/* EEH: the VF reset through the PF (its queues and MSI-X forgotten,
 * commands it held aborted), and restored afterwards: rings attached and
 * MSI-X programmed again with the same sources (one H_VIOCTL per queue
 * pair). */
void vf_binding_reset(struct vf_binding *b);
int vf_binding_restore(struct vf_binding *b, sim_time_t *cost);

/* Whether the bound VF holds r / reads queue pair qp's rings now. */
bool vf_binding_holds(const struct vf_binding *b, const struct io_req *r);
bool vf_binding_queue_attached(const struct vf_binding *b, uint32_t qp);
struct pe *vf_binding_pe(const struct vf_binding *b);

/* The device's ports for its driver: they go to the VF bound now. */
struct mmio_port lpar_device_mmio_port(struct lpar_device *d);
struct tce_map_port lpar_device_tce_port(struct lpar_device *d);
struct io_sink lpar_device_rx_port(struct lpar_device *d);

#endif
