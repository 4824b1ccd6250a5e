/* cli/plot_data.c — the data model of a figure (struct plot_data: lines
 * of rows, event marks, phases, provenance) and the ordering of parameter
 * values written with units, which both the cdf (--by) and the sweep use:
 * "10us" sorts below "100us" because both parse as times, and an axis
 * gets a display unit ("rate (k/s)") from the values' type and size.
 * The kinds themselves are in plot_cdf.c, plot_sweep.c, plot_timeline.c. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "cli/plot_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"

/* ---- struct plot_data ---- */

void plot_data_free(struct plot_data *pd)
{
    for (size_t i = 0; i < pd->nlines; i++) {
        for (size_t j = 0; j < pd->lines[i].nrows; j++)
            free(pd->lines[i].rows[j].text);
        free(pd->lines[i].rows);
        free(pd->lines[i].label);
    }
    for (size_t i = 0; i < pd->nmarks; i++) {
        free(pd->marks[i].component);
        free(pd->marks[i].kind);
        free(pd->marks[i].detail);
    }
    for (size_t i = 0; i < pd->nphases; i++) {
        free(pd->phases[i].component);
        free(pd->phases[i].kind);
    }
    plot_timeline_free(&pd->tl);
    for (size_t i = 0; i < pd->nqueries; i++)
        free(pd->queries[i]);
    free(pd->lines);
    free(pd->marks);
    free(pd->phases);
    free(pd->queries);
    free(pd->run_ids);
    memset(pd, 0, sizeof *pd);
}

/* Grows *p (of *n elements) by one zeroed element; NULL on out of memory. */
void *plot_grow_one(void **p, size_t *n, size_t elem)
{
    char *g = realloc(*p, (*n + 1) * elem);
    if (!g)
        return NULL;
    *p = g;
    memset(g + *n * elem, 0, elem);
    return g + (*n)++ * elem;
}

int plot_line_add(struct plot_data *pd, const char *label, struct plot_line **out)
{
    struct plot_line *l = plot_grow_one((void **)&pd->lines, &pd->nlines, sizeof *l);
    if (!l)
        return -1;
    l->axis = 1;
    l->label = strdup(label);
    *out = l;
    return l->label ? 0 : -1;
}

int plot_row_add(struct plot_line *l, const double *v, size_t n, const char *text)
{
    if (l->nrows == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct plot_row *r = realloc(l->rows, cap * sizeof *r);
        if (!r)
            return -1;
        l->rows = r;
        l->cap = cap;
    }
    struct plot_row *r = &l->rows[l->nrows];
    memset(r, 0, sizeof *r);
    memcpy(r->v, v, n * sizeof *v);
    if (text && !(r->text = strdup(text)))
        return -1;
    l->nrows++;
    return 0;
}

int plot_mark_add(struct plot_data *pd, double t, const char *component, const char *kind,
                  const char *detail)
{
    struct plot_mark *m = plot_grow_one((void **)&pd->marks, &pd->nmarks, sizeof *m);
    if (!m)
        return -1;
    m->t = t;
    m->component = strdup(component ? component : "");
    m->kind = strdup(kind ? kind : "");
    m->detail = strdup(detail ? detail : "");
    return m->component && m->kind && m->detail ? 0 : -1;
}

int plot_phase_add(struct plot_data *pd, double t0, double t1, const char *component,
                   const char *kind)
{
    struct plot_phase *p = plot_grow_one((void **)&pd->phases, &pd->nphases, sizeof *p);
    if (!p)
        return -1;
    p->t0 = t0;
    p->t1 = t1;
    p->key = -1;
    p->seq = pd->nphases - 1;
    p->component = strdup(component);
    p->kind = strdup(kind);
    p->step = p->kind;
    return p->component && p->kind ? 0 : -1;
}

int plot_run_add(struct plot_data *pd, int64_t run_id)
{
    for (size_t i = 0; i < pd->nrun_ids; i++)
        if (pd->run_ids[i] == run_id)
            return 0;
    int64_t *id = plot_grow_one((void **)&pd->run_ids, &pd->nrun_ids, sizeof *id);
    if (!id)
        return -1;
    *id = run_id;
    return 0;
}

void plot_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

char *plot_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

void plot_format_runs(const int64_t *ids, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; ) {
        size_t j = i;
        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        int w = j > i + 1
                    ? snprintf(buf + used, size - used, "%s%" PRId64 "-%" PRId64,
                               used ? "," : "", ids[i], ids[j])
                    : snprintf(buf + used, size - used, "%s%" PRId64, used ? "," : "", ids[i]);
        if (w < 0)
            break;
        used += (size_t)w;
        i = j > i + 1 ? j + 1 : i + 1;
    }
}

/* ---- groups: distinct parameter values in numeric (unit-aware) order ---- */

void plot_groups_free(struct plot_groups *gs)
{
    for (size_t i = 0; i < gs->n; i++)
        free(gs->g[i].text);
    free(gs->g);
    memset(gs, 0, sizeof *gs);
}

