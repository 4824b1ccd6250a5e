/* tests/unit/test_phb.c — the PCIe host bridge (models/pcie/phb.h) without
 * a scenario: MMIO windows, EEH freeze effects, TCE faults, the TCE cache
 * miss cost on DMA writes and reads, the in-order rule of upstream posted
 * writes, MSI delivery and source allocation, PE limits.
 *
 * Expected times come from the models' own functions and configured
 * latencies (pcie_link_wire_time, pcie_write_wire_bytes, the TCE walk),
 * never from a run of the code under test.
 *
 * Every test builds its kernel, recorder and env in the fixture and the
 * teardown frees them even when an assertion fails (ctest runs with
 * CK_FORK=no); the rig is in io_rig.h, shared with test_vf.c and
 * test_nic_port.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_rig.h"

#define LINK_PATH PHB_PATH ".link"

#define KiB (UINT64_C(1) << 10)
#define PAGE (4 * KiB)

/* Events of `kind` recorded by `component`; the first one in *first. */
static unsigned events_of(const char *component, const char *kind, const struct event_row **first)
{
    const struct event_row *rows;
    size_t n = recorder_events(rig.rec, &rows);
    unsigned found = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].component, component) != 0 || strcmp(rows[i].kind, kind) != 0)
            continue;
        if (!found && first)
            *first = &rows[i];
        found++;
    }
    return found;
}

/* ---- recording fakes ------------------------------------------------------ */

/* A function's BAR as the PHB reaches it. */
struct bar_log {
    unsigned n;
    sim_time_t t[LOG_MAX];
    uint64_t offset[LOG_MAX], value[LOG_MAX];
};

static void bar_record(void *ctx, uint64_t offset, uint64_t value, bool traced)
{
    (void)traced;
    struct bar_log *b = ctx;
    ck_assert_uint_lt(b->n, LOG_MAX);
    b->t[b->n] = now();
    b->offset[b->n] = offset;
    b->value[b->n] = value;
    b->n++;
}

static struct mmio_target bar_target(struct bar_log *b)
{
    return (struct mmio_target){ bar_record, b };
}

/* A DMA read's completion callback. */
struct done_log {
    unsigned n;
    sim_time_t t[LOG_MAX];
    uint64_t arg[LOG_MAX];
};

static void done_record(void *ctx, uint64_t arg)
{
    struct done_log *d = ctx;
    ck_assert_uint_lt(d->n, LOG_MAX);
    d->t[d->n] = now();
    d->arg[d->n] = arg;
    d->n++;
}

/* ---- PHB helpers ---------------------------------------------------------- */

#define RID0 0x0100
#define BAR_B (BAR_A + VF_BAR_SIZE)

/* When a posted write of sz payload bytes sent now on an idle direction
 * reaches the far end: serialisation + flight (pcie_link.h). */
static sim_time_t posted_arrival(uint64_t sz)
{
    return now() + pcie_link_wire_time(phb_link(rig.phb), pcie_write_wire_bytes(link_cfg(), sz)) +
           link_cfg()->latency;
}

static sim_time_t dma_write(uint16_t rid, uint64_t ioba, uint32_t bytes)
{
    struct pcie_upstream u = phb_upstream(rig.phb);
    return u.dma_write(u.ctx, rid, ioba, bytes, false);
}

static int dma_read(uint16_t rid, uint64_t ioba, uint32_t bytes, struct done_log *d, uint64_t arg)
{
    struct pcie_upstream u = phb_upstream(rig.phb);
    return u.dma_read(u.ctx, rid, ioba, bytes, false, done_record, d, arg);
}

static sim_time_t msi(uint16_t rid, uint64_t addr, uint32_t data)
{
    struct pcie_upstream u = phb_upstream(rig.phb);
    return u.msi(u.ctx, rid, addr, data, false);
}

static int mmio(uint64_t addr, uint64_t value)
{
    struct mmio_port m = phb_mmio_port(rig.phb);
    return m.write(m.ctx, addr, value, false);
}

/* ---- PHB: MMIO ------------------------------------------------------------ */

