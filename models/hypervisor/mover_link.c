/* models/hypervisor/mover_link.c — a mover link between two systems (see
 * mover_link.h): fair sharing of its rate among the transfers on it,
 * simulated as processor sharing (one event when the first transfer in
 * progress sends its last byte, re-planned whenever a transfer starts or
 * ends or the rate changes). */
#include "models/hypervisor/mover_link.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct param_desc mover_link_params[] = {
    { "bandwidth", PARAM_BITRATE, "bit/s", "10Gbps",
      "line rate of the mover network (IBM Redbook SG24-7460, PowerVM Live Partition "
      "Mobility: 10 GbE or faster recommended; unverified as a default)", .min = "1Mbps", .max = "10Tbps", .runtime = true },
    { "latency", PARAM_TIME, "ns", "50us",
      "one-way latency a transfer pays once (chunks pipeline) (modelling choice: a switched "
      "data-centre network)", .max = "10s", .runtime = true },
    { "efficiency", PARAM_F64, "", "1.0",
      "fraction of the line rate that carries partition memory (protocol overheads; "
      "modelling choice: 1)", .min = "0.01", .max = "1", .runtime = true },
    { 0 }
};

static const struct schema_child mover_link_children[] = {
    { "between", CFG_SEQ, NULL, "the two systems the link joins: [A, B]", true },
    { 0 }
};

const struct schema mover_link_schema = {
    .name = "link",
    .doc = "a mover link between two systems (live partition mobility streams memory over it)",
    .params = mover_link_params,
    .children = mover_link_children,
};

struct mover_xfer {
    struct mover_link *l;
    double left;              /* bytes still to send */
    uint64_t bytes;
    bool sending;             /* else in its last latency, or failed */
    mover_done_fn done;
    void *ctx;
    struct event_id ev;       /* its delivery (or failure) callback */
    struct mover_xfer *prev, *next;
};

struct mover_link {
    struct env *env;
    char name[64];
    char path[96];
    char ends[2][64];
    double bandwidth, efficiency;
    sim_time_t latency;
    bool down;
    struct mover_xfer *head;
    unsigned nsending, nactive;
    sim_time_t t_last;        /* the sending transfers' `left` are as of this time */
    struct event_id ev_next;  /* the next transfer to send its last byte */
    bool ev_armed;
    uint64_t bytes_sent, transfers, failed;
    sim_time_t busy;
};

double mover_link_rate(const struct mover_link *l)
{
    return l->bandwidth * l->efficiency / 8.0;
}

sim_time_t mover_link_latency(const struct mover_link *l)
{
    return l->latency;
}

sim_time_t mover_link_send_time(const struct mover_link *l, uint64_t bytes)
{
    return (sim_time_t)llround((double)bytes * 1e12 / mover_link_rate(l));
}

const char *mover_link_name(const struct mover_link *l)
{
    return l->name;
}

bool mover_link_joins(const struct mover_link *l, const char *a, const char *b)
{
    return (strcmp(l->ends[0], a) == 0 && strcmp(l->ends[1], b) == 0) ||
           (strcmp(l->ends[0], b) == 0 && strcmp(l->ends[1], a) == 0);
}

bool mover_link_up(const struct mover_link *l)
{
    return !l->down;
}

unsigned mover_link_active(const struct mover_link *l)
{
    return l->nactive;
}

/* ---- processor sharing ----------------------------------------------------- */

static sim_time_t now_of(const struct mover_link *l)
{
    return kernel_now(l->env->k);
}

/* Brings the sending transfers' `left` to now. */
static void advance(struct mover_link *l)
{
    sim_time_t now = now_of(l);
    if (l->nsending && now > l->t_last) {
        double each = mover_link_rate(l) * sim_time_to_s(now - l->t_last) / l->nsending;
        for (struct mover_xfer *x = l->head; x; x = x->next)
            if (x->sending)
                x->left -= each;
        l->busy += now - l->t_last;
    }
    l->t_last = now;
}

static void unlink_xfer(struct mover_link *l, struct mover_xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        l->head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    x->prev = x->next = NULL;
    l->nactive--;
}

static void on_delivered(void *ctx, uint64_t arg)
{
    (void)arg;
    struct mover_xfer *x = ctx;
    struct mover_link *l = x->l;
    mover_done_fn done = x->done;
    void *dctx = x->ctx;
    unlink_xfer(l, x);
    free(x);
    done(dctx, 0);
}

static void on_last_byte(void *ctx, uint64_t arg);

static void plan(struct mover_link *l)
{
    if (l->ev_armed)
        kernel_cancel(l->env->k, l->ev_next);
    l->ev_armed = false;
    if (!l->nsending)
        return;
    double least = INFINITY;
    for (struct mover_xfer *x = l->head; x; x = x->next)
        if (x->sending && x->left < least)
            least = x->left;
    if (least < 0)
        least = 0;
    sim_time_t in = (sim_time_t)llround(least * l->nsending * 1e12 / mover_link_rate(l));
    l->ev_next = kernel_schedule_in(l->env->k, in, on_last_byte, l, 0);
    l->ev_armed = true;
}

/* The transfer(s) with the least left have sent their last byte: each
 * is delivered one latency later. */
