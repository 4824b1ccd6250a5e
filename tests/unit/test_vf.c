/* tests/unit/test_vf.c — one SR-IOV VF function (models/adapter/vf.h)
 * without a scenario: doorbell -> descriptor fetch -> data DMA ->
 * completion entry -> MSI-X, with a fake upstream port of fixed latencies
 * so every time is exact; fetch_max and ring wrap, interrupt moderation,
 * MSI-X masking, RX from the NIC port, dropped DMAs (a frozen PE
 * upstream), a command the service stage refuses; then the VF behind a
 * real PHB, and the --trace-io lines of a traced I/O.
 *
 * Expected times come from the models' own functions and configured
 * latencies (pcie_link_wire_time, pcie_write_wire_bytes, the TCE walk,
 * nic_port_frame_time) and the fakes' fixed ones, never from a run of the
 * code under test.
 *
 * Every test builds its kernel, recorder and env in the fixture and the
 * teardown frees them even when an assertion fails (ctest runs with
 * CK_FORK=no); the rig is in io_rig.h, shared with test_phb.c and
 * test_nic_port.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_rig.h"

#define VF_PATH "s0.ad0.vf0"

/* ---- VF: fake upstream port and service stage ----------------------------- */

enum up_kind { UP_WRITE, UP_READ, UP_MSI };

struct up_call {
    enum up_kind kind;
    sim_time_t t;   /* when the VF issued it */
    uint16_t rid;
    uint64_t addr;  /* ioba, or the MSI address */
    uint32_t len;   /* bytes, or the MSI data */
};

#define CALLS_MAX 64
#define NO_DROP UINT64_MAX
#define UP_WRITE_LAT (200 * SIM_NS) /* data in memory this long after issue */
#define UP_READ_LAT (500 * SIM_NS)  /* read completion this long after issue */
#define UP_MSI_LAT (150 * SIM_NS)
#define SERVICE_TIME (1 * SIM_US)

/* A root complex of fixed latencies that records every call; DMA at
 * drop_write_at / drop_read_at is dropped as a frozen PE would. */
struct fake_up {
    unsigned n;
    struct up_call c[CALLS_MAX];
    uint64_t drop_write_at, drop_read_at;
};

static struct fake_up up;

static void up_log(enum up_kind kind, uint16_t rid, uint64_t addr, uint32_t len)
{
    ck_assert_uint_lt(up.n, CALLS_MAX);
    up.c[up.n++] = (struct up_call){ kind, now(), rid, addr, len };
}

static sim_time_t up_dma_write(void *ctx, uint16_t rid, uint64_t ioba, uint32_t bytes,
                               bool traced)
{
    (void)ctx;
    (void)traced;
    up_log(UP_WRITE, rid, ioba, bytes);
    return ioba == up.drop_write_at ? PCIE_DROPPED : now() + UP_WRITE_LAT;
}

static int up_dma_read(void *ctx, uint16_t rid, uint64_t ioba, uint32_t bytes, bool traced,
                       event_fn fn, void *fctx, uint64_t arg)
{
    (void)ctx;
    (void)traced;
    up_log(UP_READ, rid, ioba, bytes);
    if (ioba == up.drop_read_at)
        return -1;
    kernel_schedule_in(rig.k, UP_READ_LAT, fn, fctx, arg);
    return 0;
}

static sim_time_t up_msi(void *ctx, uint16_t rid, uint64_t addr, uint32_t data, bool traced)
{
    (void)ctx;
    (void)traced;
    up_log(UP_MSI, rid, addr, data);
    return now() + UP_MSI_LAT;
}

static unsigned up_count(enum up_kind kind)
{
    unsigned n = 0;
    for (unsigned i = 0; i < up.n; i++)
        n += up.c[i].kind == kind;
    return n;
}

/* The i-th call of `kind`. */
static const struct up_call *up_nth(enum up_kind kind, unsigned i)
{
    unsigned left = i;
    for (unsigned j = 0; j < up.n; j++)
        if (up.c[j].kind == kind && left-- == 0)
            return &up.c[j];
    ck_abort_msg("no call %u of kind %d", i, (int)kind);
    return NULL;
}

static void assert_call(unsigned i, enum up_kind kind, sim_time_t t, uint64_t addr, uint32_t len)
{
    ck_assert_uint_lt(i, up.n);
    const struct up_call *c = &up.c[i];
    ck_assert_msg(c->kind == kind && c->t == t && c->addr == addr && c->len == len,
                  "call %u: kind %d t %llu addr 0x%llx len %u; want kind %d t %llu addr 0x%llx "
                  "len %u", i, (int)c->kind, (unsigned long long)c->t, (unsigned long long)c->addr,
                  c->len, (int)kind, (unsigned long long)t, (unsigned long long)addr, len);
}

