/* tests/unit/test_workloads.c — running the workloads of
 * workloads/workload.h and the LPAR memory of
 * models/hypervisor/lpar_memory.h, driven through fake LPAR ports: an I/O
 * port that completes each I/O after a fixed service time (or never, or
 * refuses), a CPU port that runs an item in exactly its cycles at 1 GHz.
 * Workload parameters come from small YAML texts loaded against the test
 * schema of workload_rig.h.
 *
 * Checked: open-loop rates and read mix, closed loop keeping exactly
 * `depth` outstanding (also when issue refuses), size mixes, offsets
 * (aligned random, sequential wrapping), network TX/RX rates and ops,
 * compute latency and round-robin, its closed loop, dirty rate and working set, what
 * workload_create and lpar_memory_create refuse for a kind, replay times
 * (scaled, looping, path next to the scenario). What workload_check and
 * the replay CSV reader refuse is in test_workload_check.c. */
#define _XOPEN_SOURCE 700 /* mkdtemp (workload_rig.h) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/hypervisor/lpar_memory.h"
#include "sim/scenario.h"
#include "workloads/workload.h"

#include "workload_rig.h"

/* ---- fake LPAR ports ------------------------------------------------------ */

static void io_complete(void *ctx, uint64_t arg)
{
    (void)arg;
    struct fake_io *io = ctx;
    ck_assert_uint_ne(io->head, io->tail);
    struct pending p = io->ring[io->head];
    io->head = (io->head + 1) % RING;
    io->outstanding--;
    p.notify->completed(p.notify->ctx, p.tag, IO_OK);
}

static int io_issue(void *ctx, const struct io_spec *spec)
{
    struct fake_io *io = ctx;
    sim_time_t now = kernel_now(rig.k);
    ck_assert_ptr_nonnull(spec->notify);
    ck_assert_uint_eq(spec->tag, now); /* the workload's cookie: issue time */
    if (now < io->refuse_until) {
        io->refused++;
        return -1;
    }
    io->issued[spec->op]++;
    for (int i = 0; i < 4; i++)
        if (io->sizes[i] == spec->bytes)
            io->by_bytes[i]++;
    if (spec->bytes < io->min_bytes)
        io->min_bytes = spec->bytes;
    if (spec->bytes > io->max_bytes)
        io->max_bytes = spec->bytes;
    io->misaligned += spec->offset % spec->bytes != 0;
    io->beyond += io->device_size && spec->offset + spec->bytes > io->device_size;
    if (io->nlog < LOG)
        io->log[io->nlog++] = (struct logged){ now, spec->offset, spec->bytes, spec->op };
    if (io->service) {
        io->ring[io->tail] = (struct pending){ spec->tag, spec->notify };
        io->tail = (io->tail + 1) % RING;
        ck_assert_uint_ne(io->tail, io->head); /* ring overflow */
        io->outstanding++;
        if (io->outstanding > io->max_outstanding)
            io->max_outstanding = io->outstanding;
        kernel_schedule_in(rig.k, io->service, io_complete, io, 0);
    }
    return 0;
}

/* 1 GHz, no queueing: an item of c cycles takes c ns. */
static int cpu_run(void *ctx, uint32_t vp, uint64_t cycles, event_fn fn, void *fctx,
                   uint64_t arg)
{
    (void)ctx;
    ck_assert_uint_lt(vp, 8);
    rig.cpu_runs[vp]++;
    kernel_schedule_in(rig.k, cycles * SIM_NS, fn, fctx, arg);
    return 0;
}

/* Sits in front of the real LPAR memory to see which pages are written. */
static sim_time_t mem_dirty_spy(void *ctx, uint64_t first, uint64_t npages)
{
    struct mem_dirty_port real = lpar_memory_dirty_port(ctx);
    if (first + npages - 1 > rig.max_page)
        rig.max_page = first + npages - 1;
    return real.dirty(real.ctx, first, npages);
}

