/* workloads/network.c — the network kind: packets on the LPAR's VF.
 *
 * Two independent arrival processes, Poisson or constant by `arrivals`:
 * TX at `tx_rate` (the stack hands a packet to the NIC) and RX at
 * `rx_rate` (a packet arrives from the wire). Both go through the LPAR's
 * I/O port, TX as IO_TX and RX as IO_RX; the LPAR routes RX to the wire
 * side of its NIC model, so an RX "issue" means "a packet for this LPAR
 * arrives now" and its completion is the packet delivered into the
 * buffer the driver posted. Packet sizes come from `packet_sizes`, else
 * `packet_size` (64 B .. 9000 B: a minimum Ethernet frame to a jumbo
 * frame); offsets are 0. Sizes are drawn from a second stream
 * (`<path>.sizes`) so the arrival times do not depend on the mix. */
#include <string.h>

#include "workloads/kinds.h"

#define MIN_PACKET 64u
#define MAX_PACKET 9000u

enum { DIR_TX, DIR_RX, DIRS };

struct network {
    struct workload w;
    struct rng sizes;
    bool poisson;
    struct arrivals dir[DIRS]; /* a stopped one is idle */
    struct size_mix mix;
    uint64_t issued[DIRS];    /* whole run */
};

static int network_check(const struct cfg_node *cfg, struct diag *err)
{
    struct size_mix m;
    return size_mix_from_cfg(&m, cfg, "packet_size", "packet_sizes", MIN_PACKET, MAX_PACKET, err);
}

/* arg = DIR_TX or DIR_RX: one event chain per direction. */
static void on_packet(void *ctx, uint64_t arg)
{
    struct network *n = ctx;
    uint32_t bytes = size_mix_draw(&n->mix, &n->sizes);
    n->issued[arg]++;
    workload_issue(&n->w, arg == DIR_TX ? IO_TX : IO_RX, bytes, 0);
    arrivals_next(&n->dir[arg]);
}

static int network_init(struct workload *w, const struct cfg_node *cfg, struct diag *err)
{
    struct network *n = (struct network *)w;
    char stream[sizeof w->path + 8];
    snprintf(stream, sizeof stream, "%s.sizes", w->path);
    rng_seed(&n->sizes, w->env->seed, stream);
    n->poisson = strcmp(cfg_str(cfg, "arrivals"), "poisson") == 0;
    arrivals_init(&n->dir[DIR_TX], w, n->poisson, cfg_f64(cfg, "tx_rate"), on_packet, n, DIR_TX);
    arrivals_init(&n->dir[DIR_RX], w, n->poisson, cfg_f64(cfg, "rx_rate"), on_packet, n, DIR_RX);
    return size_mix_from_cfg(&n->mix, cfg, "packet_size", "packet_sizes", MIN_PACKET,
                             MAX_PACKET, err);
}

static void network_start(struct workload *w)
{
    struct network *n = (struct network *)w;
    for (uint64_t d = 0; d < DIRS; d++)
        arrivals_start(&n->dir[d], w->start);
}

/* `tx_rate` and `rx_rate` change at run time. */
static void network_set(struct workload *w, const char *key, const struct param_value *v)
{
    struct network *n = (struct network *)w;
    arrivals_set_rate(&n->dir[strcmp(key, "tx_rate") == 0 ? DIR_TX : DIR_RX], v->d);
}

static void network_finish(struct workload *w, sim_time_t now)
{
    (void)now;
    struct network *n = (struct network *)w;
    recorder_scalar(w->env->rec, w->path, "tx_packets", "", (double)n->issued[DIR_TX]);
    recorder_scalar(w->env->rec, w->path, "rx_packets", "", (double)n->issued[DIR_RX]);
}

const struct workload_kind workload_network_kind = {
    .name = "network",
    .params = "device|arrivals|tx_rate|rx_rate|packet_size|packet_sizes",
    .size = sizeof(struct network),
    .does_io = true,
    .check = network_check,
    .init = network_init,
    .start = network_start,
    .finish = network_finish,
    .set = network_set,
};
