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
    c->queue_entries = (uint32_t)cfg_param(cfg, vf_driver_params, "queue_entries").u;
    c->buffers = (uint32_t)cfg_param(cfg, vf_driver_params, "buffers").u;
    c->buffer_size = cfg_param(cfg, vf_driver_params, "buffer_size").u;
    c->mapping = strcmp(cfg_param(cfg, vf_driver_params, "tce_mapping").s, "per_io") == 0
                     ? TCE_MAP_PER_IO : TCE_MAP_STATIC;
    c->irq_priority = (uint8_t)cfg_param(cfg, vf_driver_params, "irq_priority").u;
}

struct drv_queue {
    struct io_qmem mem;
    uint32_t outstanding;          /* in the rings (or in the device) */
    struct io_req *wait_head, *wait_tail; /* SQ full: waiting for a slot */
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
    uint64_t sq_full_waits, buffer_waits, rx_dropped;
};

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

static void ring_doorbell(struct vf_driver *d, uint32_t qp, struct io_req *r)
{
    struct drv_queue *q = &d->q[qp];
    q->mem.sq[q->mem.sq_tail & (q->mem.entries - 1)] = r;
    q->mem.sq_tail++;
    q->outstanding++;
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
        env_trace(d->env, d->path, "submit path done (%llu cycles)",
                  (unsigned long long)d->cfg.submit_cycles);
    if (q->outstanding < q->mem.entries && !q->wait_head) {
        ring_doorbell(d, r->queue, r);
        return;
    }
    d->sq_full_waits++;
    r->holder = q;
    r->next = NULL;
    if (q->wait_tail)
        q->wait_tail->next = r;
    else
        q->wait_head = r;
    q->wait_tail = r;
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

static void receive(struct vf_driver *d, struct io_req *r)
{
    struct drv_queue *q = &d->q[r->queue];
    if (q->outstanding >= q->mem.entries) {
        d->rx_dropped++;
        release_buffer(d, r);
        buffer_freed(d);
        fail_now(d, r);
        return;
    }
    q->outstanding++;
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
    if (r->bytes > d->cfg.buffer_size) {
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
    r->queue = (uint16_t)(vp % d->w.queue_pairs);
    if (r->op == IO_RX) {
        receive(d, r);
        return;
    }
    uint64_t cycles = d->cfg.submit_cycles, map = 0;
    if (d->cfg.mapping == TCE_MAP_PER_IO)
        d->w.tce.map(d->w.tce.ctx, r->ioba, r->bytes, r->op == IO_READ, &map);
    if (r->traced)
        env_trace(d->env, d->path, "I/O %llu: %s %u B, VP %u, queue %u, buffer ioba 0x%llx%s",
                  (unsigned long long)r->seq,
                  io_op_name(r->op), r->bytes, vp,
                  r->queue, (unsigned long long)r->ioba,
                  map ? ", H_PUT_TCE on the submit path" : "");
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

/* ---- completion --------------------------------------------------------- */

/* Ends the I/Os of a batch the handler took (linked by `next`). The freed
 * buffer goes to the oldest waiting I/O before the completion can make
 * the workload issue a new one. */
static void complete_batch(struct vf_driver *d, struct io_req *r, const char *by)
{
    while (r) {
        struct io_req *next = r->next;
        r->next = NULL;
        if (r->traced)
            env_trace(d->env, d->path, "%s: I/O %llu completed", by, (unsigned long long)r->seq);
        release_buffer(d, r);
        buffer_freed(d);
        r->done->complete(r->done->ctx, r);
        r = next;
    }
}

static void batch_done(void *ctx, uint64_t msg)
{
    complete_batch(ctx, (struct io_req *)(uintptr_t)msg, "completion task");
}

/* Takes every completion entry already in memory (a later one belongs to
 * the next interrupt), frees their ring slots, and ends their I/Os: at
 * once, or after a task of completion_cycles per entry (plus per-I/O TCE
 * unmaps) on the queue's VP. */
static void handle_irq(void *ctx, uint32_t qp, bool traced)
{
    struct vf_driver *d = ctx;
    struct drv_queue *q = &d->q[qp];
    struct io_qmem *m = &q->mem;
    sim_time_t now = kernel_now(d->env->k);
    struct io_req *head = NULL, **tail = &head;
    uint32_t n = 0;
    uint64_t cycles = 0;
    while (m->cq_head != m->cq_tail) {
        struct io_req *r = m->cq[m->cq_head & (m->entries - 1)];
        if (r->t_visible > now)
            break; /* written after this interrupt was raised: the next one */
        m->cq_head++;
        q->outstanding--;
        n++;
        if (d->cfg.mapping == TCE_MAP_PER_IO) {
            uint64_t unmap;
            d->w.tce.unmap(d->w.tce.ctx, r->ioba, r->bytes, &unmap);
            cycles += unmap;
        }
        r->holder = d;
        r->next = NULL;
        *tail = r;
        tail = &r->next;
    }
    cycles += (uint64_t)n * d->cfg.completion_cycles;
    if (traced)
        env_trace(d->env, d->path, "handler of queue %u took %u completion(s)%s", qp, n,
                  d->cfg.completion_cycles ? "; their processing runs as a task" : "");
    if (head && d->cfg.completion_cycles &&
        d->w.cpu.run(d->w.cpu.ctx, vf_driver_queue_vp(d, qp), cycles, batch_done, d,
                     (uint64_t)(uintptr_t)head) == 0)
        ; /* batch_done ends them */
    else
        complete_batch(d, head, "handler");
    while (q->wait_head && q->outstanding < m->entries) {
        struct io_req *r = q->wait_head;
        q->wait_head = r->next;
        if (!q->wait_head)
            q->wait_tail = NULL;
        ring_doorbell(d, qp, r);
    }
}

/* ---- run phases --------------------------------------------------------- */

static void on_warmup_end(void *ctx, sim_time_t now)
{
    (void)now;
    struct vf_driver *d = ctx;
    d->sq_full_waits = d->buffer_waits = d->rx_dropped = 0;
}

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct vf_driver *d = ctx;
    recorder_scalar(d->env->rec, d->path, "sq_full_waits", "", (double)d->sq_full_waits);
    recorder_scalar(d->env->rec, d->path, "buffer_waits", "", (double)d->buffer_waits);
    recorder_scalar(d->env->rec, d->path, "rx_dropped", "", (double)d->rx_dropped);
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
    rng_seed(&d->rng, e->seed, path);
    d->q = calloc(w->queue_pairs, sizeof *d->q);
    d->free_bufs = malloc((size_t)c->buffers * sizeof *d->free_bufs);
    if (!d->q || !d->free_bufs) {
        vf_driver_destroy(d);
        return NULL;
    }
    uint64_t ring_span = ring_bytes(c, w->io_page);
    d->layout.rings_ioba = w->window_base;
    for (uint32_t i = 0; i < w->queue_pairs; i++) {
        struct io_qmem *m = &d->q[i].mem;
        m->entries = c->queue_entries;
        m->sq = calloc(m->entries, sizeof *m->sq);
        m->cq = calloc(m->entries, sizeof *m->cq);
        if (!m->sq || !m->cq) {
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
    return d;
}

void vf_driver_destroy(struct vf_driver *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; d->q && i < d->w.queue_pairs; i++) {
        free(d->q[i].mem.sq);
        free(d->q[i].mem.cq);
    }
    free(d->q);
    free(d->free_bufs);
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
    return (struct irq_action){ handle_irq, d, qp, d->cfg.handler_cycles };
}

uint32_t vf_driver_queue_vp(const struct vf_driver *d, uint32_t qp)
{
    return qp % d->w.cpu.vps;
}

int vf_driver_ring_of(const struct vf_driver *d, const struct io_req *r)
{
    for (uint32_t i = 0; i < d->w.queue_pairs; i++)
        if (r->holder == &d->q[i].mem)
            return (int)i;
    return -1;
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
    d->rx_dropped++;
    release_buffer(d, r);
    buffer_freed(d);
    fail_now(d, r);
}

struct io_sink vf_driver_sink(struct vf_driver *d)
{
    return (struct io_sink){ driver_submit, d };
}
