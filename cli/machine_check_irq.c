/* cli/machine_check_irq.c — the scenario checks of interrupt coalescing,
 * interrupt management and the drivers' interrupt hints, kept
 * apart from machine_check.c. Each error is located at the value that
 * causes it. */
#include <stdio.h>
#include <string.h>

#include "cli/machine_internal.h"
#include "models/adapter/coalescing.h"

int machine_check_coalescing(const struct cfg_node *ad, struct diag *err)
{
    const struct cfg_node *c = cfg_find(ad, "coalescing");
    if (!c)
        return 0;
    if (strcmp(cfg_str(ad, "path"), "abstract") == 0 && !c->is_default)
        return diag_set(err, &c->loc,
                        "'coalescing' applies to the hardware path only; adapter '%s' is on the "
                        "abstract path (no MSI-X)", ad->key);
    return coalescing_check(c, ad->key, err);
}

/* metric-threshold: a release value above its threshold never cools. */
static int check_hysteresis(const struct cfg_node *mt, struct diag *err)
{
    static const char *const metric[] = { "latency", "usage", "rate" };
    for (size_t i = 0; i < 3; i++) {
        char thr[32], rel[32];
        snprintf(thr, sizeof thr, "%s_threshold", metric[i]);
        snprintf(rel, sizeof rel, "%s_release", metric[i]);
        const struct cfg_node *t = cfg_find(mt, thr), *r = cfg_find(mt, rel);
        if (t->v.d > 0 && r->v.d > t->v.d)
            return diag_set(err, &r->loc, "'%s' is above '%s': a hot VF would never cool",
                            rel, thr);
    }
    return 0;
}

/* Hints come from a driver: not on the abstract path; the
 * latency-sensitive flag is one of them. */
static int check_hints(const struct cfg_node *root, struct diag *err)
{
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    for (size_t i = 0; i < lpars->nkids; i++)
        for (size_t d = 0; d < machine_device_count(lpars->kids[i]); d++) {
            const struct cfg_node *dev = machine_device(lpars->kids[i], d);
            const struct cfg_node *drv = cfg_find(dev, "driver");
            const struct cfg_node *ad = machine_device_adapter(root, lpars->kids[i], dev, err);
            if (!ad)
                return -1;
            const struct cfg_node *h = cfg_find(drv, "hints");
            const struct cfg_node *ls = cfg_find(drv, "latency_sensitive");
            if (h->v.u && strcmp(cfg_str(ad, "path"), "abstract") == 0)
                return diag_set(err, &h->loc,
                                "'hints' needs a driver: adapter '%s' is on the abstract path, "
                                "where no driver reports affinity hints", ad->key);
            if (ls->v.u && !h->v.u)
                return diag_set(err, &ls->loc,
                                "'latency_sensitive' is one of the driver's hints: set "
                                "'hints: true' for it to reach the interrupt manager");
        }
    return 0;
}

int machine_check_irq(const struct cfg_node *root, struct diag *err)
{
    const struct cfg_node *pol = cfg_find(root, "policies.interrupts");
    const struct cfg_node *p99 = cfg_find(root, "stats.p99_series");
    bool sampling = cfg_u64(root, "stats.sample_interval") > 0;
    if (p99 && p99->v.u && !sampling)
        return diag_set(err, &p99->loc, "'p99_series' needs stats.sample_interval > 0");
    if (check_hints(root, err) != 0)
        return -1;
    if (!pol)
        return 0;
    if (cfg_bool(pol, "load_series") && !sampling)
        return diag_set(err, cfg_loc(pol, "load_series"),
                        "'load_series' needs stats.sample_interval > 0");
    if (check_hysteresis(cfg_find(pol, "metric_threshold"), err) != 0)
        return -1;
    const struct cfg_node *vp = cfg_find(pol, "irqbalance.vp");
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    for (size_t i = 0; strcmp(cfg_str(pol, "kind"), "irqbalance") == 0 && i < lpars->nkids; i++)
        if (vp->v.u >= cfg_u64(lpars->kids[i], "vps"))
            return diag_set(err, &vp->loc,
                            "'vp' = %llu, but LPAR '%s' has VPs 0..%llu (irqbalance runs in "
                            "every LPAR)", (unsigned long long)vp->v.u, lpars->kids[i]->key,
                            (unsigned long long)(cfg_u64(lpars->kids[i], "vps") - 1));
    return 0;
}
