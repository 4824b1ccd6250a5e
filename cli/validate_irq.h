/* cli/validate_irq.h — validation rows for interrupt coalescing: fixed
 * count + timer coalescing of Poisson completions, and vIC's delivery
 * ratio from its CIF function under closed loops (docs/validation.md
 * "Coalescing rows"). */
#ifndef LPARSIM_CLI_VALIDATE_IRQ_H
#define LPARSIM_CLI_VALIDATE_IRQ_H

#include <stdio.h>

#include "sim/kernel.h"

/* Runs the row scenarios on backend k and prints the rows in
 * cli/validate.c's format. Returns the failed rows, or -1 when a
 * scenario cannot run (message on stderr). */
int validate_irq(FILE *out, enum kernel_backend k);

#endif
