/* cli/sweep_slurm.h — `sweep --emit-slurm DIR`: a Slurm job array for a
 * sweep plan, run by the cluster's scheduler instead of local workers. */
#ifndef LPARSIM_CLI_SWEEP_SLURM_H
#define LPARSIM_CLI_SWEEP_SLURM_H

#include <limits.h>
#include <stddef.h>

#include "cli/sweep.h"

struct slurm_options {
    const char *dir;          /* --emit-slurm DIR */
    const char *scenario;     /* SCENARIO as given */
    const char *db_path;      /* the sweep's database (merge target) */
    const char *kernel;       /* --kernel as given, or NULL */
    unsigned max_parallel;    /* --slurm-max-parallel; 0: no throttle */
};

struct slurm_result {
    size_t ntasks;            /* runs not already done = array size */
    char dir[PATH_MAX];       /* absolute DIR */
    char db[PATH_MAX];        /* absolute merge target */
};

/* Writes DIR/tasks.txt (line i: the complete `lparsim run` command of task
 * i, writing DIR/results/task-i.db), DIR/sweep.sbatch (array 1-N, runs
 * line $SLURM_ARRAY_TASK_ID) and DIR/merge.sh (lparsim merge into the
 * sweep's database), with absolute paths so the job runs from any
 * directory; creates DIR/logs and DIR/results. Runs marked done are left
 * out; with none left nothing is written (ntasks 0). */
int sweep_emit_slurm(const struct sweep_plan *p, const struct slurm_options *o,
                     struct slurm_result *res, struct diag *err);

#endif
