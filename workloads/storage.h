/* workloads/storage.h — a storage I/O generator driving one LPAR. */
#ifndef LPARSIM_WORKLOADS_STORAGE_H
#define LPARSIM_WORKLOADS_STORAGE_H

#include "models/io.h"
#include "sim/config.h"
#include "sim/env.h"

extern const struct schema storage_workload_schema;

struct storage_workload;

/* `path` names the random stream ("lpar.db1.workload"). */
struct storage_workload *storage_workload_create(struct env *e, const char *path,
                                                 const struct cfg_node *cfg,
                                                 struct io_issue_port lpar);
/* The port the LPAR reports completions to. */
struct io_notify_port storage_workload_notify_port(struct storage_workload *w);
/* Schedules the first I/Os (after env_start). */
void storage_workload_start(struct storage_workload *w);
void storage_workload_destroy(struct storage_workload *w);

#endif
