/* models/hypervisor/lpar_device.h — one device of an LPAR and its logical
 * interrupts, as the LPAR object holds them and the hypervisor's
 * services (VF assignment, DMA windows, the logical interrupt table) and
 * mechanisms (EEH recovery, adapter switch) change them while the machine
 * runs. A neutral header: the LPAR owns these records, the hypervisor
 * fills in their binding to the hardware.
 *
 * A device is what the guest sees: a driver (on the hardware path) whose
 * MMIO, DMA-mapping and receive ports go through the device record to
 * whatever VF is assigned now, so the hypervisor can take the VF away or
 * give another one (a transparent switch) without the driver noticing,
 * and logical interrupt numbers (one per queue pair) that stay the same
 * whichever hardware source backs them. */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPAR_DEVICE_H
#define LPARSIM_MODELS_HYPERVISOR_LPAR_DEVICE_H

#include <stdint.h>

#include "models/guest/vf_driver.h"
#include "models/io.h"
#include "sim/config.h"

struct lpar;
struct vf_binding;
struct eeh_core;
struct vf_pool;

#define LIRQ_UNBOUND UINT32_MAX

/* A logical interrupt (LISN) of an LPAR: queue `queue` of device `dev`,
 * backed by global source `src` of its system's interrupt controller
 * (LIRQ_UNBOUND while no VF backs it), targeting the LPAR's VP `vp`.
 * What the guest kernel knows of it (models/guest/irq_affinity.h): its
 * affinity mask (smp_affinity; the target is always in it), whether it is
 * managed (then nothing from user space moves it), and the driver's hints
 * when it gives them: the VPs that submit to the queue and the
 * latency-sensitive flag (US20210034390A1). */
struct lirq {
    struct lpar_device *dev;
    uint32_t queue;
    uint32_t src;
    uint32_t vp;
    uint8_t prio;
    bool managed, hinted, latency_sensitive;
    struct vp_mask affinity, hint;
};

/* What a mechanism that moves a device (switch, failover) adds up over a
 * run, written at its end by the mechanism's finish hook. */
struct mech_tally {
    bool hooked;                  /* the finish hook is registered */
    char path[128];               /* its results component */
    uint64_t count, replayed, lost, blackouts;
    double time_ns, blackout_ns;
};

struct lpar_device {
    struct lpar *lpar;
    unsigned index;               /* 0: the LPAR's own adapter/vf; then `devices` */
    const char *name;             /* "" for device 0, else the item's name */
    char path[128];               /* its driver's component path */
    const struct cfg_node *cfg;   /* holds adapter, vf, driver */
    struct vf_driver_config drv_cfg;
    struct vf_driver *driver;     /* hardware path: the guest's driver (owned) */
    struct eeh_core *eeh;         /* and its EEH core (owned; NULL for a vNIC) */
    struct vf_pool *pool;         /* a vNIC's backing devices (owned) */
    struct io_sink sink;          /* where the LPAR sends its requests */
    sim_time_t latency;           /* abstract path: submit latency (0: direct) */
    uint32_t queue_pairs;
    bool network;                 /* its adapter's kind (its interrupts' class) */
    uint32_t lisn_base;           /* queue qp's logical interrupt: lisn_base + qp */
    uint64_t guest_bar;           /* the VF BAR's address as the guest sees it */
    struct vf_binding *vf;        /* the VF assigned now; NULL: none */
    /* What a mechanism watches to measure an I/O blackout: the last
     * completion seen, and (when set) a call at the next one. */
    sim_time_t t_last_done;
    uint64_t failed;              /* its I/Os that failed, whole run */
    sim_time_t blackout_from;     /* what the blackout being measured counts from */
    void (*on_done)(void *ctx, sim_time_t t);
    void *on_done_ctx;
    void *mechanism;              /* the switch, failover or migration in progress, if any */
    const void *alt_holder;       /* a virtual device standing in for the VF: what it
                                     holds is in flight (NULL: none) */
    struct mech_tally switch_tally, failover_tally;
    char vf_name[96];             /* its component path ("s0.nvme0.vf3") */
};

#endif
