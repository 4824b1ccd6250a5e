/* sim/results_schema.c — the results database's schema: its SQL, its
 * version (meta.schema_version), recognising a file as ours, and
 * bringing an older database up to date (results_internal.h).
 *
 * Version 1: the tables of the first release. Version 2 adds run.point
 * (the sweep point's index, NULL for a lone run), param.value_si (the
 * value in SI base units, so that ORDER BY sorts 40k/s before 100k/s)
 * and series.unit. New columns go at the end of their table, so a new
 * database and an upgraded one have the same columns in the same order.
 * Writers upgrade a version 1 database inside their write transaction;
 * readers (report, plot, merge, export) read both. */
#include "sim/results_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '"
    RESULTS_SCHEMA_VERSION_TEXT "');"
    "CREATE TABLE IF NOT EXISTS run("
    " run_id INTEGER PRIMARY KEY, run_key TEXT UNIQUE NOT NULL,"
    " scenario TEXT, scenario_sha256 TEXT, rep INTEGER, seed INTEGER,"
    " kernel TEXT, version TEXT, started_at TEXT, wall_s REAL,"
    " events INTEGER, sim_end_ps INTEGER, status TEXT NOT NULL, error TEXT,"
    " point INTEGER);"
    "CREATE TABLE IF NOT EXISTS param("
    " run_id INTEGER NOT NULL REFERENCES run(run_id), name TEXT, value TEXT,"
    " value_si REAL);"
    "CREATE TABLE IF NOT EXISTS scalar("
    " run_id INTEGER NOT NULL REFERENCES run(run_id), component TEXT,"
    " name TEXT, value REAL, unit TEXT);"
    "CREATE TABLE IF NOT EXISTS statistic("
    " run_id INTEGER NOT NULL REFERENCES run(run_id), component TEXT,"
    " name TEXT, unit TEXT, count INTEGER, mean REAL, stddev REAL,"
    " min REAL, max REAL, p50 REAL, p90 REAL, p99 REAL, p999 REAL);"
    "CREATE TABLE IF NOT EXISTS histogram("
    " run_id INTEGER NOT NULL REFERENCES run(run_id), component TEXT,"
    " name TEXT, lower REAL, upper REAL, count INTEGER);"
    "CREATE TABLE IF NOT EXISTS series("
    " run_id INTEGER NOT NULL REFERENCES run(run_id), component TEXT,"
    " name TEXT, t_ps INTEGER, value REAL, unit TEXT);"
    "CREATE TABLE IF NOT EXISTS event("
    " run_id INTEGER NOT NULL REFERENCES run(run_id), t_ps INTEGER,"
    " component TEXT, kind TEXT, detail TEXT);"
    "CREATE INDEX IF NOT EXISTS param_run ON param(run_id);"
    "CREATE INDEX IF NOT EXISTS scalar_run ON scalar(run_id);"
    "CREATE INDEX IF NOT EXISTS statistic_run ON statistic(run_id);"
    "CREATE INDEX IF NOT EXISTS histogram_run ON histogram(run_id);"
    "CREATE INDEX IF NOT EXISTS series_run ON series(run_id);"
    "CREATE INDEX IF NOT EXISTS event_run ON event(run_id);"
    "CREATE VIEW IF NOT EXISTS metric(run_id, component, name, unit, value) AS"
    " SELECT run_id, component, name, unit, value FROM scalar"
    " UNION ALL"
    " SELECT run_id, component, name, unit, mean FROM statistic;";

/* What version 2 added to a version 1 database. */
static const char upgrade_1_to_2_sql[] =
    "ALTER TABLE run ADD COLUMN point INTEGER;"
    "ALTER TABLE param ADD COLUMN value_si REAL;"
    "ALTER TABLE series ADD COLUMN unit TEXT;"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';";

static int schema_fail(sqlite3 *db, const char *path, struct diag *err, const char *what)
{
    struct src_loc loc = { path, 0, 0 };
    if (db)
        return diag_set(err, &loc, "%s: %s", what, sqlite3_errmsg(db));
    return diag_set(err, &loc, "%s", what);
}

int results_schema_version(sqlite3 *db, const char *path, int *version, struct diag *err)
{
    sqlite3_stmt *st;
    bool has_run = false, has_meta = false, has_any = false;
    int rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1,
                                &st, NULL);
    if (rc == SQLITE_OK)
        rc = SQLITE_ROW;
    while (rc == SQLITE_ROW && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        has_any = true;
        has_run = has_run || (name && strcmp(name, "run") == 0);
        has_meta = has_meta || (name && strcmp(name, "meta") == 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return results_sqlite_fail(db, path, err, "cannot read the database");
    *version = 0;
    if (!has_any)
        return 0; /* empty: a writer gives it the schema */
    if (!has_run || !has_meta)
        return schema_fail(NULL, path, err, "not an lparsim results database (an SQLite file"
                                            " without lparsim's tables)");
    rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                            NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *version = atoi((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return results_sqlite_fail(db, path, err, "cannot read the database");
    if (*version == 0)
        *version = 1; /* meta without a version: the first release's */
    if (*version > RESULTS_SCHEMA_VERSION) {
        struct src_loc loc = { path, 0, 0 };
        return diag_set(err, &loc, "written by a newer lparsim (results schema %d; this one"
                        " reads schemas 1 to %d)", *version, RESULTS_SCHEMA_VERSION);
    }
    return 0;
}

/* Fills param.value_si of every row that has none (an upgraded or
 * merged version 1 database). */
int results_fill_value_si(sqlite3 *db, const char *path, struct diag *err)
{
    sqlite3_stmt *sel, *upd;
    if (sqlite3_prepare_v2(db, "SELECT rowid, value FROM param WHERE value_si IS NULL", -1,
                           &sel, NULL) != SQLITE_OK)
        return results_sqlite_fail(db, path, err, "cannot upgrade the database");
    if (sqlite3_prepare_v2(db, "UPDATE param SET value_si = ?2 WHERE rowid = ?1", -1, &upd,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(sel);
        return results_sqlite_fail(db, path, err, "cannot upgrade the database");
    }
    int rc, e = 0;
    while (!e && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        double si;
        const char *text = (const char *)sqlite3_column_text(sel, 1);
        if (!text || unit_value_si(text, &si) != 0)
            continue;
        sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
        sqlite3_bind_double(upd, 2, si);
        e = sqlite3_step(upd) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(upd);
    }
    if (!e && rc != SQLITE_DONE)
        e = -1;
    if (e)
        results_sqlite_fail(db, path, err, "cannot upgrade the database");
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    return e;
}

int results_db_schema(sqlite3 *db, const char *db_path, struct diag *err)
{
    int version;
    if (results_schema_version(db, db_path, &version, err))
        return -1;
    if (version == 1) {
        if (sqlite3_exec(db, upgrade_1_to_2_sql, NULL, NULL, NULL) != SQLITE_OK)
            return results_sqlite_fail(db, db_path, err, "cannot upgrade the database");
        if (results_fill_value_si(db, db_path, err))
            return -1;
    }
    if (sqlite3_exec(db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        return results_sqlite_fail(db, db_path, err, "cannot create the schema");
    return 0;
}
