/* models/hypervisor/lpm_switchover.c — what each phase of a migration
 * re-wires (see lpm_session.h), with the inverses of the builder's
 * wiring (vf_assign.h, hypervisor.h), and the rollback of an abort.
 *
 * The switchover follows US10761949B2 (LPM with SR-IOV: the target
 * adapter placed in error state, the guest recovering it), US9875060B1
 * (MMIO mapping information moved) and US20210357342A1 (interrupt
 * mapping moved); drain follows US9086904B2 (queue state moved VF -> PF
 * -> hypervisor memory and resumed on the target); unplug is PowerVM's
 * "migratable SR-IOV" (the VF bonded active-backup with a virtual NIC,
 * removed before the move and added on the target).
 *
 * Costs: the hypervisor calls of each inverse (hcall.c: H_VIOCTL to
 * enable/disable a VF and per queue pair, H_INT_SET_SOURCE_CONFIG per
 * logical interrupt, H_PUT_TCE_INDIRECT / H_STUFF_TCE per TCE), plus the
 * migrate item's fixed costs (suspend, mappings, resume, cleanup,
 * miimon, unplug, probe). */
#include "models/hypervisor/lpm_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "models/guest/eeh_core.h"
#include "models/guest/vf_driver.h"
#include "models/hypervisor/lirq.h"

static sim_time_t now_of(const struct lpm_session *s)
{
    return kernel_now(s->env->k);
}

static uint32_t *heads_of(struct lpm_dev *ld)
{
    if (!ld->heads)
        ld->heads = calloc(ld->d->queue_pairs ? ld->d->queue_pairs : 1, sizeof *ld->heads);
    return ld->heads;
}

static void freeze_pe(struct vf_binding *b, const char *why)
{
    phb_upstream(b->phb).error(b->phb, adapter_vf_rid(b->adapter, b->vf), why);
}

static void schedule(struct lpm_session *s, sim_time_t in, event_fn fn)
{
    s->ev = kernel_schedule_in(s->env->k, in, fn, s, 0);
    s->ev_armed = true;
}

/* What the LPAR's VFs hold now (its virtual devices' I/O not counted). */
static uint64_t at_vfs(const struct lpm_session *s)
{
    uint64_t n = lpar_io_at_devices(s->l);
    for (size_t i = 0; i < s->ndev; i++)
        n -= virtual_device_in_flight(s->dev[i].vdev);
    return n;
}

/* ---- unplug: fail over to the virtual device, remove the VF --------------------- */

/* The queue state is out of the source VFs (unplug: removed; drain: moved
 * to hypervisor memory): the quiesce phase ends. */
static void on_queues_out(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpm_session *s = ctx;
    s->ev_armed = false;
    s->sub = Q_NONE;
    lpm_phase_end(s);
}

/* The queue state saved, the VF removed (DLPAR remove). */
static void remove_vfs(struct lpm_session *s)
{
    sim_time_t cost = s->p.unplug, c;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        uint32_t *heads = heads_of(ld);
        if (!heads) {
            lpm_abort(s, "out of memory");
            return;
        }
        vf_binding_stop(ld->src, heads, &c);
        cost += c;
        vf_unassign(ld->src, &c);
        cost += c;
        ld->src = NULL;
        ld->unplugged = true;
    }
    s->sub = Q_MOVING;
    schedule(s, cost, on_queues_out);
}

static void on_failed_over(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpm_session *s = ctx;
    s->ev_armed = false;
    for (size_t i = 0; i < s->ndev; i++)
        virtual_device_attach(s->dev[i].vdev);
    recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_failover",
                   "the bond noticed the VF going (miimon): I/O goes to the virtual device");
    s->sub = Q_DRAINING;
    lpm_drain_check(s);
}

sim_time_t lpm_unplug_begin(struct lpm_session *s)
{
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        ld->src_ad = ld->src->adapter;
        ld->src_vf = ld->src->vf;
        ld->src_phb = ld->src->phb;
        if (!ld->vdev && !(ld->vdev = lpm_service_vdev(s->svc, ld->d, s->p.virtual_io))) {
            snprintf(s->why, sizeof s->why, "out of memory");
            return SIM_TIME_MAX;
        }
    }
    s->sub = Q_MIIMON;
    schedule(s, s->p.miimon, on_failed_over);
    return LPM_ASYNC;
}

/* ---- drain: submission suspended until nothing is outstanding --------------------- */

/* VF -> PF -> hypervisor memory: each queue's state read through the PF
 * and its queues detached (H_VIOCTL per queue pair), interrupts unbound. */