/* Index of text in gs (NULL matches NULL), adding it if new; -1 on OOM. */
long plot_groups_find(struct plot_groups *gs, const char *text)
{
    for (size_t i = 0; i < gs->n; i++)
        if ((!text && !gs->g[i].text) ||
            (text && gs->g[i].text && strcmp(text, gs->g[i].text) == 0))
            return (long)i;
    struct plot_group *g = plot_grow_one((void **)&gs->g, &gs->n, sizeof *g);
    if (!g || (text && !(g->text = strdup(text))))
        return -1;
    return (long)gs->n - 1;
}

static int cmp_group(const void *a, const void *b)
{
    const struct plot_group *x = a, *y = b;
    if (!x->text || !y->text) /* the default sorts first */
        return !y->text - !x->text;
    return x->num < y->num ? -1 : x->num > y->num;
}

static int cmp_text(const void *a, const void *b)
{
    const struct plot_group *x = a, *y = b;
    if (!x->text || !y->text)
        return !y->text - !x->text;
    return strcmp(x->text, y->text);
}

/* Gives every group its numeric value and sorts: numerically when every
 * set value parses with one unit type, else as text (num = rank). */
int plot_groups_sort(struct plot_groups *gs)
{
    const char **texts = calloc(gs->n + 1, sizeof *texts);
    double *nums = calloc(gs->n + 1, sizeof *nums);
    size_t k = 0;
    if (!texts || !nums) {
        free(texts);
        free(nums);
        return -1;
    }
    for (size_t i = 0; i < gs->n; i++)
        if (gs->g[i].text)
            texts[k++] = gs->g[i].text;
    gs->numeric = plot_values_numeric(texts, k, nums, &gs->type);
    for (size_t i = 0, j = 0; gs->numeric && i < gs->n; i++)
        if (gs->g[i].text)
            gs->g[i].num = nums[j++];
    qsort(gs->g, gs->n, sizeof *gs->g, gs->numeric ? cmp_group : cmp_text);
    for (size_t i = 0; !gs->numeric && i < gs->n; i++)
        gs->g[i].num = (double)i;
    free(texts);
    free(nums);
    return 0;
}

void plot_group_label(const char *param, const struct plot_group *g, char *buf, size_t n)
{
    snprintf(buf, n, "%s=%s", plot_short_name(param), g->text ? g->text : "default");
}

void plot_unit_suffix(const char *unit, char *buf, size_t n)
{
    if (unit && *unit && strcmp(unit, "-") != 0)
        snprintf(buf, n, " (%s)", unit);
    else
        buf[0] = '\0';
}

bool plot_want_log(enum plot_scale s, double lo, double hi)
{
    if (s != PLOT_SCALE_AUTO)
        return s == PLOT_SCALE_LOG;
    return lo > 0 && hi / lo > 100; /* more than two decades */
}

const char *plot_short_name(const char *param)
{
    const char *dot = strrchr(param, '.');
    return dot ? dot + 1 : param;
}

/* ---- parameter values with units ---- */

bool plot_values_numeric(const char *const *texts, size_t n, double *nums,
                         enum param_type *type)
{
    /* Plain numbers first: a bare 0 also parses as a time, but a column
     * of plain numbers should stay plain. */
    static const enum param_type order[] = {
        PARAM_U64, PARAM_F64, PARAM_TIME, PARAM_SIZE, PARAM_BITRATE, PARAM_FREQ, PARAM_RATE,
    };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        size_t i = 0;
        for (; i < n; i++) {
            struct param_value v;
            const char *why;
            if (unit_parse(order[k], texts[i], &v, &why) != 0)
                break;
            nums[i] = v.d;
        }
        if (i == n && n > 0) {
            *type = order[k];
            return true;
        }
    }
    return false;
}

void plot_display_unit(enum param_type t, double maxabs, double *div, const char **sym,
                       const char **pretty)
{
    /* parameter values are in base units (plot_values_numeric): ps for times */
    const char *unit = t == PARAM_TIME      ? "ps"
                       : t == PARAM_SIZE    ? "B"
                       : t == PARAM_BITRATE ? "bit/s"
                       : t == PARAM_FREQ    ? "Hz"
                       : t == PARAM_RATE    ? "1/s"
                                            : "";
    struct unit_scale sc = unit_scale_pick(unit, maxabs);
    *div = sc.div;
    *sym = sc.sym;
    if (pretty)
        *pretty = sc.pretty;
}

int plot_build(const struct plot_request *rq, struct plot_db *q, struct plot_data *pd)
{
    pd->kind = rq->kind;
    pd->xlo = pd->xhi = pd->ylo = pd->yhi = pd->y2lo = pd->y2hi = NAN;
    pd->data_top = 1;
    switch (rq->kind) {
    case PLOT_CDF:
        return plot_build_cdf(rq, q, pd);
    case PLOT_SWEEP:
        return plot_build_sweep(rq, q, pd);
    case PLOT_TIMELINE:
        return plot_build_timeline(rq, q, pd);
    }
    return plot_fail(q->err, "unknown plot kind");
}
