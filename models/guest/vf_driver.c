/* models/guest/vf_driver.c — VF device driver in the LPAR (see vf_driver.h). */
#include "models/guest/vf_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

static const struct param_desc vf_driver_params[] = {
    { "submit_cycles", PARAM_U64, "cycles", "6000",
      "block layer + driver submit path per I/O (modelling choice: ~1.6 us at 3.8 GHz, "
      "the few microseconds of kernel I/O stack Yang et al., FAST 2012, set out to remove)",
      .max = "1000000000" },
    { "handler_cycles", PARAM_U64, "cycles", "4000",
      "interrupt handler body: read completion entries, end the requests "
      "(entry/exit are the CPU's irq_entry/irq_exit)", .max = "1000000000" },
    { "wakeup_cycles", PARAM_U64, "cycles", "6000",
      "storage: waking the thread that submitted the I/O and returning to it: "
      "try_to_wake_up, the context switch and the system call's return, on the "
      "submitter's VP (modelling choice: ~1.6 us at 3.8 GHz, anchored on the 5-6 us of a "
      "polled 4 KiB read, which skips it, vs the 8 us interrupt path, Axboe, blk-mq "
      "commits f4f5253edcda and 06426adf072b). The I/O completes when it ends. On the "
      "handler's VP it is folded into the handler; 0: not modelled (the I/O completes "
      "in the handler)", .max = "1000000000" },
    { "ipi_cycles", PARAM_U64, "cycles", "1500",
      "storage: when the interrupt ran on another VP than the submitter, the remote "
      "wake-up's IPI (Linux ttwu_queue to a remote CPU: the wake list and the IPI's "
      "handler); it runs as an interrupt on the submitter's VP with the CPU's entry and "
      "exit and the XIVE's ESB load-EOI added (modelling choice)",
      .max = "1000000000" },
    { "completion_cycles", PARAM_U64, "cycles", "0",
      "per completion entry the handler takes, run after it as a task on the queue's VP "
      "(NAPI-style); the I/Os complete when it ends. 0: handler_cycles covers it (no task)",
      .max = "1000000000" },
    { "queue_entries", PARAM_U64, "", "1024",
      "entries of each submission and completion ring (Linux nvme io_queue_depth "
      "default 1024); a power of two", .min = "2", .max = "65536" },
    { "buffers", PARAM_U64, "", "256",
      "DMA buffers; each I/O takes a free one at random (the TCE working set)",
      .min = "1", .max = "1048576" },
    { "buffer_size", PARAM_SIZE, "B", "128KiB",
      "bytes per DMA buffer: the largest I/O the driver takes", .min = "4KiB", .max = "1GiB" },
    { "tce_mapping", PARAM_ENUM, "", "static",
      "static: buffers mapped once at start (a direct DMA window); per_io: each I/O "
      "maps its buffer with H_PUT_TCE at submit and unmaps it at completion",
      .choices = "static|per_io" },
    { "irq_priority", PARAM_U64, "", "6", "XIVE priority of the driver's interrupts",
      .max = "7" },
    { "io_timeout", PARAM_TIME, "ns", "30s",
      "a command the device has not completed after this times out; the driver then reads "
      "a register, and all-ones means EEH (Linux nvme_core.io_timeout, 30 s)", .min = "1us" },
    { "detect", PARAM_ENUM, "", "timeout",
      "how the guest notices a frozen PE: timeout (an I/O timeout, then an all-ones register "
      "read, as Linux NVMe) or mmio_poll (a register read every poll_interval, as a NIC "
      "watchdog)", .choices = "timeout|mmio_poll" },
    { "poll_interval", PARAM_TIME, "ns", "1s",
      "mmio_poll: time between register reads (modelling choice: a network driver's "
      "watchdog period)", .min = "1us" },
    { "eeh", PARAM_ENUM, "", "reset",
      "the driver's answer to error_detected: reset (slot reset: Linux NVMe's answer for a "
      "frozen channel), recover (thaw MMIO and DMA, no reset) or none (no EEH support: the "
      "device is removed and added back)", .choices = "reset|recover|none" },
    { "reinit", PARAM_TIME, "ns", "500ms",
      "re-initialising the device after recovery (queues, interrupts): one VF probe, about "
      "0.5 s measured for mlx5 VFs", },
    { "eeh_callback", PARAM_TIME, "ns", "10us",
      "one EEH driver callback (error_detected, mmio_enabled, slot_reset, resume) "
      "(modelling choice: a few driver function calls and register writes)" },
    { "reset_attempts", PARAM_U64, "", "3",
      "slot resets tried before the PE is given up (Linux eeh_pe_reset_full: 3)",
      .min = "1", .max = "100" },
    { "hotplug_sleep", PARAM_TIME, "ns", "5s",
      "eeh none: wait between removing and adding the device back (Linux eeh_reset_device: "
      "\"Sleep 5s ahead of hotplug\")" },
    { "managed_irqs", PARAM_ENUM, "", "auto",
      "the queues' vectors are managed (PCI_IRQ_AFFINITY: spread over the VPs, each queue's "
      "interrupt on the VPs that submit to it, never moved by irqbalance) or not (default "
      "mask, queue = VP mod queues); auto: true for storage (Linux NVMe), false for network",
      .choices = "auto|true|false" },
    { "hints", PARAM_BOOL, "", "false",
      "the driver reports per queue an affinity hint (the VPs that submit to it) and its "
      "latency-sensitive flag to the interrupt manager (US20210034390A1); irqbalance then "
      "places within the hint (its hintpolicy)" },
    { "latency_sensitive", PARAM_BOOL, "", "false",
      "with hints: the device's interrupts are latency-sensitive (the patent's high-priority "
      "interrupts: given VPs of their own by metric-threshold)" },
    { 0 }
};

