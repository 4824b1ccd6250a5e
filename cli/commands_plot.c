/* cli/commands_plot.c — `lparsim plot DB KIND ... -o FILE`: parses the
 * command line into a struct plot_request (cli/plot.h does the work) and
 * prints the outcome. Exit status: 0 figure written, 1 gnuplot missing or
 * failed (script and data are written), 2 bad input. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/plot.h"
#include "sim/units.h"

static const struct opt_desc plot_opts[] = {
    { "output", 'o', true, false },
    { "title", 0, true, false },
    { "script-only", 0, false, false },
    { "stat", 0, true, false },
    { "runs", 0, true, false },
    { "by", 0, true, false },
    { "ccdf", 0, false, false },
    { "logx", 0, false, false },
    { "linx", 0, false, false },
    { "logy", 0, false, false },
    { "x", 0, true, false },
    { "y", 0, true, false },
    { "series", 0, true, false },
    { "model", 0, true, false },
    { "run", 0, true, false },
    { "points", 0, true, false },
    { "point", 0, true, false },
    { "rep", 0, true, false },
    { "from", 0, true, false },
    { "to", 0, true, false },
    { "phases", 0, true, false },
    { 0 }
};

static void plot_help(void)
{
    puts("usage: lparsim plot DB cdf --stat [COMPONENT:]NAME [--runs ID,...|--points P,...\n"
         "                        [--rep R]] [--by PARAM] [--ccdf] [--logx|--linx] [-o FILE]\n"
         "       lparsim plot DB sweep --x PARAM --y [COMPONENT:]NAME[.COLUMN]\n"
         "                        [--series PARAM] [--model FILE] [--logx|--linx] [--logy]\n"
         "                        [-o FILE]\n"
         "       lparsim plot DB timeline --series [COMPONENT:]NAME[,...]\n"
         "                        [--run ID | --point P --rep R] [--from TIME] [--to TIME]\n"
         "                        [--phases GLOB[,GLOB...]] [-o FILE]\n"
         "       common: [--title TEXT] [--script-only]\n\n"
         "Draws a figure from a results database with gnuplot. FILE's extension picks\n"
         "the format: .pdf, .png, .svg or .tex (cairolatex: FILE.tex + FILE.pdf).\n"
         "Beside FILE go FILE.gp (the gnuplot script, with provenance) and FILE.dat\n"
         "(the data); `gnuplot FILE.gp` regenerates the figure. Without -o the figure\n"
         "is DBSTEM-KIND.pdf; -o NAME without an extension is NAME.pdf. Figures are\n"
         "laid out for a 3.5 in column at 8 pt, axes in readable units, legends and\n"
         "labels outside the data.\n\n"
         "  cdf       CDF of a statistic's histogram, one line per run (default: every\n"
         "            run with status ok; --points: the runs of those sweep points, --rep\n"
         "            one rep of each) or per value of PARAM (runs summed); log x unless\n"
         "            --linx. --ccdf: P(X > x) on a log y axis, for tails.\n"
         "  sweep     a scalar, a statistic's mean or NAME.COLUMN (count, mean, stddev,\n"
         "            min, max, p50, p90, p99, p999) against parameter PARAM, one line\n"
         "            per value of --series PARAM; mean over repetitions with 95%\n"
         "            confidence bars (Student t; a quantile's bar is never narrower than\n"
         "            its histogram bucket). Only runs with status ok. --model FILE\n"
         "            adds curves of a closed form beside the points: lines 'x y' (x in\n"
         "            the parameter's unit as stored, y in the metric's: ns, B, ...);\n"
         "            a blank line starts another curve, '# title: TEXT' names the next.\n"
         "  timeline  sampled series of one run against time; above them one lane per\n"
         "            mechanism component (KIND_start .. KIND_end events: the mechanism\n"
         "            outlined, its steps as labelled segments); other events as\n"
         "            numbered lines, explained in a key below. --from/--to TIME\n"
         "            (999.9ms, 2s) zoom into a window; --phases GLOB[,GLOB] picks the\n"
         "            lanes (eeh.*,switch.db1). Without --series: the run's series.\n\n"
         "PARAM is a parameter path as given to --set, or its last part when that\n"
         "is unique (rate for lpars.db1.workload.rate). --script-only writes the .gp\n"
         "and .dat without running gnuplot ($LPARSIM_GNUPLOT overrides the program).\n"
         "Exit status: 0 ok, 1 gnuplot missing or failed, 2 bad input.\n"
         "See docs/figures.md.");
}

/* Options that belong to another kind are errors, not silently ignored. */
static int check_kind_opts(const struct args *a, const char *kind, const char *const *allowed)
{
    static const char *const kind_specific[] = {
        "stat", "runs", "by", "ccdf", "logx", "linx", "logy", "x", "y", "series", "run",
        "points", "point", "rep", "from", "to", "phases", "model", NULL
    };
    for (const char *const *o = kind_specific; *o; o++) {
        if (!args_has(a, *o))
            continue;
        bool ok = false;
        for (const char *const *k = allowed; *k && !ok; k++)
            ok = strcmp(*k, *o) == 0;
        if (!ok)
            return cli_error(a->cmd, "option '--%s' does not apply to a %s plot", *o, kind);
    }
    return 0;
}

