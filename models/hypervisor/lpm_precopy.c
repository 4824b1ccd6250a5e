/* models/hypervisor/lpm_precopy.c — the memory side of a migration:
 * pre-copy rounds over the mover link and their stop rule, the
 * stop-and-copy, post-copy's fetch after resume, and what dirties pages
 * besides the workloads (devices' DMA writes).
 *
 * Round 0 sends all memory; round i sends the pages dirtied during round
 * i-1 (the dirty bitmap of lpar_memory.c is taken and cleared when a
 * round starts, so what it holds when the round ends is exactly what the
 * round's duration dirtied). A round of N pages takes N x page / rate +
 * latency on the link alone (models/hypervisor/mover_link.h). After each
 * round the dirty set D decides (Xen's and QEMU's rules, Akoush et al.):
 * stop when D x page / rate <= downtime_limit, or max_rounds rounds
 * (round 0 included) are done, or the bytes sent exceed max_factor x
 * memory. Once stopped, the bitmap is no longer taken: the stop-and-copy
 * sends D together with whatever the guest dirtied until it suspended.
 *
 * Device DMA writes into the LPAR (reads from storage, received frames)
 * dirty pages too. dma_dirty exact: the pages of each such I/O's buffer
 * (its I/O address is the guest address: the DMA window maps the LPAR's
 * memory 1:1 from its base) are marked when it completes. tce_writable:
 * the hypervisor cannot see DMA, so every page its writable TCEs reach
 * (the driver's mapped window) counts as dirty in every round: one range
 * marked per round, never a scan per I/O.
 *
 * Costs per event: the bitmap marks a page in O(1) and keeps the count of
 * distinct dirty pages, so a round boundary reads the count; taking the
 * bitmap clears it (O(memory / 64 words)) once per round. */
#include "models/hypervisor/lpm_internal.h"

#include <stdio.h>

#include "models/guest/vf_driver.h"

static sim_time_t now_of(const struct lpm_session *s)
{
    return kernel_now(s->env->k);
}

/* ---- rounds --------------------------------------------------------------------- */

static void on_round_sent(void *ctx, int status);

static void start_round(struct lpm_session *s, uint64_t pages)
{
    s->round_pages = pages;
    s->t_round = now_of(s);
    mech_mark(s->env, lpm_comp(s), "lpm", "round", MECH_START, "round %llu: %llu page(s)",
              (unsigned long long)s->round, (unsigned long long)pages);
    s->xfer = mover_link_send(s->link, pages * s->page, on_round_sent, s);
    if (!s->xfer)
        lpm_abort(s, "the mover link failed at pre-copy round %llu",
                  (unsigned long long)s->round);
}

/* tce_writable: every page a writable TCE of the LPAR's devices reaches. */
static void mark_writable(struct lpm_session *s)
{
    struct lpar_memory *m = lpar_memory(s->l);
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpar_device *d = s->dev[i].d;
        if (!d->vf || !d->driver)
            continue;
        struct vf_driver_layout lay = vf_driver_layout(d->driver);
        uint64_t lo = lay.rings_ioba / s->page, hi = (lay.end_ioba + s->page - 1) / s->page;
        if (hi > lo)
            lpar_memory_mark(m, lo, hi - lo);
    }
}

static const char *stop_reason(struct lpm_session *s, uint64_t dirty)
{
    if (mover_link_send_time(s->link, dirty * s->page) <= s->p.downtime_limit)
        return "the dirty set fits downtime_limit";
    if (s->round >= s->p.max_rounds)
        return "max_rounds";
    if ((double)s->bytes_sent > s->p.max_factor * (double)s->memory)
        return "max_factor x memory sent";
    return NULL;
}

static void on_round_sent(void *ctx, int status)
{
    struct lpm_session *s = ctx;
    s->xfer = NULL;
    if (status != 0) {
        lpm_abort(s, "the mover link failed during pre-copy round %llu",
                  (unsigned long long)s->round);
        return;
    }
    uint64_t bytes = s->round_pages * s->page;
    s->bytes_sent += bytes;
    s->round++;
    series_append(s->tally->se_round_bytes, now_of(s), (double)bytes);
    mech_mark(s->env, lpm_comp(s), "lpm", "round", MECH_END, "round %llu sent %.6g MiB in "
              "%.6g ms", (unsigned long long)(s->round - 1), (double)bytes / 1048576.0,
              sim_time_to_ns(now_of(s) - s->t_round) / 1e6);
    for (size_t i = 0; i < s->ndev; i++)
        if (s->dev[i].to && adapter_failed(s->dev[i].to)) {
            lpm_abort(s, "a target adapter failed during pre-copy");
            return;
        }
    if (s->p.dma_dirty == LPM_DMA_TCE_WRITABLE)
        mark_writable(s);
    struct lpar_memory *m = lpar_memory(s->l);
    uint64_t dirty = lpar_memory_dirty_count(m);
    const char *why = stop_reason(s, dirty);
    if (why) {
        recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_precopy_stop",
                       "after %llu round(s): %s (%llu page(s) dirty)",
                       (unsigned long long)s->round, why, (unsigned long long)dirty);
        lpm_phase_end(s);
        return;
    }
    start_round(s, lpar_memory_collect_dirty(m));
}

