/* models/guest/vf_driver.h — the device driver in an LPAR's OS for its
 * assigned VF (NVMe-like storage or a NIC): per queue pair a submission
 * and a completion ring in LPAR memory, a pool of DMA buffers in the VF's
 * DMA window, the submit path and the interrupt handler.
 *
 * Submit (steps 1-2 of docs/architecture.md): a task of `submit_cycles` on the issuing VP
 * (VPs taken round-robin; the queue pair is the VP's in blk-mq's map:
 * with managed vectors the queue whose affinity group holds the VP, else
 * VP mod queue pairs: models/guest/irq_affinity.h), with the TCE mapping of the buffer when
 * `tce_mapping` is per_io; then the command goes into the SQ and the
 * doorbell is written (MMIO through the PHB). A full SQ holds commands
 * in a software queue until completions free slots.
 * Completion (step 7): the handler (an interrupt job of `handler_cycles`
 * on the queue's target VP) takes every completion entry already in
 * memory, unmaps per-I/O TCEs and wakes the thread that submitted each
 * storage I/O (`wakeup_cycles`): on the handler's VP that work is part of
 * the interrupt job, on another VP it runs there after an IPI
 * (`ipi_cycles`). The I/O completes when its wake-up ends. With
 * `completion_cycles` > 0 the per-entry work runs after the handler as a
 * task of that many cycles per entry (plus the unmaps and the local
 * wake-ups) on the same VP: coalescing then saves the handler, not the
 * per-completion work.
 * RX: a frame arriving from the wire needs a posted buffer of its queue
 * pair; with the ring full it is dropped (failed), as a NIC drops on
 * receive-buffer exhaustion.
 *
 * Buffers: each I/O takes a free one, uniformly at random (the TCE
 * working set is the buffer pool); with none free it waits.
 *
 * Metrics "<path>": scalars sq_full_waits, buffer_waits, rx_dropped,
 * timeouts, wakeups (submitters woken), wakeup_ipis (of which by IPI). */
#ifndef LPARSIM_MODELS_GUEST_VF_DRIVER_H
#define LPARSIM_MODELS_GUEST_VF_DRIVER_H

#include "models/guest/irq_affinity.h"
#include "models/intc/xive_controller.h"
#include "models/io.h"
#include "models/pcie/pcie_ports.h"
#include "sim/config.h"
#include "sim/env.h"

extern const struct schema vf_driver_schema;

enum tce_mapping { TCE_MAP_STATIC, TCE_MAP_PER_IO };
enum eeh_answer { EEH_ANSWER_RESET, EEH_ANSWER_RECOVER, EEH_ANSWER_NONE };

struct vf_driver_config {
    uint64_t submit_cycles;
    uint64_t handler_cycles;
    uint64_t completion_cycles; /* per entry taken; 0: in handler_cycles */
    uint64_t wakeup_cycles;  /* waking the submitter (storage); 0: none */
    uint64_t ipi_cycles;     /* the remote wake-up's IPI */
    uint32_t queue_entries;  /* per ring; a power of two */
    uint32_t buffers;        /* DMA buffers */
    uint64_t buffer_size;    /* bytes, a multiple of the I/O page */
    enum tce_mapping mapping;
    uint8_t irq_priority;
    /* EEH: how a freeze is noticed, and what the guest's EEH core does
     * (models/guest/eeh_core.h) */
    sim_time_t io_timeout;
    bool detect_poll;        /* mmio_poll, else timeout */
    sim_time_t poll_interval;
    enum eeh_answer eeh;
    sim_time_t reinit, eeh_callback, hotplug_sleep;
    uint32_t reset_attempts;
    /* interrupt affinity: managed vectors (1), not (0), or by the
     * adapter's kind (-1: storage managed, network not; the builder
     * resolves it before the driver is created) */
    int managed;
    bool hints, latency_sensitive;
};

void vf_driver_config_init(struct vf_driver_config *c, const struct cfg_node *cfg);
/* Whether a driver node (NULL: the defaults) maps per I/O. */
bool vf_driver_cfg_per_io(const struct cfg_node *cfg);

/* The hypervisor's TCE services for per-I/O mapping: map or unmap the
 * I/O pages of [ioba, ioba + bytes); *cycles = the hypervisor call's
 * cost on the calling VP. */
struct tce_map_port {
    int (*map)(void *ctx, uint64_t ioba, uint64_t bytes, bool device_writes, uint64_t *cycles);
    int (*unmap)(void *ctx, uint64_t ioba, uint64_t bytes, uint64_t *cycles);
    void *ctx;
};

