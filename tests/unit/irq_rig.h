/* tests/unit/irq_rig.h — the rig the interrupt-path unit tests share
 * (test_xive_controller.c, test_vf_driver.c, test_hypervisor.c): a kernel,
 * recorder and env built per test, the components under test held so the
 * teardown frees them even when an assertion fails (ctest runs with
 * CK_FORK=no), what the fakes saw, the I/O requests the tests submit and
 * the completion port that logs them.
 *
 * Header-only (static inline): tests/CMakeLists.txt builds every
 * tests/unit/test_*.c alone, so there is no shared object to link. The
 * fakes and builders only one test file uses stay in that file.
 */
#ifndef LPARSIM_TESTS_UNIT_IRQ_RIG_H
#define LPARSIM_TESTS_UNIT_IRQ_RIG_H

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/machine.h"
#include "models/adapter/adapter.h"
#include "models/guest/vf_driver.h"
#include "models/hypervisor/hypervisor.h"
#include "models/intc/xive_controller.h"
#include "models/pcie/phb.h"
#include "sim/scenario.h"

/* ---- rig ---------------------------------------------------------------- */

#define LOG_MAX 64

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    /* XIVE controller (test_xive_controller.c) */
    struct xive_controller *x;
    struct xive_source *sb0, *sb;
    /* driver (test_vf_driver.c) */
    struct vf_driver *d;
    /* hypervisor and machine (test_hypervisor.c) */
    struct scenario *scn;
    struct hypervisor *h;
    struct phb *phb;
    struct adapter *ad;
    struct vf_driver *drv[2];       /* the machine's (not owned) */
    struct lpar *lpar[2];           /* the machine's (not owned) */
    struct machine *m;
} rig;

/* What the fakes saw: the XIVE controller's dispatcher and handler
 * (irq, handled), the driver's VPs, MMIO, TCE service and wire (run,
 * mmio, map, unmap, wire), and the I/O completions (done). */
struct irq_rec { uint32_t vp; uint64_t cycles; sim_time_t t; };
struct handled_rec { uint32_t arg; void *ctx; sim_time_t t; enum xive_pq pq; };
struct run_rec { uint32_t vp; uint64_t cycles; sim_time_t t; struct io_req *r; };
struct mmio_rec { uint64_t addr, value; sim_time_t t; };
struct map_rec { uint64_t ioba, bytes; bool device_writes; };
struct done_rec { struct io_req *r; uint8_t status; sim_time_t t; };

static struct {
    struct irq_rec irq[LOG_MAX];
    size_t nirq;
    struct handled_rec handled[LOG_MAX];
    size_t nhandled;
    struct run_rec run[LOG_MAX];
    size_t nrun;
    struct mmio_rec mmio[LOG_MAX];
    size_t nmmio;
    struct map_rec map[LOG_MAX], unmap[LOG_MAX];
    size_t nmap, nunmap;
    struct io_req *wire[LOG_MAX];
    size_t nwire;
    struct done_rec done[LOG_MAX];
    size_t ndone;
} seen;

static struct io_req reqs[LOG_MAX];

static inline void rig_close(void)
{
    machine_destroy(rig.m);
    scenario_free(rig.scn);
    vf_driver_destroy(rig.d);
    xive_controller_destroy(rig.x);
    xive_source_destroy(rig.sb);
    xive_source_destroy(rig.sb0);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    memset(&rig, 0, sizeof rig);
    memset(&seen, 0, sizeof seen);
    memset(reqs, 0, sizeof reqs);
}

static inline void rig_open(void)
{
    rig_close();
    rig.k = kernel_create(KERNEL_NATIVE, 1024);
    ck_assert_ptr_nonnull(rig.k);
    rig.rec = recorder_create(0);
    ck_assert_ptr_nonnull(rig.rec);
    env_init(&rig.env, rig.k, rig.rec, 1, 0, SIM_S, 0, 0);
}

static inline double scalar(const char *comp, const char *name)
{
    double v = NAN;
    ck_assert_msg(recorder_scalar_get(rig.rec, comp, name, &v), "no scalar %s %s", comp, name);
    return v;
}

/* ---- I/O completions (the driver's and the hypervisor's tests) ---------- */

static inline void on_done(void *ctx, struct io_req *r)
{
    (void)ctx;
    if (seen.ndone < LOG_MAX)
        seen.done[seen.ndone] = (struct done_rec){ r, r->status, kernel_now(rig.k) };
    seen.ndone++;
}

static const struct io_done done_port = { on_done, NULL };

#endif /* LPARSIM_TESTS_UNIT_IRQ_RIG_H */
