/* models/intc/xive_source.c — PQ state machine of XIVE interrupt sources.
 *
 * The transition table is the XIVE ESB PQ state machine (QEMU
 * hw/intc/xive.c)
 * row by row; the block size default is a PHB4's 4096 interrupt sources
 * (skiboot hw/phb4.c). One byte of state per source,
 * allocated at create; trigger and EOI are table lookups. */
#include "models/intc/xive_source.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const struct param_desc xive_source_params[] = {
    { "sources", PARAM_U64, "", "4096",
      "interrupt sources in the block (skiboot hw/phb4.c: a PHB4 has 4096)",
      .min = "1", .max = "16777216" },
    { 0 }
};

const struct schema xive_source_schema = {
    .name = "xive_source",
    .doc = "a XIVE interrupt source block (PQ bits per source)",
    .params = xive_source_params,
};

/* The ESB PQ table, indexed by the current PQ (00, 01, 10, 11). */
static const uint8_t trigger_next[4]   = { XIVE_PQ_10, XIVE_PQ_01, XIVE_PQ_11, XIVE_PQ_11 };
static const bool    trigger_notify[4] = { true,       false,      false,      false };
static const uint8_t eoi_next[4]       = { XIVE_PQ_00, XIVE_PQ_01, XIVE_PQ_00, XIVE_PQ_10 };
static const bool    eoi_notify[4]     = { false,      false,      false,      true };

struct xive_source {
    uint32_t n;
    uint8_t *pq;
    struct xive_source_counters c;
};

int xive_source_config_init(struct xive_source_config *c, const struct cfg_node *cfg,
                            struct diag *err)
{
    (void)err;
    struct param_value v;
    if (cfg) {
        v = cfg_find(cfg, "sources")->v;
    } else { /* the descriptor is the one source of the default */
        char msg[256];
        int rc = cfg_parse_value(&xive_source_params[0], xive_source_params[0].def, &v,
                                 msg, sizeof msg);
        assert(rc == 0);
        (void)rc;
    }
    c->sources = (uint32_t)v.u;
    return 0;
}

struct xive_source *xive_source_create(const struct xive_source_config *c)
{
    if (c->sources == 0)
        return NULL;
    struct xive_source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = c->sources;
    s->pq = malloc(s->n);
    if (!s->pq) {
        free(s);
        return NULL;
    }
    xive_source_reset(s);
    return s;
}

void xive_source_destroy(struct xive_source *s)
{
    if (!s)
        return;
    free(s->pq);
    free(s);
}

void xive_source_reset(struct xive_source *s)
{
    memset(s->pq, XIVE_PQ_01, s->n);
}

bool xive_source_trigger(struct xive_source *s, uint32_t n)
{
    assert(n < s->n);
    uint8_t pq = s->pq[n];
    s->c.triggers++;
    s->pq[n] = trigger_next[pq];
    if (trigger_notify[pq])
        s->c.notifies++;
    else if (pq == XIVE_PQ_01)
        s->c.off++;
    else
        s->c.coalesced++;
    return trigger_notify[pq];
}

bool xive_source_eoi(struct xive_source *s, uint32_t n)
{
    assert(n < s->n);
    uint8_t pq = s->pq[n];
    s->c.eois++;
    s->pq[n] = eoi_next[pq];
    if (eoi_notify[pq])
        s->c.renotifies++;
    return eoi_notify[pq];
}

enum xive_pq xive_source_set_pq(struct xive_source *s, uint32_t n, enum xive_pq pq)
{
    assert(n < s->n && (unsigned)pq < 4);
    enum xive_pq old = (enum xive_pq)s->pq[n];
    s->pq[n] = (uint8_t)pq;
    return old;
}

enum xive_pq xive_source_pq(const struct xive_source *s, uint32_t n)
{
    assert(n < s->n);
    return (enum xive_pq)s->pq[n];
}

uint32_t xive_source_count(const struct xive_source *s) { return s->n; }

const struct xive_source_counters *xive_source_counters(const struct xive_source *s)
{
    return &s->c;
}

const char *xive_pq_name(enum xive_pq pq)
{
    static const char *const names[4] = { "00 ready", "01 off", "10 pending", "11 queued" };
    return (unsigned)pq < 4 ? names[pq] : "?";
}
