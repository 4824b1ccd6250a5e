/* models/adapter/adapter.h — an SR-IOV adapter: a physical function and
 * `vfs` virtual functions, each with its own request queue. */
#ifndef LPARSIM_MODELS_ADAPTER_ADAPTER_H
#define LPARSIM_MODELS_ADAPTER_ADAPTER_H

#include "models/io.h"
#include "sim/config.h"
#include "sim/env.h"

extern const struct schema adapter_schema;

struct adapter;

/* Builds the adapter described by `cfg` (an adapter_schema node) with
 * components named PATH.vf0, PATH.vf1, ... */
struct adapter *adapter_create(struct env *e, const char *path,
                               const struct cfg_node *cfg);
void adapter_destroy(struct adapter *a);

struct io_sink adapter_vf_sink(struct adapter *a, unsigned vf);
/* Latency of the driver -> device hop (doorbell), used by the LPAR. */
sim_time_t adapter_submit_latency(const struct adapter *a);

#endif
