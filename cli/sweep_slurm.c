/* cli/sweep_slurm.c — writes a sweep as a Slurm job array (sweep_slurm.h).
 *
 * Each array task is one plain `lparsim run` with the sweep's --set
 * values, the point's values, the derived seed and --rep, so it computes
 * exactly the run_key the local sweep would, and writes its own small
 * database: no two tasks share a SQLite file (shared file systems handle
 * SQLite locking badly). `lparsim merge` joins them afterwards. Slurm does
 * the scheduling; nothing here stands in for it. */
#define _GNU_SOURCE /* realpath, readlink */
#include "cli/sweep_slurm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes s as one shell word: as is when every character is safe, else
 * single-quoted (a quote inside becomes '\''). */
static void shell_quote(FILE *f, const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_./=:,+@%^-";
    if (*s && strspn(s, safe) == strlen(s)) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

static int slurm_fail(struct diag *err, const char *path, const char *what)
{
    struct src_loc loc = { path, 0, 0 };
    return diag_set(err, &loc, "%s: %s", what, strerror(errno));
}

static int make_dir(const char *path, struct diag *err)
{
    char p[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof p) {
        errno = ENAMETOOLONG;
        return slurm_fail(err, path, "cannot create directory");
    }
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return slurm_fail(err, p, "cannot create directory");
        p[i] = c;
    }
    return 0;
}

/* An absolute form of a path that may not exist yet (the database). */
static int abs_path(const char *path, char *out, struct diag *err)
{
    if (path[0] == '/') {
        snprintf(out, PATH_MAX, "%s", path);
        return 0;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return slurm_fail(err, path, "cannot resolve");
    if ((size_t)snprintf(out, PATH_MAX, "%s/%s", cwd, path) >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return slurm_fail(err, path, "cannot resolve");
    }
    return 0;
}

/* #SBATCH lines are split by Slurm, and '%' starts its file name
 * patterns: refuse what they cannot carry rather than emit a job that
 * writes its logs somewhere else. */
static int check_sbatch_path(const char *dir, struct diag *err)
{
    if (strpbrk(dir, " \t\n%\"'\\")) {
        struct src_loc loc = { dir, 0, 0 };
        return diag_set(err, &loc, "--emit-slurm: Slurm's #SBATCH lines cannot hold a"
                        " directory with spaces, quotes or '%%'; choose another DIR");
    }
    return 0;
}

struct emit {
    const struct sweep_plan *p;
    const struct slurm_options *o;
    struct slurm_result *res;
    char exe[PATH_MAX];
    char scenario[PATH_MAX];
};

static void task_line(const struct emit *e, FILE *f, const struct sweep_run *r, size_t task)
{
    const struct sweep_plan *p = e->p;
    char buf[PATH_MAX + 64];
    shell_quote(f, e->exe);
    fputs(" run ", f);
    shell_quote(f, e->scenario);
    fprintf(f, " --point %zu --rep %d --seed %llu", r->point, r->rep,
            (unsigned long long)r->seed);
    if (e->o->kernel) {
        fputs(" --kernel ", f);
        shell_quote(f, e->o->kernel);
    }
    for (size_t i = 0; i < p->nfixed; i++) {
        snprintf(buf, sizeof buf, "%s=%s", p->fixed[i].name, p->fixed[i].value);
        fputs(" --set ", f);
        shell_quote(f, buf);
    }
    for (size_t a = 0; a < p->naxes; a++) {
        if (p->axes[a].is_seed)
            continue; /* already the --seed */
        snprintf(buf, sizeof buf, "%s=%s", p->axes[a].path,
                 p->axes[a].values[sweep_value_index(p, r->point, a)]);
        fputs(" --set ", f);
        shell_quote(f, buf);
    }
    snprintf(buf, sizeof buf, "%s/results/task-%zu.db", e->res->dir, task);
    fputs(" -o ", f);
    shell_quote(f, buf);
    fputs(" -q --progress never\n", f);
}

static FILE *open_out(const struct emit *e, const char *name, char *path, struct diag *err)
{
    snprintf(path, PATH_MAX + 32, "%s/%s", e->res->dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        slurm_fail(err, path, "cannot create file");
    return f;
}

static int close_out(FILE *f, const char *path, mode_t mode, struct diag *err)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad)
        return slurm_fail(err, path, "cannot write file");
    if (chmod(path, mode) != 0)
        return slurm_fail(err, path, "cannot make executable");
    return 0;
}

static int write_tasks(struct emit *e, struct diag *err)
{
    char path[PATH_MAX + 32];
    FILE *f = open_out(e, "tasks.txt", path, err);
    if (!f)
        return -1;
    size_t task = 0;
    for (size_t i = 0; i < e->p->nruns; i++)
        if (!e->p->runs[i].done)
            task_line(e, f, &e->p->runs[i], ++task);
    return close_out(f, path, 0644, err);
}

