/* models/adapter/coalesce_dim.c — net DIM (see coalesce_dim.h). The
 * decision logic follows lib/dim/net_dim.c step for step (stats compare,
 * decision, step, park, turn); the sample and the statistics follow
 * include/linux/dim.h and lib/dim/dim.c (u16 event and u32 frame and byte
 * counters that wrap, rates rounded up, the span in whole microseconds). */
#include "models/adapter/coalesce_dim.h"

struct dim_profile {
    uint16_t usec, pkts;
};

/* [tx][cqe][ix] */
static const struct dim_profile profiles[2][2][DIM_PROFILES] = {
    { { { 1, 256 }, { 8, 256 }, { 64, 256 }, { 128, 256 }, { 256, 256 } },
      { { 2, 256 }, { 8, 128 }, { 16, 64 }, { 32, 64 }, { 64, 64 } } },
    { { { 1, 128 }, { 8, 128 }, { 32, 128 }, { 64, 128 }, { 128, 128 } },
      { { 5, 128 }, { 8, 64 }, { 16, 32 }, { 32, 32 }, { 64, 32 } } },
};

enum { STATS_WORSE, STATS_SAME, STATS_BETTER };
enum { STEPPED, TOO_TIRED, ON_EDGE };

struct moderation net_dim_moderation(const struct dim_config *c, unsigned ix)
{
    const struct dim_profile *p = &profiles[c->tx_profiles][c->cqe_mode][ix % DIM_PROFILES];
    return (struct moderation){ .count = p->pkts, .time = (sim_time_t)p->usec * SIM_US,
                                .restart = c->cqe_mode };
}

void net_dim_init(struct net_dim *d, const struct dim_config *c)
{
    *d = (struct net_dim){ .state = DIM_START_MEASURE, .tune = DIM_PARKING_ON_TOP,
                           .profile = (uint8_t)(c->start_profile % DIM_PROFILES) };
}

static bool on_top(const struct net_dim *d)
{
    switch (d->tune) {
    case DIM_PARKING_ON_TOP:
    case DIM_PARKING_TIRED:
        return true;
    case DIM_GOING_RIGHT:
        return d->steps_left > 1 && d->steps_right == 1;
    default:
        return d->steps_right > 1 && d->steps_left == 1;
    }
}

static void turn(struct net_dim *d)
{
    if (d->tune == DIM_GOING_RIGHT) {
        d->tune = DIM_GOING_LEFT;
        d->steps_left = 0;
    } else if (d->tune == DIM_GOING_LEFT) {
        d->tune = DIM_GOING_RIGHT;
        d->steps_right = 0;
    }
}

static void park_on_top(struct net_dim *d)
{
    d->steps_right = d->steps_left = d->tired = 0;
    d->tune = DIM_PARKING_ON_TOP;
}

static void park_tired(struct net_dim *d)
{
    d->steps_right = d->steps_left = 0;
    d->tune = DIM_PARKING_TIRED;
}

static int step(struct net_dim *d)
{
    if (d->tired == DIM_PROFILES * 2)
        return TOO_TIRED;
    switch (d->tune) {
    case DIM_PARKING_ON_TOP:
    case DIM_PARKING_TIRED:
        break;
    case DIM_GOING_RIGHT:
        if (d->profile == DIM_PROFILES - 1)
            return ON_EDGE;
        d->profile++;
        d->steps_right++;
        break;
    case DIM_GOING_LEFT:
        if (d->profile == 0)
            return ON_EDGE;
        d->profile--;
        d->steps_left++;
        break;
    }
    d->tired++;
    return STEPPED;
}

static void exit_parking(struct net_dim *d)
{
    d->tune = d->profile ? DIM_GOING_LEFT : DIM_GOING_RIGHT;
    step(d);
}

/* More than 10% apart (integer arithmetic, as IS_SIGNIFICANT_DIFF). */
static bool significant(int64_t val, int64_t ref)
{
    int64_t diff = val > ref ? val - ref : ref - val;
    return ref && 100 * diff / ref > 10;
}

static int compare(const struct dim_stats *curr, const struct dim_stats *prev)
{
    if (!prev->bpms)
        return curr->bpms ? STATS_BETTER : STATS_SAME;
    if (significant(curr->bpms, prev->bpms))
        return curr->bpms > prev->bpms ? STATS_BETTER : STATS_WORSE;
    if (!prev->ppms)
        return curr->ppms ? STATS_BETTER : STATS_SAME;
    if (significant(curr->ppms, prev->ppms))
        return curr->ppms > prev->ppms ? STATS_BETTER : STATS_WORSE;
    if (!prev->epms)
        return STATS_SAME;
    if (significant(curr->epms, prev->epms))
        return curr->epms < prev->epms ? STATS_BETTER : STATS_WORSE;
    return STATS_SAME;
}

static bool decide(struct net_dim *d, const struct dim_stats *curr)
{
    enum dim_tune prev_tune = d->tune;
    uint8_t prev_ix = d->profile;
    switch (d->tune) {
    case DIM_PARKING_ON_TOP:
        if (compare(curr, &d->prev) != STATS_SAME)
            exit_parking(d);
        break;
    case DIM_PARKING_TIRED:
        if (!--d->tired)
            exit_parking(d);
        break;
    case DIM_GOING_RIGHT:
    case DIM_GOING_LEFT:
        if (compare(curr, &d->prev) != STATS_BETTER)
            turn(d);
        if (on_top(d)) {
            park_on_top(d);
            break;
        }
        switch (step(d)) {
        case ON_EDGE: park_on_top(d); break;
        case TOO_TIRED: park_tired(d); break;
        default: break;
        }
        break;
    }
    if (prev_tune != DIM_PARKING_ON_TOP || d->tune != DIM_PARKING_ON_TOP)
        d->prev = *curr;
    return d->profile != prev_ix;
}

static int64_t div_up(uint64_t a, uint64_t b)
{
    return (int64_t)((a + b - 1) / b);
}

bool net_dim_sample(struct net_dim *d, const struct dim_config *c, const struct dim_sample *s,
                    struct moderation *m)
{
    if (d->state == DIM_MEASURE_IN_PROGRESS) {
        uint16_t nevents = (uint16_t)(s->event_ctr - d->start.event_ctr);
        if (nevents < DIM_NEVENTS)
            return false;
        uint32_t delta_us = (uint32_t)((s->time - d->start.time) / SIM_US);
        if (!delta_us)
            return false; /* no span to rate (dim_calc_stats fails): keep measuring */
        {
            uint32_t npkts = s->pkt_ctr - d->start.pkt_ctr;
            uint32_t nbytes = s->byte_ctr - d->start.byte_ctr;
            struct dim_stats curr = {
                .ppms = div_up((uint64_t)npkts * 1000, delta_us),
                .bpms = div_up((uint64_t)nbytes * 1000, delta_us),
                .epms = div_up((uint64_t)DIM_NEVENTS * 1000, delta_us),
            };
            if (decide(d, &curr)) {
                d->changes++;
                *m = net_dim_moderation(c, d->profile);
                d->state = DIM_START_MEASURE; /* the work item applied it */
                return true;
            }
        }
    }
    d->start = *s;
    d->state = DIM_MEASURE_IN_PROGRESS;
    return false;
}
