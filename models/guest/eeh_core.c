/* models/guest/eeh_core.c — the guest's EEH core (see eeh_core.h). */
#include "models/guest/eeh_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum step {
    ST_ERROR_DETECTED, ST_THAW_MMIO, ST_MMIO_ENABLED, ST_THAW_DMA, ST_RESET, ST_CONFIGURE,
    ST_RESTORE, ST_SLOT_RESET, ST_HOTPLUG_SLEEP, ST_REINIT, ST_RESUME, ST_DONE,
};

static const char *const step_names[] = {
    "error_detected", "thaw_mmio", "mmio_enabled", "thaw_dma", "reset", "configure",
    "restore", "slot_reset", "hotplug_sleep", "reinit", "resume", "done",
};

/* Linux eeh_handle_normal_event, by the driver's answer. */
static const enum step seq_reset[] = {
    ST_ERROR_DETECTED, ST_RESET, ST_CONFIGURE, ST_RESTORE, ST_SLOT_RESET, ST_REINIT,
    ST_RESUME, ST_DONE,
};
static const enum step seq_recover[] = {
    ST_ERROR_DETECTED, ST_THAW_MMIO, ST_MMIO_ENABLED, ST_THAW_DMA, ST_REINIT, ST_RESUME,
    ST_DONE,
};
static const enum step seq_none[] = {
    ST_ERROR_DETECTED, ST_RESET, ST_CONFIGURE, ST_RESTORE, ST_HOTPLUG_SLEEP, ST_REINIT, ST_DONE,
};

static const struct mech_step step_error_detected = {
    "eeh.error_detected", "the driver neither stops its queues nor takes its commands back, "
    "and the VF is not reset: what the device held is stranded" };
static const struct mech_step step_thaw_mmio = {
    "eeh.thaw_mmio", "MMIO stays frozen: doorbells are dropped, I/O sticks in the rings" };
static const struct mech_step step_thaw_dma = {
    "eeh.thaw_dma", "DMA stays stopped: commands are never fetched" };
static const struct mech_step step_reset = {
    "eeh.reset", "the slot is not reset: the PE stays frozen" };
static const struct mech_step step_configure = {
    "eeh.configure", "the PE is not configured after the reset: it stays frozen" };
static const struct mech_step step_reinit = {
    "eeh.reinit", "the VF's queues and MSI-X are not set up again: the rings are not read" };
static const struct mech_step step_retry = {
    "eeh.retry", "the commands taken back at error_detected are dropped, not issued again" };

const struct mech_step *const eeh_steps[] = {
    &step_error_detected, &step_thaw_mmio, &step_thaw_dma, &step_reset, &step_configure,
    &step_reinit, &step_retry,
};
const size_t eeh_nsteps = sizeof eeh_steps / sizeof eeh_steps[0];

#define MAX_VFS 8 /* distinct VFs one device recovers over a run (switches) */

struct vf_stats {
    char path[112];        /* "eeh.s0.nvme0.vf3" */
    uint64_t freezes, recoveries, permanent;
    double detect_ns, recovery_ns;
};

struct eeh_core {
    struct env *env;
    struct lpar *lpar;
    struct vf_driver *drv;
    struct vf_driver_config cfg;
    struct mmio_port mmio;
    uint64_t bar;
    struct eeh_rtas_port rtas;
    bool recovering;
    const enum step *seq;
    size_t at;               /* the step running now */
    uint32_t attempt;        /* reset attempts of this recovery */
    sim_time_t t_start;      /* error_detected began */
    struct vf_stats *cur;
    struct vf_stats vfs[MAX_VFS];
    size_t nvfs;
    struct event_id poll_ev;
    uint64_t taken_back;     /* at this recovery's error_detected */
    bool left_out;           /* the step running now was skipped (debug.skip_step) */
    bool noticed_any;        /* a freeze was noticed, the last one at noticed_at */
    sim_time_t noticed_at;
    struct eeh_core_listener listener;
};

static const char *comp(const struct eeh_core *c)
{
    return c->cur->path;
}

static struct vf_stats *stats_of(struct eeh_core *c)
{
    char path[112];
    snprintf(path, sizeof path, "eeh.%s", c->rtas.vf_path(c->rtas.ctx));
    for (size_t i = 0; i < c->nvfs; i++)
        if (strcmp(c->vfs[i].path, path) == 0)
            return &c->vfs[i];
    struct vf_stats *s = &c->vfs[c->nvfs < MAX_VFS ? c->nvfs++ : MAX_VFS - 1];
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    return s;
}

