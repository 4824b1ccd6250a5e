/* cli/validate_tce.h — validation rows for the TCE cache (IOTLB) model:
 * the latency a miss adds vs the configured table-walk cost, and the hit
 * rate under independent random references vs the analytic LRU hit rate
 * (docs/validation.md "TCE cache rows"). */
#ifndef LPARSIM_CLI_VALIDATE_TCE_H
#define LPARSIM_CLI_VALIDATE_TCE_H

#include <stdio.h>

#include "sim/kernel.h"

/* Drives models/iommu/tce_cache.c directly (component level: no kernel,
 * so k is unused; the signature matches validate_pcie) and prints every
 * row in cli/validate.c's column format (no header). Returns the number
 * of failed rows, or -1 if a table or cache could not be created (message
 * on stderr). */
int validate_tce(FILE *out, enum kernel_backend k);

/* One row in cli/validate.c's column format; 1 if it fails, else 0.
 * half_width < 0: no interval, PASS within the relative tolerance;
 * otherwise PASS inside the interval, PASS* outside it but within the
 * tolerance. NAN fails. Shared by the component-level rows
 * (validate_tce.c, validate_dispatch.c). */
int validate_row(FILE *out, const char *scenario, const char *quantity, const char *unit,
                 double reference, double simulated, double half_width, double tolerance);

#endif