static int need(const struct args *a, const char *opt, const char *kind)
{
    if (args_get(a, opt) && *args_get(a, opt))
        return 0;
    return cli_error(a->cmd, "a %s plot needs --%s (see lparsim plot --help)", kind, opt);
}

/* --from/--to TIME, a time with its unit (999.9ms); --phases not empty. */
static int parse_time(const struct args *a, const char *opt, int64_t *ps)
{
    const char *text = args_get(a, opt), *why;
    struct param_value v;
    *ps = -1;
    if (!text)
        return 0;
    if (unit_parse(PARAM_TIME, text, &v, &why) != 0)
        return cli_error(a->cmd, "--%s: %s", opt, why);
    *ps = (int64_t)v.u;
    return 0;
}

static int parse_window(const struct args *a, struct plot_request *rq)
{
    if (parse_time(a, "from", &rq->from_ps) || parse_time(a, "to", &rq->to_ps))
        return 2;
    if (rq->from_ps >= 0 && rq->to_ps >= 0 && rq->from_ps >= rq->to_ps)
        return cli_error(a->cmd, "--from %s is not before --to %s", args_get(a, "from"),
                         args_get(a, "to"));
    if (rq->phases && strspn(rq->phases, ",") == strlen(rq->phases))
        return cli_error(a->cmd, "--phases needs component globs such as eeh.*,switch.db1");
    return 0;
}

static int kind_request(const struct args *a, const char *kind, struct plot_request *rq)
{
    static const char *const cdf[] = { "stat", "runs", "by", "ccdf", "logx", "linx",
                                       "points", "rep", NULL };
    static const char *const sweep[] = { "x", "y", "series", "logx", "linx", "logy", "model",
                                         NULL };
    static const char *const timeline[] = { "series", "run", "point", "rep", "from", "to",
                                            "phases", NULL };
    if (strcmp(kind, "cdf") == 0) {
        rq->kind = PLOT_CDF;
        rq->metric = args_get(a, "stat");
        rq->by = args_get(a, "by");
        rq->ccdf = args_has(a, "ccdf");
        return check_kind_opts(a, kind, cdf) || need(a, "stat", kind);
    }
    if (strcmp(kind, "sweep") == 0) {
        rq->kind = PLOT_SWEEP;
        rq->x_param = args_get(a, "x");
        rq->metric = args_get(a, "y");
        rq->series_param = args_get(a, "series");
        rq->logy = args_has(a, "logy");
        rq->model_path = args_get(a, "model");
        return check_kind_opts(a, kind, sweep) || need(a, "x", kind) || need(a, "y", kind);
    }
    if (strcmp(kind, "timeline") == 0) {
        rq->kind = PLOT_TIMELINE;
        rq->series = args_get(a, "series"); /* none: the error lists the run's series */
        rq->phases = args_get(a, "phases");
        return check_kind_opts(a, kind, timeline) || parse_window(a, rq);
    }
    return cli_error(a->cmd, "unknown plot kind '%s' (expected cdf, sweep or timeline)", kind);
}

/* Shell-quotes where needed, so the provenance line can be pasted back. */
static char *command_line(int argc, char **argv)
{
    size_t len = 16;
    for (int i = 0; i < argc; i++)
        len += 4 * strlen(argv[i]) + 3;
    char *s = malloc(len), *o = s;
    if (!s)
        return NULL;
    o += sprintf(o, "lparsim");
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        bool plain = *w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_./:,=+-@%") == strlen(w);
        *o++ = ' ';
        if (plain) {
            o += sprintf(o, "%s", w);
            continue;
        }
        *o++ = '\'';
        for (; *w; w++)
            o += *w == '\'' ? sprintf(o, "'\\''") : sprintf(o, "%c", *w);
        *o++ = '\'';
    }
    *o = '\0';
    return s;
}

/* -o FILE; without an extension FILE.pdf, without -o DBSTEM-KIND.pdf in
 * the current directory: vector output unless asked otherwise. */
