/* cli/commands.c — `run`, `check` and `params`. */
#define _POSIX_C_SOURCE 200809L
#include "cli/commands.h"
#include "sim/suggest.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/expect_check.h"
#include "cli/machine.h"
#include "cli/registry.h"
#include "cli/run.h"
#include "cli/timeline_actions.h"
#include "sim/scenario.h"
#include "sim/units.h"
#include "workloads/workload.h"

/* ---- shared: load a scenario and apply --set / --seed ---------------- */

struct loaded {
    struct scenario *s;
    struct run_param params[ARGS_MAX];
    size_t nparams;
};

static int load_with_overrides(const struct args *a, const char *file, struct loaded *ld)
{
    struct diag err;
    memset(ld, 0, sizeof *ld);
    if (args_check_seed(a))
        return -1;
    ld->s = scenario_load(file, &scenario_schema, &err);
    if (!ld->s) {
        diag_print(&err, stderr);
        return -1;
    }
    for (size_t i = 0; i < a->nopts; i++) {
        const struct opt_value *o = &a->opts[i];
        char buf[1024];
        const char *assignment = o->value;
        if (strcmp(o->name, "seed") == 0) {
            snprintf(buf, sizeof buf, "seed=%s", o->value);
            assignment = buf;
        } else if (strcmp(o->name, "set") != 0) {
            continue;
        }
        if (scenario_set(ld->s, assignment, NULL, &err) != 0) {
            diag_print(&err, stderr);
            return -1;
        }
        size_t eq = strcspn(assignment, "=");
        char *name = strndup(assignment, eq);
        /* --seed's value from argv: buf does not outlive this iteration */
        const char *value = assignment == buf ? o->value : assignment[eq] ? assignment + eq + 1 : "";
        ld->params[ld->nparams++] = (struct run_param){ name, value };
    }
    struct expect_list el;
    if (scenario_check_refs(ld->s, &err) != 0 || machine_check(ld->s->root, &err) != 0 ||
        expect_check(ld->s->root, &el, &err) != 0) {
        diag_print(&err, stderr);
        return -1;
    }
    expect_list_free(&el);
    return 0;
}

static void loaded_free(struct loaded *ld)
{
    for (size_t i = 0; i < ld->nparams; i++)
        free((char *)ld->params[i].name);
    scenario_free(ld->s);
}

static int parse_kernel(const struct args *a, enum kernel_backend *k)
{
    const char *name = args_get(a, "kernel");
    *k = KERNEL_SYSTEMC;
    if (name && !kernel_backend_parse(name, k))
        return cli_error(a->cmd, "unknown kernel '%s' (expected systemc or native)", name);
    return 0;
}

/* --progress auto|always|never: auto = when stderr is a terminal. */
static int parse_progress(const struct args *a, bool *on)
{
    const char *p = args_get(a, "progress");
    if (!p || strcmp(p, "auto") == 0)
        *on = isatty(STDERR_FILENO);
    else if (strcmp(p, "always") == 0)
        *on = true;
    else if (strcmp(p, "never") == 0)
        *on = false;
    else
        return cli_error(a->cmd, "--progress expects auto, always or never, got '%s'", p);
    return 0;
}

/* ---- run ------------------------------------------------------------- */

/* Ctrl-C (SIGINT) or SIGTERM during a run: the signal's number; the run
 * stops at its next slice and writes nothing. */
static volatile sig_atomic_t run_stop;

static void on_stop_signal(int sig)
{
    run_stop = sig;
}

