/* sim/scenario_set.c — changing a loaded scenario: --set overrides and
 * sweep points (scenario_set), and resolving PARAM_REF names
 * (scenario_check_refs), with the loader's messages. */
#include "sim/scenario.h"

#include <stdlib.h>
#include <string.h>

#include "sim/scenario_internal.h"
#include "sim/suggest.h"
#include "sim/units.h"

/* --- references ----------------------------------------------------------- */

int scn_ref_check(const struct cfg_node *root, const struct cfg_node *v,
                  const struct src_loc *loc, struct diag *err)
{
    const char *key = v->desc->choices ? v->desc->choices : "";
    const struct cfg_node *list = cfg_find(root, key);
    char shown[64];
    if (!list || list->kind != CFG_LIST || !v->v.s) /* a schema bug */
        return diag_set(err, loc, "internal error: '%s' refers to a list '%s' that does not exist",
                        v->desc->name, key);
    for (size_t i = 0; i < list->nkids; i++)
        if (strcmp(list->kids[i]->key, v->v.s) == 0)
            return 0;
    const char **names = malloc((list->nkids + 1) * sizeof *names);
    for (size_t i = 0; names && i < list->nkids; i++)
        names[i] = list->kids[i]->key;
    const char *hint = names ? suggest_closest(v->v.s, names, list->nkids) : NULL;
    unit_show(v->v.s, shown, sizeof shown);
    diag_set(err, loc, "'%s' refers to '%s', but there is no %s item named '%s'%s%s%s",
             v->desc->name, shown, key, shown, hint ? " (did you mean '" : "",
             hint ? hint : "", hint ? "'?)" : "");
    free(names);
    return -1;
}

static int refs_below(const struct cfg_node *root, const struct cfg_node *n, struct diag *err)
{
    if (n->kind == CFG_VALUE && n->desc && n->desc->type == PARAM_REF)
        return scn_ref_check(root, n, &n->loc, err);
    for (size_t i = 0; i < n->nkids; i++)
        if (refs_below(root, n->kids[i], err) < 0)
            return -1;
    return 0;
}

int scenario_check_refs(struct scenario *s, struct diag *err)
{
    return refs_below(s->root, s->root, err);
}

/* --- overrides (--set, sweeps) ------------------------------------------- */

/* Where a --set problem is reported: at `where` if given, else at the
 * 0-based offset col of the argument. */
static const struct src_loc *set_loc(const struct src_loc *where, struct src_loc *buf,
                                     size_t col)
{
    if (where)
        return where;
    *buf = (struct src_loc){ "--set", 1, (int)(col < 100000 ? col : 99999) + 1 };
    return buf;
}

