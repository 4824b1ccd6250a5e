/* cli/validate_pcie.c — PCIe rows of the validation table (docs/validation.md).
 *
 * Throughput: a DMA engine keeps 256 DMAs of one size outstanding on a
 * simulated link until 4096 have been issued; the payload rate between
 * the 2048th and the last completion is compared with the pcie-bench
 * analytic model (Neugebauer et al., SIGCOMM 2018) for the same
 * configuration: PASS within 2%.
 * Latency: one DMA read on an idle default link (Gen3 x8, MPS 256) vs
 * the DMA read latency pcie-bench measured (Neugebauer et al., SIGCOMM
 * 2018; one x86 host): the medians at 64/256/1024/2048 B (560, 626, 853,
 * 1133 ns), and the fit 551 + 0.287 x sz ns between them:
 * PASS within 10%. */
#include "cli/validate_pcie.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "models/pcie/pcie_link.h"
#include "sim/env.h"
#include "sim/stats.h"

#define WINDOW 256
#define DMAS 4096

struct setup {
    const char *name; /* the table's scenario column */
    unsigned gen, width;
    uint32_t mps, mrrs;
    bool rcb_chunks, ecrc;
};

static const struct setup setups[] = {
    { "pcie-g3x8-256", 3, 8, 256, 512, false, false },  /* pcie-bench's default */
    { "pcie-g4x16-512", 4, 16, 512, 512, false, false },
    { "pcie-g2x4-128", 2, 4, 128, 256, false, false },
    { "pcie-g3x8-ecrc", 3, 8, 256, 512, true, true },   /* RCB 64 completions */
};

/* One simulation: kernel, recorder, run environment and link. */
struct bench {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct pcie_link *l;
    sim_time_t t_done; /* completion time of a latency measurement */
};

static int bench_open(struct bench *b, enum kernel_backend kb, const struct pcie_link_config *c)
{
    memset(b, 0, sizeof *b);
    b->k = kernel_create(kb, WINDOW * 2);
    b->rec = b->k ? recorder_create(0) : NULL;
    if (b->rec) {
        env_init(&b->env, b->k, b->rec, 1, 0, SIM_S, 0, 0);
        b->l = pcie_link_create(&b->env, "pcie", c);
    }
    if (b->l)
        return 0;
    fprintf(stderr, "lparsim: validate: cannot create a %s kernel and PCIe link\n",
            kernel_backend_name(kb));
    if (b->rec)
        env_release(&b->env);
    recorder_destroy(b->rec);
    if (b->k)
        kernel_destroy(b->k);
    return -1;
}

static void bench_close(struct bench *b)
{
    pcie_link_destroy(b->l);
    env_release(&b->env);
    recorder_destroy(b->rec);
    kernel_destroy(b->k);
}

/* The DMA engine of a throughput measurement. */
struct engine {
    struct bench *b;
    bool read;
    uint64_t sz, issued, done;
    sim_time_t t_mark, t_last;
};

static void engine_done(void *ctx, uint64_t arg);

static void engine_issue(struct engine *e)
{
    e->issued++;
    if (e->read)
        pcie_dma_read(e->b->l, e->sz, engine_done, e, 0);
    else
        pcie_dma_write(e->b->l, e->sz, engine_done, e, 0);
}

static void engine_done(void *ctx, uint64_t arg)
{
    (void)arg;
    struct engine *e = ctx;
    e->t_last = kernel_now(e->b->k);
    if (++e->done == DMAS / 2)
        e->t_mark = e->t_last;
    if (e->issued < DMAS)
        engine_issue(e);
}

/* Saturated payload throughput, bit/s; NAN if the run did not finish. */
static double measure_throughput(struct bench *b, bool read, uint64_t sz)
{
    struct engine e = { .b = b, .read = read, .sz = sz };
    for (int i = 0; i < WINDOW; i++)
        engine_issue(&e);
    kernel_run(b->k);
    if (e.done != DMAS || e.t_last <= e.t_mark)
        return NAN;
    return (double)((DMAS - DMAS / 2) * sz * 8) / sim_time_to_s(e.t_last - e.t_mark);
}

static void record_time(void *ctx, uint64_t arg)
{
    (void)arg;
    struct bench *b = ctx;
    b->t_done = kernel_now(b->k);
}

static double measure_read_latency_ns(struct bench *b, uint64_t sz)
{
    sim_time_t t0 = kernel_now(b->k);
    pcie_dma_read(b->l, sz, record_time, b, 0);
    kernel_run(b->k);
    return sim_time_to_ns(b->t_done - t0);
}

/* The row format of cli/validate.c (print_row, rows without an interval). */
static int print_row(FILE *out, const char *scenario, const char *quantity, const char *unit,
                     double reference, double simulated, double tolerance)
{
    double err = reference != 0 ? (simulated - reference) / reference : 0;
    bool pass = fabs(err) <= tolerance; /* NAN fails */
    char sim[64];
    snprintf(sim, sizeof sim, "%.4g", simulated);
    fprintf(out, "%-14s %-28s %-5s %12.4g  %-22s %+7.2f%%  %s\n", scenario, quantity, unit,
            reference, sim, 100 * err, pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}

static void config_of(const struct setup *s, struct pcie_link_config *c)
{
    pcie_link_config_default(c);
    c->gen = s->gen;
    c->width = s->width;
    c->mps = s->mps;
    c->mrrs = s->mrrs;
    c->rcb_chunks = s->rcb_chunks;
    c->ecrc = s->ecrc;
}

static int throughput_rows(FILE *out, enum kernel_backend kb, const struct setup *s)
{
    struct pcie_link_config c;
    config_of(s, &c);
    int failed = 0;
    for (int read = 0; read <= 1; read++)
        for (uint64_t sz = 64; sz <= 4096; sz *= 2) {
            struct bench b;
            if (bench_open(&b, kb, &c) != 0)
                return -1;
            double sim = measure_throughput(&b, read, sz) / 1e9;
            bench_close(&b);
            double ref = (read ? pcie_read_throughput_bps(&c, sz)
                               : pcie_write_throughput_bps(&c, sz)) / 1e9;
            char q[40];
            snprintf(q, sizeof q, "DMA %s %llu B", read ? "read" : "write",
                     (unsigned long long)sz);
            failed += print_row(out, s->name, q, "Gb/s", ref, sim, 0.02);
        }
    return failed;
}

static int latency_rows(FILE *out, enum kernel_backend kb)
{
    static const struct { uint64_t sz; double measured_ns; } pts[] = {
        { 64, 560 }, { 128, 0 }, { 256, 626 }, { 512, 0 }, { 1024, 853 }, { 2048, 1133 },
    };
    struct pcie_link_config c;
    pcie_link_config_default(&c);
    int failed = 0;
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        struct bench b;
        if (bench_open(&b, kb, &c) != 0)
            return -1;
        double sim = measure_read_latency_ns(&b, pts[i].sz);
        bench_close(&b);
        bool measured = pts[i].measured_ns > 0;
        double ref = measured ? pts[i].measured_ns : 551 + 0.287 * (double)pts[i].sz;
        char q[40];
        snprintf(q, sizeof q, "DMA read latency %llu B %s", (unsigned long long)pts[i].sz,
                 measured ? "meas" : "fit");
        failed += print_row(out, "pcie-g3x8-256", q, "ns", ref, sim, 0.10);
    }
    return failed;
}

int validate_pcie(FILE *out, enum kernel_backend k)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
        int f = throughput_rows(out, k, &setups[i]);
        if (f < 0)
            return -1;
        failed += f;
    }
    int f = latency_rows(out, k);
    return f < 0 ? -1 : failed + f;
}
