/* sim/expect.c — parsing, resolving and checking a scenario's `expect:`
 * assertions (expect.h). Nothing here runs during a simulation: an
 * expectation is resolved once before the run and checked once after it,
 * against the recorder. */
#define _POSIX_C_SOURCE 200809L
#include "sim/expect.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/suggest.h"
#include "sim/units.h"

static const char *const fields[] = {
    "count", "mean", "stddev", "min", "max", "p50", "p90", "p99", "p999",
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const struct {
    const char *text;
    enum expect_op op;
} ops[] = {
    { "<=", EXPECT_LE }, { ">=", EXPECT_GE }, { "==", EXPECT_EQ }, { "!=", EXPECT_NE },
    { "<", EXPECT_LT },  { ">", EXPECT_GT },
};

/* ---- globs ---- */

bool expect_glob_match(const char *g, const char *s)
{
    for (; *g; g++, s++) {
        if (*g == '*') {
            for (const char *t = s;; t++) {
                if (expect_glob_match(g + 1, t))
                    return true;
                if (!*t || *t == '.')
                    return false;
            }
        }
        if (!*s || (*g == '?' ? *s == '.' : *g != *s))
            return false;
    }
    return !*s;
}

/* ---- parsing ---- */

/* A located error in item e, `offset` bytes into its text. */
__attribute__((format(printf, 4, 5)))
static int at(struct diag *err, const struct expect *e, size_t offset, const char *fmt, ...)
{
    struct src_loc loc = e->loc;
    if (loc.line > 0)
        loc.col += (int)offset;
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return diag_set(err, &loc, "expect: %s", msg);
}

static bool path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c == '*' || c == '?';
}

static bool is_field(const char *s)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(s, fields[i]) == 0)
            return true;
    return false;
}

/* COMPONENT.METRIC[.FIELD] of path (len bytes) into e. */
static int parse_path(struct expect *e, const char *path, size_t len, struct diag *err)
{
    char buf[sizeof e->comp];
    if (len == 0 || len >= sizeof buf)
        return at(err, e, 0, "%s", len ? "the path is too long"
                                       : "no metric before the comparison (write"
                                         " COMPONENT.METRIC OP VALUE)");
    memcpy(buf, path, len);
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (!path_char(buf[i]) || (buf[i] == '.' && (i == 0 || buf[i - 1] == '.' || i + 1 == len)))
            return at(err, e, (size_t)(path - e->text) + i, "'%s' is not a metric path"
                      " (COMPONENT.METRIC[.FIELD], e.g. lpar.db1.io_latency.p99)", buf);
    char *last = strrchr(buf, '.');
    if (!last)
        return at(err, e, 0, "'%s' names no component (write COMPONENT.METRIC, e.g."
                  " lpar.db1.ios_lost)", buf);
    if (is_field(last + 1) && memchr(buf, '.', (size_t)(last - buf))) {
        memcpy(e->field, last + 1, strlen(last + 1) + 1); /* a field name: short */
        *last = '\0';
        last = strrchr(buf, '.');
    }
    if (strlen(last + 1) >= sizeof e->metric)
        return at(err, e, 0, "%s", "the metric name is too long");
    memcpy(e->metric, last + 1, strlen(last + 1) + 1);
    *last = '\0';
    memcpy(e->comp, buf, strlen(buf) + 1);
    if (strpbrk(e->metric, "*?"))
        return at(err, e, 0, "'%s': only the component may hold * or ? (the metric is named"
                  " exactly)", e->metric);
    return 0;
}

