/* models/intc/xive_router.h — XIVE routing and presentation (IVRE + IVPE).
 *
 * State (POWER9 XIVE: QEMU hw/intc/xive.c, skiboot doc/xive.rst):
 *  - EAS per source: target virtual processor (VP), priority, event data;
 *    priority 0xFF masks the source at the router;
 *  - an event queue (EQ) per (VP, priority): 2^(qsize+10) 32-bit entries,
 *    bit 31 the generation bit, which flips each time the producer wraps;
 *    configured by the OS/hypervisor (H_INT_SET_QUEUE_CONFIG), which is
 *    when its memory is allocated;
 *  - a presenter context per hardware thread: the dispatched VP, IPB (one
 *    bit per pending priority, 0x80 >> prio), CPPR, and PIPR = the most
 *    favoured pending priority; the thread's line is up while PIPR < CPPR;
 *  - an NVT per VP: the thread it is dispatched on (if any), its saved
 *    CPPR, its backlog IPB, and an escalation ESB (PQ bits).
 *
 * Routing a notification: EAS -> EQ entry -> if the VP is dispatched,
 * set the thread's IPB bit; if not, record the priority in the NVT
 * backlog and, when escalation is on, trigger the VP's escalation ESB:
 * the outcome then says to interrupt the hypervisor. The escalation ESB is
 * off (01) while the VP is dispatched and re-armed (00) when it is taken
 * off its thread, so one undispatched period raises at most one
 * escalation. Dispatching a VP moves its backlog into the thread.
 *
 * Priorities: 0 is most favoured; `priorities` (<= 8) are usable; 0xFF is
 * "masked" in an EAS and "none" as a PIPR/ack result. */
#ifndef LPARSIM_MODELS_INTC_XIVE_ROUTER_H
#define LPARSIM_MODELS_INTC_XIVE_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include "models/intc/xive_source.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/time.h"

#define XIVE_PRIO_MASKED 0xFF
#define XIVE_PRIO_NONE   0xFF
#define XIVE_NONE        UINT32_MAX /* no thread / no VP */
#define XIVE_MAX_BLOCKS  16         /* source blocks one router serves */

extern const struct schema xive_router_schema;

struct xive_router_config {
    uint32_t threads;     /* presenters (hardware threads) */
    uint32_t vps;         /* NVT entries (virtual processors) */
    uint32_t eas_entries; /* routable sources */
    uint32_t priorities;  /* 1..8 */
    unsigned eq_qsize;    /* default EQ size: 2^(qsize+10) entries */
    bool escalation;      /* default escalation setting of every VP */
    sim_time_t retarget_ps; /* cost of H_INT_SET_SOURCE_CONFIG (set by the
                               hypervisor from its hcall costs) */
    sim_time_t notify_ps;   /* trigger -> presented (the controller's; the
                               event that delivers the trigger carries it) */
    sim_time_t eoi_load_ps; /* the OS's ESB load-EOI */
    uint64_t eoi_cycles;    /* the same in the processor's cycles (set by the
                               hypervisor): added to every handler job */
};

/* From a xive_router_schema node, or the descriptor defaults when cfg is
 * NULL. Returns 0 (the loader has checked every range). */
int xive_router_config_init(struct xive_router_config *c, const struct cfg_node *cfg,
                            struct diag *err);

enum xive_result {
    XIVE_R_NONE,      /* EOI that did not re-notify: nothing routed */
    XIVE_R_OFF,       /* trigger on an off (01) source: dropped */
    XIVE_R_COALESCED, /* trigger absorbed by the PQ bits */
    XIVE_R_MASKED,    /* EAS priority 0xFF: dropped at the router */
    XIVE_R_NO_QUEUE,  /* the target EQ is not configured: dropped */
    XIVE_R_PRESENTED, /* queued and presented to the VP's thread */
    XIVE_R_BACKLOGGED,/* queued; VP not dispatched: NVT backlog */
    XIVE_R_INVALID,   /* no source block serves this source number */
};

struct xive_outcome {
    enum xive_result result;
    uint32_t vp, thread;  /* target (thread = XIVE_NONE unless presented) */
    uint8_t prio;
    bool line;            /* presented: the thread's line is now up */
    bool escalation;      /* backlogged: interrupt the hypervisor for vp */
    bool eq_overflow;     /* the entry overwrote one the OS had not read */
};

struct xive_dispatch {
    unsigned redelivered; /* backlog priorities moved into the thread */
    bool line;            /* the thread's line is up after dispatch */
};

struct xive_router_counters {
    uint64_t routed;       /* notifications that reached the router */
    uint64_t presented, backlogged, escalations, redeliveries;
    uint64_t masked, no_queue, eq_overflows, acks, retargets;
};

