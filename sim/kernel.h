/* sim/kernel.h — the discrete-event kernel API every model uses.
 *
 * Time is picoseconds (sim/time.h). Events are callbacks with a context
 * pointer and one 64-bit argument. Events due at the same time fire in the
 * order they were scheduled (time, then a global insertion sequence), so a
 * run is reproducible from its seed whatever the backend.
 *
 * Two backends implement it over one C agenda (a 4-ary heap of pooled
 * events): `native`, a plain loop, and `systemc`, where SystemC owns
 * simulated time and one SystemC method steps through the agenda (see
 * docs/architecture.md). Scheduling never calls malloc once the pool has
 * grown to the peak number of pending events. */
#ifndef LPARSIM_SIM_KERNEL_H
#define LPARSIM_SIM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

enum kernel_backend {
    KERNEL_SYSTEMC,
    KERNEL_NATIVE,
};

typedef void (*event_fn)(void *ctx, uint64_t arg);

/* A handle to a scheduled event, for kernel_cancel. Stale handles (event
 * already fired or cancelled) are detected by the generation count. The
 * zero handle never names an event. */
struct event_id {
    uint32_t slot;
    uint32_t gen;
};

struct kernel;

/* Parses "systemc" / "native"; returns false for anything else. */
bool kernel_backend_parse(const char *name, enum kernel_backend *out);
const char *kernel_backend_name(enum kernel_backend b);

/* Creates a kernel. `pending_hint` presizes the event pool. Only one
 * SystemC-backed kernel may be alive at a time (SystemC has one simulation
 * context per process and cannot restart): creating a second returns NULL.
 * Once it is destroyed the next one reuses the context, its clock starting
 * at 0 again. Returns NULL on allocation failure. */
struct kernel *kernel_create(enum kernel_backend backend, size_t pending_hint);
void kernel_destroy(struct kernel *k);

sim_time_t kernel_now(const struct kernel *k);

/* Schedules fn(ctx, arg) at now + delay / at absolute time `when`
 * (when >= now; an earlier time is clamped to now). */
struct event_id kernel_schedule_in(struct kernel *k, sim_time_t delay,
                                   event_fn fn, void *ctx, uint64_t arg);
struct event_id kernel_schedule_at(struct kernel *k, sim_time_t when,
                                   event_fn fn, void *ctx, uint64_t arg);

/* Cancels a pending event. Returns true if it was pending. */
bool kernel_cancel(struct kernel *k, struct event_id id);

/* Runs every event with time <= until (inclusive), then leaves now = until
 * (unless stopped earlier). Returns the number of events fired. */
uint64_t kernel_run_until(struct kernel *k, sim_time_t until);

/* Runs until no event is pending or kernel_stop is called. */
uint64_t kernel_run(struct kernel *k);

/* Called from inside an event: return from kernel_run / kernel_run_until
 * after the current event. */
void kernel_stop(struct kernel *k);

size_t kernel_pending(const struct kernel *k);
uint64_t kernel_events_fired(const struct kernel *k);
/* Time of the earliest pending event, SIM_TIME_MAX if none. */
sim_time_t kernel_next_time(const struct kernel *k);

#endif
