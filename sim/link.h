/* sim/link.h — a one-way channel with a fixed latency between two
 * components. The sender never calls the receiver directly: the message
 * (a pointer) is delivered by a kernel event after `latency`, so
 * components stay decoupled and re-entrancy cannot happen. */
#ifndef LPARSIM_SIM_LINK_H
#define LPARSIM_SIM_LINK_H

#include "sim/kernel.h"

typedef void (*link_deliver_fn)(void *dst, void *msg);

struct link {
    struct kernel *k;
    sim_time_t latency;
    link_deliver_fn deliver;
    void *dst;
};

void link_init(struct link *l, struct kernel *k, sim_time_t latency,
               link_deliver_fn deliver, void *dst);
void link_send(struct link *l, void *msg);

#endif
