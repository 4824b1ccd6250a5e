/* cli/commands_report.c — `report` and `validate`. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/validate.h"
#include "sim/kernel.h"
#include "sim/results.h"

static void report_help(void)
{
    puts("usage: lparsim report DB [--run ID,...] [--component GLOB] [--all]\n"
         "                         [--format table|csv|json]\n\n"
         "Prints the runs of DB. The table starts with the headline figures: per LPAR\n"
         "io_latency mean/p50/p99, IOPS and the ios_* counts, and every scalar of the\n"
         "mechanisms (lpm.*, switch.*, failover.*, eeh.*, irq.*). One block per run\n"
         "for a single run (or the runs of --run); for a sweep one row per point, the\n"
         "mean and 95% confidence interval over its reps, then the runs that missed a\n"
         "check (status check_failed) or failed, with their message.\n"
         "  --run ID,...      only these runs (1,2,5-7)\n"
         "  --component GLOB  every metric of the components matching GLOB (s0.cpu.*)\n"
         "  --all             every metric of every run\n"
         "  --format csv|json every metric, machine-readable (with --run, --component)\n"
         "Nothing is printed from a damaged database: it is checked first.");
}

int cmd_report(int argc, char **argv)
{
    static const struct opt_desc opts[] = {
        { "format", 'f', true, false }, { "run", 0, true, false },
        { "component", 0, true, false }, { "all", 0, false, false }, { 0 }
    };
    struct args a;
    if (args_parse(&a, argc, argv, opts) != 0)
        return 2;
    if (a.help) {
        report_help();
        return 0;
    }
    if (a.npositional != 1)
        return cli_error(a.cmd, "expected one DB file (see lparsim report --help)");
    const char *f = args_get(&a, "format");
    struct report_options o = { .fmt = REPORT_TABLE, .component = args_get(&a, "component"),
                                .all = args_has(&a, "all") };
    if (f && strcmp(f, "csv") == 0)
        o.fmt = REPORT_CSV;
    else if (f && strcmp(f, "json") == 0)
        o.fmt = REPORT_JSON;
    else if (f && strcmp(f, "table") != 0)
        return cli_error(a.cmd, "--format expects table, csv or json, got '%s'", f);
    if (o.component && !*o.component)
        return cli_error(a.cmd, "--component expects a glob such as 'lpar.*' or s0.cpu");
    int64_t *ids = NULL;
    if (args_has(&a, "run") && args_parse_ids(a.cmd, "run", args_get(&a, "run"), &ids, &o.nruns))
        return 2;
    o.runs = ids;
    struct diag err;
    int rc = results_report(a.positional[0], stdout, &o, &err);
    free(ids);
    if (rc != 0) {
        diag_print(&err, stderr);
        return 2;
    }
    return 0;
}

int cmd_validate(int argc, char **argv)
{
    static const struct opt_desc opts[] = {
        { "dir", 0, true, false }, { "kernel", 0, true, false }, { 0 }
    };
    struct args a;
    if (args_parse(&a, argc, argv, opts) != 0)
        return 2;
    if (a.help) {
        puts("usage: lparsim validate [--dir DIR] [--kernel systemc|native]\n\n"
             "Runs every scenario in DIR (default: the source tree's\n"
             "scenarios/validation) and compares the simulated values with closed\n"
             "forms (M/M/1, M/D/1, M/G/1, M/M/c, Little's law, interactive law).\n"
             "Each row shows the reference, the simulated value with its 95%\n"
             "batch-means confidence interval, the error and PASS/FAIL.\n"
             "Exit status: 0 all rows pass, 1 a row fails, 2 bad input.");
        return 0;
    }
    struct validate_options vo = { .dir = args_get(&a, "dir"), .kernel = KERNEL_SYSTEMC };
    if (!vo.dir)
        vo.dir = getenv("LPARSIM_VALIDATION_DIR");
    if (!vo.dir)
        vo.dir = LPARSIM_SOURCE_DIR "/scenarios/validation";
    const char *k = args_get(&a, "kernel");
    if (k && !kernel_backend_parse(k, &vo.kernel))
        return cli_error(a.cmd, "unknown kernel '%s' (expected systemc or native)", k);
    int failed = validate_run(&vo, stdout);
    if (failed < 0)
        return 2;
    printf("%s: %d row(s) failed\n", failed ? "FAIL" : "PASS", failed);
    return failed ? 1 : 0;
}
