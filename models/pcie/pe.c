/* models/pcie/pe.c — EEH state of a partitionable endpoint; RID -> PE.
 *
 * Numbers: Linux arch/powerpc/kernel/eeh.c and eeh_pe.c (slot states;
 * freeze effects; reset hold 250 ms, EEH_PE_RST_HOLD_TIME, and settle
 * 1800 ms, EEH_PE_RST_SETTLE_TIME, ~2.05 s per reset recovery; more than
 * eeh_max_freezes = 5 freezes in an hour = permanently offline, counted as
 * eeh_pe_update_time_stamp does), skiboot hw/phb4.c (512 PEs per PHB4,
 * RID -> PE via the RTT) and the PCI SR-IOV specification (VF RID rule). The freeze-clear, configure and restore durations are
 * modelling choices (firmware calls and config-space writes: micro-
 * seconds), documented in the descriptor and docs/model-state-machines.md. */
#include "models/pcie/pe.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const struct param_desc pe_params[] = {
    { "thaw", PARAM_TIME, "ns", "10us",
      "one freeze-clear call, MMIO or DMA (modelling choice: a firmware call, "
      "microseconds)" },
    { "reset_hold", PARAM_TIME, "ns", "250ms",
      "reset asserted for (Linux EEH_PE_RST_HOLD_TIME: 250 ms)" },
    { "reset_settle", PARAM_TIME, "ns", "1800ms",
      "settle after reset deassert (Linux EEH_PE_RST_SETTLE_TIME: 1800 ms)" },
    { "configure", PARAM_TIME, "ns", "10us",
      "configure the PE after reset (modelling choice: a firmware call)" },
    { "restore", PARAM_TIME, "ns", "100us",
      "restore BARs and config space (modelling choice: tens of config writes "
      "of a few microseconds)" },
    { "max_freezes", PARAM_U64, "", "5",
      "freezes tolerated per window; one more = permanently offline (Linux "
      "eeh_max_freezes: 5)", .min = "0", .max = "1000000" },
    { "freeze_window", PARAM_TIME, "ns", "3600s",
      "window the freeze count covers, from its first freeze (Linux "
      "eeh_pe_update_time_stamp: 3600 s)", .min = "1s" },
    { 0 }
};

const struct schema pe_schema = {
    .name = "pe",
    .doc = "a partitionable endpoint's EEH state and recovery timing",
    .params = pe_params,
};

static const struct param_desc pe_rtt_params[] = {
    { "pes", PARAM_U64, "", "512",
      "PEs of the PHB (skiboot: 512 on PHB4, 256 on PHB3)",
      .min = "1", .max = "65535" },
    { 0 }
};

const struct schema pe_rtt_schema = {
    .name = "pe_rtt",
    .doc = "a PHB's requester ID -> PE table",
    .params = pe_rtt_params,
};

int pe_config_init(struct pe_config *c, const struct cfg_node *cfg, struct diag *err)
{
    (void)err;
    c->thaw_ps = cfg_param(cfg, pe_params, "thaw").u;
    c->reset_hold_ps = cfg_param(cfg, pe_params, "reset_hold").u;
    c->reset_settle_ps = cfg_param(cfg, pe_params, "reset_settle").u;
    c->configure_ps = cfg_param(cfg, pe_params, "configure").u;
    c->restore_ps = cfg_param(cfg, pe_params, "restore").u;
    c->max_freezes = (uint32_t)cfg_param(cfg, pe_params, "max_freezes").u;
    c->freeze_window_ps = cfg_param(cfg, pe_params, "freeze_window").u;
    return 0;
}

/* ---- recovery sequences ------------------------------------------------- */

struct step_def {
    enum pe_step step;
    enum pe_slot_state state; /* after the step */
};

