/* models/pcie/phb.c — PCIe host bridge (see phb.h). */
#include "models/pcie/phb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

/* The PHB's MSI target address, programmed into every MSI-X entry (a
 * modelling choice: one fixed address above the DMA space, with the
 * source number in the data; skiboot's PHB4 encodes it differently, but
 * only the match matters here). */
#define PHB_MSI_ADDRESS UINT64_C(0x0003fffffe000000)

struct phb_pe {
    bool free;            /* removed (phb_remove_pe): the next add reuses it */
    uint16_t rid;
    struct pe *pe;
    struct tce_table *table;
    struct tce_cache *cache;
    uint64_t dma_dropped, mmio_dropped;
    uint64_t hits_at_warmup, misses_at_warmup, walks_at_warmup, freezes_at_warmup;
};

struct mmio_window {
    uint64_t base, size;
    uint32_t pe;
    struct mmio_target target;
};

/* A posted write on its way: an MMIO write down, or an MSI up. */
struct posted {
    uint32_t index;  /* window (MMIO) or source (MSI) */
    uint8_t traced;
    uint64_t offset, value;
};

/* FIFO of posted writes, in arrival order (the link keeps order). */
struct posted_fifo {
    struct posted *v;
    uint32_t cap, head, n;
};

struct phb {
    struct env *env;
    char path[128];
    struct phb_config cfg;
    struct pcie_link *link;
    struct pe_rtt *rtt;
    struct phb_pe *pes;
    uint32_t npes;
    struct mmio_window *windows;  /* sorted by base */
    uint32_t nwindows;
    struct xive_source *sources;
    struct irq_trigger_port irq;
    uint32_t src_base;
    uint8_t *src_taken;           /* per source: allocated */
    bool link_down;               /* timeline `fail` of the slot's link */
    struct phb_freeze_listener freeze_listener;
    struct posted_fifo mmio_fifo, msi_fifo;
    /* Upstream posted writes leave the PHB in order, one at a time: a
     * TCE walk holds back the writes behind it (PCIe ordering: a posted
     * write does not pass a posted write), and the read requests behind
     * them (a read does not pass a posted write either). */
    sim_time_t posted_done;
    uint64_t msis, msis_dropped, mmio_unmapped, dma_unclaimed;
    uint64_t seed; /* of the PEs' TCE caches (random replacement) */
};

/* ---- FIFO of posted writes ---------------------------------------------- */

static int fifo_push(struct posted_fifo *f, struct posted p)
{
    if (f->n == f->cap) {
        uint32_t cap = f->cap ? 2 * f->cap : 64;
        struct posted *v = malloc((size_t)cap * sizeof *v);
        if (!v)
            return -1;
        for (uint32_t i = 0; i < f->n; i++)
            v[i] = f->v[(f->head + i) % f->cap];
        free(f->v);
        f->v = v;
        f->cap = cap;
        f->head = 0;
    }
    f->v[(f->head + f->n) % f->cap] = p;
    f->n++;
    return 0;
}

static struct posted fifo_pop(struct posted_fifo *f)
{
    struct posted p = f->v[f->head];
    f->head = (f->head + 1) % f->cap;
    f->n--;
    return p;
}

/* ---- MMIO --------------------------------------------------------------- */

static const struct mmio_window *window_of(const struct phb *p, uint64_t addr)
{
    uint32_t lo = 0, hi = p->nwindows;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct mmio_window *w = &p->windows[mid];
        if (addr < w->base)
            hi = mid;
        else if (addr - w->base >= w->size)
            lo = mid + 1;
        else
            return w;
    }
    return NULL;
}

static void mmio_arrive(void *ctx, uint64_t arg)
{
    (void)arg;
    struct phb *p = ctx;
    struct posted w = fifo_pop(&p->mmio_fifo);
    const struct mmio_window *win = &p->windows[w.index];
    win->target.write(win->target.ctx, w.offset, w.value, w.traced);
}

