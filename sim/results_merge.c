/* sim/results_merge.c — `lparsim merge`: joins results databases (e.g. the
 * per-task databases of a Slurm array) into one, one run per run_key
 * (results.h: results_merge).
 *
 * The input is ATTACHed to the output's connection and copied with
 * set-based INSERT ... SELECT statements inside one BEGIN IMMEDIATE
 * transaction, so a merge is all or nothing and can run while sweep
 * workers still write to the output (they queue on the busy timeout).
 * Which incoming runs are taken is decided once, into a temp table that
 * maps the input's run_id to the output's; every child table is then
 * copied through that map, which is also what drops orphaned child rows. */
#include "sim/results.h"
#include "sim/results_internal.h"

#include <stdarg.h>
#include <stdio.h>

/* The columns copied per table (run_id is mapped, never copied). */
static const struct {
    const char *table;
    const char *cols;
} child_tables[] = {
    { "param", "name, value" },
    { "scalar", "component, name, value, unit" },
    { "statistic", "component, name, unit, count, mean, stddev, min, max, p50, p90, p99, p999" },
    { "histogram", "component, name, lower, upper, count" },
    { "series", "component, name, t_ps, value" },
    { "event", "t_ps, component, kind, detail" },
};

static const char run_cols[] =
    "run_key, scenario, scenario_sha256, rep, seed, kernel, version, started_at,"
    " wall_s, events, sim_end_ps, status, error";

struct merger {
    sqlite3 *db;
    const char *out_path;
    const char *in_path;
    struct diag *err;
};

static int merge_fail(struct merger *m, const char *what)
{
    struct src_loc loc = { m->out_path, 0, 0 };
    return diag_set(m->err, &loc, "%s %s: %s", what, m->in_path, sqlite3_errmsg(m->db));
}

static int merge_exec(struct merger *m, const char *sql, const char *what)
{
    return sqlite3_exec(m->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : merge_fail(m, what);
}

/* Runs a statement built from a format (table and column names only:
 * constants of this file, never user data). */
__attribute__((format(printf, 3, 4)))
static int merge_execf(struct merger *m, const char *what, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof sql) {
        struct src_loc loc = { m->out_path, 0, 0 };
        return diag_set(m->err, &loc, "internal error: merge statement too long");
    }
    return merge_exec(m, sql, what);
}

static int count_of(struct merger *m, const char *sql, size_t *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
        return merge_fail(m, "cannot count runs of");
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : merge_fail(m, "cannot count runs of");
}

/* Decides which runs move: failed runs of the output that the input has
 * ok are dropped (merge_drop); input runs whose key the output then lacks
 * are taken (merge_map). */
static int merge_select(struct merger *m)
{
    return merge_exec(m,
        "CREATE TEMP TABLE merge_drop(run_id INTEGER PRIMARY KEY);"
        "CREATE TEMP TABLE merge_map(src_id INTEGER PRIMARY KEY, dst_id INTEGER);"
        "INSERT INTO temp.merge_drop SELECT r.run_id FROM main.run r"
        " JOIN src.run s ON s.run_key = r.run_key"
        " WHERE r.status = 'failed' AND s.status <> 'failed';", "cannot compare runs with") ||
        merge_exec(m,
        "INSERT INTO temp.merge_map(src_id) SELECT s.run_id FROM src.run s"
        " WHERE NOT EXISTS (SELECT 1 FROM main.run r WHERE r.run_key = s.run_key"
        "  AND r.run_id NOT IN (SELECT run_id FROM temp.merge_drop))"
        " ORDER BY s.run_id;", "cannot compare runs with") ? -1 : 0;
}

static int merge_drop_old(struct merger *m)
{
    for (size_t i = 0; i < sizeof child_tables / sizeof child_tables[0]; i++)
        if (merge_execf(m, "cannot replace runs with",
                        "DELETE FROM main.%s WHERE run_id IN (SELECT run_id FROM temp.merge_drop)",
                        child_tables[i].table))
            return -1;
    return merge_exec(m, "DELETE FROM main.run WHERE run_id IN"
                         " (SELECT run_id FROM temp.merge_drop)", "cannot replace runs with");
}

