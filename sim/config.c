/* sim/config.c — the resolved configuration tree (config.h): path lookup,
 * typed accessors, and checking one parameter value against its
 * descriptor (type, unit, range, choices), shared by the loader, --set
 * and sweeps so all three report the same messages. */
#include "sim/config.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/suggest.h"
#include "sim/units.h"

/* The kid of n whose key is the `len` bytes at key. */
static struct cfg_node *kid_named(const struct cfg_node *n, const char *key, size_t len)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const char *k = n->kids[i]->key;
        if (k && strlen(k) == len && memcmp(k, key, len) == 0)
            return n->kids[i];
    }
    return NULL;
}

struct cfg_node *cfg_find(const struct cfg_node *n, const char *path)
{
    const char *p = path;
    if (!n || !path)
        return NULL;
    while (*p) {
        /* sweep.vary is keyed by whole parameter paths, dots included */
        size_t len = n->kind == CFG_VARY ? strlen(p) : strcspn(p, ".");
        if (n->kind == CFG_VALUE || n->kind == CFG_SEQ || len == 0)
            return NULL;
        n = kid_named(n, p, len);
        if (!n)
            return NULL;
        p += len;
        if (*p == '.' && *++p == '\0')
            return NULL; /* trailing dot */
    }
    return (struct cfg_node *)n;
}

/* The value node at path; absent paths are programming errors here. */
static const struct cfg_node *value_at(const struct cfg_node *n, const char *path)
{
    const struct cfg_node *v = cfg_find(n, path);
    assert(v && "cfg: no such parameter (schema and code disagree)");
    assert(v->kind == CFG_VALUE);
    return v;
}

static enum param_type type_of(const struct cfg_node *v)
{
    return v->desc ? v->desc->type : PARAM_STR;
}

uint64_t cfg_u64(const struct cfg_node *n, const char *path)
{
    const struct cfg_node *v = value_at(n, path);
    enum param_type t = type_of(v);
    assert(t == PARAM_U64 || t == PARAM_TIME || t == PARAM_SIZE || t == PARAM_BOOL);
    (void)t;
    return v->v.u;
}

double cfg_f64(const struct cfg_node *n, const char *path)
{
    const struct cfg_node *v = value_at(n, path);
    enum param_type t = type_of(v);
    assert(t != PARAM_STR && t != PARAM_ENUM && t != PARAM_REF);
    (void)t;
    return v->v.d;
}

bool cfg_bool(const struct cfg_node *n, const char *path)
{
    const struct cfg_node *v = value_at(n, path);
    assert(type_of(v) == PARAM_BOOL);
    return v->v.u != 0;
}

const char *cfg_str(const struct cfg_node *n, const char *path)
{
    const struct cfg_node *v = value_at(n, path);
    enum param_type t = type_of(v);
    assert(t == PARAM_STR || t == PARAM_ENUM || t == PARAM_REF);
    (void)t;
    return v->v.s;
}

const struct src_loc *cfg_loc(const struct cfg_node *n, const char *path)
{
    const struct cfg_node *v = cfg_find(n, path);
    assert(v && "cfg: no such path");
    return &v->loc;
}

void cfg_path(const struct cfg_node *n, char *buf, size_t len)
{
    const struct cfg_node *chain[64];
    size_t depth = 0, o = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (; n && n->parent && depth < 64; n = n->parent) /* the root has no key */
        chain[depth++] = n;
    while (depth > 0) {
        const struct cfg_node *c = chain[--depth];
        int w = snprintf(buf + o, len - o, "%s%s", o ? "." : "", c->key ? c->key : "?");
        if (w < 0 || (size_t)w >= len - o) {
            buf[o] = '\0'; /* too long: keep the whole keys that fit */
            return;
        }
        o += (size_t)w;
    }
}

const char *cfg_expects(const struct param_desc *d, char *buf, size_t n)
{
    static const char *const words[] = {
        [PARAM_U64] = "a count",     [PARAM_F64] = "a number",
        [PARAM_BOOL] = "a boolean",  [PARAM_STR] = "a string",
        [PARAM_TIME] = "a time",     [PARAM_SIZE] = "a size",
        [PARAM_BITRATE] = "a bitrate", [PARAM_FREQ] = "a frequency",
        [PARAM_RATE] = "a rate",
    };
    if (d->type == PARAM_ENUM)
        snprintf(buf, n, "one of %s", d->choices ? d->choices : "");
    else if (d->type == PARAM_REF)
        snprintf(buf, n, "the name of a %s item", d->choices ? d->choices : "list");
    else
        snprintf(buf, n, "%s", words[d->type]);
    return buf;
}