/* The device's service stage (media or wire): returns every request
 * through r->served after `delay`, with `status`. */
struct fake_service {
    unsigned n;
    sim_time_t delay;
    uint8_t status;
    struct io_req *r[32];
    sim_time_t t[32];
};

static void service_finish(void *ctx, uint64_t msg)
{
    (void)ctx;
    struct io_req *r = (struct io_req *)(uintptr_t)msg;
    r->served->complete(r->served->ctx, r);
}

static void service_submit(void *ctx, struct io_req *r)
{
    struct fake_service *s = ctx;
    ck_assert_uint_lt(s->n, 32);
    ck_assert_ptr_nonnull(r->served);
    s->r[s->n] = r;
    s->t[s->n] = now();
    s->n++;
    r->holder = s;
    r->status = s->status;
    kernel_schedule_in(rig.k, s->delay, service_finish, s, (uint64_t)(uintptr_t)r);
}

/* ---- VF helpers: the driver's side ---------------------------------------- */

#define VF_RID 0x0181
#define VF_MSI_ADDR UINT64_C(0x0003fffffe000000)
#define VF_MSI_DATA(v) (0x40u + (v))
#define SQ_IOBA(qp) (UINT64_C(0x10000) + (uint64_t)(qp) * 0x2000)
#define CQ_IOBA(qp) (UINT64_C(0x11000) + (uint64_t)(qp) * 0x2000)
#define DATA_IOBA(i) (UINT64_C(0x100000) + (uint64_t)(i) * 0x10000)
#define RING_MAX 16
#define REQ_MAX 32

struct vf_rig {
    struct fake_service svc;
    struct io_qmem mem[2];
    struct io_req *sq[2][RING_MAX], *cq[2][RING_MAX];
    struct io_req req[REQ_MAX];
    unsigned nreq;
};

static struct vf_rig vr;

static void vf_rig_open(void)
{
    rig_open();
    memset(&up, 0, sizeof up);
    up.drop_write_at = up.drop_read_at = NO_DROP;
    memset(&vr, 0, sizeof vr);
    vr.svc.delay = SERVICE_TIME;
}

static struct vf_config vf_cfg(uint32_t fetch_max, uint32_t count, sim_time_t time)
{
    return (struct vf_config){ .queue_pairs = 2, .msix_vectors = 2, .fetch_max = fetch_max,
                               .coal = { .kind = count > 1 || time ? COALESCE_FIXED
                                                                   : COALESCE_OFF,
                                         .count = count, .time = time } };
}

static struct pcie_upstream fake_upstream(void)
{
    return (struct pcie_upstream){ up_dma_write, up_dma_read, up_msi, NULL, &up };
}

/* A VF whose queue pair qp uses rings of `entries` and MSI-X vector qp,
 * programmed with (msi_addr, msi_data + qp), unmasked, MSI-X enabled (what
 * the PF does, adapter_pf_program_msix). */
static struct vf *vf_new_on(const struct vf_config *c, uint32_t entries, struct pcie_upstream u,
                            struct io_sink wire_rx, uint64_t msi_addr, uint32_t msi_data)
{
    ck_assert_uint_le(entries, RING_MAX);
    rig.vf = vf_create(&rig.env, VF_PATH, VF_RID, c, u,
                       (struct io_sink){ service_submit, &vr.svc }, wire_rx);
    ck_assert_ptr_nonnull(rig.vf);
    struct msix_table *t = vf_msix(rig.vf);
    for (uint32_t qp = 0; qp < c->queue_pairs && qp < 2; qp++) {
        vr.mem[qp] = (struct io_qmem){ .sq = vr.sq[qp], .cq = vr.cq[qp], .entries = entries,
                                       .sq_ioba = SQ_IOBA(qp), .cq_ioba = CQ_IOBA(qp) };
        ck_assert_int_eq(vf_attach_queue(rig.vf, qp, &vr.mem[qp], qp), 0);
        ck_assert_int_eq(msix_table_program(t, qp, msi_addr, msi_data + qp), 0);
        ck_assert_int_eq(msix_table_mask(t, qp, false), 0);
    }
    ck_assert_int_eq(msix_table_set_control(t, true, false), 0);
    return rig.vf;
}

static struct vf *vf_new(const struct vf_config *c, uint32_t entries)
{
    return vf_new_on(c, entries, fake_upstream(), (struct io_sink){ service_submit, &vr.svc },
                     VF_MSI_ADDR, VF_MSI_DATA(0));
}

