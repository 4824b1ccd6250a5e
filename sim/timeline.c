/* sim/timeline.c — the scenario's timeline (see timeline.h). One kernel
 * event per firing: nothing per I/O. */
#include "sim/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"
#include "sim/units.h"

struct timeline_item {
    struct timeline *t;
    const struct cfg_node *cfg;
    const struct timeline_action *act;
    sim_time_t every, until;  /* every 0: fires once, at `at` */
    struct rng rng;
};

struct timeline {
    struct env *env;
    struct cfg_node *root;
    void *ctx;
    struct timeline_item *items;
    size_t n;
};

/* ---- the generic actions ------------------------------------------------ */

static const struct directory_entry *target_of(struct env *e, const struct cfg_node *item,
                                               char *why, size_t n)
{
    const char *path = cfg_str(item, "target");
    const struct directory_entry *d = e->dir ? directory_find(e->dir, path) : NULL;
    if (!d)
        snprintf(why, n, "no component '%s'", path);
    return d;
}

static int fire_fail(const struct timeline_fire *f, char *why, size_t n)
{
    const struct directory_entry *d = target_of(f->env, f->item, why, n);
    if (!d)
        return -1;
    if (!d->ops->fail)
        return snprintf(why, n, "a %s cannot fail", d->ops->kind), -1;
    return d->ops->fail(d->obj, why, n);
}

static int fire_repair(const struct timeline_fire *f, char *why, size_t n)
{
    const struct directory_entry *d = target_of(f->env, f->item, why, n);
    if (!d)
        return -1;
    if (!d->ops->repair)
        return snprintf(why, n, "a %s cannot be repaired", d->ops->kind), -1;
    return d->ops->repair(d->obj, why, n);
}

static int fire_freeze(const struct timeline_fire *f, char *why, size_t n)
{
    const struct directory_entry *d = target_of(f->env, f->item, why, n);
    if (!d)
        return -1;
    if (!d->ops->freeze)
        return snprintf(why, n, "a %s cannot be frozen", d->ops->kind), -1;
    return d->ops->freeze(d->obj, why, n);
}

/* The parameter node a `set` names (the scenario's own tree). */
static struct cfg_node *set_param(const struct cfg_node *root, const struct cfg_node *item)
{
    struct cfg_node *p = cfg_find(root, cfg_str(item, "path"));
    return p && p->kind == CFG_VALUE && p->desc ? p : NULL;
}

static int fire_set(const struct timeline_fire *f, char *why, size_t n)
{
    struct cfg_node *p = set_param(f->root, f->item);
    struct param_value v;
    if (!p || cfg_parse_value(p->desc, cfg_str(f->item, "value"), &v, why, n) != 0)
        return -1; /* timeline_check_item refused these before the run */
    p->v = v;
    if (env_set(f->env, p, &v) == 0)
        return snprintf(why, n, "no component applies '%s' at run time", p->key), -1;
    return 0;
}

const struct timeline_action timeline_fail_action = { "fail", "target", fire_fail };
const struct timeline_action timeline_repair_action = { "repair", "target", fire_repair };
const struct timeline_action timeline_freeze_action = { "freeze", "target|every|until",
                                                        fire_freeze };
const struct timeline_action timeline_set_action = { "set", "path|value", fire_set };

/* ---- checking ----------------------------------------------------------- */

/* Whether `name` is one of the '|'-separated words of `list`. */
static bool in_list(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        size_t w = strcspn(p, "|");
        if (w == len && memcmp(p, name, len) == 0)
            return true;
        p += w + (p[w] == '|');
    }
    return false;
}

const struct timeline_action *timeline_action_of(const struct cfg_node *item,
                                                 const struct timeline_action *const *acts,
                                                 size_t n)
{
    const char *name = cfg_str(item, "action");
    for (size_t i = 0; i < n; i++)
        if (strcmp(acts[i]->name, name) == 0)
            return acts[i];
    return NULL;
}

static bool loc_before(const struct src_loc *a, const struct src_loc *b)
{
    return a->line < b->line || (a->line == b->line && a->col < b->col);
}

/* A parameter set explicitly that the action does not read. */
static const struct cfg_node *foreign_param(const struct cfg_node *item,
                                            const struct timeline_action *a)
{
    const struct cfg_node *bad = NULL;
    for (size_t i = 0; i < item->nkids; i++) {
        const struct cfg_node *v = item->kids[i];
        if (!v || v->kind != CFG_VALUE || v->is_default || in_list("name|at|action", v->key) ||
            in_list(a->params, v->key))
            continue;
        if (!bad || loc_before(&v->loc, &bad->loc))
            bad = v;
    }
    return bad;
}

static int check_set(const struct cfg_node *root, const struct cfg_node *item, struct diag *err)
{
    const struct cfg_node *path = cfg_find(item, "path");
    const struct cfg_node *value = cfg_find(item, "value");
    if (path->is_default)
        return diag_set(err, &item->loc, "a 'set' needs a 'path'");
    if (value->is_default)
        return diag_set(err, &item->loc, "a 'set' needs a 'value'");
    const struct cfg_node *p = set_param(root, item);
    char shown[64], msg[sizeof err->msg];
    if (!p)
        return diag_set(err, &path->loc, "'path' = '%s' is not a parameter of the scenario",
                        unit_show(path->v.s, shown, sizeof shown));
    if (!p->desc->runtime)
        return diag_set(err, &path->loc, "'%s' cannot change while the machine runs (it is "
                        "not a run-time parameter; `lparsim params` marks those)",
                        unit_show(path->v.s, shown, sizeof shown));
    struct param_value v;
    if (cfg_parse_value(p->desc, value->v.s, &v, msg, sizeof msg) != 0)
        return diag_set(err, &value->loc, "%s", msg);
    return 0;
}

