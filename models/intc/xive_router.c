/* models/intc/xive_router.c — XIVE router, event queues, presenters, NVTs.
 *
 * Behaviour from the POWER9 XIVE as QEMU models it (hw/intc/xive.c) and
 * skiboot documents it (doc/xive.rst) (EAS ->
 * END/EQ -> presenter; IPB/PIPR/CPPR; NVT backlog and escalation; EQ
 * generation bit; priority 0xFF masks). Defaults and their sources are in
 * the descriptor below and docs/model-state-machines.md. EQ rings are
 * allocated when the OS configures them; routing never allocates. */
#include "models/intc/xive_router.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const struct param_desc xive_router_params[] = {
    { "threads", PARAM_U64, "", "96",
      "hardware threads, one presenter each (system defaults: 12 cores x SMT8, POWER9)",
      .min = "1", .max = "65536" },
    { "vps", PARAM_U64, "", "256",
      "NVT entries = virtual processors that can be targeted (modelling choice: "
      "room for several LPARs' VPs over 96 threads)", .min = "1", .max = "1048576" },
    { "eas_entries", PARAM_U64, "", "4096",
      "routable interrupt sources (skiboot hw/phb4.c: 4096 MSIs per PHB4)",
      .min = "1", .max = "16777216" },
    { "priorities", PARAM_U64, "", "8",
      "usable priorities, 0 most favoured (Linux arch/powerpc/sysdev/xive: 8)",
      .min = "1", .max = "8" },
    { "eq_qsize", PARAM_U64, "", "4",
      "default EQ size, 2^(qsize+10) entries (Linux: one 64 KiB page = 16 Ki "
      "entries, qsize 4)", .max = "12" },
    { "escalation", PARAM_BOOL, "", "true",
      "escalate to the hypervisor when a VP gets an interrupt while not dispatched "
      "(skiboot doc/xive.rst: escalation interrupts)" },
    { "notify", PARAM_TIME, "ns", "250ns",
      "a source's notification to the router until the target thread's line is up: "
      "EAS lookup, EQ write, presenter (modelling choice, unsourced: a few PowerBus "
      "transactions; QEMU's XIVE model takes no time)", .max = "1ms" },
    { "eoi_load", PARAM_TIME, "ns", "400ns",
      "the OS's EOI: a cache-inhibited load from the source's ESB page, which the "
      "handler's thread waits for (POWER9: skiboot 5.10.4 disables store-EOI, so Linux "
      "xive_do_source_eoi does the load; latency a modelling choice, unsourced)",
      .max = "1ms" },
    { 0 }
};

const struct schema xive_router_schema = {
    .name = "xive_router",
    .doc = "XIVE router: EAS, event queues, presenters, NVTs and escalation",
    .params = xive_router_params,
};

#define GEN_BIT 0x80000000u
#define NO_BLOCK 0xFF

struct xive_eas {
    uint32_t vp;
    uint32_t data;
    uint8_t prio; /* XIVE_PRIO_MASKED: dropped */
};

struct xive_eq {
    uint32_t *ring; /* NULL: not configured */
    uint32_t mask;  /* entries - 1 */
    uint32_t prod;  /* hardware: next slot to write */
    bool gen;       /* hardware: generation bit being written */
    uint32_t cons;  /* OS: next slot to read */
    bool toggle;    /* OS: generation of entries already read */
    uint32_t unread;
};

struct xive_thread {
    uint32_t vp;
    uint8_t ipb, cppr;
};

struct xive_nvt {
    uint32_t thread;
    uint8_t ipb, cppr; /* backlog and saved CPPR while not dispatched */
    bool esc_on;
};

struct xive_router {
    struct xive_router_config cfg;
    struct xive_eas *eas;
    uint8_t *eas_block;   /* index into blocks[] or NO_BLOCK */
    struct xive_source *blocks[XIVE_MAX_BLOCKS];
    uint32_t block_base[XIVE_MAX_BLOCKS];
    unsigned nblocks;
    struct xive_eq *eqs;  /* vps x priorities */
    struct xive_thread *threads;
    struct xive_nvt *nvts;
    struct xive_source *esc; /* one escalation ESB per VP */
    uint64_t *delivered;
    struct xive_router_counters n;
};

/* ---- configuration ------------------------------------------------------ */