static const struct step_def thaw_seq[] = {
    { PE_STEP_THAW_MMIO, PE_STATE_MMIO_ONLY },
    { PE_STEP_MMIO_ENABLED, PE_STATE_MMIO_ONLY },
    { PE_STEP_THAW_DMA, PE_STATE_NORMAL },
    { PE_STEP_RESUME, PE_STATE_NORMAL },
    { PE_STEP_DONE, PE_STATE_NORMAL },
};

static const struct step_def reset_seq[] = {
    { PE_STEP_RESET_ASSERT, PE_STATE_RESET },
    { PE_STEP_RESET_DEASSERT, PE_STATE_UNAVAILABLE },
    { PE_STEP_CONFIGURE, PE_STATE_NORMAL },
    { PE_STEP_RESTORE, PE_STATE_NORMAL },
    { PE_STEP_SLOT_RESET, PE_STATE_NORMAL },
    { PE_STEP_RESUME, PE_STATE_NORMAL },
    { PE_STEP_DONE, PE_STATE_NORMAL },
};

struct pe {
    struct pe_config cfg;
    uint32_t number;
    enum pe_slot_state state;
    bool offline;
    const struct step_def *next; /* next recovery step; NULL = none */
    enum pe_recovery kind;
    bool aborted;                /* report PE_STEP_ABORTED once */
    bool reset_done;             /* reset deasserted on a live device, not yet configured */
    uint32_t freeze_count;
    sim_time_t freeze_stamp;
    sim_time_t last_freeze;
    struct pe_counters n;
};

static sim_time_t step_duration(const struct pe_config *c, enum pe_step s)
{
    switch (s) {
    case PE_STEP_THAW_MMIO:
    case PE_STEP_THAW_DMA: return c->thaw_ps;
    case PE_STEP_RESET_ASSERT: return c->reset_hold_ps;
    case PE_STEP_RESET_DEASSERT: return c->reset_settle_ps;
    case PE_STEP_CONFIGURE: return c->configure_ps;
    case PE_STEP_RESTORE: return c->restore_ps;
    default: return 0; /* driver callbacks: the driver model's time */
    }
}

/* ---- PE ----------------------------------------------------------------- */

struct pe *pe_create(const struct pe_config *c, uint32_t pe_number)
{
    struct pe *pe = calloc(1, sizeof *pe);
    if (!pe)
        return NULL;
    pe->cfg = *c;
    pe->number = pe_number;
    pe->state = PE_STATE_NORMAL;
    return pe;
}

void pe_destroy(struct pe *pe)
{
    free(pe);
}

/* Linux (eeh_pe_update_time_stamp + freeze_count++): the count restarts
 * when more than the window has passed since its first freeze. */
static bool count_freeze(struct pe *pe, sim_time_t now)
{
    if (pe->freeze_count == 0 || now - pe->freeze_stamp > pe->cfg.freeze_window_ps) {
        pe->freeze_stamp = now;
        pe->freeze_count = 0;
    }
    pe->freeze_count++;
    return pe->freeze_count > pe->cfg.max_freezes;
}

enum pe_freeze_result pe_freeze(struct pe *pe, sim_time_t now)
{
    if (pe->offline)
        return PE_IS_OFFLINE;
    if (pe->state == PE_STATE_FROZEN || pe->state == PE_STATE_RESET ||
        pe->state == PE_STATE_UNAVAILABLE)
        return PE_ALREADY_FROZEN; /* seen again, or the slot is held in reset */
    if (pe->next) {
        pe->next = NULL;
        pe->aborted = true;
        pe->n.aborted_recoveries++;
    }
    pe->state = PE_STATE_FROZEN;
    pe->reset_done = false;
    pe->last_freeze = now;
    pe->n.freezes++;
    if (count_freeze(pe, now)) {
        pe->offline = true;
        return PE_NOW_OFFLINE;
    }
    return PE_FROZE;
}

static bool mmio_open(const struct pe *pe)
{
    return !pe->offline &&
           (pe->state == PE_STATE_NORMAL || pe->state == PE_STATE_MMIO_ONLY);
}

