/* models/adapter/vf.c — SR-IOV virtual function (see vf.h). */
#include "models/adapter/vf.h"

#include <stdio.h>
#include <stdlib.h>

#include "models/adapter/coalesce_dim.h"
#include "models/adapter/coalesce_vic.h"

struct vf_qp {
    struct io_qmem *mem;
    uint32_t vector;
    uint32_t doorbell;     /* last SQ tail written by the driver */
    uint32_t fetched;      /* SQ entries fetched so far */
    uint32_t stuck_upto;   /* SQ entries counted in dma_aborted up to here */
    bool fetching;
    uint32_t unsignalled;  /* completions since the last MSI */
    bool traced;           /* the traced I/O is among them */
    struct event_id timer;
    struct moderation mod; /* what coalescing applies now */
    /* DIM's sample: interrupts (u16), completions and bytes (u32), all
     * wrapping as the driver's counters do */
    uint16_t events;
    uint32_t entries, bytes;
    struct net_dim dim;
};

struct vf {
    struct env *env;
    char path[128];
    uint16_t rid;
    struct vf_config cfg;
    struct pcie_upstream up;
    struct io_sink service, wire_rx;
    struct io_done served;
    struct msix_table *msix;
    struct vf_qp *qps;
    /* Bumped by every reset: a descriptor fetch still on the link when
     * it comes back finds the queue gone. */
    uint16_t gen;
    bool dead;             /* the adapter failed: nothing gets out */

    uint64_t completed, completed_at_sample, msis, dma_aborted;
    uint64_t completed_total;  /* never reset: vIC's IOPS */
    struct vic_epoch vic;
    uint64_t dim_changes;
    sim_time_t window_start;
    struct statistic *st_latency;
    struct series *se_iops;
};

static void start_fetch(struct vf *f, uint32_t qp);

/* ---- interrupts --------------------------------------------------------- */

/* A queue pair's moderation when it is attached. */
static struct moderation vf_moderation(const struct coalescing_config *c)
{
    switch (c->kind) {
    case COALESCE_FIXED: return (struct moderation){ c->count, c->time, false };
    case COALESCE_DYNAMIC: return (struct moderation){ 1, c->vic.safety_timer, false };
    case COALESCE_DIM: return net_dim_moderation(&c->dim, c->dim.start_profile);
    case COALESCE_OFF: break;
    }
    return (struct moderation){ 1, 0, false };
}

static void send_msi(struct vf *f, uint32_t vector, uint64_t addr, uint32_t data, bool traced)
{
    sim_time_t t = f->up.msi(f->up.ctx, f->rid, addr, data, traced);
    if (t != PCIE_DROPPED)
        f->msis++;
    if (traced)
        env_trace(f->env, f->path, "MSI-X vector %u -> write 0x%x to 0x%llx%s", vector, data,
                  (unsigned long long)addr, t == PCIE_DROPPED ? ": dropped" : "");
}

/* A pending vector released by an unmask (the PF's config path). */
static void release_msi(void *ctx, uint32_t vector, uint64_t addr, uint32_t data)
{
    send_msi(ctx, vector, addr, data, false);
}

static void signal_queue(struct vf *f, struct vf_qp *q)
{
    kernel_cancel(f->env->k, q->timer);
    q->timer = (struct event_id){ 0 };
    q->unsignalled = 0;
    bool traced = q->traced;
    q->traced = false;
    struct msix_fire m = msix_table_fire(f->msix, q->vector);
    if (m.status == MSIX_SENT)
        send_msi(f, q->vector, m.addr, m.data, traced);
    else if (traced)
        env_trace(f->env, f->path, "MSI-X vector %u %s", q->vector,
                  m.status == MSIX_PENDING ? "masked: pending bit set" : "not sent");
    if (f->cfg.coal.kind == COALESCE_DIM) {
        /* the driver samples at each interrupt (mlx5e_handle_rx_dim) */
        q->events++;
        struct dim_sample smp = { kernel_now(f->env->k), q->entries, q->bytes, q->events };
        if (net_dim_sample(&q->dim, &f->cfg.coal.dim, &smp, &q->mod))
            f->dim_changes++;
    }
}

