/* tests/unit/test_msix_eeh.c — MSI-X table (reset state, mask / unmask /
 * pending, function mask, config-side layout) and PE EEH state (freeze
 * effects, both recovery sequences with their timing, the 5-per-hour rule)
 * plus RID -> PE mapping and the VF RID rule. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "models/adapter/msix_table.h"
#include "models/pcie/pe.h"
#include "sim/scenario.h"

/* ---- MSI-X -------------------------------------------------------------- */

struct sent {
    unsigned n;
    uint32_t vector[8];
    uint64_t addr[8];
    uint32_t data[8];
};

static void record_msi(void *ctx, uint32_t vector, uint64_t addr, uint32_t data)
{
    struct sent *s = ctx;
    if (s->n < 8) {
        s->vector[s->n] = vector;
        s->addr[s->n] = addr;
        s->data[s->n] = data;
    }
    s->n++;
}

static struct msix_table *msix_new(uint32_t vectors, struct sent *sink)
{
    struct msix_table_config c = { vectors };
    struct msix_table *t = msix_table_create(&c, (struct msix_sink){ record_msi, sink });
    ck_assert_ptr_nonnull(t);
    return t;
}

/* Programs vector v with address 0xfee0_0000_0000 + v*16 and data 0x100+v. */
static void program(struct msix_table *t, uint32_t v)
{
    ck_assert_int_eq(msix_table_program(t, v, UINT64_C(0xfee000000000) + v * 16, 0x100 + v), 0);
}

