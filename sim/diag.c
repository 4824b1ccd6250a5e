/* sim/diag.c — located error messages (see diag.h). */
#include "sim/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int diag_set(struct diag *d, const struct src_loc *loc, const char *fmt, ...)
{
    if (!d)
        return -1;
    d->file[0] = '\0';
    d->line = 0;
    d->col = 0;
    if (loc) {
        if (loc->file)
            snprintf(d->file, sizeof d->file, "%s", loc->file);
        d->line = loc->line;
        d->col = loc->col;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void diag_print(const struct diag *d, FILE *out)
{
    const char *file = d->file[0] ? d->file : "lparsim";
    if (d->line > 0)
        fprintf(out, "%s:%d:%d: error: %s\n", file, d->line,
                d->col > 0 ? d->col : 1, d->msg);
    else
        fprintf(out, "%s: error: %s\n", file, d->msg);
}
