/* tests/unit/test_kernel.c — the event kernel API (sim/kernel.h) on both
 * backends: ordering, cancel, run_until, stop, pool growth, and a long
 * random schedule whose fired sequence must be identical on the native
 * and the SystemC backend.
 *
 * ctest runs this with CK_FORK=no: every test shares one process and so
 * one SystemC context, which exercises the shim's sequential reuse. Each
 * test gets its kernels from kernel_new(), and the teardown destroys them
 * even when an assertion fails, so one failure cannot leave a SystemC
 * kernel alive and cascade into the next test. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim/kernel.h"

static const enum kernel_backend backends[] = { KERNEL_SYSTEMC, KERNEL_NATIVE };

static struct kernel *live[2];

static struct kernel *kernel_new(enum kernel_backend b, size_t hint)
{
    for (size_t i = 0; i < 2; i++) {
        if (!live[i]) {
            live[i] = kernel_create(b, hint);
            ck_assert_ptr_nonnull(live[i]);
            return live[i];
        }
    }
    ck_abort_msg("test uses more than two kernels");
    return NULL;
}

static void kernel_free(struct kernel *k)
{
    for (size_t i = 0; i < 2; i++)
        if (live[i] == k)
            live[i] = NULL;
    kernel_destroy(k);
}

static void teardown(void)
{
    for (size_t i = 0; i < 2; i++) {
        kernel_destroy(live[i]);
        live[i] = NULL;
    }
}

/* ---- a log of fired events ------------------------------------------- */

struct rec {
    sim_time_t time;
    uint64_t id;
};

struct log {
    struct kernel *k;
    struct rec *r;
    size_t n;
    size_t cap;
};

static void log_add(struct log *l, uint64_t id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->r = realloc(l->r, l->cap * sizeof *l->r);
        ck_assert_ptr_nonnull(l->r);
    }
    l->r[l->n++] = (struct rec){ kernel_now(l->k), id };
}

static void log_event(void *ctx, uint64_t arg)
{
    log_add(ctx, arg);
}

static void log_free(struct log *l)
{
    free(l->r);
    *l = (struct log){ 0 };
}

/* ---- basics ------------------------------------------------------------ */

START_TEST(test_backend_names)
{
    enum kernel_backend b;
    ck_assert(kernel_backend_parse("systemc", &b));
    ck_assert_int_eq(b, KERNEL_SYSTEMC);
    ck_assert(kernel_backend_parse("native", &b));
    ck_assert_int_eq(b, KERNEL_NATIVE);
    ck_assert(!kernel_backend_parse("SystemC ", &b));
    ck_assert(!kernel_backend_parse("", &b));
    ck_assert_str_eq(kernel_backend_name(KERNEL_SYSTEMC), "systemc");
    ck_assert_str_eq(kernel_backend_name(KERNEL_NATIVE), "native");
}
END_TEST

START_TEST(test_empty_kernel)
{
    struct kernel *k = kernel_new(backends[_i], 0);
    ck_assert_uint_eq(kernel_now(k), 0);
    ck_assert_uint_eq(kernel_pending(k), 0);
    ck_assert_uint_eq(kernel_next_time(k), SIM_TIME_MAX);
    ck_assert_uint_eq(kernel_run(k), 0);
    ck_assert_uint_eq(kernel_run_until(k, 7 * SIM_NS), 0);
    ck_assert_uint_eq(kernel_now(k), 7 * SIM_NS);
    ck_assert_uint_eq(kernel_events_fired(k), 0);
}
END_TEST

/* Many events at one time fire in the order they were scheduled, whether
 * scheduled with _at or _in. */
START_TEST(test_same_time_fifo)
{
    struct kernel *k = kernel_new(backends[_i], 16);
    struct log l = { .k = k };
    enum { N = 5000 };
    for (uint64_t i = 0; i < N; i++) {
        if (i % 3 == 0)
            kernel_schedule_in(k, 42, log_event, &l, i);
        else
            kernel_schedule_at(k, 42, log_event, &l, i);
        if (i % 7 == 0) /* an earlier event scheduled later goes first */
            kernel_schedule_at(k, 41, log_event, &l, N + i);
    }
    ck_assert_uint_eq(kernel_next_time(k), 41);
    kernel_run(k);
    size_t early = (N + 6) / 7;
    ck_assert_uint_eq(l.n, N + early);
    for (size_t j = 0; j < early; j++) {
        ck_assert_uint_eq(l.r[j].time, 41);
        ck_assert_uint_eq(l.r[j].id, N + 7 * j);
    }
    for (size_t j = 0; j < N; j++) {
        ck_assert_uint_eq(l.r[early + j].time, 42);
        ck_assert_uint_eq(l.r[early + j].id, j);
    }
    log_free(&l);
}
END_TEST

