/* models/adapter/coalesce_dim.h — Linux's net DIM (dynamic interrupt
 * moderation: lib/dim/net_dim.c, lib/dim/dim.c, include/linux/dim.h), the
 * `dim` kind of coalescing (models/adapter/coalescing.h), the network
 * baseline.
 *
 * A completion queue has five moderation profiles (usecs, frames): for
 * RX with an EQE-based period (1,256) (8,256) (64,256) (128,256)
 * (256,256); RX CQE-based (2,256) (8,128) (16,64) (32,64) (64,64); TX
 * EQE (1,128) (8,128) (32,128) (64,128) (128,128); TX CQE (5,128)
 * (8,64) (16,32) (32,32) (64,32) (net_dim.c). At every interrupt the
 * driver samples (interrupts, frames, bytes, time); once DIM_NEVENTS (64)
 * interrupts have passed since the measurement began it computes the
 * rates per ms (bytes, frames; events as 64 over the span) and steps:
 * a rate more than 10% better than the last (bytes first, then frames,
 * then fewer events) keeps the direction (right = more moderation),
 * otherwise it turns; it parks on top when it has just come back from
 * overshooting, and parks tired after 10 steps, for as many samples. A
 * new profile is applied (here at once: the work item that writes it to
 * the device is not modelled) and the next interrupt starts a new
 * measurement. */
#ifndef LPARSIM_MODELS_ADAPTER_COALESCE_DIM_H
#define LPARSIM_MODELS_ADAPTER_COALESCE_DIM_H

#include <stdbool.h>
#include <stdint.h>

#include "models/adapter/coalescing.h"

#define DIM_NEVENTS 64
#define DIM_PROFILES 5

enum dim_tune { DIM_PARKING_ON_TOP, DIM_PARKING_TIRED, DIM_GOING_RIGHT, DIM_GOING_LEFT };
enum dim_state { DIM_START_MEASURE, DIM_MEASURE_IN_PROGRESS };

struct dim_sample {
    sim_time_t time;
    uint32_t pkt_ctr, byte_ctr;
    uint16_t event_ctr;
};

struct dim_stats {
    int64_t ppms, bpms, epms; /* frames, bytes, events per ms */
};

struct net_dim {
    enum dim_state state;
    enum dim_tune tune;
    struct dim_stats prev;
    struct dim_sample start;
    uint8_t profile, steps_right, steps_left, tired;
    uint64_t changes;          /* profiles applied */
};

void net_dim_init(struct net_dim *d, const struct dim_config *c);
/* The moderation of profile `ix` of the configured table. */
struct moderation net_dim_moderation(const struct dim_config *c, unsigned ix);
/* One interrupt's sample. Returns true when the profile changed (then
 * *m is its moderation). */
bool net_dim_sample(struct net_dim *d, const struct dim_config *c, const struct dim_sample *s,
                    struct moderation *m);

#endif
