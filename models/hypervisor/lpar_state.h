/* models/hypervisor/lpar_state.h — an LPAR's lifecycle, as the hypervisor
 * (PowerVM's partition states, and the migration session's suspend and
 * resume, Linux arch/powerpc/platforms/pseries/mobility.c) sees it:
 *
 *   not_activated --activate--> starting --booted--> running
 *   running --suspend--> suspended --resume--> running
 *   running --shutdown--> shutting_down --stopped--> not_activated
 *
 * Only `running` runs I/O: an I/O issued in any other state waits at the
 * LPAR until it runs again (the OS is not running or is frozen). A pure
 * table: lpar.c keeps the state and records every transition as an
 * `lpar_state` event. */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPAR_STATE_H
#define LPARSIM_MODELS_HYPERVISOR_LPAR_STATE_H

enum lpar_state {
    LPAR_NOT_ACTIVATED,
    LPAR_STARTING,
    LPAR_RUNNING,
    LPAR_SUSPENDED,
    LPAR_SHUTTING_DOWN,
    LPAR_STATES
};

enum lpar_event {
    LPAR_ACTIVATE,
    LPAR_BOOTED,
    LPAR_SUSPEND,
    LPAR_RESUME,
    LPAR_SHUTDOWN,
    LPAR_STOPPED,
    LPAR_EVENTS
};

/* The state after `ev` in `s`, or -1 when the event is not allowed there. */
int lpar_state_next(enum lpar_state s, enum lpar_event ev);
const char *lpar_state_name(enum lpar_state s);
const char *lpar_event_name(enum lpar_event ev);

#endif
