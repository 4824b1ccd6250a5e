/* sim/scenario.c — loading scenario files (scenario.h): checking the
 * located YAML tree (read by scenario_yaml.c) against the schema into the
 * cfg tree, with defaults filled in and PARAM_REF names resolved
 * (scenario_set.c).
 *
 * Every struct gets all of its kids, in schema order: [name,] params,
 * children — given, defaulted, or (absent sections) built from defaults —
 * so models can read any parameter without checking. The first problem
 * found, in document order, becomes the one diag; nothing is printed.
 * Every node and string of the result lives in the scenario's arena; the
 * YAML tree lives in a scratch arena freed before returning. */
#include "sim/scenario.h"

#include <stdlib.h>
#include <string.h>

#include "sim/scenario_internal.h"
#include "sim/suggest.h"
#include "sim/units.h"

#define MAX_CFG_NODES 1000000 /* aliases could otherwise multiply a tree */

const struct param_desc scn_item_name_desc = {
    "name", PARAM_STR, "", NULL, "the item's name, unique in its list", NULL, NULL, NULL
};

struct loader {
    struct scn_arena *a;   /* the scenario's */
    struct scn_arena *tmp; /* the YAML tree, sets of seen names */
    struct diag *err;
    const char *file;
    size_t ncfg;
};

/* --- small helpers ------------------------------------------------------ */

static const char *got(const struct ynode *y)
{
    switch (y ? y->kind : Y_NULL) {
    case Y_SCALAR: return "a scalar";
    case Y_MAP: return "a mapping";
    case Y_SEQ: return "a sequence";
    default: return "null";
    }
}

static int oom(struct loader *ld)
{
    return diag_set(ld->err, &(struct src_loc){ ld->file, 0, 0 }, "out of memory");
}

static struct cfg_node *node_new(struct loader *ld, enum cfg_kind kind, const char *key,
                                 struct src_loc loc, struct cfg_node *parent)
{
    if (++ld->ncfg > MAX_CFG_NODES) {
        diag_set(ld->err, &loc, "scenario too large (more than %d values)", MAX_CFG_NODES);
        return NULL;
    }
    struct cfg_node *n = scn_alloc(ld->a, sizeof *n);
    if (!n) {
        oom(ld);
        return NULL;
    }
    n->kind = kind;
    n->key = key;
    n->loc = loc;
    n->parent = parent;
    return n;
}

static int kids_new(struct loader *ld, struct cfg_node *n, size_t count)
{
    n->nkids = count;
    n->kids = count ? scn_alloc(ld->a, count * sizeof *n->kids) : NULL;
    return count && !n->kids ? oom(ld) : 0;
}

/* A scalar's text for use as a value: no NUL bytes inside. */
static const char *scalar_text(struct loader *ld, const struct ynode *y, const char *what)
{
    if (memchr(y->text, '\0', y->len))
        return diag_set(ld->err, &y->loc, "%s contains a NUL character", what), NULL;
    return y->text;
}

static size_t count_params(const struct schema *sc)
{
    size_t n = 0;
    while (sc->params && sc->params[n].name)
        n++;
    return n;
}

static size_t count_children(const struct schema *sc)
{
    size_t n = 0;
    while (sc->children && sc->children[n].key)
        n++;
    return n;
}

/* The keys a struct accepts, in kid order: [name,] params, children. */
struct keys {
    const char **names;
    size_t n, nparams, first_param;
};

static int keys_of(struct loader *ld, const struct schema *sc, bool item, struct keys *k)
{
    k->first_param = item ? 1 : 0;
    k->nparams = count_params(sc);
    k->n = k->first_param + k->nparams + count_children(sc);
    k->names = scn_alloc(ld->tmp, (k->n + 1) * sizeof *k->names);
    if (!k->names)
        return oom(ld);
    size_t i = 0;
    if (item)
        k->names[i++] = "name";
    for (size_t p = 0; p < k->nparams; p++)
        k->names[i++] = sc->params[p].name;
    for (size_t c = 0; sc->children && sc->children[c].key; c++)
        k->names[i++] = sc->children[c].key;
    return 0;
}

static long key_index(const struct keys *k, const char *key)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->names[i], key) == 0)
            return (long)i;
    return -1;
}

