/* sim/agenda.h — the pending-event agenda both kernel backends share.
 *
 * An event pool (an array of slots with a free list, doubled only when
 * full, so scheduling does not call malloc once the pool has reached the
 * peak number of pending events) and a 4-ary min-heap ordered by (time,
 * insertion sequence). Because both backends pop this one structure, they
 * fire the same events in the same order by construction; a backend only
 * decides who advances time.
 *
 * A heap entry carries its time inline next to the slot index: the sift
 * loops compare times without touching the slots, and read a slot's
 * sequence number only for a tie. Each slot knows its heap position, so a
 * cancel removes the event in O(log n) instead of leaving a tombstone. */
#ifndef LPARSIM_SIM_AGENDA_H
#define LPARSIM_SIM_AGENDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/kernel.h"
#include "sim/time.h"

/* The pool is split in two parallel arrays indexed by slot: the hot
 * back-pointers that every heap move rewrites (8 bytes a slot, so they
 * stay dense in cache at a million pending events) and the cold payload
 * touched once at push and once at pop. */
struct agenda_link {
    uint32_t pos;     /* heap index while pending; next free slot while free */
    uint32_t gen;     /* bumped on every release; never 0 (zero handle) */
};

struct agenda_slot {
    sim_time_t time;
    uint64_t seq;     /* global insertion order: breaks time ties (FIFO) */
    event_fn fn;
    void *ctx;
    uint64_t arg;
};

struct agenda_entry {
    sim_time_t time;  /* copy of the slot's time: compares stay in the heap */
    uint32_t slot;
    uint32_t unused;  /* keeps entries 16 bytes: four children per line */
};

struct agenda {
    struct agenda_entry *heap;  /* `count` entries, capacity `cap` */
    struct agenda_entry *heap_mem; /* the allocation `heap` points into */
    struct agenda_slot *slots;  /* `cap` payloads */
    struct agenda_link *links;  /* `cap` back-pointers and generations */
    uint32_t count;             /* entries in `heap`, the taken top included */
    uint32_t cap;
    uint32_t free_head;         /* AGENDA_NONE when the pool is full */
    uint64_t next_seq;
    /* The top entry has fired (agenda_take_top) and waits to be replaced:
     * the first push while it is set takes its place and sinks from the
     * root, instead of the last entry sinking through the whole heap and
     * the new one rising. agenda_settle removes it when nothing came. */
    bool top_taken;
};

/* What agenda_pop hands back: copied out of the slot, because the slot is
 * released before the callback runs (the callback may reuse or grow it). */
struct agenda_fired {
    sim_time_t time;
    event_fn fn;
    void *ctx;
    uint64_t arg;
};

#define AGENDA_NONE UINT32_MAX

/* Presizes the pool for `hint` pending events. False on allocation
 * failure (the agenda is then empty and safe to agenda_fini). */
bool agenda_init(struct agenda *a, size_t hint);
void agenda_fini(struct agenda *a);

/* Inserts an event at absolute time `when`. Returns the zero handle only
 * when growing the pool failed (out of memory). */
struct event_id agenda_push(struct agenda *a, sim_time_t when, event_fn fn,
                            void *ctx, uint64_t arg);

/* Removes a pending event. False for the zero handle, a stale handle (the
 * event fired or was cancelled) and a handle this agenda never issued. */
bool agenda_cancel(struct agenda *a, struct event_id id);

/* Removes the earliest event into *out and releases its slot. The agenda
 * must not be empty. */
void agenda_pop(struct agenda *a, struct agenda_fired *out);

/* Copies the earliest event into *out and releases its slot, leaving its
 * heap entry to the next push (a fired event usually schedules one) or to
 * agenda_settle. Every other call sees the event gone. The agenda must
 * not be empty, nor its top already taken. */
void agenda_take_top(struct agenda *a, struct agenda_fired *out);

/* Removes a taken top that no push replaced; nothing otherwise. */
void agenda_settle_top(struct agenda *a);

static inline void agenda_settle(struct agenda *a)
{
    if (a->top_taken)
        agenda_settle_top(a);
}

static inline size_t agenda_count(const struct agenda *a)
{
    return a->count - a->top_taken;
}

/* Time of the earliest event, SIM_TIME_MAX when empty. With the top
 * taken, the earliest of the root's children (the heap below the root is
 * intact). */
static inline sim_time_t agenda_next_time(const struct agenda *a)
{
    if (!a->top_taken)
        return a->count ? a->heap[0].time : SIM_TIME_MAX;
    sim_time_t t = SIM_TIME_MAX;
    for (uint32_t c = 1; c <= 4 && c < a->count; c++)
        if (a->heap[c].time < t)
            t = a->heap[c].time;
    return t;
}

#endif
