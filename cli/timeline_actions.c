/* cli/timeline_actions.c — the timeline's item schema, its action table
 * and the checks of each item against the machine (timeline_actions.h).
 *
 * One schema holds every action's parameters (like the workload kinds);
 * sim/timeline.c refuses a parameter the item's action does not read. The
 * targets are checked here, where the shape of the scenario is known:
 * `fail`/`repair` an adapter, its Ethernet port or its PCIe link;
 * `freeze` a VF's PE. */
#include "cli/timeline_actions.h"

#include <stdio.h>
#include <string.h>

#include "cli/machine_internal.h"
#include "models/guest/eeh_core.h"
#include "models/hypervisor/adapter_switch.h"
#include "models/hypervisor/vf_pool.h"
#include "sim/suggest.h"
#include "sim/units.h"

static const struct param_desc timeline_item_params[] = {
    { "at", PARAM_TIME, "ns", "0ns", "when the action happens (required unless `every` is set)" },
    { "action", PARAM_ENUM, "", NULL, "what happens",
      .choices = "fail|repair|freeze|set|switch_adapter" },
    { "target", PARAM_STR, "", "",
      "fail, repair: SYSTEM.ADAPTER, SYSTEM.ADAPTER.port or SYSTEM.ADAPTER.link; "
      "freeze: SYSTEM.ADAPTER.vfN (its PE)" },
    { "every", PARAM_TIME, "ns", "0ns",
      "freeze: repeat with exponential gaps of this mean from `at` (random faults; "
      "0 = once)" },
    { "until", PARAM_TIME, "ns", "0ns", "freeze with every: last possible time (0 = the run's end)" },
    { "path", PARAM_STR, "", "", "set: the parameter's path, as in --set (a run-time one)" },
    { "value", PARAM_STR, "", "", "set: the new value, with its unit" },
    { "lpar", PARAM_STR, "", "", "switch_adapter: the LPAR whose device moves" },
    { "to", PARAM_STR, "", "", "switch_adapter: the adapter (of the LPAR's system) it moves to; "
      "its lowest free VF is taken" },
    { "device", PARAM_STR, "", "", "switch_adapter: the LPAR's device (an item of its "
      "`devices`; empty: its own adapter/vf)" },
    { "method", PARAM_ENUM, "", "transparent",
      "switch_adapter: transparent (the hypervisor moves everything, US11188369B2) or "
      "error_state (interrupt migration through the error state, US9892070B1)",
      .choices = "transparent|error_state" },
    { 0 }
};

const struct schema timeline_item_schema = {
    .name = "timeline_item",
    .doc = "one action of the timeline: {at, action, ...}; may carry a name "
           "(sweeps vary timeline.NAME.at)",
    .params = timeline_item_params,
};

static const struct param_desc debug_params[] = {
    { "skip_step", PARAM_STR, "", "",
      "leave out one protocol step (MECH.STEP, see `lparsim check --steps`): the run must "
      "detect the loss and end check_failed" },
    { "stuck_after", PARAM_TIME, "ns", "10s",
      "an I/O outstanding longer than this at the end of the run counts as lost",
      .min = "1ns" },
    { 0 }
};

const struct schema debug_schema = {
    .name = "debug",
    .doc = "checks of the model itself: removed protocol steps, stuck I/O",
    .params = debug_params,
};

static const struct timeline_action *const actions[] = {
    &timeline_fail_action, &timeline_repair_action, &timeline_freeze_action,
    &timeline_set_action, &switch_adapter_action,
};

size_t timeline_actions(const struct timeline_action *const **out)
{
    *out = actions;
    return sizeof actions / sizeof actions[0];
}

/* Every mechanism's skippable steps, in one list. */
static const struct mech_step *steps[64];

size_t timeline_steps(const struct mech_step *const **out)
{
    static size_t n;
    if (!n) {
        const struct {
            const struct mech_step *const *v;
            size_t n;
        } all[] = { { eeh_steps, eeh_nsteps }, { switch_steps, switch_nsteps },
                    { failover_steps, failover_nsteps } };
        for (size_t m = 0; m < sizeof all / sizeof all[0]; m++)
            for (size_t i = 0; i < all[m].n && n < sizeof steps / sizeof steps[0]; i++)
                steps[n++] = all[m].v[i];
    }
    *out = steps;
    return n;
}

/* ---- checks ------------------------------------------------------------- */

/* A component kind as a phrase: "an adapter", "a VF". */
static const char *kind_phrase(const char *kind)
{
    static const struct { const char *kind, *phrase; } names[] = {
        { "adapter", "an adapter" }, { "vf", "a VF" }, { "nic_port", "an Ethernet port" },
        { "pcie_link", "a PCIe link" }, { "lpar", "an LPAR" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].kind, kind) == 0)
            return names[i].phrase;
    return kind;
}

