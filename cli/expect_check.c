/* cli/expect_check.c — `expect:` before a run (resolved against the
 * metrics a dry build of the machine records) and the dry build itself
 * (expect_check.h). The dry build runs no event: it builds the machine,
 * runs the finish hooks at time 0, and tears it down; it costs what
 * building the machine costs, once per run (and per sweep point) of a
 * scenario with an `expect:` section, and nothing otherwise. */
#include "cli/expect_check.h"

#include "cli/machine.h"
#include "sim/env.h"
#include "sim/kernel.h"

struct recorder *expect_dry_build(const struct cfg_node *root, struct diag *err)
{
    struct kernel *k = kernel_create(KERNEL_NATIVE, 64);
    struct recorder *rec = recorder_create(0);
    if (!k || !rec) {
        if (k)
            kernel_destroy(k);
        if (rec)
            recorder_destroy(rec);
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    struct env env;
    env_init(&env, k, rec, cfg_u64(root, "seed"), 0, cfg_u64(root, "duration"), 0, 0);
    /* the dry build runs no event, so no timeline `set` changes the tree */
    struct machine *m = machine_build(&env, (struct cfg_node *)root, err);
    if (m) {
        env_finish(&env);
        machine_destroy(m);
    }
    env_release(&env);
    kernel_destroy(k);
    if (!m) {
        recorder_destroy(rec);
        return NULL;
    }
    return rec;
}

int expect_check(const struct cfg_node *root, struct expect_list *l, struct diag *err)
{
    if (expect_parse_all(cfg_find(root, "expect"), l, err))
        return -1;
    if (l->n == 0)
        return 0;
    struct recorder *rec = expect_dry_build(root, err);
    int e = rec ? expect_resolve(l, rec, err) : -1;
    if (rec)
        recorder_destroy(rec);
    if (e)
        expect_list_free(l);
    return e;
}
