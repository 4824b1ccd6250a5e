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
#include "models/hypervisor/lpm_session.h"
#include "models/hypervisor/vf_pool.h"
#include "sim/suggest.h"
#include "sim/units.h"

static const struct param_desc timeline_item_params[] = {
    { "at", PARAM_TIME, "ns", "0ns", "when the action happens (required unless `every` is set)" },
    { "action", PARAM_ENUM, "", NULL, "what happens",
      .choices = "fail|repair|freeze|set|switch_adapter|migrate" },
    { "target", PARAM_STR, "", "",
      "fail, repair: SYSTEM.ADAPTER, SYSTEM.ADAPTER.port, SYSTEM.ADAPTER.link or "
      "links.NAME (a mover link); freeze: SYSTEM.ADAPTER.vfN (its PE)" },
    { "every", PARAM_TIME, "ns", "0ns",
      "freeze: repeat with exponential gaps of this mean from `at` (random faults; "
      "0 = once)" },
    { "until", PARAM_TIME, "ns", "0ns", "freeze with every: last possible time (0 = the run's end)" },
    { "path", PARAM_STR, "", "", "set: the parameter's path, as in --set (a run-time one)" },
    { "value", PARAM_STR, "", "", "set: the new value, with its unit" },
    { "lpar", PARAM_STR, "", "", "switch_adapter: the LPAR whose device moves; migrate: the "
      "LPAR that moves" },
    { "to", PARAM_STR, "", "", "switch_adapter: the adapter (of the LPAR's system) it moves to; "
      "its lowest free VF is taken; migrate: the target system" },
    { "device", PARAM_STR, "", "", "switch_adapter: the LPAR's device (an item of its "
      "`devices`; empty: its own adapter/vf)" },
    { "method", PARAM_ENUM, "", "transparent",
      "switch_adapter: transparent (the hypervisor moves everything, US11188369B2) or "
      "error_state (interrupt migration through the error state, US9892070B1)",
      .choices = "transparent|error_state" },
    /* migrate (models/hypervisor/lpm_session.h) */
    { "via", PARAM_STR, "", "", "migrate: the mover link (an item of `links`) between the "
      "LPAR's system and `to`" },
    { "quiesce", PARAM_ENUM, "", "eeh",
      "migrate: how the VF's I/O stops: eeh (target placed in error state, the guest "
      "recovers it: US10761949B2), drain (queue state moved through the PF: US9086904B2) "
      "or unplug (migratable SR-IOV: bond fails over to a virtual NIC, VF removed and "
      "re-added)", .choices = "eeh|drain|unplug" },
    { "downtime_limit", PARAM_TIME, "ns", "300ms",
      "migrate: pre-copy stops when the dirty set takes no longer than this at the link "
      "rate (QEMU's default downtime-limit)", .min = "0ns", .max = "1000s" },
    { "max_rounds", PARAM_U64, "", "30",
      "migrate: pre-copy rounds at most, round 0 included (Xen: 30 iterations)",
      .min = "1", .max = "1000000" },
    { "max_factor", PARAM_F64, "", "3",
      "migrate: pre-copy stops once more than this x memory is sent (Xen: 3x)",
      .min = "1", .max = "1000" },
    { "switchover", PARAM_ENUM, "", "stop_copy",
      "migrate: stop_copy (the dirty set sent while suspended, as the analytic models do) or "
      "post_copy (resume first, fetch the rest; a write to a page not yet fetched faults: "
      "PowerVM)", .choices = "stop_copy|post_copy" },
    { "dma_dirty", PARAM_ENUM, "", "exact",
      "migrate: device DMA writes dirty the pages written (exact) or every page a writable "
      "TCE reaches, each round (tce_writable)", .choices = "exact|tce_writable" },
    { "fallback", PARAM_ENUM, "", "none",
      "migrate: none, or virtual (unplug's virtual NIC is always there)",
      .choices = "none|virtual" },
    { "validate", PARAM_TIME, "ns", "1s",
      "migrate: the HMC's validation of source and target (unverified)" },
    { "prepare", PARAM_TIME, "ns", "2s",
      "migrate: both hypervisors and mover service partitions prepare (unverified)" },
    { "vasi_poll", PARAM_TIME, "ns", "1s",
      "migrate: the guest polls H_VASI_STATE this often until `suspending` (Linux "
      "pseries/mobility.c: every 1 s; 0 = it is told at once)" },
    { "join", PARAM_TIME, "ns", "1ms",
      "migrate: stop_machine with H_JOIN from every VP (modelling choice)" },
    { "suspend", PARAM_TIME, "ns", "10ms",
      "migrate: the hypervisor suspends the partition (unverified)" },
    { "mappings", PARAM_TIME, "ns", "1ms",
      "migrate: the interrupt- and MMIO-mapping information transferred "
      "(US20210357342A1, US9875060B1; modelling choice)" },
    { "resume", PARAM_TIME, "ns", "10ms",
      "migrate: the target hypervisor resumes the partition, besides its hypervisor calls "
      "(unverified)" },
    { "dt_update", PARAM_TIME, "ns", "100ms",
      "migrate: the guest's device-tree update after resume (Linux post_mobility_fixup; "
      "unverified)" },
    { "cleanup", PARAM_TIME, "ns", "1s",
      "migrate: the source releases the partition's resources (unverified)" },
    { "miimon", PARAM_TIME, "ns", "100ms",
      "migrate (unplug): the bond notices the VF leaving at its next link check (Linux "
      "bonding miimon 100 ms)", .min = "1ns" },
    { "unplug", PARAM_TIME, "ns", "1s",
      "migrate (unplug): DLPAR removal of the VF once it is idle (unverified)" },
    { "probe", PARAM_TIME, "ns", "500ms",
      "migrate (unplug): a VF added is probed by its driver (mlx5: about 0.5 s)" },
    { "virtual_io", PARAM_TIME, "ns", "50us",
      "migrate (unplug, fallback): per-I/O time of the virtual device (a hypervisor or "
      "VIOS hop; unverified)", .min = "1ns" },
    { "fault", PARAM_TIME, "ns", "100us",
      "migrate (post_copy): what a write to a page not yet fetched costs the guest "
      "(unverified)" },
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
    &timeline_set_action, &switch_adapter_action, &migrate_action,
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
                    { failover_steps, failover_nsteps }, { lpm_steps, lpm_nsteps } };
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
        { "mover_link", "a mover link" },
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