static sim_time_t now_of(const struct eeh_core *c)
{
    return kernel_now(c->env->k);
}

/* ---- the end of a recovery -------------------------------------------------- */

static void give_up(struct eeh_core *c, const char *why)
{
    c->rtas.give_up(c->rtas.ctx);
    vf_driver_fail_all(c->drv, true);
    c->cur->permanent++;
    c->recovering = false;
    mech_mark(c->env, comp(c), "eeh", NULL, MECH_END, "permanent failure: %s; the device's "
              "I/O fails", why);
    if (c->listener.ended)
        c->listener.ended(c->listener.ctx, false);
}

static void recovered(struct eeh_core *c)
{
    sim_time_t took = now_of(c) - c->t_start;
    c->cur->recoveries++;
    c->cur->recovery_ns += sim_time_to_ns(took);
    c->recovering = false;
    mech_mark(c->env, comp(c), "eeh", NULL, MECH_END, "recovered (%s) in %.6g ms",
              c->cfg.eeh == EEH_ANSWER_RESET ? "reset" : c->cfg.eeh == EEH_ANSWER_RECOVER
              ? "recover" : "remove and add back", sim_time_to_ns(took) / 1e6);
    if (c->listener.ended)
        c->listener.ended(c->listener.ctx, true);
}

/* ---- steps ------------------------------------------------------------------ */

static void begin_step(struct eeh_core *c);
static void on_step_end(void *ctx, uint64_t arg);
static void on_reset_deassert(void *ctx, uint64_t arg);

static bool skipped(struct eeh_core *c, enum step s)
{
    c->left_out = mech_skip(c->env, comp(c), "eeh", step_names[s]);
    return c->left_out;
}

static bool reads_all_ones(const struct eeh_core *c);

/* Linux eeh_pci_enable: after the MMIO thaw the slot must show MMIO
 * enabled, or the call fails (-EIO) and recovery gives up: a thaw cannot
 * bring back a device that does not answer (its register reads stay
 * all-ones). A device that answers MMIO takes its DMA thaw, which is not
 * checked again. A thaw left out (debug.skip_step) is not checked: the
 * core believes it done. */
static bool thaw_failed(struct eeh_core *c, enum step s)
{
    return !c->left_out && s == ST_THAW_MMIO && reads_all_ones(c);
}

/* What the step does now, and how long before the next may start. */
static sim_time_t perform(struct eeh_core *c, enum step s)
{
    struct eeh_rtas_port *r = &c->rtas;
    switch (s) {
    case ST_ERROR_DETECTED:
        if (skipped(c, s))
            return 0;
        c->taken_back = 0;
        if (c->cfg.eeh == EEH_ANSWER_NONE)
            vf_driver_fail_all(c->drv, false); /* no handler: removed, its I/O fails */
        else
            c->taken_back = vf_driver_freeze(c->drv);
        r->quiesce(r->ctx);
        return c->cfg.eeh_callback;
    case ST_THAW_MMIO: return skipped(c, s) ? 0 : r->thaw_mmio(r->ctx);
    case ST_THAW_DMA: return skipped(c, s) ? 0 : r->thaw_dma(r->ctx);
    case ST_CONFIGURE: return skipped(c, s) ? 0 : r->configure(r->ctx);
    case ST_RESTORE: return r->restore(r->ctx);
    case ST_MMIO_ENABLED:
    case ST_SLOT_RESET:
    case ST_RESUME: return c->cfg.eeh_callback;
    case ST_HOTPLUG_SLEEP: return c->cfg.hotplug_sleep;
    case ST_REINIT: return c->cfg.reinit + (skipped(c, s) ? 0 : r->reinit_vf(r->ctx));
    default: return 0;
    }
}

/* A reset attempt: assert now, deassert after the hold, look at the slot
 * after the settle. */
static void begin_reset(struct eeh_core *c)
{
    c->attempt++;
    mech_mark(c->env, comp(c), "eeh", "reset", MECH_START, "attempt %u of %u", c->attempt,
              c->cfg.reset_attempts);
    if (skipped(c, ST_RESET)) {
        mech_mark(c->env, comp(c), "eeh", "reset", MECH_END, "left out");
        c->at++;
        begin_step(c);
        return;
    }
    sim_time_t hold = c->rtas.reset_assert(c->rtas.ctx);
    kernel_schedule_in(c->env->k, hold, on_reset_deassert, c, 0);
}

