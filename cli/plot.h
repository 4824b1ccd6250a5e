/* cli/plot.h — `lparsim plot`: figures from a results database
 * (docs/figures.md).
 *
 * A figure is three files side by side: FILE (.pdf, .png, .svg or .tex),
 * FILE.gp (the gnuplot script, with a provenance header) and FILE.dat
 * (the data, one `index` block per line of the figure), so that p99.png
 * and p99.svg each keep their own. The script finds its data relative to
 * itself, so `gnuplot FILE.gp` regenerates the figure from any directory
 * after it has been tweaked.
 *
 * Kinds: cdf (of a statistic's histogram), sweep (a scalar or a statistic
 * column against a parameter, mean and 95% CI over repetitions) and
 * timeline (sampled series against time, the mechanisms' phases in lanes
 * above them and numbered point events, zoomable with --from/--to). */
#ifndef LPARSIM_CLI_PLOT_H
#define LPARSIM_CLI_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"

enum plot_kind { PLOT_CDF, PLOT_SWEEP, PLOT_TIMELINE };

/* x axis: auto = logarithmic when the data span more than two decades. */
enum plot_scale { PLOT_SCALE_AUTO, PLOT_SCALE_LINEAR, PLOT_SCALE_LOG };

struct plot_request {
    enum plot_kind kind;
    const char *db_path;
    const char *out_path;     /* FILE; its extension picks the format */
    const char *title;        /* NULL: no title (papers caption figures) */
    enum plot_scale xscale;   /* cdf, sweep */
    bool logy;                /* sweep */
    bool ccdf;                /* cdf: plot P(X > x) on a log y axis */
    bool script_only;         /* write .gp and .dat, do not run gnuplot */
    const char *metric;       /* cdf --stat, sweep --y: [COMPONENT:]NAME */
    const char *by;           /* cdf --by PARAM (NULL: one line per run) */
    const char *x_param;      /* sweep --x */
    const char *series_param; /* sweep --series (NULL: one line) */
    const char *model_path;   /* sweep --model FILE: curves of x y (NULL: none) */
    const char *series;       /* timeline --series [COMPONENT:]NAME[,...] */
    int64_t from_ps, to_ps;   /* timeline --from/--to: the window; -1: the run's start/end */
    const char *phases;       /* timeline --phases GLOB[,GLOB]: lanes; NULL: every one */
    const int64_t *runs;      /* cdf --runs / timeline --run; NULL: default */
    size_t nruns;
    const int64_t *points;    /* cdf, timeline --points: the runs of these sweep points */
    size_t npoints;
    int64_t rep;              /* --rep: only this rep of each point; -1: every rep */
    const char *command_line; /* as typed, for the provenance header */
};

/* Exit statuses of `lparsim plot` (cli/main.c's convention). */
enum plot_status {
    PLOT_OK = 0,
    PLOT_RENDER_FAILED = 1, /* gnuplot missing or failed; .gp/.dat kept */
    PLOT_BAD_INPUT = 2,     /* command line, names, database */
};

#define PLOT_PATH_MAX 4096

struct plot_files {
    char figure[PLOT_PATH_MAX];
    char script[PLOT_PATH_MAX];
    char data[PLOT_PATH_MAX];
    bool metadata;            /* provenance embedded in the figure file */
};

/* Builds the data, writes the script and data files and (unless
 * script_only) runs gnuplot. Returns PLOT_OK, or another status with
 * *err holding the message. The gnuplot program is $LPARSIM_GNUPLOT if
 * set, else `gnuplot` from PATH. */
enum plot_status plot_make(const struct plot_request *rq, struct plot_files *files,
                           struct diag *err);

#endif