static struct workload_ports ports(uint32_t vps)
{
    struct workload_ports p = {
        .io = { io_issue, &rig.io },
        .cpu = { cpu_run, NULL, vps },
        .own_latency = true,
    };
    if (rig.mem) {
        p.mem = lpar_memory_dirty_port(rig.mem);
        p.mem.dirty = mem_dirty_spy;
        p.mem.ctx = rig.mem;
    }
    return p;
}

/* ---- starting and measuring ------------------------------------------------ */

/* Creates (after checking) workload i from cfg and starts it. */
static struct workload *start_cfg(size_t i, const char *path, const struct cfg_node *cfg,
                                  uint32_t vps)
{
    struct diag err;
    ck_assert_msg(workload_check(cfg, &err) == 0, "check: %s", err.msg);
    struct workload_ports p = ports(vps);
    rig.w[i] = workload_create(&rig.env, path, cfg, &p, &err);
    ck_assert_msg(rig.w[i] != NULL, "create: %s", err.msg);
    return rig.w[i];
}

static struct workload *start_spec(const char *spec)
{
    env_start(&rig.env);
    struct workload *w = start_cfg(0, "lpar.l1.w", spec_cfg(spec), 3);
    workload_start(w);
    return w;
}

static void run_to(sim_time_t t)
{
    kernel_run_until(rig.k, t);
}

static double scalar(const char *comp, const char *name)
{
    double v = NAN;
    ck_assert_msg(recorder_scalar_get(rig.rec, comp, name, &v), "no scalar %s %s", comp, name);
    return v;
}

static void assert_near(double got, double want, double rel, const char *what)
{
    ck_assert_msg(fabs(got - want) <= rel * want, "%s: %g, want %g +- %.1f%%", what, got, want,
                  rel * 100);
}

/* ---- storage ----------------------------------------------------------------- */

START_TEST(open_loop_poisson_rate_and_read_mix)
{
    rig_open(11, 0);
    rig.io.service = 20 * SIM_US;
    start_spec("{rate: 50k/s, read_fraction: 0.7}");
    run_to(2 * SIM_S);
    double reads = (double)rig.io.issued[IO_READ], writes = (double)rig.io.issued[IO_WRITE];
    assert_near(reads + writes, 100000, 0.02, "I/Os in 2 s at 50k/s");
    assert_near(reads / (reads + writes), 0.7, 0.015, "read fraction");
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.l1.w", "ios_issued"), reads + writes);
    const struct statistic *lat = recorder_find_statistic(rig.rec, "lpar.l1.w", "latency");
    ck_assert_ptr_nonnull(lat);
    ck_assert_double_eq_tol(statistic_mean(lat), 20000, 1e-6);
}
END_TEST

START_TEST(open_loop_constant_is_exact)
{
    rig_open(1, 0);
    start_spec("{rate: 10k/s, arrivals: constant, start: 1ms}");
    run_to(SIM_S + SIM_MS);
    ck_assert_uint_eq(rig.io.issued[IO_READ], 10000); /* 1.1ms, 1.2ms, ..., 1.001s */
    ck_assert_uint_eq(rig.io.log[0].t, SIM_MS + 100 * SIM_US);
    ck_assert_uint_eq(rig.io.log[1].t - rig.io.log[0].t, 100 * SIM_US);
}
END_TEST

START_TEST(closed_loop_keeps_exactly_depth_outstanding)
{
    rig_open(2, 0);
    rig.io.service = 50 * SIM_US;
    start_spec("{mode: closed, depth: 8, think: 20us, arrivals: constant}");
    run_to(100 * SIM_MS);
    ck_assert_uint_eq(rig.io.max_outstanding, 8);
    /* X = N / (R + Z): 8 per 70 us. */
    uint64_t done = rig.io.issued[IO_READ] - rig.io.outstanding;
    assert_near((double)done, 100e-3 / 70e-6 * 8, 0.002, "closed-loop completions");
}
END_TEST