const struct schema vf_driver_schema = {
    .name = "driver",
    .doc = "the LPAR's driver for its VF: rings, DMA buffers, submit and interrupt costs",
    .params = vf_driver_params,
};

void vf_driver_config_init(struct vf_driver_config *c, const struct cfg_node *cfg)
{
    c->submit_cycles = cfg_param(cfg, vf_driver_params, "submit_cycles").u;
    c->handler_cycles = cfg_param(cfg, vf_driver_params, "handler_cycles").u;
    c->completion_cycles = cfg_param(cfg, vf_driver_params, "completion_cycles").u;
    c->wakeup_cycles = cfg_param(cfg, vf_driver_params, "wakeup_cycles").u;
    c->ipi_cycles = cfg_param(cfg, vf_driver_params, "ipi_cycles").u;
    c->queue_entries = (uint32_t)cfg_param(cfg, vf_driver_params, "queue_entries").u;
    c->buffers = (uint32_t)cfg_param(cfg, vf_driver_params, "buffers").u;
    c->buffer_size = cfg_param(cfg, vf_driver_params, "buffer_size").u;
    c->mapping = strcmp(cfg_param(cfg, vf_driver_params, "tce_mapping").s, "per_io") == 0
                     ? TCE_MAP_PER_IO : TCE_MAP_STATIC;
    c->irq_priority = (uint8_t)cfg_param(cfg, vf_driver_params, "irq_priority").u;
    c->io_timeout = cfg_param(cfg, vf_driver_params, "io_timeout").u;
    c->detect_poll = strcmp(cfg_param(cfg, vf_driver_params, "detect").s, "mmio_poll") == 0;
    c->poll_interval = cfg_param(cfg, vf_driver_params, "poll_interval").u;
    const char *eeh = cfg_param(cfg, vf_driver_params, "eeh").s;
    c->eeh = strcmp(eeh, "recover") == 0 ? EEH_ANSWER_RECOVER
             : strcmp(eeh, "none") == 0  ? EEH_ANSWER_NONE : EEH_ANSWER_RESET;
    c->reinit = cfg_param(cfg, vf_driver_params, "reinit").u;
    c->eeh_callback = cfg_param(cfg, vf_driver_params, "eeh_callback").u;
    c->reset_attempts = (uint32_t)cfg_param(cfg, vf_driver_params, "reset_attempts").u;
    c->hotplug_sleep = cfg_param(cfg, vf_driver_params, "hotplug_sleep").u;
    const char *managed = cfg_param(cfg, vf_driver_params, "managed_irqs").s;
    c->managed = strcmp(managed, "true") == 0 ? 1 : strcmp(managed, "false") == 0 ? 0 : -1;
    c->hints = cfg_param(cfg, vf_driver_params, "hints").u != 0;
    c->latency_sensitive = cfg_param(cfg, vf_driver_params, "latency_sensitive").u != 0;
}

bool vf_driver_cfg_per_io(const struct cfg_node *cfg)
{
    return strcmp(cfg_param(cfg, vf_driver_params, "tce_mapping").s, "per_io") == 0;
}

/* A FIFO of requests linked by `next`. */
struct req_list {
    struct io_req *head, *tail;
};

struct drv_queue {
    struct io_qmem mem;
    uint32_t outstanding;          /* in the rings (or in the device) */
    struct req_list wait;          /* SQ full: waiting for a slot */
    /* Command tags (blk-mq's): what the device holds, with when it got
     * each (the I/O timeout's clock); free tags on a stack. */
    struct io_req **tag_req;
    sim_time_t *tag_start;
    uint32_t *free_tags, nfree_tags;
};

enum drv_state {
    DRV_RUNNING,
    DRV_FROZEN,   /* error_detected: queues stopped, I/O held for retry */
    DRV_REMOVED,  /* removed (eeh none), until probed again: I/O fails */
    DRV_GONE,     /* the device is permanently offline: I/O fails */
};

