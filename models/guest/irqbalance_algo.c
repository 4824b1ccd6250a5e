/* models/guest/irqbalance_algo.c — irqbalance's two-phase placement (see
 * irqbalance_algo.h). Lists keep irqbalance's GList order (append at the
 * end, removal in place); loops over a list that the loop body changes
 * walk a copy, as for_each_irq reads the next entry first. Arithmetic is
 * irqbalance's: unsigned 64-bit loads, integer division. */
#include "models/guest/irqbalance_algo.h"

#include <stdlib.h>
#include <string.h>

/* ---- lists ---------------------------------------------------------------- */

static void list_append(struct ib_irq **list, uint32_t *n, struct ib_irq *irq)
{
    list[(*n)++] = irq;
}

static bool list_remove(struct ib_irq **list, uint32_t *n, const struct ib_irq *irq)
{
    for (uint32_t i = 0; i < *n; i++)
        if (list[i] == irq) {
            memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof *list);
            (*n)--;
            return true;
        }
    return false;
}

/* sort_irqs: class, then load, descending; then the later descriptor. */
static int irq_order(const void *pa, const void *pb)
{
    const struct ib_irq *a = *(struct ib_irq *const *)pa, *b = *(struct ib_irq *const *)pb;
    if (a->cls != b->cls)
        return a->cls < b->cls ? 1 : -1;
    if (a->load != b->load)
        return a->load < b->load ? 1 : -1;
    return a->index < b->index ? 1 : a->index > b->index ? -1 : 0;
}

static void list_sort(struct ib_irq **list, uint32_t n)
{
    if (n > 1) /* an empty list may be NULL: qsort of NULL is undefined */
        qsort(list, n, sizeof *list, irq_order);
}

/* ---- construction ------------------------------------------------------- */

int ib_init(struct irqbalance_algo *a, uint32_t ncpus, uint32_t cpus_per_cache, uint32_t nirqs,
            uint64_t migrate_ratio, enum ib_hint_policy hint_policy)
{
    memset(a, 0, sizeof *a);
    if (ncpus == 0 || cpus_per_cache == 0)
        return -1;
    a->ncpus = ncpus;
    a->ncaches = (ncpus + cpus_per_cache - 1) / cpus_per_cache;
    a->nirqs = nirqs;
    a->migrate_ratio = migrate_ratio;
    a->hint_policy = hint_policy;
    a->cpus = calloc(ncpus, sizeof *a->cpus);
    a->caches = calloc(a->ncaches, sizeof *a->caches);
    a->child_store = calloc(ncpus + a->ncaches + 1, sizeof *a->child_store);
    a->irqs = calloc(nirqs ? nirqs : 1, sizeof *a->irqs);
    a->rebalance = calloc(nirqs ? nirqs : 1, sizeof *a->rebalance);
    a->scratch = calloc(nirqs ? nirqs : 1, sizeof *a->scratch);
    size_t nobj = ncpus + a->ncaches + 2;
    struct ib_irq **lists = calloc(nobj * (nirqs ? nirqs : 1), sizeof *lists);
    if (!a->cpus || !a->caches || !a->child_store || !a->irqs || !a->rebalance || !a->scratch ||
        !lists) {
        free(lists);
        ib_fini(a);
        return -1;
    }
    size_t next_list = 0, next_child = 0;
#define LIST() (lists + (next_list++) * (nirqs ? nirqs : 1))
    a->node = (struct ib_obj){ .type = IB_NODE, .irqs = LIST() };
    a->package = (struct ib_obj){ .type = IB_PACKAGE, .parent = &a->node, .irqs = LIST() };
    a->node.children = &a->child_store[next_child];
    a->child_store[next_child++] = &a->package;
    a->node.nchildren = 1;
    a->package.children = &a->child_store[next_child];
    for (uint32_t c = 0; c < a->ncaches; c++) {
        struct ib_obj *cache = &a->caches[c];
        *cache = (struct ib_obj){ .type = IB_CACHE, .number = c, .parent = &a->package,
                                  .irqs = LIST() };
        a->child_store[next_child++] = cache;
        a->package.nchildren++;
    }
    for (uint32_t c = 0; c < a->ncaches; c++) {
        struct ib_obj *cache = &a->caches[c];
        cache->children = &a->child_store[next_child];
        for (uint32_t v = c * cpus_per_cache; v < ncpus && v < (c + 1) * cpus_per_cache; v++) {
            struct ib_obj *cpu = &a->cpus[v];
            *cpu = (struct ib_obj){ .type = IB_CPU, .number = v, .parent = cache,
                                    .irqs = LIST() };
            vp_mask_set(&cpu->mask, v);
            vp_mask_set(&cache->mask, v);
            vp_mask_set(&a->package.mask, v);
            vp_mask_set(&a->node.mask, v);
            a->child_store[next_child++] = cpu;
            cache->nchildren++;
        }
    }
#undef LIST
    for (uint32_t i = 0; i < nirqs; i++) {
        a->irqs[i] = (struct ib_irq){ .index = i, .cls = IB_CLASS_ETH, .level = IB_BALANCE_CORE };
        list_append(a->rebalance, &a->nrebalance, &a->irqs[i]); /* force_rebalance_irq */
    }
    return 0;
}

