/* models/pcie/pcie_link.h — one PCIe link (root port <-> endpoint) and its
 * TLP timing: the analytic throughput model of pcie-bench (Neugebauer et
 * al., SIGCOMM 2018) and a simulated link whose two directions are shared
 * bandwidth resources that TLPs occupy for their bytes on the wire.
 *
 * Directions are named from the link's position in the machine:
 *   PCIE_UP   endpoint -> root complex: DMA write data, read requests, MSIs
 *   PCIE_DOWN root complex -> endpoint: read completions, MMIO writes
 * (pcie-bench names them TX and RX from the device's point of view).
 *
 * The analytic functions are pure and take a configuration; the simulated
 * link (pcie_link_create) uses the same functions for its byte counts, so
 * saturated simulated throughput reproduces the analytic curve. Formulas
 * and the source of every default: docs/model-pcie.md. */
#ifndef LPARSIM_MODELS_PCIE_PCIE_LINK_H
#define LPARSIM_MODELS_PCIE_PCIE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/env.h"
#include "sim/kernel.h"

enum pcie_dir { PCIE_UP, PCIE_DOWN, PCIE_NDIRS };

extern const struct param_desc pcie_link_params[];
extern const struct schema pcie_link_schema;

/* A link's configuration, resolved from the descriptor table (or built by
 * hand: start from pcie_link_config_default, then pcie_link_config_check). */
struct pcie_link_config {
    unsigned gen;            /* 1..5 */
    unsigned width;          /* lanes: 1, 2, 4, 8, 16, 32 */
    uint32_t mps;            /* max payload size, B: 128..4096, power of 2 */
    uint32_t mrrs;           /* max read request size, B: 128..4096 */
    uint32_t rcb;            /* read completion boundary, B: 64 or 128 */
    bool rcb_chunks;         /* completions cut at RCB instead of MPS */
    bool ecrc;               /* 4-byte TLP digest on every TLP */
    bool addr64;             /* 64-bit addresses in MWr/MRd headers */
    sim_time_t latency;      /* one-way flight + PHY/DLL pipelines, ps */
    sim_time_t host_read_latency; /* root complex + memory, fixed part, ps */
    double host_read_rate;   /* bit/s at which the host returns one read's
                                data (per read; not a shared resource) */
};

/* Fills c with the defaults of pcie_link_params (parsed from the table,
 * so the two never disagree). */
void pcie_link_config_default(struct pcie_link_config *c);
/* Reads c from a configuration node of pcie_link_schema. */
void pcie_link_config_from_cfg(struct pcie_link_config *c, const struct cfg_node *n);
/* Checks what the descriptor ranges cannot express (powers of two, the
 * lane counts of the spec). Returns 0, or -1 with a message naming the
 * parameter in msg. */
int pcie_link_config_check(const struct pcie_link_config *c, char *msg, size_t n);

/* ---- analytic model (pure; pcie-bench, see docs/model-pcie.md) ---------- */

/* Ack latency limit = UpdateFC guideline, in symbol times, for the spec's
 * 2.5 / 5 / 8+ GT/s tables by lanes and MPS; 0 if the combination is not
 * in the tables. */
unsigned pcie_ack_limit(unsigned gen, unsigned width, uint32_t mps);
/* GT/s x encoding (8b/10b Gen1-2, 128b/130b Gen3-5) x lanes, bit/s. */
double pcie_raw_bps(const struct pcie_link_config *c);
/* raw x (1 - 8/AckLimit - 8/FCLimit - 4/1538): what TLPs may use, bit/s. */
double pcie_tlp_bps(const struct pcie_link_config *c);

/* Bytes a TLP costs beyond its payload: 8 (framing + sequence + LCRC)
 * + 4 (common header) + the type-specific header, + 4 with ECRC. */
unsigned pcie_mwr_overhead(const struct pcie_link_config *c); /* 24 (64-bit) */
unsigned pcie_mrd_overhead(const struct pcie_link_config *c); /* 24 (64-bit) */
unsigned pcie_cpld_overhead(const struct pcie_link_config *c); /* 20 */

