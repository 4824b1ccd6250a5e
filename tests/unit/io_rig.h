/* tests/unit/io_rig.h — the rig the I/O-path unit tests share
 * (test_phb.c, test_vf.c, test_nic_port.c): a kernel, recorder and env
 * built per test, the components under test held so the teardown frees
 * them even when an assertion fails (ctest runs with CK_FORK=no), the
 * interrupt controller's recording input, and the PHB built with the
 * models' default configuration.
 *
 * Header-only (static inline): tests/CMakeLists.txt builds every
 * tests/unit/test_*.c alone, so there is no shared object to link. A
 * fixture only one test file uses stays in that file.
 */
#ifndef LPARSIM_TESTS_UNIT_IO_RIG_H
#define LPARSIM_TESTS_UNIT_IO_RIG_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/adapter/nic_port.h"
#include "models/adapter/vf.h"
#include "models/pcie/phb.h"

#define PHB_PATH "s0.ad0.phb"
#define PORT_PATH "s0.ad0.port"

/* ---- rig: kernel, recorder, env and the components under test ----------- */

struct rig {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct phb *phb;
    struct pcie_link *ref; /* an idle link of the PHB's configuration */
    struct vf *vf;
    struct nic_port *port;
    FILE *trace;
};

static struct rig rig;

static inline void rig_close(void)
{
    vf_destroy(rig.vf);
    nic_port_destroy(rig.port);
    phb_destroy(rig.phb);
    pcie_link_destroy(rig.ref);
    if (rig.trace)
        fclose(rig.trace);
    if (rig.k)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    memset(&rig, 0, sizeof rig);
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

static inline sim_time_t now(void)
{
    return kernel_now(rig.k);
}

static inline double scalar(const char *component, const char *name)
{
    double v = -1;
    ck_assert_msg(recorder_scalar_get(rig.rec, component, name, &v), "no scalar %s %s",
                  component, name);
    return v;
}

/* ---- recording fakes ------------------------------------------------------ */

#define LOG_MAX 16

/* The interrupt controller's input. */
struct irq_log {
    unsigned n;
    sim_time_t t[LOG_MAX];
    uint32_t src[LOG_MAX];
};

static inline void irq_record(void *ctx, uint32_t src, bool traced)
{
    (void)traced;
    struct irq_log *q = ctx;
    ck_assert_uint_lt(q->n, LOG_MAX);
    q->t[q->n] = now();
    q->src[q->n] = src;
    q->n++;
}

/* ---- PHB helpers ---------------------------------------------------------- */

#define BAR_A UINT64_C(0x0006000000000000)

static inline struct phb_config phb_cfg(void)
{
    struct phb_config c;
    struct diag err;
    memset(&c, 0, sizeof c);
    pcie_link_config_default(&c.link);
    ck_assert_int_eq(pe_config_init(&c.pe, NULL, &err), 0);
    ck_assert_int_eq(tce_cache_config_init(&c.cache, NULL, &err), 0);
    ck_assert_int_eq(tce_table_config_init(&c.window, NULL, &err), 0);
    c.window.page_size = TCE_DEFAULT_WINDOW_PAGE; /* the rigs' PAGE */
    c.pes = 8;
    c.msi_sources = 16;
    return c;
}

static inline struct phb *phb_new_cfg(const struct phb_config *c)
{
    rig.phb = phb_create(&rig.env, PHB_PATH, c);
    ck_assert_ptr_nonnull(rig.phb);
    return rig.phb;
}

static inline struct phb *phb_new(void)
{
    struct phb_config c = phb_cfg();
    return phb_new_cfg(&c);
}

/* A PE for `rid` whose DMA window maps npages I/O pages from ioba with
 * `perm` (npages = 0: nothing mapped). */
static inline uint32_t pe_with_pages(struct phb *p, uint16_t rid, uint64_t ioba,
                                     uint64_t npages, uint64_t perm)
{
    uint32_t pe;
    uint64_t hcalls;
    ck_assert_int_eq(phb_add_pe(p, rid, &pe), 0);
    if (npages)
        ck_assert_int_eq(tce_table_map(phb_pe_table(p, pe), ioba, UINT64_C(0x40000000) + ioba,
                                       npages, perm, TCE_HCALL_PUT, &hcalls),
                         TCE_OK);
    return pe;
}

static inline const struct pcie_link_config *link_cfg(void)
{
    return pcie_link_cfg(phb_link(rig.phb));
}

static inline sim_time_t walk_ps(void)
{
    struct tce_cache_config c;
    struct diag err;
    ck_assert_int_eq(tce_cache_config_init(&c, NULL, &err), 0);
    return c.walk_ps;
}

#endif /* LPARSIM_TESTS_UNIT_IO_RIG_H */