struct vf_driver {
    struct env *env;
    char path[128];
    struct vf_driver_config cfg;
    struct vf_driver_wiring w;
    struct vf_driver_layout layout;
    struct drv_queue *q;
    uint32_t next_vp;
    struct rng rng;
    uint32_t *free_bufs, nfree;              /* buffer indices not in use */
    struct io_req *buf_wait_head, *buf_wait_tail; /* waiting for a buffer */
    uint64_t sq_full_waits, buffer_waits, rx_dropped, timeouts;
    uint64_t wakeups, wakeup_ipis;   /* submitters woken; of which by IPI */
    bool prepay;                     /* the interrupt job holds per-entry work
                                        (wake-ups, per-I/O unmaps) */
    enum drv_state state;
    struct req_list requeue;       /* held while frozen, in order */
    uint64_t nretry;               /* of which the first ones were cancelled */
    uint64_t tagged;               /* commands the device holds */
    struct vf_driver_eeh eeh;      /* the guest's EEH core */
    /* interrupt affinity (models/guest/irq_affinity.h): each VP's queue
     * (blk-mq's map), each queue's vector mask, and the VP its interrupt
     * targets now, where its completion work runs */
    uint16_t *queue_of;
    struct vp_mask *masks;
    uint32_t *irq_vp;
};

static void list_push(struct req_list *l, struct io_req *r)
{
    r->next = NULL;
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
}

static struct io_req *list_pop(struct req_list *l)
{
    struct io_req *r = l->head;
    if (r && !(l->head = r->next))
        l->tail = NULL;
    if (r)
        r->next = NULL;
    return r;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) / to * to;
}

/* ---- buffers ------------------------------------------------------------ */

/* A buffer no I/O in flight uses, uniformly at random: a real driver
 * never lets two I/Os share one (a per-I/O unmap would pull the pages
 * from under the other's DMA). */
static bool take_buffer(struct vf_driver *d, struct io_req *r)
{
    if (d->nfree == 0)
        return false;
    uint32_t i = (uint32_t)rng_below(&d->rng, d->nfree);
    uint32_t b = d->free_bufs[i];
    d->free_bufs[i] = d->free_bufs[--d->nfree];
    r->ioba = d->layout.buffers_ioba + (uint64_t)b * d->cfg.buffer_size;
    return true;
}

static void release_buffer(struct vf_driver *d, const struct io_req *r)
{
    d->free_bufs[d->nfree++] = (uint32_t)((r->ioba - d->layout.buffers_ioba) / d->cfg.buffer_size);
}

/* ---- submission --------------------------------------------------------- */

/* The device gets r: a command tag, and the I/O timeout's clock starts. */
static void tag_take(struct vf_driver *d, struct drv_queue *q, struct io_req *r)
{
    uint32_t tag = q->free_tags[--q->nfree_tags];
    q->tag_req[tag] = r;
    q->tag_start[tag] = kernel_now(d->env->k);
    r->ctag = (uint16_t)tag;
    d->tagged++;
}

static void tag_free(struct vf_driver *d, struct drv_queue *q, struct io_req *r)
{
    q->tag_req[r->ctag] = NULL;
    q->free_tags[q->nfree_tags++] = r->ctag;
    d->tagged--;
}

static void hold_or_fail(struct vf_driver *d, struct io_req *r);

static void ring_doorbell(struct vf_driver *d, uint32_t qp, struct io_req *r)
{
    struct drv_queue *q = &d->q[qp];
    q->mem.sq[q->mem.sq_tail & (q->mem.entries - 1)] = r;
    q->mem.sq_tail++;
    q->outstanding++;
    tag_take(d, q, r);
    r->holder = &q->mem;
    if (r->traced)
        env_trace(d->env, d->path, "SQ entry %u of queue %u written; doorbell MMIO write",
                  (q->mem.sq_tail - 1) & (q->mem.entries - 1), qp);
    d->w.mmio.write(d->w.mmio.ctx, d->w.bar_base + (uint64_t)qp * d->w.doorbell_stride,
                    q->mem.sq_tail, r->traced);
}

static void submitted(void *ctx, uint64_t msg)
{
    struct vf_driver *d = ctx;
    struct io_req *r = (struct io_req *)(uintptr_t)msg;
    struct drv_queue *q = &d->q[r->queue];
    if (r->traced)
        env_trace(d->env, d->path, "submit path done");
    if (d->state != DRV_RUNNING) {
        hold_or_fail(d, r);
        return;
    }
    if (q->outstanding < q->mem.entries && !q->wait.head) {
        ring_doorbell(d, r->queue, r);
        return;
    }
    d->sq_full_waits++;
    r->holder = q;
    list_push(&q->wait, r);
}

static void fail_taken(struct vf_driver *d, struct io_req *r);

/* While the device recovers, I/O waits for it (blk-mq's queues are
 * stopped); a device that is gone fails it. */
static void hold_or_fail(struct vf_driver *d, struct io_req *r)
{
    if (d->state == DRV_FROZEN) {
        r->holder = d;
        list_push(&d->requeue, r);
    } else {
        fail_taken(d, r);
    }
}

static void failed(void *ctx, uint64_t msg)
{
    (void)ctx;
    struct io_req *r = (struct io_req *)(uintptr_t)msg;
    r->holder = NULL;
    r->done->complete(r->done->ctx, r);
}

/* An I/O the driver cannot take ends in error, from an event of its own:
 * never inside the issue that brought it (a closed loop re-issues from
 * its completion). */
