/* workloads/compute.c — the compute kind: work items of `cycles` cycles
 * arriving at `rate` (Poisson or constant by `arrivals`), handed to the
 * LPAR's virtual processors round-robin through its cpu_work_port, the
 * way a thread pool spreads requests over its workers. The port runs them
 * on the VP's hardware thread when the hypervisor dispatches the VP, so a
 * compute workload is what makes interrupt handlers and I/O submission
 * wait for the processor.
 *
 * Metrics: statistic work_latency (ns, item created -> completed: queueing
 * on the VP plus its cycles); scalars items_issued, items_completed,
 * items_refused (the port could not queue it), whole run. The creation
 * time travels as the item's argument: no per-item record. */
#include <string.h>

#include "workloads/kinds.h"

struct compute {
    struct workload w;
    bool poisson;
    struct arrivals items;
    uint64_t cycles;
    uint32_t next_vp;
    uint64_t issued, completed, refused;
    struct statistic *st_latency;
};

static void on_item_done(void *ctx, uint64_t created)
{
    struct compute *c = ctx;
    c->completed++;
    statistic_add(c->st_latency, sim_time_to_ns(kernel_now(c->w.env->k) - created));
}

static void on_item(void *ctx, uint64_t arg)
{
    (void)arg;
    struct compute *c = ctx;
    const struct cpu_work_port *cpu = &c->w.ports.cpu;
    sim_time_t now = kernel_now(c->w.env->k);
    c->issued++;
    if (cpu->run(cpu->ctx, c->next_vp, c->cycles, on_item_done, c, now) != 0)
        c->refused++;
    c->next_vp = c->next_vp + 1 == cpu->vps ? 0 : c->next_vp + 1;
    arrivals_next(&c->items);
}

static int compute_init(struct workload *w, const struct cfg_node *cfg, struct diag *err)
{
    struct compute *c = (struct compute *)w;
    if (!w->ports.cpu.run || w->ports.cpu.vps == 0)
        return diag_set(err, cfg_loc(cfg, "kind"),
                        "a compute workload needs an LPAR with virtual processors");
    c->poisson = strcmp(cfg_str(cfg, "arrivals"), "poisson") == 0;
    arrivals_init(&c->items, w, c->poisson, cfg_f64(cfg, "rate"), on_item, c, 0);
    c->cycles = cfg_u64(cfg, "cycles");
    c->st_latency = recorder_statistic(w->env->rec, w->path, "work_latency", "ns");
    return 0;
}

static void compute_start(struct workload *w)
{
    struct compute *c = (struct compute *)w;
    arrivals_start(&c->items, w->start);
}

/* `rate` changes at run time. */
static void compute_set(struct workload *w, const char *key, const struct param_value *v)
{
    (void)key; /* rate is its only run-time parameter */
    arrivals_set_rate(&((struct compute *)w)->items, v->d);
}

static void compute_finish(struct workload *w, sim_time_t now)
{
    (void)now;
    struct compute *c = (struct compute *)w;
    recorder_scalar(w->env->rec, w->path, "items_issued", "", (double)c->issued);
    recorder_scalar(w->env->rec, w->path, "items_completed", "", (double)c->completed);
    recorder_scalar(w->env->rec, w->path, "items_refused", "", (double)c->refused);
}

const struct workload_kind workload_compute_kind = {
    .name = "compute",
    .params = "rate|arrivals|cycles",
    .size = sizeof(struct compute),
    .init = compute_init,
    .start = compute_start,
    .finish = compute_finish,
    .set = compute_set,
};
