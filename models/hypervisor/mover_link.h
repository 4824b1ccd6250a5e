/* models/hypervisor/mover_link.h — a mover link: the network between two
 * systems that live partition mobility streams partition memory over
 * (PowerVM's mover service partitions, one stream per migration). A
 * scenario lists them in `links:` ({name, between: [A, B], bandwidth,
 * latency, efficiency}); component "links.NAME", kind "mover_link", so a
 * timeline can `fail` / `repair` it and `set` its bandwidth, latency or
 * efficiency while it runs.
 *
 * The link's rate is bandwidth x efficiency (bytes on the wire that are
 * partition memory). Transfers share it fairly: the link sends chunks of
 * every transfer in turn, which in the limit of small chunks is processor
 * sharing, and that is what is simulated (an event when a transfer's last
 * byte leaves, none per chunk). A transfer of B bytes alone on the link
 * is delivered B / rate + latency after it starts (chunks pipeline: one
 * latency per transfer, not per chunk). A `set` takes effect for the
 * bytes not yet sent; a `fail` ends every transfer on the link (the
 * callers hear status -1) and refuses new ones until `repair`.
 *
 * Metrics, component "links.NAME": scalars bytes_sent (B), transfers,
 * transfers_failed, busy_time (ns the link had something to send). */
#ifndef LPARSIM_MODELS_HYPERVISOR_MOVER_LINK_H
#define LPARSIM_MODELS_HYPERVISOR_MOVER_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

extern const struct schema mover_link_schema;
extern const struct component_ops mover_link_ops;

struct mover_link;
struct mover_xfer;

/* done(ctx, 0) when the transfer is delivered, done(ctx, -1) when the
 * link failed under it. Called from a kernel event (never from inside
 * mover_link_send or _cancel). */
typedef void (*mover_done_fn)(void *ctx, int status);

/* Link `cfg` (an item of `links`): component "links.<name>". NULL with
 * *err on allocation failure. Registers its run-time setters. */
struct mover_link *mover_link_create(struct env *e, const struct cfg_node *cfg,
                                     struct diag *err);
void mover_link_destroy(struct mover_link *l);

const char *mover_link_name(const struct mover_link *l);
/* Whether the link joins systems a and b (either order). */
bool mover_link_joins(const struct mover_link *l, const char *a, const char *b);
bool mover_link_up(const struct mover_link *l);
/* Bytes per second of partition memory (bandwidth x efficiency / 8). */
double mover_link_rate(const struct mover_link *l);
sim_time_t mover_link_latency(const struct mover_link *l);
/* Time B bytes take alone on the link at its rate now, rounded to the ps
 * (the latency not included). */
sim_time_t mover_link_send_time(const struct mover_link *l, uint64_t bytes);

/* Starts a transfer of `bytes` (0 is delivered after the latency alone).
 * NULL when the link is down (nothing is called back) or out of memory. */
struct mover_xfer *mover_link_send(struct mover_link *l, uint64_t bytes, mover_done_fn done,
                                   void *ctx);
/* Withdraws a transfer not yet delivered (nothing is called back). */
void mover_link_cancel(struct mover_link *l, struct mover_xfer *x);
/* Transfers on the link now (sending or in their last latency). */
unsigned mover_link_active(const struct mover_link *l);

#endif
