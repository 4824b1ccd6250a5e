/* tests/unit/test_pcie.c — the PCIe link model (models/pcie/pcie_link.h):
 * the analytic numbers of pcie-bench (Neugebauer et al., SIGCOMM 2018), the
 * TLP byte counts, the simulated link's serialisation (FIFO per
 * direction, directions independent, no rounding drift), saturated
 * simulated throughput against the analytic model, and unloaded DMA read
 * latency against pcie-bench's measured curve (551 + 0.287 x sz ns);
 * and the validation rows of cli/validate_pcie.c, whose table this test
 * prints (docs/model-pcie.md quotes it).
 *
 * Every test builds its kernel + recorder + link through rig_open; the
 * fixture's teardown frees them even when an assertion fails (ctest runs
 * with CK_FORK=no, so a SystemC kernel left alive would break the next
 * test). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/validate_pcie.h"
#include "models/pcie/pcie_link.h"

/* ---- helpers ------------------------------------------------------------ */

struct rig {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct pcie_link *l;
};

static struct rig rig;

static void rig_close(void)
{
    pcie_link_destroy(rig.l);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    memset(&rig, 0, sizeof rig);
}

static struct pcie_link *rig_open(enum kernel_backend b, const struct pcie_link_config *c)
{
    rig_close();
    rig.k = kernel_create(b, 1024);
    ck_assert_ptr_nonnull(rig.k);
    rig.rec = recorder_create(0);
    env_init(&rig.env, rig.k, rig.rec, 1, 0, SIM_S, 0, 0);
    rig.l = pcie_link_create(&rig.env, "s0.phb0.link", c);
    ck_assert_ptr_nonnull(rig.l);
    return rig.l;
}

static struct pcie_link_config cfg_of(unsigned gen, unsigned width, uint32_t mps)
{
    struct pcie_link_config c;
    pcie_link_config_default(&c);
    c.gen = gen;
    c.width = width;
    c.mps = mps;
    return c;
}

/* Asserts that v prints as `want` with two decimals (REFERENCE's form). */
static void assert_2dp(double v, const char *want)
{
    char got[32];
    snprintf(got, sizeof got, "%.2f", v);
    ck_assert_msg(strcmp(got, want) == 0, "%.5f prints as %s, want %s", v, got, want);
}

static void assert_rel(double got, double want, double tol, const char *what)
{
    ck_assert_msg(fabs(got - want) <= tol * fabs(want), "%s: %.6g vs %.6g (tol %.3g%%)", what,
                  got, want, 100 * tol);
}

/* A DMA engine keeping `window` DMAs of sz bytes outstanding until
 * `limit` have been issued; measures payload throughput between the
 * completion of DMA number `mark` and the last one. */
struct engine {
    struct pcie_link *l;
    struct kernel *k;
    bool read;
    uint64_t sz, issued, done, limit, mark;
    sim_time_t t_mark, t_last;
};

static void engine_done(void *ctx, uint64_t arg);

static void engine_issue(struct engine *e)
{
    e->issued++;
    if (e->read)
        pcie_dma_read(e->l, e->sz, engine_done, e, 0);
    else
        pcie_dma_write(e->l, e->sz, engine_done, e, 0);
}

static void engine_done(void *ctx, uint64_t arg)
{
    (void)arg;
    struct engine *e = ctx;
    e->done++;
    e->t_last = kernel_now(e->k);
    if (e->done == e->mark)
        e->t_mark = e->t_last;
    if (e->issued < e->limit)
        engine_issue(e);
}

static double saturated_bps(const struct pcie_link_config *c, bool read, uint64_t sz)
{
    struct pcie_link *l = rig_open(KERNEL_NATIVE, c);
    struct engine e = { .l = l, .k = rig.k, .read = read, .sz = sz,
                        .limit = 4096, .mark = 2048 };
    for (int i = 0; i < 512; i++)
        engine_issue(&e);
    kernel_run(rig.k);
    ck_assert_uint_eq(e.done, e.limit);
    return (double)((e.done - e.mark) * sz * 8) / sim_time_to_s(e.t_last - e.t_mark);
}

static void record_time(void *ctx, uint64_t arg)
{
    (void)arg;
    *(sim_time_t *)ctx = kernel_now(rig.k);
}