/* A job name Slurm shows as is: the scenario name, tamed. */
static void job_name(const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "lparsim-%s", name);
    for (char *c = buf; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
            *c = '_';
}

static int write_sbatch(struct emit *e, struct diag *err)
{
    char path[PATH_MAX + 32], name[128], throttle[32] = "";
    job_name(cfg_str(e->p->s->root, "name"), name, sizeof name);
    if (e->o->max_parallel)
        snprintf(throttle, sizeof throttle, "%%%u", e->o->max_parallel);
    FILE *f = open_out(e, "sweep.sbatch", path, err);
    if (!f)
        return -1;
    const char *d = e->res->dir;
    fprintf(f, "#!/bin/bash\n"
               "#SBATCH --job-name=%s\n"
               "#SBATCH --array=1-%zu%s\n"
               "#SBATCH --output=%s/logs/%%A_%%a.out\n"
               "#SBATCH --ntasks=1\n"
               "# Written by `lparsim sweep --emit-slurm`: array task i runs line i of\n"
               "# tasks.txt (one lparsim run writing results/task-i.db). Submit with\n"
               "# `sbatch %s/sweep.sbatch`, then join with `bash %s/merge.sh`.\n"
               "set -euo pipefail\n"
               ": \"${SLURM_ARRAY_TASK_ID:?run this with sbatch (or set SLURM_ARRAY_TASK_ID)}\"\n"
               "tasks=", name, e->res->ntasks, throttle, d, d, d);
    char tasks[PATH_MAX + 32];
    snprintf(tasks, sizeof tasks, "%s/tasks.txt", d);
    shell_quote(f, tasks);
    fputs("\nline=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" \"$tasks\")\n"
          "[ -n \"$line\" ] || { echo \"no task $SLURM_ARRAY_TASK_ID in $tasks\" >&2; exit 2; }\n"
          "exec bash -c \"$line\"\n", f);
    return close_out(f, path, 0755, err);
}

static int write_merge(struct emit *e, struct diag *err)
{
    char path[PATH_MAX + 32], results[PATH_MAX + 32];
    FILE *f = open_out(e, "merge.sh", path, err);
    if (!f)
        return -1;
    snprintf(results, sizeof results, "%s/results", e->res->dir);
    fputs("#!/bin/bash\n"
          "# Written by `lparsim sweep --emit-slurm`: joins the task databases into\n"
          "# OUT (default: the sweep's database), one run per run_key.\n"
          "# usage: merge.sh [OUT]\n"
          "set -euo pipefail\n"
          "shopt -s nullglob\n"
          "out=${1:-", f);
    shell_quote(f, e->res->db);
    fputs("}\ndbs=(", f);
    shell_quote(f, results);
    fputs("/task-*.db)\n"
          "[ ${#dbs[@]} -gt 0 ] || { echo \"merge.sh: no task databases yet\" >&2; exit 2; }\n"
          "exec ", f);
    shell_quote(f, e->exe);
    fputs(" merge \"$out\" \"${dbs[@]}\"\n", f);
    return close_out(f, path, 0755, err);
}

static int resolve_paths(struct emit *e, struct diag *err)
{
    char sub[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", e->exe, sizeof e->exe - 1);
    if (n <= 0)
        return slurm_fail(err, "/proc/self/exe", "cannot find the lparsim binary");
    e->exe[n] = '\0';
    if (!realpath(e->o->scenario, e->scenario))
        return slurm_fail(err, e->o->scenario, "cannot resolve");
    /* checked before and after resolving symlinks, and before creating */
    if (abs_path(e->o->dir, sub, err) || check_sbatch_path(sub, err) ||
        make_dir(e->o->dir, err))
        return -1;
    if (!realpath(e->o->dir, e->res->dir))
        return slurm_fail(err, e->o->dir, "cannot resolve");
    if (check_sbatch_path(e->res->dir, err) || abs_path(e->o->db_path, e->res->db, err))
        return -1;
    snprintf(sub, sizeof sub, "%s/logs", e->res->dir);
    if (make_dir(sub, err))
        return -1;
    snprintf(sub, sizeof sub, "%s/results", e->res->dir);
    return make_dir(sub, err);
}

int sweep_emit_slurm(const struct sweep_plan *p, const struct slurm_options *o,
                     struct slurm_result *res, struct diag *err)
{
    struct emit e = { .p = p, .o = o, .res = res };
    memset(res, 0, sizeof *res);
    for (size_t i = 0; i < p->nruns; i++)
        res->ntasks += !p->runs[i].done;
    if (res->ntasks == 0)
        return 0;
    if (resolve_paths(&e, err) || write_tasks(&e, err) || write_sbatch(&e, err) ||
        write_merge(&e, err))
        return -1;
    return 0;
}