static void move_queue_state(struct lpm_session *s)
{
    sim_time_t cost = 0, c;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        uint32_t *heads = heads_of(ld);
        if (!heads) {
            lpm_abort(s, "out of memory");
            return;
        }
        vf_binding_stop(ld->src, heads, &c);
        cost += c + vf_binding_unbind_irqs(ld->src);
        ld->stopped = true;
    }
    s->sub = Q_MOVING;
    schedule(s, cost, on_queues_out);
}

sim_time_t lpm_drain_begin(struct lpm_session *s)
{
    if (s->p.fallback) {
        for (size_t i = 0; i < s->ndev; i++) {
            struct lpm_dev *ld = &s->dev[i];
            if (!ld->vdev && !(ld->vdev = lpm_service_vdev(s->svc, ld->d, s->p.virtual_io)))
                return snprintf(s->why, sizeof s->why, "out of memory"), SIM_TIME_MAX;
            virtual_device_attach(ld->vdev);
        }
    } else {
        lpar_io_pause(s->l, true);
        s->paused = true;
    }
    s->sub = Q_DRAINING;
    lpm_drain_check(s);
    return LPM_ASYNC;
}

void lpm_drain_check(struct lpm_session *s)
{
    if (s->sub != Q_DRAINING)
        return;
    bool drain = s->phase == PH_DRAIN;
    if (at_vfs(s) != 0 && !lpm_skip(s, drain ? "drain_wait" : "unplug_wait"))
        return;
    recorder_event(s->env->rec, now_of(s), lpm_comp(s), drain ? "lpm_drained" : "lpm_vf_idle",
                   "%llu I/O(s) still at the VF", (unsigned long long)at_vfs(s));
    s->sub = Q_MOVING;
    if (drain)
        move_queue_state(s);
    else
        remove_vfs(s);
}

/* ---- suspend ------------------------------------------------------------------------ */

sim_time_t lpm_suspend(struct lpm_session *s)
{
    sim_time_t cost = s->p.suspend;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        if (s->p.quiesce != LPM_EEH || !ld->src)
            continue;
        /* the source in error state: its DMA and MMIO stop, what it holds is
         * aborted (the guest retries it after recovering the target) */
        s->at_error += vf_driver_at_device(ld->d->driver);
        freeze_pe(ld->src, "live partition mobility: the source placed in error state");
        ld->frozen = true;
        cost += vf_binding_unbind_irqs(ld->src);
        ld->stopped = true;
    }
    lpar_lifecycle(s->l, LPAR_SUSPEND);
    lpar_memory_freeze(lpar_memory(s->l), true);
    if (s->p.switchover == LPM_POST_COPY)
        s->missing = lpar_memory_begin_postcopy(lpar_memory(s->l), s->p.fault);
    if (hypervisor_remove_lpar(s->src, s->l, &s->saved) != 0) {
        snprintf(s->why, sizeof s->why, "the LPAR's VPs could not leave %s",
                 hypervisor_name(s->src));
        return SIM_TIME_MAX;
    }
    s->suspended = true;
    s->t_suspend = now_of(s);
    return cost;
}

sim_time_t lpm_mappings(struct lpm_session *s)
{
    return s->p.mappings;
}

/* ---- the target ---------------------------------------------------------------------- */

sim_time_t lpm_rebuild_dma(struct lpm_session *s)
{
    sim_time_t cost = 0;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        sim_time_t c1 = 0, c2 = 0;
        struct diag err;
        ld->dst = vf_binding_create(s->dst, ld->d, ld->to, ld->vf, ld->phb, &c1, &err);
        if (!ld->dst) {
            snprintf(s->why, sizeof s->why, "%.180s", err.msg);
            return SIM_TIME_MAX;
        }
        ld->dst->dma.real_base = s->dst_base; /* the LPAR's memory on the target */
        if (vf_binding_map_dma(ld->dst, &c2) != 0) {
            snprintf(s->why, sizeof s->why, "the target's DMA window cannot map the driver's");
            return SIM_TIME_MAX;
        }
        cost += c1 + c2;
    }
    return cost;
}

sim_time_t lpm_map_target(struct lpm_session *s)
{
    sim_time_t cost = 0;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        if (s->p.quiesce == LPM_EEH && !lpm_skip(s, "error_state"))
            freeze_pe(ld->dst, "live partition mobility: the target placed in error state");
        ld->d->vf = ld->dst; /* the guest's BAR maps the target VF */
        cost += s->dst->switch_remap;
    }
    return cost;
}

/* eeh: the guest's EEH core stopped a device's queues (what they held is
 * taken back): once every device has, the I/O issued meanwhile goes out
 * (to the stopped driver, which holds it until the recovery ends). */