/* Unloaded latency of one DMA read of sz bytes, ns. */
static double read_latency_ns(enum kernel_backend b, const struct pcie_link_config *c,
                              uint64_t sz)
{
    struct pcie_link *l = rig_open(b, c);
    sim_time_t t = 0;
    pcie_dma_read(l, sz, record_time, &t, 0);
    kernel_run(rig.k);
    return sim_time_to_ns(t);
}

/* ---- analytic model ----------------------------------------------------- */

START_TEST(defaults_are_gen3_x8_mps256)
{
    struct pcie_link_config c;
    char msg[160];
    pcie_link_config_default(&c);
    ck_assert_uint_eq(c.gen, 3);
    ck_assert_uint_eq(c.width, 8);
    ck_assert_uint_eq(c.mps, 256);
    ck_assert_uint_eq(c.mrrs, 512);
    ck_assert_uint_eq(c.rcb, 64);
    ck_assert(!c.rcb_chunks && !c.ecrc && c.addr64);
    ck_assert_uint_eq(c.latency, 100 * SIM_NS);
    ck_assert_uint_eq(c.host_read_latency, 345 * SIM_NS);
    ck_assert_double_eq(c.host_read_rate, 58e9);
    ck_assert_int_eq(pcie_link_config_check(&c, msg, sizeof msg), 0);
}
END_TEST

START_TEST(reference_rates_gen3_x8)
{
    struct pcie_link_config c = cfg_of(3, 8, 256);
    assert_2dp(pcie_raw_bps(&c) / 1e9, "63.02");
    const uint32_t mps[] = { 128, 256, 512 };
    const char *tlp[] = { "56.67", "57.88", "57.31" };
    for (int i = 0; i < 3; i++) {
        c.mps = mps[i];
        assert_2dp(pcie_tlp_bps(&c) / 1e9, tlp[i]);
    }
}
END_TEST

START_TEST(reference_throughput_gen3_x8_mps256)
{
    struct pcie_link_config c = cfg_of(3, 8, 256);
    assert_2dp(pcie_write_throughput_bps(&c, 64) / 1e9, "42.10");
    assert_2dp(pcie_write_throughput_bps(&c, 128) / 1e9, "48.75");
    assert_2dp(pcie_read_throughput_bps(&c, 64) / 1e9, "44.10");
    assert_2dp(pcie_read_throughput_bps(&c, 128) / 1e9, "50.06");
    for (uint64_t sz = 256; sz <= 4096; sz *= 2) {
        assert_2dp(pcie_write_throughput_bps(&c, sz) / 1e9, "52.92");
        assert_2dp(pcie_read_throughput_bps(&c, sz) / 1e9, "53.69");
    }
}
END_TEST

START_TEST(tlp_byte_counts)
{
    struct pcie_link_config c = cfg_of(3, 8, 256);
    ck_assert_uint_eq(pcie_write_wire_bytes(&c, 64), 88);
    ck_assert_uint_eq(pcie_write_wire_bytes(&c, 300), 2 * 24 + 300);
    ck_assert_uint_eq(pcie_write_wire_bytes(&c, 0), 24); /* header-only TLP */
    ck_assert_uint_eq(pcie_read_request_wire_bytes(&c, 512), 24);
    ck_assert_uint_eq(pcie_read_request_wire_bytes(&c, 1025), 3 * 24);
    ck_assert_uint_eq(pcie_read_completion_wire_bytes(&c, 1024), 4 * 20 + 1024);
    ck_assert_uint_eq(pcie_read_completion_wire_bytes(&c, 100), 20 + 100);
    c.rcb_chunks = true; /* cut at RCB 64 */
    ck_assert_uint_eq(pcie_read_completion_tlps(&c, 1024), 16);
    c.rcb = 128;
    ck_assert_uint_eq(pcie_read_completion_tlps(&c, 1000), 8);
    c.rcb_chunks = false;
    c.ecrc = true;
    ck_assert_uint_eq(pcie_mwr_overhead(&c), 28);
    ck_assert_uint_eq(pcie_mrd_overhead(&c), 28);
    ck_assert_uint_eq(pcie_cpld_overhead(&c), 24);
    c.ecrc = false;
    c.addr64 = false;
    ck_assert_uint_eq(pcie_mwr_overhead(&c), 20);
    ck_assert_uint_eq(pcie_cpld_overhead(&c), 20);
    /* MRRS below MPS: a completion never carries more than its request. */
    c.addr64 = true;
    c.mrrs = 128;
    ck_assert_uint_eq(pcie_read_completion_tlps(&c, 512), 4);
    ck_assert_uint_eq(pcie_read_request_tlps(&c, 512), 4);
}
END_TEST