enum pe_verdict pe_mmio_read(struct pe *pe)
{
    if (mmio_open(pe))
        return PE_PASS;
    pe->n.reads_all_ones++;
    return PE_ALL_ONES;
}

enum pe_verdict pe_mmio_write(struct pe *pe)
{
    if (mmio_open(pe))
        return PE_PASS;
    pe->n.writes_dropped++;
    return PE_DROP;
}

enum pe_verdict pe_dma(struct pe *pe)
{
    if (!pe->offline && pe->state == PE_STATE_NORMAL)
        return PE_PASS;
    pe->n.dma_dropped++;
    return PE_DROP;
}

enum pe_verdict pe_msi(struct pe *pe)
{
    /* A frozen PE still interrupts (EEH stops MMIO and DMA, not MSIs); a
     * device held in reset, settling, or removed for good sends nothing. */
    if (!pe->offline && pe->state != PE_STATE_RESET && pe->state != PE_STATE_UNAVAILABLE) {
        pe->n.msi_delivered++;
        return PE_PASS;
    }
    pe->n.msi_dropped++;
    return PE_DROP;
}

uint64_t pe_all_ones(unsigned bytes)
{
    return bytes >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * bytes)) - 1;
}

/* ---- recovery ----------------------------------------------------------- */

int pe_recovery_start(struct pe *pe, enum pe_recovery kind)
{
    if (pe->offline || pe->next || pe->state != PE_STATE_FROZEN)
        return -1;
    pe->kind = kind;
    pe->next = kind == PE_RECOVER_THAW ? thaw_seq : reset_seq;
    pe->aborted = false;
    return 0;
}

struct pe_step_result pe_recovery_step(struct pe *pe)
{
    struct pe_step_result r = { PE_STEP_DONE, pe->state, 0 };
    if (!pe->next) {
        if (pe->aborted) {
            pe->aborted = false;
            r.step = PE_STEP_ABORTED;
        }
        return r;
    }
    const struct step_def *s = pe->next;
    pe->state = s->state;
    r = (struct pe_step_result){ s->step, s->state, step_duration(&pe->cfg, s->step) };
    pe->next = s[1].step == PE_STEP_DONE ? NULL : s + 1;
    if (s->step == PE_STEP_RESUME) {
        if (pe->kind == PE_RECOVER_THAW)
            pe->n.thaw_recoveries++;
        else
            pe->n.reset_recoveries++;
    }
    return r;
}

sim_time_t pe_recovery_duration(const struct pe *pe, enum pe_recovery kind)
{
    sim_time_t sum = 0;
    for (const struct step_def *s = kind == PE_RECOVER_THAW ? thaw_seq : reset_seq;
         s->step != PE_STEP_DONE; s++)
        sum += step_duration(&pe->cfg, s->step);
    return sum;
}

/* ---- RTAS primitives ------------------------------------------------------ */

sim_time_t pe_thaw_mmio(struct pe *pe)
{
    if (!pe->offline && pe->state == PE_STATE_FROZEN)
        pe->state = PE_STATE_MMIO_ONLY;
    return pe->cfg.thaw_ps;
}

/* PAPR's order: DMA is enabled once MMIO is (state 4 -> 0); a slot still
 * stopped (2) has no state with DMA alone enabled, and stays stopped. */
sim_time_t pe_thaw_dma(struct pe *pe)
{
    if (!pe->offline && pe->state == PE_STATE_MMIO_ONLY)
        pe->state = PE_STATE_NORMAL;
    return pe->cfg.thaw_ps;
}

sim_time_t pe_reset_assert(struct pe *pe)
{
    if (!pe->offline)
        pe->state = PE_STATE_RESET;
    return pe->cfg.reset_hold_ps;
}

sim_time_t pe_reset_deassert(struct pe *pe, bool device_alive)
{
    if (!pe->offline && pe->state == PE_STATE_RESET) {
        pe->state = device_alive ? PE_STATE_FROZEN : PE_STATE_UNAVAILABLE;
        pe->reset_done = device_alive;
    }
    return pe->cfg.reset_settle_ps;
}

