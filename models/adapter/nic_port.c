/* models/adapter/nic_port.c — Ethernet port (see nic_port.h). */
#include "models/adapter/nic_port.h"

#include <stdio.h>
#include <stdlib.h>

enum { NIC_TX, NIC_RX, NIC_DIRS };

struct nic_dir {
    sim_time_t busy_until;
    sim_time_t busy;        /* wire time committed since the warm-up */
    uint64_t packets, bytes;
};

struct nic_port {
    struct env *env;
    char path[128];
    double ps_per_byte;
    struct nic_dir dir[NIC_DIRS];
    sim_time_t window_start;
};

static void frame_done(void *ctx, uint64_t msg)
{
    (void)ctx;
    struct io_req *r = (struct io_req *)(uintptr_t)msg;
    r->served->complete(r->served->ctx, r);
}

sim_time_t nic_port_frame_time(const struct nic_port *p, uint32_t bytes)
{
    return (sim_time_t)((double)(bytes + NIC_FRAME_OVERHEAD) * p->ps_per_byte + 0.5);
}

static void send_frame(struct nic_port *p, struct nic_dir *d, struct io_req *r)
{
    sim_time_t now = kernel_now(p->env->k);
    sim_time_t start = d->busy_until > now ? d->busy_until : now;
    sim_time_t wire = nic_port_frame_time(p, r->bytes);
    d->busy_until = start + wire;
    d->busy += wire;
    d->packets++;
    d->bytes += r->bytes;
    r->holder = p;
    if (r->traced)
        env_trace(p->env, p->path, "%s frame of %u B: %.1f ns on the wire, done at +%.1f ns",
                  d == &p->dir[NIC_TX] ? "TX" : "RX", r->bytes, sim_time_to_ns(wire),
                  sim_time_to_ns(d->busy_until - now));
    kernel_schedule_at(p->env->k, d->busy_until, frame_done, p, (uint64_t)(uintptr_t)r);
}

static void tx_submit(void *ctx, struct io_req *r)
{
    struct nic_port *p = ctx;
    send_frame(p, &p->dir[NIC_TX], r);
}

static void rx_submit(void *ctx, struct io_req *r)
{
    struct nic_port *p = ctx;
    send_frame(p, &p->dir[NIC_RX], r);
}

static void on_warmup_end(void *ctx, sim_time_t now)
{
    struct nic_port *p = ctx;
    for (int i = 0; i < NIC_DIRS; i++) {
        struct nic_dir *d = &p->dir[i];
        /* wire time already committed beyond now belongs to the window */
        d->busy = d->busy_until > now ? d->busy_until - now : 0;
        d->packets = d->bytes = 0;
    }
    p->window_start = now;
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct nic_port *p = ctx;
    static const char *const names[NIC_DIRS][3] = {
        { "tx_packets", "tx_bytes", "tx_utilisation" },
        { "rx_packets", "rx_bytes", "rx_utilisation" },
    };
    sim_time_t span = now - p->window_start;
    for (int i = 0; i < NIC_DIRS; i++) {
        const struct nic_dir *d = &p->dir[i];
        sim_time_t ahead = d->busy_until > now ? d->busy_until - now : 0;
        recorder_scalar(p->env->rec, p->path, names[i][0], "", (double)d->packets);
        recorder_scalar(p->env->rec, p->path, names[i][1], "B", (double)d->bytes);
        recorder_scalar(p->env->rec, p->path, names[i][2], "",
                        span ? (double)(d->busy - ahead) / (double)span : 0);
    }
}

struct nic_port *nic_port_create(struct env *e, const char *path, double rate_bps)
{
    struct nic_port *p = rate_bps > 0 ? calloc(1, sizeof *p) : NULL;
    if (!p)
        return NULL;
    p->env = e;
    snprintf(p->path, sizeof p->path, "%s", path);
    p->ps_per_byte = 8e12 / rate_bps;
    env_on_warmup_end(e, on_warmup_end, p);
    env_on_finish(e, on_finish, p);
    return p;
}

void nic_port_destroy(struct nic_port *p)
{
    free(p);
}

struct io_sink nic_port_tx(struct nic_port *p)
{
    return (struct io_sink){ tx_submit, p };
}

struct io_sink nic_port_rx(struct nic_port *p)
{
    return (struct io_sink){ rx_submit, p };
}
