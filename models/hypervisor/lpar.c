/* models/hypervisor/lpar.c — the LPAR object (see lpar.h): identity,
 * devices and logical interrupts, placement, lifecycle. Its I/O
 * accounting is lpar_io.c. */
#include "models/hypervisor/lpar_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/guest/eeh_core.h"
#include "models/hypervisor/hypervisor.h"
#include "models/hypervisor/vf_pool.h"
#include "models/hypervisor/vf_assign.h"

const struct param_desc lpar_params[] = {
    { "system", PARAM_REF, "", NULL, "the system the LPAR runs on",
      .choices = "systems" },
    { "adapter", PARAM_STR, "", NULL,
      "adapter (of that system) whose VF is assigned to the LPAR" },
    { "vf", PARAM_U64, "", "0", "index of the assigned VF on that adapter" },
    { "vps", PARAM_U64, "", "1", "virtual processors", .min = "1", .max = "1024" },
    { "memory", PARAM_SIZE, "B", "8GiB", "partition memory", .min = "256MiB" },
    { "activate_at", PARAM_TIME, "ns", "0ns",
      "when the LPAR is activated (modelling choice: 0, it is up when the run starts)" },
    { "boot", PARAM_TIME, "ns", "0ns",
      "from activation to running; I/O issued before waits (modelling choice: 0; an OS "
      "boot takes tens of seconds)" },
    { "max_outstanding", PARAM_U64, "", "65536",
      "I/Os the LPAR may have outstanding; more fail at submit",
      .min = "1", .max = "16777216" },
    { "standby", PARAM_STR, "", "",
      "an adapter of the same system the hypervisor switches the VF to, transparently, "
      "when its adapter fails (empty: none; the guest recovers with EEH)" },
    { 0 }
};

const struct param_desc lpar_device_params[] = {
    { "adapter", PARAM_STR, "", NULL, "adapter (of the LPAR's system) the VF belongs to" },
    { "vf", PARAM_U64, "", "0", "index of the VF on that adapter" },
    { "standby", PARAM_STR, "", "",
      "an adapter the hypervisor switches this VF to when its adapter fails (empty: none)" },
    { 0 }
};

/* Guest physical addresses of the VF BARs: one page-aligned slot per
 * device, above 32 TiB (where a pseries guest's PCI MMIO space lies);
 * the hypervisor maps each to whatever VF is assigned now. */
#define GUEST_MMIO_BASE UINT64_C(0x0000200000000000)
#define GUEST_BAR_SLOT UINT64_C(0x0000000000100000)

const struct component_ops lpar_ops = { "lpar", NULL, NULL, NULL };

static int devices_init(struct lpar *l, const struct lpar_device_spec *specs, size_t n)
{
    l->devs = calloc(n ? n : 1, sizeof *l->devs);
    uint32_t lisns = 0;
    for (size_t i = 0; i < n; i++)
        lisns += specs[i].abstract ? 0 : specs[i].queue_pairs;
    l->irqs = calloc(lisns ? lisns : 1, sizeof *l->irqs);
    if (!l->devs || !l->irqs)
        return -1;
    l->ndevs = n;
    l->nirqs = lisns;
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        struct lpar_device *d = &l->devs[i];
        const struct lpar_device_spec *s = &specs[i];
        *d = (struct lpar_device){
            .lpar = l, .index = (unsigned)i, .name = s->name, .cfg = s->cfg,
            .sink = s->sink, .latency = s->latency,
            .queue_pairs = s->abstract ? 0 : s->queue_pairs, .lisn_base = next,
            .guest_bar = GUEST_MMIO_BASE + i * GUEST_BAR_SLOT,
        };
        if (i == 0)
            snprintf(d->path, sizeof d->path, "%s.driver", l->path);
        else
            snprintf(d->path, sizeof d->path, "%s.%s.driver", l->path, s->name);
        vf_driver_config_init(&d->drv_cfg, s->cfg ? cfg_find(s->cfg, "driver") : NULL);
        for (uint32_t q = 0; q < d->queue_pairs; q++)
            l->irqs[next + q] = (struct lirq){ d, q, LIRQ_UNBOUND, q % l->vps,
                                               d->drv_cfg.irq_priority };
        next += d->queue_pairs;
    }
    return 0;
}