int xive_router_config_init(struct xive_router_config *c, const struct cfg_node *cfg,
                            struct diag *err)
{
    (void)err;
    c->threads = (uint32_t)cfg_param(cfg, xive_router_params, "threads").u;
    c->vps = (uint32_t)cfg_param(cfg, xive_router_params, "vps").u;
    c->eas_entries = (uint32_t)cfg_param(cfg, xive_router_params, "eas_entries").u;
    c->priorities = (uint32_t)cfg_param(cfg, xive_router_params, "priorities").u;
    c->eq_qsize = (unsigned)cfg_param(cfg, xive_router_params, "eq_qsize").u;
    c->escalation = cfg_param(cfg, xive_router_params, "escalation").u != 0;
    c->retarget_ps = 0; /* the hypervisor's H_INT_SET_SOURCE_CONFIG cost (hcalls) */
    c->notify_ps = cfg_param(cfg, xive_router_params, "notify").u;
    c->eoi_load_ps = cfg_param(cfg, xive_router_params, "eoi_load").u;
    c->eoi_cycles = 0; /* the hypervisor's: eoi_load at its processor's frequency */
    return 0;
}

/* ---- create ------------------------------------------------------------- */

static uint8_t prio_bit(uint8_t prio)
{
    return (uint8_t)(0x80u >> prio);
}

static uint8_t pipr_of(uint8_t ipb)
{
    return ipb ? (uint8_t)(__builtin_clz((unsigned)ipb) - (int)(8 * sizeof(unsigned) - 8))
               : XIVE_PRIO_NONE;
}

struct xive_router *xive_router_create(const struct xive_router_config *c)
{
    /* The IPB has 8 bits, so at most 8 priorities; EQs up to 2^22 entries. */
    if (!c->threads || !c->vps || !c->eas_entries || !c->priorities || c->priorities > 8 ||
        c->eq_qsize > 12)
        return NULL;
    struct xive_router *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = *c;
    r->eas = calloc(c->eas_entries, sizeof *r->eas);
    r->eas_block = malloc(c->eas_entries);
    r->eqs = calloc((size_t)c->vps * c->priorities, sizeof *r->eqs);
    r->threads = calloc(c->threads, sizeof *r->threads);
    r->nvts = calloc(c->vps, sizeof *r->nvts);
    r->delivered = calloc(c->threads, sizeof *r->delivered);
    r->esc = xive_source_create(&(struct xive_source_config){ c->vps });
    if (!r->eas || !r->eas_block || !r->eqs || !r->threads || !r->nvts ||
        !r->delivered || !r->esc) {
        xive_router_destroy(r);
        return NULL;
    }
    memset(r->eas_block, NO_BLOCK, c->eas_entries);
    for (uint32_t i = 0; i < c->eas_entries; i++)
        r->eas[i].prio = XIVE_PRIO_MASKED; /* sources start masked */
    for (uint32_t t = 0; t < c->threads; t++)
        r->threads[t].vp = XIVE_NONE;
    for (uint32_t v = 0; v < c->vps; v++) {
        /* CPPR resets to 0 (nothing presented) until the OS raises it. */
        r->nvts[v] = (struct xive_nvt){ .thread = XIVE_NONE, .esc_on = c->escalation };
        xive_source_set_pq(r->esc, v, c->escalation ? XIVE_PQ_00 : XIVE_PQ_01);
    }
    return r;
}

void xive_router_destroy(struct xive_router *r)
{
    if (!r)
        return;
    if (r->eqs)
        for (size_t i = 0; i < (size_t)r->cfg.vps * r->cfg.priorities; i++)
            free(r->eqs[i].ring);
    free(r->eas);
    free(r->eas_block);
    free(r->eqs);
    free(r->threads);
    free(r->nvts);
    free(r->delivered);
    xive_source_destroy(r->esc);
    free(r);
}

/* ---- configuration calls ------------------------------------------------ */

int xive_router_attach_source(struct xive_router *r, struct xive_source *sb, uint32_t base)
{
    uint32_t n = xive_source_count(sb);
    if (r->nblocks == XIVE_MAX_BLOCKS || base >= r->cfg.eas_entries ||
        n > r->cfg.eas_entries - base)
        return -1;
    for (uint32_t i = base; i < base + n; i++)
        if (r->eas_block[i] != NO_BLOCK)
            return -1;
    memset(r->eas_block + base, (int)r->nblocks, n);
    r->blocks[r->nblocks] = sb;
    r->block_base[r->nblocks] = base;
    r->nblocks++;
    return 0;
}

