/* tests/fuzz/fuzz_scenario.c — libFuzzer harness for the scenario loader
 * (sim/scenario.h) against the real scenario schema (cli/registry.h).
 *
 * Every input is loaded with scenario_load_string. A rejected input must
 * give one clean message: not empty, one line without control characters,
 * located at a line and column of the input. An accepted one is then put
 * through what `lparsim run/check/sweep` do with a scenario:
 *   - scenario_print (plain and annotated) into memory; both texts must
 *     load again and print byte-identically to the first print (the
 *     canonical form is what run keys hash, so a drift is a real bug);
 *   - scenario_set with a few fixed assignments (some valid for the seed
 *     corpus, some not) and with the input's own "#set PATH=VALUE" lines,
 *     scenario_check_refs and machine_check before and after them; the
 *     overridden scenario must print, load back and print the same.
 * Any violated property calls abort(), which libFuzzer reports as a crash;
 * ASan, UBSan and LeakSanitizer catch the rest. Nothing runs a kernel: the
 * SystemC backend is replaced by stubs that abort if ever reached.
 *
 * Built and run by tests/fuzz/smoke.sh (ctest fuzz.smoke) and
 * tests/fuzz/run-long.sh; see docs/fuzzing.md. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/machine.h"
#include "cli/registry.h"
#include "sim/kernel_systemc.h"
#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --- no SystemC: the loader never starts a kernel -------------------------- */

__attribute__((weak)) bool ksc_attach(struct kernel *k)
{
    (void)k;
    abort();
}

__attribute__((weak)) void ksc_detach(struct kernel *k)
{
    (void)k;
    abort();
}

__attribute__((weak)) void ksc_run(struct kernel *k, sim_time_t limit)
{
    (void)k, (void)limit;
    abort();
}

/* --- checks ------------------------------------------------------------------- */

#define FILE_NAME "fuzz.yaml"

static void fail(const char *what, const struct diag *err)
{
    fprintf(stderr, "fuzz_scenario: %s\n", what);
    if (err)
        diag_print(err, stderr);
    abort();
}

/* Not empty; one line of printable text; located in
 * FILE_NAME when asked. */
static void check_message(const struct diag *err, bool located)
{
    if (!err->msg[0])
        fail("empty error message", err);
    for (const unsigned char *p = (const unsigned char *)err->msg; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fail("control character in an error message", err);
    if (located && (strcmp(err->file, FILE_NAME) != 0 || err->line < 1 || err->col < 1))
        fail("error message without a location in the file", err);
}

/* The scenario printed into a malloc'ed string. */
static char *print(const struct scenario *s, bool annotate)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    scenario_print(s, f, annotate);
    if (fclose(f) != 0)
        abort();
    return buf;
}

/* The canonical print of s must load back and print the same bytes. */
static void check_reload(const char *canonical, const char *text, const char *what)
{
    struct diag err;
    struct scenario *again = scenario_load_string(FILE_NAME, text, &scenario_schema, &err);
    if (!again) {
        fprintf(stderr, "fuzz_scenario: the %s print does not load back:\n%s\n", what, text);
        fail("reload failed", &err);
    }
    char *reprinted = print(again, false);
    if (strcmp(canonical, reprinted) != 0) {
        fprintf(stderr, "fuzz_scenario: the %s print reloads to a different scenario\n"
                        "--- first print:\n%s--- after reload:\n%s",
                what, canonical, reprinted);
        abort();
    }
    free(reprinted);
    scenario_free(again);
}

/* Semantic checks must give a clean message or pass. */
static void check_semantics(struct scenario *s)
{
    struct diag err;
    if (scenario_check_refs(s, &err) != 0)
        check_message(&err, false);
    else if (machine_check(s->root, &err) != 0)
        check_message(&err, false);
}

/* Paths of the seed corpus (scenarios/), so that most of these apply. */
static const char *const assignments[] = {
    "seed=7",
    "duration=1ms",
    "warmup=2ms",
    "systems.s0.cores=4",
    "systems.s0.adapters.nvme0.vfs=2",
    "lpars.db1.workload.rate=5k/s",
    "lpars.db1.system=s0",
    "lpars.db1.memory=1TiB",
    "lpars.db1.name=x",
    "sweep.reps=0",
    "stats.nope=1",
    "systems.s0.frequency= 2.5GHz ",
    "=1",
    "description",
};

static void set(struct scenario *s, const char *assignment)
{
    struct diag err;
    if (scenario_set(s, assignment, NULL, &err) != 0)
        check_message(&err, false);
}

/* Lines "#set PATH=VALUE" of the input (comments to the loader) are
 * applied as --set assignments too, so the fuzzer explores them. */
static void set_from_input(struct scenario *s, char *text)
{
    int n = 0;
    for (char *line = text; *line && n < 8;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        if (strncmp(line, "#set ", 5) == 0) {
            set(s, line + 5);
            n++;
        }
        if (!end)
            break;
        *end = '\n';
        line = end + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct diag err;
    struct scenario *s = scenario_load_string(FILE_NAME, text, &scenario_schema, &err);
    if (!s) {
        free(text);
        check_message(&err, true);
        return 0;
    }
    char *canonical = print(s, false), *annotated = print(s, true);
    check_reload(canonical, canonical, "canonical");
    check_reload(canonical, annotated, "annotated");
    free(canonical);
    free(annotated);

    check_semantics(s);
    for (size_t i = 0; i < sizeof assignments / sizeof assignments[0]; i++)
        set(s, assignments[i]);
    set_from_input(s, text);
    free(text);
    check_semantics(s);
    /* overridden values print in canonical form too, and load back */
    canonical = print(s, false);
    check_reload(canonical, canonical, "overridden");
    free(canonical);
    scenario_free(s);
    return 0;
}