static void coalesce_timer(void *ctx, uint64_t qp)
{
    struct vf *f = ctx;
    struct vf_qp *q = &f->qps[qp];
    q->timer = (struct event_id){ 0 };
    if (q->unsignalled)
        signal_queue(f, q);
}

/* ---- completion --------------------------------------------------------- */

/* A DMA the PHB dropped (EEH freeze): the command is stuck in the device
 * until recovery; it stays accounted as in flight. */
static void abort_command(struct vf *f, struct io_req *r)
{
    f->dma_aborted++;
    r->holder = f;
    if (r->traced)
        env_trace(f->env, f->path, "DMA dropped: I/O %llu stays in the device",
                  (unsigned long long)r->seq);
}

static void write_completion(struct vf *f, struct io_req *r)
{
    struct vf_qp *q = &f->qps[r->queue];
    struct io_qmem *mem = q->mem;
    if (!mem) {
        /* the queue pair was detached (the VF reset, and not set up
         * again): no completion queue to write; the command stays here */
        abort_command(f, r);
        return;
    }
    uint32_t slot = mem->cq_tail & (mem->entries - 1);
    sim_time_t t = f->up.dma_write(f->up.ctx, f->rid, mem->cq_ioba + (uint64_t)slot * IO_CQ_ENTRY_BYTES,
                                   IO_CQ_ENTRY_BYTES, r->traced);
    if (t == PCIE_DROPPED) {
        abort_command(f, r);
        return;
    }
    r->t_visible = t;
    r->holder = mem;
    mem->cq[slot] = r;
    mem->cq_tail++;
    f->completed++;
    statistic_add(f->st_latency, sim_time_to_ns(t - r->t_queued));
    if (r->traced)
        env_trace(f->env, f->path, "completion entry %u written to the CQ of queue %u",
                  slot, r->queue);
    f->completed_total++;
    q->traced |= r->traced;
    q->entries++;
    q->bytes += r->bytes;
    uint32_t need = q->mod.count;
    if (f->cfg.coal.kind == COALESCE_DYNAMIC) {
        /* commands in flight: doorbelled SQ entries not completed yet
         * (receive buffers are not commands: never negative) */
        int32_t cif = (int32_t)(q->doorbell - mem->cq_tail);
        need = vic_batch(&f->cfg.coal.vic, cif > 0 ? (uint32_t)cif : 0, f->vic.busy);
    }
    if (++q->unsignalled >= need) {
        signal_queue(f, q);
    } else if (q->mod.time && (!q->timer.gen || q->mod.restart)) {
        kernel_cancel(f->env->k, q->timer); /* CQE mode: the period restarts */
        q->timer = kernel_schedule_in(f->env->k, q->mod.time, coalesce_timer, f, r->queue);
    }
}

/* After service: a read (or a received frame) moves its data into host
 * memory first; posted writes stay in order, so the completion entry and
 * the MSI sent after it arrive after the data. */
static void vf_served(void *ctx, struct io_req *r)
{
    struct vf *f = ctx;
    if (f->dead)
        return; /* the adapter failed: the command dies with it */
    r->holder = f;
    /* a command the device refused moves no data: only its completion */
    if (r->status == IO_OK && (r->op == IO_READ || r->op == IO_RX)) {
        if (f->up.dma_write(f->up.ctx, f->rid, r->ioba, r->bytes, r->traced) == PCIE_DROPPED) {
            abort_command(f, r);
            return;
        }
    }
    write_completion(f, r);
}

static void to_service(struct vf *f, struct io_req *r)
{
    r->served = &f->served;
    if (r->traced)
        env_trace(f->env, f->path, "command of I/O %llu to the device's service stage",
                  (unsigned long long)r->seq);
    f->service.submit(f->service.ctx, r);
}

static void data_read_done(void *ctx, uint64_t msg)
{
    struct vf *f = ctx;
    struct io_req *r = io_req_from(msg);
    if (io_req_stale(msg) || f->dead)
        return; /* taken back by the OS meanwhile, or the adapter failed */
    if (r->traced)
        env_trace(f->env, f->path, "data of I/O %llu fetched from host memory",
                  (unsigned long long)r->seq);
    to_service(f, r);
}

