/* models/hypervisor/lpm_internal.h — what the files of live partition
 * mobility share: lpm_session.c (the action, validation, the sequence of
 * phases, abort, results), lpm_precopy.c (rounds, stop rule, dirty pages,
 * post-copy) and lpm_switchover.c (the re-wiring of each phase and its
 * rollback). Nothing outside models/hypervisor/ includes it. */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPM_INTERNAL_H
#define LPARSIM_MODELS_HYPERVISOR_LPM_INTERNAL_H

#include "models/hypervisor/dispatch.h"
#include "models/hypervisor/hypervisor_internal.h"
#include "models/hypervisor/lpar.h"
#include "models/hypervisor/lpm_session.h"
#include "models/hypervisor/mover_link.h"
#include "models/hypervisor/vf_assign.h"
#include "models/hypervisor/virtual_device.h"

#define LPM_MAX_DEVICES 8
#define LPM_ASYNC (SIM_TIME_MAX - 1)   /* a phase that ends when something happens */
#define LPM_REFUSED (SIM_TIME_MAX - 2) /* validation refused it (s->why) */

enum lpm_quiesce { LPM_EEH, LPM_DRAIN, LPM_UNPLUG };
enum lpm_switchover { LPM_STOP_COPY, LPM_POST_COPY };
enum lpm_dma_dirty { LPM_DMA_EXACT, LPM_DMA_TCE_WRITABLE };

enum lpm_phase {
    PH_VALIDATE, PH_PREPARE, PH_UNPLUG, PH_PRECOPY, PH_VASI_WAIT, PH_DRAIN, PH_JOIN,
    PH_SUSPEND, PH_STOP_COPY, PH_MAPPINGS, PH_REBUILD_DMA, PH_MAP_TARGET, PH_RESUME,
    PH_PLUG, PH_DT_UPDATE, PH_POST_COPY, PH_CLEANUP, PH_DONE,
};

extern const char *const lpm_phase_names[];

/* The costs and choices of one migration (the migrate item). */
struct lpm_params {
    enum lpm_quiesce quiesce;
    enum lpm_switchover switchover;
    enum lpm_dma_dirty dma_dirty;
    bool fallback;                     /* a virtual device while the VF is absent */
    sim_time_t downtime_limit;
    uint64_t max_rounds;
    double max_factor;
    sim_time_t validate, prepare, vasi_poll, join, suspend, mappings, resume, dt_update,
        cleanup, miimon, unplug, probe, virtual_io, fault;
};

/* One device of the migrating LPAR: where it goes. */
struct lpm_dev {
    struct lpar_device *d;
    struct adapter *to;                /* the target's adapter, VF and PHB */
    unsigned vf;
    bool reserved;                     /* that VF is held for it since the validation */
    struct phb *phb;
    struct vf_binding *src, *dst;      /* dst: built on the target (NULL: not yet) */
    uint32_t *heads;                   /* drain / unplug: the queue state moved */
    struct adapter *src_ad;            /* where the source VF was (unplug removes it) */
    unsigned src_vf;
    struct phb *src_phb;
    bool stopped;                      /* its source queues and interrupts are off */
    bool frozen;                       /* eeh: the source put in error state */
    bool unplugged;                    /* unplug: the source VF removed */
    struct virtual_device *vdev;       /* unplug / fallback (the service owns it) */
};

/* A device's EEH recovery after a resume, as the migration follows it. */
struct lpm_recovery {
    struct lpm_tally *t;
    struct virtual_device *vdev;       /* fallback: detached when it recovers */
};

/* What the results say of one LPAR's migrations (component lpm.<L>). */
struct lpm_tally {
    struct lpm_service *svc;
    struct lpar *l;
    char path[112];
    struct statistic *st_latency;      /* I/O issued while a migration runs */
    struct series *se_round_bytes;
    uint64_t migrations, aborts, refusals, rounds, faults, at_error;
    double total_ns, downtime_ns, blackout_ns, bytes, stall_ns;
    struct lpm_session *running;
    bool watching;                     /* its LPAR's completions come to lpm_io_done */
    sim_time_t win_start, win_end;     /* I/O issued in [win_start, win_end] is in io_latency */
    sim_time_t t_last_done;            /* the last completion before the suspend */
    bool blackout_armed;               /* resumed: the next completion ends the blackout */
    struct lpm_recovery rec[LPM_MAX_DEVICES];
    unsigned await_stop;               /* eeh: devices whose queues are not stopped yet */
};