void ib_fini(struct irqbalance_algo *a)
{
    free(a->node.irqs); /* the first of the lists block */
    free(a->cpus);
    free(a->caches);
    free(a->child_store);
    free(a->irqs);
    free(a->rebalance);
    free(a->scratch);
    memset(a, 0, sizeof *a);
}

void ib_set_class(struct irqbalance_algo *a, uint32_t irq, int cls)
{
    a->irqs[irq].cls = cls;
}

void ib_set_hint(struct irqbalance_algo *a, uint32_t irq, const struct vp_mask *hint)
{
    a->irqs[irq].has_hint = hint && !vp_mask_empty(hint);
    if (hint)
        a->irqs[irq].hint = *hint;
}

/* ---- moving IRQs between objects (migrate_irq_obj) ----------------------- */

static void migrate_irq_obj(struct irqbalance_algo *a, struct ib_obj *from, struct ib_obj *to,
                            struct ib_irq *irq)
{
    if (!from)
        from = irq->assigned;
    bool found = from ? list_remove(from->irqs, &from->nirqs, irq)
                      : list_remove(a->rebalance, &a->nrebalance, irq);
    if (!found)
        return;
    if (to)
        list_append(to->irqs, &to->nirqs, irq);
    else
        list_append(a->rebalance, &a->nrebalance, irq);
    irq->moved = true;
    if (to)
        to->load += irq->load + 1;
    irq->assigned = to;
}

static void force_rebalance_irq(struct irqbalance_algo *a, struct ib_irq *irq)
{
    if (irq->level == IB_BALANCE_NONE)
        return;
    if (!irq->assigned)
        list_append(a->rebalance, &a->nrebalance, irq);
    else
        migrate_irq_obj(a, irq->assigned, NULL, irq);
}

/* ---- loads (parse_proc_interrupts, parse_proc_stat) ----------------------- */

static void set_load(struct ib_obj *d)
{
    if (!d->nchildren)
        return;
    d->load = 0;
    for (uint32_t i = 0; i < d->nchildren; i++) {
        set_load(d->children[i]);
        d->load += d->children[i]->load;
    }
}

static void accumulate_interrupts(struct ib_obj *d)
{
    for (uint32_t i = 0; i < d->nchildren; i++)
        accumulate_interrupts(d->children[i]);
    d->irq_count = 0;
    for (uint32_t i = 0; i < d->nirqs; i++)
        d->irq_count += d->irqs[i]->count - d->irqs[i]->last_count;
}

static uint64_t parent_branch_share(const struct ib_obj *d)
{
    uint64_t total = 0;
    if (d->parent)
        total = parent_branch_share(d->parent) / d->parent->nchildren;
    return total + d->irq_count;
}

