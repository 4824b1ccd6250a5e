/* cli/registry.h — the scenario schema (how components nest in a
 * scenario file) and the list of component types for `lparsim params`. */
#ifndef LPARSIM_CLI_REGISTRY_H
#define LPARSIM_CLI_REGISTRY_H

#include <stddef.h>

#include "sim/config.h"

extern const struct schema scenario_schema;

/* Every schema node type, for listing parameters. */
size_t registry_schemas(const struct schema *const **out);

#endif