static void fail_now(struct vf_driver *d, struct io_req *r)
{
    r->holder = d;
    r->status = IO_ERROR;
    kernel_schedule_in(d->env->k, 0, failed, d, (uint64_t)(uintptr_t)r);
}

static void buffer_freed(struct vf_driver *d);

/* An I/O that holds a buffer (and, per I/O, its TCEs) fails visibly. */
static void fail_taken(struct vf_driver *d, struct io_req *r)
{
    if (d->cfg.mapping == TCE_MAP_PER_IO) {
        uint64_t cycles;
        d->w.tce.unmap(d->w.tce.ctx, r->ioba, r->bytes, &cycles);
    }
    release_buffer(d, r);
    buffer_freed(d);
    fail_now(d, r);
}

static void receive(struct vf_driver *d, struct io_req *r)
{
    struct drv_queue *q = &d->q[r->queue];
    if (d->state != DRV_RUNNING) {
        hold_or_fail(d, r);
        return;
    }
    if (q->outstanding >= q->mem.entries) {
        d->rx_dropped++;
        release_buffer(d, r);
        buffer_freed(d);
        fail_now(d, r);
        return;
    }
    q->outstanding++;
    tag_take(d, q, r);
    if (d->cfg.mapping == TCE_MAP_PER_IO) {
        /* the buffer was mapped when the handler re-posted it: that cost
         * is part of the handler's cycles */
        uint64_t cycles;
        d->w.tce.map(d->w.tce.ctx, r->ioba, r->bytes, true, &cycles);
    }
    if (r->traced)
        env_trace(d->env, d->path, "frame for queue %u: buffer at ioba 0x%llx posted", r->queue,
                  (unsigned long long)r->ioba);
    d->w.wire_rx.submit(d->w.wire_rx.ctx, r);
}

static void start_io(struct vf_driver *d, struct io_req *r);

static void driver_submit(void *ctx, struct io_req *r)
{
    struct vf_driver *d = ctx;
    r->holder = d;
    if (r->bytes > d->cfg.buffer_size || d->state == DRV_REMOVED || d->state == DRV_GONE) {
        fail_now(d, r); /* machine_check refuses such scenarios; a replayed trace may not */
        return;
    }
    if (!take_buffer(d, r)) {
        d->buffer_waits++;
        r->next = NULL;
        if (d->buf_wait_tail)
            d->buf_wait_tail->next = r;
        else
            d->buf_wait_head = r;
        d->buf_wait_tail = r;
        return;
    }
    start_io(d, r);
}

static void start_io(struct vf_driver *d, struct io_req *r)
{
    uint32_t vp = d->next_vp;
    d->next_vp = (d->next_vp + 1) % d->w.cpu.vps;
    r->queue = d->queue_of[vp];
    r->vp = (uint16_t)vp;
    r->prepaid = 0;
    if (r->op == IO_RX) {
        receive(d, r);
        return;
    }
    uint64_t cycles = d->cfg.submit_cycles, map = 0;
    if (d->cfg.mapping == TCE_MAP_PER_IO)
        d->w.tce.map(d->w.tce.ctx, r->ioba, r->bytes, r->op == IO_READ, &map);
    if (r->traced)
        env_trace(d->env, d->path,
                  "I/O %llu: %s %u B, VP %u, queue %u, buffer ioba 0x%llx; submit path "
                  "%llu cycles%s", (unsigned long long)r->seq, io_op_name(r->op), r->bytes, vp,
                  r->queue, (unsigned long long)r->ioba, (unsigned long long)(cycles + map),
                  map ? " (with H_PUT_TCE)" : "");
    if (d->w.cpu.run(d->w.cpu.ctx, vp, cycles + map, submitted, d, (uint64_t)(uintptr_t)r) != 0) {
        if (d->cfg.mapping == TCE_MAP_PER_IO)
            d->w.tce.unmap(d->w.tce.ctx, r->ioba, r->bytes, &map);
        release_buffer(d, r);
        buffer_freed(d);
        fail_now(d, r);
    }
}

/* A buffer came free: the oldest I/O waiting for one goes on. */
static void buffer_freed(struct vf_driver *d)
{
    struct io_req *r = d->buf_wait_head;
    if (!r || !take_buffer(d, r))
        return;
    d->buf_wait_head = r->next;
    if (!d->buf_wait_head)
        d->buf_wait_tail = NULL;
    r->next = NULL;
    start_io(d, r);
}

/* ---- completion ---------------------------------------------------------
 * The handler (or, with completion_cycles, the task after it) ends a
 * storage I/O by waking the thread that submitted it (blk-mq completes the
 * request, the waiter's try_to_wake_up, a context switch, the system
 * call's return): `wakeup_cycles` on the submitter's VP. When that is the
 * handler's VP the wake-up extends the handler's own job (no event of its
 * own); otherwise the handler sends an IPI and the wake-up runs there as an
 * interrupt (`ipi_cycles` + `wakeup_cycles`). The I/O completes when the
 * wake-up ends. */

/* The submitter waits for r: a storage I/O (IO_READ or IO_WRITE), with
 * wake-ups modelled. */