int xive_router_set_source_config(struct xive_router *r, uint32_t src, uint32_t vp,
                                  uint8_t prio, uint32_t data, sim_time_t *cost_ps)
{
    bool masked = prio == XIVE_PRIO_MASKED;
    if (src >= r->cfg.eas_entries || (!masked && (vp >= r->cfg.vps ||
        prio >= r->cfg.priorities)) || (data & GEN_BIT))
        return -1;
    r->eas[src] = (struct xive_eas){ .vp = vp, .data = data, .prio = prio };
    r->n.retargets++;
    if (cost_ps)
        *cost_ps = r->cfg.retarget_ps;
    return 0;
}

static struct xive_eq *eq_of(const struct xive_router *r, uint32_t vp, uint8_t prio)
{
    return &r->eqs[(size_t)vp * r->cfg.priorities + prio];
}

int xive_router_eq_config(struct xive_router *r, uint32_t vp, uint8_t prio, int qsize)
{
    unsigned qs = qsize < 0 ? r->cfg.eq_qsize : (unsigned)qsize;
    if (vp >= r->cfg.vps || prio >= r->cfg.priorities || qs > 12)
        return -1;
    uint32_t entries = UINT32_C(1) << (qs + 10);
    uint32_t *ring = calloc(entries, sizeof *ring); /* zeroed: generation 0 = old */
    if (!ring)
        return -1;
    struct xive_eq *q = eq_of(r, vp, prio);
    free(q->ring);
    /* The hardware writes generation 1 first; the OS reads entries whose
     * generation differs from its toggle, which starts at 0. */
    *q = (struct xive_eq){ .ring = ring, .mask = entries - 1, .gen = true };
    return 0;
}

int xive_router_set_escalation(struct xive_router *r, uint32_t vp, bool on)
{
    if (vp >= r->cfg.vps)
        return -1;
    r->nvts[vp].esc_on = on;
    if (r->nvts[vp].thread == XIVE_NONE)
        xive_source_set_pq(r->esc, vp, on ? XIVE_PQ_00 : XIVE_PQ_01);
    return 0;
}

/* ---- routing ------------------------------------------------------------ */

static bool eq_push(struct xive_eq *q, uint32_t data)
{
    bool overflow = q->unread == q->mask + 1;
    q->ring[q->prod] = (q->gen ? GEN_BIT : 0) | data;
    q->prod = (q->prod + 1) & q->mask;
    if (q->prod == 0)
        q->gen = !q->gen;
    if (!overflow)
        q->unread++;
    return overflow;
}

static bool line_of(const struct xive_thread *t)
{
    return pipr_of(t->ipb) < t->cppr;
}

static void present(struct xive_router *r, uint32_t vp, uint8_t prio, struct xive_outcome *o)
{
    struct xive_nvt *nvt = &r->nvts[vp];
    if (nvt->thread != XIVE_NONE) {
        struct xive_thread *t = &r->threads[nvt->thread];
        t->ipb |= prio_bit(prio);
        r->delivered[nvt->thread]++;
        r->n.presented++;
        o->result = XIVE_R_PRESENTED;
        o->thread = nvt->thread;
        o->line = line_of(t);
        return;
    }
    /* Not dispatched: remember the priority for the next dispatch and, if
     * this VP escalates, tell the hypervisor (once per undispatched
     * period: the escalation ESB coalesces the rest). */
    nvt->ipb |= prio_bit(prio);
    r->n.backlogged++;
    o->result = XIVE_R_BACKLOGGED;
    o->escalation = xive_source_trigger(r->esc, vp);
    if (o->escalation)
        r->n.escalations++;
}

struct xive_outcome xive_router_notify(struct xive_router *r, uint32_t src)
{
    struct xive_outcome o = { .result = XIVE_R_INVALID, .vp = XIVE_NONE,
                              .thread = XIVE_NONE, .prio = XIVE_PRIO_NONE };
    if (src >= r->cfg.eas_entries)
        return o;
    r->n.routed++;
    const struct xive_eas *e = &r->eas[src];
    if (e->prio == XIVE_PRIO_MASKED) {
        r->n.masked++;
        o.result = XIVE_R_MASKED;
        return o;
    }
    o.vp = e->vp;
    o.prio = e->prio;
    struct xive_eq *q = eq_of(r, e->vp, e->prio);
    if (!q->ring) {
        r->n.no_queue++;
        o.result = XIVE_R_NO_QUEUE;
        return o;
    }
    o.eq_overflow = eq_push(q, e->data);
    r->n.eq_overflows += o.eq_overflow;
    present(r, e->vp, e->prio, &o);
    return o;
}

