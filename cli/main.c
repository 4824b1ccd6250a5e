/* cli/main.c — the `lparsim` command: parses the command line, calls the
 * library, prints and exits. The only place that prints errors and picks
 * exit codes: 0 ok, 1 a run or check failed, 2 bad input (scenario,
 * command line, database). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "sim/suggest.h"

static const struct command commands[] = {
    { "run", "run a scenario and write its results database", cmd_run },
    { "check", "validate a scenario and print the resolved machine", cmd_check },
    { "params", "list every component type and its parameters", cmd_params },
    { "sweep", "run a parameter sweep (local workers or a Slurm array)", cmd_sweep },
    { "merge", "join results databases, one run per run_key", cmd_merge },
    { "report", "print the runs and headline figures of a results database", cmd_report },
    { "export", "export a results database as CSV files", cmd_export },
    { "plot", "draw a figure (cdf, sweep, timeline) with gnuplot", cmd_plot },
    { "validate", "run the validation suite against closed forms", cmd_validate },
    { 0 }
};

static void usage(FILE *out)
{
    fprintf(out, "usage: lparsim COMMAND [ARGS]   (lparsim COMMAND --help for details)\n\n"
                 "commands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("lparsim %s\n", LPARSIM_VERSION);
        return 0;
    }
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->fn(argc - 1, argv + 1);
    const char *names[16];
    size_t n = 0;
    for (const struct command *c = commands; c->name && n < 16; c++)
        names[n++] = c->name;
    const char *near = suggest_closest(argv[1], names, n);
    if (near)
        fprintf(stderr, "lparsim: error: unknown command '%s' (did you mean '%s'?)\n", argv[1], near);
    else
        fprintf(stderr, "lparsim: error: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