static void catch_stop_signals(void)
{
    struct sigaction sa = { .sa_handler = on_stop_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static const struct opt_desc run_opts[] = {
    { "output", 'o', true, false },
    { "set", 0, true, true },
    { "seed", 0, true, false },
    { "rep", 0, true, false },
    { "point", 0, true, false },
    { "kernel", 0, true, false },
    { "progress", 0, true, false },
    { "quiet", 'q', false, false },
    { "trace-io", 0, true, false },
    { 0 }
};

/* --trace-io [LPAR:]N: the I/O whose hops to print. *lpar points into
 * the argument (its text up to the colon is copied into buf). */
static int parse_trace(const struct args *a, char *buf, size_t n, const char **lpar,
                       uint64_t *seq)
{
    const char *s = args_get(a, "trace-io");
    *lpar = NULL;
    *seq = 0;
    if (!s)
        return 0;
    const char *colon = strrchr(s, ':');
    const char *num = colon ? colon + 1 : s;
    if (colon) {
        if ((size_t)(colon - s) >= n || colon == s)
            return cli_error(a->cmd, "--trace-io expects [LPAR:]N, got '%s'", s);
        memcpy(buf, s, (size_t)(colon - s));
        buf[colon - s] = '\0';
        *lpar = buf;
    }
    char *end;
    unsigned long long v = strtoull(num, &end, 10);
    if (!*num || *end || v == 0 || *num == '-')
        return cli_error(a->cmd, "--trace-io expects [LPAR:]N with N >= 1 (the I/O number), got '%s'", s);
    *seq = v;
    return 0;
}

/* --rep N: the repetition index that goes into the run_key, so that one
 * task of a Slurm array reproduces the run_key of the sweep's run; and
 * --point N, the sweep point it records (run.point). */
static int parse_index(const struct args *a, const char *opt, long *out, bool *given)
{
    const char *s = args_get(a, opt);
    char *end;
    *out = 0;
    *given = s != NULL;
    if (!s)
        return 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 1000000000 || !(*s >= '0' && *s <= '9'))
        return cli_error(a->cmd, "--%s expects a whole number from 0 to 1000000000, got '%s'",
                         opt, s);
    *out = v;
    return 0;
}

static void run_help(void)
{
    puts("usage: lparsim run SCENARIO [-o DB] [--set PATH=VALUE]... [--seed N] [--rep N]\n"
         "                   [--point N] [--kernel systemc|native]\n"
         "                   [--progress auto|always|never] [-q] [--trace-io [LPAR:]N]\n\n"
         "Runs SCENARIO and writes its results to DB (default results/NAME.db, NAME\n"
         "being the scenario's name). --set overrides any parameter by its path,\n"
         "e.g. --set lpars.db1.workload.rate=50k/s (see lparsim check / params).\n"
         "--rep N records the run as repetition N of a sweep (it is part of the\n"
         "run_key; the tasks written by `lparsim sweep --emit-slurm` use it), and\n"
         "--point N as the run of sweep point N (recorded in run.point).\n"
         "--trace-io [LPAR:]N prints, hop by hop with its time, the path of I/O\n"
         "number N of LPAR (default: the first LPAR) through driver, PHB, link,\n"
         "TCEs, device, MSI-X, XIVE and CPU.\n"
         "Exit status: 0 ok, 2 bad input, 3 the run completed but an invariant or an\n"
         "expect: assertion missed (status check_failed; every row is written), 130\n"
         "interrupted by Ctrl-C (143 by SIGTERM): nothing is written.");
}

/* `run` runs the base values once: say so when the file also describes a
 * sweep, which only `lparsim sweep` runs. */
static void note_sweep_section(const char *cmd, const char *file, const struct cfg_node *root)
{
    const struct cfg_node *sw = cfg_find(root, "sweep");
    if (!sw || sw->is_default)
        return;
    const struct cfg_node *vary = cfg_find(sw, "vary");
    uint64_t points = 1, reps = cfg_u64(sw, "reps");
    for (size_t i = 0; vary && i < vary->nkids; i++)
        points *= vary->kids[i]->nkids;
    fprintf(stderr, "lparsim %s: note: %s has a sweep: section (%llu point%s x %llu rep%s);"
                    " `lparsim run` runs the scenario once, with its base values. To run"
                    " the sweep: lparsim sweep %s\n",
            cmd, file, (unsigned long long)points, points == 1 ? "" : "s",
            (unsigned long long)reps, reps == 1 ? "" : "s", file);
}

static void print_summary(const struct run_outcome *out, const char *db)
{
    printf("run %s: %llu events, %.6g s simulated in %.3g s wall (%.3g Mev/s)\n",
           out->ok ? "ok" : "CHECK_FAILED", (unsigned long long)out->events,
           sim_time_to_s(out->sim_end), out->wall_s,
           out->wall_s > 0 ? (double)out->events / out->wall_s / 1e6 : 0);
    if (!out->ok)
        printf("  error: %s\n", out->error);
    for (size_t i = 0; i < recorder_statistic_count(out->rec); i++) {
        const struct statistic *st = recorder_statistic_at(out->rec, i);
        if (strcmp(statistic_name(st), "io_latency") != 0)
            continue;
        const char *comp = statistic_component(st);
        double issued = 0, completed = 0, failed = 0, lost = 0;
        recorder_scalar_get(out->rec, comp, "ios_issued", &issued);
        recorder_scalar_get(out->rec, comp, "ios_completed", &completed);
        recorder_scalar_get(out->rec, comp, "ios_failed", &failed);
        recorder_scalar_get(out->rec, comp, "ios_lost", &lost);
        const char *unit = statistic_unit(st);
        char mean[32], p50[32], p99[32];
        printf("  %-16s io_latency mean %s  p50 %s  p99 %s  (n=%llu)  "
               "ios issued %.0f completed %.0f failed %.0f lost %.0f\n",
               comp, unit_show_measured(statistic_mean(st), unit, mean, sizeof mean),
               unit_show_measured(statistic_quantile(st, 0.5), unit, p50, sizeof p50),
               unit_show_measured(statistic_quantile(st, 0.99), unit, p99, sizeof p99),
               (unsigned long long)statistic_count(st), issued, completed, failed, lost);
    }
    printf("results: %s\n", db);
}

int cmd_run(int argc, char **argv)
{
    struct args a;
    if (args_parse(&a, argc, argv, run_opts) != 0)
        return 2;
    if (a.help) {
        run_help();
        return 0;
    }
    if (a.npositional != 1)
        return cli_error(a.cmd, "expected one SCENARIO file (see lparsim run --help)");
    enum kernel_backend kernel = KERNEL_SYSTEMC;
    bool progress = false;
    long rep = 0, point = 0;
    bool has_rep, in_sweep;
    char trace_buf[128];
    const char *trace_lpar;
    uint64_t trace_seq;
    if (parse_kernel(&a, &kernel) || parse_progress(&a, &progress) ||
        parse_index(&a, "rep", &rep, &has_rep) || parse_index(&a, "point", &point, &in_sweep) ||
        parse_trace(&a, trace_buf, sizeof trace_buf, &trace_lpar, &trace_seq))
        return 2;

    struct loaded ld;
    if (load_with_overrides(&a, a.positional[0], &ld) != 0) {
        loaded_free(&ld);
        return 2;
    }
    if (!args_has(&a, "quiet"))
        note_sweep_section(a.cmd, a.positional[0], ld.s->root);
    char db_default[512];
    const char *db = args_get(&a, "output");
    if (!db) {
        snprintf(db_default, sizeof db_default, "results/%s.db", cfg_str(ld.s->root, "name"));
        db = db_default;
    }
    const struct cfg_node *lpars = cfg_find(ld.s->root, "lpars");
    if (trace_seq && (!lpars || lpars->nkids == 0 ||
                      (trace_lpar && !cfg_item(lpars, trace_lpar)))) {
        char shown[64];
        cli_error(a.cmd, "--trace-io: the scenario has no LPAR%s%s%s", trace_lpar ? " named '" : "",
                  trace_lpar ? unit_show(trace_lpar, shown, sizeof shown) : "",
                  trace_lpar ? "'" : "");
        loaded_free(&ld);
        return 2;
    }
    struct run_options ro = {
        .kernel = kernel, .rep = (int)rep, .in_sweep = in_sweep, .point = (size_t)point,
        .db_path = db, .progress = progress, .stop = &run_stop,
        .params = ld.params, .nparams = ld.nparams,
        .trace_lpar = trace_lpar, .trace_seq = trace_seq,
    };
    struct run_outcome out;
    struct diag err;
    catch_stop_signals();
    int rc = run_scenario(ld.s, &ro, &out, &err);
    if (rc != 0) {
        diag_print(&err, stderr);
        rc = 2;
    } else if (out.interrupted) {
        char at[32], end[32];
        fprintf(stderr, "lparsim run: interrupted (%s) at %s of %s simulated; nothing written"
                        " to %s\n", run_stop == SIGTERM ? "SIGTERM" : "Ctrl-C",
                unit_show_measured(sim_time_to_ns(out.sim_end), "ns", at, sizeof at),
                unit_show_measured(sim_time_to_ns(cfg_u64(ld.s->root, "duration")), "ns", end,
                                   sizeof end), db);
        rc = 128 + (int)run_stop;
    } else {
        if (trace_seq && out.trace_lines == 0)
            printf("--trace-io: I/O %llu of LPAR %s was not issued before the run ended\n",
                   (unsigned long long)trace_seq,
                   trace_lpar ? trace_lpar : lpars->kids[0]->key);
        if (!args_has(&a, "quiet"))
            print_summary(&out, db);
        rc = out.ok ? 0 : 3;
    }
    if (out.rec)
        recorder_destroy(out.rec);
    loaded_free(&ld);
    return rc;
}

/* ---- check ----------------------------------------------------------- */

/* A workload shows only its own kind's parameters. */
static bool param_applies(const struct cfg_node *param)
{
    const struct cfg_node *owner = param->parent;
    return !owner || owner->schema != &workload_schema ||
           workload_param_applies(owner, param->key);
}

static const struct opt_desc check_opts[] = {
    { "set", 0, true, true },
    { "seed", 0, true, false },
    { "steps", 0, false, false },
    { 0 }
};

/* `check --steps`: every protocol step debug.skip_step may remove, one a
 * line, "MECH.STEP  what leaving it out does". */
static int print_steps(void)
{
    const struct mech_step *const *steps;
    size_t n = timeline_steps(&steps);
    for (size_t i = 0; i < n; i++)
        printf("%-24s %s\n", steps[i]->name, steps[i]->doc);
    return 0;
}

int cmd_check(int argc, char **argv)
{
    struct args a;
    if (args_parse(&a, argc, argv, check_opts) != 0)
        return 2;
    if (a.help) {
        puts("usage: lparsim check SCENARIO [--set PATH=VALUE]... [--seed N]\n"
             "       lparsim check --steps\n\n"
             "Validates SCENARIO and prints the resolved machine: every parameter of\n"
             "every component, with defaults filled in (marked # default).\n\n"
             "--steps lists the protocol steps `debug.skip_step` may remove, one a line:\n"
             "MECH.STEP, then what leaving it out does (the run must then detect the\n"
             "loss and end check_failed).");
        return 0;
    }
    if (args_has(&a, "steps")) {
        if (a.npositional != 0 || a.nopts != 1)
            return cli_error(a.cmd, "--steps takes no SCENARIO and no other option");
        return print_steps();
    }
    if (a.npositional != 1)
        return cli_error(a.cmd, "expected one SCENARIO file (see lparsim check --help)");
    struct loaded ld;
    int rc = load_with_overrides(&a, a.positional[0], &ld) == 0 ? 0 : 2;
    if (rc == 0) {
        char key[65];
        run_key_of(ld.s, 0, key);
        printf("# %s: ok (run_key %.16s)\n", a.positional[0], key);
        scenario_print_check(ld.s, stdout, param_applies);
    }
    loaded_free(&ld);
    return rc;
}

/* ---- params ---------------------------------------------------------- */

static const char *param_unit_or_dash(const struct param_desc *p)
{
    return p->unit && p->unit[0] ? p->unit : "-";
}

static void print_schema_params(const struct schema *sc, bool markdown)
{
    if (markdown) {
        printf("\n### %s\n\n%s\n\n| parameter | type | unit | default | range | doc |\n"
               "|---|---|---|---|---|---|\n", sc->name, sc->doc ? sc->doc : "");
    } else {
        printf("\n%s — %s\n", sc->name, sc->doc ? sc->doc : "");
    }
    for (const struct param_desc *p = sc->params; p && p->name; p++) {
        char range[96] = "";
        if (p->type == PARAM_ENUM)
            snprintf(range, sizeof range, "%s", p->choices);
        else if (p->min || p->max)
            snprintf(range, sizeof range, "%s..%s", p->min ? p->min : "", p->max ? p->max : "");
        const char *rt = p->runtime ? "[run-time] " : "";
        if (markdown)
            printf("| `%s` | %s | %s | %s | %s | %s%s |\n", p->name, param_type_name(p->type),
                   param_unit_or_dash(p), p->def ? p->def : "(required)", range, rt, p->doc);
        else
            printf("  %-18s %-8s %-4s %-12s %-22s %s%s\n", p->name, param_type_name(p->type),
                   param_unit_or_dash(p), p->def ? p->def : "(required)", range, rt, p->doc);
    }
    for (const struct schema_child *c = sc->children; c && c->key; c++) {
        char what[64];
        snprintf(what, sizeof what, "%s%s", c->kind == CFG_LIST ? "list of " : "",
                 c->schema                ? c->schema->name
                 : c->kind == CFG_SEQ     ? "list of texts"
                                          : "map PATH: [values]");
        if (markdown)
            printf("| `%s` | %s | | | | %s |\n", c->key, what, c->doc);
        else
            printf("  %-18s %-26s %s\n", c->key, what, c->doc);
    }
}

/* TYPE names no component type: suggest one, or the types that have a
 * parameter of that name, or list the types. */
static int unknown_type(const char *cmd, const char *only, const struct schema *const *all,
                        size_t n)
{
    const char *names[64];
    char list[1024] = "", owners[512] = "";
    size_t used = 0, oused = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        names[i] = all[i]->name;
        used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
                                 "%s%s", i ? ", " : "", all[i]->name);
        for (const struct param_desc *p = all[i]->params; p && p->name; p++)
            if (strcmp(p->name, only) == 0 && oused < sizeof owners)
                oused += (size_t)snprintf(owners + oused, sizeof owners - oused, "%s%s",
                                          oused ? ", " : "", all[i]->name);
    }
    const char *near = suggest_closest(only, names, n < 64 ? n : 64);
    if (near)
        return cli_error(cmd, "unknown component type '%s' (did you mean '%s'?)", only, near);
    if (oused)
        return cli_error(cmd, "'%s' is a parameter, not a component type: see lparsim params"
                         " %s", only, owners);
    return cli_error(cmd, "unknown component type '%s' (types: %s)", only, list);
}

int cmd_params(int argc, char **argv)
{
    static const struct opt_desc opts[] = { { "markdown", 0, false, false }, { 0 } };
    struct args a;
    if (args_parse(&a, argc, argv, opts) != 0)
        return 2;
    if (a.help) {
        puts("usage: lparsim params [TYPE] [--markdown]\n\n"
             "Lists every component type with its parameters: type, unit, default,\n"
             "range and meaning; [run-time] marks those a timeline `set` may change while\n"
             "the machine runs. TYPE limits the list to one component type. Where each\n"
             "default comes from (the datasheet, paper or Linux source): docs/model-reference.md.");
        return 0;
    }
    const struct schema *const *all;
    size_t n = registry_schemas(&all);
    const char *only = a.npositional ? a.positional[0] : NULL;
    bool found = false;
    bool markdown = args_has(&a, "markdown");
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, all[i]->name) != 0)
            continue;
        print_schema_params(all[i], markdown);
        found = true;
    }
    if (!found)
        return unknown_type(a.cmd, only, all, n);
    if (!markdown)
        puts("\nWhere each default comes from (datasheets, papers, the Linux source):"
             " docs/model-reference.md");
    return 0;
}