static int phb_mmio_write(void *ctx, uint64_t addr, uint64_t value, bool traced)
{
    struct phb *p = ctx;
    const struct mmio_window *w = window_of(p, addr);
    if (!w) {
        p->mmio_unmapped++;
        return -1;
    }
    struct phb_pe *pe = &p->pes[w->pe];
    if (pe_mmio_write(pe->pe) != PE_PASS || p->link_down) {
        pe->mmio_dropped++;
        if (traced)
            env_trace(p->env, p->path, "MMIO write 0x%llx dropped: PE %u is frozen",
                      (unsigned long long)addr, w->pe);
        return 0;
    }
    struct posted msg = { (uint32_t)(w - p->windows), traced, addr - w->base, value };
    if (fifo_push(&p->mmio_fifo, msg) != 0)
        return -1;
    sim_time_t t = pcie_mmio_write(p->link, 4, mmio_arrive, p, 0);
    if (traced)
        env_trace(p->env, p->path,
                  "MMIO write 0x%llx -> PE %u BAR +0x%llx: posted MWr down the link, "
                  "arrives at +%.1f ns", (unsigned long long)addr, w->pe,
                  (unsigned long long)(addr - w->base),
                  sim_time_to_ns(t - kernel_now(p->env->k)));
    return 0;
}

/* ---- EEH ---------------------------------------------------------------- */

/* Freezes a PE for an error (a TCE fault, a function's fatal error, the
 * link going down): an `eeh_freeze` event, and the hypervisor hears it. */
static void freeze_pe(struct phb *p, struct phb_pe *pe, const char *why)
{
    sim_time_t now = kernel_now(p->env->k);
    enum pe_freeze_result fr = pe_freeze(pe->pe, now);
    if (fr != PE_FROZE && fr != PE_NOW_OFFLINE)
        return; /* already frozen or offline: the same error seen again */
    recorder_event(p->env->rec, now, p->path, "eeh_freeze", "PE %u frozen: %s%s",
                   pe_number(pe->pe), why, fr == PE_NOW_OFFLINE ? " (too many freezes: "
                   "permanently offline)" : "");
    if (p->freeze_listener.frozen)
        p->freeze_listener.frozen(p->freeze_listener.ctx, pe_number(pe->pe), why);
}

/* A function reported an uncorrectable error (pcie_upstream.error). */
static void phb_error(void *ctx, uint16_t rid, const char *why)
{
    struct phb *p = ctx;
    uint32_t n = pe_rtt_lookup(p->rtt, rid);
    if (n != PE_NONE && n < p->npes && !p->pes[n].free)
        freeze_pe(p, &p->pes[n], why);
}

void phb_set_freeze_listener(struct phb *p, const struct phb_freeze_listener *l)
{
    p->freeze_listener = *l;
}

/* The slot's link goes down (timeline `fail`): a surprise link down is a
 * fatal error for everything behind it, so every PE freezes; TLPs are
 * dropped until it is up again. */
static int link_fail(void *obj, char *why, size_t n)
{
    struct phb *p = obj;
    if (p->link_down)
        return snprintf(why, n, "the link is already down"), -1;
    p->link_down = true;
    recorder_event(p->env->rec, kernel_now(p->env->k), p->path, "link_down", "PCIe link down");
    for (uint32_t i = 0; i < p->npes; i++)
        if (!p->pes[i].free)
            freeze_pe(p, &p->pes[i], "PCIe link down");
    return 0;
}

/* Retrained: traffic passes again; the PEs stay frozen until recovered. */
static int link_repair(void *obj, char *why, size_t n)
{
    struct phb *p = obj;
    if (!p->link_down)
        return snprintf(why, n, "the link is up"), -1;
    p->link_down = false;
    recorder_event(p->env->rec, kernel_now(p->env->k), p->path, "link_up", "PCIe link up");
    return 0;
}

const struct component_ops phb_link_ops = { "pcie_link", link_fail, link_repair, NULL };

bool phb_link_up(const struct phb *p)
{
    return !p->link_down;
}

static uint64_t phb_mmio_read(void *ctx, uint64_t addr, unsigned bytes)
{
    struct phb *p = ctx;
    const struct mmio_window *w = window_of(p, addr);
    if (!w || p->link_down)
        return pe_all_ones(bytes); /* master abort */
    return pe_mmio_read(p->pes[w->pe].pe) == PE_PASS ? 0 : pe_all_ones(bytes);
}

/* ---- DMA ---------------------------------------------------------------- */

