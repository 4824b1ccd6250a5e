/* cli/machine_targets.c — what a component path names in the scenario
 * (machine_internal.h: machine_target), for the checks of timeline
 * actions before anything is built. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/machine_internal.h"
#include "sim/suggest.h"
#include "sim/units.h"

/* The item of `list` named by the len bytes at name, or NULL with why
 * (naming `what` and the closest item). */
static const struct cfg_node *item_named(const struct cfg_node *list, const char *name,
                                         size_t len, const char *what, char *why, size_t n)
{
    const char *names[128];
    size_t nn = 0;
    char key[96], shown[64];
    snprintf(key, sizeof key, "%.*s", (int)(len < 95 ? len : 95), name);
    for (size_t i = 0; list && i < list->nkids; i++) {
        if (strcmp(list->kids[i]->key, key) == 0)
            return list->kids[i];
        if (nn < 128)
            names[nn++] = list->kids[i]->key;
    }
    const char *near = suggest_closest(key, names, nn);
    snprintf(why, n, "%s '%s' does not exist%s%s%s", what, unit_show(key, shown, sizeof shown),
             near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    return NULL;
}

/* The part of an adapter's path after "S.A.": vfN, port or link. */
static int adapter_part(const struct cfg_node *ad, const char *path, const char *rest,
                        struct machine_target *t, char *why, size_t n)
{
    bool hardware = strcmp(cfg_str(ad, "path"), "hardware") == 0;
    bool network = strcmp(cfg_str(ad, "kind"), "network") == 0;
    char shown[64];
    if (strncmp(rest, "vf", 2) == 0 && rest[2] >= '0' && rest[2] <= '9') {
        char *end;
        unsigned long vf = strtoul(rest + 2, &end, 10);
        if (*end)
            return snprintf(why, n, "'%s' is not a component path", unit_show(path, shown,
                            sizeof shown)), -1;
        if (vf >= cfg_u64(ad, "vfs"))
            return snprintf(why, n, "adapter '%s' has %llu VFs: there is no vf%lu", ad->key,
                            (unsigned long long)cfg_u64(ad, "vfs"), vf), -1;
        if (!hardware)
            return snprintf(why, n, "adapter '%s' is on the abstract path: its VFs have no "
                            "PCIe function to act on", ad->key), -1;
        t->kind = "vf";
        t->vf = (unsigned)vf;
        return 0;
    }
    if (strcmp(rest, "port") == 0) {
        if (!network || !hardware)
            return snprintf(why, n, "adapter '%s' has no Ethernet port (it is a %s adapter%s)",
                            ad->key, cfg_str(ad, "kind"), hardware ? "" : " on the abstract "
                            "path"), -1;
        t->kind = "nic_port";
        return 0;
    }
    if (strcmp(rest, "link") == 0) {
        if (!hardware)
            return snprintf(why, n, "adapter '%s' is on the abstract path: it has no PCIe "
                            "link", ad->key), -1;
        t->kind = "pcie_link";
        return 0;
    }
    return snprintf(why, n, "adapter '%s' has no part '%s' (expected vfN, port or link)",
                    ad->key, unit_show(rest, shown, sizeof shown)), -1;
}

const struct cfg_node *machine_system_named(const struct cfg_node *root, const char *name,
                                            char *why, size_t n)
{
    return item_named(cfg_find(root, "systems"), name, strlen(name), "system", why, n);
}

int machine_target(const struct cfg_node *root, const char *path, struct machine_target *t,
                   char *why, size_t n)
{
    memset(t, 0, sizeof *t);
    if (strncmp(path, "links.", 6) == 0) {
        t->link = item_named(cfg_find(root, "links"), path + 6, strlen(path + 6), "mover link",
                             why, n);
        t->kind = "mover_link";
        return t->link ? 0 : -1;
    }
    if (strncmp(path, "lpar.", 5) == 0) {
        t->lpar = item_named(cfg_find(root, "lpars"), path + 5, strlen(path + 5), "LPAR", why, n);
        t->kind = "lpar";
        return t->lpar ? 0 : -1;
    }
    const char *dot = strchr(path, '.');
    if (!dot) {
        char shown[64];
        return snprintf(why, n, "'%s' is not a component path (expected SYSTEM.ADAPTER, "
                        "SYSTEM.ADAPTER.vfN, .port, .link, lpar.NAME or links.NAME)",
                        unit_show(path, shown, sizeof shown)), -1;
    }
    t->system = item_named(cfg_find(root, "systems"), path, (size_t)(dot - path), "system",
                           why, n);
    if (!t->system)
        return -1;
    const char *ad = dot + 1, *dot2 = strchr(ad, '.');
    size_t len = dot2 ? (size_t)(dot2 - ad) : strlen(ad);
    t->adapter = item_named(cfg_find(t->system, "adapters"), ad, len, "adapter", why, n);
    if (!t->adapter)
        return -1;
    if (!dot2) {
        t->kind = "adapter";
        return 0;
    }
    return adapter_part(t->adapter, path, dot2 + 1, t, why, n);
}