int scn_unknown_key(struct diag *err, const struct src_loc *loc, const char *key,
                    const char *const *names, size_t n)
{
    char shown[64], list[700];
    const char *hint = suggest_closest(key, names, n);
    unit_show(key, shown, sizeof shown);
    if (hint)
        return diag_set(err, loc, "unknown key '%s' (did you mean '%s'?)", shown, hint);
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", names[i]);
    return diag_set(err, loc, "unknown key '%s' (expected one of: %s)", shown, list);
}

/* --- values --------------------------------------------------------------- */

static int param_load(struct loader *ld, struct cfg_node *parent, struct cfg_node **slot,
                      const struct param_desc *d, const struct ynode *y)
{
    char expects[160], msg[sizeof ld->err->msg];
    if (y->kind != Y_SCALAR)
        return diag_set(ld->err, &y->loc, "'%s' expects %s, got %s", d->name,
                        cfg_expects(d, expects, sizeof expects), got(y));
    const char *text = scalar_text(ld, y, "value");
    char *copy = text ? scn_strndup(ld->a, text, y->len) : NULL;
    if (!copy)
        return text ? oom(ld) : -1;
    struct cfg_node *n = node_new(ld, CFG_VALUE, d->name, y->loc, parent);
    if (!n)
        return -1;
    n->desc = d;
    if (cfg_parse_value(d, copy, &n->v, msg, sizeof msg) < 0)
        return diag_set(ld->err, &y->loc, "%s", msg);
    *slot = n;
    return 0;
}

static int param_default(struct loader *ld, struct cfg_node *parent, struct cfg_node **slot,
                         const struct param_desc *d, struct src_loc loc)
{
    char msg[sizeof ld->err->msg];
    if (!d->def)
        return diag_set(ld->err, &loc, "missing required key '%s'", d->name);
    struct cfg_node *n = node_new(ld, CFG_VALUE, d->name, loc, parent);
    if (!n)
        return -1;
    n->desc = d;
    n->is_default = true;
    if (cfg_parse_value(d, d->def, &n->v, msg, sizeof msg) < 0) /* a schema bug */
        return diag_set(ld->err, &loc, "internal error: bad default: %s", msg);
    *slot = n;
    return 0;
}

/* --- structs, lists, sweeps --------------------------------------------- */

static int struct_load(struct loader *ld, struct cfg_node *n, const struct schema *sc,
                       const struct ynode *map, bool item);

static bool schema_needs_input(const struct schema *sc, int depth)
{
    for (size_t i = 0; sc->params && sc->params[i].name; i++)
        if (!sc->params[i].def)
            return true;
    for (size_t i = 0; sc->children && sc->children[i].key; i++) {
        const struct schema_child *c = &sc->children[i];
        if (c->required || (c->kind == CFG_STRUCT && depth < 32 &&
                            schema_needs_input(c->schema, depth + 1)))
            return true;
    }
    return false;
}

