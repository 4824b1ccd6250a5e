/* cli/validate_io.h — validation rows for the completion path of a
 * storage I/O: the wake-up of the submitting thread on the interrupt's own
 * VP, the IPI and remote wake-up when the submitter is on another VP, and
 * the XIVE's notify latency and ESB load-EOI. Each row changes one
 * parameter of a machine whose I/Os all take the same path and compares
 * the change of their latency with the closed form from the parameters
 * (cycles at the system's frequency), exactly (docs/validation.md
 * "Completion path rows"). */
#ifndef LPARSIM_CLI_VALIDATE_IO_H
#define LPARSIM_CLI_VALIDATE_IO_H

#include <stdio.h>

#include "sim/kernel.h"

/* Runs the row scenarios on backend k and prints the rows in
 * cli/validate.c's format. Returns the failed rows, or -1 when a
 * scenario cannot run (message on stderr). */
int validate_io(FILE *out, enum kernel_backend k);

#endif
