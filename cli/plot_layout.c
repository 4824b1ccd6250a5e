/* cli/plot_layout.c — where things go in a figure, so that nothing is
 * drawn over the data: axis ranges padded around the data (and never
 * below zero for data that are not), and the timeline's band above the
 * series, in which the phases of mechanisms stack by depth and the event
 * labels are spread over rows so that none overlaps another.
 *
 * Text widths are estimated for the figure's geometry (plot_internal.h:
 * a 3.5 in column at 8 pt, annotations at 7 pt, DejaVu Sans averaging
 * 0.55 em a character), which the PNG and SVG terminals scale as a
 * whole; the estimate errs wide. */
#include "cli/plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/histogram.h"

void plot_pad_range(double lo, double hi, bool log, double *a, double *b)
{
    if (log && lo > 0) {
        double f = hi > lo ? pow(hi / lo, 0.05) : 1.25;
        *a = lo / f;
        *b = hi * f;
        return;
    }
    double pad = hi > lo ? 0.05 * (hi - lo) : (hi != 0 ? 0.05 * fabs(hi) : 1);
    *a = lo - pad;
    *b = hi + pad;
    if (lo >= 0 && *a < 0)
        *a = 0;
}

double plot_nice_step(double hi)
{
    double raw = hi / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

double plot_round_up(double hi)
{
    if (!(hi > 0))
        return 1;
    double step = plot_nice_step(hi);
    return ceil(hi / step * (1 - 1e-12)) * step;
}

double plot_bucket_half_width(double v)
{
    if (!(v > HIST_LOW))
        return 0;
    int e;
    frexp(v, &e); /* v = m 2^e, 0.5 <= m < 1: the octave is [2^(e-1), 2^e) */
    return ldexp(1.0, e - 1) / HIST_SUB / 2;
}

/* Characters of a label as drawn (UTF-8 continuation bytes take no room). */
static size_t text_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int mark_cmp(const void *a, const void *b)
{
    const struct plot_mark *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* Phase labels start at their phase, or after the label before them in
 * the same row, or end at the right edge; a label pushed past its own
 * phase, or past the edge, is left out (NaN): many short phases in a row (pre-copy rounds)
 * keep their bars, and the .dat their names. */
static void place_phase_labels(struct plot_data *pd, double char_w, int rows, double xend)
{
    double *row_end = calloc((size_t)rows + 1, sizeof *row_end);
    for (size_t i = 0; row_end && i < pd->nphases; i++) {
        struct plot_phase *p = &pd->phases[i];
        double gap = char_w, w = (double)text_chars(p->label) * char_w;
        double x = p->t0 + gap / 2;
        if (x < row_end[p->depth])
            x = row_end[p->depth];
        if (x + w > xend && xend - w >= row_end[p->depth])
            x = xend - w; /* a phase at the right edge: its label ends there */
        if (x > p->t1 || x + w > xend) {
            p->label_x = NAN;
            continue;
        }
        p->label_x = x;
        row_end[p->depth] = x + w + gap;
    }
    free(row_end);
}

void plot_band_layout(struct plot_data *pd, double xend)
{
    double frac_w = pd->y2label[0] ? PLOT_CHAR_W_Y2 : PLOT_CHAR_W;
    double char_w = frac_w * (xend > 0 ? xend : 1);
    int phase_rows = 0;
    for (size_t i = 0; i < pd->nphases; i++)
        phase_rows = pd->phases[i].depth + 1 > phase_rows ? pd->phases[i].depth + 1 : phase_rows;
    place_phase_labels(pd, char_w, phase_rows, xend);
    if (pd->nmarks)
        qsort(pd->marks, pd->nmarks, sizeof *pd->marks, mark_cmp);
    double row_end[PLOT_EVENT_ROWS];
    int event_rows = 0;
    pd->unlabelled = 0;
    for (size_t i = 0; i < pd->nmarks; i++) {
        struct plot_mark *m = &pd->marks[i];
        double w = (double)(text_chars(m->label) + 1) * char_w;
        m->right = m->t + w > xend && m->t - w >= 0;
        double start = m->right ? m->t - w : m->t;
        m->row = -1;
        for (int r = 0; r < PLOT_EVENT_ROWS && m->row < 0; r++) {
            if (r == event_rows) {
                event_rows++;
                row_end[r] = -INFINITY;
            }
            if (start >= row_end[r]) {
                m->row = phase_rows + r;
                row_end[r] = start + w;
            }
        }
        pd->unlabelled += m->row < 0;
    }
    pd->band_rows = phase_rows + event_rows;
    /* the series keep 5% headroom below the band */
    pd->data_top = 1 - pd->band_rows * PLOT_ROW_H - 0.05;
}