static bool waits(const struct vf_driver *d, const struct io_req *r)
{
    return d->cfg.wakeup_cycles && r->op <= IO_WRITE;
}

/* Ends one I/O the driver has finished with. The freed buffer goes to the
 * oldest waiting I/O before the completion can make the workload issue a
 * new one. */
static void complete_one(struct vf_driver *d, struct io_req *r, const char *by)
{
    r->next = NULL;
    if (r->traced)
        env_trace(d->env, d->path, "%s: I/O %llu completed", by, (unsigned long long)r->seq);
    release_buffer(d, r);
    buffer_freed(d);
    r->done->complete(r->done->ctx, r);
}

static void woken(void *ctx, uint64_t msg)
{
    complete_one(ctx, (struct io_req *)(uintptr_t)msg, "wake-up after the IPI");
}

/* The work one completion entry costs its handler on VP hvp: the per-I/O
 * unmap (H_PUT_TCE per page, done now) and, when r's submitter is on hvp,
 * its wake-up. */
static uint64_t entry_work(struct vf_driver *d, struct io_req *r, uint32_t hvp)
{
    uint64_t cycles = 0;
    if (d->cfg.mapping == TCE_MAP_PER_IO)
        d->w.tce.unmap(d->w.tce.ctx, r->ioba, r->bytes, &cycles);
    if (waits(d, r) && r->vp == hvp)
        cycles += d->cfg.wakeup_cycles;
    return cycles;
}

/* The handler (or its task) on VP hvp is done with the batch (linked by
 * `next`): an I/O whose submitter is elsewhere completes after an IPI and
 * the wake-up on its submitter's VP, the others now. */
static void finish_batch(struct vf_driver *d, struct io_req *r, uint32_t hvp, const char *by)
{
    while (r) {
        struct io_req *next = r->next;
        r->next = NULL;
        bool w = waits(d, r);
        d->wakeups += w;
        if (w && r->vp != hvp && d->w.cpu.ipi &&
            d->w.cpu.ipi(d->w.cpu.ctx, r->vp, d->cfg.ipi_cycles + d->cfg.wakeup_cycles, woken,
                         d, (uint64_t)(uintptr_t)r) == 0) {
            d->wakeup_ipis++;
            if (r->traced)
                env_trace(d->env, d->path, "I/O %llu: its thread is on VP %u: IPI, wake-up "
                          "there (%llu cycles)", (unsigned long long)r->seq, r->vp,
                          (unsigned long long)(d->cfg.ipi_cycles + d->cfg.wakeup_cycles));
        } else {
            complete_one(d, r, by);
        }
        r = next;
    }
}

/* Completion work deferred from the handler runs as softirq work. */
static int (*completion_run(const struct vf_driver *d))(void *, uint32_t, uint64_t, event_fn,
                                                         void *, uint64_t)
{
    return d->w.cpu.run_softirq ? d->w.cpu.run_softirq : d->w.cpu.run;
}

static void batch_done(void *ctx, uint64_t msg)
{
    struct vf_driver *d = ctx;
    struct io_req *head = (struct io_req *)(uintptr_t)msg;
    finish_batch(d, head, vf_driver_queue_vp(d, head->queue), "completion task");
}

/* The interrupt job's cycles, asked when it is queued: the handler, plus
 * the per-entry work of the entries already in memory (they are what it
 * will take), so that the usual interrupt is one job. With
 * completion_cycles that work is the task's instead. */
static uint64_t irq_cycles(void *ctx, uint32_t qp)
{
    struct vf_driver *d = ctx;
    uint64_t cycles = d->cfg.handler_cycles;
    struct io_qmem *m = &d->q[qp].mem;
    if (!d->prepay || m->cq_head == m->cq_tail)
        return cycles;
    sim_time_t now = kernel_now(d->env->k);
    uint32_t hvp = vf_driver_queue_vp(d, qp);
    for (uint32_t i = m->cq_head; i != m->cq_tail; i++) {
        struct io_req *r = m->cq[i & (m->entries - 1)];
        if (r->t_visible > now)
            break;
        if (!r->prepaid) {
            cycles += entry_work(d, r, hvp);
            r->prepaid = 1;
        }
    }
    return cycles;
}

/* Takes every completion entry already in memory (a later one belongs to
 * the next interrupt), frees their ring slots, and ends their I/Os. Work
 * the interrupt job did not already hold (entries that arrived after it
 * was queued, completion_cycles per entry) runs after it as a task on the
 * queue's VP, and the I/Os end when it does. */
