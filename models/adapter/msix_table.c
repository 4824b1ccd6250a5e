/* models/adapter/msix_table.c — MSI-X table, PBA and mask semantics.
 *
 * Facts: PCI Express Base Specification, MSI-X (16-byte entries, at most
 * 2048 vectors, one PBA bit per vector) and the PCIe MSI-X capability
 * (reset state: vectors masked, MSI-X disabled; a message is held pending
 * while masked and sent when unmasked). The default table size is a
 * modelling choice (see the descriptor). The table and PBA are allocated
 * at create; fire never allocates. */
#include "models/adapter/msix_table.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const struct param_desc msix_table_params[] = {
    { "vectors", PARAM_U64, "", "64",
      "MSI-X table size (PCIe MSI-X: at most 2048; 64 is a modelling "
      "choice: one vector per queue of a multi-queue VF)",
      .min = "1", .max = "2048" },
    { 0 }
};

const struct schema msix_table_schema = {
    .name = "msix_table",
    .doc = "a PCIe function's MSI-X table and pending bit array",
    .params = msix_table_params,
};

struct msix_table {
    uint32_t vectors;
    uint32_t (*entry)[4]; /* addr lo, addr hi, data, vector control */
    uint64_t *pba;
    bool enable, function_mask;
    struct msix_sink msi;
    struct msix_counters n;
};

int msix_table_config_init(struct msix_table_config *c, const struct cfg_node *cfg,
                           struct diag *err)
{
    (void)err;
    c->vectors = (uint32_t)cfg_param(cfg, msix_table_params, "vectors").u;
    return 0;
}

struct msix_table *msix_table_create(const struct msix_table_config *c, struct msix_sink msi)
{
    if (c->vectors == 0 || c->vectors > MSIX_MAX_VECTORS)
        return NULL;
    struct msix_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->vectors = c->vectors;
    t->msi = msi;
    t->entry = calloc(c->vectors, sizeof *t->entry);
    t->pba = calloc((c->vectors + 63) / 64, sizeof *t->pba);
    if (!t->entry || !t->pba) {
        msix_table_destroy(t);
        return NULL;
    }
    msix_table_reset(t);
    return t;
}

void msix_table_destroy(struct msix_table *t)
{
    if (!t)
        return;
    free(t->entry);
    free(t->pba);
    free(t);
}

void msix_table_reset(struct msix_table *t)
{
    memset(t->entry, 0, t->vectors * sizeof *t->entry);
    for (uint32_t v = 0; v < t->vectors; v++)
        t->entry[v][3] = MSIX_CTRL_MASKBIT;
    memset(t->pba, 0, (t->vectors + 63) / 64 * sizeof *t->pba);
    t->enable = false;
    t->function_mask = false;
}

/* ---- PBA ---------------------------------------------------------------- */

static bool pba_get(const struct msix_table *t, uint32_t v)
{
    return (t->pba[v / 64] >> (v % 64)) & 1;
}

static void pba_set(struct msix_table *t, uint32_t v, bool on)
{
    uint64_t bit = UINT64_C(1) << (v % 64);
    t->pba[v / 64] = on ? t->pba[v / 64] | bit : t->pba[v / 64] & ~bit;
}

static uint64_t addr_of(const struct msix_table *t, uint32_t v)
{
    return (uint64_t)t->entry[v][1] << 32 | t->entry[v][0];
}

static bool vector_masked(const struct msix_table *t, uint32_t v)
{
    return t->entry[v][3] & MSIX_CTRL_MASKBIT;
}

/* ---- device side -------------------------------------------------------- */

struct msix_fire msix_table_fire(struct msix_table *t, uint32_t vector)
{
    struct msix_fire f = { .status = MSIX_BAD_VECTOR };
    if (vector >= t->vectors)
        return f;
    t->n.fired++;
    if (!t->enable) {
        t->n.disabled++;
        f.status = MSIX_DISABLED;
    } else if (t->function_mask || vector_masked(t, vector)) {
        pba_set(t, vector, true);
        t->n.pended++;
        f.status = MSIX_PENDING;
    } else {
        t->n.sent++;
        f = (struct msix_fire){ MSIX_SENT, addr_of(t, vector), t->entry[vector][2] };
    }
    return f;
}

