/* models/hypervisor/lpar.h — a logical partition as the I/O path sees it:
 * the OS block layer and driver that issue I/O on the LPAR's VF, keep
 * every request until it completes, and account for each one. */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPAR_H
#define LPARSIM_MODELS_HYPERVISOR_LPAR_H

#include "models/hypervisor/lpar_state.h"
#include "models/io.h"
#include "sim/config.h"
#include "sim/env.h"

extern const struct param_desc lpar_params[];
/* An item of an LPAR's `devices`: one more VF assigned to it. */
extern const struct param_desc lpar_device_params[];

struct lpar;

/* Where an LPAR's requests for one device go (its VF driver, or the VF's
 * queue on the abstract path), reached after `latency` (0: directly). */
struct lpar_dev {
    struct io_sink sink;
    sim_time_t latency;
};

/* Device 0 is the LPAR's own adapter/vf, then its `devices` in order.
 * `cfg` is the LPAR's node (lpar_params; NULL: the defaults). Component
 * path: "lpar.NAME". NULL on allocation failure. */
struct lpar *lpar_create(struct env *e, const char *name, const struct cfg_node *cfg,
                         const struct lpar_dev *devs, size_t ndevs);
void lpar_destroy(struct lpar *l);

/* The port a workload issues to device `dev` through. */
struct io_issue_port lpar_issue_port(struct lpar *l, size_t dev);

/* Lifecycle (lpar_state.h). An LPAR is built not activated; lpar_start
 * activates it at its `activate_at` and it runs `boot` later (when both
 * are 0 it simply runs from the start, and no transition is recorded). I/O issued while it is not running
 * waits in the LPAR and goes out, in order, when it runs again.
 * lpar_lifecycle applies one event now: 0, or -1 if the state does not
 * allow it (nothing changes). */
void lpar_start(struct lpar *l);
int lpar_lifecycle(struct lpar *l, enum lpar_event ev);
enum lpar_state lpar_current_state(const struct lpar *l);

#endif