static void on_eeh_stopped(void *ctx, uint64_t taken_back)
{
    (void)taken_back;
    struct lpm_recovery *r = ctx;
    struct lpm_tally *t = r->t;
    if (t->await_stop && --t->await_stop == 0)
        lpar_io_pause(t->l, false);
}

static void on_eeh_ended(void *ctx, bool recovered)
{
    (void)recovered;
    struct lpm_recovery *r = ctx;
    virtual_device_detach(r->vdev); /* fallback: back to the VF */
    r->vdev = NULL;
}

/* The partition runs again with devices in error state (the target's
 * after a migration, the source's after an eeh rollback): each driver
 * meets the error state at its first register access, and until its EEH
 * core has stopped its queues it submits nothing (with fallback the
 * virtual device takes the I/O meanwhile). `frozen` says which devices. */
static void run_meeting_errors(struct lpm_session *s, bool any_frozen)
{
    struct lpm_tally *t = s->tally;
    bool hold = any_frozen && !s->p.fallback;
    if (hold)
        lpar_io_pause(s->l, true);
    lpar_lifecycle(s->l, LPAR_RESUME);
    t->await_stop = 0;
    for (size_t i = 0; any_frozen && i < s->ndev; i++) {
        struct lpar_device *d = s->dev[i].d;
        struct lpm_recovery *r = &t->rec[i];
        *r = (struct lpm_recovery){ t, s->dev[i].vdev };
        if (!d->eeh)
            continue;
        eeh_core_set_listener(d->eeh, &(struct eeh_core_listener){ on_eeh_stopped,
                                                                  on_eeh_ended, r });
        if (eeh_core_check(d->eeh))
            t->await_stop++;
        else
            on_eeh_ended(r, true);
    }
    if (hold && !t->await_stop)
        lpar_io_pause(s->l, false);
}

static void on_resumed(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpm_session *s = ctx;
    bool eeh = s->p.quiesce == LPM_EEH;
    s->ev_armed = false;
    lpar_memory_freeze(lpar_memory(s->l), false);
    run_meeting_errors(s, eeh);
    s->t_resume = now_of(s);
    s->tally->blackout_armed = true;
    if (!eeh) /* drain with fallback: the target VF has the queue state now */
        for (size_t i = 0; i < s->ndev; i++)
            virtual_device_detach(s->dev[i].vdev);
    lpm_phase_end(s);
}

sim_time_t lpm_resume(struct lpm_session *s)
{
    struct diag err;
    if (hypervisor_place_reserved(s->dst, s->l, &s->saved, s->dst_base, &err) != 0) {
        snprintf(s->why, sizeof s->why, "%.180s", err.msg);
        return SIM_TIME_MAX;
    }
    dispatch_saved_free(&s->saved);
    s->placed_dst = true;
    sim_time_t cost = s->p.resume, c = 0;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        int rc = 0;
        if (s->p.quiesce == LPM_UNPLUG)
            continue; /* a VF is plugged after the resume */
        if (s->p.quiesce == LPM_DRAIN && !lpm_skip(s, "restore_queues"))
            rc = vf_binding_connect_at(ld->dst, ld->heads, &c); /* through the PF */
        else
            rc = vf_binding_connect_irqs(ld->dst, &c);
        if (rc != 0) {
            snprintf(s->why, sizeof s->why, "the target's interrupt sources ran out");
            return SIM_TIME_MAX;
        }
        cost += c;
    }
    if (s->paused) {
        lpar_io_pause(s->l, false);
        s->paused = false;
    }
    if (s->p.fallback && s->p.quiesce == LPM_EEH)
        for (size_t i = 0; i < s->ndev; i++) {
            struct lpm_dev *ld = &s->dev[i];
            if (!ld->vdev && !(ld->vdev = lpm_service_vdev(s->svc, ld->d, s->p.virtual_io)))
                return snprintf(s->why, sizeof s->why, "out of memory"), SIM_TIME_MAX;
            virtual_device_attach(ld->vdev);
        }
    schedule(s, cost, on_resumed);
    return LPM_ASYNC;
}

/* ---- unplug: a VF added on the target ------------------------------------------------- */