/* `target` names a component of one of the kinds in `kinds` ("a|b"). */
static int check_target(const struct cfg_node *root, const struct cfg_node *item,
                        const char *kinds, const char *what, struct diag *err)
{
    const struct cfg_node *v = cfg_find(item, "target");
    struct machine_target t;
    char why[256], shown[64];
    if (v->is_default)
        return diag_set(err, &item->loc, "a '%s' needs a 'target'", cfg_str(item, "action"));
    if (machine_target(root, v->v.s, &t, why, sizeof why) != 0)
        return diag_set(err, &v->loc, "'target' = '%s': %s",
                        unit_show(v->v.s, shown, sizeof shown), why);
    size_t len = strlen(t.kind);
    for (const char *p = kinds; *p;) {
        size_t w = strcspn(p, "|");
        if (w == len && memcmp(p, t.kind, len) == 0)
            return 0;
        p += w + (p[w] == '|');
    }
    return diag_set(err, &v->loc, "'target' = '%s' is %s; a '%s' acts on %s",
                    unit_show(v->v.s, shown, sizeof shown), kind_phrase(t.kind),
                    cfg_str(item, "action"), what);
}

/* switch_adapter: the LPAR and its device exist and are on the hardware
 * path; `to` is another adapter of its system, of the same kind and
 * queue pairs. */
static int check_switch(const struct cfg_node *root, const struct cfg_node *item,
                        struct diag *err)
{
    const struct cfg_node *lv = cfg_find(item, "lpar"), *tv = cfg_find(item, "to");
    struct machine_target t;
    char why[256], path[160], shown[64];
    if (lv->is_default || tv->is_default)
        return diag_set(err, &item->loc, "a 'switch_adapter' needs 'lpar' and 'to'");
    snprintf(path, sizeof path, "lpar.%s", lv->v.s);
    if (machine_target(root, path, &t, why, sizeof why) != 0)
        return diag_set(err, &lv->loc, "'lpar' = '%s': %s", unit_show(lv->v.s, shown,
                        sizeof shown), why);
    const struct cfg_node *lpar = t.lpar;
    int dev = machine_workload_device(lpar, item, err);
    if (dev < 0)
        return -1;
    const struct cfg_node *from = machine_device_adapter(root, lpar, machine_device(lpar,
                                                         (size_t)dev), err);
    if (!from)
        return -1;
    snprintf(path, sizeof path, "%s.%s", cfg_str(lpar, "system"), tv->v.s);
    if (machine_target(root, path, &t, why, sizeof why) != 0 || strcmp(t.kind, "adapter") != 0)
        return diag_set(err, &tv->loc, "'to' = '%s': %s", unit_show(tv->v.s, shown,
                        sizeof shown), why);
    if (strcmp(cfg_str(from, "path"), "hardware") != 0 ||
        strcmp(cfg_str(t.adapter, "path"), "hardware") != 0)
        return diag_set(err, &tv->loc, "a switch needs both adapters on the hardware path");
    if (strcmp(cfg_str(from, "kind"), cfg_str(t.adapter, "kind")) != 0 ||
        cfg_u64(from, "queue_pairs") != cfg_u64(t.adapter, "queue_pairs"))
        return diag_set(err, &tv->loc, "'to' = '%s' is not of the same kind and queue_pairs as "
                        "'%s'", tv->v.s, from->key);
    return 0;
}

static int check_item(const struct cfg_node *root, const struct cfg_node *item, struct diag *err)
{
    const struct timeline_action *const *acts;
    size_t n = timeline_actions(&acts);
    if (timeline_check_item(root, item, acts, n, err) != 0)
        return -1;
    const char *a = cfg_str(item, "action");
    if (strcmp(a, "fail") == 0 || strcmp(a, "repair") == 0)
        return check_target(root, item, "adapter|nic_port|pcie_link",
                            "an adapter, its port or its PCIe link", err);
    if (strcmp(a, "freeze") == 0)
        return check_target(root, item, "vf", "a VF (SYSTEM.ADAPTER.vfN)", err);
    if (strcmp(a, "switch_adapter") == 0)
        return check_switch(root, item, err);
    return 0;
}

static int check_skip_step(const struct cfg_node *root, struct diag *err)
{
    const struct cfg_node *v = cfg_find(root, "debug.skip_step");
    if (!v || !v->v.s[0])
        return 0;
    const struct mech_step *const *s;
    size_t n = timeline_steps(&s);
    const char *names[256];
    for (size_t i = 0; i < n && i < 256; i++) {
        if (strcmp(s[i]->name, v->v.s) == 0)
            return 0;
        names[i] = s[i]->name;
    }
    char shown[64];
    const char *near = suggest_closest(v->v.s, names, n < 256 ? n : 256);
    return diag_set(err, &v->loc, "'skip_step' = '%s' is not a protocol step (%s%s%s"
                    "lparsim check --steps lists them)", unit_show(v->v.s, shown, sizeof shown),
                    near ? "did you mean '" : "", near ? near : "", near ? "'? " : "");
}

int timeline_check(const struct cfg_node *root, struct diag *err)
{
    const struct cfg_node *list = cfg_find(root, "timeline");
    for (size_t i = 0; list && i < list->nkids; i++)
        if (check_item(root, list->kids[i], err) != 0)
            return -1;
    return check_skip_step(root, err);
}