/* Inserts the taken runs, then fills in the map from their run_key. */
static int merge_copy_runs(struct merger *m)
{
    return merge_execf(m, "cannot copy runs of",
                       "INSERT INTO main.run(%s) SELECT %s FROM src.run s"
                       " JOIN temp.merge_map t ON t.src_id = s.run_id ORDER BY s.run_id",
                       run_cols, run_cols) ||
           merge_exec(m, "UPDATE temp.merge_map SET dst_id = (SELECT r.run_id"
                         " FROM main.run r JOIN src.run s ON s.run_key = r.run_key"
                         " WHERE s.run_id = merge_map.src_id)", "cannot copy runs of")
               ? -1 : 0;
}

/* The select lists name columns without a table: merge_map's columns
 * (src_id, dst_id) clash with none of them. */
static int merge_copy_children(struct merger *m)
{
    for (size_t i = 0; i < sizeof child_tables / sizeof child_tables[0]; i++) {
        const char *t = child_tables[i].table, *c = child_tables[i].cols;
        if (merge_execf(m, "cannot copy rows of",
                        "INSERT INTO main.%s(run_id, %s) SELECT t.dst_id, %s FROM src.%s c"
                        " JOIN temp.merge_map t ON t.src_id = c.run_id ORDER BY c.rowid",
                        t, c, c, t))
            return -1;
    }
    return 0;
}

/* Everything between BEGIN IMMEDIATE and COMMIT. */
static int merge_body(struct merger *m, struct merge_counts *counts)
{
    size_t incoming;
    if (results_db_schema(m->db, m->out_path, m->err) || merge_select(m) ||
        count_of(m, "SELECT count(*) FROM temp.merge_drop", &counts->replaced) ||
        count_of(m, "SELECT count(*) FROM temp.merge_map", &counts->added) ||
        count_of(m, "SELECT count(*) FROM src.run", &incoming))
        return -1;
    counts->kept = incoming - counts->added;
    counts->added -= counts->replaced;
    return merge_drop_old(m) || merge_copy_runs(m) || merge_copy_children(m) ||
           merge_exec(m, "DROP TABLE temp.merge_drop; DROP TABLE temp.merge_map;",
                      "cannot finish merging")
               ? -1 : 0;
}

int results_merge(const char *out_path, const char *in_path, struct merge_counts *counts,
                  struct diag *err)
{
    struct merger m = { NULL, out_path, in_path, err };
    struct merge_counts none = { 0, 0, 0 };
    *counts = none;
    /* Refuse a foreign input before the output is created or touched. */
    if (results_open_check(in_path, err) || results_db_open(out_path, &m.db, err))
        return -1;
    sqlite3_stmt *st;
    int e = sqlite3_prepare_v2(m.db, "ATTACH DATABASE ?1 AS src", -1, &st, NULL) != SQLITE_OK;
    if (!e) {
        sqlite3_bind_text(st, 1, in_path, -1, SQLITE_STATIC);
        e = sqlite3_step(st) != SQLITE_DONE;
        sqlite3_finalize(st);
    }
    if (e) {
        merge_fail(&m, "cannot open");
    } else {
        /* ATTACH cannot happen inside a transaction, hence this order. */
        e = merge_exec(&m, "BEGIN IMMEDIATE", "cannot start merging");
        if (!e) {
            e = merge_body(&m, counts) || merge_exec(&m, "COMMIT", "cannot commit merge of");
            if (e) /* keeps the first error's message */
                sqlite3_exec(m.db, "ROLLBACK", NULL, NULL, NULL);
        }
        sqlite3_exec(m.db, "DETACH DATABASE src", NULL, NULL, NULL);
    }
    sqlite3_close(m.db);
    if (e)
        *counts = none;
    return e ? -1 : 0;
}
