/* models/hypervisor/lpar.h — a logical partition as the I/O path sees it:
 * the OS block layer and driver that issue I/O on the LPAR's VF, keep
 * every request until it completes, and account for each one. */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPAR_H
#define LPARSIM_MODELS_HYPERVISOR_LPAR_H

#include "models/io.h"
#include "sim/config.h"
#include "sim/env.h"

extern const struct param_desc lpar_params[];

struct lpar;

/* `dev` is where requests go (the assigned VF's queue), reached after
 * `submit_latency`. Component path: "lpar.NAME". */
struct lpar *lpar_create(struct env *e, const char *name,
                         const struct cfg_node *cfg, struct io_sink dev,
                         sim_time_t submit_latency);
void lpar_destroy(struct lpar *l);

struct io_issue_port lpar_issue_port(struct lpar *l);
/* "read", "write", "tx", "rx". */
const char *io_op_name(unsigned op);

#endif
