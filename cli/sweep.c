/* cli/sweep.c — expands a sweep into runs and checks them (see sweep.h).
 *
 * Order: the axes are the scenario's sweep.vary paths in file order, then
 * --vary paths the file does not have, in command-line order (a --vary
 * for a path the file varies replaces that list in place). The last axis
 * varies fastest, reps innermost, like nested loops written in that
 * order. Nothing here forks or creates a kernel: the parent of a sweep
 * only loads, checks and hashes. */
#define _POSIX_C_SOURCE 200809L /* strdup, strndup */
#include "cli/sweep.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/expect_check.h"
#include "cli/machine.h"
#include "cli/run.h"
#include "sim/rng.h"

/* Far beyond any sweep a results database or a Slurm array can hold;
 * stops a typo (--reps 100000 on a big product) before hashing for
 * hours. */
#define SWEEP_MAX_RUNS 10000000u

/* ---- small string helpers ---- */

/* Copy of the n bytes at s without leading and trailing blanks. */
static char *dup_trim(const char *s, size_t n, size_t *lead)
{
    size_t a = 0;
    while (a < n && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (lead)
        *lead = a;
    return strndup(s + a, n - a);
}

/* "path=value" in a malloc'ed buffer. */
static char *assignment_of(const char *path, const char *value)
{
    size_t n = strlen(path) + strlen(value) + 2;
    char *a = malloc(n);
    if (a)
        snprintf(a, n, "%s=%s", path, value);
    return a;
}

static int oom(struct diag *err)
{
    return diag_set(err, NULL, "out of memory");
}

/* ---- --set and --seed ---- */

static int set_one(struct sweep_plan *p, const char *assignment, bool record, struct diag *err)
{
    if (scenario_set(p->s, assignment, NULL, err) != 0)
        return -1;
    if (!record)
        return 0;
    size_t eq = strcspn(assignment, "=");
    char *name = dup_trim(assignment, eq, NULL);
    char *value = dup_trim(assignment + eq + 1, strlen(assignment + eq + 1), NULL);
    if (!name || !value) {
        free(name);
        free(value);
        return oom(err);
    }
    p->fixed[p->nfixed++] = (struct run_param){ name, value };
    return 0;
}

/* --set values apply in order; --seed last. The seed is not kept as a
 * fixed param: every run records the seed it actually ran with. */
static int apply_sets(struct sweep_plan *p, const struct sweep_request *req, struct diag *err)
{
    p->fixed = calloc(req->nsets + 1, sizeof *p->fixed);
    if (!p->fixed)
        return oom(err);
    for (size_t i = 0; i < req->nsets; i++)
        if (set_one(p, req->sets[i], true, err))
            return -1;
    if (req->seed) {
        char *a = assignment_of("seed", req->seed);
        int e = a ? set_one(p, a, false, err) : oom(err);
        free(a);
        if (e)
            return -1;
    }
    return 0;
}

/* ---- axes ---- */

static void axis_free(struct sweep_axis *a)
{
    for (size_t i = 0; i < a->nvalues; i++)
        free(a->values[i]);
    free(a->values);
    free(a->value_loc);
    free(a->path);
    memset(a, 0, sizeof *a);
}

static int axis_alloc(struct sweep_axis *a, size_t n)
{
    a->values = calloc(n, sizeof *a->values);
    a->value_loc = calloc(n, sizeof *a->value_loc);
    return a->values && a->value_loc ? 0 : -1;
}

static int axes_from_scenario(struct sweep_plan *p, size_t extra, struct diag *err)
{
    const struct cfg_node *vary = cfg_find(p->s->root, "sweep.vary");
    size_t n = vary ? vary->nkids : 0;
    p->axes = calloc(n + extra + 1, sizeof *p->axes);
    if (!p->axes)
        return oom(err);
    for (size_t i = 0; i < n; i++) {
        const struct cfg_node *seq = vary->kids[i];
        struct sweep_axis *a = &p->axes[p->naxes++];
        if (!(a->path = strdup(seq->key)) || axis_alloc(a, seq->nkids))
            return oom(err);
        a->key_loc = seq->loc;
        for (size_t j = 0; j < seq->nkids; j++) {
            if (!(a->values[j] = strdup(seq->kids[j]->v.s)))
                return oom(err);
            a->value_loc[j] = seq->kids[j]->loc;
            a->nvalues++;
        }
    }
    return 0;
}

static struct sweep_axis *axis_named(struct sweep_plan *p, const char *path)
{
    for (size_t i = 0; i < p->naxes; i++)
        if (strcmp(p->axes[i].path, path) == 0)
            return &p->axes[i];
    return NULL;
}

/* Splits the comma-separated values after the '=' at arg[eq] into a. */
static int cli_values(struct sweep_axis *a, const char *arg, size_t eq, struct diag *err)
{
    size_t n = 1;
    for (const char *c = arg + eq + 1; *c; c++)
        n += *c == ',';
    if (axis_alloc(a, n))
        return oom(err);
    size_t start = eq + 1;
    for (;;) {
        size_t len = strcspn(arg + start, ","), lead;
        char *v = dup_trim(arg + start, len, &lead);
        struct src_loc at = { "--vary", 1, (int)(start + lead + 1) };
        if (!v)
            return oom(err);
        if (!*v) {
            free(v);
            return diag_set(err, &at, "empty value in --vary '%s'", a->path);
        }
        a->value_loc[a->nvalues] = at;
        a->values[a->nvalues++] = v;
        if (!arg[start + len])
            return 0;
        start += len + 1;
    }
}

/* One --vary PATH=V1,V2,...: replaces the file's list for PATH, or adds an
 * axis. A path given twice on the command line is a mistake. */
static int axis_from_cli(struct sweep_plan *p, const char *arg, bool *from_cli,
                         struct diag *err)
{
    struct src_loc at = { "--vary", 1, 1 };
    const char *eq = strchr(arg, '=');
    if (!eq)
        return diag_set(err, &at, "expected PATH=V1,V2,..., got '%s'", arg);
    size_t lead;
    char *path = dup_trim(arg, (size_t)(eq - arg), &lead);
    if (!path)
        return oom(err);
    at.col = (int)lead + 1;
    if (!*path) {
        free(path);
        return diag_set(err, &at, "missing parameter path before '='");
    }
    struct sweep_axis *a = axis_named(p, path);
    if (a && from_cli[a - p->axes]) {
        diag_set(err, &at, "--vary '%s' given twice", path);
        free(path);
        return -1;
    }
    if (a) {
        axis_free(a); /* keeps its position in the order */
    } else {
        a = &p->axes[p->naxes++];
    }
    a->path = path;
    a->key_loc = at;
    from_cli[a - p->axes] = true;
    return cli_values(a, arg, (size_t)(eq - arg), err);
}

/* Finds each axis's parameter. A path that is not one gets scenario_set's
 * own message (unknown key with did-you-mean, not a parameter, ...) at
 * the place the path was written. */
static int axes_resolve(struct sweep_plan *p, struct diag *err)
{
    const struct cfg_node *seed = cfg_find(p->s->root, "seed");
    for (size_t i = 0; i < p->naxes; i++) {
        struct sweep_axis *a = &p->axes[i];
        struct cfg_node *n = cfg_find(p->s->root, a->path);
        if (!n || n->kind != CFG_VALUE) {
            char *probe = assignment_of(a->path, a->values[0]);
            int e = probe ? scenario_set(p->s, probe, &a->key_loc, err) : oom(err);
            free(probe);
            if (e == 0)
                return diag_set(err, &a->key_loc, "'%s' is not a parameter", a->path);
            return -1;
        }
        a->node = n;
        a->saved = *n;
        a->is_seed = n == seed;
    }
    return 0;
}

static int collect_axes(struct sweep_plan *p, const struct sweep_request *req,
                        struct diag *err)
{
    if (axes_from_scenario(p, req->nvaries, err))
        return -1;
    bool *from_cli = calloc(p->naxes + req->nvaries + 1, sizeof *from_cli);
    if (!from_cli)
        return oom(err);
    int e = 0;
    for (size_t i = 0; i < req->nvaries && !e; i++)
        e = axis_from_cli(p, req->varies[i], from_cli, err);
    free(from_cli);
    return e ? -1 : axes_resolve(p, err);
}

/* ---- points ---- */

size_t sweep_value_index(const struct sweep_plan *p, size_t point, size_t a)
{
    for (size_t i = p->naxes; i-- > a + 1;)
        point /= p->axes[i].nvalues;
    return point % p->axes[a].nvalues;
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t sweep_seed_derive(uint64_t base, uint64_t point_hash, uint64_t rep, bool independent)
{
    if (!independent && rep == 0)
        return base;
    uint64_t z = mix64(mix64(base + 0x9e3779b97f4a7c15ull) ^ rep);
    if (independent)
        z = mix64(z ^ point_hash);
    return z >> 11;
}

/* A hash of the point's values as written (the seed aside), so that
 * independent seeds do not move when values are added to an axis. */
static uint64_t point_hash(const struct sweep_plan *p, size_t point)
{
    uint64_t h = 0x6c7061727369ull;
    for (size_t a = 0; a < p->naxes; a++) {
        if (p->axes[a].is_seed)
            continue;
        h = mix64(h ^ hash_str64(p->axes[a].path));
        h = mix64(h ^ hash_str64(p->axes[a].values[sweep_value_index(p, point, a)]));
    }
    return h;
}

static int set_seed(struct sweep_plan *p, uint64_t seed, struct diag *err)
{
    char a[40];
    snprintf(a, sizeof a, "seed=%" PRIu64, seed);
    return scenario_set(p->s, a, NULL, err);
}

static int apply_values(struct sweep_plan *p, size_t point, struct diag *err)
{
    for (size_t a = 0; a < p->naxes; a++) {
        const struct sweep_axis *ax = &p->axes[a];
        size_t v = sweep_value_index(p, point, a);
        char *s = assignment_of(ax->path, ax->values[v]);
        int e = s ? scenario_set(p->s, s, &ax->value_loc[v], err) : oom(err);
        free(s);
        if (e)
            return -1;
    }
    return 0;
}

int sweep_point_apply(struct sweep_plan *p, const struct sweep_run *r, struct diag *err)
{
    return apply_values(p, r->point, err) || set_seed(p, r->seed, err) ? -1 : 0;
}

static void node_restore(struct cfg_node *n, const struct cfg_node *saved)
{
    n->v = saved->v;
    n->is_default = saved->is_default;
    n->loc = saved->loc;
}

void sweep_point_undo(struct sweep_plan *p)
{
    for (size_t a = 0; a < p->naxes; a++)
        node_restore(p->axes[a].node, &p->axes[a].saved);
    node_restore(p->seed_node, &p->seed_saved);
}

void sweep_point_label(const struct sweep_plan *p, size_t point, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < p->naxes && o < n; a++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s=%s", a ? " " : "", p->axes[a].path,
                              p->axes[a].values[sweep_value_index(p, point, a)]);
}

void sweep_run_label(const struct sweep_plan *p, const struct sweep_run *r, char *buf, size_t n)
{
    sweep_point_label(p, r->point, buf, n);
    size_t o = strlen(buf);
    if (o + 1 < n)
        snprintf(buf + o, n - o, "%srep %d", o ? " " : "", r->rep);
}

/* Appends " (sweep point: ...)" to a semantic error found only for some
 * combination of values, which the location alone would not explain. */
static void diag_add_point(const struct sweep_plan *p, size_t point, struct diag *err)
{
    if (p->naxes == 0)
        return;
    char label[512];
    sweep_point_label(p, point, label, sizeof label);
    size_t used = strlen(err->msg);
    snprintf(err->msg + used, sizeof err->msg - used, " (sweep point: %s)", label);
}

/* Checks one point and hashes its runs into p->runs[first...]. */
static int expand_point(struct sweep_plan *p, size_t point, struct diag *err)
{
    if (apply_values(p, point, err))
        return -1;
    struct expect_list el;
    if (scenario_check_refs(p->s, err) || machine_check(p->s->root, err) ||
        expect_check(p->s->root, &el, err)) {
        diag_add_point(p, point, err);
        return -1;
    }
    expect_list_free(&el);
    uint64_t hash = point_hash(p, point);
    uint64_t base = p->base_seed;
    bool independent = p->independent_seeds;
    for (size_t a = 0; a < p->naxes; a++)
        if (p->axes[a].is_seed) { /* a varied seed is the point's base, as given */
            base = p->axes[a].node->v.u;
            independent = false;
        }
    for (uint64_t rep = 0; rep < p->reps; rep++) {
        struct sweep_run *r = &p->runs[point * p->reps + rep];
        r->point = point;
        r->rep = (int)rep;
        r->seed = sweep_seed_derive(base, hash, rep, independent);
        if (set_seed(p, r->seed, err))
            return -1;
        run_key_of(p->s, r->rep, r->run_key);
    }
    return 0;
}

static int count_runs(struct sweep_plan *p, struct diag *err)
{
    size_t n = 1;
    for (size_t a = 0; a < p->naxes; a++) {
        if (n > SWEEP_MAX_RUNS / p->axes[a].nvalues)
            return diag_set(err, NULL, "the sweep has more than %u points", SWEEP_MAX_RUNS);
        n *= p->axes[a].nvalues;
    }
    p->npoints = n;
    if (p->reps > SWEEP_MAX_RUNS / n)
        return diag_set(err, NULL, "the sweep has more than %u runs (%zu points x %" PRIu64
                        " reps)", SWEEP_MAX_RUNS, n, p->reps);
    p->nruns = n * (size_t)p->reps;
    return 0;
}

int sweep_plan_init(struct sweep_plan *p, struct scenario *s, const struct sweep_request *req,
                    struct diag *err)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->independent_seeds = req->independent_seeds;
    sha256_hex(s->text, s->text_len, p->scenario_sha256);
    if (apply_sets(p, req, err) || collect_axes(p, req, err))
        goto fail;
    p->reps = req->reps ? req->reps : cfg_u64(s->root, "sweep.reps");
    p->base_seed = cfg_u64(s->root, "seed");
    p->seed_node = cfg_find(s->root, "seed");
    p->seed_saved = *p->seed_node;
    /* Only what stays in effect is recorded: a varied path or the seed
     * is recorded per run instead. */
    size_t kept = 0;
    for (size_t i = 0; i < p->nfixed; i++) {
        if (strcmp(p->fixed[i].name, "seed") == 0 || axis_named(p, p->fixed[i].name)) {
            free((char *)p->fixed[i].name);
            free((char *)p->fixed[i].value);
        } else {
            p->fixed[kept++] = p->fixed[i];
        }
    }
    p->nfixed = kept;
    if (count_runs(p, err) || !(p->runs = calloc(p->nruns, sizeof *p->runs))) {
        if (p->nruns && !p->runs)
            oom(err);
        goto fail;
    }
    for (size_t pt = 0; pt < p->npoints; pt++) {
        int e = expand_point(p, pt, err);
        sweep_point_undo(p);
        if (e)
            goto fail;
    }
    return 0;
fail:
    if (p->seed_node)
        sweep_point_undo(p);
    sweep_plan_free(p);
    return -1;
}

