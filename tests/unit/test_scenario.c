/* tests/unit/test_scenario.c — the scenario loader (sim/scenario.h,
 * sim/config.h) against a small schema defined here, independent of the
 * real models: resolved values and defaults, list addressing, every error
 * message with its line:column, --set overrides, the canonical print and
 * its reload, and garbage input that must fail cleanly. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"

/* --- the test schema -------------------------------------------------------- */

static const struct param_desc service_params[] = {
    { "dist", PARAM_ENUM, "", "exp", "service time distribution", .choices = "exp|const|lognormal" },
    { "mean", PARAM_TIME, "ns", "10us", "mean service time", NULL, NULL, NULL },
    { 0 }
};
static const struct schema service_schema = { "service", "service times", service_params, NULL };

static const struct param_desc adapter_params[] = {
    { "servers", PARAM_U64, "", "1", "parallel servers", .min = "1", .max = "64" },
    { "kind", PARAM_ENUM, "", "storage", "what it serves", .choices = "storage|network" },
    { "link", PARAM_BITRATE, "bps", "10Gbps", "port speed", NULL, NULL, NULL },
    { "enabled", PARAM_BOOL, "", "yes", "present at start", NULL, NULL, NULL },
    { "block", PARAM_SIZE, "B", "4KiB", "transfer unit", NULL, NULL, NULL },
    { 0 }
};
static const struct schema_child adapter_children[] = {
    { "service", CFG_STRUCT, &service_schema, "service times", false },
    { 0 }
};
static const struct schema adapter_schema = { "adapter", "an adapter", adapter_params,
                                              adapter_children };

static const struct param_desc system_params[] = {
    { "cores", PARAM_U64, "", NULL, "cores", .min = "1" },
    { "frequency", PARAM_FREQ, "Hz", "3.8GHz", "clock", .min = "100MHz", .max = "10GHz" },
    { "memory", PARAM_SIZE, "B", "16GiB", "memory", NULL, NULL, NULL },
    { 0 }
};
static const struct schema_child system_children[] = {
    { "adapters", CFG_LIST, &adapter_schema, "adapters", false },
    { 0 }
};
static const struct schema system_schema = { "system", "a system", system_params,
                                             system_children };

static const struct param_desc lpar_params[] = {
    { "system", PARAM_REF, "", NULL, "where it runs", .choices = "systems" },
    { "rate", PARAM_RATE, "1/s", "200k/s", "arrival rate", NULL, NULL, NULL },
    { "weight", PARAM_F64, "", "0.5", "share", .min = "0", .max = "1" },
    { "vps", PARAM_U64, "", "1", "virtual processors", .max = "64" },
    { "label", PARAM_STR, "", "", "free text", NULL, NULL, NULL },
    { 0 }
};
static const struct schema lpar_schema = { "lpar", "an LPAR", lpar_params, NULL };

static const struct param_desc sweep_params[] = {
    { "reps", PARAM_U64, "", "1", "repetitions", .min = "1" },
    { 0 }
};
static const struct schema_child sweep_children[] = {
    { "vary", CFG_VARY, NULL, "PATH: [values]", false },
    { 0 }
};
static const struct schema sweep_schema = { "sweep", "a sweep", sweep_params, sweep_children };

static const struct param_desc root_params[] = {
    { "name", PARAM_STR, "", NULL, "scenario name", NULL, NULL, NULL },
    { "seed", PARAM_U64, "", "1", "random seed", NULL, NULL, NULL },
    { "duration", PARAM_TIME, "ns", NULL, "simulated time", .min = "1ns" },
    { "warmup", PARAM_TIME, "ns", "0s", "warm-up", NULL, NULL, NULL },
    { 0 }
};
static const struct schema_child root_children[] = {
    { "systems", CFG_LIST, &system_schema, "systems", true },
    { "lpars", CFG_LIST, &lpar_schema, "LPARs", false },
    { "sweep", CFG_STRUCT, &sweep_schema, "sweep", false },
    { 0 }
};
static const struct schema root_schema = { "scenario", "a scenario", root_params, root_children };

/* --- helpers ---------------------------------------------------------------- */

static const char *const good_yaml =
    "name: demo\n"                              /* 1 */
    "duration: 10ms\n"                          /* 2 */
    "systems:\n"                                /* 3 */
    "  - name: s0\n"                            /* 4 */
    "    cores: 8\n"                            /* 5 */
    "    memory: 64GiB\n"                       /* 6 */
    "    adapters:\n"                           /* 7 */
    "      - name: a0\n"                        /* 8 */
    "        kind: network\n"                   /* 9 */
    "        service: {dist: const, mean: 250ns}\n" /* 10 */
    "      - name: a1\n"                        /* 11 */
    "  - name: s1\n"                            /* 12 */
    "    cores: 4\n"                            /* 13 */
    "lpars:\n"                                  /* 14 */
    "  - name: l0\n"                            /* 15 */
    "    system: s1\n"                          /* 16 */
    "    rate: 5/ms\n"                          /* 17 */
    "sweep:\n"                                  /* 18 */
    "  vary:\n"                                 /* 19 */
    "    systems.s0.cores: [1, 2, 4]\n"         /* 20 */
    "    seed: 7\n";                            /* 21 */

