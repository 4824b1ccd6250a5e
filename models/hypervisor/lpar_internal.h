/* models/hypervisor/lpar_internal.h — the LPAR object's state, shared by
 * the two files that implement it: lpar.c (identity, devices, placement,
 * lifecycle) and lpar_io.c (I/O accounting). Nothing else includes it. */
#ifndef LPARSIM_MODELS_HYPERVISOR_LPAR_INTERNAL_H
#define LPARSIM_MODELS_HYPERVISOR_LPAR_INTERNAL_H

#include "models/hypervisor/lpar.h"
#include "sim/histogram.h"
#include "sim/link.h"
#include "sim/timeavg.h"

/* Where one device's requests go. */
struct lpar_port {
    struct lpar *l;
    struct lpar_device *dev;
    struct link to_dev;        /* abstract path with a submit latency */
};

struct lpar_io {
    uint64_t max_outstanding;
    struct lpar_port *ports;
    struct io_done done;
    bool traced_lpar;          /* lparsim run --trace-io names this LPAR */
    struct io_req *held_head, *held_tail; /* issued while not running */
    uint64_t held;             /* I/Os that had to wait for the LPAR to run */
    uint64_t held_now;         /* of which waiting now */
    bool paused;               /* lpar_io_pause: I/O waits even while running */
    /* What a mechanism watches at every completion (lpar_set_io_watch). */
    void (*watch)(void *ctx, const struct io_req *r, sim_time_t now);
    void *watch_ctx;

    struct io_req **chunks;
    size_t nchunks;
    struct io_req *free_list;

    uint64_t issued, completed, failed, retried, outstanding;
    uint64_t completed_at_warmup, completed_at_sample;
    sim_time_t window_start;
    struct time_avg outstanding_avg, outstanding_batch;
    struct statistic *st_latency, *st_outstanding_batch;
    struct series *se_iops, *se_outstanding;
    /* the p99 of io_latency per sample interval: a histogram cleared at
     * each sample (NULL series: no sampling) */
    struct series *se_p99;
    struct histogram interval;
    double interval_min, interval_max;
};

/* lpar_irq.c: each VP's interrupt load as a series (on request), and the
 * never-decreasing counters the guest kernel shows irqbalance (the
 * dispatcher's and the sources' restart when the LPAR moves or a source
 * is rebound). */
struct lpar_vp_load {
    struct series **se;
    uint64_t *last;             /* interrupt cycles at the last sample */
    uint64_t *vp_raw, *vp_acc;  /* per VP: last read, accumulated (cycles) */
    uint32_t *src_last;         /* per LISN: the source last read */
    uint64_t *cnt_raw, *cnt_acc;
};

struct lpar {
    struct env *env;
    const struct cfg_node *cfg;
    const char *name;
    char path[96];
    uint32_t vps;
    struct lpar_memory *mem;
    struct lpar_device *devs;
    size_t ndevs;
    struct lirq *irqs;
    uint32_t nirqs;
    uint32_t irq_fuzz;          /* the guest kernel's XIVE pick counter */
    struct lpar_placement place;
    enum lpar_state state;
    bool gate_closed;          /* I/O waits at the LPAR: not running, or paused */
    sim_time_t activate_at, boot;
    struct lpar_io io;
    struct lpar_vp_load vpload;
};

/* lpar_io.c */
int lpar_io_init(struct lpar *l);
void lpar_io_fini(struct lpar *l);
void lpar_io_release_held(struct lpar *l);
void lpar_vp_load_fini(struct lpar *l);
/* lpar.c: gate_closed from the state and io.paused; held I/O goes out when
 * it opens. */
void lpar_update_gate(struct lpar *l);

#endif
