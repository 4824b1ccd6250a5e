/* sim/agenda.c — event pool and 4-ary (time, sequence) min-heap shared by
 * the native and SystemC kernel backends (see agenda.h).
 *
 * Why 4-ary: half the depth of a binary heap, and the four children of a
 * node are 64 bytes, laid out to share one cache line, so a pop touches
 * one line per level. Sifts move a hole instead of swapping, writing each moved entry
 * (and its slot's back-pointer) once. */
#include "sim/agenda.h"

#include <stdlib.h>
#include <string.h>

#define AGENDA_MIN_CAP 16u
/* 2^30 pending events (64 GiB of agenda) keeps child indices 4i+4 inside
 * uint32_t and AGENDA_NONE free as a sentinel. */
#define AGENDA_MAX_CAP (1u << 30)

/* Links slots [from, to) into the free list in index order, ahead of the
 * current free list (which is empty whenever this is called). */
static void free_list_extend(struct agenda *a, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to; i++) {
        a->links[i].pos = i + 1 < to ? i + 1 : a->free_head;
        a->links[i].gen = 1;
    }
    if (from < to)
        a->free_head = from;
}

/* The heap lives HEAP_SKEW entries into a cache-line-aligned block, so
 * that the four children 4i+1..4i+4 of every node share one 64-byte line
 * (unskewed, every family straddles two lines). */
#define HEAP_LINE 64u
#define HEAP_SKEW 3u

static bool heap_resize(struct agenda *a, uint32_t cap)
{
    size_t bytes = ((size_t)cap + HEAP_SKEW) * sizeof(struct agenda_entry);
    bytes = (bytes + HEAP_LINE - 1) / HEAP_LINE * HEAP_LINE;
    struct agenda_entry *mem = aligned_alloc(HEAP_LINE, bytes);
    if (!mem)
        return false;
    if (a->heap_mem)
        memcpy(mem + HEAP_SKEW, a->heap, (size_t)a->count * sizeof *mem);
    free(a->heap_mem);
    a->heap_mem = mem;
    a->heap = mem + HEAP_SKEW;
    return true;
}

static bool agenda_resize(struct agenda *a, uint32_t cap)
{
    struct agenda_slot *slots = realloc(a->slots, (size_t)cap * sizeof *slots);
    if (!slots)
        return false;
    a->slots = slots; /* arrays grown but cap not yet: still consistent */
    struct agenda_link *links = realloc(a->links, (size_t)cap * sizeof *links);
    if (!links)
        return false;
    a->links = links;
    if (!heap_resize(a, cap))
        return false;
    free_list_extend(a, a->cap, cap);
    a->cap = cap;
    return true;
}

bool agenda_init(struct agenda *a, size_t hint)
{
    *a = (struct agenda){ .free_head = AGENDA_NONE };
    if (hint > AGENDA_MAX_CAP)
        hint = AGENDA_MAX_CAP;
    uint32_t cap = hint < AGENDA_MIN_CAP ? AGENDA_MIN_CAP : (uint32_t)hint;
    return agenda_resize(a, cap);
}

void agenda_fini(struct agenda *a)
{
    free(a->heap_mem);
    free(a->slots);
    free(a->links);
    *a = (struct agenda){ .free_head = AGENDA_NONE };
}

/* Doubling keeps the amortised cost per event O(1) and the number of
 * reallocations logarithmic in the peak pending count. */
static bool agenda_grow(struct agenda *a)
{
    if (a->cap >= AGENDA_MAX_CAP)
        return false;
    uint32_t cap = a->cap > AGENDA_MAX_CAP / 2 ? AGENDA_MAX_CAP : a->cap * 2;
    return agenda_resize(a, cap);
}

static void slot_release(struct agenda *a, uint32_t s)
{
    struct agenda_link *link = &a->links[s];
    link->gen = link->gen + 1 ? link->gen + 1 : 1; /* skip 0: zero handle */
    link->pos = a->free_head;
    a->free_head = s;
}

/* Entry x goes before entry y: earlier time, or the same time and
 * scheduled earlier. The sequence lives in the slot, read only on ties. */
static inline bool entry_before(const struct agenda *a, struct agenda_entry x,
                                struct agenda_entry y)
{
    if (x.time != y.time)
        return x.time < y.time;
    return a->slots[x.slot].seq < a->slots[y.slot].seq;
}

static inline void heap_put(struct agenda *a, uint32_t i, struct agenda_entry e)
{
    a->heap[i] = e;
    a->links[e.slot].pos = i;
}

/* Moves entry e up from hole i. Used when e may tie with its ancestors. */
static void sift_up(struct agenda *a, uint32_t i, struct agenda_entry e)
{
    while (i > 0) {
        uint32_t parent = (i - 1) / 4;
        if (!entry_before(a, e, a->heap[parent]))
            break;
        heap_put(a, i, a->heap[parent]);
        i = parent;
    }
    heap_put(a, i, e);
}

