/* workloads/workload.h — what an LPAR runs: one entry of its `workloads`
 * list (or its single `workload`), of one kind:
 *   storage  block I/O on the LPAR's VF: open-loop rate or closed-loop
 *            depth, block-size mix, read/write mix, random/sequential
 *   network  packets on the LPAR's VF: TX at a rate, RX arriving from
 *            the wire at a rate, packet-size mix
 *   compute  work items of so many cycles on the LPAR's VPs
 *   dirty    memory writes at a rate over a working set (what live
 *            migration's pre-copy has to send again)
 *   replay   an I/O trace read from a CSV file
 * One schema (workload_schema) holds every kind's parameters; a scenario
 * that sets a parameter its kind does not use is refused by
 * workload_check, at the parameter's location. */
#ifndef LPARSIM_WORKLOADS_WORKLOAD_H
#define LPARSIM_WORKLOADS_WORKLOAD_H

#include "models/io.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

extern const struct schema workload_schema;

/* The LPAR's side, wired by the machine builder. A kind uses only its
 * own: storage, network and replay `io`; compute `cpu` (run, vps >= 1);
 * dirty `mem` (dirty, pages, page_size). The others may be left zero.
 * Every I/O is issued with io_spec.notify = a port owned by the workload
 * (the LPAR must call it, not a port of its own, on completion) and
 * io_spec.tag = the issue time in ps (returned unchanged: io_latency). */
struct workload_ports {
    struct io_issue_port io;
    struct cpu_work_port cpu;
    struct mem_dirty_port mem;
    /* Record the workload's own `latency` statistic: false when it is
     * the LPAR's only I/O workload, whose io_latency is then the same. */
    bool own_latency;
};

struct workload;

/* Whether the kind issues I/O (storage, network, replay). */
bool workload_does_io(const struct cfg_node *cfg);

/* The largest I/O a storage or network workload issues (its size, or
 * the largest of its mix), and the value node that sets it, for the
 * machine's check against the driver's buffers; 0 for the other kinds
 * (a replayed trace is checked I/O by I/O: its driver fails what it
 * cannot take). Call after workload_check. */
uint64_t workload_largest_io(const struct cfg_node *cfg, const struct cfg_node **where);

/* Whether the parameter `name` of the workload node cfg means anything
 * for its kind (`tx_rate` does not for a storage workload). */
bool workload_param_applies(const struct cfg_node *cfg, const char *name);

/* Semantic checks the schema cannot express (parameters of another kind,
 * a replay file that cannot be read or parsed: FILE:LINE:COL of the CSV).
 * A relative replay path is resolved against the directory of the
 * scenario file that names it. 0, or -1 with *err. */
int workload_check(const struct cfg_node *cfg, struct diag *err);

/* `path` names the component and its random stream ("lpar.db1.oltp").
 * Checks what workload_check checks (it need not have been called), and
 * what only the wiring knows: the port the kind needs is there, a dirty
 * working set fits the LPAR's memory. NULL with *err (located in the
 * scenario, or in the CSV) otherwise or on allocation failure. Registers
 * its finish hook with e; destroy it after the run. */
struct workload *workload_create(struct env *e, const char *path, const struct cfg_node *cfg,
                                 const struct workload_ports *ports, struct diag *err);
/* Schedules the first arrivals; call after env_start. */
void workload_start(struct workload *w);
/* The same, but not before t (its LPAR starts running then); and whether
 * the scenario gave `start` explicitly (then it holds, I/O issued before
 * the LPAR runs waits there). */
void workload_start_from(struct workload *w, sim_time_t t);
bool workload_start_given(const struct workload *w);
void workload_destroy(struct workload *w);

#endif
