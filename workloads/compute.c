/* workloads/compute.c — the compute kind: work items of `cycles` cycles
 * arriving at `rate` (Poisson or constant by `arrivals`), or with `mode:
 * closed` `depth` items kept outstanding (each one issued again `think`
 * after it completes: a busy loop when think is 0), handed to the LPAR's
 * virtual processors round-robin through its cpu_work_port, the way a
 * thread pool spreads requests over its workers. The port runs them
 * on the VP's hardware thread when the hypervisor dispatches the VP, so a
 * compute workload is what makes interrupt handlers and I/O submission
 * wait for the processor.
 *
 * Metrics: statistic work_latency (ns, item created -> completed: queueing
 * on the VP plus its cycles); scalars items_issued, items_completed,
 * items_refused (the port could not queue it), whole run. The creation
 * time travels as the item's argument: no per-item record. */
#include <stdlib.h>
#include <string.h>

#include "workloads/kinds.h"

struct compute;

/* Where an item runs: its completion comes back with it, and in a closed
 * loop the next item goes to the same VP (one busy worker per VP). */
struct compute_slot {
    struct compute *c;
    uint32_t vp;
};

struct compute {
    struct workload w;
    bool poisson, closed;
    struct arrivals open;     /* open loop */
    double think_ps;
    uint64_t depth;
    uint64_t cycles;
    uint32_t next_vp;
    uint64_t issued, completed, refused;
    struct compute_slot *slots;
    struct statistic *st_latency;
};

static void on_item_done(void *ctx, uint64_t created);

static void issue(struct compute *c, uint32_t vp)
{
    const struct cpu_work_port *cpu = &c->w.ports.cpu;
    sim_time_t now = kernel_now(c->w.env->k);
    c->issued++;
    if (cpu->run(cpu->ctx, vp, c->cycles, on_item_done, &c->slots[vp], now) != 0)
        c->refused++;
}

/* An item on the next VP round-robin (arg 0: an open-loop arrival, the
 * next one is scheduled), or on VP arg - 1 (closed loop). */
static void on_item(void *ctx, uint64_t arg)
{
    struct compute *c = ctx;
    if (arg) {
        issue(c, (uint32_t)(arg - 1));
        return;
    }
    issue(c, c->next_vp);
    c->next_vp = c->next_vp + 1 == c->w.ports.cpu.vps ? 0 : c->next_vp + 1;
    arrivals_next(&c->open);
}

static void on_item_done(void *ctx, uint64_t created)
{
    struct compute_slot *slot = ctx;
    struct compute *c = slot->c;
    c->completed++;
    statistic_add(c->st_latency, sim_time_to_ns(kernel_now(c->w.env->k) - created));
    if (!c->closed)
        return;
    if (c->think_ps > 0)
        kernel_schedule_in(c->w.env->k, workload_gap(&c->w, c->poisson, c->think_ps), on_item,
                           c, slot->vp + 1);
    else
        issue(c, slot->vp);
}

static int compute_init(struct workload *w, const struct cfg_node *cfg, struct diag *err)
{
    struct compute *c = (struct compute *)w;
    if (!w->ports.cpu.run || w->ports.cpu.vps == 0)
        return diag_set(err, cfg_loc(cfg, "kind"),
                        "a compute workload needs an LPAR with virtual processors");
    c->poisson = strcmp(cfg_str(cfg, "arrivals"), "poisson") == 0;
    c->closed = strcmp(cfg_str(cfg, "mode"), "closed") == 0;
    c->depth = cfg_u64(cfg, "depth");
    c->think_ps = cfg_f64(cfg, "think");
    arrivals_init(&c->open, w, c->poisson, cfg_f64(cfg, "rate"), on_item, c, 0);
    c->cycles = cfg_u64(cfg, "cycles");
    c->st_latency = recorder_statistic(w->env->rec, w->path, "work_latency", "ns");
    c->slots = calloc(w->ports.cpu.vps, sizeof *c->slots);
    if (!c->slots)
        return diag_set(err, NULL, "out of memory");
    for (uint32_t v = 0; v < w->ports.cpu.vps; v++)
        c->slots[v] = (struct compute_slot){ c, v };
    return 0;
}

static void compute_start(struct workload *w)
{
    struct compute *c = (struct compute *)w;
    if (c->closed)
        for (uint64_t i = 0; i < c->depth; i++)
            kernel_schedule_at(w->env->k, w->start, on_item, c, i % w->ports.cpu.vps + 1);
    else
        arrivals_start(&c->open, w->start);
}

/* `rate` (the open loop's) changes at run time. */
static void compute_set(struct workload *w, const char *key, const struct param_value *v)
{
    (void)key; /* rate is its only run-time parameter */
    struct compute *c = (struct compute *)w;
    if (!c->closed)
        arrivals_set_rate(&c->open, v->d);
}

static void compute_finish(struct workload *w, sim_time_t now)
{
    (void)now;
    struct compute *c = (struct compute *)w;
    recorder_scalar(w->env->rec, w->path, "items_issued", "", (double)c->issued);
    recorder_scalar(w->env->rec, w->path, "items_completed", "", (double)c->completed);
    recorder_scalar(w->env->rec, w->path, "items_refused", "", (double)c->refused);
}

static void compute_fini(struct workload *w)
{
    free(((struct compute *)w)->slots);
}

const struct workload_kind workload_compute_kind = {
    .name = "compute",
    .params = "mode|rate|arrivals|depth|think|cycles",
    .size = sizeof(struct compute),
    .init = compute_init,
    .start = compute_start,
    .finish = compute_finish,
    .fini = compute_fini,
    .set = compute_set,
};
