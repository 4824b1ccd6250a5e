/* models/hypervisor/irq_stats.c — a system's interrupt reassignments
 * (see irq_stats.h). */
#include "models/hypervisor/irq_stats.h"

#include <stdio.h>
#include <stdlib.h>

struct irq_stats {
    struct env *env;
    char path[96];
    uint64_t moves, refused;
    sim_time_t *changes;      /* load changes, sorted */
    sim_time_t *last_move;    /* per change: its last reassignment (SIM_TIME_MAX: none) */
    size_t nchanges;
    struct series *se_moves;
};

static int cmp_time(const void *a, const void *b)
{
    sim_time_t x = *(const sim_time_t *)a, y = *(const sim_time_t *)b;
    return x < y ? -1 : x > y;
}

void irq_stats_load_changes(struct irq_stats *s, const sim_time_t *t, size_t n)
{
    free(s->changes);
    free(s->last_move);
    s->changes = n ? malloc(n * sizeof *s->changes) : NULL;
    s->last_move = n ? malloc(n * sizeof *s->last_move) : NULL;
    s->nchanges = s->changes && s->last_move ? n : 0;
    for (size_t i = 0; i < s->nchanges; i++) {
        s->changes[i] = t[i];
        s->last_move[i] = SIM_TIME_MAX;
    }
    if (s->nchanges > 1) /* qsort of NULL is undefined, even for 0 items */
        qsort(s->changes, s->nchanges, sizeof *s->changes, cmp_time);
}

void irq_stats_move(struct irq_stats *s)
{
    sim_time_t now = kernel_now(s->env->k);
    s->moves++;
    /* the window of the latest change at or before now */
    for (size_t i = s->nchanges; i-- > 0;)
        if (s->changes[i] <= now) {
            s->last_move[i] = now;
            break;
        }
}

void irq_stats_refused(struct irq_stats *s)
{
    s->refused++;
}

uint64_t irq_stats_reassignments(const struct irq_stats *s)
{
    return s->moves;
}

/* Like every count, reassignments start at the warm-up (a boot-time
 * placement is set-up, not a reassignment). */
static void on_warmup_end(void *ctx, sim_time_t now)
{
    (void)now;
    struct irq_stats *s = ctx;
    s->moves = s->refused = 0;
}

static void on_sample(void *ctx, sim_time_t now)
{
    struct irq_stats *s = ctx;
    series_append(s->se_moves, now, (double)s->moves);
}

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct irq_stats *s = ctx;
    struct recorder *rec = s->env->rec;
    recorder_scalar(rec, s->path, "reassignments", "", (double)s->moves);
    recorder_scalar(rec, s->path, "refused_moves", "", (double)s->refused);
    if (!s->nchanges)
        return;
    double sum = 0;
    for (size_t i = 0; i < s->nchanges; i++)
        if (s->last_move[i] != SIM_TIME_MAX)
            sum += sim_time_to_ns(s->last_move[i] - s->changes[i]);
    recorder_scalar(rec, s->path, "settle_time", "ns", sum / (double)s->nchanges);
}

struct irq_stats *irq_stats_create(struct env *e, const char *system)
{
    struct irq_stats *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->env = e;
    snprintf(s->path, sizeof s->path, "irq.%s", system);
    return s;
}

void irq_stats_record(struct irq_stats *s)
{
    if (s->se_moves)
        return;
    s->se_moves = recorder_series(s->env->rec, s->path, "reassignments", "");
    env_on_warmup_end(s->env, on_warmup_end, s);
    env_on_sample(s->env, on_sample, s);
    env_on_finish(s->env, on_finish, s);
}

void irq_stats_destroy(struct irq_stats *s)
{
    if (!s)
        return;
    free(s->changes);
    free(s->last_move);
    free(s);
}
