/* models/intc/xive_source.h — a XIVE interrupt source block (IVSE): the
 * per-source PQ bits of the event state buffer (ESB).
 *
 * A trigger (an MSI write landing on the source, or an IPI) and an EOI
 * (the OS's ESB load) move the PQ bits as the XIVE ESB state machine does
 * (QEMU hw/intc/xive.c xive_esb_trigger/xive_esb_eoi; skiboot doc/xive.rst);
 * the result says whether the source notifies the router. Sources reset
 * to 01 (off): the OS or hypervisor turns a source on by setting PQ to
 * 00 (an ESB "set PQ" load). */
#ifndef LPARSIM_MODELS_INTC_XIVE_SOURCE_H
#define LPARSIM_MODELS_INTC_XIVE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/diag.h"

/* P is the high bit, Q the low bit: XIVE_PQ_10 = P set, Q clear. */
enum xive_pq {
    XIVE_PQ_00 = 0, /* ready */
    XIVE_PQ_01 = 1, /* off */
    XIVE_PQ_10 = 2, /* pending: notified, not yet EOI'd */
    XIVE_PQ_11 = 3, /* queued: triggered again while pending */
};

extern const struct schema xive_source_schema;

struct xive_source_config {
    uint32_t sources;
};

/* From a xive_source_schema node, or the descriptor defaults when cfg is
 * NULL. Returns 0 (the loader has checked the range). */
int xive_source_config_init(struct xive_source_config *c, const struct cfg_node *cfg,
                            struct diag *err);

struct xive_source_counters {
    uint64_t triggers;   /* trigger events */
    uint64_t notifies;   /* triggers that notified the router (00 -> 10) */
    uint64_t coalesced;  /* triggers absorbed by P (10 -> 11, 11 -> 11) */
    uint64_t off;        /* triggers on an off source (01) */
    uint64_t eois;
    uint64_t renotifies; /* EOIs that notified again (11 -> 10) */
};

struct xive_source;

/* Every source starts at 01 (off). NULL on allocation failure or 0 sources. */
struct xive_source *xive_source_create(const struct xive_source_config *c);
void xive_source_destroy(struct xive_source *s);

/* Hot path; n < xive_source_count(s). Return true = notify the router. */
bool xive_source_trigger(struct xive_source *s, uint32_t n);
bool xive_source_eoi(struct xive_source *s, uint32_t n);

/* ESB "set PQ" (the OS/hypervisor control path); returns the old PQ, as
 * the hardware's load does. */
enum xive_pq xive_source_set_pq(struct xive_source *s, uint32_t n, enum xive_pq pq);
enum xive_pq xive_source_pq(const struct xive_source *s, uint32_t n);
/* Returns every source to 01 (off), as at reset. */
void xive_source_reset(struct xive_source *s);

uint32_t xive_source_count(const struct xive_source *s);
const struct xive_source_counters *xive_source_counters(const struct xive_source *s);
const char *xive_pq_name(enum xive_pq pq);

#endif