struct lpm_session {
    struct lpm_service *svc;
    struct env *env;
    struct lpm_tally *tally;
    struct lpar *l;
    struct hypervisor *src, *dst;
    struct mover_link *link;
    struct lpm_params p;
    struct lpm_dev dev[LPM_MAX_DEVICES];
    size_t ndev;
    enum lpm_phase phase;
    bool phase_open;                   /* its _start is written, its _end not yet */
    struct event_id ev;                /* the current phase's end */
    bool ev_armed;
    bool queued;
    struct lpm_session *next_queued;
    /* memory and pre-copy */
    uint64_t memory, page, dst_base, src_base;
    bool reserved;
    uint64_t round, round_pages, dirty_pages, bytes_sent;
    struct mover_xfer *xfer;
    sim_time_t t_round, t_vasi_from;
    /* quiesce: drain / unplug wait for the VF to hold nothing */
    enum { Q_NONE, Q_MIIMON, Q_DRAINING, Q_MOVING } sub;
    /* switchover */
    bool suspended, paused, placed_dst;
    struct dispatch_saved saved;
    uint64_t at_error;                 /* eeh: I/O outstanding at the error state */
    uint64_t missing;                  /* post-copy: pages fetched after resume */
    /* times */
    sim_time_t t_start, t_suspend, t_resume;
    bool aborting;
    char why[200];
};

/* lpm_session.c */
void lpm_phase_end(struct lpm_session *s);            /* an ASYNC phase ended */
void lpm_abort(struct lpm_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *lpm_comp(const struct lpm_session *s);
bool lpm_skip(struct lpm_session *s, const char *step);
struct virtual_device *lpm_service_vdev(struct lpm_service *svc, struct lpar_device *d,
                                        sim_time_t per_io);

/* lpm_precopy.c: the PRECOPY, STOP_COPY and POST_COPY phases. */
sim_time_t lpm_precopy_begin(struct lpm_session *s);
sim_time_t lpm_stop_copy_begin(struct lpm_session *s);
sim_time_t lpm_post_copy_begin(struct lpm_session *s);
void lpm_precopy_cancel(struct lpm_session *s);
/* The vasi poll the guest notices `suspending` at: the first poll at or
 * after now (polls every vasi_poll from t_vasi_from). */
sim_time_t lpm_vasi_wait(const struct lpm_session *s);
/* An I/O of a migrated LPAR completed (its watch, ctx the tally):
 * latency, DMA dirtying, the blackout, the drain. */
void lpm_io_done(void *ctx, const struct io_req *r, sim_time_t now);

/* lpm_switchover.c: each phase's re-wiring; its cost, LPM_ASYNC, or
 * SIM_TIME_MAX with s->why. */
sim_time_t lpm_unplug_begin(struct lpm_session *s);
sim_time_t lpm_drain_begin(struct lpm_session *s);
void lpm_drain_check(struct lpm_session *s);          /* a completion during drain/unplug */
sim_time_t lpm_suspend(struct lpm_session *s);
sim_time_t lpm_mappings(struct lpm_session *s);
sim_time_t lpm_rebuild_dma(struct lpm_session *s);
sim_time_t lpm_map_target(struct lpm_session *s);
sim_time_t lpm_resume(struct lpm_session *s);
sim_time_t lpm_plug(struct lpm_session *s);
sim_time_t lpm_cleanup(struct lpm_session *s);
/* Undoes what the target got and puts the LPAR back on the source;
 * returns the cost. */
sim_time_t lpm_rollback(struct lpm_session *s);
/* When the rollback's cost has elapsed: the LPAR runs again on the source
 * (its I/O goes out; an errored source is recovered by the guest). */
void lpm_rollback_done(struct lpm_session *s);

#endif