static struct diag err;

static struct scenario *load(const char *yaml)
{
    memset(&err, 0, sizeof err);
    return scenario_load_string("t.yaml", yaml, &root_schema, &err);
}

/* Loading must fail with exactly this message at line:col. */
#define EXPECT_ERROR(yaml, l, c, message)                                                   \
    do {                                                                                    \
        struct scenario *s_ = load(yaml);                                                   \
        ck_assert_msg(!s_, "loaded, expected: %s", message);                               \
        ck_assert_str_eq(err.msg, message);                                                 \
        ck_assert_str_eq(err.file, "t.yaml");                                               \
        ck_assert_msg(err.line == (l) && err.col == (c), "'%s' at %d:%d, expected %d:%d",   \
                      err.msg, err.line, err.col, l, c);                                    \
    } while (0)

/* A minimal valid scenario followed by `rest` (at line 5 on). */
static const char *with(const char *rest)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "name: t\nduration: 1ms\nsystems:\n  - {name: s0, cores: 2}\n%s",
             rest);
    return buf;
}

/* Prints s into a malloc'ed string. */
static char *print_str(const struct scenario *s, bool annotate)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    scenario_print(s, f, annotate);
    long n = ftell(f);
    char *buf = malloc((size_t)n + 1);
    rewind(f);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* --- loading ----------------------------------------------------------------- */

START_TEST(values_and_defaults)
{
    struct scenario *s = load(good_yaml);
    ck_assert_msg(s, "%d:%d: %s", err.line, err.col, err.msg);
    ck_assert_str_eq(s->file, "t.yaml");
    ck_assert_str_eq(s->text, good_yaml);
    ck_assert_uint_eq(s->text_len, strlen(good_yaml));
    ck_assert_ptr_eq(s->schema, &root_schema);
    const struct cfg_node *r = s->root;
    ck_assert_str_eq(cfg_str(r, "name"), "demo");
    ck_assert_uint_eq(cfg_u64(r, "duration"), 10000000000ull);
    ck_assert_uint_eq(cfg_u64(r, "seed"), 1);
    ck_assert(cfg_find(r, "seed")->is_default);
    ck_assert(!cfg_find(r, "duration")->is_default);
    /* a default sits at the mapping that would have held it */
    ck_assert_int_eq(cfg_loc(r, "seed")->line, 1);
    ck_assert_int_eq(cfg_loc(r, "seed")->col, 1);
    ck_assert_int_eq(cfg_loc(r, "duration")->line, 2);
    ck_assert_int_eq(cfg_loc(r, "duration")->col, 11);
    ck_assert_str_eq(cfg_loc(r, "duration")->file, "t.yaml");
    ck_assert_uint_eq(cfg_u64(r, "systems.s0.cores"), 8);
    ck_assert_uint_eq(cfg_u64(r, "systems.s0.memory"), 64ull << 30);
    ck_assert(cfg_f64(r, "systems.s1.frequency") == 3.8e9);
    ck_assert_uint_eq(cfg_u64(r, "systems.s1.memory"), 16ull << 30);
    ck_assert_str_eq(cfg_str(r, "systems.s0.adapters.a0.kind"), "network");
    ck_assert_str_eq(cfg_str(r, "systems.s0.adapters.a0.service.dist"), "const");
    ck_assert_uint_eq(cfg_u64(r, "systems.s0.adapters.a0.service.mean"), 250000);
    ck_assert_uint_eq(cfg_u64(r, "systems.s0.adapters.a1.service.mean"), 10000000);
    ck_assert(cfg_bool(r, "systems.s0.adapters.a1.enabled"));
    ck_assert(cfg_f64(r, "systems.s0.adapters.a1.link") == 1e10);
    ck_assert_str_eq(cfg_str(r, "lpars.l0.system"), "s1");
    ck_assert(cfg_f64(r, "lpars.l0.rate") == 5000);
    ck_assert(cfg_f64(r, "lpars.l0.weight") == 0.5);
    ck_assert_str_eq(cfg_str(r, "lpars.l0.label"), "");
    ck_assert_str_eq(cfg_str(r, "lpars.l0.name"), "l0");
    ck_assert_uint_eq(cfg_u64(r, "sweep.reps"), 1);
    ck_assert_int_eq(cfg_loc(r, "systems.s0.adapters.a0.service.mean")->line, 10);
    ck_assert_int_eq(cfg_loc(r, "systems.s0.adapters.a0.service.mean")->col, 38);
    ck_assert_int_eq(cfg_loc(r, "systems.s1")->line, 12);
    ck_assert_int_eq(cfg_loc(r, "systems.s1")->col, 5);
    scenario_free(s);
}
END_TEST