START_TEST(mmio_write_reaches_its_window_after_the_link)
{
    struct phb *p = phb_new();
    struct bar_log a = { 0 }, b = { 0 };
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 0, 0), pe1 = pe_with_pages(p, RID0 + 1, 0, 0, 0);
    /* mapped out of address order: the PHB keeps its windows sorted */
    ck_assert_int_eq(phb_map_mmio(p, BAR_B, VF_BAR_SIZE, pe1, bar_target(&b)), 0);
    ck_assert_int_eq(phb_map_mmio(p, BAR_A, VF_BAR_SIZE, pe0, bar_target(&a)), 0);

    sim_time_t t_b = posted_arrival(4); /* a doorbell: one 4-byte MWr down */
    ck_assert_int_eq(mmio(BAR_B + 0x18, 0x2a), 0);
    kernel_run(rig.k);
    ck_assert_uint_eq(b.n, 1);
    ck_assert_uint_eq(a.n, 0);
    ck_assert_uint_eq(b.t[0], t_b);
    ck_assert_uint_eq(b.offset[0], 0x18);
    ck_assert_uint_eq(b.value[0], 0x2a);

    /* two back-to-back writes: FIFO on the down direction, each to its
     * offset, the second one wire time later */
    kernel_run_until(rig.k, 10 * SIM_US);
    sim_time_t t0 = now();
    uint64_t wire = pcie_write_wire_bytes(link_cfg(), 4);
    ck_assert_int_eq(mmio(BAR_A, 1), 0);
    ck_assert_int_eq(mmio(BAR_A + VF_BAR_SIZE - 8, 2), 0); /* last doorbell of the BAR */
    kernel_run(rig.k);
    ck_assert_uint_eq(a.n, 2);
    ck_assert_uint_eq(a.offset[0], 0);
    ck_assert_uint_eq(a.value[0], 1);
    ck_assert_uint_eq(a.offset[1], VF_BAR_SIZE - 8);
    ck_assert_uint_eq(a.value[1], 2);
    ck_assert_uint_eq(a.t[0], t0 + pcie_link_wire_time(phb_link(p), wire) + link_cfg()->latency);
    ck_assert_uint_eq(a.t[1],
                      t0 + pcie_link_wire_time(phb_link(p), 2 * wire) + link_cfg()->latency);
    ck_assert_uint_eq(b.n, 1);
}
END_TEST

START_TEST(mmio_outside_every_window_is_refused_and_counted)
{
    struct phb *p = phb_new();
    struct bar_log a = { 0 };
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 0, 0);
    ck_assert_int_eq(phb_map_mmio(p, BAR_A, VF_BAR_SIZE, pe0, bar_target(&a)), 0);
    ck_assert_int_eq(mmio(BAR_A - 1, 1), -1);
    ck_assert_int_eq(mmio(BAR_A + VF_BAR_SIZE, 1), -1); /* one past the end */
    ck_assert_int_eq(mmio(0, 1), -1);
    ck_assert_int_eq(mmio(BAR_A + VF_BAR_SIZE - 1, 7), 0); /* the last byte is inside */
    kernel_run(rig.k);
    ck_assert_uint_eq(a.n, 1);
    ck_assert_uint_eq(a.offset[0], VF_BAR_SIZE - 1);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH, "mmio_unmapped"), 3);
    ck_assert_double_eq(scalar(LINK_PATH, "mmio_writes"), 1); /* refused ones never left */
}
END_TEST

START_TEST(mmio_windows_that_overlap_partly_are_refused)
{
    struct phb *p = phb_new();
    struct bar_log a = { 0 };
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 0, 0);
    ck_assert_int_eq(phb_map_mmio(p, BAR_A, VF_BAR_SIZE, pe0, bar_target(&a)), 0);
    ck_assert_int_eq(phb_map_mmio(p, BAR_A - 0x100, 0x200, pe0, bar_target(&a)), -1);
    ck_assert_int_eq(phb_map_mmio(p, BAR_A + VF_BAR_SIZE - 1, 0x100, pe0, bar_target(&a)), -1);
    ck_assert_int_eq(phb_map_mmio(p, BAR_A + 0x100, 0x100, pe0, bar_target(&a)), -1);
    ck_assert_int_eq(phb_map_mmio(p, BAR_B, 0, pe0, bar_target(&a)), -1);      /* empty */
    ck_assert_int_eq(phb_map_mmio(p, BAR_B, 0x100, 7, bar_target(&a)), -1);    /* no such PE */
    ck_assert_int_eq(phb_map_mmio(p, BAR_B, VF_BAR_SIZE, pe0, bar_target(&a)), 0); /* adjacent */
}
END_TEST