static int parse_one(struct expect *e, struct diag *err)
{
    const char *t = e->text, *p = strpbrk(t, "<>=!");
    if (!p)
        return at(err, e, 0, "'%s' compares nothing (write COMPONENT.METRIC[.FIELD] OP VALUE,"
                  " OP one of < <= > >= == !=)", t);
    size_t k = 0;
    for (; k < sizeof ops / sizeof ops[0]; k++)
        if (strncmp(p, ops[k].text, strlen(ops[k].text)) == 0)
            break;
    if (k == sizeof ops / sizeof ops[0])
        return at(err, e, (size_t)(p - t), "'%s' is not a comparison (use < <= > >= == !=)",
                  *p == '=' ? "=" : "!");
    e->op = ops[k].op;
    const char *v = p + strlen(ops[k].text), *end = t + strlen(t);
    while (*v == ' ')
        v++;
    while (end > v && end[-1] == ' ')
        end--;
    if (end == v || (size_t)(end - v) >= sizeof e->value)
        return at(err, e, (size_t)(v - t), "%s", end == v ? "no value after the comparison"
                                                          : "the value is too long");
    snprintf(e->value, sizeof e->value, "%.*s", (int)(end - v), v);
    const char *s = t;
    while (*s == ' ')
        s++;
    const char *pe = p;
    while (pe > s && pe[-1] == ' ')
        pe--;
    return parse_path(e, s, (size_t)(pe - s), err);
}

int expect_parse_all(const struct cfg_node *seq, struct expect_list *out, struct diag *err)
{
    out->v = NULL;
    out->n = 0;
    if (!seq || seq->nkids == 0)
        return 0;
    if (!(out->v = calloc(seq->nkids, sizeof *out->v)))
        return diag_set(err, &seq->loc, "out of memory");
    for (size_t i = 0; i < seq->nkids; i++) {
        struct expect *e = &out->v[out->n++];
        e->text = seq->kids[i]->v.s ? seq->kids[i]->v.s : "";
        e->loc = seq->kids[i]->loc;
        if (parse_one(e, err)) {
            expect_list_free(out);
            return -1;
        }
    }
    return 0;
}

void expect_list_free(struct expect_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ---- what a recorder holds ---- */

enum kind { K_SCALAR, K_STATISTIC, K_SERIES };

/* One (component, name) a recorder holds. */
struct metric_ref {
    const char *comp, *name, *unit;
    enum kind kind;
    double value;                 /* scalars */
    const struct statistic *st;   /* statistics */
};

/* Calls fn for every metric of rec; stops when fn returns true. */
static void foreach_metric(const struct recorder *rec,
                           bool (*fn)(void *ctx, const struct metric_ref *m), void *ctx)
{
    const struct scalar_row *sc;
    size_t n = recorder_scalars(rec, &sc);
    for (size_t i = 0; i < n; i++) {
        struct metric_ref m = { sc[i].component, sc[i].name, sc[i].unit ? sc[i].unit : "",
                                K_SCALAR, sc[i].value, NULL };
        if (fn(ctx, &m))
            return;
    }
    for (size_t i = 0; i < recorder_statistic_count(rec); i++) {
        const struct statistic *st = recorder_statistic_at(rec, i);
        const char *unit = statistic_unit(st);
        struct metric_ref m = { statistic_component(st), statistic_name(st),
                                unit ? unit : "", K_STATISTIC, 0, st };
        if (fn(ctx, &m))
            return;
    }
    size_t ns = recorder_series_count(rec);
    struct series_row *rows = calloc(ns ? ns : 1, sizeof *rows);
    ns = rows ? recorder_series_rows(rec, rows, ns) : 0;
    for (size_t i = 0; i < ns; i++) {
        struct metric_ref m = { rows[i].component, rows[i].name,
                                rows[i].unit ? rows[i].unit : "", K_SERIES, 0, NULL };
        if (fn(ctx, &m))
            break;
    }
    free(rows);
}

/* ---- resolving ---- */

struct survey {
    const struct expect *e;
    size_t matches, comps;       /* the metric on a matching component; any metric */
    struct metric_ref first;
    bool mixed;                  /* the matches are of different kinds or units */
    const char *near_comp[256], *near_name[256];
    size_t ncomp, nname;
};

static void add_unique(const char **v, size_t *n, size_t cap, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(v[i], s) == 0)
            return;
    if (*n < cap)
        v[(*n)++] = s;
}

