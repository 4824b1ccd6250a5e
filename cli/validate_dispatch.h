/* cli/validate_dispatch.h — validation rows for the shared-processor
 * dispatcher (models/hypervisor/dispatch.h): uncapped shares vs weighted
 * water-filling, the wake-up of a ceded VP vs its configured costs, and
 * the interrupt wait of a capped VP vs (1 - e)^2 W / 2 (docs/validation.md
 * "Dispatcher rows"). */
#ifndef LPARSIM_CLI_VALIDATE_DISPATCH_H
#define LPARSIM_CLI_VALIDATE_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/kernel.h"

/* One LPAR of the water-filling closed form: entitlement, the most it can
 * use (min(VPs, demand), processing units), its weight, and whether it may
 * take spare capacity (uncapped with weight > 0). */
struct wf_lpar {
    double entitlement, cap, weight;
    bool uncapped;
};

/* Weighted water-filling of a pool of `pool` processing units: a capped
 * LPAR gets min(entitlement, cap); an uncapped one min(cap, entitlement +
 * weight x L), with L the level at which everything adds up to the pool
 * (or every cap if the pool has room for all). Into x[0..n). */
void validate_water_fill(const struct wf_lpar *l, size_t n, double pool, double *x);

/* Runs the dispatcher rows on a kernel of backend k and prints them in
 * cli/validate.c's column format (no header). Returns the number of
 * failed rows, or -1 if a kernel or model could not be created (message
 * on stderr). */
int validate_dispatch(FILE *out, enum kernel_backend k);

#endif