static int output_name(const struct args *a, const char *kind, char *buf, size_t n,
                       const char **out)
{
    const char *o = args_get(a, "output");
    if (o && !*o)
        return cli_error(a->cmd, "-o needs a file name (.pdf, .png, .svg or .tex)");
    if (o) {
        const char *base = strrchr(o, '/') ? strrchr(o, '/') + 1 : o;
        if (strchr(base, '.') || !*base) {
            *out = o;
            return 0;
        }
        if ((size_t)snprintf(buf, n, "%s.pdf", o) >= n)
            return cli_error(a->cmd, "output name too long");
        *out = buf;
        return 0;
    }
    const char *db = a->positional[0], *base = strrchr(db, '/') ? strrchr(db, '/') + 1 : db;
    size_t stem = strcspn(base, ".");
    if ((size_t)snprintf(buf, n, "%.*s-%s.pdf", (int)stem, base, kind) >= n)
        return cli_error(a->cmd, "output name too long");
    *out = buf;
    return 0;
}

/* --points 0,2,4 (or a timeline's --point 3) and --rep N. */
static int parse_points(const struct args *a, struct plot_request *rq, int64_t **points)
{
    const char *opt = args_has(a, "points") ? "points" : "point";
    const char *list = args_get(a, opt);
    rq->rep = -1;
    if (args_has(a, "rep")) {
        char *end;
        const char *r = args_get(a, "rep");
        long v = strtol(r, &end, 10);
        if (!*r || *end || v < 0 || !(*r >= '0' && *r <= '9'))
            return cli_error(a->cmd, "--rep expects a repetition number (0, 1, ...), got '%s'",
                             r);
        if (!list)
            return cli_error(a->cmd, "--rep goes with --point%s (the sweep points to draw)",
                             strcmp(a->positional[1], "timeline") ? "s" : "");
        rq->rep = v;
    }
    if (!list)
        return 0;
    if (args_has(a, "runs") || args_has(a, "run"))
        return cli_error(a->cmd, "--%s and --run%s exclude each other: runs are chosen by id"
                         " or by sweep point", opt, args_has(a, "runs") ? "s" : "");
    if (args_parse_list(a->cmd, opt, list, 0, "sweep points such as 0,2,4 or 1-3", points,
                        &rq->npoints))
        return 2;
    rq->points = *points;
    if (!strcmp(opt, "point") && rq->npoints != 1)
        return cli_error(a->cmd, "a timeline draws one run: --point takes one point, got '%s'",
                         list);
    return 0;
}

static int parse_request(const struct args *a, struct plot_request *rq, int64_t **ids,
                         int64_t **points, char *outbuf, size_t outn)
{
    if (a->npositional != 2)
        return cli_error(a->cmd, "expected DB and KIND (cdf, sweep or timeline); see"
                                 " lparsim plot --help");
    memset(rq, 0, sizeof *rq);
    rq->from_ps = rq->to_ps = -1;
    rq->db_path = a->positional[0];
    rq->title = args_get(a, "title");
    rq->script_only = args_has(a, "script-only");
    if (kind_request(a, a->positional[1], rq) || parse_points(a, rq, points) ||
        output_name(a, a->positional[1], outbuf, outn, &rq->out_path))
        return 2;
    if (args_has(a, "logx") && args_has(a, "linx"))
        return cli_error(a->cmd, "--logx and --linx exclude each other");
    rq->xscale = args_has(a, "logx")   ? PLOT_SCALE_LOG
                 : args_has(a, "linx") ? PLOT_SCALE_LINEAR
                                       : PLOT_SCALE_AUTO;
    const char *opt = args_has(a, "runs") ? "runs" : "run";
    const char *runs = args_get(a, opt);
    if (runs && args_parse_ids(a->cmd, opt, runs, ids, &rq->nruns))
        return 2;
    if (args_has(a, "run") && rq->nruns != 1)
        return cli_error(a->cmd, "a timeline draws one run: --run takes one id, got '%s'", runs);
    rq->runs = *ids;
    return 0;
}

int cmd_plot(int argc, char **argv)
{
    struct args a;
    if (args_parse(&a, argc, argv, plot_opts) != 0)
        return 2;
    if (a.help) {
        plot_help();
        return 0;
    }
    struct plot_request rq;
    int64_t *ids = NULL, *points = NULL;
    char outbuf[4096];
    if (parse_request(&a, &rq, &ids, &points, outbuf, sizeof outbuf)) {
        free(ids);
        free(points);
        return 2;
    }
    char *cmdline = command_line(argc, argv);
    rq.command_line = cmdline ? cmdline : "lparsim plot";
    struct plot_files files;
    struct diag err;
    enum plot_status st = plot_make(&rq, &files, &err);
    if (st == PLOT_OK && rq.script_only)
        printf("wrote %s and %s (not rendered: run gnuplot %s)\n", files.script, files.data,
               files.script);
    else if (st == PLOT_OK)
        printf("wrote %s (script %s, data %s)\n", files.figure, files.script, files.data);
    else
        cli_error(a.cmd, "%s", err.msg);
    free(cmdline);
    free(ids);
    free(points);
    return (int)st;
}