static struct xive_source *block_of(const struct xive_router *r, uint32_t src, uint32_t *n)
{
    if (src >= r->cfg.eas_entries || r->eas_block[src] == NO_BLOCK)
        return NULL;
    unsigned b = r->eas_block[src];
    *n = src - r->block_base[b];
    return r->blocks[b];
}

struct xive_outcome xive_router_trigger(struct xive_router *r, uint32_t src)
{
    struct xive_outcome o = { .result = XIVE_R_INVALID, .vp = XIVE_NONE,
                              .thread = XIVE_NONE, .prio = XIVE_PRIO_NONE };
    uint32_t n;
    struct xive_source *sb = block_of(r, src, &n);
    if (!sb)
        return o;
    bool was_off = xive_source_pq(sb, n) == XIVE_PQ_01;
    if (xive_source_trigger(sb, n))
        return xive_router_notify(r, src);
    o.result = was_off ? XIVE_R_OFF : XIVE_R_COALESCED;
    return o;
}

struct xive_outcome xive_router_eoi(struct xive_router *r, uint32_t src)
{
    struct xive_outcome o = { .result = XIVE_R_INVALID, .vp = XIVE_NONE,
                              .thread = XIVE_NONE, .prio = XIVE_PRIO_NONE };
    uint32_t n;
    struct xive_source *sb = block_of(r, src, &n);
    if (!sb)
        return o;
    if (xive_source_eoi(sb, n))
        return xive_router_notify(r, src);
    o.result = XIVE_R_NONE;
    return o;
}

/* ---- presenter (OS side) ------------------------------------------------ */

uint8_t xive_router_ack(struct xive_router *r, uint32_t thread)
{
    if (thread >= r->cfg.threads || r->threads[thread].vp == XIVE_NONE)
        return XIVE_PRIO_NONE;
    struct xive_thread *t = &r->threads[thread];
    uint8_t p = pipr_of(t->ipb);
    if (p >= t->cppr)
        return XIVE_PRIO_NONE; /* line down: nothing to acknowledge */
    t->ipb &= (uint8_t)~prio_bit(p);
    t->cppr = p;
    r->n.acks++;
    return p;
}

int xive_router_set_cppr(struct xive_router *r, uint32_t thread, uint8_t cppr)
{
    if (thread >= r->cfg.threads || r->threads[thread].vp == XIVE_NONE)
        return -1;
    r->threads[thread].cppr = cppr;
    return line_of(&r->threads[thread]);
}

bool xive_router_eq_pop(struct xive_router *r, uint32_t vp, uint8_t prio, uint32_t *data)
{
    if (vp >= r->cfg.vps || prio >= r->cfg.priorities)
        return false;
    struct xive_eq *q = eq_of(r, vp, prio);
    if (!q->ring)
        return false;
    uint32_t e = q->ring[q->cons];
    if (((e & GEN_BIT) != 0) == q->toggle)
        return false; /* written on an earlier lap (or never): empty */
    *data = e & ~GEN_BIT;
    q->cons = (q->cons + 1) & q->mask;
    if (q->cons == 0)
        q->toggle = !q->toggle;
    if (q->unread)
        q->unread--;
    return true;
}

/* ---- dispatch (hypervisor side) ----------------------------------------- */

int xive_router_dispatch(struct xive_router *r, uint32_t vp, uint32_t thread,
                         struct xive_dispatch *out)
{
    if (vp >= r->cfg.vps || thread >= r->cfg.threads ||
        r->nvts[vp].thread != XIVE_NONE || r->threads[thread].vp != XIVE_NONE)
        return -1;
    struct xive_nvt *nvt = &r->nvts[vp];
    struct xive_thread *t = &r->threads[thread];
    unsigned moved = (unsigned)__builtin_popcount(nvt->ipb);
    *t = (struct xive_thread){ .vp = vp, .ipb = nvt->ipb, .cppr = nvt->cppr };
    nvt->ipb = 0;
    nvt->thread = thread;
    /* A running VP takes its interrupts directly: no escalation. */
    xive_source_set_pq(r->esc, vp, XIVE_PQ_01);
    r->delivered[thread] += moved;
    r->n.redeliveries += moved;
    if (out)
        *out = (struct xive_dispatch){ .redelivered = moved, .line = line_of(t) };
    return 0;
}

