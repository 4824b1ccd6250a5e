/* models/adapter/adapter.h — an SR-IOV adapter in a PCIe slot: a physical
 * function (PF) and `vfs` virtual functions (at most `max_vfs`).
 *
 * Two paths (the `path` parameter):
 *  - hardware (default): each VF is a PCIe function (models/adapter/vf.h)
 *    behind the slot's PHB: doorbells, DMA engine, MSI-X, moderation; the
 *    device's service stage is a per-VF media queue (storage) or the
 *    adapter's Ethernet port shared by all VFs (network);
 *  - abstract: only the per-VF media queue, reached after
 *    `submit_latency` and answering after `completion_latency`: the
 *    queueing model the closed-form validation rows check.
 * VF configuration goes through the PF: queue pairs, MSI-X entries. */
#ifndef LPARSIM_MODELS_ADAPTER_ADAPTER_H
#define LPARSIM_MODELS_ADAPTER_ADAPTER_H

#include <stdbool.h>

#include "models/io.h"
#include "models/pcie/pcie_ports.h"
#include "sim/config.h"
#include "sim/env.h"

extern const struct schema adapter_schema;
extern const struct schema storage_service_schema; /* its media service time */

struct adapter;

/* Builds the adapter described by `cfg` (an adapter_schema node) with
 * components named PATH.vf0, PATH.vf1, ... `up` is the slot's PHB
 * (ignored on the abstract path). */
struct adapter *adapter_create(struct env *e, const char *path, const struct cfg_node *cfg,
                               struct pcie_upstream up);
void adapter_destroy(struct adapter *a);

bool adapter_is_abstract(const struct adapter *a);

/* ---- abstract path ---- */
struct io_sink adapter_vf_sink(struct adapter *a, unsigned vf);
sim_time_t adapter_submit_latency(const struct adapter *a);

/* ---- hardware path ---- */
uint16_t adapter_vf_rid(const struct adapter *a, unsigned vf);
uint32_t adapter_queue_pairs(const struct adapter *a);
struct mmio_target adapter_vf_bar(struct adapter *a, unsigned vf);
struct io_sink adapter_vf_receive(struct adapter *a, unsigned vf);
/* PF services (what the PF driver does for the hypervisor). */
int adapter_pf_attach_queue(struct adapter *a, unsigned vf, uint32_t qp, struct io_qmem *mem,
                            uint32_t vector);
/* Programs MSI-X vector `vector` of the VF (address, data), unmasks it
 * and enables MSI-X. */
int adapter_pf_program_msix(struct adapter *a, unsigned vf, uint32_t vector, uint64_t addr,
                            uint32_t data);
/* The inverses, for a VF taken away or reset while the machine runs. */
int adapter_pf_detach_queue(struct adapter *a, unsigned vf, uint32_t qp);
/* Function-level reset of the VF (vf.h vf_reset) and of its media queue
 * (commands waiting there are aborted). */
int adapter_pf_reset_vf(struct adapter *a, unsigned vf);

/* Queue state moved VF -> hypervisor -> VF (an adapter switch): how far
 * VF vf fetched queue pair qp's SQ, and attaching another VF at that
 * head; replaying on VF vf a command another VF held (r->queue set). */
uint32_t adapter_pf_queue_head(const struct adapter *a, unsigned vf, uint32_t qp);
int adapter_pf_attach_queue_at(struct adapter *a, unsigned vf, uint32_t qp, struct io_qmem *mem,
                               uint32_t vector, uint32_t head);
int adapter_pf_replay(struct adapter *a, unsigned vf, struct io_req *r);

/* ---- state, for the hypervisor and the conservation check ---- */
/* Which VFs are assigned (the hypervisor marks them); the lowest free
 * one, or -1. */
void adapter_vf_set_assigned(struct adapter *a, unsigned vf, bool assigned);
bool adapter_vf_assigned(const struct adapter *a, unsigned vf);
int adapter_free_vf(const struct adapter *a);
/* The VF whose RID this is, or UINT32_MAX. */
uint32_t adapter_rid_vf(const struct adapter *a, uint16_t rid);
/* Whether r is at VF vf (function, media queue or port), even if the
 * adapter failed: what an adapter switch replays. */
bool adapter_vf_held(const struct adapter *a, unsigned vf, const struct io_req *r);
/* Completions VF vf wrote since the adapter was built (hardware path;
 * never reset): the transfers an interrupt manager counts. */
uint64_t adapter_vf_completions(const struct adapter *a, unsigned vf);
bool adapter_failed(const struct adapter *a);
/* Its Ethernet port is up (always, for a storage adapter). */
bool adapter_port_up(const struct adapter *a);
/* When it failed, or its port went down, if it is so now; else 0. */
sim_time_t adapter_fault_time(const struct adapter *a);
bool adapter_is_network(const struct adapter *a);
unsigned adapter_vfs(const struct adapter *a);
const char *adapter_path(const struct adapter *a);
/* Whether VF vf (its function, media queue or the port) holds r now. */
bool adapter_vf_holds(const struct adapter *a, unsigned vf, const struct io_req *r);
/* Whether queue pair qp of VF vf is attached to the rings at mem. */
bool adapter_vf_queue_attached(const struct adapter *a, unsigned vf, uint32_t qp,
                               const struct io_qmem *mem);

/* What a timeline may do to an adapter (fail, repair) and to one of its
 * VFs (freeze: the function reports an uncorrectable error and the root
 * complex freezes its PE). Registered as "S.A" and "S.A.vfN". */
extern const struct component_ops adapter_ops;
extern const struct component_ops adapter_vf_ops;

#endif
