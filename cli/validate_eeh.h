/* cli/validate_eeh.h — validation rows for EEH recovery: the time a
 * recovery takes per driver answer, the detection delay per way of
 * noticing, and the I/O retried, against closed forms computed from the
 * scenario's parameters (docs/validation.md "EEH recovery"). Exact: a
 * row passes only when the simulated time equals the reference to the
 * picosecond. */
#ifndef LPARSIM_CLI_VALIDATE_EEH_H
#define LPARSIM_CLI_VALIDATE_EEH_H

#include <stdio.h>

#include "sim/kernel.h"

/* Runs each case on backend k and prints its rows in cli/validate.c's
 * column format (no header). Returns the number of failed rows, or -1 if
 * a case could not be built or run (message on stderr). */
int validate_eeh(FILE *out, enum kernel_backend k);

#endif
