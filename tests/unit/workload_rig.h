/* tests/unit/workload_rig.h — the rig test_workloads.c and
 * test_workload_check.c share: a test schema holding `workload` and
 * `workloads` (as the scenario schema will), the kernel/recorder/env and
 * fake LPAR I/O state built per test and freed by the teardown, loading a
 * small YAML text against the test schema, and a temporary directory for
 * replay traces with a scenario file in it.
 *
 * Header-only (static inline): tests/CMakeLists.txt builds every
 * tests/unit/test_*.c alone, so there is no shared object to link. A
 * fixture only one test file uses stays in that file. The includer defines
 * _XOPEN_SOURCE 700 (mkdtemp) before its first #include.
 */
#ifndef LPARSIM_TESTS_UNIT_WORKLOAD_RIG_H
#define LPARSIM_TESTS_UNIT_WORKLOAD_RIG_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/hypervisor/lpar_memory.h"
#include "sim/scenario.h"
#include "workloads/workload.h"

/* ---- test schema --------------------------------------------------------- */

static const struct param_desc root_params[] = { { 0 } };
static const struct schema_child root_children[] = {
    { "workload", CFG_STRUCT, &workload_schema, "one workload", false },
    { "workloads", CFG_LIST, &workload_schema, "several", false },
    { 0 }
};
static const struct schema root_schema = { "root", "test root", root_params, root_children };

/* ---- fake LPAR ports: their state (the ports are in test_workloads.c) ---- */

#define RING 8192
#define LOG 256

struct pending {
    uint64_t tag;
    const struct io_notify_port *notify;
};

struct fake_io {
    sim_time_t service;        /* 0: I/Os never complete */
    sim_time_t refuse_until;   /* issue refuses before this time */
    uint64_t issued[IO_OPS], refused;
    uint64_t outstanding, max_outstanding;
    uint64_t by_bytes[4];      /* counts of the sizes in sizes[] */
    uint32_t sizes[4];
    uint32_t min_bytes, max_bytes;
    uint64_t misaligned, beyond;  /* offsets not aligned to their size / past device */
    uint64_t device_size;
    struct logged { sim_time_t t; uint64_t offset; uint32_t bytes; uint8_t op; } log[LOG];
    size_t nlog;
    struct pending ring[RING];
    size_t head, tail;
};

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct scenario *scn;
    struct workload *w[4];
    struct lpar_memory *mem;
    struct fake_io io;
    uint64_t cpu_runs[8];
    uint64_t max_page;         /* highest page a dirty workload wrote */
    char dir[256];             /* temp dir for traces */
} rig;

static inline void rig_close(void)
{
    for (size_t i = 0; i < 4; i++)
        workload_destroy(rig.w[i]);
    lpar_memory_destroy(rig.mem);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    scenario_free(rig.scn);
    if (rig.dir[0]) { /* holds at most trace.csv */
        char path[300];
        snprintf(path, sizeof path, "%s/trace.csv", rig.dir);
        remove(path);
        rmdir(rig.dir);
    }
    memset(&rig, 0, sizeof rig);
}

static inline void rig_open(uint64_t seed, sim_time_t warmup)
{
    rig_close();
    rig.k = kernel_create(KERNEL_NATIVE, 4096);
    ck_assert_ptr_nonnull(rig.k);
    rig.rec = recorder_create(0);
    env_init(&rig.env, rig.k, rig.rec, seed, warmup, 100 * SIM_S, 0, 0);
    rig.io.min_bytes = UINT32_MAX;
}

/* ---- loading --------------------------------------------------------------- */

static inline struct scenario *load(const char *file, const char *yaml, struct diag *err)
{
    scenario_free(rig.scn);
    rig.scn = scenario_load_string(file, yaml, &root_schema, err);
    return rig.scn;
}

/* The cfg of `workload: SPEC` (a flow mapping) in t.yaml. */
static inline const struct cfg_node *spec_cfg(const char *spec)
{
    char text[1024];
    struct diag err;
    snprintf(text, sizeof text, "workload: %s\n", spec);
    ck_assert_msg(load("t.yaml", text, &err) != NULL, "%s:%d:%d: %s", err.file, err.line, err.col,
                  err.msg);
    return cfg_find(rig.scn->root, "workload");
}

/* ---- replay: a trace directory -------------------------------------------------- */

static inline void make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(rig.dir, sizeof rig.dir, "%s/wl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(rig.dir));
}

static inline void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", rig.dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Loads `workload: SPEC` from DIR/s.yaml (so a relative file is in DIR). */
static inline const struct cfg_node *replay_cfg(const char *spec)
{
    char file[300], text[512];
    struct diag err;
    snprintf(file, sizeof file, "%s/s.yaml", rig.dir);
    snprintf(text, sizeof text, "workload: %s\n", spec);
    ck_assert_msg(load(file, text, &err) != NULL, "%s", err.msg);
    return cfg_find(rig.scn->root, "workload");
}

#endif /* LPARSIM_TESTS_UNIT_WORKLOAD_RIG_H */