static void children_branch_count(const struct ib_obj *d, uint64_t *acc)
{
    for (uint32_t i = 0; i < d->nchildren; i++)
        children_branch_count(d->children[i], acc);
    *acc += d->irq_count;
}

static void branch_load_share(struct ib_obj *d)
{
    if (!d->nirqs)
        return;
    uint64_t local = parent_branch_share(d);
    for (uint32_t i = 0; i < d->nchildren; i++)
        children_branch_count(d->children[i], &local);
    uint64_t slice = local ? d->load / local : 1;
    for (uint32_t i = 0; i < d->nirqs; i++) {
        struct ib_irq *irq = d->irqs[i];
        irq->load = (irq->count - irq->last_count) * slice;
        if (!irq->load)
            irq->load++; /* every IRQ has at least a load of 1 */
    }
}

/* ---- phase 1: take candidates off overloaded objects (irqlist.c) --------- */

struct lb_info {
    uint64_t min_load, adjustment_load;
    uint32_t sources;
};

static void move_candidate(struct irqbalance_algo *a, struct ib_irq *irq, struct lb_info *lb)
{
    if (a->hint_policy == IB_HINT_EXACT && irq->has_hint)
        return; /* never moved: its hint is applied as it is */
    if (irq->level == IB_BALANCE_NONE)
        return;
    if (irq->assigned->nirqs <= 1)
        return; /* the only IRQ of its object stays, whatever the load */
    if (irq->load <= 1)
        return; /* had no interrupts: not worth moving */
    uint64_t delta = a->migrate_ratio ? (lb->adjustment_load - lb->min_load) / a->migrate_ratio
                                      : 0;
    /* only if moving it to the least loaded object does not reverse the
     * imbalance */
    if (lb->min_load + irq->load < delta + (lb->adjustment_load - irq->load)) {
        lb->adjustment_load -= irq->load;
        lb->min_load += irq->load;
        if (lb->min_load > lb->adjustment_load)
            lb->min_load = lb->adjustment_load;
    } else {
        return;
    }
    a->taken++;
    force_rebalance_irq(a, irq);
}

static void migrate_overloaded(struct irqbalance_algo *a, struct ib_obj *obj, struct lb_info *lb)
{
    if (obj->load <= lb->min_load || obj->nirqs <= 1)
        return;
    list_sort(obj->irqs, obj->nirqs);
    lb->adjustment_load = obj->load;
    uint32_t n = obj->nirqs;
    memcpy(a->scratch, obj->irqs, n * sizeof *a->scratch);
    for (uint32_t i = 0; i < n; i++)
        move_candidate(a, a->scratch[i], lb);
}

static void find_overloaded(struct irqbalance_algo *a, struct ib_obj *objs, uint32_t n)
{
    struct lb_info lb = { 0 };
    for (uint32_t i = 0; i < n; i++) { /* gather_load_stats */
        if (lb.sources == 0 || objs[i].load < lb.min_load)
            lb.min_load = objs[i].load;
        lb.sources++;
    }
    for (uint32_t i = 0; i < n; i++)
        migrate_overloaded(a, &objs[i], &lb);
}

/* ---- phase 2: top-down placement (placement.c) ---------------------------- */

static void place_in_child(struct irqbalance_algo *a, struct ib_obj *d, struct ib_irq *irq)
{
    if (!irq->moved)
        return;
    if ((d->type == IB_NODE && irq->level == IB_BALANCE_NONE) ||
        (d->type == IB_PACKAGE && irq->level == IB_BALANCE_PACKAGE) ||
        (d->type == IB_CACHE && irq->level == IB_BALANCE_CACHE) ||
        (d->type == IB_CPU && irq->level == IB_BALANCE_CORE))
        return;
    struct ib_obj *best = NULL;
    uint64_t best_cost = UINT64_MAX;
    for (uint32_t i = 0; i < d->nchildren; i++) { /* find_best_object */
        struct ib_obj *c = d->children[i];
        if (a->hint_policy == IB_HINT_SUBSET && irq->has_hint &&
            !vp_mask_intersects(&irq->hint, &c->mask))
            continue;
        if (c->load < best_cost) {
            best = c;
            best_cost = c->load;
        } else if (c->load == best_cost && (!best || c->nirqs < best->nirqs)) {
            best = c;
        }
    }
    if (best) {
        migrate_irq_obj(a, d, best, irq);
        a->placed += d->type == IB_CACHE;
    }
}