START_TEST(closed_loop_retries_when_issue_refuses)
{
    rig_open(3, 0);
    rig.io.service = 10 * SIM_US;
    rig.io.refuse_until = 5 * SIM_MS;
    start_spec("{mode: closed, depth: 4}");
    run_to(20 * SIM_MS);
    ck_assert_uint_gt(rig.io.refused, 0);
    ck_assert_uint_eq(rig.io.outstanding, 4); /* the population came back */
    ck_assert_uint_eq(rig.io.max_outstanding, 4);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.l1.w", "ios_failed"), (double)rig.io.refused);
}
END_TEST

START_TEST(workloads_sharing_an_lpar_hear_their_own_completions)
{
    rig_open(4, 0);
    rig.io.service = 30 * SIM_US;
    struct diag err;
    ck_assert_ptr_nonnull(load("t.yaml",
                               "workloads:\n"
                               "  - {name: a, mode: closed, depth: 2}\n"
                               "  - {name: b, mode: closed, depth: 5}\n",
                               &err));
    const struct cfg_node *list = cfg_find(rig.scn->root, "workloads");
    env_start(&rig.env);
    workload_start(start_cfg(0, "lpar.l1.a", cfg_item(list, "a"), 1));
    workload_start(start_cfg(1, "lpar.l1.b", cfg_item(list, "b"), 1));
    run_to(30 * SIM_MS);
    ck_assert_uint_eq(rig.io.max_outstanding, 7);
    env_finish(&rig.env);
    /* Each kept its own depth: completions in the ratio 2 : 5. */
    double a = scalar("lpar.l1.a", "ios_completed"), b = scalar("lpar.l1.b", "ios_completed");
    assert_near(a, 2 * 1000, 0.001, "a's completions");
    assert_near(b, 5 * 1000, 0.001, "b's completions");
    ck_assert_double_eq(scalar("lpar.l1.a", "ios_in_flight"), 2);
}
END_TEST

START_TEST(block_size_mix_frequencies_and_aligned_random_offsets)
{
    rig_open(5, 0);
    rig.io.sizes[0] = 4096;
    rig.io.sizes[1] = 65536;
    rig.io.device_size = 1ull << 30;
    start_spec("{rate: 100k/s, block_sizes: \"4KiB:0.7, 64KiB:0.3\", device_size: 1GiB}");
    run_to(SIM_S);
    double small = (double)rig.io.by_bytes[0], big = (double)rig.io.by_bytes[1];
    ck_assert_double_eq(small + big, (double)rig.io.issued[IO_READ]);
    assert_near(small / (small + big), 0.7, 0.01, "4KiB share");
    ck_assert_uint_eq(rig.io.misaligned, 0);
    ck_assert_uint_eq(rig.io.beyond, 0);
    /* Random offsets spread over the device: some in the upper half. */
    uint64_t upper = 0;
    for (size_t i = 0; i < rig.io.nlog; i++)
        upper += rig.io.log[i].offset >= (1ull << 29);
    ck_assert_uint_gt(upper, rig.io.nlog / 4);
}
END_TEST

START_TEST(sequential_offsets_advance_and_wrap)
{
    rig_open(6, 0);
    start_spec("{rate: 1k/s, arrivals: constant, pattern: sequential, block_size: 4KiB, "
               "device_size: 42KiB}");
    run_to(25 * SIM_MS);
    ck_assert_uint_eq(rig.io.nlog, 25);
    for (size_t i = 0; i < 25; i++) /* 10 whole blocks fit in 42 KiB */
        ck_assert_uint_eq(rig.io.log[i].offset, (i % 10) * 4096);
}
END_TEST

/* ---- network ------------------------------------------------------------------ */