/* Regression: the overlap check once asked only whether the new window's
 * first and last bytes fell inside an existing window, so a window that
 * strictly contained another was accepted and the lookup then missed part
 * of it. */
START_TEST(mmio_window_covering_another_is_refused)
{
    struct phb *p = phb_new();
    struct bar_log a = { 0 }, big = { 0 };
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 0, 0);
    ck_assert_int_eq(phb_map_mmio(p, BAR_A + 0x1000, 0x1000, pe0, bar_target(&a)), 0);
    int rc = phb_map_mmio(p, BAR_A, 0x10000, pe0, bar_target(&big));
    ck_assert_msg(rc == -1, "[0x%llx, +0x10000) covers [0x%llx, +0x1000) and was "
                  "accepted (rc %d)", (unsigned long long)BAR_A,
                  (unsigned long long)(BAR_A + 0x1000), rc);
}
END_TEST

/* ---- PHB: EEH and TCE faults ---------------------------------------------- */

START_TEST(frozen_pe_drops_mmio_and_dma_but_still_interrupts)
{
    struct phb *p = phb_new();
    struct bar_log a = { 0 };
    struct done_log d = { 0 };
    struct irq_log q = { 0 };
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 4, TCE_READ | TCE_WRITE);
    ck_assert_int_eq(phb_map_mmio(p, BAR_A, VF_BAR_SIZE, pe0, bar_target(&a)), 0);
    phb_connect_irq(p, (struct irq_trigger_port){ irq_record, &q }, 0);

    ck_assert_int_eq(pe_freeze(phb_pe(p, pe0), now()), PE_FROZE);
    ck_assert_int_eq(mmio(BAR_A, 1), 0); /* dropped silently, as hardware does */
    ck_assert_uint_eq(dma_write(RID0, 0, 64), PCIE_DROPPED);
    ck_assert_int_eq(dma_read(RID0, 0, 64, &d, 0), -1);
    /* EEH: a frozen PE still delivers its interrupts */
    ck_assert_uint_ne(msi(RID0, phb_msi_address(p), 3), PCIE_DROPPED);
    kernel_run(rig.k);
    ck_assert_uint_eq(a.n, 0);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_uint_eq(q.n, 1);
    ck_assert_int_eq(pe_state(phb_pe(p, pe0)), PE_STATE_FROZEN);

    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "mmio_dropped"), 1);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "dma_dropped"), 2);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "tce_misses"), 0); /* never translated */
    ck_assert_double_eq(scalar(LINK_PATH, "mmio_writes"), 0);
    ck_assert_double_eq(scalar(LINK_PATH, "dma_writes"), 0);
    ck_assert_double_eq(scalar(LINK_PATH, "dma_reads"), 0);
}
END_TEST

START_TEST(dma_to_an_unmapped_tce_freezes_the_pe)
{
    struct phb *p = phb_new();
    struct done_log d = { 0 };
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 1, TCE_READ | TCE_WRITE);
    kernel_run_until(rig.k, 3 * SIM_US); /* a non-zero time for the event */

    ck_assert_uint_eq(dma_write(RID0, 5 * PAGE, 64), PCIE_DROPPED);
    ck_assert_int_eq(pe_state(phb_pe(p, pe0)), PE_STATE_FROZEN);
    const struct event_row *ev = NULL;
    ck_assert_uint_eq(events_of(PHB_PATH, "eeh_freeze", &ev), 1);
    ck_assert_uint_eq(ev->t, 3 * SIM_US);
    ck_assert_ptr_nonnull(strstr(ev->detail, tce_fault_name(TCE_FAULT_UNMAPPED)));

    /* the PE stays frozen: DMA to the mapped page is dropped too, and the
     * drops do not count as new freezes */
    ck_assert_uint_eq(dma_write(RID0, 0, 64), PCIE_DROPPED);
    ck_assert_int_eq(dma_read(RID0, 0, 64, &d, 0), -1);
    kernel_run(rig.k);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_uint_eq(events_of(PHB_PATH, "eeh_freeze", NULL), 1);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH, "eeh_freezes"), 1);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "eeh_freezes"), 1);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "dma_dropped"), 3);
    ck_assert_double_eq(scalar(LINK_PATH, "dma_writes"), 0);
}
END_TEST

