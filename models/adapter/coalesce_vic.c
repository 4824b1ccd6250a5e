/* models/adapter/coalesce_vic.c — vIC's epoch (see coalesce_vic.h). */
#include "models/adapter/coalesce_vic.h"

bool vic_epoch_end(struct vic_epoch *ep, const struct vic_config *c, uint64_t completed,
                   sim_time_t len)
{
    double iops = len ? (double)(completed - ep->completed_at_start) / sim_time_to_s(len) : 0;
    ep->completed_at_start = completed;
    ep->busy = iops >= c->iops_threshold;
    return ep->busy;
}
