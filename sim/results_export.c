/* sim/results_export.c — `lparsim export DB --csv DIR`: one CSV file per
 * results table, for tools that do not read SQLite (results.h:
 * results_export_csv).
 *
 * All or nothing. A DIR that does not exist yet is written as a hidden
 * sibling (.DIR.export-XXXXXX) and renamed into place once every file is
 * complete; into an existing DIR, each file is written as .TABLE.csv.tmp
 * and the seven are renamed only when all are written. A failure (a
 * corrupt database, a full disk) removes what was written and leaves DIR
 * as it was. The database is only read (results_open_read), so an export
 * can run during a sweep. */
#define _XOPEN_SOURCE 700 /* mkdir, stat, mkdtemp */
#include "sim/results.h"
#include "sim/results_internal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const export_tables[] = {
    "run", "param", "scalar", "statistic", "histogram", "series", "event",
};

/* Integer columns that hold uint64_t bit patterns (see results.c). */
static bool col_is_u64(const char *name)
{
    static const char *const u64[] = { "seed", "events", "sim_end_ps", "t_ps", "count" };
    for (size_t i = 0; i < sizeof u64 / sizeof u64[0]; i++)
        if (strcmp(name, u64[i]) == 0)
            return true;
    return false;
}

/* RFC 4180: a field holding a comma, quote or line break is quoted, quotes
 * doubled. Fields with edge spaces are quoted too, since some readers trim
 * unquoted fields. */
static void csv_put(FILE *f, const char *s)
{
    size_t len = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && (len == 0 || (s[0] != ' ' && s[len - 1] != ' '))) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_value(FILE *f, sqlite3_stmt *st, int i)
{
    char buf[64];
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        break;
    case SQLITE_INTEGER:
        if (col_is_u64(sqlite3_column_name(st, i)))
            fprintf(f, "%llu", (unsigned long long)(uint64_t)sqlite3_column_int64(st, i));
        else
            fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT: {
        double v = sqlite3_column_double(st, i);
        snprintf(buf, sizeof buf, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, sizeof buf, "%.17g", v);
        fputs(buf, f);
        break;
    }
    default: {
        const unsigned char *t = sqlite3_column_text(st, i);
        csv_put(f, t ? (const char *)t : "");
        break;
    }
    }
}

/* A file-system failure: errno says why. */
static int export_fail(struct diag *err, const char *path, const char *what)
{
    struct src_loc loc = { path, 0, 0 };
    return diag_set(err, &loc, "%s: %s", what, strerror(errno));
}

/* Writes the header and every row of one table to f. */
static int export_rows(sqlite3 *db, const char *db_path, const char *table, FILE *f,
                       struct diag *err)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY rowid", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return results_sqlite_fail(db, db_path, err, "cannot read table");
    int ncol = sqlite3_column_count(st);
    for (int i = 0; i < ncol; i++) {
        fputs(i ? "," : "", f);
        csv_put(f, sqlite3_column_name(st, i));
    }
    fputc('\n', f);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++) {
            fputs(i ? "," : "", f);
            csv_value(f, st, i);
        }
        fputc('\n', f);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : results_sqlite_fail(db, db_path, err, "cannot read table");
}

#define NTABLES (sizeof export_tables / sizeof export_tables[0])
#define EXPORT_PATH_MAX 4200

/* Writes one table into tmp (the caller renames it). */
static int export_table(sqlite3 *db, const char *db_path, const char *tmp, const char *table,
                        struct diag *err)
{
    FILE *f = fopen(tmp, "w");
    if (!f)
        return export_fail(err, tmp, "cannot create file");
    int e = export_rows(db, db_path, table, f, err);
    if (ferror(f) && !e)
        e = export_fail(err, tmp, "cannot write file");
    if (fclose(f) != 0 && !e)
        e = export_fail(err, tmp, "cannot write file");
    return e;
}