/* The driver writes a command into the SQ (not yet rung). */
static struct io_req *drv_post(uint32_t qp, enum io_op op, uint64_t ioba, uint32_t bytes)
{
    ck_assert_uint_lt(vr.nreq, REQ_MAX);
    struct io_req *r = &vr.req[vr.nreq++];
    *r = (struct io_req){ .seq = vr.nreq, .ioba = ioba, .bytes = bytes, .queue = (uint16_t)qp,
                          .op = (uint8_t)op, .in_use = 1 };
    struct io_qmem *m = &vr.mem[qp];
    m->sq[m->sq_tail & (m->entries - 1)] = r;
    m->sq_tail++;
    return r;
}

/* The doorbell: the new SQ tail into the queue's BAR register. */
static void drv_ring(uint32_t qp)
{
    struct mmio_target b = vf_bar(rig.vf);
    b.write(b.ctx, (uint64_t)qp * VF_DOORBELL_STRIDE, vr.mem[qp].sq_tail, false);
}

/* ---- VF: submission path -------------------------------------------------- */

START_TEST(a_read_fetches_then_writes_data_completion_and_msi)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 16);
    struct io_req *r0 = drv_post(1, IO_READ, DATA_IOBA(0), 4096);
    struct io_req *r1 = drv_post(1, IO_READ, DATA_IOBA(1), 4096);
    drv_ring(1);
    /* one fetch of both 64-byte descriptors, from queue 1's SQ */
    ck_assert_uint_eq(up.n, 1);
    assert_call(0, UP_READ, 0, SQ_IOBA(1), 2 * IO_SQ_ENTRY_BYTES);
    ck_assert_uint_eq(up.c[0].rid, VF_RID);
    kernel_run(rig.k);

    ck_assert_uint_eq(vr.svc.n, 2);
    ck_assert_ptr_eq(vr.svc.r[0], r0);
    ck_assert_ptr_eq(vr.svc.r[1], r1);
    ck_assert_uint_eq(vr.svc.t[0], UP_READ_LAT);
    ck_assert_uint_eq(vr.svc.t[1], UP_READ_LAT);
    sim_time_t done = UP_READ_LAT + SERVICE_TIME;
    ck_assert_uint_eq(up.n, 7);
    assert_call(1, UP_WRITE, done, DATA_IOBA(0), 4096);
    assert_call(2, UP_WRITE, done, CQ_IOBA(1), IO_CQ_ENTRY_BYTES);
    assert_call(3, UP_MSI, done, VF_MSI_ADDR, VF_MSI_DATA(1));
    assert_call(4, UP_WRITE, done, DATA_IOBA(1), 4096);
    assert_call(5, UP_WRITE, done, CQ_IOBA(1) + IO_CQ_ENTRY_BYTES, IO_CQ_ENTRY_BYTES);
    assert_call(6, UP_MSI, done, VF_MSI_ADDR, VF_MSI_DATA(1));
    for (unsigned i = 0; i < up.n; i++)
        ck_assert_uint_eq(up.c[i].rid, VF_RID);

    ck_assert_uint_eq(vr.mem[1].cq_tail, 2);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 0);
    ck_assert_ptr_eq(vr.cq[1][0], r0);
    ck_assert_ptr_eq(vr.cq[1][1], r1);
    ck_assert_uint_eq(r0->t_visible, done + UP_WRITE_LAT);
    ck_assert_uint_eq(r0->t_queued, UP_READ_LAT);
    ck_assert_ptr_eq(r0->holder, &vr.mem[1]);

    env_finish(&rig.env);
    ck_assert_double_eq(scalar(VF_PATH, "ios_completed"), 2);
    ck_assert_double_eq(scalar(VF_PATH, "msis"), 2);
    ck_assert_double_eq(scalar(VF_PATH, "dma_aborted"), 0);
    const struct statistic *lat = recorder_find_statistic(rig.rec, VF_PATH, "device_latency");
    ck_assert_ptr_nonnull(lat);
    ck_assert_uint_eq(statistic_count(lat), 2);
    /* descriptor fetched -> completion entry in memory */
    ck_assert_double_eq_tol(statistic_mean(lat), sim_time_to_ns(SERVICE_TIME + UP_WRITE_LAT),
                            1e-9);
}
END_TEST

