/* sim/scenario.h — loading scenario files (YAML, via libfyaml).
 *
 * The loader checks the file against a schema and reports the first
 * problem as a diag with FILE:LINE:COL: unknown key (with a did-you-mean
 * when a known key is within edit distance 2, or a shared prefix), wrong
 * type (mapping where a scalar is expected, ...), missing or wrong unit,
 * out-of-range value, missing required key, duplicate list item name,
 * dangling PARAM_REF (the name is not an item of the referenced list).
 * YAML syntax errors are reported with libfyaml's location. */
#ifndef LPARSIM_SIM_SCENARIO_H
#define LPARSIM_SIM_SCENARIO_H

#include <stdio.h>

#include "sim/config.h"
#include "sim/diag.h"

struct scenario {
    char *file;             /* path as given */
    char *text;             /* the file's bytes (for scenario_sha256) */
    size_t text_len;
    struct cfg_node *root;  /* resolved tree, defaults filled in */
    const struct schema *schema;
    void *arena;            /* owns every node and string */
};

/* Loads and resolves a scenario. Returns NULL and fills *err on failure. */
struct scenario *scenario_load(const char *file, const struct schema *root,
                               struct diag *err);
/* Same, from a buffer; `name` is used as FILE in messages. */
struct scenario *scenario_load_string(const char *name, const char *text,
                                      const struct schema *root,
                                      struct diag *err);
void scenario_free(struct scenario *s);

/* Applies one override "PATH=VALUE" (as given to --set). The value is
 * parsed with the target parameter's type and unit and range-checked.
 * Errors are located at `where` (e.g. the sweep value's node) when given,
 * else at "--set:1:COL" with COL pointing into the argument. */
int scenario_set(struct scenario *s, const char *assignment,
                 const struct src_loc *where, struct diag *err);

/* Re-checks PARAM_REF values after overrides. */
int scenario_check_refs(struct scenario *s, struct diag *err);

/* Prints the resolved tree as YAML, every value in canonical units, in
 * schema order. The output is stable: it is what run_key hashes. With
 * `annotate`, defaulted values are marked with a `# default` comment. */
void scenario_print(const struct scenario *s, FILE *out, bool annotate);

/* What `lparsim check` shows: scenario_print with annotations, leaving
 * out each parameter for which applies() is false (another workload
 * kind's parameters, which the component never reads). */
typedef bool (*scenario_applies_fn)(const struct cfg_node *param);
void scenario_print_check(const struct scenario *s, FILE *out, scenario_applies_fn applies);

/* The same without the `sweep` section: what one run is (machine, run
 * settings, overrides, the point's values), not how the sweep around it
 * is written. A run's key hashes this, so editing `sweep.vary` in the file
 * does not change the keys of runs already done (--resume keeps them). */
void scenario_print_run(const struct scenario *s, FILE *out);

#endif