/* The PE a DMA from `rid` belongs to, if its DMA may proceed. */
static struct phb_pe *dma_pe(struct phb *p, uint16_t rid, bool traced)
{
    uint32_t n = pe_rtt_lookup(p->rtt, rid);
    if (p->link_down)
        return NULL; /* nothing crosses a down link (the PEs froze with it) */
    if (n == PE_NONE || n >= p->npes) {
        p->dma_unclaimed++; /* unsupported request: no PE claims the RID */
        return NULL;
    }
    struct phb_pe *pe = &p->pes[n];
    if (pe_dma(pe->pe) != PE_PASS) {
        pe->dma_dropped++;
        if (traced)
            env_trace(p->env, p->path, "DMA from RID 0x%04x dropped: PE %u DMA stopped", rid, n);
        return NULL;
    }
    return pe;
}

/* Translates every I/O page the access touches; returns the latency the
 * translations add, or PCIE_DROPPED after a fault (which freezes the PE,
 * as the PHB does on a TCE error). With the cache's `overlap` (default)
 * the pages' lookups and walks run at once and the access waits for the
 * longest; without it, one after another (their sum). */
static sim_time_t translate(struct phb *p, struct phb_pe *pe, uint64_t ioba, uint32_t bytes,
                            bool is_write, bool traced)
{
    uint64_t page = tce_table_page_size(pe->table);
    uint64_t end = ioba + (bytes ? bytes : 1);
    sim_time_t added = 0;
    unsigned misses = 0, pages = 0;
    for (uint64_t a = ioba; a < end;) {
        uint64_t next = (a / page + 1) * page;
        uint64_t len = (next < end ? next : end) - a;
        struct tce_lookup lk = tce_cache_translate(pe->cache, a, len, is_write);
        if (lk.fault != TCE_FAULT_NONE) {
            char why[96];
            snprintf(why, sizeof why, "TCE %s fault at ioba 0x%llx (%s)",
                     tce_fault_name(lk.fault), (unsigned long long)a, is_write ? "write" : "read");
            freeze_pe(p, pe, why);
            pe->dma_dropped++;
            if (traced)
                env_trace(p->env, p->path, "TCE %s fault at ioba 0x%llx: PE %u frozen",
                          tce_fault_name(lk.fault), (unsigned long long)a, pe_number(pe->pe));
            return PCIE_DROPPED;
        }
        if (!p->cfg.cache.overlap)
            added += lk.added_ps;
        else if (lk.added_ps > added)
            added = lk.added_ps;
        misses += !lk.hit;
        pages++;
        a += len;
    }
    if (traced)
        env_trace(p->env, p->path, "TCE translation of %u I/O page(s): %u hit, %u miss, +%.1f ns",
                  pages, pages - misses, misses, sim_time_to_ns(added));
    return added;
}

/* When an upstream posted write that arrives at `t` and needs `walk` of
 * translation has been processed: the PHB handles posted writes one after
 * another, so a walk starts once the writes ahead are done. */
static sim_time_t in_order(struct phb *p, sim_time_t t, sim_time_t walk)
{
    if (t < p->posted_done)
        t = p->posted_done;
    p->posted_done = t + walk;
    return p->posted_done;
}

static sim_time_t phb_dma_write(void *ctx, uint16_t rid, uint64_t ioba, uint32_t bytes,
                                bool traced)
{
    struct phb *p = ctx;
    struct phb_pe *pe = dma_pe(p, rid, traced);
    sim_time_t added = pe ? translate(p, pe, ioba, bytes, true, traced) : PCIE_DROPPED;
    if (added == PCIE_DROPPED)
        return PCIE_DROPPED;
    sim_time_t t = in_order(p, pcie_dma_write(p->link, bytes, NULL, NULL, 0), added);
    if (traced)
        env_trace(p->env, p->path, "DMA write %u B at ioba 0x%llx: %llu MWr TLP(s) up, "
                  "in memory at +%.1f ns", bytes, (unsigned long long)ioba,
                  (unsigned long long)pcie_write_tlps(pcie_link_cfg(p->link), bytes),
                  sim_time_to_ns(t - kernel_now(p->env->k)));
    return t;
}