static bool valid_item_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') ||
              ('0' <= *s && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

/* The value of the first `name` key of an item mapping, or NULL. */
static const struct ynode *item_name_node(const struct ynode *map, const struct ynode **key)
{
    for (const struct yref *r = map->kids; r && r->next; r = r->next->next) {
        const struct ynode *k = r->n;
        if (k->kind == Y_SCALAR && k->len == 4 && memcmp(k->text, "name", 4) == 0) {
            *key = k;
            return r->next->n;
        }
    }
    return NULL;
}

/* An item without a name (schema_child.unnamed_ok): key "#N". */
static struct cfg_node *unnamed_item_load(struct loader *ld, struct cfg_node *list,
                                          const struct schema_child *c, const struct ynode *y)
{
    char key[24];
    size_t place = 1;
    while (place <= list->nkids && list->kids[place - 1])
        place++;
    snprintf(key, sizeof key, "#%zu", place);
    char *copy = scn_strndup(ld->a, key, strlen(key));
    struct cfg_node *item = copy ? node_new(ld, CFG_STRUCT, copy, y->loc, list) : NULL;
    if (!copy)
        oom(ld);
    if (!item || struct_load(ld, item, c->schema, y, false) < 0)
        return NULL;
    return item;
}

static struct cfg_node *item_load(struct loader *ld, struct cfg_node *list,
                                  const struct schema_child *c, const struct ynode *y,
                                  struct scn_nameset *seen)
{
    const struct ynode *key = NULL, *v;
    if (y->kind != Y_MAP)
        return diag_set(ld->err, &y->loc, "'%s' expects a sequence of mappings, got %s",
                        c->key, got(y)), NULL;
    if (!(v = item_name_node(y, &key)) && c->unnamed_ok)
        return unnamed_item_load(ld, list, c, y);
    if (!v)
        return diag_set(ld->err, &y->loc, "list item in '%s' has no 'name'", c->key), NULL;
    if (v->kind != Y_SCALAR)
        return diag_set(ld->err, &v->loc, "'name' expects a string, got %s", got(v)), NULL;
    const char *name = scalar_text(ld, v, "name");
    if (!name)
        return NULL;
    char shown[64];
    if (!valid_item_name(name))
        return diag_set(ld->err, &v->loc,
                        "'name' = '%s' is not a valid item name (use letters, digits, '-' and '_')",
                        unit_show(name, shown, sizeof shown)), NULL;
    const struct src_loc *first = scn_nameset_add(seen, name, v->loc);
    if (first)
        return diag_set(ld->err, &v->loc, "duplicate name '%s' in '%s' (first at %d:%d)", name,
                        c->key, first->line, first->col), NULL;
    char *copy = scn_strndup(ld->a, name, v->len);
    struct cfg_node *item = copy ? node_new(ld, CFG_STRUCT, copy, y->loc, list) : NULL;
    if (!copy)
        oom(ld);
    if (!item || struct_load(ld, item, c->schema, y, true) < 0)
        return NULL;
    return item;
}

static int list_load(struct loader *ld, struct cfg_node *n, const struct schema_child *c,
                     const struct ynode *y)
{
    struct scn_nameset seen;
    n->schema = c->schema;
    if (!y)
        return c->required ? diag_set(ld->err, &n->loc, "missing required key '%s'", c->key)
                           : 0;
    if (y->kind != Y_SEQ)
        return diag_set(ld->err, &y->loc, "'%s' expects a sequence of mappings, got %s", c->key,
                        got(y));
    n->loc = y->loc;
    if (c->required && y->nkids == 0)
        return diag_set(ld->err, &y->loc, "'%s' needs at least one item", c->key);
    if (kids_new(ld, n, y->nkids) < 0)
        return -1;
    if (scn_nameset_init(ld->tmp, &seen, y->nkids) < 0)
        return oom(ld);
    size_t i = 0;
    for (const struct yref *r = y->kids; r; r = r->next)
        if (!(n->kids[i++] = item_load(ld, n, c, r->n, &seen)))
            return -1;
    return 0;
}

/* The scalar texts of a YAML sequence (or of one scalar) as CFG_VALUE
 * kids of seq, each with its location. `what` names them in messages. */
static int seq_values(struct loader *ld, struct cfg_node *seq, const struct ynode *y,
                      const char *what)
{
    struct yref one = { (struct ynode *)y, NULL };
    const struct yref *vals = y->kind == Y_SEQ ? y->kids : &one;
    if (kids_new(ld, seq, y->kind == Y_SEQ ? y->nkids : 1) < 0)
        return -1;
    size_t i = 0;
    for (const struct yref *r = vals; r; r = r->next) {
        const struct ynode *v = r->n;
        if (v->kind != Y_SCALAR)
            return diag_set(ld->err, &v->loc, "'%s' values must be scalars, got %s", what,
                            got(v));
        const char *text = scalar_text(ld, v, "value");
        char *copy = text ? scn_strndup(ld->a, text, v->len) : NULL;
        struct cfg_node *val = copy ? node_new(ld, CFG_VALUE, NULL, v->loc, seq) : NULL;
        if (!val)
            return text && !copy ? oom(ld) : -1;
        val->v.s = copy;
        seq->kids[i++] = val;
    }
    return 0;
}

/* A section that is a list of texts (expect:). */
static int seq_load(struct loader *ld, struct cfg_node *n, const struct schema_child *c,
                    const struct ynode *y)
{
    if (!y)
        return 0;
    if (y->kind != Y_SEQ)
        return diag_set(ld->err, &y->loc, "'%s' expects a sequence of texts (- ITEM lines),"
                        " got %s", c->key, got(y));
    n->loc = y->loc;
    return seq_values(ld, n, y, c->key);
}

/* One sweep.vary entry: PATH: value or PATH: [values]. */
static int vary_entry(struct loader *ld, struct cfg_node *vary, struct cfg_node **slot,
                      const char *path, const struct ynode *k, const struct ynode *y)
{
    char shown[64];
    unit_show(path, shown, sizeof shown);
    if (y->kind != Y_SCALAR && y->kind != Y_SEQ)
        return diag_set(ld->err, &y->loc, "'%s' expects a value or a sequence of values, got %s",
                        shown, got(y));
    if (y->kind == Y_SEQ && y->nkids == 0)
        return diag_set(ld->err, &y->loc, "'%s' needs at least one value", shown);
    const char *key = scn_strndup(ld->a, path, k->len);
    struct cfg_node *seq = key ? node_new(ld, CFG_SEQ, key, k->loc, vary) : NULL;
    if (!seq)
        return key ? -1 : oom(ld);
    if (seq_values(ld, seq, y, shown) < 0)
        return -1;
    *slot = seq;
    return 0;
}

static int vary_load(struct loader *ld, struct cfg_node *n, const struct schema_child *c,
                     const struct ynode *y)
{
    struct scn_nameset seen;
    if (!y)
        return 0;
    if (y->kind != Y_MAP)
        return diag_set(ld->err, &y->loc,
                        "'%s' expects a mapping of parameter paths to value lists, got %s",
                        c->key, got(y));
    n->loc = y->loc;
    if (kids_new(ld, n, y->nkids / 2) < 0)
        return -1;
    if (scn_nameset_init(ld->tmp, &seen, y->nkids / 2) < 0)
        return oom(ld);
    size_t i = 0;
    for (const struct yref *r = y->kids; r && r->next; r = r->next->next) {
        const struct ynode *k = r->n;
        if (k->kind != Y_SCALAR)
            return diag_set(ld->err, &k->loc, "expected a parameter path, got %s", got(k));
        const char *path = scalar_text(ld, k, "key");
        if (!path)
            return -1;
        const struct src_loc *first = scn_nameset_add(&seen, path, k->loc);
        char shown[64];
        if (first)
            return diag_set(ld->err, &k->loc, "duplicate key '%s' (first at %d:%d)",
                            unit_show(path, shown, sizeof shown), first->line, first->col);
        if (vary_entry(ld, n, &n->kids[i++], path, k, r->next->n) < 0)
            return -1;
    }
    return 0;
}

static int child_load(struct loader *ld, struct cfg_node *parent, struct cfg_node **slot,
                      const struct schema_child *c, const struct ynode *y, struct src_loc loc)
{
    struct cfg_node *n = node_new(ld, c->kind, c->key, loc, parent);
    if (!n)
        return -1;
    *slot = n;
    if (c->kind == CFG_LIST)
        return list_load(ld, n, c, y);
    if (c->kind == CFG_VARY)
        return vary_load(ld, n, c, y);
    if (c->kind == CFG_SEQ)
        return seq_load(ld, n, c, y);
    if (!y && schema_needs_input(c->schema, 0))
        return diag_set(ld->err, &loc, "missing required key '%s'", c->key);
    if (y && y->kind != Y_MAP)
        return diag_set(ld->err, &y->loc, "'%s' expects a mapping, got %s", c->key, got(y));
    if (y)
        n->loc = y->loc;
    n->is_default = !y; /* an optional section the file leaves out */
    return struct_load(ld, n, c->schema, y, false);
}

/* Handles one key: value pair of a struct mapping. */
static int pair_load(struct loader *ld, struct cfg_node *n, const struct schema *sc,
                     const struct keys *k, struct src_loc **first, const struct ynode *key,
                     const struct ynode *val)
{
    if (key->kind != Y_SCALAR)
        return diag_set(ld->err, &key->loc, "expected a key name, got %s", got(key));
    const char *name = scalar_text(ld, key, "key");
    if (!name)
        return -1;
    long i = key_index(k, name);
    for (size_t m = 0; i < 0 && sc->moved && sc->moved[m].key; m++)
        if (strcmp(sc->moved[m].key, name) == 0)
            return diag_set(ld->err, &key->loc, "unknown key '%s' (did you mean '%s'? it moved: "
                            "write %s)", name, sc->moved[m].now, sc->moved[m].how);
    if (i < 0)
        return scn_unknown_key(ld->err, &key->loc, name, k->names, k->n);
    if (first[i])
        return diag_set(ld->err, &key->loc, "duplicate key '%s' (first at %d:%d)", name,
                        first[i]->line, first[i]->col);
    if (!(first[i] = scn_alloc(ld->tmp, sizeof **first)))
        return oom(ld);
    *first[i] = key->loc;
    if ((size_t)i < k->first_param)
        return 0; /* an item's name, read by item_load */
    size_t p = (size_t)i - k->first_param;
    if (p < k->nparams)
        return param_load(ld, n, &n->kids[i], &sc->params[p], val);
    return child_load(ld, n, &n->kids[i], &sc->children[p - k->nparams], val, val->loc);
}

/* Fills n (a CFG_STRUCT) from map; map == NULL gives all defaults. */
static int struct_load(struct loader *ld, struct cfg_node *n, const struct schema *sc,
                       const struct ynode *map, bool item)
{
    struct keys k;
    n->schema = sc;
    if (keys_of(ld, sc, item, &k) < 0 || kids_new(ld, n, k.n) < 0)
        return -1;
    struct src_loc **first = scn_alloc(ld->tmp, (k.n + 1) * sizeof *first);
    if (!first)
        return oom(ld);
    for (const struct yref *r = map ? map->kids : NULL; r && r->next; r = r->next->next)
        if (pair_load(ld, n, sc, &k, first, r->n, r->next->n) < 0)
            return -1;
    if (item) { /* item_load checked it; keep it as the first kid */
        const struct ynode *key, *v = item_name_node(map, &key);
        if (!(n->kids[0] = node_new(ld, CFG_VALUE, "name", v->loc, n)))
            return -1;
        n->kids[0]->desc = &scn_item_name_desc;
        n->kids[0]->v.s = n->key;
    }
    for (size_t i = k.first_param; i < k.n; i++) {
        size_t p = i - k.first_param;
        if (n->kids[i])
            continue;
        if (p < k.nparams ? param_default(ld, n, &n->kids[i], &sc->params[p], n->loc) < 0
                          : child_load(ld, n, &n->kids[i], &sc->children[p - k.nparams], NULL,
                                       n->loc) < 0)
            return -1;
    }
    return 0;
}

/* --- entry points --------------------------------------------------------- */

static struct scenario *load_text(const char *name, const char *text, size_t len,
                                  const struct schema *schema, struct diag *err)
{
    struct scn_arena *a = scn_arena_create(), *tmp = scn_arena_create();
    struct scenario *s = a ? scn_alloc(a, sizeof *s) : NULL;
    struct loader ld = { a, tmp, err, NULL, 0 };
    int rc = -1;
    if (!s || !tmp || !(s->file = scn_strndup(a, name, strlen(name))) ||
        !(s->text = scn_strndup(a, text, len))) {
        diag_set(err, &(struct src_loc){ name, 0, 0 }, "out of memory");
        goto out;
    }
    ld.file = s->file;
    s->text_len = len;
    s->schema = schema;
    s->arena = a;
    struct ynode *doc;
    if (scn_yaml_read(tmp, s->file, s->text, len, &doc, err) < 0)
        goto out;
    s->root = node_new(&ld, CFG_STRUCT, NULL, doc->loc, NULL);
    if (s->root && struct_load(&ld, s->root, schema, doc, false) == 0)
        rc = scenario_check_refs(s, err);
out:
    scn_arena_destroy(tmp);
    if (rc == 0)
        return s;
    scn_arena_destroy(a);
    return NULL;
}

struct scenario *scenario_load_string(const char *name, const char *text,
                                      const struct schema *root, struct diag *err)
{
    if (!text)
        return diag_set(err, NULL, "no scenario text"), NULL;
    return load_text(name ? name : "<string>", text, strlen(text), root, err);
}

struct scenario *scenario_load(const char *file, const struct schema *root, struct diag *err)
{
    size_t len;
    char *text = NULL;
    const char *why = scn_read_file(file, &text, &len);
    if (why) {
        diag_set(err, &(struct src_loc){ file, 0, 0 }, "cannot read the scenario: %s", why);
        return NULL;
    }
    struct scenario *s = load_text(file, text, len, root, err);
    free(text);
    return s;
}

void scenario_free(struct scenario *s)
{
    if (s)
        scn_arena_destroy(s->arena);
}