START_TEST(write_and_tx_read_their_data_before_the_service_stage)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 16);
    struct io_req *w = drv_post(0, IO_WRITE, DATA_IOBA(0), 8192);
    struct io_req *tx = drv_post(0, IO_TX, DATA_IOBA(1), 1500);
    drv_ring(0);
    kernel_run(rig.k);

    sim_time_t fetched = UP_READ_LAT, served = 2 * UP_READ_LAT + SERVICE_TIME;
    ck_assert_uint_eq(up.n, 7);
    assert_call(0, UP_READ, 0, SQ_IOBA(0), 2 * IO_SQ_ENTRY_BYTES);
    assert_call(1, UP_READ, fetched, DATA_IOBA(0), 8192);
    assert_call(2, UP_READ, fetched, DATA_IOBA(1), 1500);
    /* no data write: only the completion entries and MSIs */
    assert_call(3, UP_WRITE, served, CQ_IOBA(0), IO_CQ_ENTRY_BYTES);
    assert_call(4, UP_MSI, served, VF_MSI_ADDR, VF_MSI_DATA(0));
    assert_call(5, UP_WRITE, served, CQ_IOBA(0) + IO_CQ_ENTRY_BYTES, IO_CQ_ENTRY_BYTES);
    assert_call(6, UP_MSI, served, VF_MSI_ADDR, VF_MSI_DATA(0));
    ck_assert_uint_eq(vr.svc.n, 2);
    ck_assert_ptr_eq(vr.svc.r[0], w);
    ck_assert_ptr_eq(vr.svc.r[1], tx);
    ck_assert_uint_eq(vr.svc.t[0], 2 * UP_READ_LAT);
    ck_assert_uint_eq(tx->t_visible, served + UP_WRITE_LAT);
}
END_TEST

START_TEST(fetch_max_caps_descriptors_per_fetch)
{
    struct vf_config c = vf_cfg(4, 1, 0);
    vf_new(&c, 16);
    for (unsigned i = 0; i < 5; i++) /* one more than fetch_max */
        drv_post(0, IO_READ, DATA_IOBA(i), 512);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(up_count(UP_READ), 2);
    const struct up_call *f0 = up_nth(UP_READ, 0), *f1 = up_nth(UP_READ, 1);
    ck_assert_uint_eq(f0->t, 0);
    ck_assert_uint_eq(f0->addr, SQ_IOBA(0));
    ck_assert_uint_eq(f0->len, 4 * IO_SQ_ENTRY_BYTES);
    /* the rest once the first fetch is back */
    ck_assert_uint_eq(f1->t, UP_READ_LAT);
    ck_assert_uint_eq(f1->addr, SQ_IOBA(0) + 4 * IO_SQ_ENTRY_BYTES);
    ck_assert_uint_eq(f1->len, 1 * IO_SQ_ENTRY_BYTES);
    ck_assert_uint_eq(vr.svc.n, 5);
    ck_assert_uint_eq(vr.svc.t[3], UP_READ_LAT);
    ck_assert_uint_eq(vr.svc.t[4], 2 * UP_READ_LAT);
    for (unsigned i = 0; i < 5; i++)
        ck_assert_ptr_eq(vr.svc.r[i], &vr.req[i]);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 5);
}
END_TEST

START_TEST(a_fetch_stops_at_the_end_of_the_ring)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 8);
    for (unsigned i = 0; i < 6; i++)
        drv_post(0, IO_READ, DATA_IOBA(i), 512);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(vr.svc.n, 6);
    /* four more: SQ slots 6, 7, then 0, 1 after the wrap */
    sim_time_t t0 = now();
    for (unsigned i = 6; i < 10; i++)
        drv_post(0, IO_READ, DATA_IOBA(i), 512);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(up_count(UP_READ), 3);
    const struct up_call *f1 = up_nth(UP_READ, 1), *f2 = up_nth(UP_READ, 2);
    ck_assert_uint_eq(f1->t, t0);
    ck_assert_uint_eq(f1->addr, SQ_IOBA(0) + 6 * IO_SQ_ENTRY_BYTES);
    ck_assert_uint_eq(f1->len, 2 * IO_SQ_ENTRY_BYTES);
    ck_assert_uint_eq(f2->t, t0 + UP_READ_LAT);
    ck_assert_uint_eq(f2->addr, SQ_IOBA(0));
    ck_assert_uint_eq(f2->len, 2 * IO_SQ_ENTRY_BYTES);
    ck_assert_uint_eq(vr.svc.n, 10);
    for (unsigned i = 6; i < 10; i++)
        ck_assert_ptr_eq(vr.svc.r[i], &vr.req[i]);
    /* completion entries wrap the same way */
    ck_assert_uint_eq(vr.mem[0].cq_tail, 10);
    ck_assert_ptr_eq(vr.cq[0][1], &vr.req[9]);
    ck_assert_uint_eq(up_nth(UP_WRITE, 2 * 9 + 1)->addr, CQ_IOBA(0) + 1 * IO_CQ_ENTRY_BYTES);
}
END_TEST