START_TEST(dma_read_of_an_unmapped_tce_freezes_the_pe)
{
    struct phb *p = phb_new();
    struct done_log d = { 0 };
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 1, TCE_READ | TCE_WRITE);
    ck_assert_int_eq(dma_read(RID0, PAGE, 64, &d, 0), -1);
    ck_assert_int_eq(pe_state(phb_pe(p, pe0)), PE_STATE_FROZEN);
    ck_assert_uint_eq(events_of(PHB_PATH, "eeh_freeze", NULL), 1);
    ck_assert_uint_eq(dma_write(RID0, 0, 64), PCIE_DROPPED);
    kernel_run(rig.k);
    ck_assert_uint_eq(d.n, 0);
}
END_TEST

/* TCE_READ = the device may read memory (DMA read), TCE_WRITE = it may
 * write memory (DMA write). The allowed direction passes; the other one is
 * a permission fault that freezes the PE. */
START_TEST(tce_permission_faults_freeze_the_pe)
{
    struct phb *p = phb_new();
    struct done_log d = { 0 };
    uint32_t ro = pe_with_pages(p, RID0, 0, 1, TCE_READ);
    uint32_t wo = pe_with_pages(p, RID0 + 1, 0, 1, TCE_WRITE);

    ck_assert_int_eq(dma_read(RID0, 0, 64, &d, 1), 0);
    ck_assert_int_eq(pe_state(phb_pe(p, ro)), PE_STATE_NORMAL);
    ck_assert_uint_eq(dma_write(RID0, 0x40, 64), PCIE_DROPPED);
    ck_assert_int_eq(pe_state(phb_pe(p, ro)), PE_STATE_FROZEN);

    ck_assert_uint_ne(dma_write(RID0 + 1, 0, 64), PCIE_DROPPED);
    ck_assert_int_eq(pe_state(phb_pe(p, wo)), PE_STATE_NORMAL);
    ck_assert_int_eq(dma_read(RID0 + 1, 0x40, 64, &d, 2), -1);
    ck_assert_int_eq(pe_state(phb_pe(p, wo)), PE_STATE_FROZEN);

    ck_assert_uint_eq(events_of(PHB_PATH, "eeh_freeze", NULL), 2);
    const struct event_row *ev = NULL;
    events_of(PHB_PATH, "eeh_freeze", &ev);
    ck_assert_ptr_nonnull(strstr(ev->detail, tce_fault_name(TCE_FAULT_PERMISSION)));
    kernel_run(rig.k);
    ck_assert_uint_eq(d.n, 1); /* the read issued before the freeze completes */
    ck_assert_uint_eq(d.arg[0], 1);
}
END_TEST

/* A fault that exceeds max_freezes takes the PE offline for good; it is
 * still a freeze and is recorded as one. */
START_TEST(a_fault_that_takes_the_pe_offline_is_recorded)
{
    struct phb_config c = phb_cfg();
    c.pe.max_freezes = 0;
    struct phb *p = phb_new_cfg(&c);
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 1, TCE_READ | TCE_WRITE);
    ck_assert_uint_eq(dma_write(RID0, PAGE, 64), PCIE_DROPPED);
    ck_assert(pe_offline(phb_pe(p, pe0)));
    ck_assert_uint_eq(events_of(PHB_PATH, "eeh_freeze", NULL), 1);
}
END_TEST

START_TEST(dma_from_an_rid_without_a_pe_is_unclaimed)
{
    struct phb *p = phb_new();
    struct done_log d = { 0 };
    uint32_t pe0 = pe_with_pages(p, RID0, 0, 1, TCE_READ | TCE_WRITE);
    ck_assert_uint_eq(dma_write(0x0999, 0, 64), PCIE_DROPPED);
    ck_assert_int_eq(dma_read(0x0999, 0, 64, &d, 0), -1);
    kernel_run(rig.k);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_int_eq(pe_state(phb_pe(p, pe0)), PE_STATE_NORMAL); /* nobody froze */
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH, "dma_unclaimed"), 2);
    ck_assert_double_eq(scalar(PHB_PATH, "eeh_freezes"), 0);
}
END_TEST

/* ---- PHB: TCE cache timing and posted-write order ------------------------- */