void sweep_plan_free(struct sweep_plan *p)
{
    for (size_t i = 0; i < p->naxes; i++)
        axis_free(&p->axes[i]);
    free(p->axes);
    for (size_t i = 0; i < p->nfixed; i++) {
        free((char *)p->fixed[i].name);
        free((char *)p->fixed[i].value);
    }
    free(p->fixed);
    for (size_t i = 0; p->runs && i < p->nruns; i++)
        free(p->runs[i].message);
    free(p->runs);
    memset(p, 0, sizeof *p);
}

size_t sweep_run_params(const struct sweep_plan *p, const struct sweep_run *r,
                        struct run_param *out, char *seed_buf)
{
    size_t n = 0;
    snprintf(seed_buf, 21, "%" PRIu64, r->seed);
    out[n++] = (struct run_param){ "seed", seed_buf };
    for (size_t i = 0; i < p->nfixed; i++)
        out[n++] = p->fixed[i];
    for (size_t a = 0; a < p->naxes; a++)
        if (!p->axes[a].is_seed)
            out[n++] = (struct run_param){ p->axes[a].path,
                                           p->axes[a].values[sweep_value_index(p, r->point, a)] };
    return n;
}

size_t sweep_mark_done(struct sweep_plan *p, const struct results_keys *done)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nruns; i++)
        if ((p->runs[i].done = results_keys_contain(done, p->runs[i].run_key)))
            n++;
    return n;
}
