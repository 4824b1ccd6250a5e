/* cli/commands_sweep.c — `sweep`, `merge` and `export`: option parsing,
 * messages and exit codes. The work is in cli/sweep*.c (plan, local
 * workers, Slurm files) and sim/results_{merge,export}.c. */
#define _POSIX_C_SOURCE 200809L
#include "cli/commands.h"

#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/registry.h"
#include "cli/sweep.h"
#include "cli/sweep_exec.h"
#include "cli/sweep_slurm.h"
#include "sim/results.h"

/* ---- shared option helpers ---- */

/* A whole decimal number in [min, max], or an error naming the option. */
static int parse_count(const struct args *a, const char *opt, uint64_t min, uint64_t max,
                       uint64_t *out)
{
    const char *s = args_get(a, opt);
    if (!s)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || v < min || v > max)
        return cli_error(a->cmd, "--%s expects a whole number from %" PRIu64 " to %" PRIu64
                         ", got '%s'", opt, min, max, s);
    *out = v;
    return 0;
}

static int parse_progress_opt(const struct args *a, bool *on)
{
    const char *p = args_get(a, "progress");
    if (!p || strcmp(p, "auto") == 0)
        *on = isatty(STDERR_FILENO);
    else if (strcmp(p, "always") == 0 || strcmp(p, "never") == 0)
        *on = p[0] == 'a';
    else
        return cli_error(a->cmd, "--progress expects auto, always or never, got '%s'", p);
    return 0;
}

/* The values of a repeatable option, in order. */
static size_t collect(const struct args *a, const char *name, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < a->nopts; i++)
        if (strcmp(a->opts[i].name, name) == 0)
            out[n++] = a->opts[i].value;
    return n;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* ---- sweep ---- */

static const struct opt_desc sweep_opts[] = {
    { "jobs", 'j', true, false },
    { "vary", 0, true, true },
    { "reps", 0, true, false },
    { "set", 0, true, true },
    { "seed", 0, true, false },
    { "kernel", 0, true, false },
    { "output", 'o', true, false },
    { "resume", 0, false, false },
    { "emit-slurm", 0, true, false },
    { "slurm-max-parallel", 0, true, false },
    { "progress", 0, true, false },
    { "independent-seeds", 0, false, false },
    { "quiet", 'q', false, false },
    { 0 }
};

static void sweep_help(void)
{
    puts("usage: lparsim sweep SCENARIO [-j N] [--vary PATH=V1,V2,...]... [--reps N]\n"
         "                     [--set PATH=VALUE]... [--seed N] [--kernel K] [-o DB]\n"
         "                     [--resume] [--independent-seeds] [--progress auto|always|never]\n"
         "                     [--emit-slurm DIR [--slurm-max-parallel M]] [-q]\n\n"
         "Runs the cartesian product of the varied parameters (the scenario's\n"
         "sweep.vary; --vary adds a path or replaces the file's list for it, and\n"
         "`seed` may be varied) times the repetitions (--reps, else sweep.reps), all\n"
         "into one database (default results/NAME.db). Every point is checked before\n"
         "anything runs. Rep r runs with a seed derived from the base seed and r, the\n"
         "same at every point (common random numbers); --independent-seeds derives it\n"
         "from the point too. -j N runs N worker processes. A failed run is recorded\n"
         "with status failed and the sweep goes on. --resume skips runs whose run_key\n"
         "is already in DB with status ok. --emit-slurm DIR runs nothing: it writes a\n"
         "Slurm job array (DIR/sweep.sbatch, DIR/tasks.txt) and DIR/merge.sh for the\n"
         "runs not yet in DB. See docs/sweeps.md.\n"
         "Exit status: 0 all runs ok, 1 some run failed, 2 bad input, 3 every run\n"
         "completed but some missed an invariant or expect: (status check_failed;\n"
         "--resume counts those as done).");
}

struct sweep_cli {
    struct args a;
    enum kernel_backend kernel;
    bool progress;
    uint64_t jobs, reps, max_parallel;
    const char *db;
    char db_default[512];
};

