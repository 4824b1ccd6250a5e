/* models/intc/xive_controller.c — XIVE in operation (see xive_controller.h). */
#include "models/intc/xive_controller.h"

#include <stdio.h>
#include <stdlib.h>

struct src_state {
    struct irq_action action;
    uint32_t vp;          /* where the source is routed */
    uint32_t job_vp;      /* where its interrupt job runs (a retarget may
                             move the source while a job is pending) */
    uint8_t prio;
    bool routed;
    bool traced;          /* the traced I/O's interrupt is on its way */
    sim_time_t t_trigger; /* first trigger not yet handled */
    uint64_t handled;     /* handlers run (since routed) */
    sim_time_t latency;   /* their trigger -> handler done, summed */
};

struct xive_controller {
    struct env *env;
    char path[128];
    struct xive_router *router;
    struct vp_irq_port cpu;
    struct src_state *src;
    uint32_t nsrc, next_base;
    struct xive_source *blocks[XIVE_MAX_BLOCKS];
    uint32_t bases[XIVE_MAX_BLOCKS], nblocks;
    bool *eq_ready;       /* per (vp, prio): EQ configured */
    bool *vp_started;     /* per vp: the OS has opened its CPPR */
    uint32_t vps, prios;
    sim_time_t notify_ps; /* the trigger port's latency */
    uint64_t eoi_cycles;  /* ESB load-EOI, on every handler job */
    uint64_t lost;        /* interrupts no job could be queued for */
    uint64_t triggers, presented_at_warmup, backlogged_at_warmup, escalations_at_warmup;
    uint64_t redeliveries_at_warmup, overflows_at_warmup, retargets_at_warmup;
};

static void handler_done(void *ctx, uint64_t src);

/* Presented or backlogged: the handler becomes an interrupt job of the VP. */
static void deliver(struct xive_controller *x, uint32_t src, struct xive_outcome o)
{
    struct src_state *s = &x->src[src];
    if (o.result != XIVE_R_PRESENTED && o.result != XIVE_R_BACKLOGGED)
        return;
    if (s->traced)
        env_trace(x->env, x->path, "source %u %s VP %u (prio %u)%s", src,
                  o.result == XIVE_R_PRESENTED ? "presented to the thread of" : "backlogged for",
                  o.vp, o.prio, o.escalation ? ": escalation to the hypervisor" : "");
    s->job_vp = o.vp;
    /* the handler, the work the OS folds into it, and the ESB load-EOI
     * its thread waits for before it returns */
    uint64_t cycles = (s->action.cycles ? s->action.cycles(s->action.ctx, s->action.arg)
                                        : s->action.handler_cycles) + x->eoi_cycles;
    if (x->cpu.submit_irq(x->cpu.ctx, o.vp, cycles, handler_done, x, src) != 0) {
        /* no job could be queued (out of memory): count it and re-open the
         * source, so later interrupts are not stuck behind this one */
        x->lost++;
        xive_router_eoi(x->router, src);
    }
    if (o.escalation && x->cpu.escalate)
        x->cpu.escalate(x->cpu.ctx, o.vp);
}

static void trigger(void *ctx, uint32_t src, bool traced)
{
    struct xive_controller *x = ctx;
    if (src >= x->nsrc || !x->src[src].routed)
        return;
    struct src_state *s = &x->src[src];
    x->triggers++;
    struct xive_outcome o = xive_router_trigger(x->router, src);
    if (o.result == XIVE_R_PRESENTED || o.result == XIVE_R_BACKLOGGED)
        s->t_trigger = kernel_now(x->env->k);
    s->traced |= traced;
    if (traced && o.result == XIVE_R_COALESCED)
        env_trace(x->env, x->path, "source %u already pending: coalesced (PQ 11)", src);
    deliver(x, src, o);
}

