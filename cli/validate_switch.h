/* cli/validate_switch.h — validation rows for the mechanisms that move a
 * device: the adapter switch (transparent, with held commands replayed,
 * and through the error state) and the vNIC failover. Each mechanism's
 * time is the sum of its steps' costs, and each step's cost follows from
 * the parameters alone (hypervisor-call cycles at the system's frequency,
 * the TCEs of the driver's window, the switch and vNIC costs, the
 * heartbeat grid): the rows compare that closed form with the simulated
 * scalar, exactly (docs/validation.md "Mechanism rows"). */
#ifndef LPARSIM_CLI_VALIDATE_SWITCH_H
#define LPARSIM_CLI_VALIDATE_SWITCH_H

#include <stdio.h>

#include "sim/kernel.h"

/* Runs the row scenarios on backend k and prints the rows in
 * cli/validate.c's format. Returns the failed rows, or -1 when a
 * scenario cannot run (message on stderr). */
int validate_switch(FILE *out, enum kernel_backend k);

#endif