struct lpar *lpar_create(struct env *e, const char *name, const struct cfg_node *cfg,
                         const struct lpar_device_spec *devs, size_t ndevs, struct diag *err)
{
    struct lpar *l = calloc(1, sizeof *l);
    if (!l) {
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    l->env = e;
    l->cfg = cfg;
    l->name = name;
    snprintf(l->path, sizeof l->path, "lpar.%s", l->name);
    l->vps = (uint32_t)cfg_param(cfg, lpar_params, "vps").u;
    l->state = LPAR_NOT_ACTIVATED;
    l->gate_closed = true;
    l->activate_at = cfg_param(cfg, lpar_params, "activate_at").u;
    l->boot = cfg_param(cfg, lpar_params, "boot").u;
    l->place.dispatch_lpar = -1;
    if (devices_init(l, devs, ndevs) != 0 || lpar_io_init(l) != 0) {
        diag_set(err, cfg ? &cfg->loc : NULL, "out of memory");
        lpar_destroy(l);
        return NULL;
    }
    char path[128];
    snprintf(path, sizeof path, "%s.memory", l->path);
    l->mem = lpar_memory_create(e, path, cfg_param(cfg, lpar_params, "memory").u,
                                cfg ? cfg_find(cfg, "pages") : NULL, err);
    if (!l->mem) {
        lpar_destroy(l);
        return NULL;
    }
    env_register(e, l->path, &lpar_ops, l);
    return l;
}

void lpar_destroy(struct lpar *l)
{
    if (!l)
        return;
    lpar_io_fini(l);
    lpar_vp_load_fini(l);
    for (size_t i = 0; i < l->ndevs; i++) {
        sim_time_t ignored;
        vf_binding_destroy(l->devs[i].vf, &ignored); /* the VF assigned at the end */
        eeh_core_destroy(l->devs[i].eeh);
        vf_pool_destroy(l->devs[i].pool);
        vf_driver_destroy(l->devs[i].driver);
    }
    lpar_memory_destroy(l->mem);
    free(l->devs);
    free(l->irqs);
    free(l);
}

const char *lpar_name(const struct lpar *l) { return l->name; }
struct env *lpar_env(const struct lpar *l) { return l->env; }
const char *lpar_path(const struct lpar *l) { return l->path; }
const struct cfg_node *lpar_cfg(const struct lpar *l) { return l->cfg; }
uint32_t lpar_vps(const struct lpar *l) { return l->vps; }
struct lpar_memory *lpar_memory(struct lpar *l) { return l->mem; }
size_t lpar_device_count(const struct lpar *l) { return l->ndevs; }
uint32_t lpar_lirq_count(const struct lpar *l) { return l->nirqs; }

struct lpar_device *lpar_device(struct lpar *l, size_t i)
{
    return i < l->ndevs ? &l->devs[i] : NULL;
}

struct lpar_device *lpar_device_named(struct lpar *l, const char *name)
{
    for (size_t i = 0; i < l->ndevs; i++)
        if (strcmp(l->devs[i].name, name) == 0)
            return &l->devs[i];
    return NULL;
}

void lpar_device_set_driver(struct lpar_device *d, struct vf_driver *drv, struct eeh_core *eeh)
{
    d->driver = drv;
    d->eeh = eeh;
    d->sink = vf_driver_sink(drv);
    d->latency = 0;
    /* the driver requests its vectors: each starts on a VP of its mask
     * (xive_irq_startup), in the order the guest brings them up */
    struct lpar *l = d->lpar;
    for (uint32_t q = 0; q < d->queue_pairs; q++) {
        struct lirq *li = &l->irqs[d->lisn_base + q];
        struct vf_driver_irq vi;
        vf_driver_irq_affinity(drv, q, &vi);
        li->managed = vi.managed;
        li->hinted = vi.hints;
        li->latency_sensitive = vi.hints && vi.latency_sensitive;
        li->affinity = vi.mask;
        li->hint = vi.hint;
        uint32_t vp = irq_affinity_pick(&li->affinity, &l->irq_fuzz);
        li->vp = vp < l->vps ? vp : 0;
        vf_driver_set_irq_vp(drv, q, li->vp);
    }
}

uint32_t *lpar_irq_fuzz(struct lpar *l)
{
    return &l->irq_fuzz;
}

struct lirq *lpar_lirq(struct lpar *l, uint32_t lisn)
{
    return lisn < l->nirqs ? &l->irqs[lisn] : NULL;
}

/* ---- placement ------------------------------------------------------------ */

void lpar_place(struct lpar *l, const struct lpar_placement *p)
{
    l->place = *p;
}

const struct lpar_placement *lpar_placement(const struct lpar *l)
{
    return &l->place;
}

static int run_on_vp(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
                     uint64_t arg)
{
    const struct lpar *l = ctx;
    if (!l->place.hyp)
        return -1;
    return hypervisor_run(l->place.hyp, l->place.dispatch_lpar, vp, cycles, fn, fctx, arg);
}

static int ipi_on_vp(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
                     uint64_t arg)
{
    const struct lpar *l = ctx;
    if (!l->place.hyp)
        return -1;
    return hypervisor_ipi(l->place.hyp, l->place.dispatch_lpar, vp, cycles, fn, fctx, arg);
}

static int softirq_on_vp(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
                         uint64_t arg)
{
    const struct lpar *l = ctx;
    if (!l->place.hyp)
        return -1;
    return hypervisor_run_softirq(l->place.hyp, l->place.dispatch_lpar, vp, cycles, fn, fctx,
                                  arg);
}

struct cpu_work_port lpar_vp_port(struct lpar *l)
{
    return (struct cpu_work_port){ run_on_vp, l, l->vps, ipi_on_vp, softirq_on_vp };
}

/* ---- lifecycle ------------------------------------------------------------ */

int lpar_lifecycle(struct lpar *l, enum lpar_event ev)
{
    int next = lpar_state_next(l->state, ev);
    if (next < 0)
        return -1;
    l->state = (enum lpar_state)next;
    l->gate_closed = l->state != LPAR_RUNNING || l->io.paused;
    recorder_event(l->env->rec, kernel_now(l->env->k), l->path, "lpar_state", "%s -> %s",
                   lpar_event_name(ev), lpar_state_name(l->state));
    lpar_io_release_held(l);
    return 0;
}

void lpar_update_gate(struct lpar *l)
{
    l->gate_closed = l->state != LPAR_RUNNING || l->io.paused;
    lpar_io_release_held(l);
}

enum lpar_state lpar_current_state(const struct lpar *l)
{
    return l->state;
}

static void on_booted(void *ctx, uint64_t arg)
{
    (void)arg;
    lpar_lifecycle(ctx, LPAR_BOOTED);
}

static void on_activate(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpar *l = ctx;
    lpar_lifecycle(l, LPAR_ACTIVATE);
    if (l->boot)
        kernel_schedule_in(l->env->k, l->boot, on_booted, l, 0);
    else
        lpar_lifecycle(l, LPAR_BOOTED);
}

void lpar_start(struct lpar *l)
{
    for (size_t i = 0; i < l->ndevs; i++)
        if (l->devs[i].eeh)
            eeh_core_start(l->devs[i].eeh);
    if (!l->activate_at && !l->boot) {
        l->state = LPAR_RUNNING; /* up when the run starts: nothing to record */
        l->gate_closed = l->io.paused;
    } else if (l->activate_at)
        kernel_schedule_at(l->env->k, l->activate_at, on_activate, l, 0);
    else
        on_activate(l, 0);
}