START_TEST(network_tx_rx_rates_ops_and_sizes)
{
    rig_open(7, 0);
    rig.io.sizes[0] = 64;
    rig.io.sizes[1] = 1500;
    rig.io.sizes[2] = 9000;
    start_spec("{kind: network, tx_rate: 40k/s, rx_rate: 10k/s, "
               "packet_sizes: \"64B:1,1500B:2,9000B:1\"}");
    run_to(2 * SIM_S);
    assert_near((double)rig.io.issued[IO_TX], 80000, 0.02, "TX packets");
    assert_near((double)rig.io.issued[IO_RX], 20000, 0.03, "RX packets");
    ck_assert_uint_eq(rig.io.issued[IO_READ] + rig.io.issued[IO_WRITE], 0);
    double total = (double)(rig.io.issued[IO_TX] + rig.io.issued[IO_RX]);
    assert_near((double)rig.io.by_bytes[1] / total, 0.5, 0.02, "1500B share");
    ck_assert_uint_eq(rig.io.min_bytes, 64);
    ck_assert_uint_eq(rig.io.max_bytes, 9000);
    for (size_t i = 0; i < rig.io.nlog; i++)
        ck_assert_uint_eq(rig.io.log[i].offset, 0);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.l1.w", "tx_packets"), (double)rig.io.issued[IO_TX]);
}
END_TEST

START_TEST(network_default_packet_size_and_idle_direction)
{
    rig_open(8, 0);
    start_spec("{kind: network, rx_rate: 0/s, arrivals: constant}");
    run_to(SIM_S);
    ck_assert_uint_eq(rig.io.issued[IO_TX], 10000);
    ck_assert_uint_eq(rig.io.issued[IO_RX], 0);
    ck_assert_uint_eq(rig.io.min_bytes, 1500);
    ck_assert_uint_eq(rig.io.max_bytes, 1500);
}
END_TEST

/* ---- compute ------------------------------------------------------------------ */

START_TEST(compute_items_take_their_cycles_round_robin)
{
    rig_open(9, 0);
    start_spec("{kind: compute, rate: 10k/s, cycles: 50000}");
    run_to(SIM_S);
    env_finish(&rig.env);
    double issued = scalar("lpar.l1.w", "items_issued");
    assert_near(issued, 10000, 0.03, "items issued");
    const struct statistic *lat = recorder_find_statistic(rig.rec, "lpar.l1.w", "work_latency");
    ck_assert_ptr_nonnull(lat);
    ck_assert_double_eq_tol(statistic_min(lat), 50000, 1e-6); /* 50k cycles at 1 GHz */
    ck_assert_double_eq_tol(statistic_max(lat), 50000, 1e-6);
    /* Items created in the last 50 us are still running. */
    ck_assert(scalar("lpar.l1.w", "items_completed") >= issued - 10);
    ck_assert_double_eq(scalar("lpar.l1.w", "items_refused"), 0);
    uint64_t lo = rig.cpu_runs[0], hi = rig.cpu_runs[0];
    for (int v = 1; v < 3; v++) {
        lo = rig.cpu_runs[v] < lo ? rig.cpu_runs[v] : lo;
        hi = rig.cpu_runs[v] > hi ? rig.cpu_runs[v] : hi;
    }
    ck_assert_uint_le(hi - lo, 1);
    ck_assert_uint_eq(rig.cpu_runs[3], 0);
}
END_TEST

/* Closed loop: `depth` items, spread over the VPs round-robin, each one
 * issued again on its VP when it completes (after `think`). 50 us items:
 * by 1 ms each of 5 chains has completed 20 (and issued the 21st); with
 * a constant 20 us think, a chain completes at 50, 120, ... 960 us. */
START_TEST(compute_closed_loop_keeps_depth_items_on_their_vps)
{
    rig_open(9, 0);
    start_spec("{kind: compute, mode: closed, depth: 5, cycles: 50000}");
    run_to(SIM_MS);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.l1.w", "items_completed"), 100);
    ck_assert_double_eq(scalar("lpar.l1.w", "items_issued"), 105);
    const uint64_t runs[3] = { 42, 42, 21 }; /* chains 0 and 3, 1 and 4, 2 */
    for (int v = 0; v < 3; v++)
        ck_assert_uint_eq(rig.cpu_runs[v], runs[v]);

    rig_open(9, 0);
    start_spec("{kind: compute, mode: closed, depth: 2, think: 20us, arrivals: constant, "
               "cycles: 50000}");
    run_to(SIM_MS);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.l1.w", "items_completed"), 28);
    ck_assert_double_eq(scalar("lpar.l1.w", "items_issued"), 30);
}
END_TEST

