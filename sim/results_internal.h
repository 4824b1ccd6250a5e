/* sim/results_internal.h — what the parts of the results database share
 * (results.c writes runs, results_schema.c owns the schema,
 * results_open.c opens for reading, results_merge.c joins databases):
 * opening, recognising and upgrading a database the same way everywhere.
 * Not a public API: the CLI uses sim/results.h. */
#ifndef LPARSIM_SIM_RESULTS_INTERNAL_H
#define LPARSIM_SIM_RESULTS_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "sim/diag.h"

#define RESULTS_SCHEMA_VERSION 2
#define RESULTS_SCHEMA_VERSION_TEXT "2"
#define RESULTS_BUSY_MS 60000 /* sweep workers may queue behind each other */

/* Opens db_path for writing, creating it and its parent directories:
 * WAL, the busy timeout concurrent sweep workers need, foreign keys on.
 * Returns 0, or -1 with *err set and *db NULL. */
int results_db_open(const char *db_path, sqlite3 **db, struct diag *err);

/* Inside a write transaction: refuses a database that is not ours (or a
 * newer schema), upgrades an older one and creates the schema if it is
 * missing. */
int results_db_schema(sqlite3 *db, const char *db_path, struct diag *err);

/* (results_schema.c) The schema version of an open database: 0 for one
 * without tables (a writer adopts it), else 1 or 2; -1 with *err for a
 * file that is not ours or was written by a newer lparsim. */
int results_schema_version(sqlite3 *db, const char *path, int *version, struct diag *err);

/* (results_schema.c) Sets param.value_si wherever it is NULL and the
 * value reads as a number. */
int results_fill_value_si(sqlite3 *db, const char *path, struct diag *err);

/* (results_open.c) Checks the bytes of an existing file before SQLite
 * sees them: an SQLite header, and a file as long as the header says.
 * Names what is wrong: not an SQLite file, empty, corrupt or truncated. */
int results_file_check(const char *path, struct diag *err);

/* (results_open.c) results_open_read, but a database without tables (one
 * a writer would adopt) is accepted with *version 0. */
int results_open_any(const char *db_path, bool deep, sqlite3 **db, int *version,
                     struct diag *err);

/* (results_open.c) Sets *err from SQLite's last error on db, saying
 * "corrupt or truncated" when that is what SQLite found. Returns -1. */
int results_sqlite_fail(sqlite3 *db, const char *path, struct diag *err, const char *what);

#endif