/* TLP counts and bytes on the wire for a transfer of sz payload bytes
 * (sz = 0 is one header-only TLP). A write: ceil(sz/MPS) MWr TLPs. A
 * read: ceil(sz/MRRS) MRd upstream; completions downstream cut at MPS (or
 * RCB with rcb_chunks), and never larger than their request. */
uint64_t pcie_write_tlps(const struct pcie_link_config *c, uint64_t sz);
uint64_t pcie_write_wire_bytes(const struct pcie_link_config *c, uint64_t sz);
uint64_t pcie_read_request_tlps(const struct pcie_link_config *c, uint64_t sz);
uint64_t pcie_read_request_wire_bytes(const struct pcie_link_config *c, uint64_t sz);
uint64_t pcie_read_completion_tlps(const struct pcie_link_config *c, uint64_t sz);
uint64_t pcie_read_completion_wire_bytes(const struct pcie_link_config *c, uint64_t sz);

/* Effective (payload) throughput of back-to-back transfers of sz bytes,
 * bit/s: write = tlp x sz / wire; read = tlp x sz / max(requests bytes,
 * completion bytes), whichever direction saturates first. */
double pcie_write_throughput_bps(const struct pcie_link_config *c, uint64_t sz);
double pcie_read_throughput_bps(const struct pcie_link_config *c, uint64_t sz);

/* ---- simulated link ----------------------------------------------------- */

struct pcie_link;

/* Builds a link at `path` (a dotted component path for its statistics).
 * Returns NULL if c fails pcie_link_config_check or on allocation
 * failure. Registers warm-up, sample and finish hooks with e. */
struct pcie_link *pcie_link_create(struct env *e, const char *path,
                                   const struct pcie_link_config *c);
void pcie_link_destroy(struct pcie_link *l);

const struct pcie_link_config *pcie_link_cfg(const struct pcie_link *l);

/* Serialisation time of wire_bytes at the TLP-layer bandwidth, rounded up
 * to the picosecond. */
sim_time_t pcie_link_wire_time(const struct pcie_link *l, uint64_t wire_bytes);

/* Puts `tlps` TLPs totalling wire_bytes into direction dir's FIFO at the
 * current time: they start when everything sent earlier has left and
 * occupy the direction for wire_bytes x 8 / bandwidth. Returns the time
 * their last byte arrives at the far end (end of serialisation + latency). */
sim_time_t pcie_link_transmit(struct pcie_link *l, enum pcie_dir dir,
                              uint64_t wire_bytes, uint64_t tlps);

/* Time the direction becomes free (>= now when busy), ps. */
sim_time_t pcie_link_busy_until(const struct pcie_link *l, enum pcie_dir dir);

/* DMA write of sz bytes to host memory (posted MWr TLPs upstream).
 * Schedules fn(ctx, arg) when the last byte reaches the root complex
 * (fn may be NULL) and returns that time. */
sim_time_t pcie_dma_write(struct pcie_link *l, uint64_t sz, event_fn fn,
                          void *ctx, uint64_t arg);

/* DMA read of sz bytes from host memory: the MRd TLPs go upstream, the
 * host answers host_read_latency + sz x 8 / host_read_rate after the last
 * request arrives, and the completions go downstream; fn(ctx, arg) is
 * called when the last completion byte reaches the endpoint. Uses one
 * internal event plus fn's; per-read state comes from a pool that grows
 * to the peak number of reads waiting for the host (never per read). */
void pcie_dma_read(struct pcie_link *l, uint64_t sz, event_fn fn, void *ctx,
                   uint64_t arg);

/* The same, with the root complex in between: the requests are taken no
 * earlier than `not_before` (a read does not pass the posted writes the
 * root complex still holds), and `host_extra` ps are added to the host's
 * answer (the address translation: a TCE cache miss walks the table
 * before memory can be read). */
void pcie_dma_read_delayed(struct pcie_link *l, uint64_t sz, sim_time_t not_before,
                           sim_time_t host_extra, event_fn fn, void *ctx, uint64_t arg);

/* MMIO write of sz bytes by the host to the endpoint (posted MWr TLPs
 * downstream, e.g. a doorbell). Same contract as pcie_dma_write. */
sim_time_t pcie_mmio_write(struct pcie_link *l, uint64_t sz, event_fn fn,
                           void *ctx, uint64_t arg);

#endif