static void place_in_object(struct irqbalance_algo *a, struct ib_obj *d)
{
    uint32_t n = d->nirqs;
    memcpy(a->scratch, d->irqs, n * sizeof *a->scratch);
    for (uint32_t i = 0; i < n; i++)
        place_in_child(a, d, a->scratch[i]);
}

static void calculate_placement(struct irqbalance_algo *a)
{
    list_sort(a->rebalance, a->nrebalance);
    if (!a->nrebalance)
        return;
    uint32_t n = a->nrebalance;
    memcpy(a->scratch, a->rebalance, n * sizeof *a->scratch);
    for (uint32_t i = 0; i < n; i++) { /* place_irq_in_node, numa_avail 0 */
        struct ib_irq *irq = a->scratch[i];
        if (irq->level != IB_BALANCE_NONE)
            migrate_irq_obj(a, NULL, &a->node, irq);
    }
    place_in_object(a, &a->node);
    place_in_object(a, &a->package);
    for (uint32_t c = 0; c < a->ncaches; c++)
        place_in_object(a, &a->caches[c]);
}

/* ---- a scan --------------------------------------------------------------- */

void ib_scan(struct irqbalance_algo *a, const uint64_t *counts, const uint64_t *cpu_ns)
{
    a->taken = a->placed = 0;
    for (uint32_t i = 0; i < a->nirqs; i++) {
        a->irqs[i].last_count = a->irqs[i].count;
        a->irqs[i].count = counts[i];
    }
    for (uint32_t c = 0; c < a->ncpus; c++) {
        if (a->cycle_count)
            a->cpus[c].load = cpu_ns[c] - a->cpus[c].last_load;
        a->cpus[c].last_load = cpu_ns[c];
    }
    set_load(&a->node);
    accumulate_interrupts(&a->node);
    for (uint32_t c = 0; c < a->ncpus; c++)
        branch_load_share(&a->cpus[c]);
    for (uint32_t c = 0; c < a->ncaches; c++)
        branch_load_share(&a->caches[c]);
    branch_load_share(&a->package);
    branch_load_share(&a->node);
    if (a->cycle_count) {
        find_overloaded(a, a->cpus, a->ncpus);
        find_overloaded(a, a->caches, a->ncaches);
        find_overloaded(a, &a->package, 1);
        find_overloaded(a, &a->node, 1);
    }
    calculate_placement(a);
    a->cycle_count++;
}

bool ib_to_activate(const struct irqbalance_algo *a, uint32_t irq, struct vp_mask *applied)
{
    const struct ib_irq *i = &a->irqs[irq];
    if (!i->moved || !i->assigned)
        return false;
    if (a->hint_policy == IB_HINT_EXACT && i->has_hint) {
        *applied = i->hint;
        return true;
    }
    *applied = i->assigned->mask;
    if (a->hint_policy == IB_HINT_SUBSET && i->has_hint)
        for (unsigned w = 0; w < VP_MASK_WORDS; w++)
            applied->w[w] &= i->hint.w[w];
    return !vp_mask_empty(applied); /* an empty subset is not written */
}

void ib_activated(struct irqbalance_algo *a, uint32_t irq, bool refused)
{
    struct ib_irq *i = &a->irqs[irq];
    i->moved = false;
    if (refused)
        i->level = IB_BALANCE_NONE; /* "affinity is now unmanaged" */
}

uint32_t ib_irq_cpu(const struct irqbalance_algo *a, uint32_t irq)
{
    const struct ib_obj *o = a->irqs[irq].assigned;
    return o && o->type == IB_CPU ? o->number : UINT32_MAX;
}