static int phb_dma_read(void *ctx, uint16_t rid, uint64_t ioba, uint32_t bytes, bool traced,
                        event_fn fn, void *fctx, uint64_t arg)
{
    struct phb *p = ctx;
    struct phb_pe *pe = dma_pe(p, rid, traced);
    sim_time_t added = pe ? translate(p, pe, ioba, bytes, false, traced) : PCIE_DROPPED;
    if (added == PCIE_DROPPED)
        return -1;
    if (traced)
        env_trace(p->env, p->path, "DMA read %u B at ioba 0x%llx: %llu MRd up, completions down",
                  bytes, (unsigned long long)ioba,
                  (unsigned long long)pcie_read_request_tlps(pcie_link_cfg(p->link), bytes));
    /* PCIe ordering: a read request does not pass a posted write, so it
     * waits for the writes the PHB is still translating */
    pcie_dma_read_delayed(p->link, bytes, p->posted_done, added, fn, fctx, arg);
    return 0;
}

/* ---- MSI ---------------------------------------------------------------- */

static void msi_arrive(void *ctx, uint64_t arg)
{
    (void)arg;
    struct phb *p = ctx;
    struct posted m = fifo_pop(&p->msi_fifo);
    if (m.traced)
        env_trace(p->env, p->path,
                  "MSI reached the PHB %.1f ns ago: source %u notified the interrupt "
                  "controller (global %u)", sim_time_to_ns(p->irq.latency_ps), m.index,
                  p->src_base + m.index);
    p->irq.trigger(p->irq.ctx, p->src_base + m.index, m.traced);
}

static sim_time_t phb_msi(void *ctx, uint16_t rid, uint64_t addr, uint32_t data, bool traced)
{
    struct phb *p = ctx;
    uint32_t n = pe_rtt_lookup(p->rtt, rid);
    /* the PE's verdict last: it counts the MSIs it lets through */
    bool ok = p->irq.trigger && !p->link_down && addr == PHB_MSI_ADDRESS &&
              data < xive_source_count(p->sources) && n != PE_NONE && n < p->npes &&
              pe_msi(p->pes[n].pe) == PE_PASS;
    struct posted m = { data, traced, 0, 0 };
    if (!ok || fifo_push(&p->msi_fifo, m) != 0) {
        p->msis_dropped++;
        return PCIE_DROPPED;
    }
    const struct pcie_link_config *lc = pcie_link_cfg(p->link);
    sim_time_t t = in_order(p, pcie_link_transmit(p->link, PCIE_UP, pcie_write_wire_bytes(lc, 4),
                                                  pcie_write_tlps(lc, 4)), 0);
    kernel_schedule_at(p->env->k, t + p->irq.latency_ps, msi_arrive, p, 0);
    p->msis++;
    return t;
}

/* ---- run phases --------------------------------------------------------- */

static void on_warmup_end(void *ctx, sim_time_t now)
{
    (void)now;
    struct phb *p = ctx;
    for (uint32_t i = 0; i < p->npes; i++) {
        struct phb_pe *pe = &p->pes[i];
        const struct tce_cache_counters *c = tce_cache_counters(pe->cache);
        pe->hits_at_warmup = c->hits;
        pe->misses_at_warmup = c->misses;
        pe->walks_at_warmup = c->walk_reads;
        pe->freezes_at_warmup = pe_counters(pe->pe)->freezes;
        pe->dma_dropped = pe->mmio_dropped = 0;
    }
    p->msis = p->msis_dropped = p->mmio_unmapped = p->dma_unclaimed = 0;
}

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0;
}

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct phb *p = ctx;
    struct recorder *rec = p->env->rec;
    uint64_t hits = 0, misses = 0, freezes = 0;
    char path[160];
    for (uint32_t i = 0; i < p->npes; i++) {
        struct phb_pe *pe = &p->pes[i];
        const struct tce_cache_counters *c = tce_cache_counters(pe->cache);
        uint64_t h = c->hits - pe->hits_at_warmup, m = c->misses - pe->misses_at_warmup;
        uint64_t f = pe_counters(pe->pe)->freezes - pe->freezes_at_warmup;
        snprintf(path, sizeof path, "%s.pe%u", p->path, i);
        recorder_scalar(rec, path, "tce_hits", "", (double)h);
        recorder_scalar(rec, path, "tce_misses", "", (double)m);
        recorder_scalar(rec, path, "tce_hit_rate", "", ratio(h, h + m));
        recorder_scalar(rec, path, "walk_reads", "", (double)(c->walk_reads - pe->walks_at_warmup));
        recorder_scalar(rec, path, "eeh_freezes", "", (double)f);
        recorder_scalar(rec, path, "dma_dropped", "", (double)pe->dma_dropped);
        recorder_scalar(rec, path, "mmio_dropped", "", (double)pe->mmio_dropped);
        hits += h;
        misses += m;
        freezes += f;
    }
    recorder_scalar(rec, p->path, "tce_hit_rate", "", ratio(hits, hits + misses));
    recorder_scalar(rec, p->path, "tce_misses", "", (double)misses);
    recorder_scalar(rec, p->path, "eeh_freezes", "", (double)freezes);
    recorder_scalar(rec, p->path, "msis", "", (double)p->msis);
    recorder_scalar(rec, p->path, "msis_dropped", "", (double)p->msis_dropped);
    recorder_scalar(rec, p->path, "mmio_unmapped", "", (double)p->mmio_unmapped);
    recorder_scalar(rec, p->path, "dma_unclaimed", "", (double)p->dma_unclaimed);
}

