/* sim/results_open.c — opening a results database to read it (report,
 * plot, export, merge inputs, sweep --resume), and telling apart what can
 * be wrong with a file: missing, a directory, empty, not an SQLite file,
 * corrupt or truncated (the SQLite file format's header gives the page
 * size and the page count: https://www.sqlite.org/fileformat2.html,
 * section 1.3), someone else's database, or one written by a newer
 * lparsim.
 *
 * A reader leaves nothing beside the database. An SQLITE_OPEN_READONLY
 * connection to a WAL database creates DB-wal and DB-shm and, unable to
 * checkpoint, leaves them when it closes; a read-write connection that
 * only reads (PRAGMA query_only) removes them when it is the last one,
 * like any writer. So readers open read-write and query only, and fall
 * back to a read-only connection where the file cannot be written. */
#define _POSIX_C_SOURCE 200809L /* stat */
#include "sim/results.h"
#include "sim/results_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int open_fail(const char *path, struct diag *err, const char *fmt, const char *arg)
{
    struct src_loc loc = { path, 0, 0 };
    return diag_set(err, &loc, fmt, arg);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The header says how long the file is: page size (bytes 16-17, 1 meaning
 * 65536) times the page count (bytes 28-31), valid when the change
 * counter (24-27) equals "version-valid-for" (92-95). Returns 0, -1 with
 * *err, or 1 with *err when the file is only shorter than its header. */
static int header_check(const char *path, const unsigned char *h, size_t n, long long size,
                        struct diag *err)
{
    struct src_loc loc = { path, 0, 0 };
    if (n < 16 || memcmp(h, "SQLite format 3", 16) != 0)
        return diag_set(err, &loc, "not an lparsim results database (not an SQLite file)");
    if (n < 100)
        return diag_set(err, &loc, "corrupt or truncated results database (only %lld bytes)",
                        size);
    unsigned page = (unsigned)h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    unsigned long long pages = be32(h + 28), want = pages * page;
    bool counted = pages > 0 && be32(h + 24) == be32(h + 92);
    if (page < 512 || (page & (page - 1)) != 0)
        return diag_set(err, &loc, "corrupt or truncated results database (page size %u)",
                        page);
    if (counted && (unsigned long long)size < want) {
        diag_set(err, &loc, "corrupt or truncated results database (%lld bytes; its header"
                 " says %llu)", size, want);
        return 1;
    }
    return 0;
}

/* The first 100 bytes and the size of the file; 0, or -1 with *err. */
static int read_header(const char *path, unsigned char *h, size_t *n, long long *size,
                       struct diag *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return open_fail(path, err, errno == ENOENT ? "%s" : "cannot read it: %s",
                         errno == ENOENT ? "no such results database" : strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return open_fail(path, err, "%s", "is a directory, not a results database");
    if (!S_ISREG(sb.st_mode))
        return open_fail(path, err, "%s", "not a regular file");
    if (sb.st_size == 0)
        return open_fail(path, err, "%s", "empty file: not an lparsim results database");
    FILE *f = fopen(path, "rb");
    if (!f)
        return open_fail(path, err, "cannot read it: %s", strerror(errno));
    *n = fread(h, 1, 100, f);
    fclose(f);
    *size = (long long)sb.st_size;
    return 0;
}

static bool has_wal(const char *path)
{
    char wal[4200];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", path);
    return stat(wal, &sb) == 0;
}

/* A writer's checkpoint writes the new header (page 1) before it has
 * extended the file, and keeps DB-wal until it is done: a short file
 * beside a WAL is a checkpoint under way, not damage. Only a file short
 * twice in a row without a WAL is called truncated. */
int results_file_check(const char *path, struct diag *err)
{
    unsigned char h[100];
    size_t n = 0;
    long long size = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (read_header(path, h, &n, &size, err))
            return -1;
        int e = header_check(path, h, n, size, err);
        if (e <= 0)
            return e;
        if (has_wal(path))
            return 0;
    }
    return -1;
}

int results_sqlite_fail(sqlite3 *db, const char *path, struct diag *err, const char *what)
{
    struct src_loc loc = { path, 0, 0 };
    int code = db ? sqlite3_errcode(db) & 0xff : SQLITE_NOMEM;
    const char *msg = db ? sqlite3_errmsg(db) : "out of memory";
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return diag_set(err, &loc, "corrupt or truncated results database (%s: %s)", what, msg);
    return diag_set(err, &loc, "%s: %s", what, msg);
}

/* PRAGMA quick_check: every page and index entry read once. */
static int integrity(sqlite3 *db, const char *path, struct diag *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK)
        return results_sqlite_fail(db, path, err, "cannot check the database");
    int rc = sqlite3_step(st);
    char first[256] = "";
    if (rc == SQLITE_ROW)
        snprintf(first, sizeof first, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return results_sqlite_fail(db, path, err, "cannot check the database");
    if (strcmp(first, "ok") != 0)
        return open_fail(path, err, "corrupt or truncated results database (%s)", first);
    return 0;
}

int results_open_any(const char *db_path, bool deep, sqlite3 **out, int *version,
                     struct diag *err)
{
    sqlite3 *db = NULL;
    int v = 0;
    *out = NULL;
    if (!db_path || results_file_check(db_path, err))
        return -1;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        db = NULL;
        if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
            results_sqlite_fail(db, db_path, err, "cannot open the results database");
            sqlite3_close(db);
            return -1;
        }
    }
    sqlite3_busy_timeout(db, RESULTS_BUSY_MS);
    int e = sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL) != SQLITE_OK
                ? results_sqlite_fail(db, db_path, err, "cannot open the results database")
                : results_schema_version(db, db_path, &v, err);
    if (!e && deep)
        e = integrity(db, db_path, err);
    if (e) {
        sqlite3_close(db);
        return -1;
    }
    if (version)
        *version = v;
    *out = db;
    return 0;
}

int results_open_read(const char *db_path, bool deep, struct sqlite3 **db, int *version,
                      struct diag *err)
{
    int v;
    if (results_open_any(db_path, deep, db, &v, err))
        return -1;
    if (v == 0) {
        sqlite3_close(*db);
        *db = NULL;
        return open_fail(db_path, err, "%s", "not an lparsim results database (it has no tables)");
    }
    if (version)
        *version = v;
    return 0;
}

int results_open_check(const char *db_path, struct diag *err)
{
    sqlite3 *db;
    if (results_open_read(db_path, false, &db, NULL, err))
        return -1;
    sqlite3_close(db);
    return 0;
}

bool results_has_column(struct sqlite3 *db, const char *table, const char *column)
{
    sqlite3_stmt *st;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}