START_TEST(lists_and_paths)
{
    struct scenario *s = load(good_yaml);
    ck_assert_ptr_nonnull(s);
    const struct cfg_node *systems = cfg_find(s->root, "systems");
    ck_assert_int_eq(systems->kind, CFG_LIST);
    ck_assert_uint_eq(systems->nkids, 2);
    ck_assert_str_eq(systems->kids[1]->key, "s1");
    ck_assert_ptr_eq(cfg_find(systems, "s1"), systems->kids[1]);
    ck_assert_ptr_eq(cfg_find(s->root, ""), s->root);
    ck_assert_ptr_null(cfg_find(s->root, "systems.s9"));
    ck_assert_ptr_null(cfg_find(s->root, "systems..s0"));
    ck_assert_ptr_null(cfg_find(s->root, "systems.s0."));
    ck_assert_ptr_null(cfg_find(s->root, "seed.x"));
    /* absent lists are empty, absent structs are all defaults */
    ck_assert_uint_eq(cfg_find(s->root, "systems.s1.adapters")->nkids, 0);
    ck_assert_int_eq(cfg_find(s->root, "sweep")->kind, CFG_STRUCT);
    char path[128];
    cfg_path(cfg_find(s->root, "systems.s0.adapters.a0.service.mean"), path, sizeof path);
    ck_assert_str_eq(path, "systems.s0.adapters.a0.service.mean");
    cfg_path(s->root, path, sizeof path);
    ck_assert_str_eq(path, "");
    cfg_path(cfg_find(s->root, "systems.s0.adapters.a0.service.mean"), path, 12);
    ck_assert_str_eq(path, "systems.s0"); /* truncated at a whole key */
    /* sweep.vary: PATH -> raw value texts */
    const struct cfg_node *vary = cfg_find(s->root, "sweep.vary");
    ck_assert_int_eq(vary->kind, CFG_VARY);
    ck_assert_uint_eq(vary->nkids, 2);
    const struct cfg_node *cores = cfg_find(s->root, "sweep.vary.systems.s0.cores");
    ck_assert_ptr_eq(cores, vary->kids[0]);
    ck_assert_int_eq(cores->kind, CFG_SEQ);
    ck_assert_uint_eq(cores->nkids, 3);
    ck_assert_str_eq(cores->kids[2]->v.s, "4");
    ck_assert_int_eq(cores->kids[2]->loc.line, 20);
    ck_assert_int_eq(cores->kids[2]->loc.col, 30);
    ck_assert_uint_eq(cfg_find(vary, "seed")->nkids, 1); /* a scalar is one value */
    ck_assert_str_eq(cfg_find(vary, "seed")->kids[0]->v.s, "7");
    scenario_free(s);
}
END_TEST

START_TEST(aliases_and_styles)
{
    struct scenario *s = load(with(
        "lpars:\n"
        "  - name: 'l0'\n"
        "    system: &sys s0\n"
        "    label: \"a \\\"quoted\\\" label\"\n"
        "  - name: l1\n"
        "    system: *sys\n"
        "    label: |\n"
        "      two\n"
        "      lines\n"));
    ck_assert_msg(s, "%d:%d: %s", err.line, err.col, err.msg);
    ck_assert_str_eq(cfg_str(s->root, "lpars.l1.system"), "s0");
    ck_assert_str_eq(cfg_str(s->root, "lpars.l0.label"), "a \"quoted\" label");
    ck_assert_str_eq(cfg_str(s->root, "lpars.l1.label"), "two\nlines\n");
    ck_assert_int_eq(cfg_loc(s->root, "lpars.l1.system")->line, 7); /* at the anchor */
    scenario_free(s);
    s = load("name: x\nduration: 1ms\nsystems:\n"
             "  - name: s0\n    cores: 1\n    adapters:\n"
             "      - {name: a0, service: &svc {dist: const, mean: 5us}}\n"
             "      - {name: a1, service: *svc}\n");
    ck_assert_msg(s, "%d:%d: %s", err.line, err.col, err.msg);
    ck_assert_uint_eq(cfg_u64(s->root, "systems.s0.adapters.a1.service.mean"), 5000000);
    scenario_free(s);
}
END_TEST