static int sweep_parse(struct sweep_cli *c, int argc, char **argv)
{
    struct args *a = &c->a;
    if (args_parse(a, argc, argv, sweep_opts) != 0)
        return 2;
    if (a->help) {
        sweep_help();
        return -1;
    }
    if (a->npositional != 1)
        return cli_error(a->cmd, "expected one SCENARIO file (see lparsim sweep --help)");
    const char *k = args_get(a, "kernel");
    c->kernel = KERNEL_SYSTEMC;
    if (k && !kernel_backend_parse(k, &c->kernel))
        return cli_error(a->cmd, "unknown kernel '%s' (expected systemc or native)", k);
    c->jobs = 1;
    c->reps = 0;
    c->max_parallel = 0;
    if (args_check_seed(a) || parse_progress_opt(a, &c->progress) ||
        parse_count(a, "jobs", 1, 1024, &c->jobs) ||
        parse_count(a, "reps", 1, 100000, &c->reps) ||
        parse_count(a, "slurm-max-parallel", 1, 1000000, &c->max_parallel))
        return 2;
    if (c->max_parallel && !args_has(a, "emit-slurm"))
        return cli_error(a->cmd, "--slurm-max-parallel only applies with --emit-slurm");
    return 0;
}

static int sweep_emit(const struct sweep_cli *c, const struct sweep_plan *p)
{
    struct slurm_options so = {
        .dir = args_get(&c->a, "emit-slurm"), .scenario = c->a.positional[0],
        .db_path = c->db, .kernel = args_get(&c->a, "kernel"),
        .max_parallel = (unsigned)c->max_parallel,
    };
    struct slurm_result res;
    struct diag err;
    if (sweep_emit_slurm(p, &so, &res, &err) != 0) {
        diag_print(&err, stderr);
        return 2;
    }
    if (res.ntasks == 0) {
        printf("nothing to run: %s %zu %s already done in %s\n",
               p->nruns == 1 ? "the" : "all", p->nruns, plural(p->nruns, "run is", "runs are"),
               c->db);
        return 0;
    }
    printf("wrote a Slurm array of %zu %s (of %zu %s) to %s\n"
           "  submit:  sbatch %s/sweep.sbatch\n"
           "  then:    bash %s/merge.sh      (joins %s/results/*.db into %s)\n",
           res.ntasks, plural(res.ntasks, "task", "tasks"), p->nruns,
           plural(p->nruns, "run", "runs"), res.dir, res.dir, res.dir, res.dir, res.db);
    if (res.ntasks > 1000)
        printf("  note: Slurm's default MaxArraySize is 1001; ask your admins or split"
               " the sweep\n");
    return 0;
}

/* The points some of whose runs came to `outcome`, each once, with those
 * reps and the first one's message. */
static void list_points(const struct sweep_plan *p, char outcome, const char *title)
{
    size_t n = 0, npoints = 0, last = SIZE_MAX;
    for (size_t i = 0; i < p->nruns; i++) {
        if (p->runs[i].outcome != outcome)
            continue;
        n++;
        npoints += p->runs[i].point != last; /* runs are point-major */
        last = p->runs[i].point;
    }
    if (!n)
        return;
    printf("%s: %zu %s of %zu %s:\n", title, n, plural(n, "run", "runs"), npoints,
           plural(npoints, "point", "points"));
    for (size_t i = 0; i < p->nruns;) {
        size_t j = i;
        while (j < p->nruns && p->runs[j].point == p->runs[i].point)
            j++;
        const struct sweep_run *first = NULL;
        char reps[256] = "", label[512];
        size_t used = 0, k = 0;
        for (size_t r = i; r < j; r++) {
            if (p->runs[r].outcome != outcome)
                continue;
            first = first ? first : &p->runs[r];
            used += (size_t)snprintf(reps + used, used < sizeof reps ? sizeof reps - used : 0,
                                     "%s%d", k++ ? "," : "", p->runs[r].rep);
        }
        if (first) {
            sweep_point_label(p, first->point, label, sizeof label);
            printf("  point %zu%s%s%s, %s %s: %s\n", first->point, *label ? " (" : "", label,
                   *label ? ")" : "", plural(k, "rep", "reps"), reps,
                   first->message ? first->message : "");
        }
        i = j;
    }
}

