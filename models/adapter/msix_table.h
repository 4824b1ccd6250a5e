/* models/adapter/msix_table.h — one PCIe function's MSI-X table and
 * pending bit array (PBA).
 *
 * Layout (PCI Express Base Specification, MSI-X capability):
 * up to 2048 vectors, each a 16-byte entry of four dwords: message address
 * low (bits 1:0 read as zero), message address high, message data, vector
 * control (bit 0 = mask); a PBA of one bit per vector; in the capability's
 * Message Control, MSI-X Enable and Function Mask. At reset every vector
 * is masked, the function is not masked and MSI-X is disabled.
 *
 * Two sides:
 *  - device (hot path): msix_table_fire(vector) returns the message to
 *    send, or records a pending bit when the vector or function is masked;
 *  - config (the PF driver / hypervisor path): table and control writes.
 *    Only this side changes the table. An unmask that finds a pending bit
 *    clears it and sends the message through the table's `msi` sink. */
#ifndef LPARSIM_MODELS_ADAPTER_MSIX_TABLE_H
#define LPARSIM_MODELS_ADAPTER_MSIX_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/diag.h"

#define MSIX_MAX_VECTORS 2048
#define MSIX_ENTRY_BYTES 16
#define MSIX_CTRL_MASKBIT 0x1u
/* Dword offsets within an entry. */
#define MSIX_ADDR_LO 0
#define MSIX_ADDR_HI 4
#define MSIX_DATA    8
#define MSIX_CTRL    12

extern const struct schema msix_table_schema;

struct msix_table_config {
    uint32_t vectors; /* 1..2048 */
};

/* From a msix_table_schema node, or the descriptor defaults when cfg is
 * NULL. Returns 0 (the loader has checked the range). */
int msix_table_config_init(struct msix_table_config *c, const struct cfg_node *cfg,
                           struct diag *err);

/* Where released pending messages go (the adapter's upstream MSI write).
 * send may be NULL: messages are then only counted. */
struct msix_sink {
    void (*send)(void *ctx, uint32_t vector, uint64_t addr, uint32_t data);
    void *ctx;
};

enum msix_status {
    MSIX_SENT,       /* unmasked: send (addr, data) */
    MSIX_PENDING,    /* vector or function masked: PBA bit set */
    MSIX_DISABLED,   /* MSI-X Enable clear: nothing sent or recorded */
    MSIX_BAD_VECTOR, /* vector >= the table size */
};

struct msix_fire {
    enum msix_status status;
    uint64_t addr;
    uint32_t data;
};

struct msix_counters {
    uint64_t fired, sent, pended, released, disabled;
};

struct msix_table;

/* NULL on allocation failure. */
struct msix_table *msix_table_create(const struct msix_table_config *c, struct msix_sink msi);
void msix_table_destroy(struct msix_table *t);

/* --- device side (hot path) --- */
struct msix_fire msix_table_fire(struct msix_table *t, uint32_t vector);
bool msix_table_pending(const struct msix_table *t, uint32_t vector);

/* --- config side --- */

/* A dword write into the table at byte `offset` (vector * 16 + 0/4/8/12).
 * Returns the messages released (0 or 1), or -1 for an offset outside
 * the table or not dword aligned. */
int msix_table_write(struct msix_table *t, uint32_t offset, uint32_t value);
/* A dword read of the table / of the PBA (PBA offset: byte offset of a
 * dword in the bit array). -1 outside the array or misaligned. */
int msix_table_read(const struct msix_table *t, uint32_t offset, uint32_t *value);
int msix_table_pba_read(const struct msix_table *t, uint32_t offset, uint32_t *value);
/* Message Control: MSI-X Enable and Function Mask. Clearing the function
 * mask with MSI-X enabled releases every pending vector whose own mask is
 * clear, in vector order. Returns the messages released. */
int msix_table_set_control(struct msix_table *t, bool enable, bool function_mask);
/* Typed helpers over msix_table_write. */
int msix_table_program(struct msix_table *t, uint32_t vector, uint64_t addr, uint32_t data);
int msix_table_mask(struct msix_table *t, uint32_t vector, bool masked);
/* Function-level reset: every vector masked and zeroed, PBA clear,
 * MSI-X disabled, function not masked. */
void msix_table_reset(struct msix_table *t);

/* --- inspection --- */
uint32_t msix_table_vectors(const struct msix_table *t);
bool msix_table_enabled(const struct msix_table *t);
bool msix_table_function_masked(const struct msix_table *t);
bool msix_table_vector_masked(const struct msix_table *t, uint32_t vector);
const struct msix_counters *msix_table_counters(const struct msix_table *t);
const char *msix_status_name(enum msix_status s);

#endif
