/* sim/report_headline.c — the default view of `lparsim report`: the
 * figures people look at first, not every metric (report_internal.h).
 *
 * Per LPAR (component lpar.<L>): io_latency mean, p50 and p99, IOPS (the
 * `throughput` scalar) and the ios_* counts; then every scalar of the
 * mechanisms (components lpm.*, switch.*, failover.*, eeh.*, irq.*).
 * One block per run when one run is shown (a lone run, or --run). A
 * database of several runs is shown per point: runs of a sweep share a
 * point by their `point` column; runs without one (schema 1, or plain
 * `lparsim run`s) share a point when every parameter but the seed is the
 * same. A point's row holds the mean over its completed runs (ok or
 * check_failed) and the half-width of the 95% confidence interval,
 * t(0.975, n-1) s / sqrt(n) (Student t). The runs that missed a check or
 * failed are listed at the end, with their message. */
#include "sim/report_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"
#include "sim/units.h"

/* The LPAR columns: name in the value table, header, unit fallback. */
/* in_points: also a column of the per-point table (which must stay
 * narrow enough to read: the counts that balance are left to --run). */
static const struct {
    const char *name, *header;
    bool in_points;
} lpar_cols[] = {
    { "io_latency.mean", "io_latency mean", true }, { "io_latency.p50", "p50", false },
    { "io_latency.p99", "p99", true },              { "throughput", "IOPS", true },
    { "ios_issued", "issued", false },              { "ios_completed", "completed", false },
    { "ios_failed", "failed", true },               { "ios_retried", "retried", true },
    { "ios_lost", "lost", true },
};
#define NLPAR_COLS (sizeof lpar_cols / sizeof lpar_cols[0])

/* "20.03 ± 0.12 us": both in the unit the mean reads best in. */
static void show_ci(double mean, double half, const char *unit, char *buf, size_t n)
{
    if (isnan(mean)) {
        snprintf(buf, n, "-");
        return;
    }
    if (isnan(half) || half == 0) {
        unit_show_measured(mean, unit, buf, n);
        return;
    }
    struct unit_scale sc = unit_scale_pick(unit, mean);
    snprintf(buf, n, "%.4g \xc2\xb1 %.2g%s%s", mean / sc.div, half / sc.div, *sc.sym ? " " : "",
             sc.sym);
}

/* ---- printing ---- */

static const char *lpar_name(const char *comp)
{
    return strncmp(comp, "lpar.", 5) == 0 ? comp + 5 : comp;
}

static void print_run_header(const struct headline *h, const struct hrun *r)
{
    char end[64], pt[32] = "";
    unit_show_measured((double)r->sim_end / 1e3, "ns", end, sizeof end);
    if (r->has_point)
        snprintf(pt, sizeof pt, "  point %" PRId64, r->point);
    fprintf(h->out, "run %" PRId64 "  %s  scenario %s%s  rep %" PRId64 "  seed %" PRIu64
                    "  kernel %s\n  %s simulated, %" PRIu64 " events, %.3g s wall\n",
            r->id, r->status, r->scenario, pt, r->rep, r->seed, r->kernel, end, r->events,
            r->wall);
    bool any = false;
    for (size_t p = 0; p < h->nparams; p++)
        if (h->params[p].run == r->id) {
            fprintf(h->out, "%s%s=%s", any ? "  " : "  params: ", h->params[p].name,
                    h->params[p].value);
            any = true;
        }
    if (any)
        fputc('\n', h->out);
    if (r->error)
        fprintf(h->out, "  %s: %s\n",
                strcmp(r->status, "check_failed") == 0 ? "check missed" : "error", r->error);
}

static int print_lpars_of_run(struct headline *h, const struct hrun *r)
{
    struct grid g = { NLPAR_COLS + 1, 0, 0, NULL };
    const char *row[NLPAR_COLS + 1] = { "lpar" };
    for (size_t c = 0; c < NLPAR_COLS; c++)
        row[c + 1] = lpar_cols[c].header;
    int e = grid_add(&g, row);
    size_t shown = 0;
    for (size_t l = 0; !e && l < h->lpars.n; l++) {
        char cells[NLPAR_COLS][64];
        bool any = false;
        row[0] = lpar_name(h->lpars.comp[l]);
        for (size_t c = 0; c < NLPAR_COLS; c++) {
            const struct hval *v = report_value(h, r->id, h->lpars.comp[l], lpar_cols[c].name);
            any = any || v;
            row[c + 1] = v ? unit_show_measured(v->v, v->unit, cells[c], sizeof cells[c]) : "-";
        }
        if (any && !(e = grid_add(&g, row)))
            shown++;
    }
    static const bool right[NLPAR_COLS + 1] = { false, true, true, true, true, true, true,
                                                true, true, true };
    if (!e && shown)
        grid_print(&g, h->out, 2, right);
    grid_free(&g);
    return e ? report_oom(h) : 0;
}

