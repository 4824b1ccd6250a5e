/* models/hypervisor/system.c — system (CEC) resources and the checks the
 * hypervisor makes when it creates LPARs. Defaults follow a POWER9
 * scale-out system: 3.8 GHz, SMT8 (docs/model-reference.md). */
#include "models/hypervisor/system.h"

#include <inttypes.h>

#include "sim/units.h"

const struct param_desc system_params[] = {
    { "cores", PARAM_U64, "", "12", "processor cores", .min = "1", .max = "1920" },
    { "threads_per_core", PARAM_U64, "", "8", "SMT hardware threads per core",
      .min = "1", .max = "8" },
    { "frequency", PARAM_FREQ, "Hz", "3.8GHz", "core clock", .min = "100MHz", .max = "10GHz" },
    { "memory", PARAM_SIZE, "B", "256GiB", "installed memory", .min = "1GiB" },
    { 0 }
};

void system_budget_init(struct system_budget *b, const struct cfg_node *system_cfg)
{
    b->cfg = system_cfg;
    b->memory_left = cfg_u64(system_cfg, "memory");
    b->threads = cfg_u64(system_cfg, "cores") * cfg_u64(system_cfg, "threads_per_core");
}

int system_budget_take_lpar(struct system_budget *b, const struct cfg_node *lpar_cfg,
                            struct diag *err)
{
    uint64_t want = cfg_u64(lpar_cfg, "memory");
    if (want > b->memory_left) {
        char want_s[32], left_s[32];
        struct param_value v = { .u = want, .d = (double)want };
        unit_format(PARAM_SIZE, &v, want_s, sizeof want_s);
        v = (struct param_value){ .u = b->memory_left, .d = (double)b->memory_left };
        unit_format(PARAM_SIZE, &v, left_s, sizeof left_s);
        return diag_set(err, cfg_loc(lpar_cfg, "memory"),
                        "LPAR '%s' needs %s of memory but system '%s' has only %s left",
                        lpar_cfg->key, want_s, b->cfg->key, left_s);
    }
    b->memory_left -= want;
    return 0;
}
