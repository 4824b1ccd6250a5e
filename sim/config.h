/* sim/config.h — scenario schema and the resolved configuration tree.
 *
 * A schema describes what a scenario may contain: each struct node has the
 * parameter table of the component it configures plus named children
 * (nested structs, or lists of named items). The loader (sim/scenario.h)
 * turns YAML into a cfg tree in which every parameter of every component
 * is present, given or defaulted, with the source location of its text.
 * Models read their parameters from that tree when the machine is built;
 * nothing reads it on the simulation hot path. */
#ifndef LPARSIM_SIM_CONFIG_H
#define LPARSIM_SIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/param.h"

enum cfg_kind {
    CFG_VALUE,  /* a parameter value */
    CFG_STRUCT, /* a mapping with a schema */
    CFG_LIST,   /* a sequence of CFG_STRUCT items, each with a unique `name` */
    CFG_VARY,   /* sweep.vary: mapping PATH -> sequence of scalar texts;
                   kids are CFG_SEQ nodes keyed by the path */
    CFG_SEQ,    /* a sequence of CFG_VALUE (PARAM_STR, raw text) nodes; also a
                   section of texts (expect:) */
};

struct schema;

struct schema_child {
    const char *key;
    enum cfg_kind kind; /* CFG_STRUCT, CFG_LIST, CFG_VARY or CFG_SEQ */
    const struct schema *schema; /* of the struct / of each list item */
    const char *doc;
    bool required;      /* a required CFG_LIST must have >= 1 item */
    /* CFG_LIST: items may leave out `name` (a timeline's actions); such an
     * item's key is "#N", N its 1-based place in the list, and it cannot
     * be addressed by a path. */
    bool unnamed_ok;
};

/* A key a schema no longer takes because it moved: the loader's error
 * names where it went ("did you mean ...?"). */
struct schema_moved {
    const char *key;    /* the old key */
    const char *now;    /* its place now, as a dotted path below the struct */
    const char *how;    /* how to write it there, for the message */
};

struct schema {
    const char *name;   /* component type name, e.g. "adapter" */
    const char *doc;
    const struct param_desc *params;    /* terminated by { 0 } */
    const struct schema_child *children; /* terminated by { 0 }; may be NULL */
    const struct schema_moved *moved;   /* terminated by { 0 }; may be NULL */
};

struct cfg_node {
    enum cfg_kind kind;
    const char *key;     /* map key; for list items the item's `name` */
    struct src_loc loc;  /* where the value (or the item) was written */
    bool is_default;     /* value came from the descriptor, not the file;
                            a struct the file (and --set) left out */
    const struct param_desc *desc;  /* CFG_VALUE under a schema */
    const struct schema *schema;    /* CFG_STRUCT */
    struct param_value v;           /* CFG_VALUE */
    struct cfg_node *parent;
    struct cfg_node **kids;
    size_t nkids;
};

/* A component parameter: its value in the scenario node `cfg`, or, when
 * cfg is NULL (components built without a scenario, e.g. in tests), its
 * default parsed from the descriptor `table`, which so stays the one
 * place each default is written. Asserts the name is in the table. */
struct param_value cfg_param(const struct cfg_node *cfg,
                             const struct param_desc *table, const char *name);

/* Looks up a dotted path below n: struct keys and list item names, e.g.
 * "systems.s0.adapters.nvme0.servers" (below sweep.vary the rest of the
 * path is one key: "sweep.vary.systems.s0.cores"). "" is n itself.
 * Returns NULL if absent. */
struct cfg_node *cfg_find(const struct cfg_node *n, const char *path);

/* The item of a CFG_LIST named exactly `name` (no path walking: the
 * name is user text and may contain anything), or NULL. */
struct cfg_node *cfg_item(const struct cfg_node *list, const char *name);

/* Typed accessors for values the schema guarantees (asserts otherwise). */
uint64_t cfg_u64(const struct cfg_node *n, const char *path);
double cfg_f64(const struct cfg_node *n, const char *path);
bool cfg_bool(const struct cfg_node *n, const char *path);
const char *cfg_str(const struct cfg_node *n, const char *path);
/* The location of a path's value, for error messages. */
const struct src_loc *cfg_loc(const struct cfg_node *n, const char *path);

/* Writes the dotted path of n from the root into buf. */
void cfg_path(const struct cfg_node *n, char *buf, size_t len);

/* --- helpers shared by the loader, --set and sweeps --- */

/* Parses `text` as a value of parameter d: type and unit (unit_parse),
 * range (min/max) and, for PARAM_ENUM, the choices. On error returns -1
 * and writes the whole message, naming the parameter, into msg:
 *   'duration': missing unit in '200' (expected a time such as 250ns)
 *   'servers' = 0 is out of range (min 1)
 *   'kind' = 'disk' is not one of: storage, network
 * PARAM_REF names are resolved later (scenario_check_refs). For string
 * types out->s points into text. */
int cfg_parse_value(const struct param_desc *d, const char *text,
                    struct param_value *out, char *msg, size_t n);

/* What a parameter expects, for messages: "a count", "a time",
 * "one of a|b|c", "the name of a systems item". Returns buf. */
const char *cfg_expects(const struct param_desc *d, char *buf, size_t n);

#endif