static const char *time_text(const struct param_value *v, char *buf, size_t n)
{
    unit_format(PARAM_TIME, v, buf, n);
    return buf;
}

int timeline_check_item(const struct cfg_node *root, const struct cfg_node *item,
                        const struct timeline_action *const *acts, size_t n, struct diag *err)
{
    const struct timeline_action *a = timeline_action_of(item, acts, n);
    if (!a)
        return diag_set(err, cfg_loc(item, "action"), "internal error: no action '%s'",
                        cfg_str(item, "action"));
    const struct cfg_node *bad = foreign_param(item, a);
    if (bad)
        return diag_set(err, &bad->loc, "'%s' does not apply to a '%s' action", bad->key,
                        a->name);
    sim_time_t duration = cfg_u64(root, "duration");
    const struct cfg_node *at = cfg_find(item, "at"), *every = cfg_find(item, "every");
    const struct cfg_node *until = cfg_find(item, "until");
    char t1[32], t2[32];
    if (at->is_default && every->v.u == 0)
        return diag_set(err, &item->loc, "missing required key 'at'");
    if (at->v.u > duration)
        return diag_set(err, &at->loc, "'at' = %s is after the end of the run (duration %s)",
                        time_text(&at->v, t1, sizeof t1),
                        time_text(&cfg_find(root, "duration")->v, t2, sizeof t2));
    if (!until->is_default && until->v.u <= at->v.u)
        return diag_set(err, &until->loc, "'until' must be after 'at'");
    if (strcmp(a->name, "set") == 0)
        return check_set(root, item, err);
    return 0;
}

/* ---- running ------------------------------------------------------------ */

static void describe(const struct cfg_node *item, const struct timeline_action *a, char *buf,
                     size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    if (item->key[0] != '#')
        o += (size_t)snprintf(buf, n, "%s:", item->key);
    for (size_t i = 0; i < item->nkids && o < n; i++) {
        const struct cfg_node *v = item->kids[i];
        if (!v || v->kind != CFG_VALUE || v->is_default || !in_list(a->params, v->key))
            continue;
        char val[64];
        const char *text = v->v.s;
        if (v->desc && v->desc->type != PARAM_STR && v->desc->type != PARAM_ENUM &&
            v->desc->type != PARAM_REF)
            unit_format(v->desc->type, &v->v, val, sizeof val), text = val;
        o += (size_t)snprintf(buf + o, n - o, "%s%s %s", o ? " " : "", v->key, text);
    }
}

static void schedule(struct timeline_item *it, sim_time_t after);

static void on_fire(void *ctx, uint64_t arg)
{
    (void)arg;
    struct timeline_item *it = ctx;
    struct timeline *t = it->t;
    struct env *e = t->env;
    char why[200] = "", detail[320];
    describe(it->cfg, it->act, detail, sizeof detail);
    struct timeline_fire f = { t->ctx, e, t->root, it->cfg };
    int rc = it->act->fire(&f, why, sizeof why);
    if (rc == 0)
        recorder_event(e->rec, kernel_now(e->k), "timeline", it->act->name, "%s", detail);
    else
        recorder_event(e->rec, kernel_now(e->k), "timeline", it->act->name, "%s: refused: %s",
                       detail, why);
    if (it->every)
        schedule(it, kernel_now(e->k));
}

/* The next firing of a repeating item after `after`, if before its end. */
static void schedule(struct timeline_item *it, sim_time_t after)
{
    struct env *e = it->t->env;
    if (!it->every) {
        kernel_schedule_at(e->k, after, on_fire, it, 0);
        return;
    }
    double gap = rng_exponential(&it->rng, (double)it->every);
    sim_time_t next = after + (sim_time_t)(gap + 0.5);
    if (next <= it->until && next >= after)
        kernel_schedule_at(e->k, next, on_fire, it, 0);
}

struct timeline *timeline_create(struct env *e, struct cfg_node *root,
                                 const struct timeline_action *const *acts, size_t n, void *ctx)
{
    struct timeline *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    const struct cfg_node *list = cfg_find(root, "timeline");
    t->env = e;
    t->root = root;
    t->ctx = ctx;
    t->n = list ? list->nkids : 0;
    t->items = calloc(t->n ? t->n : 1, sizeof *t->items);
    if (!t->items) {
        free(t);
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++) {
        struct timeline_item *it = &t->items[i];
        char stream[96];
        it->t = t;
        it->cfg = list->kids[i];
        it->act = timeline_action_of(it->cfg, acts, n);
        it->every = cfg_u64(it->cfg, "every");
        it->until = cfg_find(it->cfg, "until")->is_default ? e->duration
                                                           : cfg_u64(it->cfg, "until");
        snprintf(stream, sizeof stream, "timeline.%s", it->cfg->key);
        rng_seed(&it->rng, e->seed, stream);
    }
    return t;
}

void timeline_start(struct timeline *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i].act)
            schedule(&t->items[i], cfg_u64(t->items[i].cfg, "at"));
}

void timeline_destroy(struct timeline *t)
{
    if (!t)
        return;
    free(t->items);
    free(t);
}