/* ---- construction ------------------------------------------------------- */

struct phb *phb_create(struct env *e, const char *path, const struct phb_config *c)
{
    struct phb *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->env = e;
    p->cfg = *c;
    snprintf(p->path, sizeof p->path, "%s", path);
    p->seed = e->seed ^ hash_str64(path);
    char link_path[160];
    snprintf(link_path, sizeof link_path, "%s.link", path);
    struct pe_rtt_config rc = { c->pes };
    struct xive_source_config sc = { c->msi_sources };
    p->link = pcie_link_create(e, link_path, &c->link);
    p->rtt = pe_rtt_create(&rc);
    p->sources = xive_source_create(&sc);
    p->pes = calloc(c->pes, sizeof *p->pes);
    p->src_taken = calloc(c->msi_sources ? c->msi_sources : 1, 1);
    if (!p->link || !p->rtt || !p->sources || !p->pes || !p->src_taken) {
        phb_destroy(p);
        return NULL;
    }
    env_on_warmup_end(e, on_warmup_end, p);
    env_on_finish(e, on_finish, p);
    return p;
}

void phb_destroy(struct phb *p)
{
    if (!p)
        return;
    for (uint32_t i = 0; i < p->npes; i++) {
        tce_cache_destroy(p->pes[i].cache);
        tce_table_destroy(p->pes[i].table);
        pe_destroy(p->pes[i].pe);
    }
    free(p->pes);
    free(p->src_taken);
    free(p->windows);
    free(p->mmio_fifo.v);
    free(p->msi_fifo.v);
    xive_source_destroy(p->sources);
    pe_rtt_destroy(p->rtt);
    pcie_link_destroy(p->link);
    free(p);
}

/* A removed PE slot comes back with its window emptied, its cache cold
 * and its EEH state fresh; its counters go on (they are the slot's). */
static int reuse_pe(struct phb *p, uint32_t n, uint16_t rid)
{
    struct phb_pe *pe = &p->pes[n];
    struct pe *fresh = pe_create(&p->cfg.pe, n);
    if (!fresh || pe_rtt_map(p->rtt, rid, 1, n) != 0) {
        pe_destroy(fresh);
        return -1;
    }
    pe_destroy(pe->pe);
    pe->pe = fresh;
    pe->free = false;
    pe->rid = rid;
    pe->freezes_at_warmup = 0;
    return 0;
}

int phb_add_pe(struct phb *p, uint16_t rid, uint32_t *pe_num)
{
    for (uint32_t i = 0; i < p->npes; i++)
        if (p->pes[i].free) {
            if (reuse_pe(p, i, rid) != 0)
                return -1;
            *pe_num = i;
            return 0;
        }
    if (p->npes >= p->cfg.pes)
        return -1;
    struct phb_pe *pe = &p->pes[p->npes];
    pe->rid = rid;
    pe->pe = pe_create(&p->cfg.pe, p->npes);
    pe->table = pe->pe ? tce_table_create(&p->cfg.window) : NULL;
    struct tce_cache_config cc = p->cfg.cache;
    cc.seed = p->seed + p->npes; /* each PE's cache its own random stream */
    pe->cache = pe->table ? tce_cache_create(&cc, pe->table) : NULL;
    if (!pe->cache || pe_rtt_map(p->rtt, rid, 1, p->npes) != 0) {
        tce_cache_destroy(pe->cache);
        tce_table_destroy(pe->table);
        pe_destroy(pe->pe);
        memset(pe, 0, sizeof *pe);
        return -1;
    }
    *pe_num = p->npes++;
    return 0;
}

