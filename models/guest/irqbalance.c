/* models/guest/irqbalance.c — the irqbalance daemon of one LPAR (see
 * irqbalance.h): when it runs, what it reads, what its writes cost. */
#include "models/guest/irqbalance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/guest/irqbalance_algo.h"
#include "sim/mechanism.h"

static const struct param_desc irqbalance_params[] = {
    { "interval", PARAM_TIME, "ns", "10s",
      "time between cycles (irqbalance SLEEP_INTERVAL: 10 s; its --interval)", .min = "1ms" },
    { "migrate_ratio", PARAM_U64, "", "0",
      "irqbalance --migrateval: an IRQ moves only if it gains (adjustment - min) / ratio "
      "beyond not reversing the imbalance; 0 (its default): any gain" },
    { "hint_policy", PARAM_ENUM, "", "subset",
      "what a driver's affinity hint does (irqbalance 1.0.x --hintpolicy; its first default "
      "was subset, 'ignore' from 2014, the option removed in 1.1): subset places within the "
      "hint, exact applies the hint and never moves the IRQ, ignore",
      .choices = "subset|exact|ignore" },
    { "cache_vps", PARAM_U64, "", "0",
      "VPs per cache domain, the CPUs sharing the deepest cache irqbalance reads (its "
      "deepest_cache 2: L2); 0 = the system's threads per core", .max = "1024" },
    { "scan_cycles", PARAM_U64, "cycles", "2000000",
      "the daemon's own work per cycle: reading /proc/interrupts and /proc/stat, placing "
      "(modelling choice: about 0.5 ms at 3.8 GHz)", .max = "100000000000" },
    { "vp", PARAM_U64, "", "0", "the VP the daemon runs on (modelling choice)",
      .max = "1023" },
    { "first_cycle", PARAM_ENUM, "", "before_run",
      "before_run: the daemon started with the LPAR's boot and its first, load-blind cycle "
      "placed the IRQs before the run; after_interval: it starts with the run and that "
      "first cycle comes one interval in", .choices = "before_run|after_interval" },
    { 0 }
};

const struct schema irqbalance_schema = {
    .name = "irqbalance",
    .doc = "Linux's irqbalance in each LPAR's guest (policies.interrupts.kind irqbalance)",
    .params = irqbalance_params,
};

/* A mask write the cycle decided, done when its task ends. */
struct pending {
    uint32_t irq;
    struct vp_mask mask;
};

struct irqbalance {
    struct env *env;
    char path[128];
    struct guest_irq_port port;
    struct irqbalance_algo algo;
    sim_time_t interval;
    uint64_t scan_cycles;
    uint32_t vp;
    uint64_t *counts, *cpu_ns;
    struct pending *pending;
    uint32_t npending, nmoving;
    bool busy;                   /* a cycle's task is running */
    uint64_t cycles, writes, moves, refused;
    uint64_t at_warmup[4];
};

/* /proc/stat counts in USER_HZ (100) ticks: irqbalance sees whole ticks,
 * scaled to ns (NSEC_PER_SEC / HZ). */
#define TICK_NS UINT64_C(10000000)

static void read_counters(struct irqbalance *b)
{
    for (uint32_t i = 0; i < b->port.nirqs; i++)
        b->counts[i] = b->port.irq_count(b->port.ctx, i);
    for (uint32_t c = 0; c < b->port.ncpus; c++)
        b->cpu_ns[c] = b->port.cpu_irq_ns(b->port.ctx, c) / TICK_NS * TICK_NS;
}

/* activate_mappings: which IRQs get a new mask; the writes themselves are
 * made by the task (apply). */
static void plan_writes(struct irqbalance *b)
{
    b->npending = b->nmoving = 0;
    for (uint32_t i = 0; i < b->port.nirqs; i++) {
        struct vp_mask applied, current;
        if (!b->algo.irqs[i].moved)
            continue;
        if (!ib_to_activate(&b->algo, i, &applied)) {
            ib_activated(&b->algo, i, false); /* nothing valid to write */
            continue;
        }
        b->port.affinity(b->port.ctx, i, &current);
        if (vp_mask_equal(&applied, &current)) { /* check_affinity: already so */
            ib_activated(&b->algo, i, false);
            continue;
        }
        b->pending[b->npending++] = (struct pending){ i, applied };
        uint32_t t = b->port.target(b->port.ctx, i);
        b->nmoving += !vp_mask_test(&applied, t);
    }
}

static void apply(struct irqbalance *b, bool counted)
{
    uint32_t moved = 0, refused = 0;
    for (uint32_t k = 0; k < b->npending; k++) {
        const struct pending *p = &b->pending[k];
        uint32_t from = b->port.target(b->port.ctx, p->irq);
        enum guest_irq_write w = b->port.write(b->port.ctx, p->irq, &p->mask);
        if (counted && w != GUEST_IRQ_SAME) {
            char mask[64];
            vp_mask_format(&p->mask, mask, sizeof mask);
            recorder_event(b->env->rec, kernel_now(b->env->k), b->path,
                           w == GUEST_IRQ_MOVED ? "irqbalance_move" : "irqbalance_refused",
                           "LISN %u: smp_affinity %s, VP %u -> VP %u", p->irq, mask, from,
                           b->port.target(b->port.ctx, p->irq));
        }
        ib_activated(&b->algo, p->irq, w == GUEST_IRQ_REFUSED);
        moved += w == GUEST_IRQ_MOVED;
        refused += w == GUEST_IRQ_REFUSED;
    }
    if (counted) {
        b->writes += b->npending - refused;
        b->moves += moved;
        b->refused += refused;
    }
    b->npending = 0;
}

