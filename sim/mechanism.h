/* sim/mechanism.h — how a mechanism (an EEH recovery, an adapter switch,
 * a migration) shows its phases in the results, and how a scenario can
 * leave one of its protocol steps out to see that the run notices.
 *
 * Phases are event rows on the mechanism's component, in pairs:
 *   <mech>_start ... <mech>_end            the whole mechanism
 *   <mech>_<step>_start ... _<step>_end    one step, nested inside
 * each with a readable detail; `lparsim plot timeline` shades them.
 *
 * Steps a scenario may remove (`debug.skip_step: MECH.STEP`) are declared
 * by each mechanism in a table of struct mech_step, listed by `lparsim
 * check --steps`; the mechanism asks mech_skip() before doing the step.
 * Removing a protocol step must lose or strand I/O, which the LPAR's
 * conservation check then reports (status check_failed, naming the
 * step). Nothing here runs per I/O. */
#ifndef LPARSIM_SIM_MECHANISM_H
#define LPARSIM_SIM_MECHANISM_H

#include <stdbool.h>

#include "sim/env.h"

/* A protocol step that debug.skip_step can remove. */
struct mech_step {
    const char *name; /* "MECH.STEP", e.g. "eeh.retry" */
    const char *doc;  /* what leaving it out does */
};

enum mech_edge { MECH_START, MECH_END };

/* Records <mech>[_<step>]_start|_end on `component` at the current time
 * (step NULL: the mechanism as a whole). */
void mech_mark(struct env *e, const char *component, const char *mech, const char *step,
               enum mech_edge edge, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* True when debug.skip_step names MECH.STEP: the caller leaves the step
 * out. Records that it did (an event, and env->step_skipped). */
bool mech_skip(struct env *e, const char *component, const char *mech, const char *step);

#endif