struct tce_table *phb_pe_table(struct phb *p, uint32_t pe_num)
{
    return pe_num < p->npes ? p->pes[pe_num].table : NULL;
}

struct pe *phb_pe(struct phb *p, uint32_t pe_num)
{
    return pe_num < p->npes ? p->pes[pe_num].pe : NULL;
}

int phb_remove_pe(struct phb *p, uint32_t pe_num)
{
    if (pe_num >= p->npes || p->pes[pe_num].free)
        return -1;
    struct phb_pe *pe = &p->pes[pe_num];
    uint64_t calls;
    tce_table_unmap(pe->table, phb_window_base(p), tce_table_entries(pe->table),
                    TCE_HCALL_STUFF, &calls);
    tce_cache_flush(pe->cache);
    pe_rtt_unmap(p->rtt, pe->rid, 1);
    pe->free = true;
    return 0;
}

int phb_map_mmio(struct phb *p, uint64_t base, uint64_t size, uint32_t pe_num,
                 struct mmio_target target)
{
    if (size == 0 || pe_num >= p->npes || base + size - 1 < base)
        return -1;
    for (uint32_t i = 0; i < p->nwindows; i++) /* set-up only: a scan is fine */
        if (base < p->windows[i].base + p->windows[i].size &&
            p->windows[i].base < base + size)
            return -1;
    struct mmio_window *w = realloc(p->windows, (p->nwindows + 1) * sizeof *w);
    if (!w)
        return -1;
    p->windows = w;
    uint32_t i = p->nwindows;
    while (i > 0 && w[i - 1].base > base) {
        w[i] = w[i - 1];
        i--;
    }
    w[i] = (struct mmio_window){ base, size, pe_num, target };
    p->nwindows++;
    return 0;
}

struct xive_source *phb_sources(struct phb *p)
{
    return p->sources;
}

int phb_unmap_mmio(struct phb *p, uint64_t base)
{
    for (uint32_t i = 0; i < p->nwindows; i++)
        if (p->windows[i].base == base) {
            memmove(&p->windows[i], &p->windows[i + 1],
                    (p->nwindows - i - 1) * sizeof *p->windows);
            p->nwindows--;
            return 0;
        }
    return -1;
}

int phb_alloc_source(struct phb *p, uint32_t *local)
{
    for (uint32_t i = 0; i < xive_source_count(p->sources); i++)
        if (!p->src_taken[i]) {
            p->src_taken[i] = 1;
            *local = i;
            return 0;
        }
    return -1;
}

int phb_free_source(struct phb *p, uint32_t local)
{
    if (local >= xive_source_count(p->sources) || !p->src_taken[local])
        return -1;
    p->src_taken[local] = 0;
    xive_source_set_pq(p->sources, local, XIVE_PQ_01); /* off, as at reset */
    return 0;
}

void phb_connect_irq(struct phb *p, struct irq_trigger_port port, uint32_t src_base)
{
    p->irq = port;
    p->src_base = src_base;
}

uint64_t phb_io_page(const struct phb *p)
{
    return p->cfg.window.page_size;
}

uint64_t phb_window_base(const struct phb *p)
{
    return p->cfg.window.window_base;
}

uint32_t phb_source_base(const struct phb *p)
{
    return p->src_base;
}

uint64_t phb_msi_address(const struct phb *p)
{
    (void)p;
    return PHB_MSI_ADDRESS;
}

struct pcie_upstream phb_upstream(struct phb *p)
{
    return (struct pcie_upstream){ phb_dma_write, phb_dma_read, phb_msi, phb_error, p };
}

struct mmio_port phb_mmio_port(struct phb *p)
{
    return (struct mmio_port){ phb_mmio_write, phb_mmio_read, p };
}

struct pcie_link *phb_link(struct phb *p)
{
    return p->link;
}