/* ---- submission --------------------------------------------------------- */

static void start_command(struct vf *f, struct io_req *r)
{
    r->holder = f;
    r->t_queued = kernel_now(f->env->k);
    if (r->op == IO_WRITE || r->op == IO_TX) {
        if (f->up.dma_read(f->up.ctx, f->rid, r->ioba, r->bytes, r->traced, data_read_done, f,
                           io_req_arg(r)) != 0)
            abort_command(f, r);
        return;
    }
    to_service(f, r);
}

/* A fetch's event argument: generation, queue pair, descriptors. */
static uint64_t fetch_arg(const struct vf *f, uint32_t qp, uint32_t n)
{
    return (uint64_t)f->gen << 48 | (uint64_t)qp << 32 | n;
}

static void fetch_done(void *ctx, uint64_t arg)
{
    struct vf *f = ctx;
    uint32_t qp = (uint32_t)(arg >> 32) & 0xffff, n = (uint32_t)arg;
    if ((uint16_t)(arg >> 48) != f->gen || f->dead)
        return; /* the VF was reset while the descriptors were on their way */
    struct vf_qp *q = &f->qps[qp];
    for (uint32_t i = 0; i < n; i++) {
        struct io_req *r = q->mem->sq[(q->fetched + i) & (q->mem->entries - 1)];
        if (r->traced)
            env_trace(f->env, f->path, "descriptor of I/O %llu fetched (%u in this DMA)",
                      (unsigned long long)r->seq, n);
        start_command(f, r);
    }
    q->fetched += n;
    q->fetching = false;
    if (q->fetched != q->doorbell)
        start_fetch(f, qp);
}

/* Reads the SQ entries between what was fetched and the doorbell, up to
 * fetch_max and the end of the ring, in one DMA. */
static void start_fetch(struct vf *f, uint32_t qp)
{
    struct vf_qp *q = &f->qps[qp];
    uint32_t mask = q->mem->entries - 1, slot = q->fetched & mask;
    uint32_t n = q->doorbell - q->fetched;
    if (n > f->cfg.fetch_max)
        n = f->cfg.fetch_max;
    if (n > q->mem->entries - slot)
        n = q->mem->entries - slot;
    bool traced = false;
    for (uint32_t i = 0; f->env->trace_out && i < n; i++)
        traced |= q->mem->sq[slot + i]->traced; /* for the trace only */
    q->fetching = true;
    if (f->up.dma_read(f->up.ctx, f->rid, q->mem->sq_ioba + (uint64_t)slot * IO_SQ_ENTRY_BYTES,
                       n * IO_SQ_ENTRY_BYTES, traced, fetch_done, f, fetch_arg(f, qp, n)) != 0) {
        /* the PE is frozen: the commands stay in host memory; a later
         * doorbell retries them, but each is counted once */
        q->fetching = false;
        uint32_t end = q->fetched + n;
        uint32_t from = (int32_t)(q->stuck_upto - q->fetched) > 0 ? q->stuck_upto : q->fetched;
        if ((int32_t)(end - from) > 0) {
            f->dma_aborted += end - from;
            q->stuck_upto = end;
        }
    }
}

static void bar_write(void *ctx, uint64_t offset, uint64_t value, bool traced)
{
    struct vf *f = ctx;
    uint32_t qp = (uint32_t)(offset / VF_DOORBELL_STRIDE);
    if (f->dead || offset % VF_DOORBELL_STRIDE || qp >= f->cfg.queue_pairs || !f->qps[qp].mem)
        return; /* not a doorbell of an attached queue: ignored, as hardware does */
    struct vf_qp *q = &f->qps[qp];
    q->doorbell = (uint32_t)value;
    if (traced)
        env_trace(f->env, f->path, "doorbell of queue %u: SQ tail %u", qp, q->doorbell);
    if (!q->fetching && q->fetched != q->doorbell)
        start_fetch(f, qp);
}