START_TEST(errors_keys)
{
    EXPECT_ERROR("name: x\nduraton: 1ms\n", 2, 1, "unknown key 'duraton' (did you mean 'duration'?)");
    EXPECT_ERROR("name: x\nfoo: 1\n", 2, 1,
                 "unknown key 'foo' (expected one of: name, seed, duration, warmup, systems, "
                 "lpars, sweep)");
    EXPECT_ERROR(with("lpars: [{name: l0, system: s0, wieght: 1}]\n"), 5, 32,
                 "unknown key 'wieght' (did you mean 'weight'?)");
    EXPECT_ERROR("name: x\nDuration: 1ms\n", 2, 1, "unknown key 'Duration' (did you mean 'duration'?)");
    EXPECT_ERROR("name: x\nseed: 1\nseed: 2\n", 3, 1, "duplicate key 'seed' (first at 2:1)");
    EXPECT_ERROR(with("sweep: {vary: {seed: 1, seed: [2]}}\n"), 5, 25,
                 "duplicate key 'seed' (first at 5:16)");
    EXPECT_ERROR("name: x\n[a]: 1\n", 2, 1, "expected a key name, got a sequence");
    EXPECT_ERROR("duration: 1ms\nsystems: [{name: s0, cores: 1}]\n", 1, 1,
                 "missing required key 'name'");
    EXPECT_ERROR("\n# comment\nname: x\nsystems: [{name: s0, cores: 1}]\n", 3, 1,
                 "missing required key 'duration'");
    EXPECT_ERROR("name: x\nduration: 1ms\n", 1, 1, "missing required key 'systems'");
    EXPECT_ERROR("name: x\nduration: 1ms\nsystems: []\n", 3, 10, "'systems' needs at least one item");
    EXPECT_ERROR(with("  - name: s1\n    memory: 1GiB\n"), 5, 5, "missing required key 'cores'");
}
END_TEST

START_TEST(errors_types)
{
    EXPECT_ERROR(with("  - {name: s1, cores: {a: 1}}\n"), 5, 23, "'cores' expects a count, got a mapping");
    EXPECT_ERROR("name: x\nseed:\nduration: 1ms\n", 2, 1, "'seed' expects a count, got null");
    EXPECT_ERROR("name: [x]\n", 1, 7, "'name' expects a string, got a sequence");
    EXPECT_ERROR("name: x\nsystems: 5\n", 2, 10, "'systems' expects a sequence of mappings, got a scalar");
    EXPECT_ERROR("name: x\nsystems: [s0]\n", 2, 11, "'systems' expects a sequence of mappings, got a scalar");
    EXPECT_ERROR(with("sweep: [1]\n"), 5, 8, "'sweep' expects a mapping, got a sequence");
    EXPECT_ERROR(with("lpars: [{name: l0, system: [s0]}]\n"), 5, 28,
                 "'system' expects the name of a systems item, got a sequence");
    EXPECT_ERROR(with("  - {name: s1, cores: 1, adapters: [{name: a, kind: [x]}]}\n"), 5, 53,
                 "'kind' expects one of storage|network, got a sequence");
    EXPECT_ERROR(with("  - {name: s1, cores: 1, adapters: [{name: a, enabled: {}}]}\n"), 5, 56,
                 "'enabled' expects a boolean, got a mapping");
    EXPECT_ERROR(with("sweep: {vary: 3}\n"), 5, 15,
                 "'vary' expects a mapping of parameter paths to value lists, got a scalar");
    EXPECT_ERROR(with("sweep: {vary: {seed: []}}\n"), 5, 22, "'seed' needs at least one value");
    EXPECT_ERROR(with("sweep: {vary: {seed: {a: 1}}}\n"), 5, 22,
                 "'seed' expects a value or a sequence of values, got a mapping");
    EXPECT_ERROR(with("sweep: {vary: {seed: [1, [2]]}}\n"), 5, 26,
                 "'seed' values must be scalars, got a sequence");
    EXPECT_ERROR("name: \"a\\0b\"\n", 1, 7, "value contains a NUL character");
    ck_assert_ptr_null(load("name: \"\\ud800\"\n")); /* a lone surrogate: libfyaml's message */
    ck_assert_int_eq(err.line, 1);
}
END_TEST

