/* tests/unit/test_hypervisor.c — the hypervisor
 * (models/hypervisor/hypervisor.h) built from a small scenario: VF
 * assignment end to end, retargeting and its cost, and the whole machine
 * through cli/machine.h.
 *
 * Every test that builds a machine does it through rig_open (and
 * rig_open_hypervisor); the checked teardown frees everything even when
 * an assertion fails (CK_FORK=no). The rig and the completion port
 * (done_port) are in irq_rig.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/machine.h"
#include "cli/registry.h"
#include "irq_rig.h"
#include "models/adapter/adapter.h"
#include "models/guest/vf_driver.h"
#include "models/hypervisor/hcall.h"
#include "models/hypervisor/hypervisor.h"
#include "models/hypervisor/dispatch.h"
#include "models/hypervisor/lpar.h"
#include "models/pcie/phb.h"
#include "sim/scenario.h"

/* ---- hypervisor fixture ------------------------------------------------- */

/* One system, one storage adapter (2 VFs, 2 queue pairs each), a
 * dedicated LPAR and a shared one. The router's retarget cost is not the
 * default, so the cost a retarget reports tells where it comes from. */
static const char *hyp_yaml =
    "name: irq-driver\n"
    "seed: 7\n"
    "duration: 40ms\n"
    "systems:\n"
    "  - name: s0\n"
    "    cores: 2\n"
    "    threads_per_core: 4\n"
    "    memory: 64GiB\n"
    "    hcalls: {int_set_source_config: 11400}\n"
    "    adapters:\n"
    "      - name: nvme0\n"
    "        kind: storage\n"
    "        vfs: 2\n"
    "        queue_pairs: 2\n"
    "        servers: 2\n"
    "        service: {dist: exponential, mean: 20us}\n"
    "lpars:\n"
    "  - name: ded\n"
    "    system: s0\n"
    "    adapter: nvme0\n"
    "    vf: 0\n"
    "    vps: 2\n"
    "    memory: 4GiB\n"
    "    driver: {queue_entries: 64, buffers: 32, buffer_size: 8KiB}\n"
    "    workload: {kind: storage, mode: open, rate: 20k/s, block_size: 4KiB}\n"
    "  - name: sh\n"
    "    system: s0\n"
    "    adapter: nvme0\n"
    "    vf: 1\n"
    "    vps: 2\n"
    "    memory: 4GiB\n"
    "    processors: {mode: shared, entitlement: 0.5}\n"
    "    driver: {queue_entries: 64, buffers: 32, buffer_size: 8KiB}\n"
    "    workload: {kind: storage, mode: open, rate: 20k/s, block_size: 4KiB}\n";

static struct cfg_node *hyp_load(void)
{
    struct diag err;
    rig.scn = scenario_load_string("irq.yaml", hyp_yaml, &scenario_schema, &err);
    ck_assert_msg(rig.scn != NULL, "%s", err.msg);
    ck_assert_msg(machine_check(rig.scn->root, &err) == 0, "%s", err.msg);
    return rig.scn->root;
}

/* The machine of hyp_yaml, built (not started): its hypervisor, PHB and
 * adapter, both LPARs and their drivers, found by path. */
static void rig_open_hypervisor(void)
{
    rig_open();
    struct cfg_node *root = hyp_load();
    struct diag err = { 0 };
    rig.m = machine_build(&rig.env, root, &err);
    ck_assert_msg(rig.m != NULL, "%s", err.msg);
    rig.phb = env_find(&rig.env, "s0.nvme0.link", "pcie_link");
    rig.ad = env_find(&rig.env, "s0.nvme0", "adapter");
    rig.lpar[0] = env_find(&rig.env, "lpar.ded", "lpar");
    rig.lpar[1] = env_find(&rig.env, "lpar.sh", "lpar");
    ck_assert(rig.phb && rig.ad && rig.lpar[0] && rig.lpar[1]);
    for (unsigned i = 0; i < 2; i++)
        rig.drv[i] = lpar_device(rig.lpar[i], 0)->driver;
    rig.h = lpar_placement(rig.lpar[0])->hyp;
}

/* ---- hypervisor --------------------------------------------------------- */

/* 13a. assign_vf's interrupt wiring, seen from both ends: each queue pair
 * got a PHB source, routed and turned on (PQ 00; the next is still off),
 * and a read submitted to each driver completes OK — which needs the
 * doorbell window, the DMA mapping, the MSI-X entry programmed through
 * the PF (address, data = that source, unmasked, enabled) and the XIVE
 * route to the driver's handler. The shared LPAR's read completes too,
 * its handler waiting for its VP's dispatch if need be. */