START_TEST(tce_miss_adds_the_walk_to_a_dma_write)
{
    struct phb *p = phb_new();
    pe_with_pages(p, RID0, 0, 4, TCE_READ | TCE_WRITE);
    ck_assert_uint_eq(walk_ps(), 280 * SIM_NS);

    sim_time_t miss = posted_arrival(64) + walk_ps();
    ck_assert_uint_eq(dma_write(RID0, 0, 64), miss);
    kernel_run_until(rig.k, 10 * SIM_US); /* the PHB is idle again */
    sim_time_t hit = posted_arrival(64);
    ck_assert_uint_eq(dma_write(RID0, 0x40, 64), hit); /* same I/O page */
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "tce_misses"), 1);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "tce_hits"), 1);
}
END_TEST

/* Both pages miss; by default (tce_cache.overlap) their walks run at once
 * and the write waits for one walk, with overlap off for both. */
START_TEST(a_dma_write_over_two_pages_walks_twice)
{
    struct phb *p = phb_new();
    pe_with_pages(p, RID0, 0, 2, TCE_READ | TCE_WRITE);
    sim_time_t expect = posted_arrival(512) + walk_ps();
    ck_assert_uint_eq(dma_write(RID0, PAGE - 0x100, 512), expect);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "tce_misses"), 2);
}
END_TEST

START_TEST(serial_walks_add_up)
{
    struct phb_config c = phb_cfg();
    c.cache.overlap = false;
    struct phb *p = phb_new_cfg(&c);
    pe_with_pages(p, RID0, 0, 2, TCE_READ | TCE_WRITE);
    sim_time_t expect = posted_arrival(512) + 2 * walk_ps();
    ck_assert_uint_eq(dma_write(RID0, PAGE - 0x100, 512), expect);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "tce_misses"), 2);
}
END_TEST

/* The interrupt controller's notify latency (the trigger port's) is added
 * to the MSI's delivery: the trigger comes that much after the link. */
START_TEST(msi_trigger_waits_for_the_notify_latency)
{
    struct phb *p = phb_new();
    struct irq_log q = { 0 };
    pe_with_pages(p, RID0, 0, 0, 0);
    phb_connect_irq(p, (struct irq_trigger_port){ irq_record, &q, 250 * SIM_NS }, 0);
    sim_time_t arrival = posted_arrival(4);
    ck_assert_uint_eq(msi(RID0, phb_msi_address(p), 2), arrival);
    kernel_run(rig.k);
    ck_assert_uint_eq(q.n, 1);
    ck_assert_uint_eq(q.t[0], arrival + 250 * SIM_NS);
}
END_TEST

/* PCIe ordering: a posted write does not pass a posted write, so a walk
 * holds back the writes behind it even when they arrive earlier. */
START_TEST(a_posted_write_waits_for_the_walk_of_the_one_ahead)
{
    struct phb *p = phb_new();
    pe_with_pages(p, RID0, 0, 4, TCE_READ | TCE_WRITE);
    sim_time_t w = walk_ps();
    sim_time_t first = dma_write(RID0, 0, 64); /* miss */
    ck_assert_uint_eq(first, posted_arrival(64) + w);
    /* the second write's own link arrival is well before `first` */
    sim_time_t link2 = now() + pcie_link_wire_time(phb_link(p),
                                                   2 * pcie_write_wire_bytes(link_cfg(), 64)) +
                       link_cfg()->latency;
    ck_assert_uint_lt(link2, first);
    sim_time_t second = dma_write(RID0, PAGE, 64); /* another page: miss */
    ck_assert_uint_eq(second, first + w);
    sim_time_t third = dma_write(RID0, 0x80, 64); /* page 0 again: hit, but in order */
    ck_assert_uint_eq(third, second);
}
END_TEST

START_TEST(an_msi_does_not_pass_a_write_held_by_a_walk)
{
    struct phb *p = phb_new();
    struct irq_log q = { 0 };
    pe_with_pages(p, RID0, 0, 1, TCE_READ | TCE_WRITE);
    phb_connect_irq(p, (struct irq_trigger_port){ irq_record, &q }, 64);
    sim_time_t cq = dma_write(RID0, 0, 16); /* a completion entry, TCE miss */
    ck_assert_uint_eq(cq, posted_arrival(16) + walk_ps());
    ck_assert_uint_eq(msi(RID0, phb_msi_address(p), 2), cq);
    kernel_run(rig.k);
    ck_assert_uint_eq(q.n, 1);
    ck_assert_uint_eq(q.t[0], cq);
    ck_assert_uint_eq(q.src[0], 66);
}
END_TEST