/* Where the driver's rings and buffers live in its DMA window. */
struct vf_driver_layout {
    uint64_t rings_ioba, buffers_ioba, end_ioba; /* page-aligned */
};

/* What the driver is given when the hypervisor assigns it the VF. */
struct vf_driver_wiring {
    struct cpu_work_port cpu;  /* the LPAR's VPs */
    struct mmio_port mmio;     /* MMIO space (the PHB) */
    uint64_t bar_base;         /* the VF BAR's address */
    uint64_t doorbell_stride;  /* bytes between queue pairs' doorbells */
    uint32_t queue_pairs;      /* the VF's */
    struct io_sink wire_rx;    /* frames from the wire to the VF (NIC) */
    struct tce_map_port tce;
    uint64_t io_page;          /* the DMA window's I/O page size */
    uint64_t window_base;      /* the DMA window's first I/O address */
};

struct vf_driver;

struct vf_driver *vf_driver_create(struct env *e, const char *path,
                                   const struct vf_driver_config *c,
                                   const struct vf_driver_wiring *w);
void vf_driver_destroy(struct vf_driver *d);

/* Bytes of DMA window the driver's rings and buffers need. */
uint64_t vf_driver_window_bytes(const struct vf_driver_config *c, uint32_t queue_pairs,
                                uint64_t io_page);
/* The window layout (for the hypervisor's static mapping). */
struct vf_driver_layout vf_driver_layout(const struct vf_driver *d);
/* Queue pair qp's rings (given to the VF through its PF) and the irq
 * action the OS registers for its interrupt. */
struct io_qmem *vf_driver_queue(struct vf_driver *d, uint32_t qp);
struct irq_action vf_driver_irq_action(struct vf_driver *d, uint32_t qp);
/* The VP queue pair qp's interrupt targets now (its completion work runs
 * there); the guest kernel tells the driver when it binds or moves it. */
uint32_t vf_driver_queue_vp(const struct vf_driver *d, uint32_t qp);
void vf_driver_set_irq_vp(struct vf_driver *d, uint32_t qp, uint32_t vp);

/* Queue pair qp's vector as the guest kernel sees it
 * (models/guest/irq_affinity.h): managed or not, its affinity mask
 * (managed: its group of VPs; else every VP), and what the driver hints:
 * the VPs that submit to the queue (blk-mq's map) and the
 * latency-sensitive flag. */
struct vf_driver_irq {
    bool managed, hints, latency_sensitive;
    struct vp_mask mask, hint;
};
void vf_driver_irq_affinity(const struct vf_driver *d, uint32_t qp, struct vf_driver_irq *out);

/* The entry the LPAR submits requests to. */
struct io_sink vf_driver_sink(struct vf_driver *d);

/* ---- EEH: what the guest's EEH core (models/guest/eeh_core.h) uses ----
 * A command that times out (io_timeout; detect: timeout) makes the driver
 * call `suspect`: the EEH core then reads a register and, if it reads
 * all-ones, recovers. */
struct vf_driver_eeh {
    void (*suspect)(void *ctx);
    void *ctx;
};
void vf_driver_set_eeh(struct vf_driver *d, const struct vf_driver_eeh *eeh);
/* error_detected: completions already in memory are taken; every command
 * the device holds is taken back (counted retried, through the request's
 * done port), the rings start over, and I/O waits from now on. */
uint64_t vf_driver_freeze(struct vf_driver *d); /* returns how many were taken back */
/* resume: the waiting I/O goes out again, the retried ones first.
 * retry false (debug.skip_step eeh.retry): the retried ones are dropped
 * instead. Returns how many were waiting. */
uint64_t vf_driver_thaw(struct vf_driver *d, bool retry);
/* The device is gone: every waiting I/O fails visibly, and so does new
 * I/O, until vf_driver_thaw (for_good false: removed, to be probed
 * again) or for ever (for_good: permanently offline). */
void vf_driver_fail_all(struct vf_driver *d, bool for_good);
bool vf_driver_running(const struct vf_driver *d);

/* For the LPAR's conservation check: the queue pair whose rings hold r
 * (-1: none), and whether the driver itself holds it (submit path,
 * software queues). */
int vf_driver_ring_of(const struct vf_driver *d, const struct io_req *r);
bool vf_driver_holds(const struct vf_driver *d, const struct io_req *r);
/* Commands the device holds now: tags given out whose completion entry
 * is not in a completion ring yet. */
uint64_t vf_driver_at_device(const struct vf_driver *d);
/* A posted receive buffer no frame will fill (no VF is assigned): the
 * I/O fails, as a frame dropped for want of a buffer does. */
void vf_driver_rx_dropped(struct vf_driver *d, struct io_req *r);

#endif