START_TEST(ack_limits_follow_the_spec_tables)
{
    ck_assert_uint_eq(pcie_ack_limit(3, 8, 128), 163);
    ck_assert_uint_eq(pcie_ack_limit(3, 8, 256), 203);
    ck_assert_uint_eq(pcie_ack_limit(3, 8, 512), 182);
    ck_assert_uint_eq(pcie_ack_limit(3, 8, 1024), 246);
    ck_assert_uint_eq(pcie_ack_limit(3, 8, 4096), 630);
    ck_assert_uint_eq(pcie_ack_limit(5, 16, 512), 182); /* Gen4/5: 8 GT/s table */
    ck_assert_uint_eq(pcie_ack_limit(1, 1, 128), 237);
    ck_assert_uint_eq(pcie_ack_limit(2, 32, 4096), 327);
    ck_assert_uint_eq(pcie_ack_limit(3, 12, 256), 0);
    ck_assert_uint_eq(pcie_ack_limit(6, 8, 256), 0);
    /* Gen1 is 8b/10b: x1 raw 2 Gb/s. */
    struct pcie_link_config c = cfg_of(1, 1, 128);
    assert_rel(pcie_raw_bps(&c), 2e9, 1e-12, "gen1 x1 raw");
}
END_TEST

START_TEST(config_check_rejects_what_ranges_cannot)
{
    char msg[160];
    struct pcie_link_config c = cfg_of(3, 8, 384);
    ck_assert_int_eq(pcie_link_config_check(&c, msg, sizeof msg), -1);
    ck_assert_msg(strstr(msg, "'mps'") != NULL, "%s", msg);
    c = cfg_of(3, 12, 256);
    ck_assert_int_eq(pcie_link_config_check(&c, msg, sizeof msg), -1);
    ck_assert_msg(strstr(msg, "'width'") != NULL, "%s", msg);
    c = cfg_of(3, 8, 256);
    c.rcb = 256;
    ck_assert_int_eq(pcie_link_config_check(&c, msg, sizeof msg), -1);
    c = cfg_of(0, 8, 256);
    ck_assert_int_eq(pcie_link_config_check(&c, msg, sizeof msg), -1);
    /* and create refuses it rather than asserting */
    struct recorder *rec = recorder_create(0);
    struct kernel *k = kernel_create(KERNEL_NATIVE, 16);
    struct env e;
    env_init(&e, k, rec, 1, 0, SIM_S, 0, 0);
    ck_assert_ptr_null(pcie_link_create(&e, "x", &c));
    env_release(&e);
    kernel_destroy(k);
    recorder_destroy(rec);
}
END_TEST

/* ---- simulated link ----------------------------------------------------- */

START_TEST(back_to_back_transfers_add_up)
{
    struct pcie_link_config c = cfg_of(3, 8, 256);
    struct pcie_link *l = rig_open(KERNEL_NATIVE, &c);
    sim_time_t t1 = pcie_link_transmit(l, PCIE_UP, 280, 1);
    sim_time_t t2 = pcie_link_transmit(l, PCIE_UP, 1000, 4);
    ck_assert_uint_eq(t1 - c.latency, pcie_link_wire_time(l, 280));
    ck_assert_uint_eq(t2 - c.latency, pcie_link_wire_time(l, 1280));
    sim_time_t sum = pcie_link_wire_time(l, 280) + pcie_link_wire_time(l, 1000);
    ck_assert(t2 - c.latency <= sum && sum - (t2 - c.latency) <= 1);
    /* 280 B at 57.88 Gb/s = 38.70 ns, rounded up to the ps */
    double exact_ps = 280 * 8 / pcie_tlp_bps(&c) * 1e12;
    ck_assert_uint_eq(pcie_link_wire_time(l, 280), (sim_time_t)ceil(exact_ps));
    /* An idle direction starts a transfer now, not at its old busy-until. */
    kernel_run_until(rig.k, 10 * SIM_US);
    sim_time_t t3 = pcie_link_transmit(l, PCIE_UP, 280, 1);
    ck_assert_uint_eq(t3, 10 * SIM_US + pcie_link_wire_time(l, 280) + c.latency);
}
END_TEST