/* The kid of n named by the len bytes at comp, or NULL with err set. */
static struct cfg_node *set_step(struct cfg_node *n, const char *comp, size_t len,
                                 const struct src_loc *loc, struct diag *err)
{
    char key[128], shown[64], list[400];
    const char *names[256];
    size_t nn = 0, o = 0;
    snprintf(key, sizeof key, "%.*s", (int)(len < 127 ? len : 127), comp);
    unit_show(key, shown, sizeof shown);
    if (n->kind != CFG_STRUCT && n->kind != CFG_LIST)
        return diag_set(err, loc, "'%s' has no key '%s' (it is %s)", n->key ? n->key : "",
                        shown, n->kind == CFG_VALUE    ? "a value"
                               : n->kind == CFG_SEQ && n->parent && !n->parent->parent
                                                       ? "a list of texts, set in the file"
                                                       : "a sweep list"), NULL;
    for (size_t i = 0; i < n->nkids; i++) {
        if (strlen(n->kids[i]->key) == len && memcmp(n->kids[i]->key, comp, len) == 0)
            return n->kids[i];
        if (nn < 256)
            names[nn++] = n->kids[i]->key;
    }
    if (n->kind == CFG_STRUCT)
        return scn_unknown_key(err, loc, key, names, nn), NULL;
    const char *hint = suggest_closest(key, names, nn);
    list[0] = '\0';
    for (size_t i = 0; i < nn && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", names[i]);
    if (hint)
        diag_set(err, loc, "'%s' has no item named '%s' (did you mean '%s'?)", n->key, shown,
                 hint);
    else
        diag_set(err, loc, "'%s' has no item named '%s' (%s%s)", n->key, shown,
                 nn ? "items: " : "it is empty", list);
    return NULL;
}

/* Follows the dotted path in text[0, end) from the root. */
static struct cfg_node *set_target(struct scenario *s, const char *text, size_t end,
                                   const struct src_loc *where, struct diag *err)
{
    struct src_loc at;
    struct cfg_node *n = s->root;
    char path[160], shown[64];
    size_t p = 0;
    while (p < end && text[p] == ' ')
        p++;
    while (end > p && text[end - 1] == ' ')
        end--;
    snprintf(path, sizeof path, "%.*s", (int)(end - p < 159 ? end - p : 159), text + p);
    if (p == end)
        return diag_set(err, set_loc(where, &at, 0), "missing parameter path before '='"), NULL;
    for (;;) {
        size_t len = 0;
        while (p + len < end && text[p + len] != '.')
            len++;
        if (len == 0)
            return diag_set(err, set_loc(where, &at, p), "empty key in parameter path"), NULL;
        if (!(n = set_step(n, text + p, len, set_loc(where, &at, p), err)))
            return NULL;
        p += len;
        if (p == end)
            break;
        p++; /* the dot */
    }
    if (n->kind != CFG_VALUE)
        return diag_set(err, set_loc(where, &at, 0), "'%s' is not a parameter",
                        unit_show(path, shown, sizeof shown)), NULL;
    if (n->desc == &scn_item_name_desc)
        return diag_set(err, set_loc(where, &at, 0), "an item's 'name' cannot be changed"),
               NULL;
    return n;
}

int scenario_set(struct scenario *s, const char *assignment, const struct src_loc *where,
                 struct diag *err)
{
    struct src_loc at;
    char shown[64], msg[sizeof err->msg];
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return diag_set(err, set_loc(where, &at, 0), "expected PATH=VALUE, got '%s'",
                        unit_show(assignment, shown, sizeof shown));
    struct cfg_node *n = set_target(s, assignment, (size_t)(eq - assignment), where, err);
    if (!n)
        return -1;
    size_t v = (size_t)(eq + 1 - assignment), len = strlen(eq + 1);
    while (assignment[v] == ' ')
        v++, len--;
    while (len > 0 && assignment[v + len - 1] == ' ')
        len--;
    const struct src_loc *loc = set_loc(where, &at, v);
    if (!scn_utf8_valid(assignment + v, len))
        return diag_set(err, loc, "'%s': the value is not valid UTF-8", n->key);
    char *text = scn_strndup(s->arena, assignment + v, len);
    struct cfg_node probe = *n;
    if (!text)
        return diag_set(err, loc, "out of memory");
    if (cfg_parse_value(n->desc, text, &probe.v, msg, sizeof msg) < 0)
        return diag_set(err, loc, "%s", msg);
    if (n->desc->type == PARAM_REF && scn_ref_check(s->root, &probe, loc, err) < 0)
        return -1;
    struct src_loc at_value = *loc; /* `where`'s file may not outlive us: copy it */
    if (where && where->file &&
        !(at_value.file = scn_strndup(s->arena, where->file, strlen(where->file))))
        return diag_set(err, loc, "out of memory");
    n->v = probe.v;
    n->is_default = false;
    n->loc = at_value;
    /* setting a value inside an optional section the file left out puts
     * that section in the scenario */
    for (struct cfg_node *p = n->parent; p; p = p->parent)
        p->is_default = false;
    return 0;
}