START_TEST(test_schedule_at_vs_in)
{
    struct kernel *k = kernel_new(backends[_i], 4);
    struct log l = { .k = k };
    kernel_run_until(k, 100);
    ck_assert_uint_eq(kernel_now(k), 100);
    kernel_schedule_in(k, 50, log_event, &l, 1);   /* 150 */
    kernel_schedule_at(k, 120, log_event, &l, 2);  /* 120 */
    kernel_schedule_at(k, 30, log_event, &l, 3);   /* past: clamped to 100 */
    kernel_schedule_in(k, 0, log_event, &l, 4);    /* 100, after id 3 */
    kernel_schedule_in(k, SIM_TIME_MAX, log_event, &l, 5); /* saturates */
    ck_assert_uint_eq(kernel_next_time(k), 100);
    ck_assert_uint_eq(kernel_run_until(k, 1000), 4);
    ck_assert_uint_eq(l.n, 4);
    const struct rec want[] = { { 100, 3 }, { 100, 4 }, { 120, 2 }, { 150, 1 } };
    for (size_t j = 0; j < 4; j++) {
        ck_assert_uint_eq(l.r[j].time, want[j].time);
        ck_assert_uint_eq(l.r[j].id, want[j].id);
    }
    ck_assert_uint_eq(kernel_pending(k), 1);
    ck_assert_uint_eq(kernel_next_time(k), SIM_TIME_MAX);
    log_free(&l);
}
END_TEST

/* ---- cancel ---------------------------------------------------------------- */

struct canceller {
    struct kernel *k;
    struct event_id victim;
    bool result;
};

static void cancel_event(void *ctx, uint64_t arg)
{
    (void)arg;
    struct canceller *c = ctx;
    c->result = kernel_cancel(c->k, c->victim);
}

START_TEST(test_cancel)
{
    struct kernel *k = kernel_new(backends[_i], 4);
    struct log l = { .k = k };
    struct event_id a = kernel_schedule_at(k, 10, log_event, &l, 1);
    struct event_id b = kernel_schedule_at(k, 20, log_event, &l, 2);
    struct event_id c = kernel_schedule_at(k, 20, log_event, &l, 3);
    struct event_id zero = { 0, 0 };
    ck_assert(!kernel_cancel(k, zero));
    ck_assert(kernel_cancel(k, b));
    ck_assert(!kernel_cancel(k, b)); /* double cancel */
    ck_assert_uint_eq(kernel_pending(k), 2);
    /* b's slot is reused by d; b's stale handle must not cancel d. */
    struct event_id d = kernel_schedule_at(k, 30, log_event, &l, 4);
    ck_assert(!kernel_cancel(k, b));
    /* An event cancelling a later one from inside the run. */
    struct canceller cc = { .k = k, .victim = d };
    kernel_schedule_at(k, 25, cancel_event, &cc, 0);
    kernel_run(k);
    ck_assert(cc.result);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_uint_eq(l.r[0].id, 1);
    ck_assert_uint_eq(l.r[1].id, 3);
    ck_assert(!kernel_cancel(k, a)); /* stale: already fired */
    ck_assert(!kernel_cancel(k, c));
    ck_assert(!kernel_cancel(k, d)); /* already cancelled */
    struct event_id bogus = { 1000000, 1 };
    ck_assert(!kernel_cancel(k, bogus));
    ck_assert_uint_eq(kernel_pending(k), 0);
    ck_assert_uint_eq(kernel_events_fired(k), 3);
    log_free(&l);
}
END_TEST

