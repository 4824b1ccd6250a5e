/* cli/commands_report.c — `report` and `validate`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/validate.h"
#include "sim/kernel.h"
#include "sim/results.h"

int cmd_report(int argc, char **argv)
{
    static const struct opt_desc opts[] = { { "format", 'f', true, false }, { 0 } };
    struct args a;
    if (args_parse(&a, argc, argv, opts) != 0)
        return 2;
    if (a.help) {
        puts("usage: lparsim report DB [--format table|csv|json]\n\n"
             "Prints every run of DB with its parameters, scalars and statistics.");
        return 0;
    }
    if (a.npositional != 1)
        return cli_error(a.cmd, "expected one DB file (see lparsim report --help)");
    const char *f = args_get(&a, "format");
    enum report_format fmt = REPORT_TABLE;
    if (f && strcmp(f, "csv") == 0)
        fmt = REPORT_CSV;
    else if (f && strcmp(f, "json") == 0)
        fmt = REPORT_JSON;
    else if (f && strcmp(f, "table") != 0)
        return cli_error(a.cmd, "--format expects table, csv or json, got '%s'", f);
    struct diag err;
    if (results_report(a.positional[0], stdout, fmt, &err) != 0) {
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