static void on_last_byte(void *ctx, uint64_t arg)
{
    (void)arg;
    struct mover_link *l = ctx;
    l->ev_armed = false;
    advance(l);
    /* within a picosecond of work at the current share: done */
    double slack = mover_link_rate(l) * 1e-12 * (l->nsending ? l->nsending : 1);
    for (struct mover_xfer *x = l->head; x; x = x->next) {
        if (!x->sending || x->left > slack)
            continue;
        x->sending = false;
        x->left = 0;
        l->nsending--;
        l->bytes_sent += x->bytes;
        x->ev = kernel_schedule_in(l->env->k, l->latency, on_delivered, x, 0);
    }
    plan(l);
}

struct mover_xfer *mover_link_send(struct mover_link *l, uint64_t bytes, mover_done_fn done,
                                   void *ctx)
{
    if (l->down)
        return NULL;
    struct mover_xfer *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    advance(l);
    *x = (struct mover_xfer){ .l = l, .left = (double)bytes, .bytes = bytes, .done = done,
                              .ctx = ctx, .next = l->head };
    if (l->head)
        l->head->prev = x;
    l->head = x;
    l->nactive++;
    l->transfers++;
    if (bytes == 0) {
        x->ev = kernel_schedule_in(l->env->k, l->latency, on_delivered, x, 0);
        return x;
    }
    x->sending = true;
    l->nsending++;
    plan(l);
    return x;
}

void mover_link_cancel(struct mover_link *l, struct mover_xfer *x)
{
    if (!x)
        return;
    advance(l);
    if (x->sending) {
        l->nsending--;
        l->bytes_sent += x->bytes - (uint64_t)(x->left > 0 ? x->left : 0);
    } else {
        kernel_cancel(l->env->k, x->ev);
    }
    unlink_xfer(l, x);
    free(x);
    plan(l);
}

/* ---- fail, repair, set -------------------------------------------------------- */

static void on_failed(void *ctx, uint64_t arg)
{
    (void)arg;
    struct mover_xfer *x = ctx;
    struct mover_link *l = x->l;
    mover_done_fn done = x->done;
    void *dctx = x->ctx;
    unlink_xfer(l, x);
    free(x);
    done(dctx, -1);
}

static int link_fail(void *obj, char *why, size_t n)
{
    struct mover_link *l = obj;
    if (l->down)
        return snprintf(why, n, "already failed"), -1;
    advance(l);
    l->down = true;
    for (struct mover_xfer *x = l->head; x; x = x->next) {
        if (x->sending) {
            l->bytes_sent += x->bytes - (uint64_t)(x->left > 0 ? x->left : 0);
            l->nsending--;
            x->sending = false;
        } else {
            kernel_cancel(l->env->k, x->ev);
        }
        l->failed++;
        x->ev = kernel_schedule_in(l->env->k, 0, on_failed, x, 0);
    }
    plan(l);
    return 0;
}

static int link_repair(void *obj, char *why, size_t n)
{
    struct mover_link *l = obj;
    if (!l->down)
        return snprintf(why, n, "not failed"), -1;
    l->down = false;
    return 0;
}

const struct component_ops mover_link_ops = { "mover_link", link_fail, link_repair, NULL };

static void on_set(void *ctx, const struct cfg_node *param, const struct param_value *v)
{
    struct mover_link *l = ctx;
    advance(l);
    if (strcmp(param->key, "bandwidth") == 0)
        l->bandwidth = v->d;
    else if (strcmp(param->key, "efficiency") == 0)
        l->efficiency = v->d;
    else if (strcmp(param->key, "latency") == 0)
        l->latency = v->u;
    plan(l);
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct mover_link *l = ctx;
    advance(l);
    struct recorder *rec = l->env->rec;
    recorder_scalar(rec, l->path, "bytes_sent", "B", (double)l->bytes_sent);
    recorder_scalar(rec, l->path, "transfers", "", (double)l->transfers);
    recorder_scalar(rec, l->path, "transfers_failed", "", (double)l->failed);
    recorder_scalar(rec, l->path, "busy_time", "ns", sim_time_to_ns(l->busy));
}

struct mover_link *mover_link_create(struct env *e, const struct cfg_node *cfg,
                                     struct diag *err)
{
    struct mover_link *l = calloc(1, sizeof *l);
    if (!l) {
        diag_set(err, &cfg->loc, "out of memory");
        return NULL;
    }
    l->env = e;
    snprintf(l->name, sizeof l->name, "%s", cfg->key);
    snprintf(l->path, sizeof l->path, "links.%s", cfg->key);
    const struct cfg_node *between = cfg_find(cfg, "between");
    for (size_t i = 0; between && i < between->nkids && i < 2; i++)
        snprintf(l->ends[i], sizeof l->ends[i], "%s", between->kids[i]->v.s);
    l->bandwidth = cfg_f64(cfg, "bandwidth");
    l->efficiency = cfg_f64(cfg, "efficiency");
    l->latency = cfg_u64(cfg, "latency");
    env_register(e, l->path, &mover_link_ops, l);
    static const char *const settable[] = { "bandwidth", "latency", "efficiency" };
    for (size_t i = 0; i < 3; i++)
        env_on_set(e, cfg_find(cfg, settable[i]), on_set, l);
    env_on_finish(e, on_finish, l);
    return l;
}

void mover_link_destroy(struct mover_link *l)
{
    if (!l)
        return;
    while (l->head) {
        struct mover_xfer *x = l->head;
        l->head = x->next;
        free(x);
    }
    free(l);
}