START_TEST(no_drift_over_many_small_transfers)
{
    struct pcie_link_config c = cfg_of(2, 4, 128);
    struct pcie_link *l = rig_open(KERNEL_NATIVE, &c);
    sim_time_t t = 0;
    const uint64_t n = 1000000;
    for (uint64_t i = 0; i < n; i++)
        t = pcie_link_transmit(l, PCIE_DOWN, 7, 1);
    /* Rounding each 7-byte transfer up would add up to n ps. */
    ck_assert_uint_eq(t - c.latency, pcie_link_wire_time(l, 7 * n));
    assert_rel((double)(t - c.latency), 7.0 * (double)n * 8 / pcie_tlp_bps(&c) * 1e12, 1e-9,
               "exact rate");
}
END_TEST

START_TEST(reads_overlap_with_writes)
{
    struct pcie_link_config c = cfg_of(3, 8, 256);
    const uint64_t rd = 4096, wr = 65536;
    double alone = read_latency_ns(KERNEL_NATIVE, &c, rd);

    struct pcie_link *l = rig_open(KERNEL_NATIVE, &c);
    sim_time_t t_read = 0, t_write = 0;
    pcie_dma_read(l, rd, record_time, &t_read, 0);
    sim_time_t due = pcie_dma_write(l, wr, record_time, &t_write, 0);
    kernel_run(rig.k);
    /* The read's requests went first upstream; its completions use the
     * idle downstream: the write does not delay it at all. */
    ck_assert_double_eq(sim_time_to_ns(t_read), alone);
    /* The write waited only for the read requests upstream. */
    uint64_t up = pcie_read_request_wire_bytes(&c, rd) + pcie_write_wire_bytes(&c, wr);
    ck_assert_uint_eq(t_write, due);
    ck_assert_uint_eq(t_write, pcie_link_wire_time(l, up) + c.latency);
    /* Serialised on one wire they would take the sum of both. */
    sim_time_t serial = pcie_link_wire_time(l, up + pcie_read_completion_wire_bytes(&c, rd));
    ck_assert(t_write < serial && t_read < serial);
}
END_TEST

START_TEST(saturated_throughput_matches_analytic)
{
    struct pcie_link_config cfgs[3] = { cfg_of(3, 8, 256), cfg_of(4, 16, 512),
                                        cfg_of(2, 4, 128) };
    cfgs[2].mrrs = 256;
    cfgs[2].rcb_chunks = true;
    cfgs[2].ecrc = true;
    char what[96];
    for (int i = 0; i < 3; i++)
        for (uint64_t sz = 64; sz <= 4096; sz *= 4) {
            const struct pcie_link_config *c = &cfgs[i];
            snprintf(what, sizeof what, "gen%u x%u mps %u write %llu B", c->gen, c->width,
                     c->mps, (unsigned long long)sz);
            assert_rel(saturated_bps(c, false, sz), pcie_write_throughput_bps(c, sz), 0.005,
                       what);
            snprintf(what, sizeof what, "gen%u x%u mps %u read %llu B", c->gen, c->width,
                     c->mps, (unsigned long long)sz);
            assert_rel(saturated_bps(c, true, sz), pcie_read_throughput_bps(c, sz), 0.005,
                       what);
        }
}
END_TEST

START_TEST(halving_width_halves_throughput)
{
    struct pcie_link_config x8 = cfg_of(3, 8, 256), x4 = cfg_of(3, 4, 256);
    for (int read = 0; read <= 1; read++) {
        double a = saturated_bps(&x8, read, 1024);
        double b = saturated_bps(&x4, read, 1024);
        /* Raw rate halves exactly; the spec's Ack/FC limits differ by
         * lane count (x8 203, x4 214 symbol times), a 0.4% effect. */
        assert_rel(b / a, 0.5, 0.005, "x4 / x8");
        assert_rel(b / a, pcie_tlp_bps(&x4) / pcie_tlp_bps(&x8), 1e-4, "x4 / x8 analytic");
    }
}
END_TEST

START_TEST(read_latency_follows_measured_curve)
{
    struct pcie_link_config c;
    pcie_link_config_default(&c);
    char what[64];
    for (uint64_t sz = 64; sz <= 2048; sz += 64) {
        snprintf(what, sizeof what, "read latency %llu B", (unsigned long long)sz);
        assert_rel(read_latency_ns(KERNEL_NATIVE, &c, sz), 551 + 0.287 * (double)sz, 0.10, what);
    }
    /* and the four measured medians themselves */
    const uint64_t sz[] = { 64, 256, 1024, 2048 };
    const double ns[] = { 560, 626, 853, 1133 };
    for (int i = 0; i < 4; i++)
        assert_rel(read_latency_ns(KERNEL_NATIVE, &c, sz[i]), ns[i], 0.10, "measured");
}
END_TEST

