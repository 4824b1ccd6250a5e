/* workloads/replay_trace.h — internal to workloads/: an I/O trace read
 * from a CSV file, once, when the machine is built (replay_trace.c
 * documents the format). The replay kind (replay.c) walks its rows. */
#ifndef LPARSIM_WORKLOADS_REPLAY_TRACE_H
#define LPARSIM_WORKLOADS_REPLAY_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/time.h"

struct replay_row {
    sim_time_t t;     /* after time_scale, from the trace's zero */
    uint64_t offset;
    uint32_t bytes;
    uint8_t op;       /* enum io_op */
};

struct replay_trace {
    struct replay_row *rows; /* in time order */
    size_t n;                /* >= 1 once loaded */
    /* What one pass lasts when the trace loops: its span plus its mean gap
     * between rows, so an evenly spaced trace repeats seamlessly. 0 when
     * every row is at the same time (such a trace cannot loop). */
    sim_time_t period;
};

/* Reads and checks the CSV at `path`, times multiplied by `time_scale`.
 * A file that cannot be read is reported at `where` (the `file` value in
 * the scenario); anything wrong inside it at PATH:LINE:COL of the CSV.
 * 0, or -1 with *err and nothing allocated. */
int replay_trace_load(struct replay_trace *t, const char *path, double time_scale,
                      const struct src_loc *where, struct diag *err);
void replay_trace_free(struct replay_trace *t);

#endif