/* After the handler: acknowledge, drain the EQ, restore CPPR, EOI. */
static void handler_done(void *ctx, uint64_t arg)
{
    struct xive_controller *x = ctx;
    uint32_t src = (uint32_t)arg;
    struct src_state *s = &x->src[src];
    if (!s->action.handle)
        return;
    bool traced = s->traced;
    s->traced = false;
    s->handled++;
    s->latency += kernel_now(x->env->k) - s->t_trigger;
    if (traced)
        env_trace(x->env, x->path, "handler of source %u done on VP %u: %.1f ns after the trigger",
                  src, s->vp, sim_time_to_ns(kernel_now(x->env->k) - s->t_trigger));
    s->action.handle(s->action.ctx, s->action.arg, traced);
    uint32_t thread = xive_router_vp_thread(x->router, s->job_vp);
    if (thread != XIVE_NONE) {
        xive_router_ack(x->router, thread);
        xive_router_set_cppr(x->router, thread, XIVE_PRIO_NONE);
    }
    uint32_t data;
    while (xive_router_eq_pop(x->router, s->job_vp, s->prio, &data))
        ;
    struct xive_outcome o = xive_router_eoi(x->router, src);
    if (o.result == XIVE_R_PRESENTED || o.result == XIVE_R_BACKLOGGED)
        s->t_trigger = kernel_now(x->env->k);
    deliver(x, src, o);
}

/* ---- configuration ------------------------------------------------------ */

int xive_controller_attach(struct xive_controller *x, struct xive_source *sb, uint32_t *base)
{
    if (x->nblocks == XIVE_MAX_BLOCKS ||
        xive_router_attach_source(x->router, sb, x->next_base) != 0)
        return -1;
    x->blocks[x->nblocks] = sb;
    x->bases[x->nblocks++] = x->next_base;
    *base = x->next_base;
    x->next_base += xive_source_count(sb);
    return 0;
}

/* The EQ of (vp, prio), configured (H_INT_SET_QUEUE_CONFIG) the first
 * time a source is routed to it. */
static int eq_open(struct xive_controller *x, uint32_t vp, uint8_t prio)
{
    bool *ready = &x->eq_ready[(size_t)vp * x->prios + prio];
    if (!*ready && xive_router_eq_config(x->router, vp, prio, -1) != 0)
        return -1;
    *ready = true;
    return 0;
}

int xive_controller_route(struct xive_controller *x, uint32_t src, uint32_t vp, uint8_t prio,
                          const struct irq_action *action)
{
    sim_time_t cost;
    if (src >= x->nsrc || vp >= x->vps || prio >= x->prios || eq_open(x, vp, prio) != 0)
        return -1;
    if (xive_router_set_source_config(x->router, src, vp, prio, src & 0x7fffffffu, &cost) != 0)
        return -1;
    struct src_state *s = &x->src[src];
    *s = (struct src_state){ .action = *action, .vp = vp, .prio = prio, .routed = true };
    /* sources reset to 01 (off): the OS turns this one on */
    for (uint32_t b = 0; b < x->nblocks; b++)
        if (src >= x->bases[b] && src - x->bases[b] < xive_source_count(x->blocks[b]))
            xive_source_set_pq(x->blocks[b], src - x->bases[b], XIVE_PQ_00);
    return 0;
}

/* Turns the source off (PQ 01) and masks its EAS. A handler already
 * queued for it still runs (the OS took the interrupt before the source
 * went away); its EOI then finds the source off. */
int xive_controller_unroute(struct xive_controller *x, uint32_t src)
{
    sim_time_t cost;
    if (src >= x->nsrc || !x->src[src].routed)
        return -1;
    struct src_state *s = &x->src[src];
    if (xive_router_set_source_config(x->router, src, s->vp, XIVE_PRIO_MASKED,
                                      src & 0x7fffffffu, &cost) != 0)
        return -1;
    s->routed = false;
    for (uint32_t b = 0; b < x->nblocks; b++)
        if (src >= x->bases[b] && src - x->bases[b] < xive_source_count(x->blocks[b]))
            xive_source_set_pq(x->blocks[b], src - x->bases[b], XIVE_PQ_01);
    return 0;
}

int xive_controller_retarget(struct xive_controller *x, uint32_t src, uint32_t vp,
                             sim_time_t *cost_ps)
{
    if (src >= x->nsrc || !x->src[src].routed || vp >= x->vps)
        return -1;
    struct src_state *s = &x->src[src];
    if (eq_open(x, vp, s->prio) != 0)
        return -1;
    if (xive_router_set_source_config(x->router, src, vp, s->prio, src & 0x7fffffffu, cost_ps))
        return -1;
    s->vp = vp;
    return 0;
}

void xive_controller_vp_dispatched(struct xive_controller *x, uint32_t vp, uint32_t thread)
{
    if (xive_router_dispatch(x->router, vp, thread, NULL) != 0 || vp >= x->vps)
        return;
    if (!x->vp_started[vp]) {
        /* the OS opens a CPU's CPPR to "accept everything" when it brings
         * the CPU up; later dispatches restore what the VP left */
        x->vp_started[vp] = true;
        xive_router_set_cppr(x->router, thread, XIVE_PRIO_NONE);
    }
}