/* An event cancelling itself while it fires: it is no longer pending. */
START_TEST(test_cancel_self)
{
    struct kernel *k = kernel_new(backends[_i], 4);
    struct canceller cc = { .k = k };
    cc.victim = kernel_schedule_at(k, 5, cancel_event, &cc, 0);
    cc.result = true;
    ck_assert_uint_eq(kernel_run(k), 1);
    ck_assert(!cc.result);
}
END_TEST

/* ---- run_until and stop ---------------------------------------------------- */

START_TEST(test_run_until_inclusive)
{
    struct kernel *k = kernel_new(backends[_i], 4);
    struct log l = { .k = k };
    kernel_schedule_at(k, 10, log_event, &l, 1);
    kernel_schedule_at(k, 20, log_event, &l, 2);
    kernel_schedule_at(k, 20, log_event, &l, 3);
    kernel_schedule_at(k, 30, log_event, &l, 4);
    ck_assert_uint_eq(kernel_run_until(k, 20), 3);
    ck_assert_uint_eq(kernel_now(k), 20);
    ck_assert_uint_eq(kernel_pending(k), 1);
    ck_assert_uint_eq(kernel_next_time(k), 30);
    ck_assert_uint_eq(kernel_run_until(k, 29), 0);
    ck_assert_uint_eq(kernel_now(k), 29);
    ck_assert_uint_eq(kernel_run_until(k, 5), 0); /* the past: no-op */
    ck_assert_uint_eq(kernel_now(k), 29);
    ck_assert_uint_eq(kernel_run_until(k, 29), 0);
    ck_assert_uint_eq(kernel_run_until(k, 30), 1);
    ck_assert_uint_eq(kernel_now(k), 30);
    ck_assert_uint_eq(l.n, 4);
    ck_assert_uint_eq(l.r[3].time, 30);
    /* An event at exactly now, run with until == now. */
    kernel_schedule_in(k, 0, log_event, &l, 5);
    ck_assert_uint_eq(kernel_run_until(k, 30), 1);
    ck_assert_uint_eq(l.n, 5);
    ck_assert_uint_eq(kernel_events_fired(k), 5);
    log_free(&l);
}
END_TEST

struct stopper {
    struct log *log;
    uint64_t stop_at; /* id that calls kernel_stop */
};

static void stop_event(void *ctx, uint64_t arg)
{
    struct stopper *s = ctx;
    log_add(s->log, arg);
    if (arg == s->stop_at)
        kernel_stop(s->log->k);
}

START_TEST(test_stop)
{
    struct kernel *k = kernel_new(backends[_i], 4);
    struct log l = { .k = k };
    struct stopper s = { .log = &l, .stop_at = 5 };
    for (uint64_t i = 1; i <= 10; i++)
        kernel_schedule_at(k, i * 100, stop_event, &s, i);
    kernel_schedule_at(k, 500, stop_event, &s, 55); /* same time as stop */
    ck_assert_uint_eq(kernel_run_until(k, 10000), 5);
    ck_assert_uint_eq(kernel_now(k), 500); /* stopped: not until */
    ck_assert_uint_eq(kernel_pending(k), 6);
    ck_assert_uint_eq(kernel_next_time(k), 500);
    /* The run resumes where it stopped, without losing the tie. */
    s.stop_at = 8;
    ck_assert_uint_eq(kernel_run(k), 4);
    ck_assert_uint_eq(kernel_now(k), 800);
    ck_assert_uint_eq(l.r[5].id, 55);
    ck_assert_uint_eq(l.r[5].time, 500);
    ck_assert_uint_eq(kernel_run_until(k, 950), 1);
    ck_assert_uint_eq(kernel_now(k), 950);
    ck_assert_uint_eq(kernel_run(k), 1);
    ck_assert_uint_eq(kernel_now(k), 1000);
    ck_assert_uint_eq(l.n, 11);
    for (size_t j = 1; j < l.n; j++)
        ck_assert_uint_le(l.r[j - 1].time, l.r[j].time);
    log_free(&l);
}
END_TEST

/* Delay-0 events scheduled while firing go after the events already
 * queued for the same time, and fire in the same run. */
struct chain {
    struct log *log;
};

