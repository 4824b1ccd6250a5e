/* workloads/dirty.c — the dirty kind: memory writes at `rate` pages per
 * second over a working set, which is what live migration's pre-copy has
 * to send again (Clark et al., NSDI 2005: rounds driven by the dirty
 * rate and working set; the analytic pre-copy model takes the same two
 * numbers).
 *
 * Pages are drawn uniformly from the first `working_set` bytes of the
 * LPAR's memory (0 = all of it), in pages of the memory's page size, so
 * the distinct pages dirtied after n writes follow the coupon-collector
 * curve W (1 - (1 - 1/W)^n) that pre-copy models assume. Writes are
 * grouped: one event every `dirty_batch` dirties rate x dirty_batch pages
 * (the fraction carried to the next batch), never one event per page;
 * migration reads the bitmap only at round boundaries, far coarser. A
 * write that must wait (a post-copy fault: the page is fetched from the
 * source first) delays the next batch by the wait, as a thread blocked on
 * the fault would. */
#include "workloads/kinds.h"

struct dirty {
    struct workload w;
    uint64_t ws_pages;       /* pages are drawn from [0, ws_pages) */
    sim_time_t batch_ps;
    double pages_per_batch;
    double carry;            /* fraction of a page owed to the next batch */
    uint64_t pages_written;  /* whole run */
    struct event_id next;
};

static void on_batch(void *ctx, uint64_t arg)
{
    (void)arg;
    struct dirty *d = ctx;
    const struct mem_dirty_port *mem = &d->w.ports.mem;
    double due = d->pages_per_batch + d->carry;
    uint64_t n = (uint64_t)due;
    d->carry = due - (double)n;
    sim_time_t waited = 0; /* post-copy faults: the writer waits for the pages */
    for (uint64_t i = 0; i < n; i++)
        waited += mem->dirty(mem->ctx, rng_below(&d->w.rng, d->ws_pages), 1);
    d->pages_written += n;
    if (d->pages_per_batch > 0)
        d->next = kernel_schedule_in(d->w.env->k, d->batch_ps + waited, on_batch, d, 0);
}

static int dirty_init(struct workload *w, const struct cfg_node *cfg, struct diag *err)
{
    struct dirty *d = (struct dirty *)w;
    const struct mem_dirty_port *mem = &w->ports.mem;
    if (!mem->dirty || mem->pages == 0 || mem->page_size == 0)
        return diag_set(err, cfg_loc(cfg, "kind"), "a dirty workload needs an LPAR memory model");
    uint64_t ws = cfg_u64(cfg, "working_set"), memory = mem->pages * mem->page_size;
    if (ws > memory) {
        char a[32], b[32];
        return diag_set(err, cfg_loc(cfg, "working_set"),
                        "'working_set' = %s is more than the LPAR's memory (%s)",
                        workload_show(PARAM_SIZE, ws, a, sizeof a),
                        workload_show(PARAM_SIZE, memory, b, sizeof b));
    }
    /* A working set that ends inside a page touches that page too. */
    d->ws_pages = ws == 0 ? mem->pages : (ws + mem->page_size - 1) / mem->page_size;
    d->batch_ps = cfg_u64(cfg, "dirty_batch");
    d->pages_per_batch = cfg_f64(cfg, "rate") * sim_time_to_s(d->batch_ps);
    return 0;
}

static void dirty_start(struct workload *w)
{
    struct dirty *d = (struct dirty *)w;
    if (d->pages_per_batch > 0)
        d->next = kernel_schedule_at(w->env->k, w->start + d->batch_ps, on_batch, d, 0);
}

/* `rate` changes at run time: from the next batch on (a stopped writer
 * starts one batch from now). */
static void dirty_set(struct workload *w, const char *key, const struct param_value *v)
{
    (void)key; /* rate is its only run-time parameter */
    struct dirty *d = (struct dirty *)w;
    bool was_running = d->pages_per_batch > 0;
    d->pages_per_batch = v->d * sim_time_to_s(d->batch_ps);
    if (!was_running && d->pages_per_batch > 0) {
        kernel_cancel(w->env->k, d->next); /* a last, empty batch may still be due */
        sim_time_t now = kernel_now(w->env->k), from = now > w->start ? now : w->start;
        d->next = kernel_schedule_at(w->env->k, from + d->batch_ps, on_batch, d, 0);
    }
}

static void dirty_finish(struct workload *w, sim_time_t now)
{
    (void)now;
    struct dirty *d = (struct dirty *)w;
    recorder_scalar(w->env->rec, w->path, "pages_written", "", (double)d->pages_written);
}

const struct workload_kind workload_dirty_kind = {
    .name = "dirty",
    .params = "rate|working_set|dirty_batch",
    .size = sizeof(struct dirty),
    .init = dirty_init,
    .start = dirty_start,
    .finish = dirty_finish,
    .set = dirty_set,
};