START_TEST(hyp_assign_vf_wires_msix_to_the_driver_handler)
{
    rig_open_hypervisor();
    struct xive_source *src = phb_sources(rig.phb);
    for (uint32_t n = 0; n < 4; n++)
        ck_assert_msg(xive_source_pq(src, n) == XIVE_PQ_00, "source %u is %s", n,
                      xive_pq_name(xive_source_pq(src, n)));
    ck_assert_int_eq(xive_source_pq(src, 4), XIVE_PQ_01);

    struct io_req *r[2];
    for (unsigned i = 0; i < 2; i++) {
        r[i] = &reqs[i];
        *r[i] = (struct io_req){ .seq = 1, .op = IO_READ, .bytes = 4096, .in_use = 1,
                                 .done = &done_port };
        struct io_sink s = vf_driver_sink(rig.drv[i]);
        s.submit(s.ctx, r[i]);
    }
    kernel_run_until(rig.k, 30 * SIM_MS); /* > one 10 ms dispatch window */
    ck_assert_uint_eq(seen.ndone, 2);
    for (unsigned i = 0; i < 2; i++) {
        ck_assert_uint_eq(r[i]->status, IO_OK);
        ck_assert(r[i]->t_visible > 0);
    }
    /* one interrupt each (queue pair 0 of each VF: sources 0 and 2), EOI'd */
    ck_assert_uint_eq(xive_source_counters(src)->notifies, 2);
    ck_assert_uint_eq(xive_source_counters(src)->eois, 2);
    for (uint32_t n = 0; n < 4; n++)
        ck_assert_int_eq(xive_source_pq(src, n), XIVE_PQ_00);
}
END_TEST

/* 14. Retargeting a logical IRQ is one H_INT_SET_SOURCE_CONFIG: its cost
 * is the hcall's (int_set_source_config, 11400 cycles here = 3 us at
 * 3.8 GHz), the one cost the interrupt controller also uses. An unknown
 * lisn or VP costs SIM_TIME_MAX and is not charged. */
START_TEST(hyp_retarget_irq_costs_the_router_retarget_once)
{
    rig_open_hypervisor();
    machine_start(rig.m);
    env_start(&rig.env);
    kernel_run_until(rig.k, SIM_US); /* past the warm-up reset (warm-up 0) */
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[0], 0, 1), 3 * SIM_US);
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[1], 1, 0), 3 * SIM_US);
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[0], 2, 0), SIM_TIME_MAX);
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[0], UINT32_MAX, 0),
                      SIM_TIME_MAX);
    ck_assert_uint_eq(hypervisor_retarget_irq(rig.h, rig.lpar[0], 0, 2), SIM_TIME_MAX);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("s0.hcall.H_INT_SET_SOURCE_CONFIG", "calls"), 2);
    ck_assert_double_eq(scalar("s0.xive", "retargets"), 2);
}
END_TEST

/* 13b. The whole machine from the scenario: both LPARs complete I/O,
 * every MSI the PHB sent became a XIVE trigger on a routed source (the
 * MSI-X data the PF programmed names the right source), nothing is lost
 * or dropped. */
START_TEST(machine_runs_ios_through_msix_and_xive)
{
    rig_open();
    struct cfg_node *root = hyp_load();
    sim_time_t duration = cfg_u64(root, "duration");
    struct diag err = { 0 };
    rig.m = machine_build(&rig.env, root, &err);
    ck_assert_msg(rig.m != NULL, "%s", err.msg);
    env_start(&rig.env);
    machine_start(rig.m);
    kernel_run_until(rig.k, duration);
    env_finish(&rig.env);
    ck_assert_str_eq(rig.env.failure, "");
    ck_assert(scalar("lpar.ded", "ios_completed") > 100);
    ck_assert(scalar("lpar.sh", "ios_completed") > 100);
    ck_assert_double_eq(scalar("lpar.ded", "ios_lost"), 0);
    ck_assert_double_eq(scalar("lpar.sh", "ios_lost"), 0);
    ck_assert_double_eq(scalar("lpar.ded", "ios_failed"), 0);
    ck_assert_double_eq(scalar("lpar.sh", "ios_failed"), 0);
    double triggers = scalar("s0.xive", "triggers");
    double msis = scalar("s0.nvme0.phb", "msis");
    ck_assert(triggers > 0);
    ck_assert_double_eq(scalar("s0.nvme0.phb", "msis_dropped"), 0);
    /* MSIs still on the link at the end have not triggered yet */
    ck_assert(triggers <= msis && triggers >= msis - 8);
    ck_assert_double_eq(scalar("s0.xive", "notifications"),
                        scalar("s0.xive", "presented") + scalar("s0.xive", "backlogged"));
    ck_assert_double_eq(scalar("s0.xive", "eq_overflows"), 0);
}
END_TEST

