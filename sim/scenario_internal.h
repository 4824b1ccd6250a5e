/* sim/scenario_internal.h — internals of the scenario loader, shared by
 * sim/scenario*.c (not a public API): the arena that owns a scenario's
 * memory, a set of names for duplicate checks, the located YAML tree read
 * with libfyaml (scenario_yaml.c), and message helpers (scenario.c,
 * scenario_set.c). */
#ifndef LPARSIM_SIM_SCENARIO_INTERNAL_H
#define LPARSIM_SIM_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/config.h"
#include "sim/diag.h"

/* --- arena: many small allocations, freed all at once --- */
struct scn_arena;
struct scn_arena *scn_arena_create(void);
void scn_arena_destroy(struct scn_arena *a);
/* Zeroed, suitably aligned memory; NULL when out of memory. */
void *scn_alloc(struct scn_arena *a, size_t n);
/* A NUL-terminated copy of n bytes of s; NULL when out of memory. */
char *scn_strndup(struct scn_arena *a, const char *s, size_t n);

/* --- a set of names, remembering where each was first seen --- */
struct scn_nameset {
    size_t cap;
    const char **keys;
    struct src_loc *locs;
};
int scn_nameset_init(struct scn_arena *a, struct scn_nameset *s, size_t n);
/* Adds key (which must outlive the set); if it was already there returns
 * the location it was first seen at and adds nothing. */
const struct src_loc *scn_nameset_add(struct scn_nameset *s, const char *key,
                                      struct src_loc loc);

/* --- the YAML tree --- */
enum ykind { Y_NULL, Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode;
struct yref {             /* a child slot: aliases share the node */
    struct ynode *n;
    struct yref *next;
};

struct ynode {
    enum ykind kind;
    struct src_loc loc;   /* 1-based; where the node starts */
    const char *text;     /* scalars: NUL-terminated (may hold NULs) */
    size_t len;
    struct yref *kids;    /* maps: key, value, key, value, ... */
    struct yref *last;
    size_t nkids;         /* maps: twice the number of pairs */
    const char *anchor;   /* &name, registered once the node is complete */
};

/* Parses text (len bytes, NUL-terminated) as exactly one YAML document
 * into *root (allocated in a). Rejects non-UTF-8 and NUL bytes, syntax
 * errors (libfyaml's message and position), a second document, nesting
 * deeper than 64, unknown aliases, and an empty document. */
int scn_yaml_read(struct scn_arena *a, const char *file, const char *text,
                  size_t len, struct ynode **root, struct diag *err);

/* Whether the len bytes at text are valid UTF-8 without NUL bytes. */
bool scn_utf8_valid(const char *text, size_t len);

/* Reads a whole file (at most 16 MiB) into a malloc'ed buffer. Returns
 * NULL on success, else why it failed. */
const char *scn_read_file(const char *path, char **text, size_t *len);

/* --- shared by scenario.c and scenario_set.c --- */

/* The implicit `name` parameter of every list item (its first kid). */
extern const struct param_desc scn_item_name_desc;

/* Reports "unknown key 'x' (did you mean 'y'?)", or "(expected one of:
 * a, b, ...)" when nothing is close. Returns -1. */
int scn_unknown_key(struct diag *err, const struct src_loc *loc,
                    const char *key, const char *const *names, size_t n);

/* Checks that the PARAM_REF value v names an item of its list; reports
 * at loc otherwise. */
int scn_ref_check(const struct cfg_node *root, const struct cfg_node *v,
                  const struct src_loc *loc, struct diag *err);

#endif