static void chain_event(void *ctx, uint64_t arg)
{
    struct chain *c = ctx;
    log_add(c->log, arg);
    if (arg < 3) { /* A, B, C each add two delay-0 children */
        kernel_schedule_in(c->log->k, 0, chain_event, c, 10 + 2 * arg);
        kernel_schedule_in(c->log->k, 0, chain_event, c, 11 + 2 * arg);
    } else if (arg == 10) { /* a grandchild, after all children */
        kernel_schedule_in(c->log->k, 0, chain_event, c, 99);
    }
}

START_TEST(test_zero_delay_from_event)
{
    struct kernel *k = kernel_new(backends[_i], 4);
    struct log l = { .k = k };
    struct chain c = { .log = &l };
    kernel_schedule_at(k, 7, chain_event, &c, 0);
    kernel_schedule_at(k, 7, chain_event, &c, 1);
    kernel_schedule_at(k, 7, chain_event, &c, 2);
    kernel_schedule_at(k, 8, log_event, &l, 1000);
    ck_assert_uint_eq(kernel_run_until(k, 7), 10);
    const uint64_t want[] = { 0, 1, 2, 10, 11, 12, 13, 14, 15, 99 };
    ck_assert_uint_eq(l.n, 10);
    for (size_t j = 0; j < 10; j++) {
        ck_assert_uint_eq(l.r[j].id, want[j]);
        ck_assert_uint_eq(l.r[j].time, 7);
    }
    ck_assert_uint_eq(kernel_pending(k), 1);
    log_free(&l);
}
END_TEST

/* ---- growth and the long random schedule ---------------------------------- */