sim_time_t lpm_precopy_begin(struct lpm_session *s)
{
    struct lpar_memory *m = lpar_memory(s->l);
    lpar_memory_collect_dirty(m); /* round 0 sends everything */
    s->round = 0;
    start_round(s, lpar_memory_pages(m));
    return LPM_ASYNC;
}

void lpm_precopy_cancel(struct lpm_session *s)
{
    if (s->xfer)
        mover_link_cancel(s->link, s->xfer);
    s->xfer = NULL;
}

sim_time_t lpm_vasi_wait(const struct lpm_session *s)
{
    sim_time_t now = now_of(s), poll = s->p.vasi_poll;
    if (!poll || now <= s->t_vasi_from)
        return 0;
    sim_time_t k = (now - s->t_vasi_from + poll - 1) / poll;
    return s->t_vasi_from + k * poll - now;
}

/* ---- stop-and-copy and post-copy --------------------------------------------------- */

static void on_stop_copy_sent(void *ctx, int status)
{
    struct lpm_session *s = ctx;
    s->xfer = NULL;
    if (status != 0) {
        lpm_abort(s, "the mover link failed during the stop-and-copy");
        return;
    }
    s->bytes_sent += s->round_pages * s->page;
    lpm_phase_end(s);
}

sim_time_t lpm_stop_copy_begin(struct lpm_session *s)
{
    /* the guest is suspended: nothing dirties the bitmap any more */
    s->round_pages = lpar_memory_collect_dirty(lpar_memory(s->l));
    recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_stop_copy",
                   "%llu page(s) left to send", (unsigned long long)s->round_pages);
    if (!s->round_pages)
        return 0;
    s->xfer = mover_link_send(s->link, s->round_pages * s->page, on_stop_copy_sent, s);
    if (!s->xfer) {
        snprintf(s->why, sizeof s->why, "the mover link failed at the stop-and-copy");
        return SIM_TIME_MAX;
    }
    return LPM_ASYNC;
}

static void on_fetched(void *ctx, int status)
{
    struct lpm_session *s = ctx;
    s->xfer = NULL;
    if (status != 0)
        recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_postcopy_failed",
                       "the mover link failed with %llu page(s) still at the source "
                       "(a real partition would crash; the model lets it run)",
                       (unsigned long long)lpar_memory_missing(lpar_memory(s->l)));
    else
        s->bytes_sent += s->missing * s->page;
    lpm_phase_end(s);
}

sim_time_t lpm_post_copy_begin(struct lpm_session *s)
{
    recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_post_copy",
                   "%llu page(s) fetched after resume", (unsigned long long)s->missing);
    if (!s->missing)
        return 0;
    s->xfer = mover_link_send(s->link, s->missing * s->page, on_fetched, s);
    if (!s->xfer) {
        on_fetched(s, -1);
        return LPM_ASYNC;
    }
    return LPM_ASYNC;
}

/* ---- what every completion of a migrated LPAR tells --------------------------------- */

void lpm_io_done(void *ctx, const struct io_req *r, sim_time_t now)
{
    struct lpm_tally *t = ctx;
    struct lpm_session *s = t->running;
    if (r->status == IO_OK && r->t_submit >= t->win_start && r->t_submit <= t->win_end)
        statistic_add(t->st_latency, sim_time_to_ns(now - r->t_submit));
    if (s && !s->queued) {
        if (s->p.dma_dirty == LPM_DMA_EXACT && (r->op == IO_READ || r->op == IO_RX) &&
            r->bytes && s->phase >= PH_PRECOPY) {
            uint64_t first = r->ioba / s->page, last = (r->ioba + r->bytes - 1) / s->page;
            lpar_memory_mark(lpar_memory(s->l), first, last - first + 1);
        }
        if (!s->t_suspend && r->status == IO_OK)
            t->t_last_done = now;
        if (s->phase == PH_DRAIN || s->phase == PH_UNPLUG)
            lpm_drain_check(s);
    }
    if (t->blackout_armed && r->status == IO_OK) {
        struct lpar_device *d = lpar_device(t->l, r->device);
        if ((d->alt_holder && r->holder == d->alt_holder) ||
            (d->driver && vf_driver_running(d->driver))) {
            t->blackout_armed = false;
            t->blackout_ns = sim_time_to_ns(now - t->t_last_done);
            recorder_event(lpar_env(t->l)->rec, now, t->path,
                           "lpm_io_resumed", "first completion after the resume: blackout "
                           "%.6g ms", t->blackout_ns / 1e6);
        }
    }
}