START_TEST(errors_values)
{
    EXPECT_ERROR("name: x\nduration: 200\n", 2, 11,
                 "'duration': missing unit in '200' (expected a time such as 250ns)");
    EXPECT_ERROR("name: x\nduration: 200GB\n", 2, 11,
                 "'duration': '200GB' is not a time (units: ps, ns, us, ms, s)");
    EXPECT_ERROR("name: x\nduration: 0.5ps\n", 2, 11,
                 "'duration': '0.5ps' has a fraction of a picosecond (times are whole ps)");
    EXPECT_ERROR("name: x\nduration: 0ns\n", 2, 11, "'duration' = 0ns is out of range (min 1ns)");
    EXPECT_ERROR(with("  - {name: s1, cores: 0}\n"), 5, 23, "'cores' = 0 is out of range (min 1)");
    EXPECT_ERROR(with("  - {name: s1, cores: 1, frequency: 20GHz}\n"), 5, 37,
                 "'frequency' = 20GHz is out of range (100MHz..10GHz)");
    EXPECT_ERROR(with("  - {name: s1, cores: 1, adapters: [{name: a, servers: 0}]}\n"), 5, 56,
                 "'servers' = 0 is out of range (1..64)");
    EXPECT_ERROR(with("lpars: [{name: l0, system: s0, vps: 65}]\n"), 5, 37,
                 "'vps' = 65 is out of range (max 64)");
    EXPECT_ERROR(with("lpars: [{name: l0, system: s0, weight: 1.5}]\n"), 5, 40,
                 "'weight' = 1.5 is out of range (0..1)");
    EXPECT_ERROR(with("  - {name: s1, cores: 1, adapters: [{name: a, kind: disk}]}\n"), 5, 53,
                 "'kind' = 'disk' is not one of: storage, network");
    EXPECT_ERROR(with("  - {name: s1, cores: 1, adapters: [{name: a, kind: netwrok}]}\n"), 5, 53,
                 "'kind' = 'netwrok' is not one of: storage, network (did you mean 'network'?)");
    EXPECT_ERROR("name: x\nseed: 99999999999999999999999999999999999999999999\n", 2, 7,
                 "'seed': '99999999999999999999999999999999999999999999' has too many digits");
    EXPECT_ERROR("name: x\nseed: 99999999999999999999\n", 2, 7,
                 "'seed': '99999999999999999999' is too large for a count");
    EXPECT_ERROR("name: x\nseed: -1\n", 2, 7, "'seed': '-1' is negative (a count cannot be)");
    EXPECT_ERROR(with("lpars: [{name: l0, system: s0, rate: nan/s}]\n"), 5, 38,
                 "'rate': 'nan/s' is not a rate (expected a number with a unit, such as 200k/s)");
}
END_TEST

/* An absent section that has required keys is itself missing. */
START_TEST(errors_absent_section)
{
    static const struct param_desc inner_params[] = {
        { "must", PARAM_U64, "", NULL, "required", NULL, NULL, NULL },
        { 0 }
    };
    static const struct schema inner = { "inner", "", inner_params, NULL };
    static const struct schema_child outer_children[] = {
        { "inner", CFG_STRUCT, &inner, "", false },
        { 0 }
    };
    static const struct param_desc outer_params[] = {
        { "x", PARAM_U64, "", "1", "", NULL, NULL, NULL },
        { 0 }
    };
    static const struct schema outer = { "outer", "", outer_params, outer_children };
    ck_assert_ptr_null(scenario_load_string("o.yaml", "\nx: 2\n", &outer, &err));
    ck_assert_str_eq(err.msg, "missing required key 'inner'");
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.col, 1);
    ck_assert_ptr_null(scenario_load_string("o.yaml", "inner: {}\n", &outer, &err));
    ck_assert_str_eq(err.msg, "missing required key 'must'");
    ck_assert_int_eq(err.col, 8);
    struct scenario *s = scenario_load_string("o.yaml", "inner: {must: 3}\n", &outer, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(cfg_u64(s->root, "inner.must"), 3);
    scenario_free(s);
}
END_TEST

START_TEST(errors_lists_and_refs)
{
    EXPECT_ERROR(with("  - cores: 1\n"), 5, 5, "list item in 'systems' has no 'name'");
    EXPECT_ERROR(with("  - {name: s0, cores: 1}\n"), 5, 12, "duplicate name 's0' in 'systems' (first at 4:12)");
    EXPECT_ERROR(with("  - {name: 'a.b', cores: 1}\n"), 5, 12,
                 "'name' = 'a.b' is not a valid item name (use letters, digits, '-' and '_')");
    EXPECT_ERROR(with("  - {name: {}, cores: 1}\n"), 5, 12, "'name' expects a string, got a mapping");
    EXPECT_ERROR(with("lpars: [{name: l0, system: sx}]\n"), 5, 28,
                 "'system' refers to 'sx', but there is no systems item named 'sx' (did you mean 's0'?)");
    EXPECT_ERROR(with("lpars: [{name: l0, system: database}]\n"), 5, 28,
                 "'system' refers to 'database', but there is no systems item named 'database'");
    EXPECT_ERROR(with("lpars: [{name: l0}]\n"), 5, 9, "missing required key 'system'");
}
END_TEST

