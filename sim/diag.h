/* sim/diag.h — an error with a source location, returned by library code
 * (loader, machine builder, results) and printed only by the CLI as
 * `FILE:LINE:COL: error: WHAT`. */
#ifndef LPARSIM_SIM_DIAG_H
#define LPARSIM_SIM_DIAG_H

#include <stdio.h>

struct src_loc {
    const char *file; /* owned by whoever created the location (scenario) */
    int line;         /* 1-based; 0 when unknown */
    int col;          /* 1-based; 0 when unknown */
};

struct diag {
    char file[512];
    int line;
    int col;
    char msg[1024];
};

/* Fills *d with a formatted message at loc (loc may be NULL). Returns -1
 * so callers can `return diag_set(...)`. */
int diag_set(struct diag *d, const struct src_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints `FILE:LINE:COL: error: MSG` (FILE: error: MSG without a line). */
void diag_print(const struct diag *d, FILE *out);

#endif