/* PCIe ordering: a read request does not pass a posted write. A read
 * (a hit) issued right behind a write that walks is taken when the write
 * is done, so it finishes the write's walk later than the same read on
 * an idle reference link behind the same write without a walk. */
START_TEST(a_dma_read_does_not_pass_a_write_held_by_a_walk)
{
    struct phb_config c = phb_cfg();
    struct phb *p = phb_new_cfg(&c);
    struct done_log d = { 0 }, ref = { 0 };
    pe_with_pages(p, RID0, 0, 2, TCE_READ | TCE_WRITE);
    struct done_log warm = { 0 };
    ck_assert_int_eq(dma_read(RID0, 0, 64, &warm, 0), 0); /* page 0 cached */
    kernel_run(rig.k);
    rig.ref = pcie_link_create(&rig.env, "ref.link", &c.link);
    ck_assert_ptr_nonnull(rig.ref);

    sim_time_t w = dma_write(RID0, PAGE, 64); /* page 1: a miss, held by the walk */
    ck_assert_uint_eq(w, posted_arrival(64) + walk_ps());
    ck_assert_int_eq(dma_read(RID0, 0, 256, &d, 0), 0); /* page 0: a hit */
    pcie_dma_write(rig.ref, 64, NULL, NULL, 0);
    pcie_dma_read(rig.ref, 256, done_record, &ref, 0);
    kernel_run(rig.k);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_uint_eq(ref.n, 1);
    /* the reference read's request reaches the host before `w`; the
     * PHB's waits for it */
    ck_assert_uint_gt(d.t[0], ref.t[0]);
    ck_assert_uint_le(d.t[0] - ref.t[0], walk_ps());
}
END_TEST

START_TEST(tce_miss_delays_a_dma_read_by_exactly_the_walk)
{
    struct phb_config c = phb_cfg();
    struct phb *p = phb_new_cfg(&c);
    struct done_log d = { 0 }, ref = { 0 };
    pe_with_pages(p, RID0, 0, 1, TCE_READ | TCE_WRITE);
    rig.ref = pcie_link_create(&rig.env, "ref.link", &c.link);
    ck_assert_ptr_nonnull(rig.ref);

    /* miss: the PHB's read vs the same read on an identical idle link */
    ck_assert_int_eq(dma_read(RID0, 0, 256, &d, 0), 0);
    pcie_dma_read(rig.ref, 256, done_record, &ref, 0);
    kernel_run(rig.k);
    /* hit, once both links are idle again */
    kernel_run_until(rig.k, now() + 10 * SIM_US);
    ck_assert_int_eq(dma_read(RID0, 0x100, 256, &d, 1), 0);
    pcie_dma_read(rig.ref, 256, done_record, &ref, 1);
    kernel_run(rig.k);

    ck_assert_uint_eq(d.n, 2);
    ck_assert_uint_eq(ref.n, 2);
    ck_assert_uint_eq(d.arg[0], 0);
    ck_assert_uint_eq(d.t[0], ref.t[0] + walk_ps());
    ck_assert_uint_eq(d.t[1], ref.t[1]);
}
END_TEST

/* ---- PHB: MSIs and sources ------------------------------------------------ */

START_TEST(msi_triggers_its_source_after_the_link)
{
    struct phb *p = phb_new();
    struct irq_log q = { 0 };
    pe_with_pages(p, RID0, 0, 0, 0);
    phb_connect_irq(p, (struct irq_trigger_port){ irq_record, &q }, 100);
    ck_assert_uint_eq(phb_source_base(p), 100);
    sim_time_t expect = posted_arrival(4);
    ck_assert_uint_eq(msi(RID0, phb_msi_address(p), 5), expect);
    ck_assert_uint_eq(q.n, 0); /* not before it arrives */
    kernel_run(rig.k);
    ck_assert_uint_eq(q.n, 1);
    ck_assert_uint_eq(q.t[0], expect);
    ck_assert_uint_eq(q.src[0], 105);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH, "msis"), 1);
    ck_assert_double_eq(scalar(PHB_PATH, "msis_dropped"), 0);
}
END_TEST