/* Configuring completes a reset: a PE frozen by an error and never reset
 * stays frozen. */
sim_time_t pe_configure(struct pe *pe)
{
    if (!pe->offline && pe->state == PE_STATE_FROZEN && pe->reset_done)
        pe->state = PE_STATE_NORMAL;
    pe->reset_done = false;
    return pe->cfg.configure_ps;
}

sim_time_t pe_restore_time(const struct pe *pe)
{
    return pe->cfg.restore_ps;
}

sim_time_t pe_thaw_time(const struct pe *pe)
{
    return pe->cfg.thaw_ps;
}

void pe_set_offline(struct pe *pe)
{
    pe->offline = true;
}

sim_time_t pe_last_freeze(const struct pe *pe)
{
    return pe->last_freeze;
}

enum pe_slot_state pe_state(const struct pe *pe) { return pe->state; }
bool pe_offline(const struct pe *pe) { return pe->offline; }
bool pe_recovering(const struct pe *pe) { return pe->next != NULL; }
uint32_t pe_number(const struct pe *pe) { return pe->number; }
uint32_t pe_freeze_count(const struct pe *pe) { return pe->freeze_count; }
const struct pe_counters *pe_counters(const struct pe *pe) { return &pe->n; }

const char *pe_step_name(enum pe_step s)
{
    static const char *const names[] = {
        "done", "thaw MMIO", "mmio_enabled", "thaw DMA", "assert reset",
        "deassert reset", "configure PE", "restore BARs/config", "slot_reset",
        "resume", "aborted",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* ---- RID -> PE ---------------------------------------------------------- */

int pcie_vf_rid(uint16_t pf_rid, uint16_t first_vf_offset, uint16_t vf_stride,
                uint32_t n, uint16_t *rid)
{
    if (n == 0)
        return -1;
    uint64_t r = (uint64_t)pf_rid + first_vf_offset + (uint64_t)(n - 1) * vf_stride;
    if (r > UINT16_MAX)
        return -1;
    *rid = (uint16_t)r;
    return 0;
}

#define RTT_ENTRIES 65536
#define RTT_NONE UINT16_MAX

struct pe_rtt {
    uint32_t pes;
    uint16_t pe_of[RTT_ENTRIES];
};

int pe_rtt_config_init(struct pe_rtt_config *c, const struct cfg_node *cfg, struct diag *err)
{
    (void)err;
    c->pes = (uint32_t)cfg_param(cfg, pe_rtt_params, "pes").u;
    return 0;
}

struct pe_rtt *pe_rtt_create(const struct pe_rtt_config *c)
{
    if (c->pes == 0 || c->pes >= RTT_NONE)
        return NULL;
    struct pe_rtt *rtt = malloc(sizeof *rtt);
    if (!rtt)
        return NULL;
    rtt->pes = c->pes;
    memset(rtt->pe_of, 0xff, sizeof rtt->pe_of);
    return rtt;
}

void pe_rtt_destroy(struct pe_rtt *rtt)
{
    free(rtt);
}

int pe_rtt_map(struct pe_rtt *rtt, uint16_t rid, uint32_t count, uint32_t pe_num)
{
    if (pe_num >= rtt->pes || count > RTT_ENTRIES - (uint32_t)rid)
        return -1;
    for (uint32_t i = 0; i < count; i++)
        rtt->pe_of[rid + i] = (uint16_t)pe_num;
    return 0;
}

void pe_rtt_unmap(struct pe_rtt *rtt, uint16_t rid, uint32_t count)
{
    for (uint32_t i = 0; i < count && (uint32_t)rid + i < RTT_ENTRIES; i++)
        rtt->pe_of[rid + i] = RTT_NONE;
}

uint32_t pe_rtt_lookup(const struct pe_rtt *rtt, uint16_t rid)
{
    uint16_t p = rtt->pe_of[rid];
    return p == RTT_NONE ? PE_NONE : p;
}