static void vf_rx(void *ctx, struct io_req *r)
{
    struct vf *f = ctx;
    r->holder = f;
    r->t_queued = kernel_now(f->env->k);
    r->served = &f->served;
    f->wire_rx.submit(f->wire_rx.ctx, r);
}

/* ---- run phases --------------------------------------------------------- */

static void on_warmup_end(void *ctx, sim_time_t now)
{
    struct vf *f = ctx;
    f->completed = f->completed_at_sample = f->msis = f->dma_aborted = 0;
    f->window_start = now;
}

static void on_vic_epoch(void *ctx, sim_time_t now)
{
    (void)now;
    struct vf *f = ctx;
    vic_epoch_end(&f->vic, &f->cfg.coal.vic, f->completed_total, f->cfg.coal.vic.epoch);
}

static void on_sample(void *ctx, sim_time_t now)
{
    (void)now;
    struct vf *f = ctx;
    series_append(f->se_iops, now,
                  (double)(f->completed - f->completed_at_sample) /
                      sim_time_to_s(f->env->sample_interval));
    f->completed_at_sample = f->completed;
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct vf *f = ctx;
    struct recorder *rec = f->env->rec;
    double secs = sim_time_to_s(now - f->window_start);
    recorder_scalar(rec, f->path, "ios_completed", "", (double)f->completed);
    recorder_scalar(rec, f->path, "throughput", "1/s", secs > 0 ? (double)f->completed / secs : 0);
    recorder_scalar(rec, f->path, "msis", "", (double)f->msis);
    recorder_scalar(rec, f->path, "msis_per_completion", "",
                    f->completed ? (double)f->msis / (double)f->completed : 0);
    recorder_scalar(rec, f->path, "dma_aborted", "", (double)f->dma_aborted);
    if (f->cfg.coal.kind == COALESCE_DIM)
        recorder_scalar(rec, f->path, "dim_changes", "", (double)f->dim_changes);
}

/* ---- construction and configuration ------------------------------------- */

struct vf *vf_create(struct env *e, const char *path, uint16_t rid, const struct vf_config *c,
                     struct pcie_upstream up, struct io_sink service, struct io_sink wire_rx)
{
    if (c->queue_pairs == 0 || c->coal.count == 0 || c->fetch_max == 0 ||
        (c->coal.kind == COALESCE_DYNAMIC &&
         (c->coal.vic.cif_threshold == 0 || c->coal.vic.max_batch == 0 || !c->coal.vic.epoch)))
        return NULL;
    struct vf *f = calloc(1, sizeof *f);
    struct msix_table_config mc = { c->msix_vectors };
    if (!f)
        return NULL;
    f->env = e;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->rid = rid;
    f->cfg = *c;
    f->up = up;
    f->service = service;
    f->wire_rx = wire_rx;
    f->served = (struct io_done){ vf_served, f };
    f->gen = 1;
    f->qps = calloc(c->queue_pairs, sizeof *f->qps);
    f->msix = msix_table_create(&mc, (struct msix_sink){ release_msi, f });
    if (!f->qps || !f->msix) {
        vf_destroy(f);
        return NULL;
    }
    f->st_latency = recorder_statistic(e->rec, f->path, "device_latency", "ns");
    f->se_iops = recorder_series(e->rec, f->path, "iops", "1/s");
    env_on_warmup_end(e, on_warmup_end, f);
    env_on_sample(e, on_sample, f);
    env_on_finish(e, on_finish, f);
    if (c->coal.kind == COALESCE_DYNAMIC)
        env_every(e, c->coal.vic.epoch, on_vic_epoch, f);
    return f;
}

void vf_destroy(struct vf *f)
{
    if (!f)
        return;
    msix_table_destroy(f->msix);
    free(f->qps);
    free(f);
}

/* ---- reset, failure ------------------------------------------------------ */

static void clear_queues(struct vf *f)
{
    for (uint32_t i = 0; i < f->cfg.queue_pairs; i++) {
        kernel_cancel(f->env->k, f->qps[i].timer);
        f->qps[i] = (struct vf_qp){ 0 };
    }
}

