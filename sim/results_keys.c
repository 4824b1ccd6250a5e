/* sim/results_keys.c — the run_keys a results database already holds
 * with status ok (results.h: results_ok_keys), read in one query so that
 * `sweep --resume` opens the database once rather than once per run, and
 * kept sorted for bsearch. Read-only: it may run while workers write. */
#define _POSIX_C_SOURCE 200809L /* stat, strdup */
#include "sim/results.h"
#include "sim/results_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int keys_fail(const char *path, sqlite3 *db, struct diag *err, const char *what)
{
    struct src_loc loc = { path, 0, 0 };
    if (db)
        return diag_set(err, &loc, "%s: %s", what, sqlite3_errmsg(db));
    return diag_set(err, &loc, "%s", what);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int keys_add(struct results_keys *k, size_t *cap, const char *key)
{
    if (k->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        char **nk = realloc(k->keys, ncap * sizeof *nk);
        if (!nk)
            return -1;
        k->keys = nk;
        *cap = ncap;
    }
    if (!(k->keys[k->n] = strdup(key)))
        return -1;
    k->n++;
    return 0;
}

static int keys_read(sqlite3 *db, const char *path, struct results_keys *k,
                     struct diag *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT run_key FROM run WHERE status IN ('ok', 'check_failed')",
                           -1, &st, NULL) != SQLITE_OK)
        return results_sqlite_fail(db, path, err, "cannot read runs");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *key = sqlite3_column_text(st, 0);
        if (key && keys_add(k, &cap, (const char *)key)) {
            sqlite3_finalize(st);
            return keys_fail(path, NULL, err, "out of memory");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return results_sqlite_fail(db, path, err, "cannot read runs");
    if (k->n)
        qsort(k->keys, k->n, sizeof *k->keys, key_cmp);
    return 0;
}

int results_ok_keys(const char *db_path, struct results_keys *k, struct diag *err)
{
    struct stat sb;
    k->keys = NULL;
    k->n = 0;
    if (!db_path || stat(db_path, &sb) != 0)
        return 0; /* no database yet: nothing is done */
    if (S_ISREG(sb.st_mode) && sb.st_size == 0)
        return 0; /* an empty file: a writer adopts it */
    sqlite3 *db = NULL;
    int version;
    if (results_open_any(db_path, false, &db, &version, err))
        return -1;
    int e = version ? keys_read(db, db_path, k, err) : 0;
    sqlite3_close(db);
    if (e)
        results_keys_free(k);
    return e ? -1 : 0;
}

bool results_keys_contain(const struct results_keys *k, const char *run_key)
{
    return k->n && bsearch(&run_key, k->keys, k->n, sizeof *k->keys, key_cmp);
}

void results_keys_free(struct results_keys *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->keys[i]);
    free(k->keys);
    k->keys = NULL;
    k->n = 0;
}

static int renumber(sqlite3 *db, const char *db_path, const char *const *keys,
                    const size_t *points, size_t n, struct diag *err)
{
    sqlite3_stmt *st;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return results_sqlite_fail(db, db_path, err, "cannot renumber the sweep points");
    if (results_db_schema(db, db_path, err))
        return -1;
    if (sqlite3_prepare_v2(db, "UPDATE run SET point = ?2 WHERE run_key = ?1"
                           " AND point IS NOT ?2", -1, &st, NULL) != SQLITE_OK)
        return results_sqlite_fail(db, db_path, err, "cannot renumber the sweep points");
    int rc = SQLITE_DONE;
    for (size_t i = 0; rc == SQLITE_DONE && i < n; i++) {
        sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)points[i]);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return results_sqlite_fail(db, db_path, err, "cannot renumber the sweep points");
    return 0;
}

int results_renumber_points(const char *db_path, const char *const *keys, const size_t *points,
                            size_t n, struct diag *err)
{
    sqlite3 *db;
    if (n == 0)
        return 0;
    if (results_db_open(db_path, &db, err))
        return -1;
    int e = renumber(db, db_path, keys, points, n, err);
    if (e)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return e;
}
