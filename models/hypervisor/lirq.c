/* models/hypervisor/lirq.c — the logical interrupt table (see lirq.h). */
#include "models/hypervisor/lirq.h"

#include "models/hypervisor/hypervisor_internal.h"
#include "models/hypervisor/lpar.h"

/* The XIVE VP number of the lirq's LPAR's VP `vp` on this system. */
static uint32_t xive_vp(struct hypervisor *h, const struct lirq *li, uint32_t vp)
{
    const struct lpar_placement *p = lpar_placement(li->dev->lpar);
    return p->hyp == h ? hypervisor_vp_id(h, p->dispatch_lpar, vp) : UINT32_MAX;
}

sim_time_t lirq_bind(struct hypervisor *h, struct lirq *li, uint32_t src)
{
    uint32_t vp = xive_vp(h, li, li->vp);
    struct irq_action act = vf_driver_irq_action(li->dev->driver, li->queue);
    if (vp == UINT32_MAX || xive_controller_route(h->xive, src, vp, li->prio, &act) != 0)
        return SIM_TIME_MAX;
    li->src = src;
    vf_driver_set_irq_vp(li->dev->driver, li->queue, li->vp);
    return hyp_hcall(h, HCALL_INT_SET_SOURCE_CONFIG, 1);
}

sim_time_t lirq_unbind(struct hypervisor *h, struct lirq *li)
{
    if (li->src == LIRQ_UNBOUND)
        return 0;
    xive_controller_unroute(h->xive, li->src);
    li->src = LIRQ_UNBOUND;
    return hyp_hcall(h, HCALL_INT_SET_SOURCE_CONFIG, 1);
}

sim_time_t lirq_retarget(struct hypervisor *h, struct lirq *li, uint32_t vp)
{
    sim_time_t cost = lirq_move(h, li, vp);
    /* one H_INT_SET_SOURCE_CONFIG: counted with the hcalls; its time is
     * the router's retarget cost, which is the hcall's */
    return cost == SIM_TIME_MAX ? cost : hyp_hcall(h, HCALL_INT_SET_SOURCE_CONFIG, 1);
}

sim_time_t lirq_move(struct hypervisor *h, struct lirq *li, uint32_t vp)
{
    uint32_t id = xive_vp(h, li, vp);
    sim_time_t cost;
    if (li->src == LIRQ_UNBOUND || id == UINT32_MAX ||
        xive_controller_retarget(h->xive, li->src, id, &cost) != 0)
        return SIM_TIME_MAX;
    li->vp = vp;
    if (li->dev->driver)
        vf_driver_set_irq_vp(li->dev->driver, li->queue, vp);
    return cost;
}