static void handle_irq(void *ctx, uint32_t qp, bool traced)
{
    struct vf_driver *d = ctx;
    struct drv_queue *q = &d->q[qp];
    struct io_qmem *m = &q->mem;
    sim_time_t now = kernel_now(d->env->k);
    uint32_t hvp = vf_driver_queue_vp(d, qp);
    struct io_req *head = NULL, **tail = &head;
    uint32_t n = 0;
    uint64_t cycles = 0;
    while (m->cq_head != m->cq_tail) {
        struct io_req *r = m->cq[m->cq_head & (m->entries - 1)];
        if (r->t_visible > now)
            break; /* written after this interrupt was raised: the next one */
        m->cq_head++;
        q->outstanding--;
        tag_free(d, q, r);
        n++;
        if (!r->prepaid)
            cycles += entry_work(d, r, hvp);
        r->prepaid = 0;
        r->holder = d;
        r->next = NULL;
        *tail = r;
        tail = &r->next;
    }
    cycles += (uint64_t)n * d->cfg.completion_cycles;
    if (traced)
        env_trace(d->env, d->path, "handler of queue %u on VP %u took %u completion(s)%s", qp,
                  hvp, n, cycles ? "; the rest of their work runs as a task" : "");
    if (head && cycles &&
        completion_run(d)(d->w.cpu.ctx, hvp, cycles, batch_done, d, (uint64_t)(uintptr_t)head) == 0)
        ; /* batch_done ends them */
    else
        finish_batch(d, head, hvp, "handler");
    while (d->state == DRV_RUNNING && q->wait.head && q->outstanding < m->entries)
        ring_doorbell(d, qp, list_pop(&q->wait));
}

/* ---- I/O timeout ---------------------------------------------------------
 * blk-mq keeps one timer per queue at the earliest deadline, rounded up
 * to a whole second (block/blk-timeout.c: blk_add_timer uses
 * round_jiffies_up), so a timeout is noticed at the first whole second
 * at or after start + io_timeout: here, a check at every whole second
 * (env_every), which costs the event heap one event per second for
 * every driver together. */

/* The oldest command the device holds, or SIM_TIME_MAX. */
static sim_time_t oldest_start(const struct vf_driver *d)
{
    sim_time_t oldest = SIM_TIME_MAX;
    for (uint32_t i = 0; i < d->w.queue_pairs; i++) {
        const struct drv_queue *q = &d->q[i];
        for (uint32_t t = 0; t < q->mem.entries; t++)
            if (q->tag_req[t] && q->tag_start[t] < oldest)
                oldest = q->tag_start[t];
    }
    return oldest;
}

static void on_timeout_tick(void *ctx, sim_time_t now)
{
    struct vf_driver *d = ctx;
    if (!d->tagged || d->state != DRV_RUNNING)
        return;
    sim_time_t oldest = oldest_start(d);
    if (oldest == SIM_TIME_MAX || oldest + d->cfg.io_timeout > now)
        return;
    d->timeouts++;
    if (d->eeh.suspect)
        d->eeh.suspect(d->eeh.ctx);
    if (d->state != DRV_RUNNING)
        return;
    /* not a freeze: the late commands' timers restart (BLK_EH_RESET_TIMER) */
    for (uint32_t i = 0; i < d->w.queue_pairs; i++) {
        struct drv_queue *q = &d->q[i];
        for (uint32_t t = 0; t < q->mem.entries; t++)
            if (q->tag_req[t] && q->tag_start[t] + d->cfg.io_timeout <= now)
                q->tag_start[t] = now;
    }
}

/* ---- EEH (the guest's EEH core drives these) ----------------------------- */

void vf_driver_set_eeh(struct vf_driver *d, const struct vf_driver_eeh *eeh)
{
    d->eeh = *eeh;
}

/* error_detected: the queues stop (nvme_dev_disable): completions already
 * in memory are taken, every command the device still holds is taken
 * back to be issued again (retried), the rings start over, and new I/O
 * waits. */
static uint64_t take_back(struct vf_driver *d, bool retry);

uint64_t vf_driver_freeze(struct vf_driver *d)
{
    return take_back(d, true);
}

/* retry false: the device is removed, what it held fails (vf_driver_fail_all):
 * not counted as retried. */
static uint64_t take_back(struct vf_driver *d, bool retry)
{
    if (d->state != DRV_RUNNING)
        return 0;
    d->state = DRV_FROZEN;
    for (uint32_t i = 0; i < d->w.queue_pairs; i++)
        handle_irq(d, i, false); /* what completed before the freeze */
    struct req_list cancelled = { 0 };
    d->nretry = 0;
    for (uint32_t i = 0; i < d->w.queue_pairs; i++) {
        struct drv_queue *q = &d->q[i];
        for (uint32_t t = 0; t < q->mem.entries; t++) {
            struct io_req *r = q->tag_req[t];
            if (!r)
                continue;
            tag_free(d, q, r);
            io_req_take_back(r, d);
            if (retry && r->done->retried)
                r->done->retried(r->done->ctx, r);
            list_push(&cancelled, r);
            d->nretry++;
        }
        q->mem.sq_tail = q->mem.cq_tail = q->mem.cq_head = 0;
        q->outstanding = 0;
    }
    /* the cancelled ones first, then what was waiting for a ring slot */
    for (uint32_t i = 0; i < d->w.queue_pairs; i++)
        while (d->q[i].wait.head) {
            struct io_req *r = list_pop(&d->q[i].wait);
            r->holder = d;
            list_push(&cancelled, r);
        }
    while (d->requeue.head)
        list_push(&cancelled, list_pop(&d->requeue));
    d->requeue = cancelled;
    return d->nretry;
}

