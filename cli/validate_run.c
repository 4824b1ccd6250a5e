/* cli/validate_run.c — see validate_run.h. */
#include "cli/validate_run.h"

#include <stdio.h>

#include "cli/registry.h"
#include "cli/run.h"
#include "sim/scenario.h"

struct recorder *validate_run_text(const char *name, const char *text, enum kernel_backend k,
                                   const char *what)
{
    struct diag err;
    struct scenario *s = scenario_load_string(name, text, &scenario_schema, &err);
    if (!s) {
        fprintf(stderr, "lparsim: validate: %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
        return NULL;
    }
    struct run_options o = { .kernel = k };
    struct run_outcome out;
    struct recorder *rec = NULL;
    if (run_scenario(s, &o, &out, &err) != 0) {
        fprintf(stderr, "lparsim: validate: %s\n", err.msg);
    } else if (!out.ok) {
        fprintf(stderr, "lparsim: validate: %s: %s\n", what, out.error);
        recorder_destroy(out.rec);
    } else {
        rec = out.rec;
    }
    scenario_free(s);
    return rec;
}