void vf_reset(struct vf *f)
{
    f->gen = f->gen == UINT16_MAX ? 1 : f->gen + 1;
    clear_queues(f);
    msix_table_reset(f->msix);
}

/* A failed function does nothing more, but how far it fetched each SQ
 * stays known: the host reads it from the completions the device wrote
 * (an NVMe completion entry carries the SQ head), which is what a switch
 * to a standby resumes from. A fetch on the link is dropped. */
void vf_set_dead(struct vf *f, bool dead)
{
    if (dead) {
        f->gen = f->gen == UINT16_MAX ? 1 : f->gen + 1;
        for (uint32_t i = 0; i < f->cfg.queue_pairs; i++) {
            kernel_cancel(f->env->k, f->qps[i].timer);
            f->qps[i].timer = (struct event_id){ 0, 0 };
            f->qps[i].fetching = false;
        }
    }
    f->dead = dead;
}

bool vf_holds(const struct vf *f, const struct io_req *r)
{
    return r->holder == f && !f->dead;
}

uint16_t vf_generation(const struct vf *f)
{
    return f->gen;
}

int vf_detach_queue(struct vf *f, uint32_t qp)
{
    if (qp >= f->cfg.queue_pairs || !f->qps[qp].mem)
        return -1;
    kernel_cancel(f->env->k, f->qps[qp].timer);
    f->qps[qp] = (struct vf_qp){ 0 };
    return 0;
}

bool vf_queue_attached(const struct vf *f, uint32_t qp, const struct io_qmem *mem)
{
    return qp < f->cfg.queue_pairs && f->qps[qp].mem == mem && mem && !f->dead;
}

uint32_t vf_queue_head(const struct vf *f, uint32_t qp)
{
    return qp < f->cfg.queue_pairs ? f->qps[qp].fetched : 0;
}

int vf_attach_queue_at(struct vf *f, uint32_t qp, struct io_qmem *mem, uint32_t vector,
                       uint32_t head)
{
    if (vf_attach_queue(f, qp, mem, vector) != 0)
        return -1;
    struct vf_qp *q = &f->qps[qp];
    q->fetched = q->stuck_upto = head;
    q->doorbell = mem->sq_tail; /* the SQ tail as the driver left it in memory */
    if (!f->dead && q->fetched != q->doorbell)
        start_fetch(f, qp);
    return 0;
}

void vf_replay(struct vf *f, struct io_req *r)
{
    if (r->traced)
        env_trace(f->env, f->path, "command of I/O %llu replayed on this VF",
                  (unsigned long long)r->seq);
    start_command(f, r);
}

bool vf_held(const struct vf *f, const struct io_req *r)
{
    return r->holder == f;
}

uint64_t vf_completions(const struct vf *f)
{
    return f->completed_total;
}

int vf_attach_queue(struct vf *f, uint32_t qp, struct io_qmem *mem, uint32_t vector)
{
    if (qp >= f->cfg.queue_pairs || vector >= msix_table_vectors(f->msix) || !mem ||
        !mem->entries || (mem->entries & (mem->entries - 1)))
        return -1;
    /* a new queue starts where the driver's SQ is now (0 for new rings):
     * entries written before belong to whatever read the rings before */
    f->qps[qp] = (struct vf_qp){ .mem = mem, .vector = vector, .doorbell = mem->sq_tail,
                                 .fetched = mem->sq_tail, .stuck_upto = mem->sq_tail,
                                 .mod = vf_moderation(&f->cfg.coal) };
    if (f->cfg.coal.kind == COALESCE_DIM)
        net_dim_init(&f->qps[qp].dim, &f->cfg.coal.dim);
    return 0;
}

struct msix_table *vf_msix(struct vf *f)
{
    return f->msix;
}

uint16_t vf_rid(const struct vf *f)
{
    return f->rid;
}

uint32_t vf_queue_pairs(const struct vf *f)
{
    return f->cfg.queue_pairs;
}

struct mmio_target vf_bar(struct vf *f)
{
    return (struct mmio_target){ bar_write, f };
}

struct io_sink vf_receive(struct vf *f)
{
    return (struct io_sink){ vf_rx, f };
}