static size_t dots(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '.';
    return n;
}

static bool survey_one(void *ctx, const struct metric_ref *m)
{
    struct survey *s = ctx;
    if (dots(m->comp) == dots(s->e->comp)) /* suggestions of the same depth */
        add_unique(s->near_comp, &s->ncomp, 256, m->comp);
    if (!expect_glob_match(s->e->comp, m->comp))
        return false;
    s->comps++;
    add_unique(s->near_name, &s->nname, 256, m->name);
    if (strcmp(m->name, s->e->metric) != 0)
        return false;
    if (s->matches++ == 0)
        s->first = *m;
    else if (m->kind != s->first.kind || strcmp(m->unit, s->first.unit) != 0)
        s->mixed = true;
    return false;
}

/* No match: say whether the component or the metric is wrong. */
static int not_recorded(const struct expect *e, struct survey *s, struct diag *err)
{
    if (s->comps == 0) {
        const char *near = suggest_closest(e->comp, s->near_comp, s->ncomp);
        return at(err, e, 0, "no component of this scenario matches '%s'%s%s%s", e->comp,
                  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    const char *near = suggest_closest(e->metric, s->near_name, s->nname);
    if (near)
        return at(err, e, 0, "'%s' records no metric '%s' (did you mean '%s'?)", e->comp,
                  e->metric, near);
    return at(err, e, 0, "'%s' records no metric '%s' (docs/metrics.md lists them)", e->comp,
              e->metric);
}

/* VALUE in the metric's unit. */
static int read_limit(struct expect *e, const char *unit, bool counted, struct diag *err)
{
    static const struct {
        const char *unit;
        enum param_type type;
        double scale;            /* parsed value -> metric unit */
    } dims[] = {
        { "ns", PARAM_TIME, 1e-3 },  { "ps", PARAM_TIME, 1 },       { "s", PARAM_TIME, 1e-12 },
        { "1/s", PARAM_RATE, 1 },    { "B", PARAM_SIZE, 1 },        { "bit/s", PARAM_BITRATE, 1 },
        { "Hz", PARAM_FREQ, 1 },
    };
    struct param_value v;
    const char *why;
    for (size_t i = 0; !counted && i < sizeof dims / sizeof dims[0]; i++) {
        if (strcmp(unit, dims[i].unit) != 0)
            continue;
        if (unit_parse(dims[i].type, e->value, &v, &why) != 0)
            return at(err, e, 0, "%s; %s is in %s", why, e->metric, unit);
        e->limit = v.d * dims[i].scale;
        return 0;
    }
    if (unit_parse(PARAM_F64, e->value, &v, &why) == 0 ||
        unit_parse(PARAM_U64, e->value, &v, &why) == 0) {
        e->limit = v.d;
        return 0;
    }
    return at(err, e, 0, "'%s' is not a number (%s%s%s is %s)", e->value, e->metric,
              *e->field ? "." : "", e->field, counted ? "a count" : "a plain number");
}

static int resolve_one(struct expect *e, const struct recorder *rec, struct diag *err)
{
    struct survey s = { .e = e };
    foreach_metric(rec, survey_one, &s);
    if (s.matches == 0)
        return not_recorded(e, &s, err);
    if (s.mixed)
        return at(err, e, 0, "'%s' matches metrics of different kinds or units: name the"
                  " component", e->comp);
    if (s.first.kind == K_SERIES)
        return at(err, e, 0, "'%s' is a series (one value per sample interval): expect"
                  " compares scalars and statistics", e->metric);
    if (s.first.kind == K_SCALAR && *e->field)
        return at(err, e, 0, "'%s' is a scalar: a field such as .p99 belongs to a statistic",
                  e->metric);
    snprintf(e->unit, sizeof e->unit, "%s", s.first.unit);
    return read_limit(e, e->unit, strcmp(e->field, "count") == 0, err);
}

int expect_resolve(struct expect_list *l, const struct recorder *rec, struct diag *err)
{
    for (size_t i = 0; i < l->n; i++)
        if (resolve_one(&l->v[i], rec, err))
            return -1;
    return 0;
}

/* ---- checking ---- */

static double field_of(const struct statistic *st, const char *field)
{
    static const double q[] = { 0.5, 0.9, 0.99, 0.999 };
    if (!*field || strcmp(field, "mean") == 0)
        return statistic_mean(st);
    if (strcmp(field, "count") == 0)
        return (double)statistic_count(st);
    if (strcmp(field, "stddev") == 0)
        return statistic_stddev(st);
    if (strcmp(field, "min") == 0)
        return statistic_min(st);
    if (strcmp(field, "max") == 0)
        return statistic_max(st);
    for (size_t i = 5; i < NFIELDS; i++)
        if (strcmp(field, fields[i]) == 0)
            return statistic_count(st) ? statistic_quantile(st, q[i - 5]) : NAN;
    return NAN;
}

static bool holds(enum expect_op op, double v, double limit)
{
    switch (op) {
    case EXPECT_LT: return v < limit;
    case EXPECT_LE: return v <= limit;
    case EXPECT_GT: return v > limit;
    case EXPECT_GE: return v >= limit;
    case EXPECT_EQ: return v == limit;
    case EXPECT_NE: return v != limit;
    }
    return false;
}

struct check {
    const struct expect *e;
    size_t seen, missed;
    char first[300];              /* the first miss: "lpar.db1 io_latency.p99 = 612.3 us" */
};

static bool check_one(void *ctx, const struct metric_ref *m)
{
    struct check *c = ctx;
    if (m->kind == K_SERIES || strcmp(m->name, c->e->metric) != 0 ||
        !expect_glob_match(c->e->comp, m->comp))
        return false;
    c->seen++;
    double v = m->kind == K_SCALAR ? m->value : field_of(m->st, c->e->field);
    if (!isnan(v) && holds(c->e->op, v, c->e->limit))
        return false;
    if (c->missed++ == 0) {
        char shown[64];
        const char *unit = strcmp(c->e->field, "count") == 0 ? "" : c->e->unit;
        snprintf(c->first, sizeof c->first, "%s %s%s%s = %s", m->comp, m->name,
                 *c->e->field ? "." : "", c->e->field,
                 isnan(v) ? "nothing (no samples)" : unit_show_measured(v, unit, shown,
                                                                         sizeof shown));
    }
    return false;
}

static void append(char *msg, size_t n, size_t *used, const char *text)
{
    int w = snprintf(msg + *used, *used < n ? n - *used : 0, "%s%s", *used ? "; " : "", text);
    if (w > 0)
        *used = *used + (size_t)w < n ? *used + (size_t)w : n - 1;
}

size_t expect_evaluate(const struct expect_list *l, const struct recorder *rec, char *msg,
                       size_t n)
{
    size_t missed = 0, used = 0;
    if (n)
        msg[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        struct check c = { .e = &l->v[i] };
        char line[800];
        foreach_metric(rec, check_one, &c);
        if (c.seen == 0)
            snprintf(line, sizeof line, "expect '%s' missed: the run recorded no %s of %s",
                     c.e->text, c.e->metric, c.e->comp);
        else if (c.missed == 1)
            snprintf(line, sizeof line, "expect '%s' missed: %s", c.e->text, c.first);
        else if (c.missed)
            snprintf(line, sizeof line, "expect '%s' missed: %s (and %zu more of %zu)",
                     c.e->text, c.first, c.missed - 1, c.seen);
        if (c.seen && !c.missed)
            continue;
        missed++;
        append(msg, n, &used, line);
    }
    return missed;
}
