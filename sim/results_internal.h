/* sim/results_internal.h — what the results writer (results.c) shares
 * with the merger (results_merge.c) so that both open databases and
 * create the schema the same way. Not a public API: the CLI uses
 * sim/results.h. */
#ifndef LPARSIM_SIM_RESULTS_INTERNAL_H
#define LPARSIM_SIM_RESULTS_INTERNAL_H

#include <sqlite3.h>

#include "sim/diag.h"

/* Opens db_path for writing, creating it and its parent directories:
 * WAL, the busy timeout concurrent sweep workers need, foreign keys on.
 * Returns 0, or -1 with *err set and *db NULL. */
int results_db_open(const char *db_path, sqlite3 **db, struct diag *err);

/* Inside a write transaction: refuses a database that is not ours (or a
 * newer schema) and creates the schema if it is missing. */
int results_db_schema(sqlite3 *db, const char *db_path, struct diag *err);

#endif
