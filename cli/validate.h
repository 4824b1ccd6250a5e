/* cli/validate.h — `lparsim validate`: runs the validation scenarios and
 * compares what they measure with closed-form references. */
#ifndef LPARSIM_CLI_VALIDATE_H
#define LPARSIM_CLI_VALIDATE_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/kernel.h"

struct validate_options {
    const char *dir;          /* folder of the validation scenarios */
    enum kernel_backend kernel;
    bool progress;
};

/* Prints the table; returns the number of failed rows, or -1 when a
 * scenario could not be run (message already printed). */
int validate_run(const struct validate_options *o, FILE *out);

#endif