START_TEST(errors_yaml)
{
    EXPECT_ERROR("", 1, 1, "empty document (a scenario is a mapping of keys)");
    EXPECT_ERROR("# only a comment\n", 1, 1, "empty document (a scenario is a mapping of keys)");
    EXPECT_ERROR("---\n", 1, 1, "empty document (a scenario is a mapping of keys)");
    EXPECT_ERROR("- a\n- b\n", 1, 1, "a scenario is a mapping of keys, got a sequence");
    EXPECT_ERROR("just text\n", 1, 1, "a scenario is a mapping of keys, got a scalar");
    EXPECT_ERROR("---\n---\n", 2, 1, "a scenario file holds one YAML document");
    EXPECT_ERROR("name: x\n---\nname: y\n", 2, 1, "a scenario file holds one YAML document");
    EXPECT_ERROR("name: \xff\n", 1, 7, "invalid UTF-8 byte 0xff (a scenario is UTF-8 text)");
    EXPECT_ERROR("name: x\nseed: *nope\n", 2, 7, "alias '*nope' has no complete anchor '&nope' before it");
    EXPECT_ERROR("name: &a [*a]\n", 1, 11, "alias '*a' has no complete anchor '&a' before it");
    /* syntax errors carry libfyaml's own message and position */
    ck_assert_ptr_null(load("{a: [}"));
    ck_assert_str_eq(err.msg, "mismatched flow mapping end");
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(err.col, 6);
    ck_assert_ptr_null(load("name: x\nsystems:\n  - a\n b: 1\n"));
    ck_assert_int_eq(err.line, 4);
    ck_assert(strlen(err.msg) > 0);
}
END_TEST

START_TEST(garbage_input)
{
    static char deep[10001];
    memset(deep, '[', 10000);
    EXPECT_ERROR(deep, 1, 65, "nesting deeper than 64 levels");
    const char *bad[] = { "[", "{a: [}", "---\n---\n", "]", "a: b: c", "\t- x", "!!binary ?",
                          "&a", "*a", "? [a]\n: b\n", "%YAML 9.9\n---\na: 1\n", "'unterminated",
                          "a:\n- b\n  - c\n", "\xef\xbb\xbfname: x\n", "\xc3\x28", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "{{{{{{{{}}}}}}}}", "[[[[[]]]]],", "a: |\n x\n  y\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!load(bad[i]), "'%s' loaded", bad[i]);
        ck_assert_msg(err.msg[0], "no message for '%s'", bad[i]);
    }
    /* found by fuzzing: libfyaml 0.7.12 leaked the cached text of a quoted
     * scalar when a syntax error followed on the same line */
    ck_assert_ptr_null(load("a:\n  b: 'x''y' : c: [1]\n"));
    ck_assert_int_eq(err.line, 2);
    /* random bytes, and random mutations of a good file */
    uint64_t x = 88172645463325252ull;
    char buf[600];
    for (int i = 0; i < 3000; i++) {
        size_t n = 0;
        if (i % 2) {
            n = strlen(good_yaml);
            memcpy(buf, good_yaml, n);
            for (int k = 0; k < 1 + i % 4; k++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                buf[x % n] = "[]{}:,-&*!|>'\"#\n \x80\xff" "0aZ."[(x >> 32) % 22];
            }
        } else {
            for (x ^= x << 13, x ^= x >> 7, x ^= x << 17; n < (x % 500); n++)
                buf[n] = (char)(1 + (x >> (n % 56)) % 255);
        }
        buf[n] = '\0';
        struct scenario *s = load(buf);
        if (s) {
            char *out = print_str(s, true); /* whatever loaded must also print */
            free(out);
        }
        scenario_free(s);
    }
}
END_TEST

START_TEST(load_from_file)
{
    char path[] = "/tmp/lparsim-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(good_yaml, f);
    fclose(f);
    struct scenario *s = scenario_load(path, &root_schema, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->file, path);
    ck_assert_mem_eq(s->text, good_yaml, strlen(good_yaml));
    ck_assert_str_eq(cfg_loc(s->root, "duration")->file, path);
    scenario_free(s);
    f = fopen(path, "wb");
    fwrite("name: x\0\n", 1, 9, f);
    fclose(f);
    ck_assert_ptr_null(scenario_load(path, &root_schema, &err));
    ck_assert_str_eq(err.msg, "NUL byte in the file (a scenario is UTF-8 text)");
    ck_assert_int_eq(err.col, 8);
    remove(path);
    ck_assert_ptr_null(scenario_load(path, &root_schema, &err));
    ck_assert_str_eq(err.msg, "cannot read the scenario: No such file or directory");
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, 0);
    scenario_free(NULL);
}
END_TEST