/* Index of the earliest of the children first..first+3 (some may be past
 * n). The full-family case is unrolled: it is almost every level. */
static inline uint32_t min_child(const struct agenda *a, uint32_t first,
                                 uint32_t n)
{
    const struct agenda_entry *h = a->heap;
    uint32_t best = first;
    if (first + 3 < n) {
        uint32_t b1 = entry_before(a, h[first + 1], h[first]) ? first + 1 : first;
        uint32_t b2 = entry_before(a, h[first + 3], h[first + 2]) ? first + 3
                                                                    : first + 2;
        return entry_before(a, h[b2], h[b1]) ? b2 : b1;
    }
    for (uint32_t c = first + 1; c < n; c++)
        if (entry_before(a, h[c], h[best]))
            best = c;
    return best;
}

/* Moves entry e down from hole i among the first n entries. */
static void sift_down(struct agenda *a, uint32_t i, struct agenda_entry e,
                      uint32_t n)
{
    for (;;) {
        uint32_t first = 4 * i + 1;
        if (first >= n)
            break;
        /* Whichever child wins, its family is one of the next four lines:
         * fetch them while this level compares (a large heap misses
         * cache at every level). */
        uint64_t grand = 4 * (uint64_t)first + 1;
        if (grand < n) {
            const char *g = (const char *)&a->heap[grand];
            __builtin_prefetch(g);
            __builtin_prefetch(g + 64);
            __builtin_prefetch(g + 128);
            __builtin_prefetch(g + 192);
        }
        uint32_t c = min_child(a, first, n);
        if (!entry_before(a, a->heap[c], e))
            break;
        heap_put(a, i, a->heap[c]);
        i = c;
    }
    heap_put(a, i, e);
}

struct event_id agenda_push(struct agenda *a, sim_time_t when, event_fn fn,
                            void *ctx, uint64_t arg)
{
    if (a->free_head == AGENDA_NONE && !agenda_grow(a))
        return (struct event_id){ 0, 0 };
    uint32_t s = a->free_head;
    struct agenda_slot *slot = &a->slots[s];
    a->free_head = a->links[s].pos;
    slot->time = when;
    slot->seq = a->next_seq++;
    slot->fn = fn;
    slot->ctx = ctx;
    slot->arg = arg;

    if (a->top_taken) { /* the fired top's place: sink from the root */
        a->top_taken = false;
        sift_down(a, 0, (struct agenda_entry){ .time = when, .slot = s }, a->count);
        return (struct event_id){ s, a->links[s].gen };
    }
    /* The new event has the largest sequence of all, so it loses every
     * tie: comparing times alone is exact here and skips the slot reads. */
    uint32_t i = a->count++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 4;
        if (when >= a->heap[parent].time)
            break;
        heap_put(a, i, a->heap[parent]);
        i = parent;
    }
    heap_put(a, i, (struct agenda_entry){ .time = when, .slot = s });
    return (struct event_id){ s, a->links[s].gen };
}

/* Fills the hole at i with the last entry and restores heap order. */
static void heap_remove_at(struct agenda *a, uint32_t i)
{
    uint32_t n = --a->count;
    if (i == n)
        return;
    struct agenda_entry last = a->heap[n];
    if (i > 0 && entry_before(a, last, a->heap[(i - 1) / 4]))
        sift_up(a, i, last);
    else
        sift_down(a, i, last, n);
}

bool agenda_cancel(struct agenda *a, struct event_id id)
{
    agenda_settle(a);
    if (id.gen == 0 || id.slot >= a->cap)
        return false;
    const struct agenda_link *link = &a->links[id.slot];
    /* A free slot's pos is a free-list link; the heap check tells them
     * apart even if a forged handle happened to match the generation. */
    if (link->gen != id.gen || link->pos >= a->count ||
        a->heap[link->pos].slot != id.slot)
        return false;
    heap_remove_at(a, link->pos);
    slot_release(a, id.slot);
    return true;
}

void agenda_take_top(struct agenda *a, struct agenda_fired *out)
{
    uint32_t s = a->heap[0].slot;
    const struct agenda_slot *slot = &a->slots[s];
    *out = (struct agenda_fired){
        .time = slot->time, .fn = slot->fn, .ctx = slot->ctx, .arg = slot->arg
    };
    slot_release(a, s);
    a->top_taken = true;
}

void agenda_settle_top(struct agenda *a)
{
    a->top_taken = false;
    uint32_t n = --a->count;
    if (n > 0)
        sift_down(a, 0, a->heap[n], n);
}

void agenda_pop(struct agenda *a, struct agenda_fired *out)
{
    agenda_settle(a);
    uint32_t s = a->heap[0].slot;
    const struct agenda_slot *slot = &a->slots[s];
    *out = (struct agenda_fired){
        .time = slot->time, .fn = slot->fn, .ctx = slot->ctx, .arg = slot->arg
    };
    uint32_t n = --a->count;
    if (n > 0)
        sift_down(a, 0, a->heap[n], n);
    slot_release(a, s);
}