START_TEST(statistics_count_bytes_tlps_and_utilisation)
{
    struct pcie_link_config c = cfg_of(3, 8, 256);
    struct pcie_link *l = rig_open(KERNEL_NATIVE, &c);
    rig.env.duration = 20 * SIM_US;
    rig.env.warmup = 2 * SIM_US;
    rig.env.sample_interval = 1 * SIM_US;
    env_start(&rig.env);
    struct engine e = { .l = l, .k = rig.k, .sz = 1024, .limit = UINT64_MAX, .mark = 1 };
    for (int i = 0; i < 64; i++)
        engine_issue(&e);
    kernel_run_until(rig.k, rig.env.duration);
    env_finish(&rig.env);

    double up = 0, down = 0, tlps = 0, bytes = 0, writes = 0;
    ck_assert(recorder_scalar_get(rig.rec, "s0.phb0.link", "up_utilisation", &up));
    ck_assert(recorder_scalar_get(rig.rec, "s0.phb0.link", "down_utilisation", &down));
    ck_assert(recorder_scalar_get(rig.rec, "s0.phb0.link", "up_tlps", &tlps));
    ck_assert(recorder_scalar_get(rig.rec, "s0.phb0.link", "up_wire_bytes", &bytes));
    ck_assert(recorder_scalar_get(rig.rec, "s0.phb0.link", "dma_writes", &writes));
    assert_rel(up, 1.0, 1e-9, "saturated upstream");
    ck_assert_double_eq(down, 0);
    /* bytes and TLPs committed in the window: 18 us of a saturated link */
    assert_rel(bytes, 18e-6 * pcie_tlp_bps(&c) / 8, 0.01, "wire bytes");
    ck_assert_double_eq(tlps, 4 * writes);
    ck_assert_double_eq(bytes, writes * (double)pcie_write_wire_bytes(&c, 1024));
    struct series_row rows[8];
    size_t n = recorder_series_rows(rig.rec, rows, 8);
    int seen = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].name, "up_utilisation") == 0) {
            seen = 1;
            ck_assert_uint_ge(rows[i].n, 15);
            for (size_t j = 0; j < rows[i].n; j++)
                assert_rel(rows[i].v[j], 1.0, 1e-9, "sampled utilisation");
        }
    ck_assert(seen);
    const struct statistic *st = recorder_find_statistic(rig.rec, "s0.phb0.link",
                                                         "dma_write_latency");
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_gt(statistic_count(st), 0);
}
END_TEST

START_TEST(backends_agree)
{
    struct pcie_link_config c = cfg_of(4, 16, 512);
    double t_native = read_latency_ns(KERNEL_NATIVE, &c, 3000);
    double t_systemc = read_latency_ns(KERNEL_SYSTEMC, &c, 3000);
    ck_assert_double_eq(t_native, t_systemc);
}
END_TEST

/* The rows `lparsim validate` prints for PCIe, on the default (SystemC)
 * backend; the table appears in this test's output. */
START_TEST(validation_rows_pass)
{
    rig_close();
    ck_assert_int_eq(validate_pcie(stdout, KERNEL_SYSTEMC), 0);
}
END_TEST

static Suite *pcie_suite(void)
{
    Suite *s = suite_create("pcie");
    TCase *t = tcase_create("analytic");
    tcase_add_test(t, defaults_are_gen3_x8_mps256);
    tcase_add_test(t, reference_rates_gen3_x8);
    tcase_add_test(t, reference_throughput_gen3_x8_mps256);
    tcase_add_test(t, tlp_byte_counts);
    tcase_add_test(t, ack_limits_follow_the_spec_tables);
    tcase_add_test(t, config_check_rejects_what_ranges_cannot);
    suite_add_tcase(s, t);
    t = tcase_create("link");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, back_to_back_transfers_add_up);
    tcase_add_test(t, no_drift_over_many_small_transfers);
    tcase_add_test(t, reads_overlap_with_writes);
    tcase_add_test(t, saturated_throughput_matches_analytic);
    tcase_add_test(t, halving_width_halves_throughput);
    tcase_add_test(t, read_latency_follows_measured_curve);
    tcase_add_test(t, statistics_count_bytes_tlps_and_utilisation);
    tcase_add_test(t, backends_agree);
    tcase_add_test(t, validation_rows_pass);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pcie_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