START_TEST(compute_needs_vps)
{
    rig_open(9, 0);
    struct diag err;
    const struct cfg_node *c = spec_cfg("{kind: compute}");
    struct workload_ports p = ports(0);
    ck_assert_ptr_null(workload_create(&rig.env, "lpar.l1.w", c, &p, &err));
    ck_assert_str_eq(err.msg, "a compute workload needs an LPAR with virtual processors");
}
END_TEST

/* ---- dirty + LPAR memory ---------------------------------------------------------- */

START_TEST(dirty_rate_times_time_within_the_working_set)
{
    rig_open(10, 0);
    struct diag err;
    rig.mem = lpar_memory_create(&rig.env, "lpar.l1.memory", 1ull << 30, NULL, &err);
    ck_assert_ptr_nonnull(rig.mem);
    ck_assert_uint_eq(lpar_memory_pages(rig.mem), 16384); /* 1 GiB / 64 KiB */
    start_spec("{kind: dirty, rate: 1k/s, working_set: 64MiB, dirty_batch: 1ms}");
    run_to(SIM_S);
    /* 1 page per 1 ms batch: exactly 1000 writes into 1024 pages; the
     * distinct ones follow W (1 - (1 - 1/W)^n). */
    double want = 1024 * (1 - pow(1 - 1.0 / 1024, 1000));
    assert_near((double)lpar_memory_dirty_count(rig.mem), want, 0.05, "distinct dirty pages");
    ck_assert_uint_lt(rig.max_page, 1024);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.l1.w", "pages_written"), 1000);
    ck_assert_double_eq(scalar("lpar.l1.memory", "pages_dirtied"), 1000);
    ck_assert_double_eq_tol(scalar("lpar.l1.memory", "dirty_rate"), 1000, 1e-6);
    uint64_t n = lpar_memory_dirty_count(rig.mem);
    ck_assert_uint_eq(lpar_memory_collect_dirty(rig.mem), n);
    ck_assert_uint_eq(lpar_memory_dirty_count(rig.mem), 0);
}
END_TEST

START_TEST(dirty_fractional_batches_carry_over)
{
    rig_open(10, 0);
    struct diag err;
    rig.mem = lpar_memory_create(&rig.env, "lpar.l1.memory", 1ull << 30, NULL, &err);
    ck_assert_ptr_nonnull(rig.mem);
    start_spec("{kind: dirty, rate: 12345/s}");
    run_to(SIM_S);
    env_finish(&rig.env);
    double n = scalar("lpar.l1.w", "pages_written");
    ck_assert_msg(n >= 12344 && n <= 12345, "pages written %g", n);
    ck_assert_uint_lt(rig.max_page, 16384); /* working_set 0 = all memory */
}
END_TEST

START_TEST(dirty_working_set_beyond_memory_is_refused)
{
    rig_open(10, 0);
    struct diag err;
    rig.mem = lpar_memory_create(&rig.env, "m", 256ull << 20, NULL, &err);
    ck_assert_ptr_nonnull(rig.mem);
    const struct cfg_node *c = spec_cfg("{kind: dirty, working_set: 1GiB}");
    struct workload_ports p = ports(1);
    ck_assert_ptr_null(workload_create(&rig.env, "w", c, &p, &err));
    ck_assert_str_eq(err.msg, "'working_set' = 1GiB is more than the LPAR's memory (256MiB)");
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(err.col, 38);
}
END_TEST

