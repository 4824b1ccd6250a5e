/* models/adapter/coalescing.c — the adapter's `coalescing` section (see
 * coalescing.h): its parameters, defaults and checks. */
#include "models/adapter/coalescing.h"

#include <string.h>

static const struct param_desc coalescing_params[] = {
    { "kind", PARAM_ENUM, "", "off",
      "interrupt coalescing of each queue pair: off (an interrupt per completion), fixed "
      "(count + timer), dynamic (vIC: from the commands in flight) or dim (Linux net DIM)",
      .choices = "off|fixed|dynamic|dim" },
    { "count", PARAM_U64, "", "1",
      "fixed: completions per interrupt (NVMe Interrupt Coalescing's aggregation threshold, "
      "a NIC's rx-frames)", .min = "1", .max = "65536" },
    { "time", PARAM_TIME, "ns", "0ns",
      "fixed: longest a completion waits for its interrupt, from the first one not yet "
      "signalled (NVMe's aggregation time, a NIC's rx-usecs); needed when count > 1" },
    { "cif_threshold", PARAM_U64, "", "4",
      "dynamic: commands in flight at or below which every completion is delivered (vIC, "
      "Ahmad et al. 2011: [unverified] 4)", .min = "1", .max = "65536" },
    { "iops_threshold", PARAM_RATE, "1/s", "2000/s",
      "dynamic: below this completion rate (over the last epoch) every completion is "
      "delivered (vIC: [unverified] 2000 IOPS)" },
    { "epoch", PARAM_TIME, "ns", "200ms",
      "dynamic: the IOPS is measured over epochs of this length (vIC: [unverified] ~200 ms)",
      .min = "1us" },
    { "max_batch", PARAM_U64, "", "8",
      "dynamic: most completions one interrupt waits for, the floor of the delivery ratio "
      "(modelling choice)", .min = "1", .max = "65536" },
    { "safety_timer", PARAM_TIME, "ns", "1ms",
      "dynamic: the coarse timer that delivers completions still waiting (vIC keeps a timer "
      "only as a safety net; modelling choice: one 1 ms tick)", .min = "1us" },
    { "dim_profile", PARAM_U64, "", "1",
      "dim: the profile DIM starts from, 0..4 (net_dim.c NET_DIM_DEF_PROFILE_EQE/CQE: 1)",
      .max = "4" },
    { "dim_mode", PARAM_ENUM, "", "eqe",
      "dim: eqe (the period starts at the interrupt) or cqe (it restarts at each completion), "
      "with that mode's profiles (net_dim.c)", .choices = "eqe|cqe" },
    { "dim_profiles", PARAM_ENUM, "", "rx",
      "dim: the RX or the TX profile table (net_dim.c)", .choices = "rx|tx" },
    { 0 }
};

const struct schema coalescing_schema = {
    .name = "coalescing",
    .doc = "interrupt coalescing of the VFs' queue pairs: off, fixed, dynamic (vIC), dim",
    .params = coalescing_params,
};

static const char *const kind_names[] = { "off", "fixed", "dynamic", "dim" };

const char *coalescing_kind_name(enum coalescing_kind k)
{
    return kind_names[k];
}

void coalescing_config_init(struct coalescing_config *c, const struct cfg_node *cfg)
{
    const char *kind = cfg_param(cfg, coalescing_params, "kind").s;
    c->kind = COALESCE_OFF;
    for (unsigned i = 0; i < 4; i++)
        if (strcmp(kind, kind_names[i]) == 0)
            c->kind = (enum coalescing_kind)i;
    c->count = (uint32_t)cfg_param(cfg, coalescing_params, "count").u;
    c->time = cfg_param(cfg, coalescing_params, "time").u;
    c->vic = (struct vic_config){
        .cif_threshold = (uint32_t)cfg_param(cfg, coalescing_params, "cif_threshold").u,
        .iops_threshold = cfg_param(cfg, coalescing_params, "iops_threshold").d,
        .epoch = cfg_param(cfg, coalescing_params, "epoch").u,
        .max_batch = (uint32_t)cfg_param(cfg, coalescing_params, "max_batch").u,
        .safety_timer = cfg_param(cfg, coalescing_params, "safety_timer").u,
    };
    c->dim = (struct dim_config){
        .start_profile = (uint32_t)cfg_param(cfg, coalescing_params, "dim_profile").u,
        .cqe_mode = strcmp(cfg_param(cfg, coalescing_params, "dim_mode").s, "cqe") == 0,
        .tx_profiles = strcmp(cfg_param(cfg, coalescing_params, "dim_profiles").s, "tx") == 0,
    };
}

int coalescing_check(const struct cfg_node *cfg, const char *adapter, struct diag *err)
{
    if (!cfg)
        return 0;
    (void)adapter;
    struct coalescing_config c;
    coalescing_config_init(&c, cfg);
    if (c.kind == COALESCE_FIXED && c.count > 1 && c.time == 0)
        return diag_set(err, cfg_loc(cfg, "count"),
                        "'count' > 1 needs a 'time' so the last completions of a burst still "
                        "raise an interrupt");
    return 0;
}