void xive_controller_vp_undispatched(struct xive_controller *x, uint32_t thread)
{
    xive_router_undispatch(x->router, thread, NULL);
}

/* ---- run phases --------------------------------------------------------- */

static void on_warmup_end(void *ctx, sim_time_t now)
{
    (void)now;
    struct xive_controller *x = ctx;
    const struct xive_router_counters *c = xive_router_counters(x->router);
    x->triggers = 0;
    x->lost = 0;
    x->presented_at_warmup = c->presented;
    x->backlogged_at_warmup = c->backlogged;
    x->escalations_at_warmup = c->escalations;
    x->redeliveries_at_warmup = c->redeliveries;
    x->overflows_at_warmup = c->eq_overflows;
    x->retargets_at_warmup = c->retargets;
}

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct xive_controller *x = ctx;
    const struct xive_router_counters *c = xive_router_counters(x->router);
    struct recorder *rec = x->env->rec;
    uint64_t presented = c->presented - x->presented_at_warmup;
    uint64_t backlogged = c->backlogged - x->backlogged_at_warmup;
    recorder_scalar(rec, x->path, "triggers", "", (double)x->triggers);
    recorder_scalar(rec, x->path, "notifications", "", (double)(presented + backlogged));
    recorder_scalar(rec, x->path, "coalesced", "",
                    x->triggers > presented + backlogged
                        ? (double)(x->triggers - presented - backlogged) : 0);
    recorder_scalar(rec, x->path, "presented", "", (double)presented);
    recorder_scalar(rec, x->path, "backlogged", "", (double)backlogged);
    recorder_scalar(rec, x->path, "escalations", "",
                    (double)(c->escalations - x->escalations_at_warmup));
    recorder_scalar(rec, x->path, "redeliveries", "",
                    (double)(c->redeliveries - x->redeliveries_at_warmup));
    recorder_scalar(rec, x->path, "eq_overflows", "",
                    (double)(c->eq_overflows - x->overflows_at_warmup));
    recorder_scalar(rec, x->path, "retargets", "", (double)(c->retargets - x->retargets_at_warmup));
    recorder_scalar(rec, x->path, "lost", "", (double)x->lost);
}

/* ---- construction ------------------------------------------------------- */

struct xive_controller *xive_controller_create(struct env *e, const char *path,
                                               const struct xive_router_config *c,
                                               struct vp_irq_port cpu)
{
    struct xive_controller *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->env = e;
    snprintf(x->path, sizeof x->path, "%s", path);
    x->cpu = cpu;
    x->nsrc = c->eas_entries;
    x->vps = c->vps;
    x->prios = c->priorities;
    x->notify_ps = c->notify_ps;
    x->eoi_cycles = c->eoi_cycles;
    x->router = xive_router_create(c);
    x->src = calloc(x->nsrc, sizeof *x->src);
    x->eq_ready = calloc((size_t)x->vps * x->prios, sizeof *x->eq_ready);
    x->vp_started = calloc(x->vps, sizeof *x->vp_started);
    if (!x->router || !x->src || !x->eq_ready || !x->vp_started) {
        xive_controller_destroy(x);
        return NULL;
    }
    env_on_warmup_end(e, on_warmup_end, x);
    env_on_finish(e, on_finish, x);
    return x;
}

void xive_controller_destroy(struct xive_controller *x)
{
    if (!x)
        return;
    xive_router_destroy(x->router);
    free(x->src);
    free(x->eq_ready);
    free(x->vp_started);
    free(x);
}

int xive_controller_source_stats(const struct xive_controller *x, uint32_t src,
                                 uint64_t *handled, sim_time_t *latency)
{
    if (src >= x->nsrc || !x->src[src].routed)
        return -1;
    *handled = x->src[src].handled;
    *latency = x->src[src].latency;
    return 0;
}

struct irq_trigger_port xive_controller_trigger_port(struct xive_controller *x)
{
    return (struct irq_trigger_port){ trigger, x, x->notify_ps };
}

uint64_t xive_controller_eoi_cycles(const struct xive_controller *x)
{
    return x->eoi_cycles;
}

struct xive_router *xive_controller_router(struct xive_controller *x)
{
    return x->router;
}