START_TEST(a_doorbell_during_a_fetch_is_taken_after_it)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 16);
    drv_post(0, IO_READ, DATA_IOBA(0), 512);
    drv_ring(0);
    kernel_run_until(rig.k, UP_READ_LAT / 2);
    drv_post(0, IO_READ, DATA_IOBA(1), 512);
    drv_post(0, IO_READ, DATA_IOBA(2), 512);
    drv_ring(0);
    ck_assert_uint_eq(up.n, 1); /* one fetch at a time per queue */
    kernel_run(rig.k);
    ck_assert_uint_eq(up_count(UP_READ), 2);
    const struct up_call *f1 = up_nth(UP_READ, 1);
    ck_assert_uint_eq(f1->t, UP_READ_LAT);
    ck_assert_uint_eq(f1->addr, SQ_IOBA(0) + IO_SQ_ENTRY_BYTES);
    ck_assert_uint_eq(f1->len, 2 * IO_SQ_ENTRY_BYTES);
    ck_assert_uint_eq(vr.svc.n, 3);
}
END_TEST

START_TEST(doorbells_outside_attached_queues_are_ignored)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    c.queue_pairs = 4; /* queues 2 and 3 exist but have no rings */
    c.msix_vectors = 4;
    vf_new(&c, 16);
    drv_post(0, IO_READ, DATA_IOBA(0), 512);
    struct mmio_target b = vf_bar(rig.vf);
    b.write(b.ctx, 4, 1, false);                         /* not on a doorbell */
    b.write(b.ctx, 2 * VF_DOORBELL_STRIDE, 1, false);    /* queue without rings */
    b.write(b.ctx, 9 * VF_DOORBELL_STRIDE, 1, false);    /* no such queue */
    kernel_run(rig.k);
    ck_assert_uint_eq(up.n, 0);
    ck_assert_uint_eq(vr.svc.n, 0);
}
END_TEST

/* ---- VF: interrupt moderation and MSI-X masking --------------------------- */

#define COALESCE_TIME (10 * SIM_US)

START_TEST(moderation_timer_signals_three_completions_once)
{
    struct vf_config c = vf_cfg(8, 4, COALESCE_TIME);
    vf_new(&c, 16);
    for (unsigned i = 0; i < 3; i++)
        drv_post(0, IO_READ, DATA_IOBA(i), 512);
    drv_ring(0);
    sim_time_t first = UP_READ_LAT + SERVICE_TIME; /* all three complete then */
    kernel_run_until(rig.k, first + COALESCE_TIME - 1);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 3);
    ck_assert_uint_eq(up_count(UP_MSI), 0);
    kernel_run(rig.k);
    ck_assert_uint_eq(up_count(UP_MSI), 1);
    ck_assert_uint_eq(up_nth(UP_MSI, 0)->t, first + COALESCE_TIME);
}
END_TEST

START_TEST(moderation_count_signals_at_once_and_cancels_the_timer)
{
    struct vf_config c = vf_cfg(8, 4, COALESCE_TIME);
    vf_new(&c, 16);
    for (unsigned i = 0; i < 4; i++)
        drv_post(0, IO_READ, DATA_IOBA(i), 512);
    drv_ring(0);
    kernel_run_until(rig.k, UP_READ_LAT + SERVICE_TIME);
    ck_assert_uint_eq(up_count(UP_MSI), 1);
    ck_assert_uint_eq(up_nth(UP_MSI, 0)->t, UP_READ_LAT + SERVICE_TIME);
    /* a fifth completion, well inside the first period's timer, starts a
     * new period: its MSI comes the coalescing time after it, not when the first
     * period's (cancelled) timer would have fired */
    kernel_run_until(rig.k, 2 * SIM_US);
    sim_time_t t0 = now();
    drv_post(0, IO_READ, DATA_IOBA(4), 512);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(up_count(UP_MSI), 2); /* the first period's timer never fired */
    ck_assert_uint_eq(up_nth(UP_MSI, 1)->t, t0 + UP_READ_LAT + SERVICE_TIME + COALESCE_TIME);
}
END_TEST

START_TEST(coalesce_count_one_signals_every_completion)
{
    struct vf_config c = vf_cfg(8, 1, COALESCE_TIME);
    vf_new(&c, 16);
    for (unsigned i = 0; i < 3; i++)
        drv_post(0, IO_READ, DATA_IOBA(i), 512);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(up_count(UP_MSI), 3);
    for (unsigned i = 0; i < 3; i++)
        ck_assert_uint_eq(up_nth(UP_MSI, i)->t, UP_READ_LAT + SERVICE_TIME);
}
END_TEST