static void task_done(void *ctx, uint64_t arg)
{
    (void)arg;
    struct irqbalance *b = ctx;
    uint32_t n = b->npending;
    apply(b, true);
    mech_mark(b->env, b->path, "irqbalance", "activate", MECH_END, "%u mask(s) written", n);
    mech_mark(b->env, b->path, "irqbalance", NULL, MECH_END, "cycle %llu",
              (unsigned long long)b->algo.cycle_count);
    b->busy = false;
}

static void on_tick(void *ctx, sim_time_t now)
{
    (void)now;
    struct irqbalance *b = ctx;
    if (b->busy)
        return; /* the last cycle has not finished: this one is skipped */
    read_counters(b);
    ib_scan(&b->algo, b->counts, b->cpu_ns);
    plan_writes(b);
    b->cycles++;
    mech_mark(b->env, b->path, "irqbalance", NULL, MECH_START,
              "cycle %llu: %u IRQ(s) taken off overloaded CPUs, %u placed",
              (unsigned long long)b->algo.cycle_count, b->algo.taken, b->algo.placed);
    uint64_t cycles = b->scan_cycles + b->nmoving * b->port.retarget_cycles(b->port.ctx);
    mech_mark(b->env, b->path, "irqbalance", "activate", MECH_START,
              "%u write(s), %u H_INT_SET_SOURCE_CONFIG, %llu cycles on VP %u", b->npending,
              b->nmoving, (unsigned long long)cycles, b->vp);
    b->busy = true;
    if (b->port.cpu.run(b->port.cpu.ctx, b->vp, cycles, task_done, b, 0) != 0)
        task_done(b, 0); /* not placed now: the writes go through at once */
}

static void on_warmup_end(void *ctx, sim_time_t now)
{
    (void)now;
    struct irqbalance *b = ctx;
    uint64_t v[4] = { b->cycles, b->writes, b->moves, b->refused };
    memcpy(b->at_warmup, v, sizeof v);
}

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct irqbalance *b = ctx;
    struct recorder *rec = b->env->rec;
    recorder_scalar(rec, b->path, "cycles", "", (double)(b->cycles - b->at_warmup[0]));
    recorder_scalar(rec, b->path, "writes", "", (double)(b->writes - b->at_warmup[1]));
    recorder_scalar(rec, b->path, "moves", "", (double)(b->moves - b->at_warmup[2]));
    recorder_scalar(rec, b->path, "refused", "", (double)(b->refused - b->at_warmup[3]));
}

struct irqbalance *irqbalance_create(struct env *e, const char *name,
                                     const struct guest_irq_port *port,
                                     uint32_t cpus_per_cache, const struct cfg_node *cfg,
                                     struct diag *err)
{
    struct irqbalance *b = calloc(1, sizeof *b);
    if (!b) {
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    b->env = e;
    snprintf(b->path, sizeof b->path, "irqbalance.%s", name);
    b->port = *port;
    b->interval = cfg_param(cfg, irqbalance_params, "interval").u;
    b->scan_cycles = cfg_param(cfg, irqbalance_params, "scan_cycles").u;
    b->vp = (uint32_t)cfg_param(cfg, irqbalance_params, "vp").u;
    uint32_t cache = (uint32_t)cfg_param(cfg, irqbalance_params, "cache_vps").u;
    const char *hp = cfg_param(cfg, irqbalance_params, "hint_policy").s;
    enum ib_hint_policy policy = strcmp(hp, "exact") == 0    ? IB_HINT_EXACT
                                 : strcmp(hp, "ignore") == 0 ? IB_HINT_IGNORE
                                                             : IB_HINT_SUBSET;
    uint32_t n = port->nirqs ? port->nirqs : 1;
    b->counts = calloc(n, sizeof *b->counts);
    b->cpu_ns = calloc(port->ncpus ? port->ncpus : 1, sizeof *b->cpu_ns);
    b->pending = calloc(n, sizeof *b->pending);
    if (!b->counts || !b->cpu_ns || !b->pending ||
        ib_init(&b->algo, port->ncpus, cache ? cache : cpus_per_cache ? cpus_per_cache : 1,
                port->nirqs, cfg_param(cfg, irqbalance_params, "migrate_ratio").u, policy) != 0) {
        irqbalance_destroy(b);
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < port->nirqs; i++) {
        struct vp_mask hint;
        ib_set_class(&b->algo, i, port->is_network(port->ctx, i) ? IB_CLASS_ETH : IB_CLASS_SCSI);
        if (policy != IB_HINT_IGNORE && port->hint(port->ctx, i, &hint))
            ib_set_hint(&b->algo, i, &hint);
    }
    if (strcmp(cfg_param(cfg, irqbalance_params, "first_cycle").s, "before_run") == 0) {
        /* the cycle of the boot: placed and written before the run */
        read_counters(b);
        ib_scan(&b->algo, b->counts, b->cpu_ns);
        plan_writes(b);
        apply(b, false);
    }
    env_every(e, b->interval, on_tick, b);
    env_on_warmup_end(e, on_warmup_end, b);
    env_on_finish(e, on_finish, b);
    return b;
}

void irqbalance_destroy(struct irqbalance *b)
{
    if (!b)
        return;
    ib_fini(&b->algo);
    free(b->counts);
    free(b->cpu_ns);
    free(b->pending);
    free(b);
}
