/* models/io.h — an I/O request and the ports it travels through.
 *
 * A request is owned by the LPAR that issued it (it comes from the LPAR's
 * pool) and is handed from component to component by pointer; no copy,
 * no allocation per I/O. Each holder records itself in `holder`, so the
 * LPAR can tell at the end of a run whether an outstanding request is
 * still somewhere in the machine (in flight) or was dropped (lost). */
#ifndef LPARSIM_MODELS_IO_H
#define LPARSIM_MODELS_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/kernel.h"
#include "sim/time.h"

/* READ/WRITE: storage (the device writes / reads host memory). TX: the
 * NIC reads a packet from host memory and sends it on the wire. RX: a
 * packet arrives from the wire into a buffer the driver posted. */
enum io_op { IO_READ, IO_WRITE, IO_TX, IO_RX, IO_OPS };
enum io_status { IO_OK, IO_ERROR };

struct io_req;
struct io_notify_port;

/* Where a component sends requests (a VF queue's submit entry). */
struct io_sink {
    void (*submit)(void *ctx, struct io_req *r);
    void *ctx;
};

/* Where a request reports back when a stage has finished with it. */
struct io_done {
    void (*complete)(void *ctx, struct io_req *r);
    void *ctx;
    /* The OS took r back from a device to issue it again (EEH recovery,
     * an adapter switch): counted as retried. NULL = nobody counts. */
    void (*retried)(void *ctx, struct io_req *r);
};

struct io_req {
    uint64_t seq;            /* I/O number within its LPAR, from 1 */
    uint64_t tag;            /* the workload's cookie */
    sim_time_t t_submit;     /* driver submit: latency starts here */
    sim_time_t t_queued;     /* the VF took the command (descriptor fetched,
                                or a frame arrived): device_latency starts */
    sim_time_t t_arrived;    /* reached the service stage (media queue) */
    sim_time_t t_service;    /* device service started */
    sim_time_t t_visible;    /* completion entry visible in host memory */
    uint64_t offset;         /* byte offset on the device (storage) */
    uint64_t ioba;           /* I/O bus address of the data buffer */
    uint32_t bytes;
    sim_time_t t_retry;      /* last retried or replayed (0: never) */
    uint16_t queue;          /* queue pair of the VF it travels on */
    uint16_t epoch;          /* bumped when the OS takes it back (io_req_arg) */
    uint16_t ctag;           /* the driver's command tag while the device has it */
    uint8_t device;          /* which of its LPAR's devices (VFs) */
    uint8_t op;              /* enum io_op */
    uint8_t status;          /* enum io_status */
    uint8_t in_use;
    uint8_t traced;          /* print its hops (lparsim run --trace-io) */
    uint8_t prepaid;         /* the driver: the pending interrupt job already
                                holds its per-completion work */
    uint16_t vp;             /* the LPAR's VP whose thread submitted it and
                                waits for it (the driver's) */
    const void *holder;      /* component holding it; NULL once dropped */
    const struct io_done *done;
    /* Where the device's service stage (media, wire) returns the request
     * to the function's DMA engine; NULL on the abstract path, where the
     * service stage completes it through `done` after its own latency. */
    const struct io_done *served;
    const struct io_notify_port *notify; /* the workload that issued it */
    struct io_req *next;     /* intrusive: device queue or free list */
};

/* A request as a kernel event's argument, with its epoch in the top 16
 * bits (user-space pointers fit in 48). When the OS takes a request back
 * from a device (EEH recovery cancels what the device held, a switch
 * replays it on another adapter) it bumps the epoch: an event the device
 * scheduled before, when it fires, sees it is stale and leaves the
 * request alone (io_req_stale). */
static inline uint64_t io_req_arg(const struct io_req *r)
{
    return (uint64_t)(uintptr_t)r | (uint64_t)r->epoch << 48;
}
static inline struct io_req *io_req_from(uint64_t arg)
{
    return (struct io_req *)(uintptr_t)(arg & ((UINT64_C(1) << 48) - 1));
}
static inline bool io_req_stale(uint64_t arg)
{
    return (uint16_t)(arg >> 48) != io_req_from(arg)->epoch;
}
/* The OS takes r back from whatever device stage holds it. */
static inline void io_req_take_back(struct io_req *r, const void *holder)
{
    r->epoch++;
    r->holder = holder;
}

/* "read", "write", "tx", "rx" (for traces). */
static inline const char *io_op_name(unsigned op)
{
    static const char *const names[IO_OPS] = { "read", "write", "tx", "rx" };
    return op < IO_OPS ? names[op] : "?";
}

/* What a workload asks of an LPAR, and how it hears back. */
struct io_spec {
    uint32_t bytes;
    uint8_t op;              /* enum io_op */
    uint64_t offset;         /* device byte offset (storage; 0 otherwise) */
    uint64_t tag;
    /* Where the LPAR reports the completion; NULL = nobody listens. */
    const struct io_notify_port *notify;
};

struct io_issue_port {
    /* Returns 0 if the I/O was issued, -1 if it failed at once (visible
     * as ios_failed: no queue space). */
    int (*issue)(void *ctx, const struct io_spec *spec);
    void *ctx;
};

struct io_notify_port {
    void (*completed)(void *ctx, uint64_t tag, enum io_status st);
    void *ctx;
};

/* How a workload runs code on its LPAR's virtual processors: a task of
 * `cycles` on VP `vp` (0..vps-1); fn(fctx, arg) when it completes.
 * Returns 0, or -1 if it could not be queued. */
struct cpu_work_port {
    int (*run)(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
               uint64_t arg);
    void *ctx;
    uint32_t vps;
    /* An interprocessor interrupt to VP `vp`: an interrupt job of the
     * CPU's entry + `cycles` + exit, ahead of the VP's queued tasks, that
     * wakes the VP as an interrupt does. NULL: a task (run). */
    int (*ipi)(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
               uint64_t arg);
    /* The same for work an interrupt handler defers (softirq: NAPI, blk-mq
     * completions): run as a task, counted in the VP's irq + softirq time
     * (what /proc/stat shows irqbalance). NULL: `run`. */
    int (*run_softirq)(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
                       uint64_t arg);
};

/* How a workload dirties its LPAR's memory (what live migration's
 * pre-copy must send again): npages pages from `first` (page numbers of
 * `page_size` bytes, 0..pages-1) were written. Returns how long the
 * writer waited for them: 0, except after a post-copy migration resumed,
 * when a page still at the source is fetched before the write lands. */
struct mem_dirty_port {
    sim_time_t (*dirty)(void *ctx, uint64_t first, uint64_t npages);
    void *ctx;
    uint64_t pages;
    uint64_t page_size;
};

/* A queue pair's rings in host memory: the submission ring the driver
 * writes and the device reads by DMA, the completion ring the device
 * writes by DMA and the driver reads. They hold request pointers, the
 * stand-in for 64-byte commands and 16-byte completion entries; the
 * device touches them only when its DMA lands. */
struct io_qmem {
    struct io_req **sq, **cq;
    uint32_t entries;          /* a power of two */
    uint32_t sq_tail;          /* written by the driver */
    uint32_t cq_tail;          /* written by the device's DMA */
    uint32_t cq_head;          /* consumed by the driver */
    uint64_t sq_ioba, cq_ioba; /* I/O addresses of the rings */
};

#define IO_SQ_ENTRY_BYTES 64
#define IO_CQ_ENTRY_BYTES 16

#endif
