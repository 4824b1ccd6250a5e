/* models/guest/irq_affinity.c — managed affinity masks, the blk-mq queue
 * map and XIVE's target pick (see irq_affinity.h). */
#include "models/guest/irq_affinity.h"

#include <stdio.h>

uint32_t vp_mask_weight(const struct vp_mask *m)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < VP_MASK_WORDS; i++)
        n += (uint32_t)__builtin_popcountll(m->w[i]);
    return n;
}

bool vp_mask_empty(const struct vp_mask *m)
{
    for (unsigned i = 0; i < VP_MASK_WORDS; i++)
        if (m->w[i])
            return false;
    return true;
}

bool vp_mask_equal(const struct vp_mask *a, const struct vp_mask *b)
{
    for (unsigned i = 0; i < VP_MASK_WORDS; i++)
        if (a->w[i] != b->w[i])
            return false;
    return true;
}

bool vp_mask_intersects(const struct vp_mask *a, const struct vp_mask *b)
{
    for (unsigned i = 0; i < VP_MASK_WORDS; i++)
        if (a->w[i] & b->w[i])
            return true;
    return false;
}

void vp_mask_range(struct vp_mask *m, uint32_t first, uint32_t n)
{
    vp_mask_clear(m);
    for (uint32_t v = first; v < first + n && v < VP_MASK_BITS; v++)
        vp_mask_set(m, v);
}

void vp_mask_format(const struct vp_mask *m, char *buf, unsigned n)
{
    unsigned o = 0;
    buf[0] = '\0';
    for (uint32_t v = 0; v < VP_MASK_BITS && o < n; v++) {
        if (!vp_mask_test(m, v) || (v > 0 && vp_mask_test(m, v - 1)))
            continue;
        uint32_t end = v;
        while (end + 1 < VP_MASK_BITS && vp_mask_test(m, end + 1))
            end++;
        int w = end > v ? snprintf(buf + o, n - o, "%s%u-%u", o ? "," : "", v, end)
                        : snprintf(buf + o, n - o, "%s%u", o ? "," : "", v);
        o += w > 0 ? (unsigned)w : 0;
    }
}

void irq_affinity_spread(uint32_t nvec, uint32_t ncpus, struct vp_mask *masks)
{
    uint32_t groups = nvec < ncpus ? nvec : ncpus;
    for (uint32_t v = 0; v < nvec; v++)
        vp_mask_clear(&masks[v]);
    if (groups == 0)
        return;
    /* alloc_groups_to_nodes / assign_cpus_to_groups on one node: the
     * first `extra` groups take one CPU more */
    uint32_t per = ncpus / groups, extra = ncpus - groups * per, cpu = 0;
    for (uint32_t g = 0; g < groups; g++) {
        uint32_t n = per + (g < extra ? 1 : 0);
        vp_mask_range(&masks[g], cpu, n);
        cpu += n;
    }
}

void irq_affinity_queue_map(uint32_t nq, uint32_t ncpus, bool managed,
                            const struct vp_mask *masks, uint16_t *queue_of)
{
    for (uint32_t c = 0; c < ncpus; c++) {
        queue_of[c] = (uint16_t)(c % nq);
        for (uint32_t q = 0; managed && q < nq; q++)
            if (vp_mask_test(&masks[q], c))
                queue_of[c] = (uint16_t)q; /* the last mask holding c, as the map loop */
    }
}

uint32_t irq_affinity_pick(const struct vp_mask *m, uint32_t *fuzz)
{
    uint32_t w = vp_mask_weight(m);
    if (w == 0)
        return UINT32_MAX;
    uint32_t first = (*fuzz)++ % w;
    for (uint32_t v = 0; v < VP_MASK_BITS; v++)
        if (vp_mask_test(m, v) && first-- == 0)
            return v;
    return UINT32_MAX;
}
