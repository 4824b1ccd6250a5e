/* models/pcie/pcie_ports.h — the ports PCIe traffic travels through.
 *
 *   driver --mmio_port--> PHB --link--> endpoint BAR (mmio_target)
 *   endpoint --pcie_upstream--> PHB --TCE--> host memory / interrupt
 *   PHB --irq_trigger_port--> interrupt controller
 *
 * The builder wires them; no component reaches into another. `traced`
 * asks the component to print what it does for the I/O being traced
 * (lparsim run --trace-io). */
#ifndef LPARSIM_MODELS_PCIE_PCIE_PORTS_H
#define LPARSIM_MODELS_PCIE_PCIE_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/kernel.h"

#define PCIE_DROPPED SIM_TIME_MAX

/* An endpoint's view of its root complex. */
struct pcie_upstream {
    /* Posted DMA write of `bytes` at I/O address `ioba` by function `rid`.
     * Returns when the data is in host memory, or PCIE_DROPPED when the
     * PE is frozen or the translation faulted (which freezes it). */
    sim_time_t (*dma_write)(void *ctx, uint16_t rid, uint64_t ioba, uint32_t bytes,
                            bool traced);
    /* Non-posted DMA read; fn(fctx, arg) when the last completion reaches
     * the device. -1 when dropped (fn is never called). */
    int (*dma_read)(void *ctx, uint16_t rid, uint64_t ioba, uint32_t bytes, bool traced,
                    event_fn fn, void *fctx, uint64_t arg);
    /* MSI: a posted write of `data` to `addr`. Returns the time it reaches
     * the interrupt controller, or PCIE_DROPPED. */
    sim_time_t (*msi)(void *ctx, uint16_t rid, uint64_t addr, uint32_t data, bool traced);
    /* An uncorrectable error of function `rid` (an ERR_FATAL message, or
     * the root complex seeing the function fail): the root complex
     * freezes the function's PE (EEH). `why` is for the event row. */
    void (*error)(void *ctx, uint16_t rid, const char *why);
    void *ctx;
};

/* One BAR of an endpoint function, as the root complex reaches it. */
struct mmio_target {
    void (*write)(void *ctx, uint64_t offset, uint64_t value, bool traced);
    void *ctx;
};

/* MMIO space as the host's driver sees it. Returns 0, or -1 when no
 * window maps the address. A write to a frozen PE is dropped silently,
 * as the hardware does (counted by the PE). */
struct mmio_port {
    int (*write)(void *ctx, uint64_t addr, uint64_t value, bool traced);
    /* A register read of `bytes` (1, 2, 4, 8): what a frozen PE, a down
     * link or an unmapped address answers is all-ones, which is how a
     * driver notices (EEH). Register contents are not modelled: a live
     * device answers 0. Its time is not modelled either (a driver reads
     * only to check for a freeze, off the I/O path). */
    uint64_t (*read)(void *ctx, uint64_t addr, unsigned bytes);
    void *ctx;
};

/* The interrupt controller's input: source `src` (global number) was
 * triggered by an MSI that reached it now. */
struct irq_trigger_port {
    void (*trigger)(void *ctx, uint32_t src, bool traced);
    void *ctx;
    /* the interrupt controller's notification time: the caller delays
     * the trigger by it (folded into its delivery event) */
    sim_time_t latency_ps;
};

#endif
