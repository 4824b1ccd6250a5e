/* sim/kernel_systemc.h — the seam between kernel.c (C) and the SystemC
 * shim (kernel_systemc.cpp, the project's only C++). Models never include
 * this; it is the backend interface in both directions.
 *
 * The shim owns one SystemC method that SystemC wakes at the next agenda
 * time; the method asks kernel.c to fire the due events (plus every event
 * before SystemC's next own activity: horizon batching) and re-arms itself.
 * SystemC has one simulation context per process that cannot restart, so
 * the shim serves one kernel at a time and is reused by the next one. */
#ifndef LPARSIM_SIM_KERNEL_SYSTEMC_H
#define LPARSIM_SIM_KERNEL_SYSTEMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* kernel.h has no C++ guards of its own (models are C); its system
 * headers are already in, so only its declarations get C linkage. */
#ifdef __cplusplus
extern "C" {
#endif

#include "sim/kernel.h"
#include "sim/time.h"

/* Shim side (kernel_systemc.cpp). */

/* Binds k to the process's SystemC dispatcher, elaborating SystemC on the
 * first call. False if another SystemC kernel is alive or SystemC failed
 * to start. k's clock starts at its own kernel_now(), whatever SystemC's
 * time is (the shim keeps an offset). */
bool ksc_attach(struct kernel *k);
/* Unbinds k; cancels the dispatcher's pending wake-up. */
void ksc_detach(struct kernel *k);
/* Lets SystemC run k's events with time <= limit (SIM_TIME_MAX: until the
 * agenda is empty) or until kernel_stop. Does not set kernel_now to limit:
 * kernel.c does that for both backends. */
void ksc_run(struct kernel *k, sim_time_t limit);

/* Kernel side (kernel.c), called by the dispatcher. */

/* Fires events in agenda order while the earliest has time <= limit and
 * kernel_stop was not called; advances kernel_now to each event's time. */
void kernel_fire_until(struct kernel *k, sim_time_t limit);
/* True once kernel_stop was called in the current run. */
bool kernel_stop_requested(const struct kernel *k);

#ifdef __cplusplus
}
#endif

#endif
