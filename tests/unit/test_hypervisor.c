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
    "    xive: {retarget: 3us}\n"
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

/* As cli/machine.c's phb_config. */
static void phb_config_of(struct phb_config *c, const struct cfg_node *ad)
{
    struct pe_rtt_config rc;
    struct diag err;
    pcie_link_config_from_cfg(&c->link, cfg_find(ad, "link"));
    ck_assert_int_eq(pe_config_init(&c->pe, cfg_find(ad, "eeh"), &err), 0);
    ck_assert_int_eq(tce_cache_config_init(&c->cache, cfg_find(ad, "tce_cache"), &err), 0);
    ck_assert_int_eq(tce_table_config_init(&c->window, cfg_find(ad, "dma_window"), &err), 0);
    ck_assert_int_eq(pe_rtt_config_init(&rc, cfg_find(ad, "phb"), &err), 0);
    c->pes = rc.pes;
    c->msi_sources = 4096;
}

/* The hypervisor with its PHB, adapter, both LPARs and their VFs, built
 * the way cli/machine.c does, and started. */
static void rig_open_hypervisor(void)
{
    rig_open();
    const struct cfg_node *root = hyp_load();
    const struct cfg_node *sys = cfg_item(cfg_find(root, "systems"), "s0");
    const struct cfg_node *adc = cfg_item(cfg_find(sys, "adapters"), "nvme0");
    const struct cfg_node *lpars = cfg_find(root, "lpars");
    struct diag err = { 0 };
    rig.h = hypervisor_create(&rig.env, sys, 4, 1, &err);
    ck_assert_msg(rig.h != NULL, "%s", err.msg);
    struct phb_config pc;
    phb_config_of(&pc, adc);
    rig.phb = phb_create(&rig.env, "s0.nvme0.phb", &pc);
    ck_assert_ptr_nonnull(rig.phb);
    ck_assert_int_eq(hypervisor_attach_phb(rig.h, rig.phb), 0);
    rig.ad = adapter_create(&rig.env, "s0.nvme0", adc, phb_upstream(rig.phb));
    ck_assert_ptr_nonnull(rig.ad);
    for (unsigned i = 0; i < 2; i++) {
        const struct cfg_node *lc = lpars->kids[i];
        rig.lpar[i] = hypervisor_add_lpar(rig.h, lc, &err);
        ck_assert_msg(rig.lpar[i] == (int)i, "%s", err.msg);
        struct vf_driver_config dc;
        vf_driver_config_init(&dc, cfg_find(lc, "driver"));
        char path[64];
        snprintf(path, sizeof path, "lpar.%s.driver", lc->key);
        rig.drv[i] = hypervisor_assign_vf(rig.h, rig.lpar[i], rig.ad, i, rig.phb, path, &dc,
                                          &err);
        ck_assert_msg(rig.drv[i] != NULL, "%s", err.msg);
    }
    ck_assert_msg(hypervisor_start(rig.h, &err) == 0, "%s", err.msg);
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

/* 14. Retargeting a logical IRQ is one H_INT_SET_SOURCE_CONFIG. Its cost
 * is the router's `retarget` (hypervisor.h; the hcall descriptor's
 * 19000 cycles are the same 5 us at 3.8 GHz by design, so adding both
 * would count it twice): 3 us as configured. An unknown lisn or VP
 * costs SIM_TIME_MAX and is not charged. */
START_TEST(hyp_retarget_irq_costs_the_router_retarget_once)
{
    rig_open_hypervisor();
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

/* The descriptor defaults agree: H_INT_SET_SOURCE_CONFIG's cycles at the
 * default 3.8 GHz are the router's default retarget, 5 us. */
START_TEST(hyp_retarget_defaults_agree_with_the_hcall_cost)
{
    struct xive_router_config xc;
    struct hcall_config hc;
    struct diag err;
    xive_router_config_init(&xc, NULL, &err);
    hcall_config_init(&hc, NULL);
    uint64_t cycles = hc.call_cycles[HCALL_INT_SET_SOURCE_CONFIG];
    ck_assert_uint_eq(xc.retarget_ps, 5 * SIM_US);
    ck_assert_uint_eq(cycles * 1000000000000ull / 3800000000ull, xc.retarget_ps);
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

static Suite *hypervisor_suite(void)
{
    Suite *s = suite_create("hypervisor");
    TCase *t = tcase_create("hypervisor");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, hyp_assign_vf_wires_msix_to_the_driver_handler);
    tcase_add_test(t, hyp_retarget_irq_costs_the_router_retarget_once);
    tcase_add_test(t, hyp_retarget_defaults_agree_with_the_hcall_cost);
    tcase_add_test(t, machine_runs_ios_through_msix_and_xive);
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
