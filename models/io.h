/* models/io.h — an I/O request and the ports it travels through.
 *
 * A request is owned by the LPAR that issued it (it comes from the LPAR's
 * pool) and is handed from component to component by pointer; no copy,
 * no allocation per I/O. Each holder records itself in `holder`, so the
 * LPAR can tell at the end of a run whether an outstanding request is
 * still somewhere in the machine (in flight) or was dropped (lost). */
#ifndef LPARSIM_MODELS_IO_H
#define LPARSIM_MODELS_IO_H

#include <stdint.h>

#include "sim/time.h"

enum io_op { IO_READ, IO_WRITE };
enum io_status { IO_OK, IO_ERROR };

struct io_req;

/* Where a component sends requests (a VF queue's submit entry). */
struct io_sink {
    void (*submit)(void *ctx, struct io_req *r);
    void *ctx;
};

/* Where a request reports back when the device has finished with it. */
struct io_done {
    void (*complete)(void *ctx, struct io_req *r);
    void *ctx;
};

struct io_req {
    uint64_t seq;            /* I/O number within its LPAR, from 1 */
    uint64_t tag;            /* the workload's cookie */
    sim_time_t t_submit;     /* driver submit: latency starts here */
    sim_time_t t_queued;     /* arrived at the device queue */
    sim_time_t t_service;    /* device service started */
    uint32_t bytes;
    uint8_t op;              /* enum io_op */
    uint8_t status;          /* enum io_status */
    uint8_t in_use;
    const void *holder;      /* component holding it; NULL once dropped */
    const struct io_done *done;
    struct io_req *next;     /* intrusive: device queue or free list */
};

/* What a workload asks of an LPAR, and how it hears back. */
struct io_spec {
    uint32_t bytes;
    uint8_t op;
    uint64_t tag;
};

struct io_issue_port {
    /* Returns 0 if the I/O was issued, -1 if it failed at once (visible
     * as ios_failed: no queue space). */
    int (*issue)(void *ctx, const struct io_spec *spec);
    void *ctx;
};

struct io_notify_port {
    void (*completed)(void *ctx, uint64_t tag, enum io_status st);
    void *ctx;
};

#endif
