/* models/adapter/vf.h — one SR-IOV virtual function as the PCIe side sees
 * it: a BAR of doorbells (one per queue pair), a DMA engine, an MSI-X
 * table with interrupt moderation, and the hand-off to the device's
 * service stage (the storage media queue, or the NIC port).
 *
 * One command's life (docs/architecture.md "The seven steps", 2-6):
 *   doorbell MMIO write lands in the BAR (the new SQ tail)
 *   -> descriptor fetch: DMA read of the new 64-byte SQ entries (up to
 *      `fetch_max` per read), translated by the PHB's TCEs
 *   -> write/TX: data DMA read from the buffer; then the service stage
 *   -> read: the service stage; then the data DMA write in MPS TLPs
 *   -> completion entry: 16-byte DMA write into the CQ
 *   -> coalescing (models/adapter/coalescing.h): an MSI after `count`
 *      entries or a timer; the count and timer come from the adapter's
 *      coalescing kind (off, fixed, vIC, DIM)
 *   -> MSI-X table lookup: the vector's (address, data), or its pending
 *      bit when masked -> MSI write up the link.
 * An RX frame starts at the wire and continues like a read's data.
 *
 * The VF is configured only through its PF (models/adapter/adapter.c):
 * queue pairs attached, MSI-X table programmed.
 *
 * Metrics "<path>": statistic device_latency (ns, descriptor fetched ->
 * completion entry in memory); scalars ios_completed, throughput (1/s),
 * msis, msis_per_completion, dma_aborted (and dim_changes with DIM);
 * series iops. */
#ifndef LPARSIM_MODELS_ADAPTER_VF_H
#define LPARSIM_MODELS_ADAPTER_VF_H

#include "models/adapter/coalescing.h"
#include "models/adapter/msix_table.h"
#include "models/io.h"
#include "models/pcie/pcie_ports.h"
#include "sim/env.h"

#define VF_DOORBELL_STRIDE 8   /* bytes between queue pairs' doorbells */
#define VF_BAR_SIZE 16384      /* one VF BAR: doorbells, 16 KiB */

struct vf_config {
    uint32_t queue_pairs;
    uint32_t msix_vectors;
    uint32_t fetch_max;        /* descriptors per fetch DMA */
    struct coalescing_config coal;
};

struct vf;

/* `service` is where commands are served (storage media queue or the NIC
 * port's TX); `wire_rx` the NIC port's receive side (network only). */
struct vf *vf_create(struct env *e, const char *path, uint16_t rid, const struct vf_config *c,
                     struct pcie_upstream up, struct io_sink service, struct io_sink wire_rx);
void vf_destroy(struct vf *f);

/* ---- configuration, by the PF ---- */
/* Queue pair qp uses the rings in `mem` and signals on `vector`. */
int vf_attach_queue(struct vf *f, uint32_t qp, struct io_qmem *mem, uint32_t vector);
struct msix_table *vf_msix(struct vf *f);
/* Detaches queue pair qp (its rings stay the driver's). -1 if none. */
int vf_detach_queue(struct vf *f, uint32_t qp);
/* Function-level reset: every queue pair detached (a fetch still on the
 * link finds nothing when it lands), the MSI-X table back to its reset
 * state (masked, disabled). Commands the function held are the OS's to
 * take back (io_req_take_back): their events then do nothing. */
void vf_reset(struct vf *f);
/* The adapter failed (dead = true: nothing gets in or out; a fetch on
 * the link is dropped; how far each SQ was fetched stays known, as the
 * completions written so far tell the host) or was repaired (false: it
 * answers again; an EEH reset re-initialises it). */
void vf_set_dead(struct vf *f, bool dead);
/* Whether the function holds r now (in its DMA engine, alive): what the
 * LPAR's conservation check asks. */
bool vf_holds(const struct vf *f, const struct io_req *r);
uint16_t vf_generation(const struct vf *f);
/* Queue state moved between VFs (an adapter switch): how far the device
 * has fetched the SQ; attaching at that head (the SQ tail read from the
 * rings in memory) makes the VF fetch what it has not seen. */
uint32_t vf_queue_head(const struct vf *f, uint32_t qp);
int vf_attach_queue_at(struct vf *f, uint32_t qp, struct io_qmem *mem, uint32_t vector,
                       uint32_t head);
/* Issues a command another VF had fetched and not completed (r->queue
 * set): the replay of an adapter switch. */
void vf_replay(struct vf *f, struct io_req *r);
/* Whether r is the function's, failed or not. */
bool vf_held(const struct vf *f, const struct io_req *r);
/* Whether queue pair qp is attached to the rings at mem. */
bool vf_queue_attached(const struct vf *f, uint32_t qp, const struct io_qmem *mem);
uint16_t vf_rid(const struct vf *f);
/* Completion entries written since it was built (never reset). */
uint64_t vf_completions(const struct vf *f);
uint32_t vf_queue_pairs(const struct vf *f);

/* ---- ports ---- */
/* The BAR, reached through the PHB's MMIO window. */
struct mmio_target vf_bar(struct vf *f);
/* Frames arriving from the wire for this VF (r->queue, r->ioba set by
 * the driver that posted the buffer). */
struct io_sink vf_receive(struct vf *f);

#endif