uint32_t xive_router_undispatch(struct xive_router *r, uint32_t thread, bool *pending)
{
    if (thread >= r->cfg.threads || r->threads[thread].vp == XIVE_NONE)
        return XIVE_NONE;
    struct xive_thread *t = &r->threads[thread];
    uint32_t vp = t->vp;
    struct xive_nvt *nvt = &r->nvts[vp];
    nvt->ipb |= t->ipb;
    nvt->cppr = t->cppr;
    nvt->thread = XIVE_NONE;
    if (pending)
        *pending = nvt->ipb != 0;
    *t = (struct xive_thread){ .vp = XIVE_NONE };
    xive_source_set_pq(r->esc, vp, nvt->esc_on ? XIVE_PQ_00 : XIVE_PQ_01);
    return vp;
}

/* ---- inspection --------------------------------------------------------- */

static const struct xive_thread *thread_at(const struct xive_router *r, uint32_t thread)
{
    static const struct xive_thread idle = { .vp = XIVE_NONE };
    return thread < r->cfg.threads ? &r->threads[thread] : &idle;
}

bool xive_router_line(const struct xive_router *r, uint32_t thread)
{
    return line_of(thread_at(r, thread));
}

uint8_t xive_router_pipr(const struct xive_router *r, uint32_t thread)
{
    return pipr_of(thread_at(r, thread)->ipb);
}

uint8_t xive_router_cppr(const struct xive_router *r, uint32_t thread)
{
    return thread_at(r, thread)->cppr;
}

uint8_t xive_router_ipb(const struct xive_router *r, uint32_t thread)
{
    return thread_at(r, thread)->ipb;
}

uint8_t xive_router_backlog(const struct xive_router *r, uint32_t vp)
{
    return vp < r->cfg.vps ? r->nvts[vp].ipb : 0;
}

uint32_t xive_router_vp_thread(const struct xive_router *r, uint32_t vp)
{
    return vp < r->cfg.vps ? r->nvts[vp].thread : XIVE_NONE;
}

enum xive_pq xive_router_escalation_pq(const struct xive_router *r, uint32_t vp)
{
    return vp < r->cfg.vps ? xive_source_pq(r->esc, vp) : XIVE_PQ_01;
}

int xive_router_eq_state(const struct xive_router *r, uint32_t vp, uint8_t prio,
                         uint32_t *index, bool *gen, uint32_t *entries)
{
    if (vp >= r->cfg.vps || prio >= r->cfg.priorities || !eq_of(r, vp, prio)->ring)
        return -1;
    const struct xive_eq *q = eq_of(r, vp, prio);
    *index = q->prod;
    *gen = q->gen;
    *entries = q->mask + 1;
    return 0;
}

uint32_t xive_router_eq_entry(const struct xive_router *r, uint32_t vp, uint8_t prio,
                              uint32_t i)
{
    if (vp >= r->cfg.vps || prio >= r->cfg.priorities || !eq_of(r, vp, prio)->ring)
        return 0;
    const struct xive_eq *q = eq_of(r, vp, prio);
    return q->ring[i & q->mask];
}

uint64_t xive_router_delivered(const struct xive_router *r, uint32_t thread)
{
    return thread < r->cfg.threads ? r->delivered[thread] : 0;
}

const struct xive_router_counters *xive_router_counters(const struct xive_router *r)
{
    return &r->n;
}

const char *xive_result_name(enum xive_result res)
{
    switch (res) {
    case XIVE_R_NONE: return "none";
    case XIVE_R_OFF: return "source off";
    case XIVE_R_COALESCED: return "coalesced";
    case XIVE_R_MASKED: return "masked";
    case XIVE_R_NO_QUEUE: return "no queue";
    case XIVE_R_PRESENTED: return "presented";
    case XIVE_R_BACKLOGGED: return "backlogged";
    case XIVE_R_INVALID: return "invalid source";
    }
    return "?";
}
