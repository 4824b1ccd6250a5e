/* cli/timeline_actions.h — the timeline's item schema and its actions: the
 * generic ones of sim/timeline.h (fail, repair, freeze, set) and the
 * mechanisms the models provide (switch_adapter, ...), plus the checks of
 * each item against the machine the scenario describes (targets that
 * exist and are of the right kind). */
#ifndef LPARSIM_CLI_TIMELINE_ACTIONS_H
#define LPARSIM_CLI_TIMELINE_ACTIONS_H

#include <stddef.h>

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/mechanism.h"
#include "sim/timeline.h"

extern const struct schema timeline_item_schema;
extern const struct schema debug_schema;

/* The action table. */
size_t timeline_actions(const struct timeline_action *const **out);

/* Checks every timeline item of the scenario. 0, or -1 with *err. */
int timeline_check(const struct cfg_node *root, struct diag *err);

/* The protocol steps debug.skip_step may name, for `check --steps` and
 * the loader's check of skip_step. */
size_t timeline_steps(const struct mech_step *const **out);

#endif
