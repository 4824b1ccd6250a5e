/* cli/machine.h — builds the simulated machine a resolved scenario
 * describes: systems, adapters and their VFs, LPARs and their workloads,
 * wired through their ports. Semantic errors the schema cannot express
 * (an adapter the LPAR's system does not have, a VF assigned twice,
 * memory over-commit) are reported with the location of the offending
 * value, before anything runs or is written. */
#ifndef LPARSIM_CLI_MACHINE_H
#define LPARSIM_CLI_MACHINE_H

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

struct machine;

/* `root` is the resolved scenario; its timeline's `set` actions change
 * values in it as the run goes. Also reads the run's `debug` settings
 * into e. */
struct machine *machine_build(struct env *e, struct cfg_node *root, struct diag *err);
/* Starts the LPARs, workloads and timeline; call after env_start. */
void machine_start(struct machine *m);
void machine_destroy(struct machine *m);

/* Checks the scenario's semantics without building anything that runs. */
int machine_check(const struct cfg_node *root, struct diag *err);

#endif