/* --- overrides ----------------------------------------------------------------- */

#define EXPECT_SET_ERROR(s, assignment, c, message)                                      \
    do {                                                                                   \
        ck_assert_int_eq(scenario_set(s, assignment, NULL, &err), -1);                     \
        ck_assert_str_eq(err.msg, message);                                                \
        ck_assert_str_eq(err.file, "--set");                                               \
        ck_assert_int_eq(err.line, 1);                                                     \
        ck_assert_int_eq(err.col, c);                                                      \
    } while (0)

START_TEST(set_values)
{
    struct scenario *s = load(good_yaml);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(scenario_set(s, "systems.s0.cores=16", NULL, &err), 0);
    const struct cfg_node *n = cfg_find(s->root, "systems.s0.cores");
    ck_assert_uint_eq(n->v.u, 16);
    ck_assert(!n->is_default);
    ck_assert_str_eq(n->loc.file, "--set");
    ck_assert_int_eq(n->loc.col, 18);
    ck_assert_int_eq(scenario_set(s, " seed = 42 ", NULL, &err), 0);
    ck_assert_uint_eq(cfg_u64(s->root, "seed"), 42);
    ck_assert(!cfg_find(s->root, "seed")->is_default);
    ck_assert_int_eq(scenario_set(s, "systems.s0.adapters.a1.service.mean=1.5us", NULL, &err), 0);
    ck_assert_uint_eq(cfg_u64(s->root, "systems.s0.adapters.a1.service.mean"), 1500000);
    ck_assert_int_eq(scenario_set(s, "lpars.l0.system=s0", NULL, &err), 0);
    ck_assert_str_eq(cfg_str(s->root, "lpars.l0.system"), "s0");
    ck_assert_int_eq(scenario_set(s, "lpars.l0.label=a=b", NULL, &err), 0);
    ck_assert_str_eq(cfg_str(s->root, "lpars.l0.label"), "a=b");
    struct src_loc where = { "sweep.yaml", 20, 30 };
    ck_assert_int_eq(scenario_set(s, "systems.s1.cores=2", &where, &err), 0);
    ck_assert_str_eq(cfg_loc(s->root, "systems.s1.cores")->file, "sweep.yaml");
    ck_assert_ptr_ne(cfg_loc(s->root, "systems.s1.cores")->file, where.file); /* copied */
    ck_assert_int_eq(cfg_loc(s->root, "systems.s1.cores")->line, 20);
    ck_assert_int_eq(scenario_check_refs(s, &err), 0);
    scenario_free(s);
}
END_TEST

START_TEST(set_errors)
{
    struct scenario *s = load(good_yaml);
    ck_assert_ptr_nonnull(s);
    EXPECT_SET_ERROR(s, "systems.s0.corse=8", 12, "unknown key 'corse' (did you mean 'cores'?)");
    EXPECT_SET_ERROR(s, "systems.sx.cores=8", 9, "'systems' has no item named 'sx' (did you mean 's0'?)");
    EXPECT_SET_ERROR(s, "systems.database.cores=8", 9, "'systems' has no item named 'database' (items: s0, s1)");
    EXPECT_SET_ERROR(s, "systems.s1.adapters.a0.kind=x", 21, "'adapters' has no item named 'a0' (it is empty)");
    EXPECT_SET_ERROR(s, "systems.s0.cores=0", 18, "'cores' = 0 is out of range (min 1)");
    EXPECT_SET_ERROR(s, "systems.s0.cores=", 18, "'cores': empty value (expected a count such as 64)");
    EXPECT_SET_ERROR(s, "duration=5", 10, "'duration': missing unit in '5' (expected a time such as 250ns)");
    EXPECT_SET_ERROR(s, "systems.s0.adapters.a0.kind=disk", 29, "'kind' = 'disk' is not one of: storage, network");
    EXPECT_SET_ERROR(s, "lpars.l0.system=s7", 17,
                     "'system' refers to 's7', but there is no systems item named 's7' (did you mean 's0'?)");
    EXPECT_SET_ERROR(s, "systems.s0.name=x", 1, "an item's 'name' cannot be changed");
    EXPECT_SET_ERROR(s, "systems.s0=x", 1, "'systems.s0' is not a parameter");
    EXPECT_SET_ERROR(s, "sweep.vary=x", 1, "'sweep.vary' is not a parameter");
    EXPECT_SET_ERROR(s, "seed.x=1", 6, "'seed' has no key 'x' (it is a value)");
    EXPECT_SET_ERROR(s, "systems..cores=1", 9, "empty key in parameter path");
    EXPECT_SET_ERROR(s, "=1", 1, "missing parameter path before '='");
    EXPECT_SET_ERROR(s, "seed", 1, "expected PATH=VALUE, got 'seed'");
    EXPECT_SET_ERROR(s, "lpars.l0.label=\xff", 16, "'label': the value is not valid UTF-8");
    struct src_loc where = { "sweep.yaml", 20, 30 };
    ck_assert_int_eq(scenario_set(s, "systems.s0.cores=x", &where, &err), -1);
    ck_assert_str_eq(err.file, "sweep.yaml");
    ck_assert_int_eq(err.line, 20);
    ck_assert_int_eq(err.col, 30);
    /* failed sets leave the tree as it was */
    ck_assert_uint_eq(cfg_u64(s->root, "systems.s0.cores"), 8);
    ck_assert_str_eq(cfg_str(s->root, "lpars.l0.system"), "s1");
    scenario_free(s);
}
END_TEST

