/* cli/validate_pcie.h — validation rows for the PCIe link model: simulated
 * saturated DMA throughput vs the pcie-bench analytic model, and unloaded
 * DMA read latency vs pcie-bench's measured curve (docs/model-pcie.md). */
#ifndef LPARSIM_CLI_VALIDATE_PCIE_H
#define LPARSIM_CLI_VALIDATE_PCIE_H

#include <stdio.h>

#include "sim/kernel.h"

/* Simulates every row on backend k (one kernel at a time, created and
 * destroyed per measurement) and prints it in cli/validate.c's column
 * format (no header). Returns the number of failed rows, or -1 if a
 * kernel or link could not be created (message on stderr). */
int validate_pcie(FILE *out, enum kernel_backend k);

#endif