static int sweep_run_local(const struct sweep_cli *c, struct sweep_plan *p)
{
    size_t todo = 0;
    for (size_t i = 0; i < p->nruns; i++)
        todo += !p->runs[i].done;
    if (todo == 0) {
        printf("nothing to run: %s %zu %s already done in %s\n",
               p->nruns == 1 ? "the" : "all", p->nruns, plural(p->nruns, "run is", "runs are"),
               c->db);
        return 0;
    }
    struct sweep_exec_options eo = {
        .db_path = c->db, .kernel = c->kernel, .progress = c->progress, .cmd = c->a.cmd,
        .jobs = (unsigned)(c->jobs < todo ? c->jobs : todo),
    };
    struct sweep_tally t;
    struct diag err;
    int rc = sweep_execute(p, &eo, &t, &err);
    if (rc == 0 && t.interrupted) {
        size_t done = t.ok + t.check_failed + t.failed;
        fprintf(stderr, "lparsim %s: interrupted (%s): %zu of %zu %s done and kept in %s, %zu"
                        " under way stopped (nothing written for %s), %zu not started; rerun"
                        " with --resume to finish\n", c->a.cmd,
                t.interrupted == SIGTERM ? "SIGTERM" : "Ctrl-C", done, todo,
                plural(todo, "run", "runs"), c->db, t.stopped,
                plural(t.stopped, "it", "them"), todo - done - t.stopped);
        return 128 + t.interrupted;
    }
    if (!args_has(&c->a, "quiet") || rc != 0)
        printf("sweep %s: %zu %s (%zu %s x %" PRIu64 " %s): %zu ok, %zu check_failed,"
               " %zu failed, %zu skipped, %.3g s wall with -j %u\nresults: %s\n",
               cfg_str(p->s->root, "name"), t.total, plural(t.total, "run", "runs"),
               p->npoints, plural(p->npoints, "point", "points"), p->reps,
               plural(p->reps, "rep", "reps"), t.ok, t.check_failed, t.failed, t.skipped,
               t.wall_s, eo.jobs, c->db);
    if (!args_has(&c->a, "quiet")) {
        list_points(p, SWEEP_RUN_CHECK_FAILED, "missed a check (status check_failed)");
        list_points(p, SWEEP_RUN_FAILED, "failed");
    }
    if (rc != 0) {
        diag_print(&err, stderr);
        return 2;
    }
    return t.failed ? 1 : t.check_failed ? 3 : 0;
}

/* The runs skipped as done take their point in this sweep's numbering:
 * values added to an axis number the points anew. */
static int renumber_done(const struct sweep_plan *p, const char *db, struct diag *err)
{
    const char **keys = calloc(p->nruns, sizeof *keys);
    size_t *points = calloc(p->nruns, sizeof *points), n = 0;
    int e = keys && points ? 0 : diag_set(err, NULL, "out of memory");
    for (size_t i = 0; !e && i < p->nruns; i++)
        if (p->runs[i].done) {
            keys[n] = p->runs[i].run_key;
            points[n++] = p->runs[i].point;
        }
    if (!e)
        e = results_renumber_points(db, keys, points, n, err);
    free(keys);
    free(points);
    return e;
}

/* Loads, expands and checks; reads which runs the database already has. */
static int sweep_prepare(struct sweep_cli *c, struct scenario **s, struct sweep_plan *p)
{
    const char *sets[ARGS_MAX], *varies[ARGS_MAX];
    struct sweep_request req = {
        .sets = sets, .nsets = collect(&c->a, "set", sets),
        .varies = varies, .nvaries = collect(&c->a, "vary", varies),
        .seed = args_get(&c->a, "seed"), .reps = c->reps,
        .independent_seeds = args_has(&c->a, "independent-seeds"),
    };
    struct diag err;
    if (!(*s = scenario_load(c->a.positional[0], &scenario_schema, &err)) ||
        sweep_plan_init(p, *s, &req, &err) != 0) {
        diag_print(&err, stderr);
        return 2;
    }
    c->db = args_get(&c->a, "output");
    if (!c->db) {
        snprintf(c->db_default, sizeof c->db_default, "results/%s.db",
                 cfg_str((*s)->root, "name"));
        c->db = c->db_default;
    }
    /* Also refuses a foreign -o file before any worker tries it. The
     * Slurm files always leave done runs out: merge would keep the
     * database's ok runs anyway. */
    struct results_keys done;
    if (results_ok_keys(c->db, &done, &err) != 0) {
        diag_print(&err, stderr);
        return 2;
    }
    size_t ndone = 0;
    if (args_has(&c->a, "resume") || args_has(&c->a, "emit-slurm"))
        ndone = sweep_mark_done(p, &done);
    results_keys_free(&done);
    if (ndone && renumber_done(p, c->db, &err) != 0) {
        diag_print(&err, stderr);
        return 2;
    }
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    struct sweep_cli c;
    int rc = sweep_parse(&c, argc, argv);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct scenario *s = NULL;
    struct sweep_plan p;
    memset(&p, 0, sizeof p);
    rc = sweep_prepare(&c, &s, &p);
    if (rc == 0)
        rc = args_has(&c.a, "emit-slurm") ? sweep_emit(&c, &p) : sweep_run_local(&c, &p);
    sweep_plan_free(&p);
    if (s)
        scenario_free(s);
    return rc;
}

