/* tests/unit/tmpdir_rig.h — a scratch directory per test (a Check
 * fixture) and paths in it, for the suites that write files. Each suite
 * names its directory with TMPDIR_RIG_NAME before including this. */
#ifndef LPARSIM_TESTS_TMPDIR_RIG_H
#define LPARSIM_TESTS_TMPDIR_RIG_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[1024];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/lparsim-" TMPDIR_RIG_NAME "-XXXXXX",
             t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* name inside the scratch directory (eight buffers in turn) */
static const char *tmp(const char *name)
{
    static char buf[8][1200];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

#endif
