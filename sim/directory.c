/* sim/directory.c — components by path (see directory.h): a sorted array
 * searched by bisection; insertions happen while the machine is built or
 * re-wired, lookups when an action fires. */
#include "sim/directory.h"

#include <stdlib.h>
#include <string.h>

struct directory {
    struct directory_entry *v;
    size_t n, cap;
};

struct directory *directory_create(void)
{
    return calloc(1, sizeof(struct directory));
}

void directory_destroy(struct directory *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free((char *)d->v[i].path);
    free(d->v);
    free(d);
}

/* Index of path, or of where it would go (*found false). */
static size_t locate(const struct directory *d, const char *path, bool *found)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, d->v[mid].path);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = false;
    return lo;
}

int directory_add(struct directory *d, const char *path, const struct component_ops *ops,
                  void *obj)
{
    bool found;
    size_t i = locate(d, path, &found);
    if (found) {
        d->v[i].ops = ops;
        d->v[i].obj = obj;
        return 0;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 64;
        struct directory_entry *v = realloc(d->v, cap * sizeof *v);
        if (!v)
            return -1;
        d->v = v;
        d->cap = cap;
    }
    size_t len = strlen(path) + 1;
    char *copy = malloc(len);
    if (!copy)
        return -1;
    memcpy(copy, path, len);
    memmove(&d->v[i + 1], &d->v[i], (d->n - i) * sizeof *d->v);
    d->v[i] = (struct directory_entry){ copy, ops, obj };
    d->n++;
    return 0;
}

void directory_remove(struct directory *d, const char *path)
{
    bool found;
    size_t i = locate(d, path, &found);
    if (!found)
        return;
    free((char *)d->v[i].path);
    memmove(&d->v[i], &d->v[i + 1], (d->n - i - 1) * sizeof *d->v);
    d->n--;
}

const struct directory_entry *directory_find(const struct directory *d, const char *path)
{
    bool found;
    size_t i = locate(d, path, &found);
    return found ? &d->v[i] : NULL;
}

void *directory_object(const struct directory *d, const char *path, const char *kind)
{
    const struct directory_entry *e = directory_find(d, path);
    return e && e->ops && strcmp(e->ops->kind, kind) == 0 ? e->obj : NULL;
}

size_t directory_count(const struct directory *d)
{
    return d->n;
}

const struct directory_entry *directory_at(const struct directory *d, size_t i)
{
    return i < d->n ? &d->v[i] : NULL;
}
