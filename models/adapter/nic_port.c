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
    bool down;              /* link down (a `fail`): frames are dropped */
    sim_time_t last_down;   /* frames on the wire then were cut */
    uint64_t dropped;       /* frames dropped for a down link */
};

/* A frame dropped for a down link comes back in error: the OS sees a
 * failed transmission or a receive that never happened. */
static void drop_frame(struct nic_port *p, struct io_req *r)
{
    p->dropped++;
    r->status = IO_ERROR;
    r->served->complete(r->served->ctx, r);
}

static void frame_done(void *ctx, uint64_t msg)
{
    struct nic_port *p = ctx;
    struct io_req *r = io_req_from(msg);
    if (io_req_stale(msg))
        return; /* taken back by the OS meanwhile */
    if (p->down || r->t_service < p->last_down)
        drop_frame(p, r);
    else
        r->served->complete(r->served->ctx, r);
}

sim_time_t nic_port_frame_time(const struct nic_port *p, uint32_t bytes)
{
    return (sim_time_t)((double)(bytes + NIC_FRAME_OVERHEAD) * p->ps_per_byte + 0.5);
}

static void send_frame(struct nic_port *p, struct nic_dir *d, struct io_req *r)
{
    sim_time_t now = kernel_now(p->env->k);
    r->holder = p;
    if (p->down) {
        drop_frame(p, r);
        return;
    }
    sim_time_t start = d->busy_until > now ? d->busy_until : now;
    sim_time_t wire = nic_port_frame_time(p, r->bytes);
    d->busy_until = start + wire;
    d->busy += wire;
    d->packets++;
    d->bytes += r->bytes;
    r->t_service = start; /* on the wire from here: cut if the link drops */
    if (r->traced)
        env_trace(p->env, p->path, "%s frame of %u B: %.1f ns on the wire, done at +%.1f ns",
                  d == &p->dir[NIC_TX] ? "TX" : "RX", r->bytes, sim_time_to_ns(wire),
                  sim_time_to_ns(d->busy_until - now));
    kernel_schedule_at(p->env->k, d->busy_until, frame_done, p, io_req_arg(r));
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
    p->dropped = 0;
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
    recorder_scalar(p->env->rec, p->path, "dropped", "", (double)p->dropped);
}

/* ---- link down / up (timeline fail / repair) ---------------------------- */

static int port_fail(void *obj, char *why, size_t n)
{
    struct nic_port *p = obj;
    if (p->down)
        return snprintf(why, n, "the link is already down"), -1;
    p->down = true;
    p->last_down = kernel_now(p->env->k);
    /* frames still on the wire are cut: none of them is sent */
    for (int i = 0; i < NIC_DIRS; i++)
        if (p->dir[i].busy_until > p->last_down) {
            p->dir[i].busy -= p->dir[i].busy_until - p->last_down;
            p->dir[i].busy_until = p->last_down;
        }
    recorder_event(p->env->rec, p->last_down, p->path, "link_down", "Ethernet link down");
    return 0;
}

static int port_repair(void *obj, char *why, size_t n)
{
    struct nic_port *p = obj;
    if (!p->down)
        return snprintf(why, n, "the link is up"), -1;
    p->down = false;
    recorder_event(p->env->rec, kernel_now(p->env->k), p->path, "link_up", "Ethernet link up");
    return 0;
}

const struct component_ops nic_port_ops = { "nic_port", port_fail, port_repair, NULL };

bool nic_port_up(const struct nic_port *p)
{
    return !p->down;
}

sim_time_t nic_port_down_since(const struct nic_port *p)
{
    return p->down ? p->last_down : 0;
}

bool nic_port_holds(const struct nic_port *p, const struct io_req *r)
{
    return r->holder == p;
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
    env_register(e, path, &nic_port_ops, p);
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
