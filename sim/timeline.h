/* sim/timeline.h — a scenario's `timeline:`: actions that change the
 * machine while it runs (fail an adapter, freeze a VF, switch an LPAR's
 * adapter, set a parameter, migrate an LPAR).
 *
 * Each item is {at, action, ...} and may carry a `name` (a sweep then
 * varies `timeline.NAME.at`). An item with `every` repeats with
 * exponential gaps of that mean, drawn from the run's seed, from `at`
 * until `until` (default: the end of the run): random faults.
 *
 * The kinds of action are a descriptor table, like the workload kinds:
 * which item parameters each reads, and what it does when it fires. The
 * table is composed above sim/ (cli/timeline_actions.c) from what the
 * models provide; sim/ knows the generic ones: `fail`, `repair` and
 * `freeze` apply the target's component_ops (sim/directory.h), `set`
 * changes a run-time parameter (param_desc.runtime) through the setters
 * its component registered (sim/env.h).
 *
 * Every firing writes an event row on component "timeline": kind = the
 * action, detail = the item's parameters, or why it was refused. */
#ifndef LPARSIM_SIM_TIMELINE_H
#define LPARSIM_SIM_TIMELINE_H

#include <stddef.h>

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

/* What an action is given when it fires. */
struct timeline_fire {
    void *ctx;                   /* what timeline_create was given (the machine) */
    struct env *env;
    struct cfg_node *root;       /* the scenario (a `set` changes a value in it) */
    const struct cfg_node *item; /* the timeline item */
};

struct timeline_action {
    const char *name;
    /* Item parameters it reads besides name, at, action ("a|b|c");
     * timeline_check refuses any other one set explicitly. */
    const char *params;
    /* Performs the action now: 0 when done; -1 when refused (why: for the
     * event row; the run goes on). */
    int (*fire)(const struct timeline_fire *f, char *why, size_t n);
};

/* The generic actions (their ctx is unused). */
extern const struct timeline_action timeline_fail_action;
extern const struct timeline_action timeline_repair_action;
extern const struct timeline_action timeline_freeze_action;
extern const struct timeline_action timeline_set_action;

/* The action an item names, or NULL. */
const struct timeline_action *timeline_action_of(const struct cfg_node *item,
                                                 const struct timeline_action *const *acts,
                                                 size_t n);

/* Checks one item against its action (parameters it does not read, `at`
 * and `until` within the run, `every` only where allowed, `set` on a
 * run-time parameter with a value it takes). `root` is the scenario.
 * 0, or -1 with *err located at the offending value. */
int timeline_check_item(const struct cfg_node *root, const struct cfg_node *item,
                        const struct timeline_action *const *acts, size_t n, struct diag *err);

struct timeline;

/* The timeline of scenario `root` (its `timeline` list; none: an empty
 * timeline). NULL on allocation failure. */
struct timeline *timeline_create(struct env *e, struct cfg_node *root,
                                 const struct timeline_action *const *acts, size_t n, void *ctx);
/* Schedules the first firing of every item; call after env_start. */
void timeline_start(struct timeline *t);
void timeline_destroy(struct timeline *t);

#endif
