/* tests/unit/test_workload_check.c — what the workloads of
 * workloads/workload.h make of their parameters before any runs: the
 * schema (every parameter belongs to a kind, the storage defaults),
 * workload_check's refusals with their exact locations (a parameter of
 * another kind where it is written, bad size mixes at the value), size-mix
 * weights normalised, and the replay trace's CSV errors at CSV:LINE:COL
 * (or at the scenario when the file cannot be read). YAML texts are loaded
 * against the test schema of workload_rig.h; running the kinds is in
 * test_workloads.c. */
#define _XOPEN_SOURCE 700 /* mkdtemp (workload_rig.h), strtok_r */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "workloads/kinds.h"
#include "workloads/workload.h"

#include "workload_rig.h"

/* ---- schema ------------------------------------------------------------------ */

START_TEST(every_parameter_belongs_to_a_kind)
{
    const struct workload_kind *kinds[] = { &workload_storage_kind, &workload_network_kind,
                                            &workload_compute_kind, &workload_dirty_kind,
                                            &workload_replay_kind };
    for (const struct param_desc *d = workload_schema.params; d->name; d++) {
        if (!strcmp(d->name, "kind") || !strcmp(d->name, "start"))
            continue;
        bool used = false;
        for (size_t k = 0; k < 5; k++) {
            char list[256];
            snprintf(list, sizeof list, "|%s|", kinds[k]->params);
            char word[64];
            snprintf(word, sizeof word, "|%s|", d->name);
            used |= strstr(list, word) != NULL;
        }
        ck_assert_msg(used, "'%s' is used by no kind", d->name);
    }
    /* Each kind's words are parameters (a typo would accept nothing). */
    for (size_t k = 0; k < 5; k++) {
        char list[256];
        snprintf(list, sizeof list, "%s", kinds[k]->params);
        for (char *save, *w = strtok_r(list, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
            bool found = false;
            for (const struct param_desc *d = workload_schema.params; d->name; d++)
                found |= !strcmp(d->name, w);
            ck_assert_msg(found, "kind %s names unknown parameter '%s'", kinds[k]->name, w);
        }
    }
}
END_TEST

START_TEST(storage_defaults_are_the_old_ones)
{
    const struct cfg_node *c = spec_cfg("{}");
    ck_assert_str_eq(cfg_str(c, "kind"), "storage");
    ck_assert_str_eq(cfg_str(c, "mode"), "open");
    ck_assert_double_eq(cfg_f64(c, "rate"), 10000);
    ck_assert_str_eq(cfg_str(c, "arrivals"), "poisson");
    ck_assert_uint_eq(cfg_u64(c, "depth"), 1);
    ck_assert_uint_eq(cfg_u64(c, "think"), 0);
    ck_assert_uint_eq(cfg_u64(c, "block_size"), 4096);
    ck_assert_double_eq(cfg_f64(c, "read_fraction"), 1);
    ck_assert_uint_eq(cfg_u64(c, "start"), 0);
}
END_TEST

/* ---- workload_check ------------------------------------------------------------------ */

static const char *check_error(const char *yaml)
{
    static char buf[1700];
    struct diag err;
    ck_assert_ptr_nonnull(load("t.yaml", yaml, &err));
    const struct cfg_node *w = cfg_find(rig.scn->root, "workload");
    const struct cfg_node *list = cfg_find(rig.scn->root, "workloads");
    if (list && list->nkids)
        w = list->kids[0];
    if (workload_check(w, &err) == 0)
        return "ok";
    snprintf(buf, sizeof buf, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return buf;
}

START_TEST(check_refuses_parameters_of_another_kind_where_written)
{
    ck_assert_str_eq(check_error("workload:\n  kind: network\n  think: 1ms\n"),
                     "t.yaml:3:10: 'think' does not apply to a network workload (it is a storage "
                     "and compute parameter)");
    ck_assert_str_eq(check_error("workload: {kind: network, rate: 5k/s}\n"),
                     "t.yaml:1:33: 'rate' does not apply to a network workload (it is a storage, "
                     "compute and dirty parameter)");
    /* The first one written, whatever the schema's order. */
    ck_assert_str_eq(check_error("workloads:\n  - name: w1\n    kind: compute\n"
                                 "    file: x.csv\n    depth: 4\n"),
                     "t.yaml:4:11: 'file' does not apply to a compute workload (it is a replay "
                     "parameter)");
    ck_assert_str_eq(check_error("workloads:\n  - {name: w1, kind: dirty, rate: 1k/s, start: 1ms}\n"),
                     "ok");
    ck_assert_str_eq(check_error("workload: {arrivals: constant, tx_rate: 1k/s}\n"),
                     "t.yaml:1:41: 'tx_rate' does not apply to a storage workload (it is a network "
                     "parameter)");
}
END_TEST

START_TEST(check_refuses_bad_mixes_at_the_value)
{
    ck_assert_str_eq(check_error("workload: {block_sizes: \"4KiB:0.7,64KiB:0\"}\n"),
                     "t.yaml:1:25: 'block_sizes': the weight of 64KiB is 0 (weights must be > 0)");
    ck_assert_str_eq(check_error("workload: {block_sizes: \"4KiB:0.7,64Kb:0.3\"}\n"),
                     "t.yaml:1:25: 'block_sizes': '64Kb' is not a size (units: B, KB, MB, GB, TB, "
                     "KiB, MiB, GiB, TiB)");
    ck_assert_str_eq(check_error("workload: {block_sizes: \"4KiB:x\"}\n"),
                     "t.yaml:1:25: 'block_sizes': the weight 'x' of 4KiB is not a number");
    ck_assert_str_eq(check_error("workload: {block_sizes: \"4KiB,\"}\n"),
                     "t.yaml:1:25: 'block_sizes': an entry has no size (expected "
                     "SIZE:WEIGHT,..., e.g. 4KiB:0.7,64KiB:0.3)");
    ck_assert_str_eq(check_error("workload: {kind: network, packet_sizes: \"32B:1\"}\n"),
                     "t.yaml:1:41: 'packet_sizes': size 32B is out of range (min 64B, max 9000B)");
    ck_assert_str_eq(check_error("workload: {block_size: 8KiB, block_sizes: \"4KiB\"}\n"),
                     "t.yaml:1:43: 'block_size' and 'block_sizes' are both set: give one of them");
    ck_assert_str_eq(check_error("workload: {block_sizes: \"4KiB:1,1MiB:1\", device_size: 512KiB}\n"),
                     "t.yaml:1:55: 'device_size' = 512KiB is smaller than an I/O (1MiB)");
    ck_assert_str_eq(check_error("workload: {block_sizes: \" 4KiB : 2 , 8KiB\"}\n"), "ok");
}
END_TEST

START_TEST(size_mix_weights_are_normalised)
{
    struct size_mix m;
    char msg[256];
    ck_assert_int_eq(size_mix_parse(&m, "4KiB:3,8KiB,16KiB:4", 1, 1u << 30, msg, sizeof msg), 0);
    ck_assert_uint_eq(m.n, 3);
    ck_assert_double_eq_tol(m.cum[0], 3.0 / 8, 1e-12);
    ck_assert_double_eq_tol(m.cum[1], 4.0 / 8, 1e-12);
    ck_assert_double_eq(m.cum[2], 1.0);
    ck_assert_uint_eq(size_mix_largest(&m), 16384);
}
END_TEST

/* ---- replay: CSV errors ---------------------------------------------------------- */

/* The message workload_check gives for `workload: SPEC` in DIR/s.yaml. */
static const char *replay_error(const char *csv, const char *spec)
{
    static char buf[1700];
    struct diag err;
    if (csv)
        write_file("trace.csv", csv);
    ck_assert_msg(workload_check(replay_cfg(spec), &err) == -1, "no error for %s", csv);
    char raw[1700];
    snprintf(raw, sizeof raw, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    /* Every DIR/ dropped: paths are shown relative to the scenario's dir. */
    size_t dl = strlen(rig.dir), o = 0;
    for (const char *p = raw; *p && o + 1 < sizeof buf;) {
        if (strncmp(p, rig.dir, dl) == 0 && p[dl] == '/')
            p += dl + 1;
        else
            buf[o++] = *p++;
    }
    buf[o] = '\0';
    return buf;
}

START_TEST(replay_csv_errors_have_csv_locations)
{
    rig_open(1, 0);
    make_dir();
    const char *spec = "{kind: replay, file: trace.csv}";
    ck_assert_str_eq(replay_error("time,op,bytes,offset\n0us,read,4KiB,0\n1us,reed,4KiB,0\n", spec),
                     "trace.csv:3:5: 'op' = 'reed' is not one of: read, write, tx, rx");
    ck_assert_str_eq(replay_error("time,op,bytes,offset\n12,read,4KiB,0\n", spec),
                     "trace.csv:2:1: 'time': missing unit in '12' (expected a time such as 250ns)");
    ck_assert_str_eq(replay_error("time,op,bytes,offset\n5us,read,4KiB,0\n4us,read,4KiB,0\n",
                                  spec),
                     "trace.csv:3:1: 'time' = 4us is before the previous row's time (rows must be "
                     "in time order)");
    ck_assert_str_eq(replay_error("time,op,bytes,offset\n0us,read,4KiB\n", spec),
                     "trace.csv:2:14: expected 4 fields (time,op,bytes,offset), got 3");
    ck_assert_str_eq(replay_error("time,op,bytes,offset\n0us,read,4KiB,0,7\n", spec),
                     "trace.csv:2:16: expected 4 fields (time,op,bytes,offset), got 5");
    ck_assert_str_eq(replay_error("time,op,size,offset\n", spec),
                     "trace.csv:1:9: expected the header 'time,op,bytes,offset'");
    ck_assert_str_eq(replay_error("time,op,bytes,offset\n0us,read, 0,0\n", spec),
                     "trace.csv:2:11: 'bytes' = 0 is out of range (min 1B, max 1GiB)");
    ck_assert_str_eq(replay_error("time,op,bytes,offset\n0us,read,4KiB,1.5B\n", spec),
                     "trace.csv:2:15: 'offset': '1.5B' is not a whole number of bytes");
    ck_assert_str_eq(replay_error("# nothing\n", spec),
                     "trace.csv:1:1: empty trace: expected the header 'time,op,bytes,offset'");
    ck_assert_str_eq(replay_error("\ntime,op,bytes,offset\n", spec),
                     "trace.csv:2:1: the trace has no rows after its header");
    ck_assert_str_eq(replay_error("time,op,bytes,offset\n3us,read,1,0\n",
                                  "{kind: replay, file: trace.csv, loop: true}"),
                     "s.yaml:1:49: 'loop': every row of 'trace.csv' is at the same time, so the "
                     "trace has no length to repeat");
}
END_TEST

START_TEST(replay_missing_file_is_reported_at_the_scenario)
{
    rig_open(1, 0);
    make_dir();
    ck_assert_str_eq(replay_error(NULL, "{kind: replay, file: none.csv}"),
                     "s.yaml:1:32: 'file': cannot read 'none.csv': No such file or directory");
}
END_TEST

static Suite *workload_check_suite(void)
{
    Suite *s = suite_create("workload_check");
    TCase *t = tcase_create("schema");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_add_test(t, every_parameter_belongs_to_a_kind);
    tcase_add_test(t, storage_defaults_are_the_old_ones);
    tcase_add_test(t, check_refuses_parameters_of_another_kind_where_written);
    tcase_add_test(t, check_refuses_bad_mixes_at_the_value);
    tcase_add_test(t, size_mix_weights_are_normalised);
    suite_add_tcase(s, t);
    t = tcase_create("replay");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_add_test(t, replay_csv_errors_have_csv_locations);
    tcase_add_test(t, replay_missing_file_is_reported_at_the_scenario);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(workload_check_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
