/* sim/mechanism.c — phase events and skipped steps (see mechanism.h). */
#include "sim/mechanism.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mech_mark(struct env *e, const char *component, const char *mech, const char *step,
               enum mech_edge edge, const char *fmt, ...)
{
    char kind[96], detail[256];
    const char *suffix = edge == MECH_START ? "start" : "end";
    if (step)
        snprintf(kind, sizeof kind, "%s_%s_%s", mech, step, suffix);
    else
        snprintf(kind, sizeof kind, "%s_%s", mech, suffix);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    recorder_event(e->rec, kernel_now(e->k), component, kind, "%s", detail);
}

bool mech_skip(struct env *e, const char *component, const char *mech, const char *step)
{
    const char *s = e->skip_step;
    size_t m = strlen(mech);
    if (!s || strncmp(s, mech, m) != 0 || s[m] != '.' || strcmp(s + m + 1, step) != 0)
        return false;
    e->step_skipped = true;
    recorder_event(e->rec, kernel_now(e->k), component, "step_skipped",
                   "debug.skip_step: %s.%s left out", mech, step);
    return true;
}