static void on_reset_checked(void *ctx, uint64_t arg);

static void on_reset_deassert(void *ctx, uint64_t arg)
{
    (void)arg;
    struct eeh_core *c = ctx;
    sim_time_t settle = c->rtas.reset_deassert(c->rtas.ctx);
    kernel_schedule_in(c->env->k, settle, on_reset_checked, c, 0);
}

static void on_reset_checked(void *ctx, uint64_t arg)
{
    (void)arg;
    struct eeh_core *c = ctx;
    enum rtas_slot st = c->rtas.state(c->rtas.ctx);
    if (st == RTAS_SLOT_FROZEN || st == RTAS_SLOT_ACTIVE) {
        mech_mark(c->env, comp(c), "eeh", "reset", MECH_END, "the device answers");
        c->at++;
        begin_step(c);
        return;
    }
    mech_mark(c->env, comp(c), "eeh", "reset", MECH_END, "slot inactive after reset");
    if (c->attempt < c->cfg.reset_attempts)
        begin_reset(c);
    else
        give_up(c, "every reset attempt failed");
}

static void begin_step(struct eeh_core *c)
{
    enum step s = c->seq[c->at];
    if (s == ST_DONE) {
        recovered(c);
        return;
    }
    if (s == ST_RESET) {
        begin_reset(c);
        return;
    }
    mech_mark(c->env, comp(c), "eeh", step_names[s], MECH_START, "%s", step_names[s]);
    c->left_out = false;
    kernel_schedule_in(c->env->k, perform(c, s), on_step_end, c, 0);
}

static void on_step_end(void *ctx, uint64_t arg)
{
    (void)arg;
    struct eeh_core *c = ctx;
    enum step s = c->seq[c->at];
    if (s == ST_RESUME || (s == ST_REINIT && c->cfg.eeh == EEH_ANSWER_NONE)) {
        uint64_t n = vf_driver_thaw(c->drv, !mech_skip(c->env, comp(c), "eeh", "retry"));
        mech_mark(c->env, comp(c), "eeh", step_names[s], MECH_END, "%llu I/O(s) issued again",
                  (unsigned long long)n);
    } else if (thaw_failed(c, s)) {
        mech_mark(c->env, comp(c), "eeh", step_names[s], MECH_END, "%s failed: the slot is "
                  "still frozen", step_names[s]);
        give_up(c, "a thaw failed: the device does not answer");
        return;
    } else if (s == ST_ERROR_DETECTED) {
        mech_mark(c->env, comp(c), "eeh", step_names[s], MECH_END, "%s: %llu I/O(s) the device "
                  "held taken back", c->cfg.eeh == EEH_ANSWER_NONE ? "no handler, device "
                  "removed" : "queues stopped", (unsigned long long)c->taken_back);
        if (c->listener.stopped)
            c->listener.stopped(c->listener.ctx, c->taken_back);
    } else {
        mech_mark(c->env, comp(c), "eeh", step_names[s], MECH_END, "%s done", step_names[s]);
    }
    c->at++;
    begin_step(c);
}

/* ---- detection ---------------------------------------------------------------- */

static void detected(struct eeh_core *c, const char *how)
{
    enum rtas_slot st = c->rtas.state(c->rtas.ctx);
    if (c->recovering || st == RTAS_SLOT_NONE || st == RTAS_SLOT_ACTIVE)
        return;
    struct vf_stats *s = stats_of(c);
    if (s->permanent)
        return; /* given up already: its reads stay all-ones for ever */
    c->cur = s;
    sim_time_t now = now_of(c), frozen = c->rtas.frozen_at(c->rtas.ctx);
    c->noticed_any = true;
    c->noticed_at = frozen;
    c->cur->freezes++;
    c->cur->detect_ns += sim_time_to_ns(now - frozen);
    c->recovering = true;
    recorder_event(c->env->rec, frozen, comp(c), "eeh_detect_start", "PE frozen");
    mech_mark(c->env, comp(c), "eeh", "detect", MECH_END, "noticed by %s after %.6g ms", how,
              sim_time_to_ns(now - frozen) / 1e6);
    mech_mark(c->env, comp(c), "eeh", NULL, MECH_START, "driver answer: %s",
              c->cfg.eeh == EEH_ANSWER_RESET ? "reset" : c->cfg.eeh == EEH_ANSWER_RECOVER
              ? "recover" : "none (remove and add back)");
    if (st == RTAS_SLOT_OFFLINE) {
        give_up(c, "the PE froze more than max_freezes times in freeze_window");
        return;
    }
    c->seq = c->cfg.eeh == EEH_ANSWER_RESET ? seq_reset
             : c->cfg.eeh == EEH_ANSWER_RECOVER ? seq_recover : seq_none;
    c->at = 0;
    c->attempt = 0;
    c->t_start = now;
    begin_step(c);
}

