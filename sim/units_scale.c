/* sim/units_scale.c — showing measured values in a readable unit
 * (units.h: unit_scale_pick, unit_show_measured): a latency of 38680 ns
 * reads "38.68 us", 60037 IOPS "60.04 k/s", an axis of latencies up to
 * 300000 ns is labelled in us. The results database keeps every value in
 * its metric's own unit (docs/metrics.md); only what people read is
 * scaled. Also the SI value of a parameter written with a unit
 * (unit_value_si: "40k/s" -> 40000, "8us" -> 8e-6), so that stored
 * values sort as numbers. */
#include "sim/units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* One display unit: its factor in SI base units. */
struct disp {
    double si;
    const char *sym, *pretty;
};

/* A dimension: the unit names a metric may carry and what they show as. */
struct dimension {
    const char *const *names;  /* units of this dimension metrics use */
    const double *name_si;     /* their SI factors */
    const struct disp *disp;   /* ascending */
    double min_ratio;          /* a display unit needs maxabs >= ratio x it */
};

static const char *const time_names[] = { "ps", "ns", "us", "ms", "s", NULL };
static const double time_si[] = { 1e-12, 1e-9, 1e-6, 1e-3, 1 };
static const struct disp time_disp[] = {
    { 1e-12, "ps", "ps" }, { 1e-9, "ns", "ns" }, { 1e-6, "us", "\xc2\xb5s" },
    { 1e-3, "ms", "ms" }, { 1, "s", "s" }, { 0, NULL, NULL },
};
static const char *const rate_names[] = { "1/s", NULL };
static const double one_si[] = { 1 };
static const struct disp rate_disp[] = {
    { 1, "1/s", "1/s" }, { 1e3, "k/s", "k/s" }, { 1e6, "M/s", "M/s" },
    { 1e9, "G/s", "G/s" }, { 0, NULL, NULL },
};
static const char *const size_names[] = { "B", NULL };
static const struct disp size_disp[] = {
    { 1, "B", "B" }, { 0x1p10, "KiB", "KiB" }, { 0x1p20, "MiB", "MiB" },
    { 0x1p30, "GiB", "GiB" }, { 0x1p40, "TiB", "TiB" }, { 0, NULL, NULL },
};
static const char *const bitrate_names[] = { "bit/s", NULL };
static const struct disp bitrate_disp[] = {
    { 1, "bit/s", "bit/s" }, { 1e3, "kbit/s", "kbit/s" }, { 1e6, "Mbit/s", "Mbit/s" },
    { 1e9, "Gbit/s", "Gbit/s" }, { 0, NULL, NULL },
};
static const char *const freq_names[] = { "Hz", NULL };
static const struct disp freq_disp[] = {
    { 1, "Hz", "Hz" }, { 1e3, "kHz", "kHz" }, { 1e6, "MHz", "MHz" }, { 1e9, "GHz", "GHz" },
    { 0, NULL, NULL },
};
static const char *const cycle_names[] = { "cycles", NULL };
static const struct disp cycle_disp[] = {
    { 1, "cycles", "cycles" }, { 1e3, "k cycles", "k cycles" },
    { 1e6, "M cycles", "M cycles" }, { 1e9, "G cycles", "G cycles" }, { 0, NULL, NULL },
};
static const char *const count_names[] = { "", "-", NULL };
static const double count_si[] = { 1, 1 };
static const struct disp count_disp[] = {
    { 1, "", "" }, { 1e3, "k", "k" }, { 1e6, "M", "M" }, { 1e9, "G", "G" }, { 0, NULL, NULL },
};

/* Counts switch to k at 10^4, so that tic labels keep four digits; a
 * dimension switches as soon as the value reaches the unit (300 us). */
static const struct dimension dimensions[] = {
    { time_names, time_si, time_disp, 1 },
    { rate_names, one_si, rate_disp, 1 },
    { size_names, one_si, size_disp, 1 },
    { bitrate_names, one_si, bitrate_disp, 1 },
    { freq_names, one_si, freq_disp, 1 },
    { cycle_names, one_si, cycle_disp, 10 },
    { count_names, count_si, count_disp, 10 },
};

struct unit_scale unit_scale_pick(const char *unit, double maxabs)
{
    const char *u = unit ? unit : "";
    for (size_t d = 0; d < sizeof dimensions / sizeof dimensions[0]; d++) {
        const struct dimension *dim = &dimensions[d];
        for (size_t i = 0; dim->names[i]; i++) {
            if (strcmp(dim->names[i], u) != 0)
                continue;
            double in_si = dim->name_si[i], v_si = fabs(maxabs) * in_si;
            const struct disp *best = NULL;
            for (const struct disp *p = dim->disp; p->sym; p++)
                if (!best || v_si >= p->si * dim->min_ratio * (1 - 1e-12))
                    best = p;
            /* never smaller than the metric's own unit: 0.5 ns stays ns */
            if (best->si < in_si)
                for (const struct disp *p = dim->disp; p->sym; p++)
                    if (p->si == in_si)
                        best = p;
            /* the ratio of two units is a whole power of 10 or 2: exact */
            double div = round(best->si / in_si);
            return (struct unit_scale){ div >= 1 ? div : 1, best->sym, best->pretty };
        }
    }
    return (struct unit_scale){ 1, u, u };
}

/* Four significant digits, without an exponent from 0.001 to any size. */
static int show_number(double v, char *buf, size_t n)
{
    double a = fabs(v);
    if (v == 0)
        return snprintf(buf, n, "0");
    if (a >= 1e4)
        return snprintf(buf, n, "%.0f", v);
    if (a >= 1e-3)
        return snprintf(buf, n, "%.4g", v);
    return snprintf(buf, n, "%.3g", v);
}

const char *unit_show_measured(double v, const char *unit, char *buf, size_t n)
{
    const char *u = unit ? unit : "";
    bool counted = !*u || strcmp(u, "-") == 0 || strcmp(u, "cycles") == 0;
    if (isnan(v)) {
        snprintf(buf, n, "-");
        return buf;
    }
    if (counted && v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, n, "%.0f%s%s", v, *u && strcmp(u, "-") ? " " : "",
                 strcmp(u, "-") ? u : "");
        return buf;
    }
    struct unit_scale sc = unit_scale_pick(u, v);
    char num[64];
    show_number(v / sc.div, num, sizeof num);
    snprintf(buf, n, "%s%s%s", num, *sc.sym ? " " : "", sc.sym);
    return buf;
}

int unit_value_si(const char *text, double *out)
{
    /* Plain numbers first: a bare 0 would also read as a time. */
    static const enum param_type order[] = {
        PARAM_U64, PARAM_F64, PARAM_TIME, PARAM_SIZE, PARAM_BITRATE, PARAM_FREQ, PARAM_RATE,
    };
    for (size_t k = 0; text && k < sizeof order / sizeof order[0]; k++) {
        struct param_value v;
        const char *why;
        if (unit_parse(order[k], text, &v, &why) != 0)
            continue;
        *out = order[k] == PARAM_TIME ? v.d * 1e-12 : v.d;
        return 0;
    }
    return -1;
}