START_TEST(a_masked_vector_pends_and_unmasking_releases_one_msi)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    struct vf *f = vf_new(&c, 16);
    struct msix_table *t = vf_msix(f);
    ck_assert_int_eq(msix_table_mask(t, 0, true), 0);
    drv_post(0, IO_READ, DATA_IOBA(0), 512);
    drv_post(0, IO_READ, DATA_IOBA(1), 512);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 2);
    ck_assert_uint_eq(up_count(UP_MSI), 0);
    ck_assert(msix_table_pending(t, 0));
    ck_assert_uint_eq(msix_table_counters(t)->pended, 2);

    kernel_run_until(rig.k, 50 * SIM_US);
    ck_assert_int_eq(msix_table_mask(t, 0, false), 1);
    ck_assert(!msix_table_pending(t, 0));
    ck_assert_uint_eq(up_count(UP_MSI), 1); /* two events, one pending bit, one MSI */
    const struct up_call *m = up_nth(UP_MSI, 0);
    ck_assert_uint_eq(m->t, 50 * SIM_US);
    ck_assert_uint_eq(m->addr, VF_MSI_ADDR);
    ck_assert_uint_eq(m->len, VF_MSI_DATA(0));
    ck_assert_uint_eq(m->rid, VF_RID);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(VF_PATH, "msis"), 1);
}
END_TEST

/* ---- VF: receive path ----------------------------------------------------- */

START_TEST(rx_frame_goes_through_the_wire_to_data_completion_and_msi)
{
    rig.port = nic_port_create(&rig.env, PORT_PATH, 25e9);
    ck_assert_ptr_nonnull(rig.port);
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new_on(&c, 16, fake_upstream(), nic_port_rx(rig.port), VF_MSI_ADDR, VF_MSI_DATA(0));
    kernel_run_until(rig.k, 1 * SIM_US);
    struct io_req r = { .seq = 1, .ioba = DATA_IOBA(3), .bytes = 1500, .queue = 1, .op = IO_RX };
    struct io_sink rx = vf_receive(rig.vf);
    rx.submit(rx.ctx, &r);
    ck_assert_uint_eq(r.t_queued, 1 * SIM_US);
    kernel_run(rig.k);

    sim_time_t wire = nic_port_frame_time(rig.port, 1500);
    ck_assert_uint_eq(wire, 486400); /* 1520 B x 8 / 25 Gbit/s */
    sim_time_t landed = 1 * SIM_US + wire;
    ck_assert_uint_eq(up.n, 3);
    assert_call(0, UP_WRITE, landed, DATA_IOBA(3), 1500);
    assert_call(1, UP_WRITE, landed, CQ_IOBA(1), IO_CQ_ENTRY_BYTES);
    assert_call(2, UP_MSI, landed, VF_MSI_ADDR, VF_MSI_DATA(1));
    ck_assert_uint_eq(r.t_visible, landed + UP_WRITE_LAT);
    ck_assert_uint_eq(vr.mem[1].cq_tail, 1);
    ck_assert_ptr_eq(vr.cq[1][0], &r);
    ck_assert_uint_eq(vr.svc.n, 0); /* RX does not go through the service stage */
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(PORT_PATH, "rx_packets"), 1);
    ck_assert_double_eq(scalar(PORT_PATH, "tx_packets"), 0);
}
END_TEST

/* ---- VF: dropped DMAs (a frozen PE upstream) ------------------------------ */

START_TEST(a_dropped_data_write_holds_the_request_and_sends_nothing)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 16);
    up.drop_write_at = DATA_IOBA(0);
    struct io_req *r = drv_post(0, IO_READ, DATA_IOBA(0), 4096);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(up.n, 2); /* the fetch and the dropped data write */
    assert_call(1, UP_WRITE, UP_READ_LAT + SERVICE_TIME, DATA_IOBA(0), 4096);
    ck_assert_ptr_eq(r->holder, rig.vf);
    ck_assert_uint_eq(r->t_visible, 0);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 0);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(VF_PATH, "dma_aborted"), 1);
    ck_assert_double_eq(scalar(VF_PATH, "ios_completed"), 0);
    ck_assert_double_eq(scalar(VF_PATH, "msis"), 0);
}
END_TEST

START_TEST(a_dropped_completion_write_holds_the_request)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 16);
    up.drop_write_at = CQ_IOBA(0);
    struct io_req *r = drv_post(0, IO_READ, DATA_IOBA(0), 4096);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(up.n, 3);
    assert_call(2, UP_WRITE, UP_READ_LAT + SERVICE_TIME, CQ_IOBA(0), IO_CQ_ENTRY_BYTES);
    ck_assert_uint_eq(up_count(UP_MSI), 0);
    ck_assert_ptr_eq(r->holder, rig.vf);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 0);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(VF_PATH, "dma_aborted"), 1);
}
END_TEST

START_TEST(a_dropped_data_read_never_reaches_the_service)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 16);
    up.drop_read_at = DATA_IOBA(0);
    struct io_req *r = drv_post(0, IO_WRITE, DATA_IOBA(0), 4096);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(vr.svc.n, 0);
    ck_assert_ptr_eq(r->holder, rig.vf);
    ck_assert_uint_eq(up_count(UP_WRITE), 0);
    ck_assert_uint_eq(up_count(UP_MSI), 0);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(VF_PATH, "dma_aborted"), 1);
}
END_TEST

