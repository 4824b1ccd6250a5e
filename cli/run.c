/* cli/run.c — executes one run (see run.h). The kernel runs in slices of
 * 0.1% of the duration so that a progress line can be drawn and an
 * interruption noticed between slices; the slicing does not change
 * results (run_until is inclusive and events keep their order across
 * calls). */
#define _POSIX_C_SOURCE 200809L
#include "cli/run.h"

#include <nettle/sha2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/machine.h"
#include "sim/expect.h"
#include "sim/env.h"
#include "sim/units.h"

void sha256_hex(const void *data, size_t len, char out[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

void run_key_of(const struct scenario *s, int rep, char out[65])
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        out[0] = '\0';
        return;
    }
    scenario_print_run(s, f);
    fprintf(f, "# rep %d\n", rep);
    fclose(f);
    sha256_hex(buf, len, out);
    free(buf);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress_draw(sim_time_t now, sim_time_t end, uint64_t events, double elapsed)
{
    double frac = end ? (double)now / (double)end : 1;
    double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
    fprintf(stderr, "\r  sim %.6gs / %.6gs  %3.0f%%  %.3g Mev/s  ETA %.0fs   ",
            sim_time_to_s(now), sim_time_to_s(end), 100 * frac,
            elapsed > 0 ? (double)events / elapsed / 1e6 : 0, eta);
}

/* Test hook for tests/scenario/interrupt.sh: the run raises SIGINT on
 * itself once simulated time reaches this time, as a Ctrl-C would. */
#define TEST_INTERRUPT_ENV "LPARSIM_TEST_INTERRUPT_AT"
#define RUN_SLICES 1000

static sim_time_t test_interrupt_at(void)
{
    const char *at = getenv(TEST_INTERRUPT_ENV);
    struct param_value v;
    const char *why;
    return at && *at && unit_parse(PARAM_TIME, at, &v, &why) == 0 ? v.u : 0;
}

/* Runs to the end in slices of 1/1000 of the duration: between slices the
 * progress line is drawn (at most every 0.2 s) and an interruption is
 * noticed (*o->stop set by a signal handler), which ends the run there. */
static uint64_t run_kernel(struct kernel *k, const struct run_options *o, sim_time_t duration,
                           bool *stopped)
{
    double t0 = wall_now(), drawn = 0;
    uint64_t events = 0;
    sim_time_t slice = duration / RUN_SLICES ? duration / RUN_SLICES : 1;
    sim_time_t test_stop = test_interrupt_at();
    *stopped = false;
    for (sim_time_t t = 0; t < duration;) {
        if (o->stop && *o->stop) {
            *stopped = true;
            break;
        }
        t = duration - t > slice ? t + slice : duration;
        events += kernel_run_until(k, t);
        if (test_stop && t >= test_stop) {
            test_stop = 0;
            raise(SIGINT);
        }
        double now = wall_now();
        if (o->progress && (now - drawn >= 0.2 || t == duration)) {
            progress_draw(t, duration, events, now - t0);
            drawn = now;
        }
    }
    if (o->progress)
        fputs("\r\033[K", stderr);
    return events;
}

static void utc_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_results(const struct scenario *s, const struct run_options *o,
                         const struct run_outcome *out, const char *started_at,
                         struct diag *err)
{
    char sha[65];
    sha256_hex(s->text, s->text_len, sha);
    struct run_record rr = {
        .run_key = out->run_key,
        .scenario = cfg_str(s->root, "name"),
        .scenario_sha256 = sha,
        .rep = o->rep,
        .seed = cfg_u64(s->root, "seed"),
        .kernel = kernel_backend_name(o->kernel),
        .version = LPARSIM_VERSION,
        .started_at = started_at,
        .wall_s = out->wall_s,
        .events = out->events,
        .sim_end_ps = out->sim_end,
        .status = run_status(out),
        .error = out->ok ? NULL : out->error,
        .in_sweep = o->in_sweep,
        .point = o->point,
        .params = o->params,
        .nparams = o->nparams,
    };
    return results_write(o->db_path, &rr, out->rec, err);
}

/* The scenario's `expect:` assertions against the finished run: a miss
 * makes the run check_failed (after any invariant already missed), with
 * the expression and the measured value in its error. */
static void check_expectations(const struct cfg_node *root, const struct recorder *rec,
                               struct run_outcome *out)
{
    struct expect_list el;
    struct diag err;
    char msg[sizeof err.msg + 32];
    if (expect_parse_all(cfg_find(root, "expect"), &el, &err) != 0)
        snprintf(msg, sizeof msg, "%s", err.msg);
    else if (el.n && expect_resolve(&el, rec, &err) != 0)
        snprintf(msg, sizeof msg, "%s (in this run)", err.msg);
    else if (!el.n || expect_evaluate(&el, rec, msg, sizeof msg) == 0)
        msg[0] = '\0';
    expect_list_free(&el);
    if (!msg[0])
        return;
    size_t used = strlen(out->error);
    if (snprintf(out->error + used, sizeof out->error - used, "%s%s", used ? "; " : "", msg) >=
        (int)(sizeof out->error - used))
        memcpy(out->error + sizeof out->error - 4, "...", 4); /* cut, and says so */
    out->ok = false;
}

const char *run_status(const struct run_outcome *out)
{
    return out->ok ? "ok" : "check_failed";
}

int run_scenario(const struct scenario *s, const struct run_options *o,
                 struct run_outcome *out, struct diag *err)
{
    struct cfg_node *root = s->root;
    memset(out, 0, sizeof *out);
    run_key_of(s, o->rep, out->run_key);

    struct kernel *k = kernel_create(o->kernel, 4096);
    out->rec = recorder_create((unsigned)cfg_u64(root, "stats.batches"));
    if (!k || !out->rec) {
        if (k)
            kernel_destroy(k);
        return diag_set(err, NULL, "cannot create the %s kernel",
                        kernel_backend_name(o->kernel));
    }
    struct env env;
    env_init(&env, k, out->rec, cfg_u64(root, "seed"), cfg_u64(root, "warmup"),
             cfg_u64(root, "duration"), (unsigned)cfg_u64(root, "stats.batches"),
             cfg_u64(root, "stats.sample_interval"));
    if (o->trace_seq) {
        env.trace_out = stdout;
        env.trace_lpar = o->trace_lpar;
        env.trace_seq = o->trace_seq;
    }
    struct machine *m = machine_build(&env, root, err);
    if (!m) {
        env_release(&env);
        kernel_destroy(k);
        return -1;
    }

    char started_at[32];
    utc_now(started_at, sizeof started_at);
    double t0 = wall_now();
    env_start(&env);
    machine_start(m);
    bool stopped;
    out->events = run_kernel(k, o, env.duration, &stopped);
    out->sim_end = kernel_now(k);
    if (stopped) { /* interrupted: nothing is finished, nothing written */
        out->interrupted = true;
        out->wall_s = wall_now() - t0;
        machine_destroy(m);
        env_release(&env);
        kernel_destroy(k);
        return 0;
    }
    env_finish(&env);
    out->wall_s = wall_now() - t0;
    out->ok = env.failure[0] == '\0';
    out->trace_lines = env.trace_lines;
    snprintf(out->error, sizeof out->error, "%s", env.failure);
    check_expectations(root, out->rec, out);

    machine_destroy(m);
    env_release(&env);
    kernel_destroy(k);
    if (o->db_path && write_results(s, o, out, started_at, err) != 0)
        return -1;
    return 0;
}