/* mkdir -p of dir's parent directories (not dir itself). */
static int make_parents(const char *dir, struct diag *err)
{
    char p[EXPORT_PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p - 64) {
        struct src_loc loc = { dir, 0, 0 };
        return diag_set(err, &loc, n ? "path too long" : "empty directory name");
    }
    memcpy(p, dir, n + 1);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    for (size_t i = 1; i < n; i++) {
        if (p[i] != '/')
            continue;
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return export_fail(err, p, "cannot create directory");
        p[i] = '/';
    }
    return 0;
}

/* Where the files are written first: a fresh hidden directory beside a
 * new DIR (*fresh), or hidden names inside an existing one. */
static int export_staging(const char *dir, char *stage, size_t n, bool *fresh,
                          struct diag *err)
{
    struct stat sb;
    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            errno = ENOTDIR;
            return export_fail(err, dir, "cannot export into it");
        }
        *fresh = false;
        snprintf(stage, n, "%s", dir);
        return 0;
    }
    if (make_parents(dir, err))
        return -1;
    const char *slash = strrchr(dir, '/');
    int plen = slash ? (int)(slash - dir) + 1 : 0;
    snprintf(stage, n, "%.*s.%s.export-XXXXXX", plen, dir, slash ? slash + 1 : dir);
    if (!mkdtemp(stage))
        return export_fail(err, dir, "cannot create directory");
    *fresh = true;
    return 0;
}

/* Paths are checked against EXPORT_PATH_MAX up front, so nothing is cut;
 * a cut name would only fail to open. */
static void staged_name(char *buf, size_t n, const char *stage, bool fresh, const char *table)
{
    if (snprintf(buf, n, fresh ? "%s/%s.csv" : "%s/.%s.csv.tmp", stage, table) >= (int)n)
        buf[0] = '\0';
}

/* Moves the staged files (or the staging directory) into place. */
static int export_publish(const char *dir, const char *stage, bool fresh, struct diag *err)
{
    if (fresh)
        return rename(stage, dir) == 0 ? 0
                                       : export_fail(err, dir, "cannot rename into place");
    for (size_t i = 0; i < NTABLES; i++) {
        char tmp[EXPORT_PATH_MAX], final[EXPORT_PATH_MAX];
        staged_name(tmp, sizeof tmp, stage, false, export_tables[i]);
        if (snprintf(final, sizeof final, "%s/%s.csv", dir, export_tables[i]) >=
                (int)sizeof final || rename(tmp, final) != 0)
            return export_fail(err, final, "cannot rename into place");
    }
    return 0;
}

static void export_discard(const char *stage, bool fresh)
{
    for (size_t i = 0; i < NTABLES; i++) {
        char tmp[EXPORT_PATH_MAX];
        staged_name(tmp, sizeof tmp, stage, fresh, export_tables[i]);
        unlink(tmp);
    }
    if (fresh)
        rmdir(stage);
}

int results_export_csv(const char *db_path, const char *dir, struct diag *err)
{
    sqlite3 *db = NULL;
    char stage[EXPORT_PATH_MAX];
    bool fresh = false;
    if (strlen(dir) > EXPORT_PATH_MAX - 64) {
        struct src_loc loc = { dir, 0, 0 };
        return diag_set(err, &loc, "path too long");
    }
    if (results_open_read(db_path, false, &db, NULL, err))
        return -1;
    if (export_staging(dir, stage, sizeof stage, &fresh, err)) {
        sqlite3_close(db);
        return -1;
    }
    /* One read transaction: the seven files show the same snapshot even if
     * a sweep commits runs meanwhile. */
    int e = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK
                ? results_sqlite_fail(db, db_path, err, "cannot read results database") : 0;
    for (size_t i = 0; !e && i < NTABLES; i++) {
        char tmp[EXPORT_PATH_MAX];
        staged_name(tmp, sizeof tmp, stage, fresh, export_tables[i]);
        e = export_table(db, db_path, tmp, export_tables[i], err);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    if (!e)
        e = export_publish(dir, stage, fresh, err);
    if (e)
        export_discard(stage, fresh);
    return e ? -1 : 0;
}
