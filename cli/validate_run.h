/* cli/validate_run.h — what the mechanism rows of `lparsim validate`
 * share: run a scenario given as text and hand back its recorder. */
#ifndef LPARSIM_CLI_VALIDATE_RUN_H
#define LPARSIM_CLI_VALIDATE_RUN_H

#include "sim/kernel.h"
#include "sim/stats.h"

/* Loads `text` (called `name` in messages), runs it on backend k and
 * returns its recorder, which the caller destroys. NULL after printing
 * why to stderr: the text does not load, the run fails, or it does not
 * end ok (`what` names the rows in the message). */
struct recorder *validate_run_text(const char *name, const char *text, enum kernel_backend k,
                                   const char *what);

#endif