START_TEST(lpar_memory_marks_runs_across_words)
{
    rig_open(1, 0);
    struct diag err;
    struct lpar_memory *m = rig.mem = lpar_memory_create(&rig.env, "m", 64ull << 20, NULL, &err);
    ck_assert_ptr_nonnull(m);
    struct mem_dirty_port p = lpar_memory_dirty_port(m);
    ck_assert_uint_eq(p.pages, 1024);
    ck_assert_uint_eq(p.page_size, 65536);
    p.dirty(p.ctx, 60, 10);        /* crosses a word */
    ck_assert_uint_eq(lpar_memory_dirty_count(m), 10);
    p.dirty(p.ctx, 0, 200);        /* overlaps: 190 new */
    ck_assert_uint_eq(lpar_memory_dirty_count(m), 200);
    p.dirty(p.ctx, 1000, 100);     /* clamped at the end */
    ck_assert_uint_eq(lpar_memory_dirty_count(m), 224);
    p.dirty(p.ctx, 5000, 1);       /* beyond the partition: ignored */
    ck_assert_uint_eq(lpar_memory_collect_dirty(m), 224);
    p.dirty(p.ctx, 64, 64);        /* exactly one word */
    ck_assert_uint_eq(lpar_memory_dirty_count(m), 64);
}
END_TEST

/* Post-copy: the pages dirty at the resume are missing; the first write to
 * each waits `fault` (the port's answer) and fetches it, a second write or
 * a page that was sent waits nothing; a suspended guest writes nothing. */
START_TEST(lpar_memory_post_copy_faults_once_per_missing_page)
{
    rig_open(1, 0);
    struct diag err;
    struct lpar_memory *m = rig.mem = lpar_memory_create(&rig.env, "m", 64ull << 20, NULL, &err);
    ck_assert_ptr_nonnull(m);
    struct mem_dirty_port p = lpar_memory_dirty_port(m);
    const sim_time_t fault = 100000 * SIM_NS; /* 100 us */
    ck_assert_uint_eq(p.dirty(p.ctx, 100, 10), 0);   /* pre-copy: no wait */
    ck_assert_uint_eq(lpar_memory_begin_postcopy(m, fault), 10);
    ck_assert_uint_eq(lpar_memory_dirty_count(m), 0);
    ck_assert_uint_eq(p.dirty(p.ctx, 105, 1), fault);      /* missing: fetched */
    ck_assert_uint_eq(p.dirty(p.ctx, 105, 1), 0);          /* here now */
    ck_assert_uint_eq(p.dirty(p.ctx, 0, 1), 0);            /* sent before the resume */
    ck_assert_uint_eq(p.dirty(p.ctx, 98, 6), 4 * fault);   /* 100..103 missing */
    ck_assert_uint_eq(lpar_memory_missing(m), 5);
    lpar_memory_freeze(m, true);
    ck_assert_uint_eq(p.dirty(p.ctx, 106, 1), 0);          /* suspended: no write */
    ck_assert_uint_eq(lpar_memory_missing(m), 5);
    lpar_memory_freeze(m, false);
    ck_assert_uint_eq(lpar_memory_end_postcopy(m), 5);     /* 1 + 4 faults */
    ck_assert_uint_eq(p.dirty(p.ctx, 106, 1), 0);          /* the rest arrived */
    ck_assert_uint_eq(lpar_memory_missing(m), 0);
}
END_TEST

