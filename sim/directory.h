/* sim/directory.h — the run's components by dotted path.
 *
 * Mechanisms act on the machine while it runs, naming what they act on
 * as a scenario does: "s0.nvme0" (an adapter), "s0.nvme0.vf3" (a VF),
 * "lpar.db1" (a partition). A component that can be named registers
 * itself here when it is built, with its kind and the operations a
 * timeline may apply to it (fail, repair, freeze: each NULL when the
 * component has none). The directory knows nothing of what the kinds
 * mean: the models give the names and the operations (SST's component
 * registry, gem5's object hierarchy by path).
 *
 * Lookups happen when an action fires or a mechanism resolves its
 * targets: never per simulated event. */
#ifndef LPARSIM_SIM_DIRECTORY_H
#define LPARSIM_SIM_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>

/* What a timeline may do to a component of one kind. Each returns 0, or
 * -1 with a reason in why (for the event row: "already failed"). */
struct component_ops {
    const char *kind; /* "adapter", "vf", "pcie_link", "lpar", ... */
    int (*fail)(void *obj, char *why, size_t n);
    int (*repair)(void *obj, char *why, size_t n);
    int (*freeze)(void *obj, char *why, size_t n);
};

struct directory_entry {
    const char *path;                /* owned by the directory */
    const struct component_ops *ops; /* static, the component's */
    void *obj;
};

struct directory;

struct directory *directory_create(void);
void directory_destroy(struct directory *d);

/* Adds path -> (ops, obj). A path registered again replaces the entry
 * (a component rebuilt at run time). 0, or -1 on allocation failure. */
int directory_add(struct directory *d, const char *path, const struct component_ops *ops,
                  void *obj);
/* Removes path (a component torn down at run time); no-op if absent. */
void directory_remove(struct directory *d, const char *path);
/* The entry of path, or NULL. */
const struct directory_entry *directory_find(const struct directory *d, const char *path);
/* The object of path if its kind is `kind`, else NULL. */
void *directory_object(const struct directory *d, const char *path, const char *kind);
/* Entries in path order, for listing. */
size_t directory_count(const struct directory *d);
const struct directory_entry *directory_at(const struct directory *d, size_t i);

#endif
