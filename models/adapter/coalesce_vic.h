/* models/adapter/coalesce_vic.h — vIC, virtual interrupt coalescing
 * (Ahmad, Gulati and Mashtizadeh, "vIC: Interrupt Coalescing for Virtual
 * Machine Storage Device IO", USENIX ATC 2011; US 8,478,924), as the
 * `dynamic` kind of coalescing (models/adapter/coalescing.h).
 *
 * The delivery ratio (interrupts per completion) is set from the
 * commands in flight (CIF: issued by the guest, not yet completed by the
 * device) and the IOPS, with no high-resolution timer:
 *   - below the IOPS threshold (measured over the last epoch), or with
 *     CIF at or below the CIF threshold, every completion is delivered
 *     (ratio 1: US 8,478,924 claims 2 and 3);
 *   - above both, one interrupt per k completions, with
 *       k(CIF) = min(max_batch, floor(CIF / cif_threshold)),
 *     CIF counted after the completion at hand. The paper states the
 *     principle (the more commands in flight, the fewer interrupts the
 *     guest needs to keep the device busy) and not a public formula;
 *     this function is the model's reading of it (docs/model-reference.md).
 * As completions drain the queue CIF falls, k falls with it and the
 * interrupt goes out: the end of a burst needs no timer. A coarse
 * safety-net timer delivers what is left otherwise.
 *
 * Pure functions of the configuration and the counters the VF keeps;
 * nothing per event beyond a division. */
#ifndef LPARSIM_MODELS_ADAPTER_COALESCE_VIC_H
#define LPARSIM_MODELS_ADAPTER_COALESCE_VIC_H

#include <stdbool.h>
#include <stdint.h>

#include "models/adapter/coalescing.h"

/* Completions one interrupt waits for, with `cif` commands in flight and
 * the last epoch's IOPS at or above the threshold (`busy`) or not. */
static inline uint32_t vic_batch(const struct vic_config *c, uint32_t cif, bool busy)
{
    if (!busy || cif <= c->cif_threshold)
        return 1;
    uint32_t k = cif / c->cif_threshold;
    return k > c->max_batch ? c->max_batch : k;
}

/* One VF's IOPS over epochs: at each epoch end, whether the epoch's
 * completions reached the threshold. */
struct vic_epoch {
    uint64_t completed_at_start;
    bool busy;
};

/* Closes an epoch of `len` ps with `completed` completions so far (a
 * counter that only grows). Returns the new `busy`. */
bool vic_epoch_end(struct vic_epoch *ep, const struct vic_config *c, uint64_t completed,
                   sim_time_t len);

#endif