/* One held I/O goes out again: into its ring, or its RX buffer posted. */
static void resubmit(struct vf_driver *d, struct io_req *r)
{
    struct drv_queue *q = &d->q[r->queue];
    if (r->op == IO_RX) {
        receive(d, r);
    } else if (q->outstanding < q->mem.entries && !q->wait.head) {
        ring_doorbell(d, r->queue, r);
    } else {
        r->holder = q;
        list_push(&q->wait, r);
    }
}

uint64_t vf_driver_thaw(struct vf_driver *d, bool retry)
{
    if (d->state != DRV_FROZEN && d->state != DRV_REMOVED)
        return 0;
    d->state = DRV_RUNNING;
    uint64_t n = 0;
    struct io_req *r;
    while ((r = list_pop(&d->requeue))) {
        if (!retry && n < d->nretry)
            r->holder = NULL; /* debug.skip_step: the retry is left out: dropped */
        else
            resubmit(d, r);
        n++;
    }
    d->nretry = 0;
    return n;
}

void vf_driver_fail_all(struct vf_driver *d, bool for_good)
{
    if (d->state == DRV_RUNNING)
        take_back(d, false);
    d->state = for_good ? DRV_GONE : DRV_REMOVED;
    struct io_req *r;
    while ((r = list_pop(&d->requeue)))
        fail_taken(d, r);
    d->nretry = 0;
}

bool vf_driver_running(const struct vf_driver *d)
{
    return d->state == DRV_RUNNING;
}

/* ---- run phases --------------------------------------------------------- */

static void on_warmup_end(void *ctx, sim_time_t now)
{
    (void)now;
    struct vf_driver *d = ctx;
    d->sq_full_waits = d->buffer_waits = d->rx_dropped = d->timeouts = 0;
    d->wakeups = d->wakeup_ipis = 0;
}

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct vf_driver *d = ctx;
    recorder_scalar(d->env->rec, d->path, "sq_full_waits", "", (double)d->sq_full_waits);
    recorder_scalar(d->env->rec, d->path, "buffer_waits", "", (double)d->buffer_waits);
    recorder_scalar(d->env->rec, d->path, "rx_dropped", "", (double)d->rx_dropped);
    recorder_scalar(d->env->rec, d->path, "timeouts", "", (double)d->timeouts);
    recorder_scalar(d->env->rec, d->path, "wakeups", "", (double)d->wakeups);
    recorder_scalar(d->env->rec, d->path, "wakeup_ipis", "", (double)d->wakeup_ipis);
}

/* ---- construction ------------------------------------------------------- */

/* One queue pair's SQ and CQ, rounded up to whole I/O pages. */
static uint64_t ring_bytes(const struct vf_driver_config *c, uint64_t io_page)
{
    return round_up((uint64_t)c->queue_entries * (IO_SQ_ENTRY_BYTES + IO_CQ_ENTRY_BYTES), io_page);
}

uint64_t vf_driver_window_bytes(const struct vf_driver_config *c, uint32_t queue_pairs,
                                uint64_t io_page)
{
    return queue_pairs * ring_bytes(c, io_page) +
           (uint64_t)c->buffers * round_up(c->buffer_size, io_page);
}

struct vf_driver *vf_driver_create(struct env *e, const char *path,
                                   const struct vf_driver_config *c,
                                   const struct vf_driver_wiring *w)
{
    if (w->queue_pairs == 0 || w->cpu.vps == 0 || c->queue_entries == 0 || !w->doorbell_stride ||
        (c->queue_entries & (c->queue_entries - 1)) || w->io_page == 0)
        return NULL;
    struct vf_driver *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->env = e;
    snprintf(d->path, sizeof d->path, "%s", path);
    d->cfg = *c;
    d->w = *w;
    d->cfg.buffer_size = round_up(c->buffer_size, w->io_page);
    d->prepay = !c->completion_cycles && (c->wakeup_cycles || c->mapping == TCE_MAP_PER_IO);
    rng_seed(&d->rng, e->seed, path);
    d->q = calloc(w->queue_pairs, sizeof *d->q);
    d->free_bufs = malloc((size_t)c->buffers * sizeof *d->free_bufs);
    d->queue_of = calloc(w->cpu.vps, sizeof *d->queue_of);
    d->masks = calloc(w->queue_pairs, sizeof *d->masks);
    d->irq_vp = calloc(w->queue_pairs, sizeof *d->irq_vp);
    if (!d->q || !d->free_bufs || !d->queue_of || !d->masks || !d->irq_vp) {
        vf_driver_destroy(d);
        return NULL;
    }
    /* pci_alloc_irq_vectors_affinity (managed) or plain vectors */
    if (c->managed > 0)
        irq_affinity_spread(w->queue_pairs, w->cpu.vps, d->masks);
    for (uint32_t q = 0; q < w->queue_pairs; q++) {
        if (vp_mask_empty(&d->masks[q]))
            vp_mask_range(&d->masks[q], 0, w->cpu.vps); /* irq_default_affinity */
        d->irq_vp[q] = q % w->cpu.vps;
    }
    irq_affinity_queue_map(w->queue_pairs, w->cpu.vps, c->managed > 0, d->masks, d->queue_of);
    uint64_t ring_span = ring_bytes(c, w->io_page);
    d->layout.rings_ioba = w->window_base;
    for (uint32_t i = 0; i < w->queue_pairs; i++) {
        struct io_qmem *m = &d->q[i].mem;
        m->entries = c->queue_entries;
        m->sq = calloc(m->entries, sizeof *m->sq);
        m->cq = calloc(m->entries, sizeof *m->cq);
        struct drv_queue *q = &d->q[i];
        q->tag_req = calloc(m->entries, sizeof *q->tag_req);
        q->tag_start = calloc(m->entries, sizeof *q->tag_start);
        q->free_tags = malloc(m->entries * sizeof *q->free_tags);
        for (uint32_t t = 0; q->free_tags && t < m->entries; t++)
            q->free_tags[q->nfree_tags++] = m->entries - 1 - t;
        if (!m->sq || !m->cq || !q->tag_req || !q->tag_start || !q->free_tags) {
            vf_driver_destroy(d);
            return NULL;
        }
        m->sq_ioba = w->window_base + (uint64_t)i * ring_span;
        m->cq_ioba = m->sq_ioba + (uint64_t)c->queue_entries * IO_SQ_ENTRY_BYTES;
    }
    d->layout.buffers_ioba = w->window_base + (uint64_t)w->queue_pairs * ring_span;
    for (uint32_t i = 0; i < c->buffers; i++)
        d->free_bufs[d->nfree++] = i;
    d->layout.end_ioba = d->layout.buffers_ioba + (uint64_t)c->buffers * d->cfg.buffer_size;
    env_on_warmup_end(e, on_warmup_end, d);
    env_on_finish(e, on_finish, d);
    if (!c->detect_poll)
        env_every(e, SIM_S, on_timeout_tick, d);
    return d;
}