/* A register read answers all-ones: the PE is frozen (or the device gone). */
static bool reads_all_ones(const struct eeh_core *c)
{
    return c->mmio.read(c->mmio.ctx, c->bar, 4) == UINT32_MAX;
}

/* The driver's I/O timed out: it reads a register (Linux nvme_timeout
 * reads CSTS; an all-ones value goes to eeh_check_failure). */
static void on_suspect(void *ctx)
{
    struct eeh_core *c = ctx;
    if (!c->recovering && lpar_current_state(c->lpar) == LPAR_RUNNING && reads_all_ones(c))
        detected(c, "an I/O timeout and an all-ones register read");
}

bool eeh_core_check(struct eeh_core *c)
{
    if (!c->recovering && lpar_current_state(c->lpar) == LPAR_RUNNING && reads_all_ones(c))
        detected(c, "an all-ones register read after the partition resumed");
    return c->recovering;
}

void eeh_core_set_listener(struct eeh_core *c, const struct eeh_core_listener *l)
{
    c->listener = l ? *l : (struct eeh_core_listener){ 0 };
}

static void on_poll(void *ctx, uint64_t arg)
{
    (void)arg;
    struct eeh_core *c = ctx;
    if (!c->recovering && lpar_current_state(c->lpar) == LPAR_RUNNING && reads_all_ones(c))
        detected(c, "an all-ones register read (polled)");
    c->poll_ev = kernel_schedule_in(c->env->k, c->cfg.poll_interval, on_poll, c, 0);
}

/* ---- run phases --------------------------------------------------------------- */

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct eeh_core *c = ctx;
    struct recorder *rec = c->env->rec;
    for (size_t i = 0; i < c->nvfs; i++) {
        const struct vf_stats *s = &c->vfs[i];
        recorder_scalar(rec, s->path, "freezes", "", (double)s->freezes);
        recorder_scalar(rec, s->path, "recoveries", "", (double)s->recoveries);
        recorder_scalar(rec, s->path, "permanent_failures", "", (double)s->permanent);
        recorder_scalar(rec, s->path, "detect_time", "ns",
                        s->freezes ? s->detect_ns / (double)s->freezes : 0);
        recorder_scalar(rec, s->path, "recovery_time", "ns",
                        s->recoveries ? s->recovery_ns / (double)s->recoveries : 0);
    }
}

struct eeh_core *eeh_core_create(struct env *e, struct lpar *l, struct vf_driver *drv,
                                 const struct vf_driver_config *cfg, struct mmio_port mmio,
                                 uint64_t bar, struct eeh_rtas_port rtas)
{
    struct eeh_core *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    *c = (struct eeh_core){ .env = e, .lpar = l, .drv = drv, .cfg = *cfg, .mmio = mmio,
                            .bar = bar, .rtas = rtas };
    struct vf_driver_eeh hook = { on_suspect, c };
    vf_driver_set_eeh(drv, &hook);
    env_on_finish(e, on_finish, c);
    return c;
}

void eeh_core_declare(struct eeh_core *c)
{
    if (c->rtas.vf_path(c->rtas.ctx)[0])
        stats_of(c);
}

void eeh_core_start(struct eeh_core *c)
{
    if (c->cfg.detect_poll)
        c->poll_ev = kernel_schedule_in(c->env->k, c->cfg.poll_interval, on_poll, c, 0);
}

bool eeh_core_waiting(const struct eeh_core *c)
{
    if (!c)
        return false;
    if (c->recovering)
        return true;
    enum rtas_slot st = c->rtas.state(c->rtas.ctx);
    if (st == RTAS_SLOT_NONE || st == RTAS_SLOT_ACTIVE)
        return false;
    return !c->noticed_any || c->rtas.frozen_at(c->rtas.ctx) != c->noticed_at;
}

void eeh_core_destroy(struct eeh_core *c)
{
    free(c);
}