START_TEST(a_dropped_fetch_leaves_the_commands_in_host_memory)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 16);
    up.drop_read_at = SQ_IOBA(0);
    for (unsigned i = 0; i < 3; i++)
        drv_post(0, IO_READ, DATA_IOBA(i), 512);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(up.n, 1);
    ck_assert_uint_eq(vr.svc.n, 0);
    ck_assert_ptr_null(vr.req[0].holder); /* never reached the device */
    drv_post(0, IO_READ, DATA_IOBA(3), 512);
    drv_ring(0); /* retries the three, fetches a fourth: each counted once */
    kernel_run(rig.k);
    ck_assert_uint_eq(up.n, 2);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(VF_PATH, "dma_aborted"), 4);
}
END_TEST

/* Regression: a command the service stage refuses (IO_ERROR, e.g. the
 * media queue full) once had its READ data DMA-written anyway: phantom
 * traffic and TCE lookups for a command that moved nothing. An error
 * completion writes only the completion entry. */
START_TEST(a_refused_read_moves_no_data)
{
    struct vf_config c = vf_cfg(8, 1, 0);
    vf_new(&c, 16);
    vr.svc.status = IO_ERROR;
    struct io_req *r = drv_post(0, IO_READ, DATA_IOBA(0), 4096);
    drv_ring(0);
    kernel_run(rig.k);
    ck_assert_uint_eq(r->status, IO_ERROR);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 1); /* the error completion is there */
    ck_assert_uint_eq(up_count(UP_MSI), 1);
    unsigned data_writes = 0;
    for (unsigned i = 0; i < up.n; i++)
        data_writes += up.c[i].kind == UP_WRITE && up.c[i].addr == DATA_IOBA(0);
    ck_assert_msg(data_writes == 0,
                  "a READ refused by the service stage (IO_ERROR) DMA-wrote its "
                  "%u data bytes (%u data write(s))", r->bytes, data_writes);
}
END_TEST

/* ---- VF behind a real PHB ------------------------------------------------- */

#define VF_BAR_BASE BAR_A

/* PHB + PE for the VF with SQ, CQ and data pages mapped, the VF's BAR in
 * an MMIO window, its vector 0 on a PHB source, the PHB's irq connected. */
static struct vf *vf_behind_phb(struct irq_log *q, uint32_t *local)
{
    struct phb *p = phb_new();
    uint32_t pe = pe_with_pages(p, VF_RID, SQ_IOBA(0), 2, TCE_READ | TCE_WRITE);
    uint64_t hcalls;
    ck_assert_int_eq(tce_table_map(phb_pe_table(p, pe), DATA_IOBA(0), 0x80000000, 2,
                                   TCE_READ | TCE_WRITE, TCE_HCALL_PUT, &hcalls), TCE_OK);
    phb_connect_irq(p, (struct irq_trigger_port){ irq_record, q }, 200);
    ck_assert_int_eq(phb_alloc_source(p, local), 0);
    struct vf_config c = vf_cfg(8, 1, 0);
    c.queue_pairs = 1;
    c.msix_vectors = 1;
    struct vf *f = vf_new_on(&c, 16, phb_upstream(p), (struct io_sink){ service_submit, &vr.svc },
                             phb_msi_address(p), *local);
    ck_assert_int_eq(phb_map_mmio(p, VF_BAR_BASE, VF_BAR_SIZE, pe, vf_bar(f)), 0);
    return f;
}

static void drv_ring_through_phb(uint32_t qp, bool traced)
{
    struct mmio_port m = phb_mmio_port(rig.phb);
    ck_assert_int_eq(m.write(m.ctx, VF_BAR_BASE + (uint64_t)qp * VF_DOORBELL_STRIDE,
                             vr.mem[qp].sq_tail, traced), 0);
}

START_TEST(vf_behind_a_phb_interrupts_when_its_completion_is_visible)
{
    struct irq_log q = { 0 };
    uint32_t local;
    vf_behind_phb(&q, &local);
    struct io_req *r = drv_post(0, IO_READ, DATA_IOBA(0), 4096);
    drv_ring_through_phb(0, false);
    kernel_run(rig.k);

    ck_assert_uint_eq(vr.svc.n, 1);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 1);
    ck_assert_uint_eq(q.n, 1);
    ck_assert_uint_eq(q.src[0], 200 + local);
    /* service done at T: the data write (TCE miss) is in memory at
     * arrival + walk, the CQ entry (miss) one walk later in order, and the
     * MSI behind it lands exactly then */
    sim_time_t t_served = vr.svc.t[0] + SERVICE_TIME;
    sim_time_t data = t_served +
                      pcie_link_wire_time(phb_link(rig.phb),
                                          pcie_write_wire_bytes(link_cfg(), 4096)) +
                      link_cfg()->latency;
    ck_assert_uint_eq(r->t_visible, data + 2 * walk_ps());
    ck_assert_uint_eq(q.t[0], r->t_visible);

    env_finish(&rig.env);
    /* SQ page, data page, CQ page: one miss each */
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "tce_misses"), 3);
    ck_assert_double_eq(scalar(PHB_PATH, "msis"), 1);
    ck_assert_double_eq(scalar(VF_PATH, "msis"), 1);
    ck_assert_double_eq(scalar(VF_PATH, "ios_completed"), 1);
}
END_TEST

