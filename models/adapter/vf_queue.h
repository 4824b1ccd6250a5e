/* models/adapter/vf_queue.h — one VF's request queue in front of the
 * device: FIFO, `servers` parallel service units, a service-time
 * distribution. This is the queue the M/M/1, M/D/1 and M/M/c validation
 * rows check. */
#ifndef LPARSIM_MODELS_ADAPTER_VF_QUEUE_H
#define LPARSIM_MODELS_ADAPTER_VF_QUEUE_H

#include "models/io.h"
#include "sim/config.h"
#include "sim/env.h"

struct vf_queue;

/* `cfg` is the adapter's configuration node (adapter_schema). */
struct vf_queue *vf_queue_create(struct env *e, const char *path,
                                 const struct cfg_node *cfg);
void vf_queue_destroy(struct vf_queue *q);

/* The entry requests are submitted to (wired to an LPAR by the builder). */
struct io_sink vf_queue_sink(struct vf_queue *q);
/* The VF was reset: commands waiting for a service unit are aborted (the
 * OS takes them back); those in service finish, and are not sent back
 * if the OS took them back meanwhile (io_req_stale). */
void vf_queue_reset(struct vf_queue *q);
bool vf_queue_holds(const struct vf_queue *q, const struct io_req *r);

#endif