void vf_driver_destroy(struct vf_driver *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; d->q && i < d->w.queue_pairs; i++) {
        free(d->q[i].mem.sq);
        free(d->q[i].mem.cq);
        free(d->q[i].tag_req);
        free(d->q[i].tag_start);
        free(d->q[i].free_tags);
    }
    free(d->q);
    free(d->free_bufs);
    free(d->queue_of);
    free(d->masks);
    free(d->irq_vp);
    free(d);
}

struct vf_driver_layout vf_driver_layout(const struct vf_driver *d)
{
    return d->layout;
}

struct io_qmem *vf_driver_queue(struct vf_driver *d, uint32_t qp)
{
    return qp < d->w.queue_pairs ? &d->q[qp].mem : NULL;
}

struct irq_action vf_driver_irq_action(struct vf_driver *d, uint32_t qp)
{
    return (struct irq_action){ handle_irq, d, qp, d->cfg.handler_cycles, irq_cycles };
}

uint32_t vf_driver_queue_vp(const struct vf_driver *d, uint32_t qp)
{
    return d->irq_vp[qp];
}

void vf_driver_set_irq_vp(struct vf_driver *d, uint32_t qp, uint32_t vp)
{
    if (qp < d->w.queue_pairs && vp < d->w.cpu.vps)
        d->irq_vp[qp] = vp;
}

void vf_driver_irq_affinity(const struct vf_driver *d, uint32_t qp, struct vf_driver_irq *out)
{
    *out = (struct vf_driver_irq){ .managed = d->cfg.managed > 0, .hints = d->cfg.hints,
                                   .latency_sensitive = d->cfg.latency_sensitive,
                                   .mask = d->masks[qp] };
    vp_mask_clear(&out->hint);
    for (uint32_t v = 0; v < d->w.cpu.vps; v++)
        if (d->queue_of[v] == qp)
            vp_mask_set(&out->hint, v); /* irq_set_affinity_hint: the submitting VPs */
}

int vf_driver_ring_of(const struct vf_driver *d, const struct io_req *r)
{
    for (uint32_t i = 0; i < d->w.queue_pairs; i++)
        if (r->holder == &d->q[i].mem)
            return (int)i;
    return -1;
}

uint64_t vf_driver_at_device(const struct vf_driver *d)
{
    uint64_t n = d->tagged;
    for (uint32_t i = 0; i < d->w.queue_pairs; i++)
        n -= d->q[i].mem.cq_tail - d->q[i].mem.cq_head; /* done, in the CQ already */
    return n;
}

bool vf_driver_holds(const struct vf_driver *d, const struct io_req *r)
{
    if (r->holder == d)
        return true;
    for (uint32_t i = 0; i < d->w.queue_pairs; i++)
        if (r->holder == &d->q[i])
            return true;
    return false;
}

void vf_driver_rx_dropped(struct vf_driver *d, struct io_req *r)
{
    struct drv_queue *q = &d->q[r->queue];
    q->outstanding--;
    tag_free(d, q, r);
    d->rx_dropped++;
    release_buffer(d, r);
    buffer_freed(d);
    fail_now(d, r);
}

struct io_sink vf_driver_sink(struct vf_driver *d)
{
    return (struct io_sink){ driver_submit, d };
}