START_TEST(vf_behind_a_phb_frozen_mid_command_keeps_the_request)
{
    struct irq_log q = { 0 };
    uint32_t local;
    vr.svc.delay = 20 * SIM_US;
    vf_behind_phb(&q, &local);
    struct io_req *r = drv_post(0, IO_READ, DATA_IOBA(0), 4096);
    drv_ring_through_phb(0, false);
    kernel_run_until(rig.k, 10 * SIM_US);
    ck_assert_uint_eq(vr.svc.n, 1); /* fetched, in service */
    ck_assert_int_eq(pe_freeze(phb_pe(rig.phb, 0), now()), PE_FROZE);
    kernel_run(rig.k);
    ck_assert_ptr_eq(r->holder, rig.vf);
    ck_assert_uint_eq(vr.mem[0].cq_tail, 0);
    ck_assert_uint_eq(q.n, 0);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar(VF_PATH, "dma_aborted"), 1);
    ck_assert_double_eq(scalar(PHB_PATH ".pe0", "dma_dropped"), 1);
}
END_TEST

/* lparsim run --trace-io: every hop of a traced I/O prints a line. */
START_TEST(a_traced_io_prints_its_hops)
{
    struct irq_log q = { 0 };
    uint32_t local;
    rig.trace = tmpfile();
    ck_assert_ptr_nonnull(rig.trace);
    rig.env.trace_out = rig.trace;
    vf_behind_phb(&q, &local);
    struct io_req *r = drv_post(0, IO_READ, DATA_IOBA(0), 4096);
    r->traced = 1;
    drv_ring_through_phb(0, true);
    kernel_run(rig.k);
    ck_assert_uint_eq(q.n, 1);

    char text[8192];
    rewind(rig.trace);
    size_t n = fread(text, 1, sizeof text - 1, rig.trace);
    text[n] = '\0';
    const char *want[] = {
        "MMIO write", "doorbell of queue 0", "TCE translation", "descriptor of I/O 1 fetched",
        "service stage", "DMA write 4096 B", "completion entry 0", "MSI-X vector 0",
        "MSI reached the PHB",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]), "trace lacks \"%s\":\n%s", want[i], text);
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

static Suite *vf_suite(void)
{
    Suite *s = suite_create("vf");
    TCase *t = tcase_create("vf");
    tcase_add_checked_fixture(t, vf_rig_open, rig_close);
    tcase_add_test(t, a_read_fetches_then_writes_data_completion_and_msi);
    tcase_add_test(t, write_and_tx_read_their_data_before_the_service_stage);
    tcase_add_test(t, fetch_max_caps_descriptors_per_fetch);
    tcase_add_test(t, a_fetch_stops_at_the_end_of_the_ring);
    tcase_add_test(t, a_doorbell_during_a_fetch_is_taken_after_it);
    tcase_add_test(t, doorbells_outside_attached_queues_are_ignored);
    tcase_add_test(t, moderation_timer_signals_three_completions_once);
    tcase_add_test(t, moderation_count_signals_at_once_and_cancels_the_timer);
    tcase_add_test(t, coalesce_count_one_signals_every_completion);
    tcase_add_test(t, a_masked_vector_pends_and_unmasking_releases_one_msi);
    tcase_add_test(t, rx_frame_goes_through_the_wire_to_data_completion_and_msi);
    tcase_add_test(t, a_dropped_data_write_holds_the_request_and_sends_nothing);
    tcase_add_test(t, a_dropped_completion_write_holds_the_request);
    tcase_add_test(t, a_dropped_data_read_never_reaches_the_service);
    tcase_add_test(t, a_dropped_fetch_leaves_the_commands_in_host_memory);
    tcase_add_test(t, a_refused_read_moves_no_data);
    tcase_add_test(t, vf_behind_a_phb_interrupts_when_its_completion_is_visible);
    tcase_add_test(t, vf_behind_a_phb_frozen_mid_command_keeps_the_request);
    tcase_add_test(t, a_traced_io_prints_its_hops);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(vf_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