START_TEST(lpar_memory_refuses_odd_page_sizes)
{
    rig_open(1, 0);
    static const struct param_desc p[] = { { "page_size", PARAM_SIZE, "B", "64KiB", "" },
                                           { 0 } };
    static const struct schema sc = { "m", "", p, NULL };
    struct diag err;
    struct scenario *s = scenario_load_string("m.yaml", "page_size: 48KiB\n", &sc, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(lpar_memory_create(&rig.env, "m", 1ull << 30, s->root, &err));
    ck_assert_str_eq(err.msg, "'page_size' must be a power of two");
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(err.col, 12);
    scenario_free(s);
}
END_TEST

/* ---- replay ----------------------------------------------------------------------- */

static const char *trace4 =
    "# a comment, then the header\n"
    "time,op,bytes,offset\n"
    "0us, read, 4KiB, 8192\n"
    "10us,write,512,0\r\n"
    "\n"
    "10us,tx,1500,\n"
    "25us,rx,64,\n";

START_TEST(replay_issues_rows_at_scaled_times)
{
    rig_open(12, 0);
    make_dir();
    write_file("trace.csv", trace4);
    env_start(&rig.env);
    workload_start(start_cfg(0, "lpar.l1.r",
                             replay_cfg("{kind: replay, file: trace.csv, time_scale: 2, "
                                        "start: 1ms}"), 1));
    run_to(SIM_S);
    ck_assert_uint_eq(rig.io.nlog, 4);
    static const sim_time_t t[] = { 0, 20, 20, 50 };
    static const uint8_t op[] = { IO_READ, IO_WRITE, IO_TX, IO_RX };
    static const uint32_t bytes[] = { 4096, 512, 1500, 64 };
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(rig.io.log[i].t, SIM_MS + t[i] * SIM_US);
        ck_assert_uint_eq(rig.io.log[i].op, op[i]);
        ck_assert_uint_eq(rig.io.log[i].bytes, bytes[i]);
    }
    ck_assert_uint_eq(rig.io.log[0].offset, 8192);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("lpar.l1.r", "trace_passes"), 1);
}
END_TEST

START_TEST(replay_loops_with_span_plus_mean_gap)
{
    rig_open(12, 0);
    make_dir();
    write_file("trace.csv", trace4);
    env_start(&rig.env);
    workload_start(start_cfg(0, "lpar.l1.r", replay_cfg("{kind: replay, file: trace.csv, "
                                                        "loop: true}"), 1));
    run_to(3 * SIM_MS);
    /* span 25 us, mean gap 25/3 us: one pass every 33.333333 us */
    sim_time_t period = 25 * SIM_US + 8333333;
    ck_assert_uint_eq(rig.io.nlog, LOG);
    for (size_t i = 0; i < LOG; i++) {
        static const sim_time_t t[] = { 0, 10, 10, 25 };
        ck_assert_uint_eq(rig.io.log[i].t, (i / 4) * period + t[i % 4] * SIM_US);
    }
}
END_TEST

static Suite *workloads_suite(void)
{
    Suite *s = suite_create("workloads");
    TCase *t = tcase_create("storage");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, open_loop_poisson_rate_and_read_mix);
    tcase_add_test(t, open_loop_constant_is_exact);
    tcase_add_test(t, closed_loop_keeps_exactly_depth_outstanding);
    tcase_add_test(t, closed_loop_retries_when_issue_refuses);
    tcase_add_test(t, workloads_sharing_an_lpar_hear_their_own_completions);
    tcase_add_test(t, block_size_mix_frequencies_and_aligned_random_offsets);
    tcase_add_test(t, sequential_offsets_advance_and_wrap);
    suite_add_tcase(s, t);
    t = tcase_create("other_kinds");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, network_tx_rx_rates_ops_and_sizes);
    tcase_add_test(t, network_default_packet_size_and_idle_direction);
    tcase_add_test(t, compute_items_take_their_cycles_round_robin);
    tcase_add_test(t, compute_closed_loop_keeps_depth_items_on_their_vps);
    tcase_add_test(t, compute_needs_vps);
    tcase_add_test(t, dirty_rate_times_time_within_the_working_set);
    tcase_add_test(t, dirty_fractional_batches_carry_over);
    tcase_add_test(t, dirty_working_set_beyond_memory_is_refused);
    tcase_add_test(t, lpar_memory_marks_runs_across_words);
    tcase_add_test(t, lpar_memory_post_copy_faults_once_per_missing_page);
    tcase_add_test(t, lpar_memory_refuses_odd_page_sizes);
    suite_add_tcase(s, t);
    t = tcase_create("replay");
    tcase_add_checked_fixture(t, NULL, rig_close);
    tcase_add_test(t, replay_issues_rows_at_scaled_times);
    tcase_add_test(t, replay_loops_with_span_plus_mean_gap);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(workloads_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