static sim_time_t plug(struct lpm_session *s, struct lpm_dev *ld, struct hypervisor *h,
                       struct adapter *ad, unsigned vf, struct phb *phb, uint64_t base)
{
    sim_time_t c1 = 0, c2 = 0, c3 = 0;
    struct diag err;
    struct vf_binding *b = vf_binding_create(h, ld->d, ad, vf, phb, &c1, &err);
    if (!b) {
        snprintf(s->why, sizeof s->why, "%.180s", err.msg);
        return SIM_TIME_MAX;
    }
    b->dma.real_base = base;
    if (vf_binding_map_dma(b, &c2) != 0 || vf_binding_connect_at(b, ld->heads, &c3) != 0) {
        snprintf(s->why, sizeof s->why, "cannot set up the VF added (window or sources)");
        sim_time_t x;
        vf_binding_disconnect(b, &x);
        vf_binding_unmap_dma(b, &x);
        vf_binding_destroy(b, &x);
        return SIM_TIME_MAX;
    }
    ld->d->vf = b;
    return c1 + c2 + c3 + s->p.probe;
}

static void on_plugged(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpm_session *s = ctx;
    s->ev_armed = false;
    for (size_t i = 0; i < s->ndev; i++)
        virtual_device_detach(s->dev[i].vdev); /* the bond fails back to the VF */
    lpm_phase_end(s);
}

sim_time_t lpm_plug(struct lpm_session *s)
{
    sim_time_t cost = 0;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        sim_time_t c = plug(s, ld, s->dst, ld->to, ld->vf, ld->phb, s->dst_base);
        if (c == SIM_TIME_MAX) {
            /* resumed already: the LPAR stays on the virtual device */
            adapter_vf_set_assigned(ld->to, ld->vf, false);
            ld->reserved = false;
            recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_plug_failed", "%s",
                           s->why);
            return 0;
        }
        ld->dst = ld->d->vf;
        if (c > cost)
            cost = c; /* the devices probe in parallel */
    }
    schedule(s, cost, on_plugged);
    return LPM_ASYNC;
}

/* ---- cleanup ----------------------------------------------------------------------- */

sim_time_t lpm_cleanup(struct lpm_session *s)
{
    sim_time_t cost = s->p.cleanup, c;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        if (!ld->src)
            continue;
        vf_binding_disconnect(ld->src, &c);
        cost += c;
        vf_binding_unmap_dma(ld->src, &c);
        cost += c;
        vf_binding_destroy(ld->src, &c);
        cost += c;
        ld->src = NULL;
    }
    return cost;
}

/* ---- rollback ------------------------------------------------------------------------- */

void lpm_rollback_done(struct lpm_session *s)
{
    bool frozen = false;
    if (s->paused)
        lpar_io_pause(s->l, false);
    s->paused = false;
    for (size_t i = 0; i < s->ndev; i++) {
        virtual_device_detach(s->dev[i].vdev);
        frozen = frozen || s->dev[i].frozen;
    }
    if (s->suspended) {
        lpar_memory_freeze(lpar_memory(s->l), false);
        run_meeting_errors(s, frozen); /* eeh: the source is in error state: recovered */
    }
}

sim_time_t lpm_rollback(struct lpm_session *s)
{
    sim_time_t cost = 0, c;
    bool keep = lpm_skip(s, "rollback") ? false : true;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        if (ld->reserved && !ld->dst) /* held since the validation, never bound */
            adapter_vf_set_assigned(ld->to, ld->vf, false);
        ld->reserved = false;
        if (ld->dst) {
            if (ld->d->vf == ld->dst)
                ld->d->vf = ld->src;
            vf_binding_disconnect(ld->dst, &c);
            cost += c;
            vf_binding_unmap_dma(ld->dst, &c);
            cost += c;
            vf_binding_destroy(ld->dst, &c);
            cost += c;
            ld->dst = NULL;
        }
    }
    lpar_memory_end_postcopy(lpar_memory(s->l));
    if (s->suspended) {
        struct diag err;
        if (hypervisor_place_reserved(s->src, s->l, &s->saved, s->src_base, &err) == 0)
            hypervisor_retake_memory(s->src, s->memory);
        else
            env_fail(s->env, "%s: the LPAR cannot go back to %s: %s", lpm_comp(s),
                     hypervisor_name(s->src), err.msg);
        dispatch_saved_free(&s->saved);
    }
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpm_dev *ld = &s->dev[i];
        if (ld->unplugged) {
            sim_time_t p = plug(s, ld, s->src, ld->src_ad, ld->src_vf, ld->src_phb, s->src_base);
            if (p != SIM_TIME_MAX) {
                ld->src = ld->d->vf;
                ld->unplugged = false;
                cost += p;
            }
        } else if (ld->stopped && keep) {
            /* drain: the queue state goes back; eeh: the interrupts only (the
             * guest's recovery of the source attaches the queues) */
            if (vf_binding_resume_at(ld->src, ld->heads, !ld->frozen, &c) == 0)
                cost += c;
            ld->stopped = false;
        }
    }
    if (s->reserved)
        hypervisor_release_memory(s->dst, s->memory);
    s->reserved = false;
    return cost;
}
