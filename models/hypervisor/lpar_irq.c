/* models/hypervisor/lpar_irq.c — an LPAR's interrupts as its guest
 * kernel shows them:
 *  - each VP's interrupt load as series "lpar.<L>.vp<i>" `irq_load`: the
 *    fraction of each sample interval its interrupt work takes (entry,
 *    handler and exit cycles of the interrupts given to the VP, at the
 *    system's frequency), what /proc/stat's irq column shows a guest and
 *    what irqbalance balances; recorded on request
 *    (policies.interrupts.load_series);
 *  - the guest_irq_port irqbalance reads and writes through
 *    (models/guest/irqbalance.h): interrupt counts per logical
 *    interrupt, irq time per VP, and smp_affinity writes, which the guest
 *    kernel refuses for a managed interrupt, keeps when the target is in
 *    the new mask, and otherwise carries out by picking a target
 *    (models/guest/irq_affinity.h) with one H_INT_SET_SOURCE_CONFIG.
 * All from the dispatcher's per-VP work counters and the interrupt
 * controller's per-source counts: nothing per I/O. */
#include "models/hypervisor/lpar_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "models/guest/irqbalance.h"
#include "models/hypervisor/hypervisor.h"
#include "models/hypervisor/irq_stats.h"

static void on_sample(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    struct lpar_vp_load *v = &l->vpload;
    struct hypervisor *h = l->place.hyp;
    double span = (double)l->env->sample_interval;
    for (uint32_t i = 0; i < l->vps; i++) {
        uint64_t irq = 0, task = 0;
        if (!h || hypervisor_vp_work(h, l->place.dispatch_lpar, i, &irq, &task) != 0) {
            v->last[i] = 0;
            continue; /* not placed now (between systems): no point */
        }
        uint64_t d = irq >= v->last[i] ? irq - v->last[i] : irq;
        v->last[i] = irq;
        series_append(v->se[i], now, (double)hypervisor_cycles_ps(h, d) / span);
    }
}

int lpar_record_vp_load(struct lpar *l)
{
    struct lpar_vp_load *v = &l->vpload;
    if (v->se || !l->env->sample_interval)
        return 0;
    v->se = calloc(l->vps, sizeof *v->se);
    v->last = calloc(l->vps, sizeof *v->last);
    if (!v->se || !v->last)
        return -1;
    for (uint32_t i = 0; i < l->vps; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s.vp%u", l->path, i);
        v->se[i] = recorder_series(l->env->rec, path, "irq_load", "");
    }
    env_on_sample(l->env, on_sample, l);
    return 0;
}

void lpar_vp_load_fini(struct lpar *l)
{
    struct lpar_vp_load *v = &l->vpload;
    free(v->se);
    free(v->last);
    free(v->vp_raw);
    free(v->vp_acc);
    free(v->src_last);
    free(v->cnt_raw);
    free(v->cnt_acc);
}

/* ---- the guest kernel's interface for irqbalance -------------------------- */

static uint64_t irq_count(void *ctx, uint32_t irq)
{
    struct lpar *l = ctx;
    struct lpar_vp_load *v = &l->vpload;
    const struct lirq *li = &l->irqs[irq];
    uint64_t handled;
    sim_time_t lat;
    if (!l->place.hyp || li->src == LIRQ_UNBOUND ||
        hypervisor_source_stats(l->place.hyp, li->src, &handled, &lat) != 0)
        return v->cnt_acc[irq];
    /* a source routed anew counts from 0 */
    uint64_t d = li->src == v->src_last[irq] && handled >= v->cnt_raw[irq]
                     ? handled - v->cnt_raw[irq] : handled;
    v->src_last[irq] = li->src;
    v->cnt_raw[irq] = handled;
    return v->cnt_acc[irq] += d;
}

static uint64_t cpu_irq_ns(void *ctx, uint32_t cpu)
{
    struct lpar *l = ctx;
    struct lpar_vp_load *v = &l->vpload;
    uint64_t irq, task;
    if (l->place.hyp &&
        hypervisor_vp_work(l->place.hyp, l->place.dispatch_lpar, cpu, &irq, &task) == 0) {
        v->vp_acc[cpu] += irq >= v->vp_raw[cpu] ? irq - v->vp_raw[cpu] : irq;
        v->vp_raw[cpu] = irq;
        return hypervisor_cycles_ps(l->place.hyp, v->vp_acc[cpu]) / 1000;
    }
    v->vp_raw[cpu] = 0; /* between systems: its next dispatcher counts from 0 */
    return 0;
}

static bool is_network(void *ctx, uint32_t irq)
{
    const struct lpar *l = ctx;
    return l->irqs[irq].dev->network;
}

static bool hint(void *ctx, uint32_t irq, struct vp_mask *m)
{
    const struct lpar *l = ctx;
    *m = l->irqs[irq].hint;
    return l->irqs[irq].hinted;
}

static void affinity(void *ctx, uint32_t irq, struct vp_mask *m)
{
    const struct lpar *l = ctx;
    *m = l->irqs[irq].affinity;
}

static uint32_t target(void *ctx, uint32_t irq)
{
    const struct lpar *l = ctx;
    return l->irqs[irq].vp;
}

static enum guest_irq_write write_affinity(void *ctx, uint32_t irq, const struct vp_mask *m)
{
    struct lpar *l = ctx;
    struct lirq *li = &l->irqs[irq];
    struct hypervisor *h = l->place.hyp;
    if (li->managed) { /* irq_can_set_affinity_usr: -EIO */
        if (h)
            irq_stats_refused(hypervisor_irq_stats(h));
        return GUEST_IRQ_REFUSED;
    }
    li->affinity = *m;
    if (vp_mask_test(m, li->vp))
        return GUEST_IRQ_SAME; /* xive_irq_set_affinity: the target is in the mask */
    uint32_t vp = irq_affinity_pick(m, &l->irq_fuzz);
    if (!h || vp >= l->vps || hypervisor_retarget_irq(h, l, irq, vp) == SIM_TIME_MAX)
        return GUEST_IRQ_SAME;
    irq_stats_move(hypervisor_irq_stats(h));
    return GUEST_IRQ_MOVED;
}

static uint64_t retarget_cycles(void *ctx)
{
    const struct lpar *l = ctx;
    return l->place.hyp ? hypervisor_retarget_cycles(l->place.hyp) : 0;
}

int lpar_guest_irq_port(struct lpar *l, struct guest_irq_port *p)
{
    struct lpar_vp_load *v = &l->vpload;
    size_t n = l->nirqs ? l->nirqs : 1;
    if (!v->vp_raw) {
        v->vp_raw = calloc(l->vps, sizeof *v->vp_raw);
        v->vp_acc = calloc(l->vps, sizeof *v->vp_acc);
        v->src_last = calloc(n, sizeof *v->src_last);
        v->cnt_raw = calloc(n, sizeof *v->cnt_raw);
        v->cnt_acc = calloc(n, sizeof *v->cnt_acc);
        if (!v->vp_raw || !v->vp_acc || !v->src_last || !v->cnt_raw || !v->cnt_acc)
            return -1;
        for (size_t i = 0; i < n; i++)
            v->src_last[i] = LIRQ_UNBOUND;
    }
    *p = (struct guest_irq_port){
        .nirqs = l->nirqs, .ncpus = l->vps, .irq_count = irq_count, .cpu_irq_ns = cpu_irq_ns,
        .is_network = is_network, .hint = hint, .affinity = affinity, .target = target,
        .write = write_affinity, .retarget_cycles = retarget_cycles, .cpu = lpar_vp_port(l),
        .ctx = l,
    };
    return 0;
}