struct xive_router;

/* Allocates the EAS, NVT, presenter and EQ descriptor tables; EQ memory
 * comes later, with xive_router_eq_config. NULL on allocation failure or
 * a zero count, more than 8 priorities or eq_qsize > 12. */
struct xive_router *xive_router_create(const struct xive_router_config *c);
void xive_router_destroy(struct xive_router *r);

/* --- configuration (OS / hypervisor control path) --- */

/* Serves sources [base, base + count(sb)) from block sb (not owned).
 * -1 if the range leaves the EAS table, overlaps a block, or too many. */
int xive_router_attach_source(struct xive_router *r, struct xive_source *sb, uint32_t base);
/* H_INT_SET_SOURCE_CONFIG: routes src to (vp, prio) with event data
 * (31 bits); prio 0xFF masks. *cost_ps = the configured call cost.
 * Entries already queued stay in the old EQ. -1 on a bad argument. */
int xive_router_set_source_config(struct xive_router *r, uint32_t src, uint32_t vp,
                                  uint8_t prio, uint32_t data, sim_time_t *cost_ps);
/* H_INT_SET_QUEUE_CONFIG: (re)allocates and resets the EQ of (vp, prio)
 * with 2^(qsize+10) entries (qsize < 0: the configured default). */
int xive_router_eq_config(struct xive_router *r, uint32_t vp, uint8_t prio, int qsize);
int xive_router_set_escalation(struct xive_router *r, uint32_t vp, bool on);

/* --- hot path --- */

/* A trigger on source src: PQ bits, then routing if the source notifies. */
struct xive_outcome xive_router_trigger(struct xive_router *r, uint32_t src);
/* The OS's EOI through the source's ESB; routes again on 11 -> 10. */
struct xive_outcome xive_router_eoi(struct xive_router *r, uint32_t src);
/* Routes a notification (from a source that already said notify). */
struct xive_outcome xive_router_notify(struct xive_router *r, uint32_t src);

/* OS acknowledge on `thread`: if PIPR < CPPR, CPPR := PIPR, that IPB bit
 * is cleared and the priority returned; else XIVE_PRIO_NONE. */
uint8_t xive_router_ack(struct xive_router *r, uint32_t thread);
/* OS sets CPPR; returns 1 if the line is up afterwards, 0 if not, -1 if
 * no VP is dispatched on the thread. */
int xive_router_set_cppr(struct xive_router *r, uint32_t thread, uint8_t cppr);
/* OS consumer of the EQ of (vp, prio): next entry's data if its
 * generation bit says it is new; false when the queue is empty. */
bool xive_router_eq_pop(struct xive_router *r, uint32_t vp, uint8_t prio, uint32_t *data);

/* --- hypervisor: VP dispatch --- */

/* Dispatches vp on thread: restores its CPPR, moves its backlog into the
 * thread, turns its escalation off. -1 if vp or thread is busy/invalid. */
int xive_router_dispatch(struct xive_router *r, uint32_t vp, uint32_t thread,
                         struct xive_dispatch *out);
/* Takes the VP off thread: saves CPPR and unacknowledged IPB bits in its
 * NVT (*pending = any), re-arms escalation. Returns the VP or XIVE_NONE. */
uint32_t xive_router_undispatch(struct xive_router *r, uint32_t thread, bool *pending);

/* --- inspection --- */
bool xive_router_line(const struct xive_router *r, uint32_t thread);
uint8_t xive_router_pipr(const struct xive_router *r, uint32_t thread);
uint8_t xive_router_cppr(const struct xive_router *r, uint32_t thread);
uint8_t xive_router_ipb(const struct xive_router *r, uint32_t thread);
uint8_t xive_router_backlog(const struct xive_router *r, uint32_t vp);
uint32_t xive_router_vp_thread(const struct xive_router *r, uint32_t vp);
enum xive_pq xive_router_escalation_pq(const struct xive_router *r, uint32_t vp);
/* EQ producer state: next index, generation bit being written, size;
 * -1 if not configured. */
int xive_router_eq_state(const struct xive_router *r, uint32_t vp, uint8_t prio,
                         uint32_t *index, bool *gen, uint32_t *entries);
/* Raw EQ entry i (generation bit included), for tests and tracing. */
uint32_t xive_router_eq_entry(const struct xive_router *r, uint32_t vp, uint8_t prio,
                              uint32_t i);
uint64_t xive_router_delivered(const struct xive_router *r, uint32_t thread);
const struct xive_router_counters *xive_router_counters(const struct xive_router *r);
const char *xive_result_name(enum xive_result res);

#endif