/* Splits "a|b|c" into up to max words in store; returns the count. */
static size_t split_choices(const char *choices, char *store, size_t cap,
                            const char **words, size_t max)
{
    size_t nw = 0;
    snprintf(store, cap, "%s", choices ? choices : "");
    for (char *p = store; *p && nw < max;) {
        words[nw++] = p;
        p += strcspn(p, "|");
        if (*p)
            *p++ = '\0';
    }
    return nw;
}

static int check_choice(const struct param_desc *d, const char *text, char *msg, size_t n)
{
    char store[512], list[600], shown[64];
    const char *words[64];
    size_t nw = split_choices(d->choices, store, sizeof store, words, 64), o = 0;
    for (size_t i = 0; i < nw; i++)
        if (strcmp(words[i], text) == 0)
            return 0;
    list[0] = '\0';
    for (size_t i = 0; i < nw && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", words[i]);
    const char *hint = suggest_closest(text, words, nw);
    snprintf(msg, n, "'%s' = '%s' is not one of: %s%s%s%s", d->name,
             unit_show(text, shown, sizeof shown), list, hint ? " (did you mean '" : "",
             hint ? hint : "", hint ? "'?)" : "");
    return -1;
}

/* Parses a bound written in the descriptor; a bad bound is a schema bug. */
static struct param_value bound(const struct param_desc *d, const char *text)
{
    struct param_value b = { 0 };
    const char *why;
    int r = unit_parse(d->type, text, &b, &why);
    assert(r == 0 && "bad min/max in a parameter descriptor");
    (void)r;
    return b;
}

static bool below(enum param_type t, const struct param_value *a, const struct param_value *b)
{
    bool integral = t == PARAM_U64 || t == PARAM_TIME || t == PARAM_SIZE || t == PARAM_BOOL;
    return integral ? a->u < b->u : a->d < b->d;
}

static int check_range(const struct param_desc *d, const char *text,
                       const struct param_value *v, char *msg, size_t n)
{
    if (d->type == PARAM_STR || d->type == PARAM_ENUM || d->type == PARAM_REF ||
        (!d->min && !d->max))
        return 0;
    struct param_value lo = d->min ? bound(d, d->min) : (struct param_value){ 0 };
    struct param_value hi = d->max ? bound(d, d->max) : (struct param_value){ 0 };
    if ((!d->min || !below(d->type, v, &lo)) && (!d->max || !below(d->type, &hi, v)))
        return 0;
    char los[64], his[64], range[140], shown[64];
    unit_format(d->type, &lo, los, sizeof los);
    unit_format(d->type, &hi, his, sizeof his);
    if (d->min && d->max)
        snprintf(range, sizeof range, "%s..%s", los, his);
    else
        snprintf(range, sizeof range, "%s %s", d->min ? "min" : "max", d->min ? los : his);
    while (*text == ' ' || *text == '\t')
        text++;
    snprintf(msg, n, "'%s' = %s is out of range (%s)", d->name,
             unit_show(text, shown, sizeof shown), range);
    return -1;
}

int cfg_parse_value(const struct param_desc *d, const char *text, struct param_value *out,
                    char *msg, size_t n)
{
    struct param_value v;
    const char *why;
    if (unit_parse(d->type, text, &v, &why) < 0) {
        snprintf(msg, n, "'%s': %s", d->name, why);
        return -1;
    }
    if (d->type == PARAM_ENUM && check_choice(d, text, msg, n) < 0)
        return -1;
    if (check_range(d, text, &v, msg, n) < 0)
        return -1;
    *out = v;
    return 0;
}

struct param_value cfg_param(const struct cfg_node *cfg,
                             const struct param_desc *table, const char *name)
{
    if (cfg)
        return cfg_find(cfg, name)->v;
    struct param_value v = { 0 };
    for (const struct param_desc *d = table; d->name; d++) {
        if (strcmp(d->name, name) == 0) {
            char msg[256];
            int rc = cfg_parse_value(d, d->def, &v, msg, sizeof msg);
            assert(rc == 0 && "a descriptor default does not parse");
            (void)rc;
            return v;
        }
    }
    assert(!"parameter not in the descriptor table");
    return v;
}

struct cfg_node *cfg_item(const struct cfg_node *list, const char *name)
{
    for (size_t i = 0; list && i < list->nkids; i++)
        if (strcmp(list->kids[i]->key, name) == 0)
            return list->kids[i];
    return NULL;
}
