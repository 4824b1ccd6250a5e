/* sim/results_export.c — `lparsim export DB --csv DIR`: one CSV file per
 * results table, for tools that do not read SQLite (results.h:
 * results_export_csv).
 *
 * Each file is written as DIR/.TABLE.csv.tmp and renamed into place, so a
 * failed export never leaves a truncated file under the final name. The
 * database is opened read-only, so an export can run during a sweep. */
#define _POSIX_C_SOURCE 200809L /* mkdir, stat */
#include "sim/results.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EXPORT_BUSY_MS 60000

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

static int export_fail(struct diag *err, const char *path, sqlite3 *db, const char *what)
{
    struct src_loc loc = { path, 0, 0 };
    if (db)
        return diag_set(err, &loc, "%s: %s", what, sqlite3_errmsg(db));
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
        return export_fail(err, db_path, db, "cannot read table");
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
    return rc == SQLITE_DONE ? 0 : export_fail(err, db_path, db, "cannot read table");
}

static int export_table(sqlite3 *db, const char *db_path, const char *dir, const char *table,
                        struct diag *err)
{
    char tmp[4096], final[4096];
    if ((size_t)snprintf(final, sizeof final, "%s/%s.csv", dir, table) >= sizeof final ||
        (size_t)snprintf(tmp, sizeof tmp, "%s/.%s.csv.tmp", dir, table) >= sizeof tmp) {
        struct src_loc loc = { dir, 0, 0 };
        return diag_set(err, &loc, "path too long");
    }
    FILE *f = fopen(tmp, "w");
    if (!f)
        return export_fail(err, tmp, NULL, "cannot create file");
    int e = export_rows(db, db_path, table, f, err);
    if (ferror(f) && !e)
        e = export_fail(err, tmp, NULL, "cannot write file");
    if (fclose(f) != 0 && !e)
        e = export_fail(err, tmp, NULL, "cannot write file");
    if (!e && rename(tmp, final) != 0)
        e = export_fail(err, final, NULL, "cannot rename into place");
    if (e)
        remove(tmp);
    return e;
}

/* mkdir -p dir. */
static int make_dirs(const char *dir, struct diag *err)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p) {
        struct src_loc loc = { dir, 0, 0 };
        return diag_set(err, &loc, n ? "path too long" : "empty directory name");
    }
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        struct stat sb;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return export_fail(err, p, NULL, "cannot create directory");
        if (c == '\0' && (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
            errno = ENOTDIR;
            return export_fail(err, p, NULL, "cannot create directory");
        }
        p[i] = c;
    }
    return 0;
}

int results_export_csv(const char *db_path, const char *dir, struct diag *err)
{
    if (results_open_check(db_path, err) || make_dirs(dir, err))
        return -1;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        export_fail(err, db_path, db, "cannot open results database");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, EXPORT_BUSY_MS);
    /* One read transaction: the seven files show the same snapshot even if
     * a sweep commits runs meanwhile. */
    int e = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK
                ? export_fail(err, db_path, db, "cannot read results database") : 0;
    for (size_t i = 0; !e && i < sizeof export_tables / sizeof export_tables[0]; i++)
        e = export_table(db, db_path, dir, export_tables[i], err);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return e ? -1 : 0;
}