/* migrate: the LPAR exists, `to` is another system, `via` a mover link
 * between the two. */
static int check_migrate(const struct cfg_node *root, const struct cfg_node *item,
                         struct diag *err)
{
    const struct cfg_node *lv = cfg_find(item, "lpar"), *tv = cfg_find(item, "to"),
                          *vv = cfg_find(item, "via");
    struct machine_target t;
    char why[256], path[160], shown[64];
    if (lv->is_default || tv->is_default || vv->is_default)
        return diag_set(err, &item->loc, "a 'migrate' needs 'lpar', 'to' and 'via'");
    snprintf(path, sizeof path, "lpar.%s", lv->v.s);
    if (machine_target(root, path, &t, why, sizeof why) != 0)
        return diag_set(err, &lv->loc, "'lpar' = '%s': %s", unit_show(lv->v.s, shown,
                        sizeof shown), why);
    const char *from = cfg_str(t.lpar, "system");
    if (!machine_system_named(root, tv->v.s, why, sizeof why))
        return diag_set(err, &tv->loc, "'to' = '%s': %s", unit_show(tv->v.s, shown,
                        sizeof shown), why);
    if (strcmp(tv->v.s, from) == 0)
        return diag_set(err, &tv->loc, "'to' = '%s' is the system the LPAR runs on already",
                        unit_show(tv->v.s, shown, sizeof shown));
    snprintf(path, sizeof path, "links.%s", vv->v.s);
    if (machine_target(root, path, &t, why, sizeof why) != 0)
        return diag_set(err, &vv->loc, "'via' = '%s': %s", unit_show(vv->v.s, shown,
                        sizeof shown), why);
    const struct cfg_node *between = cfg_find(t.link, "between");
    bool joins = between && between->nkids == 2 &&
                 ((strcmp(between->kids[0]->v.s, from) == 0 &&
                   strcmp(between->kids[1]->v.s, tv->v.s) == 0) ||
                  (strcmp(between->kids[1]->v.s, from) == 0 &&
                   strcmp(between->kids[0]->v.s, tv->v.s) == 0));
    if (!joins)
        return diag_set(err, &vv->loc, "mover link '%s' does not join '%s' and '%s'",
                        unit_show(vv->v.s, shown, sizeof shown), from, tv->v.s);
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
        return check_target(root, item, "adapter|nic_port|pcie_link|mover_link",
                            "an adapter, its port, its PCIe link or a mover link", err);
    if (strcmp(a, "freeze") == 0)
        return check_target(root, item, "vf", "a VF (SYSTEM.ADAPTER.vfN)", err);
    if (strcmp(a, "switch_adapter") == 0)
        return check_switch(root, item, err);
    if (strcmp(a, "migrate") == 0)
        return check_migrate(root, item, err);
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
