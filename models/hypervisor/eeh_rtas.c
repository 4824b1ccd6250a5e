/* models/hypervisor/eeh_rtas.c — RTAS EEH calls on a device's PE (see
 * eeh_rtas.h). The durations are the PE's (models/pcie/pe.c: thaw,
 * reset_hold, reset_settle, configure, restore) plus, for the restore,
 * the H_VIOCTLs that set the VF's queues and MSI-X up again. */
#include "models/hypervisor/eeh_rtas.h"

#include <stdio.h>

#include "models/hypervisor/vf_assign.h"

static struct pe *pe_of(void *ctx)
{
    const struct lpar_device *d = ctx;
    return d->vf ? vf_binding_pe(d->vf) : NULL;
}

static enum rtas_slot slot_state(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    if (!pe)
        return RTAS_SLOT_NONE;
    if (pe_offline(pe))
        return RTAS_SLOT_OFFLINE;
    switch (pe_state(pe)) {
    case PE_STATE_NORMAL: return RTAS_SLOT_ACTIVE;
    case PE_STATE_FROZEN:
    case PE_STATE_MMIO_ONLY: return RTAS_SLOT_FROZEN;
    default: return RTAS_SLOT_UNAVAILABLE;
    }
}

static sim_time_t frozen_at(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    return pe ? pe_last_freeze(pe) : 0;
}

/* The device answers if its adapter works and its link is up. */
static bool device_alive(const struct lpar_device *d)
{
    return !adapter_failed(d->vf->adapter) && phb_link_up(d->vf->phb);
}

/* A thaw cannot clear the freeze of a device that does not answer: its
 * error persists and the PHB freezes the PE again at once. */
static sim_time_t thaw_mmio(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    if (!pe)
        return 0;
    return device_alive(ctx) ? pe_thaw_mmio(pe) : pe_thaw_time(pe);
}

static sim_time_t thaw_dma(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    if (!pe)
        return 0;
    return device_alive(ctx) ? pe_thaw_dma(pe) : pe_thaw_time(pe);
}

static sim_time_t reset_assert(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    return pe ? pe_reset_assert(pe) : 0;
}

/* The device answers after the reset if it is alive. */
static sim_time_t reset_deassert(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    if (!pe)
        return 0;
    return pe_reset_deassert(pe, device_alive(ctx));
}

static sim_time_t configure(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    return pe ? pe_configure(pe) : 0;
}

static sim_time_t restore(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    return pe ? pe_restore_time(pe) : 0;
}

static sim_time_t reinit_vf(void *ctx)
{
    const struct lpar_device *d = ctx;
    sim_time_t vioctl = 0;
    if (d->vf)
        vf_binding_restore(d->vf, &vioctl);
    return vioctl;
}

static void quiesce(void *ctx)
{
    const struct lpar_device *d = ctx;
    if (d->vf)
        vf_binding_reset(d->vf);
}

static void give_up(void *ctx)
{
    struct pe *pe = pe_of(ctx);
    if (pe)
        pe_set_offline(pe);
}

static const char *vf_path(void *ctx)
{
    struct lpar_device *d = ctx;
    if (!d->vf)
        return "";
    snprintf(d->vf_name, sizeof d->vf_name, "%s.vf%u", adapter_path(d->vf->adapter), d->vf->vf);
    return d->vf_name;
}

struct eeh_rtas_port lpar_device_rtas_port(struct lpar_device *d)
{
    return (struct eeh_rtas_port){
        slot_state, frozen_at, thaw_mmio, thaw_dma, reset_assert, reset_deassert, configure,
        restore, reinit_vf, quiesce, give_up, vf_path, d,
    };
}
