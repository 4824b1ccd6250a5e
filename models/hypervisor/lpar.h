/* models/hypervisor/lpar.h — a logical partition: one object that owns
 * everything the partition is, whichever system it runs on (live
 * partition mobility moves it):
 *  - identity and configuration (component "lpar.NAME");
 *  - its lifecycle state (lpar_state.h);
 *  - its I/O accounting: every request it issues comes from its pool and
 *    stays accounted for until it completes (lpar_io.c);
 *  - its memory as migration sees it (lpar_memory.h);
 *  - its VPs: a count, and a port to run work on them that goes to the
 *    dispatcher of the system the LPAR is placed on now;
 *  - its devices (lpar_device.h), each with its guest driver, and its
 *    logical interrupt table.
 * No system owns it: the hypervisor of the system it runs on places it
 * (lpar_place) and takes it off again, and binds VFs to its devices. */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPAR_H
#define LPARSIM_MODELS_HYPERVISOR_LPAR_H

#include "models/hypervisor/lpar_device.h"
#include "models/hypervisor/lpar_memory.h"
#include "models/hypervisor/lpar_state.h"
#include "models/io.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

extern const struct param_desc lpar_params[];
/* An item of an LPAR's `devices`: one more VF assigned to it. */
extern const struct param_desc lpar_device_params[];

struct lpar;
struct hypervisor;

/* What one device needs to exist before a VF is bound to it. */
struct lpar_device_spec {
    const struct cfg_node *cfg;  /* the node holding adapter, vf, driver */
    const char *name;            /* "" for the LPAR's own VF */
    uint32_t queue_pairs;        /* the adapter's (its logical interrupts) */
    bool abstract;               /* the adapter is on the abstract path: */
    struct io_sink sink;         /*   its VF's queue, reached */
    sim_time_t latency;          /*   after this latency */
};

/* Builds LPAR `name` (component "lpar.NAME") of `cfg` (lpar_params node;
 * NULL: the defaults) with its memory and `ndevs` devices. NULL with *err. */
struct lpar *lpar_create(struct env *e, const char *name, const struct cfg_node *cfg,
                         const struct lpar_device_spec *devs, size_t ndevs, struct diag *err);
void lpar_destroy(struct lpar *l);

const char *lpar_name(const struct lpar *l);
struct env *lpar_env(const struct lpar *l);
const char *lpar_path(const struct lpar *l);
const struct cfg_node *lpar_cfg(const struct lpar *l);
uint32_t lpar_vps(const struct lpar *l);
struct lpar_memory *lpar_memory(struct lpar *l);

/* ---- devices and logical interrupts ---- */
size_t lpar_device_count(const struct lpar *l);
struct lpar_device *lpar_device(struct lpar *l, size_t i);
/* The device named `name` ("" = the LPAR's own), or NULL. */
struct lpar_device *lpar_device_named(struct lpar *l, const char *name);
/* Gives a device its guest driver and the driver's EEH core (owned by
 * the LPAR from then on); its requests go to the driver, and its logical
 * interrupts take the driver's affinity (managed masks, hints) and their
 * first target VP, picked as the guest's XIVE code does
 * (models/guest/irq_affinity.h). */
void lpar_device_set_driver(struct lpar_device *d, struct vf_driver *drv, struct eeh_core *eeh);
/* The guest kernel's XIVE target-pick counter (xive_pick_irq_target's
 * fuzz), shared by every pick of the LPAR's interrupts. */
uint32_t *lpar_irq_fuzz(struct lpar *l);
uint32_t lpar_lirq_count(const struct lpar *l);
struct lirq *lpar_lirq(struct lpar *l, uint32_t lisn);

/* ---- placement on a system (the hypervisor's) ---- */
struct lpar_placement {
    struct hypervisor *hyp;  /* NULL: not placed (built, or between systems) */
    int dispatch_lpar;       /* its entry on that system's dispatcher */
    uint64_t mem_base;       /* its memory's real address there */
};
void lpar_place(struct lpar *l, const struct lpar_placement *p);
const struct lpar_placement *lpar_placement(const struct lpar *l);
/* Its VPs, for workloads and drivers: work goes to the dispatcher of the
 * system it is placed on now (-1 when it is not placed). */
struct cpu_work_port lpar_vp_port(struct lpar *l);

/* ---- I/O (lpar_io.c) ---- */
/* The port a workload issues to device `dev` through. */
struct io_issue_port lpar_issue_port(struct lpar *l, size_t dev);
/* Calls fn for every request of the LPAR that is outstanding now. */
void lpar_each_request(struct lpar *l, void (*fn)(void *ctx, struct io_req *r), void *ctx);
/* While paused (a migration's drain), I/O issued waits at the LPAR even
 * when it runs; it goes out, in order, when unpaused (and running). */
void lpar_io_pause(struct lpar *l, bool paused);
/* Requests outstanding beyond the LPAR: at its devices (or on the way). */
uint64_t lpar_io_at_devices(const struct lpar *l);
/* fn(ctx, r, now) at every completion (before the workload hears it),
 * for a mechanism in progress; fn NULL: none. Costs one branch per
 * completion when unset. */
void lpar_set_io_watch(struct lpar *l, void (*fn)(void *ctx, const struct io_req *r,
                                                  sim_time_t now), void *ctx);
/* Counts a request the OS takes back from a device to issue again
 * (ios_retried; its t_retry restarts the stuck clock). */
void lpar_count_retry(struct lpar *l, struct io_req *r);

/* Records each VP's interrupt load as series "lpar.<L>.vp<i>" irq_load
 * every sample interval (lpar_irq.c). 0, or -1 out of memory. */
int lpar_record_vp_load(struct lpar *l);
/* Records series "lpar.<L>" io_latency_p99: the p99 of the I/Os that
 * completed in each sample interval (stats.p99_series). */
void lpar_record_p99(struct lpar *l);
/* The guest kernel's interrupt interface for its irqbalance daemon
 * (models/guest/irqbalance.h). 0, or -1 out of memory. */
struct guest_irq_port;
int lpar_guest_irq_port(struct lpar *l, struct guest_irq_port *p);

/* ---- lifecycle ---- */
/* An LPAR is built not activated; lpar_start activates it at its
 * `activate_at` and it runs `boot` later (when both are 0 it simply runs
 * from the start, and no transition is recorded). I/O issued while it is
 * not running waits in the LPAR and goes out, in order, when it runs
 * again. lpar_lifecycle applies one event now: 0, or -1 if the state does
 * not allow it (nothing changes). */
void lpar_start(struct lpar *l);
int lpar_lifecycle(struct lpar *l, enum lpar_event ev);
enum lpar_state lpar_current_state(const struct lpar *l);

/* The LPAR's operations for the timeline (kind "lpar"; none today). */
extern const struct component_ops lpar_ops;

#endif