static int print_mech_of_run(struct headline *h, const struct hrun *r)
{
    struct grid g = { 3, 0, 0, NULL };
    int e = 0;
    for (size_t m = 0; !e && m < h->mech.n; m++) {
        const struct hval *v = report_value(h, r->id, h->mech.comp[m], h->mech.name[m]);
        char cell[64];
        const char *row[3] = { h->mech.comp[m], h->mech.name[m],
                               v ? unit_show_measured(v->v, v->unit, cell, sizeof cell) : NULL };
        if (v)
            e = grid_add(&g, row);
    }
    static const bool right[3] = { false, false, true };
    if (!e && g.nrows) {
        fputs("  mechanisms:\n", h->out);
        grid_print(&g, h->out, 4, right);
    }
    grid_free(&g);
    return e ? report_oom(h) : 0;
}

/* How many metrics of the run the headline leaves out. */
static int64_t hidden_count(struct headline *h, const struct hrun *r, size_t shown)
{
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(h->db, "SELECT (SELECT count(*) FROM scalar WHERE run_id = ?1) +"
                           " (SELECT count(*) FROM statistic WHERE run_id = ?1)", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, r->id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n > (int64_t)shown ? n - (int64_t)shown : 0;
}

static int print_runs(struct headline *h)
{
    for (size_t i = 0; i < h->nruns; i++) {
        const struct hrun *r = &h->runs[i];
        size_t shown = 0;
        for (size_t v = 0; v < h->nvals; v++)
            shown += h->vals[v].run == r->id && strncmp(h->vals[v].name, "io_latency.", 11);
        /* the three io_latency columns come from one statistic row each */
        for (size_t l = 0; l < h->lpars.n; l++)
            shown += report_value(h, r->id, h->lpars.comp[l], "io_latency.mean") != NULL;
        print_run_header(h, r);
        if (print_lpars_of_run(h, r) || print_mech_of_run(h, r))
            return -1;
        int64_t more = hidden_count(h, r, shown);
        if (more)
            fprintf(h->out, "  (%" PRId64 " more metric%s: --run %" PRId64
                            " --all, or --component GLOB)\n",
                    more, more == 1 ? "" : "s", r->id);
        if (i + 1 < h->nruns)
            fputc('\n', h->out);
    }
    return 0;
}

/* The first run of each group, for its label and point. */
static const struct hrun *group_first(const struct headline *h, size_t g)
{
    for (size_t i = 0; i < h->nruns; i++)
        if (h->runs[i].group == g)
            return &h->runs[i];
    return NULL;
}

/* "3", or "3 (1 check_failed, 1 failed)". */
static void group_runs_cell(const struct headline *h, size_t g, char *buf, size_t n)
{
    size_t total = 0, checks = 0, failed = 0;
    for (size_t i = 0; i < h->nruns; i++) {
        if (h->runs[i].group != g)
            continue;
        total++;
        checks += strcmp(h->runs[i].status, "check_failed") == 0;
        failed += strcmp(h->runs[i].status, "failed") == 0;
    }
    if (checks && failed)
        snprintf(buf, n, "%zu (%zu check_failed, %zu failed)", total, checks, failed);
    else if (checks || failed)
        snprintf(buf, n, "%zu (%zu %s)", total, checks + failed,
                 checks ? "check_failed" : "failed");
    else
        snprintf(buf, n, "%zu", total);
}

static int print_points(struct headline *h)
{
    enum { COLS = NLPAR_COLS + 3 };
    size_t ncols = 3;
    const char *row[COLS] = { "point", "lpar", "runs" };
    for (size_t c = 0; c < NLPAR_COLS; c++)
        if (lpar_cols[c].in_points)
            row[ncols++] = lpar_cols[c].header;
    struct grid g = { ncols, 0, 0, NULL };
    int e = grid_add(&g, row);
    for (size_t p = 0; !e && p < h->ngroups; p++) {
        const struct hrun *first = group_first(h, p);
        char pt[600], runs[96], cells[NLPAR_COLS][96];
        if (first->has_point)
            snprintf(pt, sizeof pt, "%" PRId64 "%s%s", first->point, *first->label ? " " : "",
                     first->label);
        else
            snprintf(pt, sizeof pt, "%s", *first->label ? first->label : "-");
        group_runs_cell(h, p, runs, sizeof runs);
        for (size_t l = 0; !e && l < h->lpars.n; l++) {
            row[0] = l == 0 ? pt : "";
            row[1] = lpar_name(h->lpars.comp[l]);
            row[2] = l == 0 ? runs : "";
            for (size_t c = 0, k = 3; c < NLPAR_COLS; c++) {
                double mean, half;
                size_t n;
                const char *unit = "";
                if (!lpar_cols[c].in_points)
                    continue;
                report_group_stat(h, p, h->lpars.comp[l], lpar_cols[c].name, &mean, &half, &n,
                                  &unit);
                show_ci(mean, half, unit, cells[c], sizeof cells[c]);
                row[k++] = cells[c];
            }
            e = grid_add(&g, row);
        }
        if (!e && h->lpars.n == 0) {
            row[0] = pt;
            row[1] = "-";
            row[2] = runs;
            for (size_t c = 3; c < ncols; c++)
                row[c] = "";
            e = grid_add(&g, row);
        }
    }
    static const bool right[COLS] = { false, false, true, true, true, true, true,
                                      true, true, true, true, true };
    if (!e)
        grid_print(&g, h->out, 0, right);
    grid_free(&g);
    return e ? report_oom(h) : 0;
}

static int print_mech_points(struct headline *h)
{
    struct grid g = { 4, 0, 0, NULL };
    int e = 0;
    for (size_t p = 0; !e && p < h->ngroups; p++) {
        const struct hrun *first = group_first(h, p);
        char pt[32];
        snprintf(pt, sizeof pt, "%" PRId64, first->has_point ? first->point : (int64_t)p);
        for (size_t m = 0; !e && m < h->mech.n; m++) {
            double mean, half;
            size_t n;
            const char *unit = "";
            char cell[96];
            report_group_stat(h, p, h->mech.comp[m], h->mech.name[m], &mean, &half, &n, &unit);
            if (!n)
                continue;
            show_ci(mean, half, unit, cell, sizeof cell);
            const char *row[4] = { pt, h->mech.comp[m], h->mech.name[m], cell };
            e = grid_add(&g, row);
        }
    }
    static const bool right[4] = { false, false, false, true };
    if (!e && g.nrows) {
        fputs("\nmechanisms (mean \xc2\xb1 95% CI over the runs of a point):\n", h->out);
        grid_print(&g, h->out, 2, right);
    }
    grid_free(&g);
    return e ? report_oom(h) : 0;
}

/* The points some of whose runs have `status`, each once: its runs and
 * the first one's message. */
static void print_problems(struct headline *h, const char *status, const char *title)
{
    size_t n = 0;
    for (size_t i = 0; i < h->nruns; i++)
        n += strcmp(h->runs[i].status, status) == 0;
    if (!n)
        return;
    fprintf(h->out, "\n%s (status %s): %zu run%s\n", title, status, n, n == 1 ? "" : "s");
    for (size_t g = 0; g < h->ngroups; g++) {
        const struct hrun *first = NULL;
        char runs[256] = "";
        size_t used = 0, k = 0;
        for (size_t i = 0; i < h->nruns; i++) {
            const struct hrun *r = &h->runs[i];
            if (r->group != g || strcmp(r->status, status) != 0)
                continue;
            first = first ? first : r;
            if (used < sizeof runs)
                used += (size_t)snprintf(runs + used, sizeof runs - used,
                                         "%s%" PRId64 " (rep %" PRId64 ")", k ? ", " : "",
                                         r->id, r->rep);
            k++;
        }
        if (!first)
            continue;
        char pt[48] = "";
        if (first->has_point)
            snprintf(pt, sizeof pt, "point %" PRId64 " ", first->point);
        fprintf(h->out, "  %s%s%s%srun%s %s: %s\n", pt, *first->label ? "(" : "",
                first->label, *first->label ? ") " : "", k == 1 ? "" : "s", runs,
                first->error ? first->error : "(no message)");
    }
}

static void print_summary_line(struct headline *h)
{
    size_t ok = 0, checks = 0, failed = 0;
    for (size_t i = 0; i < h->nruns; i++) {
        ok += strcmp(h->runs[i].status, "ok") == 0;
        checks += strcmp(h->runs[i].status, "check_failed") == 0;
        failed += strcmp(h->runs[i].status, "failed") == 0;
    }
    fprintf(h->out, "%s: %zu run%s in %zu point%s: %zu ok, %zu check_failed, %zu failed\n",
            h->path, h->nruns, h->nruns == 1 ? "" : "s", h->ngroups,
            h->ngroups == 1 ? "" : "s", ok, checks, failed);
    fputs("IOPS, io_latency and counts per LPAR: mean \xc2\xb1 95% CI (Student t) over the"
          " completed runs of a point\n\n", h->out);
}

int report_headline(sqlite3 *db, const char *path, FILE *out, const struct report_options *o,
                    struct diag *err)
{
    struct headline h = { .db = db, .path = path, .out = out, .err = err };
    char *filter = report_run_filter(db, path, o, err);
    if (!filter)
        return -1;
    h.filter = filter;
    int e = report_headline_load(&h);
    if (!e && h.nruns == 0) {
        fprintf(out, "%s: no runs\n", path);
    } else if (!e && (h.nruns == 1 || o->nruns)) {
        e = print_runs(&h);
    } else if (!e) {
        print_summary_line(&h);
        e = print_points(&h) || print_mech_points(&h);
        if (!e) {
            fputs("\n(one run: --run ID; every metric: --all, or --component GLOB)\n", out);
            print_problems(&h, "check_failed", "runs that missed a check");
            print_problems(&h, "failed", "runs that failed");
        }
    }
    report_headline_free(&h);
    free(filter);
    return e ? -1 : 0;
}
