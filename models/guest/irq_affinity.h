/* models/guest/irq_affinity.h — where the guest kernel lets a device's
 * interrupts go, as Linux does on a POWER (XIVE) guest:
 *
 *  - managed affinity (drivers that allocate their vectors with
 *    PCI_IRQ_AFFINITY, as NVMe does): irq_create_affinity_masks
 *    (kernel/irq/affinity.c) spreads the queues' vectors over the CPUs
 *    with group_cpus_evenly (lib/group_cpus.c): on one node, G groups of
 *    N CPUs are consecutive blocks (siblings together), the first N mod G
 *    of them one CPU larger; with more vectors than CPUs each CPU gets
 *    one and the rest get the default mask. blk-mq maps each CPU to the
 *    queue whose vector's mask holds it (blk_mq_pci_map_queues), so a
 *    queue's interrupt targets the CPUs that submit to it, and the kernel
 *    refuses to move a managed interrupt from user space (-EIO from
 *    /proc/irq/N/smp_affinity);
 *  - otherwise (a NIC driver without it) every vector gets the default
 *    mask (all CPUs) and the queue of CPU c is c mod queues;
 *  - the target: at start-up, and when a new mask no longer holds it,
 *    xive_pick_irq_target takes the (fuzz mod weight)-th CPU of the mask,
 *    fuzz a counter of the kernel that every pick advances
 *    (arch/powerpc/sysdev/xive/common.c xive_find_target_in_mask; every
 *    CPU online, no event queue full). A mask that still holds the
 *    target changes nothing: no H_INT_SET_SOURCE_CONFIG.
 *
 * CPUs are the LPAR's VPs, numbered 0..vps-1. */
#ifndef LPARSIM_MODELS_GUEST_IRQ_AFFINITY_H
#define LPARSIM_MODELS_GUEST_IRQ_AFFINITY_H

#include <stdbool.h>
#include <stdint.h>

#define VP_MASK_BITS 1024   /* the most VPs an LPAR has (lpar_params) */
#define VP_MASK_WORDS (VP_MASK_BITS / 64)

/* A set of an LPAR's VPs (a cpumask). */
struct vp_mask {
    uint64_t w[VP_MASK_WORDS];
};

static inline void vp_mask_clear(struct vp_mask *m)
{
    for (unsigned i = 0; i < VP_MASK_WORDS; i++)
        m->w[i] = 0;
}
static inline void vp_mask_set(struct vp_mask *m, uint32_t vp)
{
    m->w[vp / 64] |= UINT64_C(1) << (vp % 64);
}
static inline bool vp_mask_test(const struct vp_mask *m, uint32_t vp)
{
    return vp < VP_MASK_BITS && (m->w[vp / 64] >> (vp % 64)) & 1;
}
uint32_t vp_mask_weight(const struct vp_mask *m);
bool vp_mask_empty(const struct vp_mask *m);
bool vp_mask_equal(const struct vp_mask *a, const struct vp_mask *b);
bool vp_mask_intersects(const struct vp_mask *a, const struct vp_mask *b);
/* VPs first..first+n-1. */
void vp_mask_range(struct vp_mask *m, uint32_t first, uint32_t n);
/* "0-3,6" (at most n bytes), for event details. */
void vp_mask_format(const struct vp_mask *m, char *buf, unsigned n);

/* group_cpus_evenly for `nvec` vectors over `ncpus` CPUs of one node:
 * masks[0..nvec-1]; a vector beyond the CPUs gets an empty mask (the
 * default affinity then applies). */
void irq_affinity_spread(uint32_t nvec, uint32_t ncpus, struct vp_mask *masks);
/* queue_of[c] for each CPU c < ncpus: managed (the queue whose mask holds
 * c) or c mod nq. */
void irq_affinity_queue_map(uint32_t nq, uint32_t ncpus, bool managed,
                            const struct vp_mask *masks, uint16_t *queue_of);
/* xive_find_target_in_mask: the (*fuzz mod weight)-th VP of the mask;
 * *fuzz advances. UINT32_MAX for an empty mask. */
uint32_t irq_affinity_pick(const struct vp_mask *m, uint32_t *fuzz);

#endif