/* ---- merge ---- */

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cmd_merge(int argc, char **argv)
{
    static const struct opt_desc opts[] = { { "quiet", 'q', false, false }, { 0 } };
    struct args a;
    if (args_parse(&a, argc, argv, opts) != 0)
        return 2;
    if (a.help) {
        puts("usage: lparsim merge OUT.db IN.db... [-q]\n\n"
             "Copies the runs of each IN into OUT (created if needed), one run per\n"
             "run_key: a run OUT already has with status ok (or check_failed) is kept, an\n"
             "incoming one replaces a failed one. Every IN is read through first, then all\n"
             "are copied in one transaction: a missing, foreign or damaged IN leaves OUT\n"
             "as it was (and no new OUT), exit 2. An IN that is OUT itself is skipped.");
        return 0;
    }
    if (a.npositional < 2)
        return cli_error(a.cmd, "expected OUT.db and at least one IN.db"
                                " (see lparsim merge --help)");
    const char *out = a.positional[0];
    const char *in[ARGS_MAX];
    size_t nin = 0, skipped = 0;
    for (size_t i = 1; i < a.npositional; i++) {
        if (same_file(a.positional[i], out)) {
            skipped++; /* a glob that caught OUT itself: nothing to add */
            continue;
        }
        in[nin++] = a.positional[i];
    }
    if (nin == 0)
        return cli_error(a.cmd, "nothing to merge: %s is OUT itself", a.positional[1]);
    struct diag err;
    struct results_keys existing;
    if (results_ok_keys(out, &existing, &err) != 0) { /* a foreign OUT */
        diag_print(&err, stderr);
        return 2;
    }
    results_keys_free(&existing);
    struct merge_counts total;
    if (results_merge_all(out, in, nin, &total, &err) != 0) {
        diag_print(&err, stderr); /* OUT is as it was */
        return 2;
    }
    if (!args_has(&a, "quiet"))
        printf("merged %zu %s into %s: %zu %s added, %zu failed %s replaced, %zu already"
               " there%s\n", nin, plural(nin, "database", "databases"), out, total.added,
               plural(total.added, "run", "runs"), total.replaced,
               plural(total.replaced, "run", "runs"), total.kept,
               skipped ? " (OUT itself skipped as an input)" : "");
    return 0;
}

/* ---- export ---- */

int cmd_export(int argc, char **argv)
{
    static const struct opt_desc opts[] = { { "csv", 0, true, false }, { 0 } };
    struct args a;
    if (args_parse(&a, argc, argv, opts) != 0)
        return 2;
    if (a.help) {
        puts("usage: lparsim export DB --csv DIR\n\n"
             "Writes one CSV file per table of DB into DIR (run.csv, param.csv,\n"
             "scalar.csv, statistic.csv, histogram.csv, series.csv, event.csv): a header\n"
             "row, then every row; RFC 4180 quoting; join on run_id.");
        return 0;
    }
    if (a.npositional != 1)
        return cli_error(a.cmd, "expected one DB (see lparsim export --help)");
    const char *dir = args_get(&a, "csv");
    if (!dir)
        return cli_error(a.cmd, "--csv DIR is required (the only export format)");
    struct diag err;
    if (results_export_csv(a.positional[0], dir, &err) != 0) {
        diag_print(&err, stderr);
        return 2;
    }
    return 0;
}
