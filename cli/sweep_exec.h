/* cli/sweep_exec.h — runs a sweep plan on local worker processes. */
#ifndef LPARSIM_CLI_SWEEP_EXEC_H
#define LPARSIM_CLI_SWEEP_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/sweep.h"
#include "sim/kernel.h"

struct sweep_exec_options {
    const char *db_path;
    enum kernel_backend kernel;
    unsigned jobs;        /* worker processes at a time (>= 1) */
    bool progress;        /* progress line on stderr */
    const char *cmd;      /* for messages: "sweep" */
};

struct sweep_tally {
    size_t total;    /* runs in the plan */
    size_t ok;       /* run now, status ok */
    size_t check_failed; /* run now, completed with an invariant missed */
    size_t failed;   /* run now, status failed (recorded) */
    size_t skipped;  /* already ok in the database (--resume) */
    size_t stopped;  /* under way when the sweep was interrupted: nothing written */
    int interrupted; /* the signal that stopped the sweep (SIGINT, SIGTERM), or 0 */
    double wall_s;
};

/* What a run came to, in sweep_run.outcome. */
#define SWEEP_RUN_OK 'o'
#define SWEEP_RUN_CHECK_FAILED 'c'
#define SWEEP_RUN_FAILED 'f'

/* Runs every run of p not marked done, at most o->jobs at a time, each in
 * a fork()ed worker that applies its point to the parent's already loaded
 * scenario, runs it and writes its own transaction. A run that fails or
 * whose worker dies is recorded as failed and the sweep goes on. Returns
 * 0 when every run was attempted, -1 with *err when results cannot be
 * written at all (the runs under way are waited for first). */
int sweep_execute(struct sweep_plan *p, const struct sweep_exec_options *o,
                  struct sweep_tally *t, struct diag *err);

#endif
