/* tests/unit/test_nic_port.c — the NIC's physical port (models/adapter/
 * nic_port.h) without a scenario: FIFO serialisation of frames at the line
 * rate, TX and RX independent of each other, and utilisation counting only
 * the wire time up to the finish.
 *
 * Expected times come from the line rate and the 20-byte per-frame
 * overhead (nic_port_frame_time), never from a run of the code under test.
 *
 * Every test builds its kernel, recorder and env in the fixture and the
 * teardown frees them even when an assertion fails (ctest runs with
 * CK_FORK=no); the rig is in io_rig.h, shared with test_phb.c and
 * test_vf.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_rig.h"

/* ---- NIC port ------------------------------------------------------------- */

/* Where the port returns a frame: records when. */
struct frame_log {
    unsigned n;
    sim_time_t t[LOG_MAX];
    struct io_req *r[LOG_MAX];
};

static void frame_done(void *ctx, struct io_req *r)
{
    struct frame_log *l = ctx;
    ck_assert_uint_lt(l->n, LOG_MAX);
    l->t[l->n] = now();
    l->r[l->n] = r;
    l->n++;
}

static struct nic_port *port_new(double bps)
{
    rig.port = nic_port_create(&rig.env, PORT_PATH, bps);
    ck_assert_ptr_nonnull(rig.port);
    return rig.port;
}

static void frame_send(struct io_sink s, struct io_req *r, uint32_t bytes, const struct io_done *d)
{
    *r = (struct io_req){ .bytes = bytes, .served = d };
    s.submit(s.ctx, r);
}

#define FRAME_1500_AT_25G ((sim_time_t)(1520 * 8) * SIM_S / 25000000000u) /* 486.4 ns */

START_TEST(frames_serialise_fifo_at_the_line_rate)
{
    struct nic_port *p = port_new(25e9);
    struct frame_log l = { 0 };
    struct io_done d = { frame_done, &l };
    struct io_req r[3];
    ck_assert_uint_eq(FRAME_1500_AT_25G, 486400);
    ck_assert_uint_eq(nic_port_frame_time(p, 1500), FRAME_1500_AT_25G);
    frame_send(nic_port_tx(p), &r[0], 1500, &d);
    frame_send(nic_port_tx(p), &r[1], 1500, &d);
    kernel_run(rig.k);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_ptr_eq(l.r[0], &r[0]);
    ck_assert_ptr_eq(l.r[1], &r[1]);
    ck_assert_uint_eq(l.t[0], FRAME_1500_AT_25G);
    ck_assert_uint_eq(l.t[1], 2 * FRAME_1500_AT_25G);
    /* an idle port starts a frame at once: 64 B + 20 B overhead */
    kernel_run_until(rig.k, 10 * SIM_US);
    frame_send(nic_port_tx(p), &r[2], 64, &d);
    kernel_run(rig.k);
    ck_assert_uint_eq(l.t[2], 10 * SIM_US + (sim_time_t)(84 * 8) * SIM_S / 25000000000u);
}
END_TEST

START_TEST(tx_and_rx_serialise_independently)
{
    struct nic_port *p = port_new(25e9);
    struct frame_log l = { 0 };
    struct io_done d = { frame_done, &l };
    struct io_req tx, rx;
    frame_send(nic_port_tx(p), &tx, 1500, &d);
    frame_send(nic_port_rx(p), &rx, 1500, &d);
    kernel_run(rig.k);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_uint_eq(l.t[0], FRAME_1500_AT_25G);
    ck_assert_uint_eq(l.t[1], FRAME_1500_AT_25G);
    ck_assert_ptr_eq(rx.holder, p);
}
END_TEST

START_TEST(port_utilisation_counts_wire_time_up_to_the_finish)
{
    struct nic_port *p = port_new(25e9);
    struct frame_log l = { 0 };
    struct io_done d = { frame_done, &l };
    struct io_req r[3];
    frame_send(nic_port_tx(p), &r[0], 1500, &d);
    frame_send(nic_port_tx(p), &r[1], 1500, &d);
    frame_send(nic_port_rx(p), &r[2], 1500, &d);
    /* at 500 ns the TX side has been busy throughout, RX for one frame;
     * wire time still ahead is not counted */
    kernel_run_until(rig.k, 500 * SIM_NS);
    env_finish(&rig.env);
    ck_assert_double_eq_tol(scalar(PORT_PATH, "tx_utilisation"), 1.0, 1e-12);
    ck_assert_double_eq_tol(scalar(PORT_PATH, "rx_utilisation"),
                            (double)FRAME_1500_AT_25G / (double)(500 * SIM_NS), 1e-12);
    kernel_run_until(rig.k, 1 * SIM_US);
    env_finish(&rig.env);
    ck_assert_double_eq_tol(scalar(PORT_PATH, "tx_utilisation"),
                            (double)(2 * FRAME_1500_AT_25G) / (double)SIM_US, 1e-12);
    ck_assert_double_eq_tol(scalar(PORT_PATH, "rx_utilisation"),
                            (double)FRAME_1500_AT_25G / (double)SIM_US, 1e-12);
    ck_assert_double_eq(scalar(PORT_PATH, "tx_packets"), 2);
    ck_assert_double_eq(scalar(PORT_PATH, "tx_bytes"), 3000);
    ck_assert_double_eq(scalar(PORT_PATH, "rx_packets"), 1);
    ck_assert_double_eq(scalar(PORT_PATH, "rx_bytes"), 1500);
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

static Suite *nic_port_suite(void)
{
    Suite *s = suite_create("nic_port");
    TCase *t = tcase_create("nic_port");
    tcase_add_checked_fixture(t, rig_open, rig_close);
    tcase_add_test(t, frames_serialise_fifo_at_the_line_rate);
    tcase_add_test(t, tx_and_rx_serialise_independently);
    tcase_add_test(t, port_utilisation_counts_wire_time_up_to_the_finish);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(nic_port_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
