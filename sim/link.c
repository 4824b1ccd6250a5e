/* sim/link.c — fixed-latency channel (see link.h). */
#include "sim/link.h"

#include <stdint.h>

void link_init(struct link *l, struct kernel *k, sim_time_t latency,
               link_deliver_fn deliver, void *dst)
{
    l->k = k;
    l->latency = latency;
    l->deliver = deliver;
    l->dst = dst;
}

static void link_fire(void *ctx, uint64_t msg)
{
    const struct link *l = ctx;
    l->deliver(l->dst, (void *)(uintptr_t)msg);
}

void link_send(struct link *l, void *msg)
{
    kernel_schedule_in(l->k, l->latency, link_fire, l, (uint64_t)(uintptr_t)msg);
}