/* An LPAR taken off its system while it runs and placed again (the
 * inverse of placement, as live partition mobility will use it): its
 * VPs' work goes with it and completes once it is placed again, its
 * memory leaves the system's account and comes back, and while it is
 * off its VP port refuses work. A closed loop of compute items on
 * shared uncapped VPs: none is lost. */
static const char *move_yaml =
    "name: move\nduration: 30ms\n"
    "systems:\n  - name: s0\n    cores: 2\n    threads_per_core: 2\n"
    "    adapters:\n      - {name: nvme0, vfs: 1}\n"
    "lpars:\n  - name: c\n    system: s0\n    adapter: nvme0\n    vps: 2\n    memory: 2GiB\n"
    "    processors: {mode: shared, entitlement: 0.5, sharing: uncapped}\n"
    "    workload: {kind: compute, mode: closed, depth: 2, cycles: 1M}\n";

static struct dispatch_saved saved_work;

static void take_off(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpar *l = ctx;
    ck_assert_int_eq(hypervisor_remove_lpar(rig.h, l, &saved_work), 0);
    ck_assert_ptr_null(lpar_placement(l)->hyp);
    ck_assert_uint_eq(hypervisor_memory_used(rig.h), 0);
    struct cpu_work_port p = lpar_vp_port(l);
    ck_assert_int_eq(p.run(p.ctx, 0, 1000, NULL, NULL, 0), -1);
}

static void put_back(void *ctx, uint64_t arg)
{
    (void)arg;
    struct diag err;
    ck_assert_msg(hypervisor_place_lpar(rig.h, ctx, &saved_work, &err) == 0, "%s", err.msg);
    dispatch_saved_free(&saved_work);
    ck_assert_uint_eq(hypervisor_memory_used(rig.h), 2ull << 30);
}

START_TEST(lpar_taken_off_and_placed_again_keeps_its_work)
{
    rig_open();
    struct diag err = { 0 };
    rig.scn = scenario_load_string("move.yaml", move_yaml, &scenario_schema, &err);
    ck_assert_msg(rig.scn != NULL, "%s", err.msg);
    rig.m = machine_build(&rig.env, rig.scn->root, &err);
    ck_assert_msg(rig.m != NULL, "%s", err.msg);
    struct lpar *l = env_find(&rig.env, "lpar.c", "lpar");
    rig.h = lpar_placement(l)->hyp;
    ck_assert_uint_eq(hypervisor_memory_used(rig.h), 2ull << 30);
    env_start(&rig.env);
    machine_start(rig.m);
    kernel_schedule_at(rig.k, 10 * SIM_MS, take_off, l, 0);
    kernel_schedule_at(rig.k, 20 * SIM_MS, put_back, l, 0);
    kernel_run_until(rig.k, 30 * SIM_MS);
    env_finish(&rig.env);
    /* 1M cycles at 3.8 GHz = 263 us per item, two at a time: about 38
     * per 10 ms; both loops resumed after 20 ms, none refused */
    double done = scalar("lpar.c.workload", "items_completed");
    ck_assert_msg(done > 60, "only %g items completed", done);
    ck_assert_double_eq(scalar("lpar.c.workload", "items_refused"), 0);
    ck_assert_double_eq(scalar("lpar.c.workload", "items_issued") - done, 2); /* in flight */
}
END_TEST

static Suite *hypervisor_suite(void)
{
    Suite *s = suite_create("hypervisor");
    TCase *t = tcase_create("hypervisor");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, hyp_assign_vf_wires_msix_to_the_driver_handler);
    tcase_add_test(t, hyp_retarget_irq_costs_the_router_retarget_once);
    tcase_add_test(t, machine_runs_ios_through_msix_and_xive);
    tcase_add_test(t, lpar_taken_off_and_placed_again_keeps_its_work);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(hypervisor_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