/* A small deterministic generator (splitmix64) for the schedules. */
static uint64_t rnd(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Fired (time, id) are in time order, ids (= scheduling order) rising
 * among equal times. */
static void assert_agenda_order(const struct log *l)
{
    for (size_t j = 1; j < l->n; j++) {
        const struct rec *p = &l->r[j - 1], *q = &l->r[j];
        ck_assert_uint_le(p->time, q->time);
        if (p->time == q->time)
            ck_assert_uint_lt(p->id, q->id);
    }
}

START_TEST(test_pool_growth)
{
    struct kernel *k = kernel_new(backends[_i], 16);
    struct log l = { .k = k };
    uint64_t seed = 7;
    enum { N = 100000 };
    for (uint64_t i = 0; i < N; i++)
        kernel_schedule_at(k, rnd(&seed) % 5000, log_event, &l, i);
    ck_assert_uint_eq(kernel_pending(k), N);
    ck_assert_uint_eq(kernel_run(k), N);
    ck_assert_uint_eq(l.n, N);
    ck_assert_uint_eq(kernel_pending(k), 0);
    assert_agenda_order(&l);
    log_free(&l);
}
END_TEST

/* Events that draw their successors, cancels and run_until slices from a
 * generator seeded per run, so both backends see the same script. */
struct script {
    struct kernel *k;
    struct log log;
    uint64_t rng;
    uint64_t next_id;
    uint64_t budget;              /* events still allowed to be created */
    struct event_id handles[256]; /* recent handles, cancel candidates */
    uint64_t cancels_ok;
};

static sim_time_t script_delay(struct script *s)
{
    uint64_t r = rnd(&s->rng);
    switch (r % 4) {
    case 0: return 0;                         /* same-time ties */
    case 1: return (r >> 8) % 4 * 1000;       /* coarse grid: many ties */
    case 2: return (r >> 8) % 100000;         /* fine spread */
    default: return (r >> 8) % (5 * SIM_US);  /* long holds */
    }
}

static void script_event(void *ctx, uint64_t arg);

static void script_spawn(struct script *s)
{
    if (s->budget == 0)
        return;
    s->budget--;
    struct event_id id = kernel_schedule_in(s->k, script_delay(s),
                                            script_event, s, s->next_id++);
    s->handles[rnd(&s->rng) % 256] = id;
}

static void script_event(void *ctx, uint64_t arg)
{
    struct script *s = ctx;
    log_add(&s->log, arg);
    uint64_t r = rnd(&s->rng);
    /* 0, 1, 2 or 2 children: mean 1.25 outgrows the cancels, so the
     * population lives until the budget is spent, then drains. */
    unsigned children = r % 4 == 3 ? 2 : (unsigned)(r % 4);
    for (unsigned c = 0; c < children; c++)
        script_spawn(s);
    if ((r >> 8) % 8 == 0) /* cancel a random recent handle, maybe stale */
        s->cancels_ok += kernel_cancel(s->k, s->handles[(r >> 16) % 256]);
    if ((r >> 24) % 5000 == 0)
        kernel_stop(s->k);
}

static void script_run(struct script *s, enum kernel_backend b)
{
    s->k = kernel_new(b, 64);
    s->log.k = s->k;
    s->rng = 12345;
    s->budget = 200000;
    for (int i = 0; i < 2000; i++)
        script_spawn(s);
    /* Mixed drive: run_until slices of random length, some of them ending
     * exactly on a pending event's time, then run to the end. */
    uint64_t slices = 0;
    while (kernel_pending(s->k) && slices < 3000) {
        uint64_t r = rnd(&s->rng);
        sim_time_t until = r % 3 == 0 && kernel_pending(s->k)
                               ? kernel_next_time(s->k)
                               : kernel_now(s->k) + (r >> 8) % (200 * SIM_NS);
        kernel_run_until(s->k, until);
        slices++;
    }
    while (kernel_pending(s->k))
        kernel_run(s->k);
}

START_TEST(test_random_schedule_same_on_both_backends)
{
    static struct script runs[2]; /* large: keep off the stack */
    for (int b = 0; b < 2; b++) {
        runs[b] = (struct script){ 0 };
        script_run(&runs[b], backends[b]);
    }
    const struct log *sc = &runs[0].log, *nat = &runs[1].log;
    ck_assert_uint_gt(nat->n, 150000);
    ck_assert_uint_gt(runs[1].cancels_ok, 1000);
    ck_assert_uint_eq(sc->n, nat->n);
    ck_assert_uint_eq(runs[0].cancels_ok, runs[1].cancels_ok);
    ck_assert_uint_eq(kernel_now(runs[0].k), kernel_now(runs[1].k));
    for (size_t j = 0; j < nat->n; j++) {
        ck_assert_uint_eq(sc->r[j].time, nat->r[j].time);
        ck_assert_uint_eq(sc->r[j].id, nat->r[j].id);
    }
    assert_agenda_order(nat);
    /* The script must really produce ties for the FIFO check to bite. */
    size_t ties = 0;
    for (size_t j = 1; j < nat->n; j++)
        ties += nat->r[j].time == nat->r[j - 1].time;
    ck_assert_uint_gt(ties, 10000);
    for (int b = 0; b < 2; b++) {
        log_free(&runs[b].log);
        kernel_free(runs[b].k);
    }
}
END_TEST

/* ---- SystemC context reuse ------------------------------------------------- */

START_TEST(test_systemc_sequential_reuse)
{
    for (int round = 0; round < 3; round++) {
        struct kernel *k = kernel_new(KERNEL_SYSTEMC, 4);
        ck_assert_uint_eq(kernel_now(k), 0); /* a fresh clock every time */
        /* A second live SystemC kernel is refused. */
        ck_assert_ptr_null(kernel_create(KERNEL_SYSTEMC, 4));
        struct log l = { .k = k };
        kernel_schedule_at(k, 3 * SIM_MS, log_event, &l, 1);
        kernel_schedule_at(k, 5 * SIM_MS, log_event, &l, 2);
        ck_assert_uint_eq(kernel_run_until(k, 4 * SIM_MS), 1);
        ck_assert_uint_eq(l.r[0].time, 3 * SIM_MS);
        ck_assert_uint_eq(kernel_now(k), 4 * SIM_MS);
        /* Destroyed with an event pending: must not fire in the next. */
        log_free(&l);
        kernel_free(k);
    }
    struct kernel *k = kernel_new(KERNEL_SYSTEMC, 4);
    ck_assert_uint_eq(kernel_run(k), 0);
    ck_assert_uint_eq(kernel_events_fired(k), 0);
}
END_TEST

/* ---- what a firing event sees of the agenda ----------------------------- */

/* A reference list of the pending events, in the order they must fire:
 * (time, scheduling order). Each firing event checks kernel_pending and
 * kernel_next_time against it, schedules 0, 1 or 2 events (the first takes
 * the fired event's place in the heap), and sometimes cancels one. */
#define REF_MAX 4096
struct ref_ev {
    sim_time_t t;
    uint64_t order, id;
    struct event_id h;
    bool live;
};
struct ref {
    struct kernel *k;
    struct ref_ev ev[REF_MAX];
    size_t n;
    uint64_t order, fired, bad;
    uint32_t rng;
};

static uint32_t ref_rand(struct ref *r)
{
    r->rng = r->rng * 1103515245u + 12345u; /* ANSI C's LCG: any fixed stream */
    return r->rng >> 8;
}

static void ref_fire(void *ctx, uint64_t id);

static void ref_add(struct ref *r, sim_time_t t)
{
    ck_assert_uint_lt(r->n, REF_MAX);
    struct ref_ev *e = &r->ev[r->n];
    *e = (struct ref_ev){ .t = t, .order = r->order++, .id = r->n, .live = true };
    e->h = kernel_schedule_at(r->k, t, ref_fire, r, e->id);
    r->n++;
}

/* The earliest live reference event, or NULL. */
static struct ref_ev *ref_next(struct ref *r)
{
    struct ref_ev *best = NULL;
    for (size_t i = 0; i < r->n; i++)
        if (r->ev[i].live && (!best || r->ev[i].t < best->t ||
                              (r->ev[i].t == best->t && r->ev[i].order < best->order)))
            best = &r->ev[i];
    return best;
}

static void ref_fire(void *ctx, uint64_t id)
{
    struct ref *r = ctx;
    struct ref_ev *want = ref_next(r);
    if (want != &r->ev[id])
        r->bad++; /* fired out of (time, order) order */
    r->ev[id].live = false;
    r->fired++;
    size_t live = 0;
    for (size_t i = 0; i < r->n; i++)
        live += r->ev[i].live;
    struct ref_ev *next = ref_next(r);
    if (kernel_pending(r->k) != live ||
        kernel_next_time(r->k) != (next ? next->t : SIM_TIME_MAX))
        r->bad++;
    if (r->n + 2 >= REF_MAX)
        return;
    uint32_t x = ref_rand(r);
    sim_time_t now = kernel_now(r->k);
    if (x % 3 != 0)
        ref_add(r, now + ref_rand(r) % 64); /* ties with pending events too */
    if (x % 5 == 0)
        ref_add(r, now); /* zero delay: after every event already due now */
    if (x % 7 == 0 && next && kernel_cancel(r->k, next->h))
        next->live = false;
}

START_TEST(test_firing_event_sees_the_agenda)
{
    struct ref *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->k = kernel_new(backends[_i], 8);
    r->rng = 12345;
    for (int i = 0; i < 300; i++)
        ref_add(r, ref_rand(r) % 200);
    kernel_run(r->k);
    ck_assert_uint_eq(r->bad, 0);
    ck_assert_uint_gt(r->fired, 1000);
    ck_assert_uint_eq(kernel_pending(r->k), 0);
    for (size_t i = 0; i < r->n; i++)
        ck_assert(!r->ev[i].live);
    free(r);
}
END_TEST

static Suite *kernel_suite(void)
{
    Suite *s = suite_create("kernel");
    TCase *tc = tcase_create("api");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_backend_names);
    tcase_add_loop_test(tc, test_empty_kernel, 0, 2);
    tcase_add_loop_test(tc, test_same_time_fifo, 0, 2);
    tcase_add_loop_test(tc, test_schedule_at_vs_in, 0, 2);
    tcase_add_loop_test(tc, test_cancel, 0, 2);
    tcase_add_loop_test(tc, test_cancel_self, 0, 2);
    tcase_add_loop_test(tc, test_run_until_inclusive, 0, 2);
    tcase_add_loop_test(tc, test_stop, 0, 2);
    tcase_add_loop_test(tc, test_zero_delay_from_event, 0, 2);
    tcase_add_loop_test(tc, test_pool_growth, 0, 2);
    tcase_add_loop_test(tc, test_firing_event_sees_the_agenda, 0, 2);
    tcase_add_test(tc, test_random_schedule_same_on_both_backends);
    tcase_add_test(tc, test_systemc_sequential_reuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kernel_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