bool msix_table_pending(const struct msix_table *t, uint32_t vector)
{
    return vector < t->vectors && pba_get(t, vector);
}

/* ---- config side -------------------------------------------------------- */

/* Sends vector's pending message if nothing masks it any more. */
static int release(struct msix_table *t, uint32_t v)
{
    if (!t->enable || t->function_mask || vector_masked(t, v) || !pba_get(t, v))
        return 0;
    pba_set(t, v, false);
    t->n.released++;
    if (t->msi.send)
        t->msi.send(t->msi.ctx, v, addr_of(t, v), t->entry[v][2]);
    return 1;
}

int msix_table_write(struct msix_table *t, uint32_t offset, uint32_t value)
{
    if (offset % 4 || offset / MSIX_ENTRY_BYTES >= t->vectors)
        return -1;
    uint32_t v = offset / MSIX_ENTRY_BYTES, dw = offset % MSIX_ENTRY_BYTES / 4;
    switch (dw) {
    case 0: value &= ~3u; break;               /* address is dword aligned */
    case 3: value &= MSIX_CTRL_MASKBIT; break; /* other control bits reserved */
    default: break;
    }
    t->entry[v][dw] = value;
    return dw == 3 ? release(t, v) : 0;
}

int msix_table_read(const struct msix_table *t, uint32_t offset, uint32_t *value)
{
    if (offset % 4 || offset / MSIX_ENTRY_BYTES >= t->vectors)
        return -1;
    *value = t->entry[offset / MSIX_ENTRY_BYTES][offset % MSIX_ENTRY_BYTES / 4];
    return 0;
}

int msix_table_pba_read(const struct msix_table *t, uint32_t offset, uint32_t *value)
{
    uint32_t words = (t->vectors + 63) / 64;
    if (offset % 4 || offset / 8 >= words)
        return -1;
    *value = (uint32_t)(t->pba[offset / 8] >> (offset % 8 ? 32 : 0));
    return 0;
}

int msix_table_set_control(struct msix_table *t, bool enable, bool function_mask)
{
    t->enable = enable;
    t->function_mask = function_mask;
    int released = 0;
    for (uint32_t v = 0; v < t->vectors; v++)
        released += release(t, v);
    return released;
}

int msix_table_program(struct msix_table *t, uint32_t vector, uint64_t addr, uint32_t data)
{
    uint32_t base = vector * MSIX_ENTRY_BYTES;
    if (vector >= t->vectors)
        return -1;
    msix_table_write(t, base + MSIX_ADDR_LO, (uint32_t)addr);
    msix_table_write(t, base + MSIX_ADDR_HI, (uint32_t)(addr >> 32));
    msix_table_write(t, base + MSIX_DATA, data);
    return 0;
}

int msix_table_mask(struct msix_table *t, uint32_t vector, bool masked)
{
    if (vector >= t->vectors)
        return -1;
    return msix_table_write(t, vector * MSIX_ENTRY_BYTES + MSIX_CTRL,
                            masked ? MSIX_CTRL_MASKBIT : 0);
}

/* ---- inspection --------------------------------------------------------- */

uint32_t msix_table_vectors(const struct msix_table *t) { return t->vectors; }
bool msix_table_enabled(const struct msix_table *t) { return t->enable; }
bool msix_table_function_masked(const struct msix_table *t) { return t->function_mask; }

bool msix_table_vector_masked(const struct msix_table *t, uint32_t vector)
{
    return vector < t->vectors && vector_masked(t, vector);
}

const struct msix_counters *msix_table_counters(const struct msix_table *t)
{
    return &t->n;
}

const char *msix_status_name(enum msix_status s)
{
    switch (s) {
    case MSIX_SENT: return "sent";
    case MSIX_PENDING: return "pending";
    case MSIX_DISABLED: return "disabled";
    case MSIX_BAD_VECTOR: return "bad vector";
    }
    return "?";
}