/* --- printing -------------------------------------------------------------------- */

START_TEST(print_round_trip)
{
    struct scenario *s = load(with(
        "lpars:\n"
        "  - {name: l0, system: s0, label: \"two words: \\\"q\\\"\\n\\ttab \\\\ end\", weight: 0.1}\n"
        "  - {name: l1, system: s0, label: 'yes', rate: 3/us}\n"
        "  - {name: l2, system: s0, label: '-x'}\n"
        "sweep:\n  reps: 3\n  vary: {lpars.l0.weight: [0.25, '0.5'], 'seed': 9}\n"));
    ck_assert_msg(s, "%d:%d: %s", err.line, err.col, err.msg);
    char *out = print_str(s, false);
    const char *expect =
        "name: t\n"
        "seed: 1\n"
        "duration: 1ms\n"
        "warmup: 0s\n"
        "systems:\n"
        "  - name: s0\n"
        "    cores: 2\n"
        "    frequency: 3.8GHz\n"
        "    memory: 16GiB\n"
        "    adapters: []\n"
        "lpars:\n"
        "  - name: l0\n"
        "    system: s0\n"
        "    rate: 200k/s\n"
        "    weight: 0.1\n"
        "    vps: 1\n"
        "    label: \"two words: \\\"q\\\"\\n\\ttab \\\\ end\"\n"
        "  - name: l1\n"
        "    system: s0\n"
        "    rate: 3M/s\n"
        "    weight: 0.5\n"
        "    vps: 1\n"
        "    label: \"yes\"\n"
        "  - name: l2\n"
        "    system: s0\n"
        "    rate: 200k/s\n"
        "    weight: 0.5\n"
        "    vps: 1\n"
        "    label: \"-x\"\n"
        "sweep:\n"
        "  reps: 3\n"
        "  vary:\n"
        "    lpars.l0.weight: [0.25, 0.5]\n"
        "    seed: [9]\n";
    ck_assert_str_eq(out, expect);
    char *annotated = print_str(s, true);
    ck_assert_ptr_nonnull(strstr(annotated, "seed: 1  # default\n"));
    ck_assert_ptr_nonnull(strstr(annotated, "duration: 1ms\n"));
    ck_assert_ptr_null(strstr(annotated, "duration: 1ms  #"));
    /* the printed text loads back to an equal tree, which prints the same */
    struct scenario *again = load(out);
    ck_assert_msg(again, "%d:%d: %s", err.line, err.col, err.msg);
    char *out2 = print_str(again, false);
    ck_assert_str_eq(out2, out);
    ck_assert_str_eq(cfg_str(again->root, "lpars.l0.label"), "two words: \"q\"\n\ttab \\ end");
    free(out);
    free(out2);
    free(annotated);
    scenario_free(again);
    scenario_free(s);
    /* the full example too */
    s = load(good_yaml);
    out = print_str(s, true);
    again = load(out);
    ck_assert_msg(again, "%d:%d: %s\n%s", err.line, err.col, err.msg, out);
    out2 = print_str(again, false);
    free(out);
    out = print_str(s, false);
    ck_assert_str_eq(out2, out);
    free(out);
    free(out2);
    scenario_free(again);
    scenario_free(s);
}
END_TEST

static Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, values_and_defaults);
    tcase_add_test(tc, lists_and_paths);
    tcase_add_test(tc, aliases_and_styles);
    tcase_add_test(tc, errors_keys);
    tcase_add_test(tc, errors_types);
    tcase_add_test(tc, errors_values);
    tcase_add_test(tc, errors_absent_section);
    tcase_add_test(tc, errors_lists_and_refs);
    tcase_add_test(tc, errors_yaml);
    tcase_add_test(tc, garbage_input);
    tcase_add_test(tc, load_from_file);
    tcase_add_test(tc, set_values);
    tcase_add_test(tc, set_errors);
    tcase_add_test(tc, print_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(scenario_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