START_TEST(msix_defaults_and_reset_state)
{
    struct msix_table_config c;
    struct diag err;
    ck_assert_int_eq(msix_table_config_init(&c, NULL, &err), 0);
    ck_assert_uint_eq(c.vectors, 64);
    struct scenario *s = scenario_load_string("m.yaml", "vectors: 2048\n", &msix_table_schema,
                                              &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(msix_table_config_init(&c, s->root, &err), 0);
    ck_assert_uint_eq(c.vectors, 2048);
    scenario_free(s);
    ck_assert_ptr_null(scenario_load_string("m.yaml", "vectors: 2049\n", &msix_table_schema,
                                            &err));
    c.vectors = 2049;
    ck_assert_ptr_null(msix_table_create(&c, (struct msix_sink){ 0 }));

    struct sent sent = { 0 };
    struct msix_table *t = msix_new(2048, &sent);
    ck_assert(!msix_table_enabled(t));
    ck_assert(!msix_table_function_masked(t));
    for (uint32_t v = 0; v < 2048; v++) {
        ck_assert(msix_table_vector_masked(t, v));
        ck_assert(!msix_table_pending(t, v));
    }
    uint32_t dw;
    ck_assert_int_eq(msix_table_read(t, 2047 * 16 + MSIX_CTRL, &dw), 0);
    ck_assert_uint_eq(dw, MSIX_CTRL_MASKBIT);
    msix_table_destroy(t);
}
END_TEST

START_TEST(msix_disabled_function_sends_and_records_nothing)
{
    struct sent sent = { 0 };
    struct msix_table *t = msix_new(8, &sent);
    program(t, 1);
    msix_table_mask(t, 1, false);
    ck_assert_int_eq(msix_table_fire(t, 1).status, MSIX_DISABLED);
    ck_assert(!msix_table_pending(t, 1));
    ck_assert_int_eq(msix_table_set_control(t, true, false), 0); /* nothing to release */
    ck_assert_int_eq(msix_table_fire(t, 8).status, MSIX_BAD_VECTOR);
    ck_assert_uint_eq(msix_table_counters(t)->disabled, 1);
    msix_table_destroy(t);
}
END_TEST

START_TEST(msix_unmasked_vector_sends_its_message)
{
    struct sent sent = { 0 };
    struct msix_table *t = msix_new(8, &sent);
    program(t, 3);
    msix_table_set_control(t, true, false);
    ck_assert_int_eq(msix_table_mask(t, 3, false), 0);
    struct msix_fire f = msix_table_fire(t, 3);
    ck_assert_int_eq(f.status, MSIX_SENT);
    ck_assert_uint_eq(f.addr, UINT64_C(0xfee000000000) + 48);
    ck_assert_uint_eq(f.data, 0x103);
    ck_assert(!msix_table_pending(t, 3));
    ck_assert_uint_eq(sent.n, 0); /* the device sends it; the sink is for releases */
    msix_table_destroy(t);
}
END_TEST

START_TEST(msix_masked_vector_pends_until_unmasked)
{
    struct sent sent = { 0 };
    struct msix_table *t = msix_new(8, &sent);
    program(t, 2);
    msix_table_set_control(t, true, false);
    ck_assert_int_eq(msix_table_fire(t, 2).status, MSIX_PENDING);
    ck_assert_int_eq(msix_table_fire(t, 2).status, MSIX_PENDING); /* one bit, not a count */
    ck_assert(msix_table_pending(t, 2));
    uint32_t pba;
    ck_assert_int_eq(msix_table_pba_read(t, 0, &pba), 0);
    ck_assert_uint_eq(pba, 1u << 2);
    ck_assert_int_eq(msix_table_mask(t, 2, false), 1);
    ck_assert_uint_eq(sent.n, 1);
    ck_assert_uint_eq(sent.vector[0], 2);
    ck_assert_uint_eq(sent.addr[0], UINT64_C(0xfee000000000) + 32);
    ck_assert_uint_eq(sent.data[0], 0x102);
    ck_assert(!msix_table_pending(t, 2));
    ck_assert_int_eq(msix_table_mask(t, 2, true), 0);
    ck_assert_int_eq(msix_table_mask(t, 2, false), 0); /* nothing pending: no message */
    ck_assert_uint_eq(sent.n, 1);
    const struct msix_counters *c = msix_table_counters(t);
    ck_assert_uint_eq(c->pended, 2);
    ck_assert_uint_eq(c->released, 1);
    msix_table_destroy(t);
}
END_TEST

START_TEST(msix_function_mask_holds_every_vector)
{
    struct sent sent = { 0 };
    struct msix_table *t = msix_new(8, &sent);
    for (uint32_t v = 0; v < 8; v++)
        program(t, v);
    msix_table_set_control(t, true, true);
    msix_table_mask(t, 1, false);
    msix_table_mask(t, 4, false);
    ck_assert_int_eq(msix_table_fire(t, 4).status, MSIX_PENDING); /* function masked */
    ck_assert_int_eq(msix_table_fire(t, 1).status, MSIX_PENDING);
    ck_assert_int_eq(msix_table_fire(t, 6).status, MSIX_PENDING); /* own mask too */
    ck_assert_uint_eq(sent.n, 0);
    /* Clearing the function mask releases the unmasked ones, in order. */
    ck_assert_int_eq(msix_table_set_control(t, true, false), 2);
    ck_assert_uint_eq(sent.n, 2);
    ck_assert_uint_eq(sent.vector[0], 1);
    ck_assert_uint_eq(sent.vector[1], 4);
    ck_assert(msix_table_pending(t, 6));
    ck_assert_int_eq(msix_table_mask(t, 6, false), 1);
    ck_assert_uint_eq(sent.vector[2], 6);
    /* Unmasking a vector while the function is masked releases nothing. */
    msix_table_set_control(t, true, true);
    msix_table_mask(t, 7, true);
    msix_table_fire(t, 7);
    ck_assert_int_eq(msix_table_mask(t, 7, false), 0);
    ck_assert(msix_table_pending(t, 7));
    msix_table_destroy(t);
}
END_TEST

START_TEST(msix_config_layout_and_reserved_bits)
{
    struct sent sent = { 0 };
    struct msix_table *t = msix_new(100, &sent);
    uint32_t dw;
    ck_assert_int_eq(msix_table_write(t, 5 * 16 + MSIX_ADDR_LO, 0xfee00003), 0);
    ck_assert_int_eq(msix_table_read(t, 5 * 16 + MSIX_ADDR_LO, &dw), 0);
    ck_assert_uint_eq(dw, 0xfee00000); /* bits 1:0 read as zero */
    ck_assert_int_eq(msix_table_write(t, 5 * 16 + MSIX_CTRL, 0xfffffffe), 0);
    ck_assert_int_eq(msix_table_read(t, 5 * 16 + MSIX_CTRL, &dw), 0);
    ck_assert_uint_eq(dw, 0); /* only the mask bit is kept */
    ck_assert_int_eq(msix_table_write(t, 100 * 16, 0), -1);
    ck_assert_int_eq(msix_table_write(t, 5 * 16 + 2, 0), -1);
    ck_assert_int_eq(msix_table_read(t, 100 * 16, &dw), -1);
    /* PBA: vector 40 is bit 8 of the second dword, vector 99 bit 3 of the fourth. */
    msix_table_set_control(t, true, false);
    msix_table_fire(t, 40);
    msix_table_fire(t, 99);
    ck_assert_int_eq(msix_table_pba_read(t, 4, &dw), 0);
    ck_assert_uint_eq(dw, 1u << 8);
    ck_assert_int_eq(msix_table_pba_read(t, 12, &dw), 0);
    ck_assert_uint_eq(dw, 1u << 3);
    ck_assert_int_eq(msix_table_pba_read(t, 16, &dw), -1);
    /* Function-level reset. */
    msix_table_reset(t);
    ck_assert(!msix_table_pending(t, 40));
    ck_assert(!msix_table_enabled(t));
    ck_assert(msix_table_vector_masked(t, 5));
    ck_assert_int_eq(msix_table_read(t, 5 * 16 + MSIX_ADDR_LO, &dw), 0);
    ck_assert_uint_eq(dw, 0);
    msix_table_destroy(t);
}
END_TEST

/* ---- PE / EEH ----------------------------------------------------------- */

static struct pe *pe_new(void)
{
    struct pe_config c;
    struct diag err;
    ck_assert_int_eq(pe_config_init(&c, NULL, &err), 0);
    struct pe *pe = pe_create(&c, 7);
    ck_assert_ptr_nonnull(pe);
    return pe;
}

START_TEST(pe_defaults_come_from_the_descriptor)
{
    struct pe_config c;
    struct diag err;
    ck_assert_int_eq(pe_config_init(&c, NULL, &err), 0);
    ck_assert_uint_eq(c.reset_hold_ps, 250 * SIM_MS);
    ck_assert_uint_eq(c.reset_settle_ps, 1800 * SIM_MS);
    ck_assert_uint_eq(c.max_freezes, 5);
    ck_assert_uint_eq(c.freeze_window_ps, 3600 * SIM_S);
    struct pe *pe = pe_create(&c, 0);
    sim_time_t reset = pe_recovery_duration(pe, PE_RECOVER_RESET);
    ck_assert_uint_eq(reset, c.reset_hold_ps + c.reset_settle_ps + c.configure_ps + c.restore_ps);
    /* REFERENCE: "a reset recovery therefore takes about 2.05 s". */
    ck_assert_uint_ge(reset, 2050 * SIM_MS);
    ck_assert_uint_le(reset, 2051 * SIM_MS);
    ck_assert_uint_eq(pe_recovery_duration(pe, PE_RECOVER_THAW), 2 * c.thaw_ps);
    pe_destroy(pe);
    struct scenario *s = scenario_load_string("p.yaml", "max_freezes: 2\nreset_hold: 1s\n",
                                              &pe_schema, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(pe_config_init(&c, s->root, &err), 0);
    ck_assert_uint_eq(c.max_freezes, 2);
    ck_assert_uint_eq(c.reset_hold_ps, SIM_S);
    scenario_free(s);
}
END_TEST

START_TEST(freeze_effects)
{
    struct pe *pe = pe_new();
    ck_assert_int_eq(pe_state(pe), PE_STATE_NORMAL);
    ck_assert_int_eq(pe_mmio_read(pe), PE_PASS);
    ck_assert_int_eq(pe_mmio_write(pe), PE_PASS);
    ck_assert_int_eq(pe_dma(pe), PE_PASS);
    ck_assert_int_eq(pe_msi(pe), PE_PASS);
    ck_assert_int_eq(pe_freeze(pe, 0), PE_FROZE);
    ck_assert_int_eq(pe_state(pe), PE_STATE_FROZEN);
    ck_assert_int_eq(pe_mmio_read(pe), PE_ALL_ONES);
    ck_assert_int_eq(pe_mmio_write(pe), PE_DROP);
    ck_assert_int_eq(pe_dma(pe), PE_DROP);
    ck_assert_int_eq(pe_msi(pe), PE_PASS); /* interrupts still delivered */
    ck_assert_uint_eq(pe_all_ones(1), 0xff);
    ck_assert_uint_eq(pe_all_ones(2), 0xffff);
    ck_assert_uint_eq(pe_all_ones(4), 0xffffffff);
    ck_assert_uint_eq(pe_all_ones(8), UINT64_MAX);
    /* Seen again before recovery: the same freeze, not counted twice. */
    ck_assert_int_eq(pe_freeze(pe, SIM_MS), PE_ALREADY_FROZEN);
    ck_assert_uint_eq(pe_freeze_count(pe), 1);
    const struct pe_counters *c = pe_counters(pe);
    ck_assert_uint_eq(c->freezes, 1);
    ck_assert_uint_eq(c->reads_all_ones, 1);
    ck_assert_uint_eq(c->writes_dropped, 1);
    ck_assert_uint_eq(c->dma_dropped, 1);
    ck_assert_uint_eq(c->msi_delivered, 2);
    ck_assert_uint_eq(pe_number(pe), 7);
    pe_destroy(pe);
}
END_TEST

START_TEST(thaw_recovery_sequence)
{
    struct pe *pe = pe_new();
    ck_assert_int_eq(pe_recovery_start(pe, PE_RECOVER_THAW), -1); /* not frozen */
    pe_freeze(pe, 0);
    ck_assert_int_eq(pe_recovery_start(pe, PE_RECOVER_THAW), 0);
    ck_assert_int_eq(pe_recovery_start(pe, PE_RECOVER_THAW), -1); /* already running */
    ck_assert(pe_recovering(pe));
    struct pe_step_result r = pe_recovery_step(pe);
    ck_assert_int_eq(r.step, PE_STEP_THAW_MMIO);
    ck_assert_int_eq(r.state, PE_STATE_MMIO_ONLY);
    ck_assert_uint_eq(r.duration_ps, 10 * SIM_US);
    ck_assert_int_eq(pe_mmio_read(pe), PE_PASS);
    ck_assert_int_eq(pe_mmio_write(pe), PE_PASS);
    ck_assert_int_eq(pe_dma(pe), PE_DROP);
    r = pe_recovery_step(pe);
    ck_assert_int_eq(r.step, PE_STEP_MMIO_ENABLED);
    ck_assert_int_eq(r.state, PE_STATE_MMIO_ONLY);
    ck_assert_uint_eq(r.duration_ps, 0);
    r = pe_recovery_step(pe);
    ck_assert_int_eq(r.step, PE_STEP_THAW_DMA);
    ck_assert_int_eq(r.state, PE_STATE_NORMAL);
    ck_assert_int_eq(pe_dma(pe), PE_PASS);
    r = pe_recovery_step(pe);
    ck_assert_int_eq(r.step, PE_STEP_RESUME);
    ck_assert(!pe_recovering(pe));
    r = pe_recovery_step(pe);
    ck_assert_int_eq(r.step, PE_STEP_DONE);
    ck_assert_uint_eq(pe_counters(pe)->thaw_recoveries, 1);
    pe_destroy(pe);
}
END_TEST

START_TEST(reset_recovery_sequence_and_timing)
{
    static const struct {
        enum pe_step step;
        enum pe_slot_state state;
        sim_time_t duration;
        enum pe_verdict mmio_read, dma, msi;
    } seq[] = {
        { PE_STEP_RESET_ASSERT, PE_STATE_RESET, 250 * SIM_MS, PE_ALL_ONES, PE_DROP, PE_DROP },
        { PE_STEP_RESET_DEASSERT, PE_STATE_UNAVAILABLE, 1800 * SIM_MS, PE_ALL_ONES, PE_DROP,
          PE_DROP },
        { PE_STEP_CONFIGURE, PE_STATE_NORMAL, 10 * SIM_US, PE_PASS, PE_PASS, PE_PASS },
        { PE_STEP_RESTORE, PE_STATE_NORMAL, 100 * SIM_US, PE_PASS, PE_PASS, PE_PASS },
        { PE_STEP_SLOT_RESET, PE_STATE_NORMAL, 0, PE_PASS, PE_PASS, PE_PASS },
        { PE_STEP_RESUME, PE_STATE_NORMAL, 0, PE_PASS, PE_PASS, PE_PASS },
    };
    struct pe *pe = pe_new();
    pe_freeze(pe, 0);
    ck_assert_int_eq(pe_recovery_start(pe, PE_RECOVER_RESET), 0);
    sim_time_t total = 0;
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        struct pe_step_result r = pe_recovery_step(pe);
        ck_assert_msg(r.step == seq[i].step, "step %zu: %s", i, pe_step_name(r.step));
        ck_assert_int_eq(r.state, seq[i].state);
        ck_assert_int_eq(pe_state(pe), seq[i].state);
        ck_assert_uint_eq(r.duration_ps, seq[i].duration);
        ck_assert_int_eq(pe_mmio_read(pe), seq[i].mmio_read);
        ck_assert_int_eq(pe_dma(pe), seq[i].dma);
        ck_assert_int_eq(pe_msi(pe), seq[i].msi);
        total += r.duration_ps;
    }
    ck_assert_int_eq(pe_recovery_step(pe).step, PE_STEP_DONE);
    ck_assert_uint_eq(total, pe_recovery_duration(pe, PE_RECOVER_RESET));
    ck_assert_uint_eq(pe_counters(pe)->reset_recoveries, 1);
    pe_destroy(pe);
}
END_TEST

START_TEST(a_freeze_during_recovery_aborts_it)
{
    struct pe *pe = pe_new();
    pe_freeze(pe, 0);
    pe_recovery_start(pe, PE_RECOVER_RESET);
    /* Detected again before the first step: the same freeze. */
    ck_assert_int_eq(pe_freeze(pe, 1), PE_ALREADY_FROZEN);
    ck_assert(pe_recovering(pe));
    pe_recovery_step(pe); /* reset asserted */
    pe_recovery_step(pe); /* settling */
    pe_recovery_step(pe); /* configured: normal */
    ck_assert_int_eq(pe_freeze(pe, SIM_S), PE_FROZE);
    ck_assert_int_eq(pe_state(pe), PE_STATE_FROZEN);
    ck_assert(!pe_recovering(pe));
    ck_assert_int_eq(pe_recovery_step(pe).step, PE_STEP_ABORTED);
    ck_assert_int_eq(pe_recovery_step(pe).step, PE_STEP_DONE);
    ck_assert_uint_eq(pe_counters(pe)->aborted_recoveries, 1);
    ck_assert_uint_eq(pe_freeze_count(pe), 2);
    ck_assert_int_eq(pe_recovery_start(pe, PE_RECOVER_THAW), 0); /* can start again */
    pe_destroy(pe);
}
END_TEST

/* Freeze at `t`, then recover fully by thawing. */
static enum pe_freeze_result freeze_and_recover(struct pe *pe, sim_time_t t)
{
    enum pe_freeze_result fr = pe_freeze(pe, t);
    if (fr == PE_FROZE) {
        ck_assert_int_eq(pe_recovery_start(pe, PE_RECOVER_THAW), 0);
        while (pe_recovery_step(pe).step != PE_STEP_DONE)
            ;
        ck_assert_int_eq(pe_state(pe), PE_STATE_NORMAL);
    }
    return fr;
}

START_TEST(more_than_five_freezes_in_an_hour_is_permanent)
{
    struct pe *pe = pe_new();
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(freeze_and_recover(pe, (sim_time_t)i * 600 * SIM_S), PE_FROZE);
    ck_assert(!pe_offline(pe));
    ck_assert_int_eq(freeze_and_recover(pe, 3000 * SIM_S), PE_NOW_OFFLINE);
    ck_assert(pe_offline(pe));
    ck_assert_int_eq(pe_state(pe), PE_STATE_FROZEN);
    ck_assert_int_eq(pe_recovery_start(pe, PE_RECOVER_RESET), -1);
    ck_assert_int_eq(pe_freeze(pe, 4000 * SIM_S), PE_IS_OFFLINE);
    ck_assert_int_eq(pe_mmio_read(pe), PE_ALL_ONES);
    ck_assert_int_eq(pe_mmio_write(pe), PE_DROP);
    ck_assert_int_eq(pe_dma(pe), PE_DROP);
    ck_assert_int_eq(pe_msi(pe), PE_DROP); /* removed: no interrupts either */
    pe_destroy(pe);
}
END_TEST

START_TEST(the_freeze_count_restarts_after_the_window)
{
    /* Five freezes, then the sixth just past an hour after the first. */
    struct pe *pe = pe_new();
    for (int i = 0; i < 5; i++)
        freeze_and_recover(pe, (sim_time_t)i * SIM_S);
    ck_assert_int_eq(freeze_and_recover(pe, 3600 * SIM_S + 1), PE_FROZE);
    ck_assert_uint_eq(pe_freeze_count(pe), 1);
    pe_destroy(pe);
    /* Exactly an hour after the first is still inside (Linux: "> 3600"). */
    pe = pe_new();
    for (int i = 0; i < 5; i++)
        freeze_and_recover(pe, (sim_time_t)i * SIM_S);
    ck_assert_int_eq(freeze_and_recover(pe, 3600 * SIM_S), PE_NOW_OFFLINE);
    pe_destroy(pe);
    /* The window is fixed from its first freeze, not sliding: freezes at
     * 0, 3000 s (x4), then 3601 s, 3602 s... restart the count at 3601 s. */
    pe = pe_new();
    freeze_and_recover(pe, 0);
    for (int i = 0; i < 4; i++)
        freeze_and_recover(pe, 3000 * SIM_S + (sim_time_t)i);
    ck_assert_uint_eq(pe_freeze_count(pe), 5);
    ck_assert_int_eq(freeze_and_recover(pe, 3601 * SIM_S), PE_FROZE);
    ck_assert_uint_eq(pe_freeze_count(pe), 1);
    pe_destroy(pe);
    /* max_freezes = 0: the first freeze is fatal. */
    struct pe_config c;
    struct diag err;
    pe_config_init(&c, NULL, &err);
    c.max_freezes = 0;
    pe = pe_create(&c, 1);
    ck_assert_int_eq(pe_freeze(pe, 0), PE_NOW_OFFLINE);
    pe_destroy(pe);
}
END_TEST

/* ---- RID -> PE ---------------------------------------------------------- */

START_TEST(vf_rids_follow_offset_and_stride)
{
    uint16_t rid;
    /* PF at 01:00.0 (0x0100), FirstVFOffset 0x80, VFStride 2. */
    ck_assert_int_eq(pcie_vf_rid(0x0100, 0x80, 2, 1, &rid), 0);
    ck_assert_uint_eq(rid, 0x0180);
    ck_assert_int_eq(pcie_vf_rid(0x0100, 0x80, 2, 3, &rid), 0);
    ck_assert_uint_eq(rid, 0x0184);
    ck_assert_int_eq(pcie_vf_rid(0x0100, 1, 1, 64, &rid), 0);
    ck_assert_uint_eq(rid, 0x0140);
    ck_assert_int_eq(pcie_vf_rid(0x0100, 0x80, 2, 0, &rid), -1);
    ck_assert_int_eq(pcie_vf_rid(0xff00, 0x80, 1, 0x80, &rid), 0);
    ck_assert_uint_eq(rid, 0xffff);
    ck_assert_int_eq(pcie_vf_rid(0xff00, 0x80, 1, 0x81, &rid), -1); /* past the RID space */
}
END_TEST

START_TEST(rtt_maps_rids_to_pes)
{
    struct pe_rtt_config c;
    struct diag err;
    ck_assert_int_eq(pe_rtt_config_init(&c, NULL, &err), 0);
    ck_assert_uint_eq(c.pes, 512);
    struct pe_rtt *rtt = pe_rtt_create(&c);
    ck_assert_ptr_nonnull(rtt);
    ck_assert_uint_eq(pe_rtt_lookup(rtt, 0x0100), PE_NONE);
    ck_assert_int_eq(pe_rtt_map(rtt, 0x0100, 1, 0), 0); /* the PF */
    uint16_t rid;
    for (uint32_t n = 1; n <= 4; n++) {
        pcie_vf_rid(0x0100, 0x80, 2, n, &rid);
        ck_assert_int_eq(pe_rtt_map(rtt, rid, 1, n), 0);
    }
    ck_assert_uint_eq(pe_rtt_lookup(rtt, 0x0100), 0);
    ck_assert_uint_eq(pe_rtt_lookup(rtt, 0x0184), 3);
    ck_assert_uint_eq(pe_rtt_lookup(rtt, 0x0185), PE_NONE);
    /* A bus range to one PE. */
    ck_assert_int_eq(pe_rtt_map(rtt, 0x0200, 256, 9), 0);
    ck_assert_uint_eq(pe_rtt_lookup(rtt, 0x02ff), 9);
    ck_assert_uint_eq(pe_rtt_lookup(rtt, 0x0300), PE_NONE);
    ck_assert_int_eq(pe_rtt_map(rtt, 0x0300, 1, 512), -1);
    ck_assert_int_eq(pe_rtt_map(rtt, 0xffff, 2, 1), -1);
    ck_assert_int_eq(pe_rtt_map(rtt, 0xffff, 1, 511), 0);
    ck_assert_uint_eq(pe_rtt_lookup(rtt, 0xffff), 511);
    pe_rtt_destroy(rtt);
}
END_TEST

static Suite *msix_eeh_suite(void)
{
    Suite *s = suite_create("msix_eeh");
    TCase *t = tcase_create("msix");
    tcase_add_test(t, msix_defaults_and_reset_state);
    tcase_add_test(t, msix_disabled_function_sends_and_records_nothing);
    tcase_add_test(t, msix_unmasked_vector_sends_its_message);
    tcase_add_test(t, msix_masked_vector_pends_until_unmasked);
    tcase_add_test(t, msix_function_mask_holds_every_vector);
    tcase_add_test(t, msix_config_layout_and_reserved_bits);
    suite_add_tcase(s, t);
    t = tcase_create("eeh");
    tcase_add_test(t, pe_defaults_come_from_the_descriptor);
    tcase_add_test(t, freeze_effects);
    tcase_add_test(t, thaw_recovery_sequence);
    tcase_add_test(t, reset_recovery_sequence_and_timing);
    tcase_add_test(t, a_freeze_during_recovery_aborts_it);
    tcase_add_test(t, more_than_five_freezes_in_an_hour_is_permanent);
    tcase_add_test(t, the_freeze_count_restarts_after_the_window);
    suite_add_tcase(s, t);
    t = tcase_create("rid");
    tcase_add_test(t, vf_rids_follow_offset_and_stride);
    tcase_add_test(t, rtt_maps_rids_to_pes);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(msix_eeh_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