START_TEST(bad_msis_are_dropped)
{
    struct phb_config c = phb_cfg();
    struct phb *p = phb_new_cfg(&c);
    struct irq_log q = { 0 };
    pe_with_pages(p, RID0, 0, 0, 0);
    uint64_t addr = phb_msi_address(p);
    ck_assert_uint_eq(msi(RID0, addr, 0), PCIE_DROPPED); /* nothing connected yet */
    phb_connect_irq(p, (struct irq_trigger_port){ irq_record, &q }, 0);
    ck_assert_uint_eq(msi(RID0, addr + 4, 0), PCIE_DROPPED);           /* wrong address */
    ck_assert_uint_eq(msi(RID0, addr, c.msi_sources), PCIE_DROPPED);   /* no such source */
    ck_assert_uint_eq(msi(RID0 + 7, addr, 0), PCIE_DROPPED);           /* RID without a PE */
    ck_assert_uint_ne(msi(RID0, addr, c.msi_sources - 1), PCIE_DROPPED); /* the last source */
    kernel_run(rig.k);
    ck_assert_uint_eq(q.n, 1);
    ck_assert_uint_eq(q.src[0], c.msi_sources - 1);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PHB_PATH, "msis"), 1);
    ck_assert_double_eq(scalar(PHB_PATH, "msis_dropped"), 4);
}
END_TEST

START_TEST(msi_sources_are_handed_out_in_order_until_exhausted)
{
    struct phb_config c = phb_cfg();
    c.msi_sources = 4;
    struct phb *p = phb_new_cfg(&c);
    uint32_t local = 99;
    for (uint32_t i = 0; i < 4; i++) {
        ck_assert_int_eq(phb_alloc_source(p, &local), 0);
        ck_assert_uint_eq(local, i);
    }
    local = 99;
    ck_assert_int_eq(phb_alloc_source(p, &local), -1);
    ck_assert_uint_eq(local, 99); /* untouched on failure */
}
END_TEST

START_TEST(pes_are_limited_by_the_configuration)
{
    struct phb_config c = phb_cfg();
    c.pes = 2;
    struct phb *p = phb_new_cfg(&c);
    uint32_t pe = 99;
    ck_assert_int_eq(phb_add_pe(p, RID0, &pe), 0);
    ck_assert_uint_eq(pe, 0);
    ck_assert_int_eq(phb_add_pe(p, RID0 + 1, &pe), 0);
    ck_assert_uint_eq(pe, 1);
    ck_assert_int_eq(phb_add_pe(p, RID0 + 2, &pe), -1);
    ck_assert_ptr_null(phb_pe(p, 2));
    ck_assert_ptr_null(phb_pe_table(p, 2));
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

static Suite *phb_suite(void)
{
    Suite *s = suite_create("phb");
    TCase *t = tcase_create("phb");
    tcase_add_checked_fixture(t, rig_open, rig_close);
    tcase_add_test(t, mmio_write_reaches_its_window_after_the_link);
    tcase_add_test(t, mmio_outside_every_window_is_refused_and_counted);
    tcase_add_test(t, mmio_windows_that_overlap_partly_are_refused);
    tcase_add_test(t, mmio_window_covering_another_is_refused);
    tcase_add_test(t, frozen_pe_drops_mmio_and_dma_but_still_interrupts);
    tcase_add_test(t, dma_to_an_unmapped_tce_freezes_the_pe);
    tcase_add_test(t, dma_read_of_an_unmapped_tce_freezes_the_pe);
    tcase_add_test(t, tce_permission_faults_freeze_the_pe);
    tcase_add_test(t, a_fault_that_takes_the_pe_offline_is_recorded);
    tcase_add_test(t, dma_from_an_rid_without_a_pe_is_unclaimed);
    tcase_add_test(t, tce_miss_adds_the_walk_to_a_dma_write);
    tcase_add_test(t, a_dma_read_does_not_pass_a_write_held_by_a_walk);
    tcase_add_test(t, a_dma_write_over_two_pages_walks_twice);
    tcase_add_test(t, serial_walks_add_up);
    tcase_add_test(t, msi_trigger_waits_for_the_notify_latency);
    tcase_add_test(t, a_posted_write_waits_for_the_walk_of_the_one_ahead);
    tcase_add_test(t, an_msi_does_not_pass_a_write_held_by_a_walk);
    tcase_add_test(t, tce_miss_delays_a_dma_read_by_exactly_the_walk);
    tcase_add_test(t, msi_triggers_its_source_after_the_link);
    tcase_add_test(t, bad_msis_are_dropped);
    tcase_add_test(t, msi_sources_are_handed_out_in_order_until_exhausted);
    tcase_add_test(t, pes_are_limited_by_the_configuration);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(phb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
