/* sim/kernel.c — the event kernel API (kernel.h) over the shared agenda.
 *
 * The native backend is a plain loop popping the agenda. The SystemC
 * backend hands the same loop to a SystemC method (kernel_systemc.cpp),
 * so SystemC decides when simulated time advances while the agenda alone
 * decides which event fires next: both backends fire identical sequences. */
#include "sim/kernel.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agenda.h"
#include "sim/kernel_systemc.h"

struct kernel {
    struct agenda agenda;
    sim_time_t now;
    uint64_t fired;
    enum kernel_backend backend;
    bool stop;     /* kernel_stop called during the current run */
    bool running;  /* inside kernel_run / kernel_run_until */
};

bool kernel_backend_parse(const char *name, enum kernel_backend *out)
{
    if (name && strcmp(name, "systemc") == 0) {
        *out = KERNEL_SYSTEMC;
        return true;
    }
    if (name && strcmp(name, "native") == 0) {
        *out = KERNEL_NATIVE;
        return true;
    }
    return false;
}

const char *kernel_backend_name(enum kernel_backend b)
{
    return b == KERNEL_SYSTEMC ? "systemc" : "native";
}

struct kernel *kernel_create(enum kernel_backend backend, size_t pending_hint)
{
    struct kernel *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->backend = backend;
    if (!agenda_init(&k->agenda, pending_hint)) {
        free(k);
        return NULL;
    }
    if (backend == KERNEL_SYSTEMC && !ksc_attach(k)) {
        agenda_fini(&k->agenda);
        free(k);
        return NULL;
    }
    return k;
}

void kernel_destroy(struct kernel *k)
{
    if (!k)
        return;
    assert(!k->running && "kernel_destroy from inside an event");
    if (k->backend == KERNEL_SYSTEMC)
        ksc_detach(k);
    agenda_fini(&k->agenda);
    free(k);
}

sim_time_t kernel_now(const struct kernel *k)
{
    return k->now;
}

struct event_id kernel_schedule_at(struct kernel *k, sim_time_t when,
                                   event_fn fn, void *ctx, uint64_t arg)
{
    if (when < k->now)
        when = k->now;
    struct event_id id = agenda_push(&k->agenda, when, fn, ctx, arg);
    if (id.gen == 0) {
        /* No error path in a schedule call, and a lost event would
         * silently corrupt the run: out of memory is fatal here. */
        fputs("lparsim: out of memory growing the event pool\n", stderr);
        abort();
    }
    return id;
}

struct event_id kernel_schedule_in(struct kernel *k, sim_time_t delay,
                                   event_fn fn, void *ctx, uint64_t arg)
{
    sim_time_t when = k->now + delay;
    if (when < k->now) /* wrapped: saturate, never fire in the past */
        when = SIM_TIME_MAX;
    return kernel_schedule_at(k, when, fn, ctx, arg);
}

bool kernel_cancel(struct kernel *k, struct event_id id)
{
    return agenda_cancel(&k->agenda, id);
}

/* The one firing loop of both backends. The slot is released before the
 * callback runs, so the callback may schedule (even grow the pool) and a
 * handle to the firing event is already stale. The fired entry stays at
 * the top of the heap during the callback: the callback's first schedule
 * takes its place (most events schedule a next one), which costs one
 * sift from the root instead of a pop's and a push's. The order of the
 * events does not change: the heap yields (time, sequence) order whatever
 * its shape. */
void kernel_fire_until(struct kernel *k, sim_time_t limit)
{
    struct agenda *a = &k->agenda;
    while (a->count && a->heap[0].time <= limit) {
        struct agenda_fired ev;
        agenda_take_top(a, &ev);
        k->now = ev.time;
        k->fired++;
        ev.fn(ev.ctx, ev.arg);
        agenda_settle(a);
        if (k->stop)
            break;
    }
}

bool kernel_stop_requested(const struct kernel *k)
{
    return k->stop;
}

static uint64_t kernel_run_to(struct kernel *k, sim_time_t limit)
{
    assert(!k->running && "kernel_run called from inside an event");
    uint64_t fired0 = k->fired;
    k->stop = false;
    k->running = true;
    if (k->backend == KERNEL_SYSTEMC)
        ksc_run(k, limit);
    else
        kernel_fire_until(k, limit);
    k->running = false;
    return k->fired - fired0;
}

uint64_t kernel_run_until(struct kernel *k, sim_time_t until)
{
    uint64_t n = kernel_run_to(k, until);
    /* Time never goes backwards: run_until(t < now) fires nothing and
     * leaves now alone. */
    if (!k->stop && until > k->now)
        k->now = until;
    return n;
}

uint64_t kernel_run(struct kernel *k)
{
    return kernel_run_to(k, SIM_TIME_MAX);
}

void kernel_stop(struct kernel *k)
{
    k->stop = true;
}

size_t kernel_pending(const struct kernel *k)
{
    return agenda_count(&k->agenda);
}

uint64_t kernel_events_fired(const struct kernel *k)
{
    return k->fired;
}

sim_time_t kernel_next_time(const struct kernel *k)
{
    return agenda_next_time(&k->agenda);
}
