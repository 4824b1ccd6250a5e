/* models/hypervisor/virtual_device.c — an emulated virtual device standing
 * in for a VF (see virtual_device.h). */
#include "models/hypervisor/virtual_device.h"

#include <stdio.h>
#include <stdlib.h>

#include "models/guest/vf_driver.h"

struct virtual_device {
    struct env *env;
    struct lpar_device *d;
    sim_time_t per_io;
    struct io_sink saved;     /* the device's sink while attached */
    bool attached;
    uint64_t ios, in_flight;
    char path[160];
};

static void on_served(void *ctx, uint64_t arg)
{
    if (io_req_stale(arg))
        return;
    struct io_req *r = io_req_from(arg);
    ((struct virtual_device *)ctx)->in_flight--;
    r->status = IO_OK;
    r->t_visible = r->t_service = kernel_now(((struct virtual_device *)ctx)->env->k);
    r->done->complete(r->done->ctx, r);
}

static void submit(void *ctx, struct io_req *r)
{
    struct virtual_device *v = ctx;
    r->holder = v;
    r->t_queued = r->t_arrived = kernel_now(v->env->k);
    v->ios++;
    v->in_flight++;
    kernel_schedule_in(v->env->k, v->per_io, on_served, v, io_req_arg(r));
}

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct virtual_device *v = ctx;
    recorder_scalar(v->env->rec, v->path, "ios", "", (double)v->ios);
}

struct virtual_device *virtual_device_create(struct env *e, struct lpar_device *d,
                                             sim_time_t per_io)
{
    struct virtual_device *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    *v = (struct virtual_device){ .env = e, .d = d, .per_io = per_io };
    snprintf(v->path, sizeof v->path, "%s.virtual", d->path);
    env_on_finish(e, on_finish, v);
    return v;
}

void virtual_device_destroy(struct virtual_device *v)
{
    free(v);
}

void virtual_device_attach(struct virtual_device *v)
{
    if (!v || v->attached)
        return;
    v->saved = v->d->sink;
    v->d->sink = (struct io_sink){ submit, v };
    v->d->alt_holder = v;
    v->attached = true;
}

void virtual_device_detach(struct virtual_device *v)
{
    if (!v || !v->attached)
        return;
    v->d->sink = v->saved;
    v->attached = false; /* alt_holder stays: what it still holds completes */
}

bool virtual_device_attached(const struct virtual_device *v)
{
    return v->attached;
}

uint64_t virtual_device_in_flight(const struct virtual_device *v)
{
    return v ? v->in_flight : 0;
}

uint64_t virtual_device_ios(const struct virtual_device *v)
{
    return v->ios;
}
