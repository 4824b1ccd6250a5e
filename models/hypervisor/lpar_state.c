/* models/hypervisor/lpar_state.c — the LPAR lifecycle table (see
 * lpar_state.h). */
#include "models/hypervisor/lpar_state.h"

static const signed char next[LPAR_STATES][LPAR_EVENTS] = {
    /* events: activate, booted, suspend, resume, shutdown, stopped */
    [LPAR_NOT_ACTIVATED] = { LPAR_STARTING, -1, -1, -1, -1, -1 },
    [LPAR_STARTING] = { -1, LPAR_RUNNING, -1, -1, LPAR_SHUTTING_DOWN, -1 },
    [LPAR_RUNNING] = { -1, -1, LPAR_SUSPENDED, -1, LPAR_SHUTTING_DOWN, -1 },
    [LPAR_SUSPENDED] = { -1, -1, -1, LPAR_RUNNING, -1, -1 },
    [LPAR_SHUTTING_DOWN] = { -1, -1, -1, -1, -1, LPAR_NOT_ACTIVATED },
};

int lpar_state_next(enum lpar_state s, enum lpar_event ev)
{
    if ((unsigned)s >= LPAR_STATES || (unsigned)ev >= LPAR_EVENTS)
        return -1;
    return next[s][ev];
}

const char *lpar_state_name(enum lpar_state s)
{
    static const char *const names[LPAR_STATES] = {
        "not_activated", "starting", "running", "suspended", "shutting_down",
    };
    return (unsigned)s < LPAR_STATES ? names[s] : "?";
}

const char *lpar_event_name(enum lpar_event ev)
{
    static const char *const names[LPAR_EVENTS] = {
        "activate", "booted", "suspend", "resume", "shutdown", "stopped",
    };
    return (unsigned)ev < LPAR_EVENTS ? names[ev] : "?";
}
