/* cli/plot_script.c — writes a figure's .dat (one gnuplot `index` block
 * per line, a header comment naming the columns) and its .gp script.
 *
 * The script is meant to be edited for a paper, so it is laid out in
 * plain sections (provenance, locations, terminal, style, axes, data)
 * and carries everything it needs: it locates itself through ARG0 (the
 * path gnuplot was given), reads the .dat by absolute path from there and
 * writes the figure beside itself, so `gnuplot path/fig.gp` works from
 * any directory. `lparsim plot` passes `outdir` to render into a fresh
 * directory that it then renames into place.
 *
 * Defaults aim at a one-column figure: sans font, colour-blind-safe
 * palette (Okabe & Ito), left/bottom border, light grid, no title.
 * Terminals are `enhanced` for 10^{n} on log axes only: every name
 * (labels, key, annotations) is set `noenhanced`, so io_latency keeps its
 * underscore. */
#define _POSIX_C_SOURCE 200809L
#include "cli/plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- strings ---- */

/* LaTeX text for a special character, NULL if c is plain. */
static const char *tex_escape(char c)
{
    switch (c) {
    case '\\': return "\\textbackslash{}";
    case '{': return "\\{";
    case '}': return "\\}";
    case '$': return "\\$";
    case '&': return "\\&";
    case '#': return "\\#";
    case '_': return "\\_";
    case '%': return "\\%";
    case '^': return "\\^{}";
    case '~': return "\\~{}";
    default: return NULL;
    }
}

const char *plot_gp_str(const char *s, bool tex, char *buf, size_t n)
{
    size_t used = 0;
    for (; s && *s && used + 20 < n; s++) {
        const char *esc = tex ? tex_escape(*s) : NULL;
        if (tex && (unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xb5) {
            used += (size_t)snprintf(buf + used, n - used, "$\\mu$"); /* µ of µs */
            s++;
        } else if (esc) {
            used += (size_t)snprintf(buf + used, n - used, "%s", esc);
        } else if (*s == '\'') {
            buf[used++] = '\''; /* '' is a quote inside '...' */
            buf[used++] = '\'';
        } else {
            /* a newline would end the gnuplot command */
            buf[used++] = (unsigned char)*s < 0x20 ? ' ' : *s;
        }
    }
    buf[used] = '\0';
    return buf;
}

/* Writes text as "# "-prefixed comment lines (control characters shown as
 * spaces so that nothing escapes the comment). */
static void comment(FILE *f, const char *prefix, const char *text)
{
    fprintf(f, "# %s", prefix);
    for (const char *p = text; p && *p; p++) {
        if (*p == '\n')
            fputs("\n#   ", f);
        else
            fputc((unsigned char)*p < 0x20 ? ' ' : *p, f);
    }
    fputc('\n', f);
}

/* ---- the .dat ---- */

static void put_num(FILE *f, double v, bool first)
{
    if (!first)
        fputc(' ', f);
    if (isnan(v))
        fputs("NaN", f); /* gnuplot reads NaN as a missing value */
    else
        fprintf(f, "%.10g", v);
}

static void put_text(FILE *f, const char *s)
{
    fputs(" \"", f);
    for (; *s; s++)
        fputc(*s == '"' || (unsigned char)*s < 0x20 ? '\'' : *s, f);
    fputc('"', f);
}

static void data_header(FILE *f, const struct plot_data *pd, const struct plot_provenance *pv)
{
    comment(f, "lparsim plot data: ", pd->what);
    comment(f, "database: ", pv->db_abs);
    comment(f, "database sha256: ", pv->db_sha256);
    comment(f, "columns: ", pd->columns);
    fputs("# One block per line of the figure, blocks separated by two blank lines\n"
          "# (gnuplot: plot 'FILE' index N).\n", f);
    for (size_t i = 0; i < pd->nlines; i++) {
        char pre[64];
        snprintf(pre, sizeof pre, "  index %zu: ", i);
        comment(f, pre, pd->lines[i].label);
    }
    if (pd->nmarks)
        fprintf(f, "#   index %zu: point events (columns: t n component kind detail; n is"
                   " the number drawn)\n", pd->nlines);
    if (pd->nphases)
        fprintf(f, "#   index %zu: phases, clipped to the x range (columns: t_start t_end"
                   " lane component kind step drawn; drawn is the label: the step, its key,"
                   " or \"\" for a mechanism's outline or no room)\n",
                pd->nlines + (pd->nmarks ? 1 : 0));
}

int plot_write_data(FILE *f, const struct plot_data *pd, const struct plot_provenance *pv)
{
    data_header(f, pd, pv);
    for (size_t i = 0; i < pd->nlines; i++) {
        const struct plot_line *l = &pd->lines[i];
        fputs(i ? "\n\n" : "\n", f);
        comment(f, "", l->label);
        for (size_t j = 0; j < l->nrows; j++) {
            for (size_t k = 0; k < pd->ncols; k++)
                put_num(f, l->rows[j].v[k], k == 0);
            if (pd->has_text)
                put_text(f, l->rows[j].text ? l->rows[j].text : "");
            fputc('\n', f);
        }
    }
    if (pd->nmarks)
        fputs("\n\n# events\n", f);
    for (size_t i = 0; i < pd->nmarks; i++) {
        const struct plot_mark *m = &pd->marks[i];
        put_num(f, m->t, true);
        fprintf(f, " %zu", i + 1);
        put_text(f, m->component);
        put_text(f, m->kind);
        put_text(f, m->detail);
        fputc('\n', f);
    }
    if (pd->nphases)
        fputs("\n\n# phases\n", f);
    for (size_t i = 0; i < pd->nphases; i++) {
        const struct plot_phase *p = &pd->phases[i];
        put_num(f, p->t0, true);
        put_num(f, p->t1, false);
        fprintf(f, " %zu", p->lane);
        put_text(f, p->component);
        put_text(f, p->kind);
        put_text(f, p->step);
        put_text(f, p->at != LABEL_NONE && p->label ? p->label : "");
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- the .gp ---- */

static void script_header(FILE *f, const struct plot_data *pd, const struct plot_names *nm,
                          const struct plot_provenance *pv)
{
    char runs[1024];
    plot_format_runs(pd->run_ids, pd->nrun_ids, runs, sizeof runs);
    fprintf(f, "# %s — gnuplot script written by lparsim %s\n", nm->script, pv->version);
    comment(f, "", pd->what);
    fprintf(f, "#\n# Regenerate the figure: gnuplot %s\n"
               "#   from any directory: the script reads %s beside itself and writes\n"
               "#   %s there. Elsewhere: gnuplot -e \"outdir='/some/dir'\" %s\n#\n",
            nm->script, nm->data, nm->figure, nm->script);
    fputs("# ---- provenance ----\n", f);
    comment(f, "lparsim version: ", pv->version);
    comment(f, "command:         ", pv->command_line);
    comment(f, "working dir:     ", pv->cwd);
    comment(f, "database:        ", pv->db_abs);
    comment(f, "database sha256: ", pv->db_sha256);
    if (pv->db_has_wal)
        fputs("#   (a -wal file was beside the database: the hash covers the main file only)\n",
              f);
    comment(f, "runs:            ", runs);
    comment(f, "created:         ", pv->created);
    fputs("# queries (?N = bound values):\n", f);
    for (size_t i = 0; i < pd->nqueries; i++)
        comment(f, "  ", pd->queries[i]);
    fputs("#\n# For a paper: size and font are on the `set terminal` line, colours and\n"
          "# widths in `set linetype`, the legend in `set key`, ranges in\n"
          "# `set xrange`/`set yrange`; every line is one `index` of the data file.\n\n", f);
}

/* The script's own directory from ARG0, so the figure can be rebuilt from
 * any working directory; the absolute path is the fallback for a script
 * fed on stdin (ARG0 empty). */
static void script_locations(FILE *f, const struct plot_names *nm)
{
    char dir[PLOT_PATH_MAX * 2], data[PLOT_PATH_MAX * 2];
    fputs("# ---- where things are ----\n", f);
    fprintf(f, "figdir = '%s/'\n", plot_gp_str(nm->dir_abs, false, dir, sizeof dir));
    fputs("if (strlen(ARG0) > 0) {\n"
          "    _slash = 0\n"
          "    do for [_k = 1:strlen(ARG0)] { if (ARG0[_k:_k] eq '/') { _slash = _k } }\n"
          "    figdir = (_slash > 0) ? ARG0[1:_slash] : './'\n"
          "}\n"
          "cd figdir\n", f);
    fprintf(f, "datafile = GPVAL_PWD . '/%s'\n", plot_gp_str(nm->data, false, data, sizeof data));
    fputs("if (exists('outdir')) cd outdir\n\n", f);
}

/* The figure is laid out for a 3.5 in column at 8 pt: the PDF and the
 * TeX figure at that size, the PNG as the same figure at 200 dpi (so its
 * text keeps its proportions), the SVG at 96 px per inch. */
static void script_terminal(FILE *f, const struct plot_names *nm, double height_in)
{
    /* annotations (lane, step and event texts) a size below the text */
    static const char *const small[] = {
        [FMT_PDF] = ",7", [FMT_PNG] = ",14.6", [FMT_SVG] = ",7", [FMT_TEX] = ",7",
    };
    char term[256], out[PLOT_PATH_MAX * 2];
    double h = height_in > 0 ? height_in : PLOT_HEIGHT_IN;
    switch (nm->fmt) {
    case FMT_PDF:
        plot_fmt(term, sizeof term, "pdfcairo enhanced color font 'Sans,8' size %gin,%.4gin"
                 " linewidth 1", PLOT_WIDTH_IN, h);
        break;
    case FMT_PNG: /* 200 dpi */
        plot_fmt(term, sizeof term, "pngcairo enhanced color font 'Sans,16.7' size %d,%d"
                 " linewidth 2", (int)lround(PLOT_WIDTH_IN * 200), (int)lround(h * 200));
        break;
    case FMT_SVG: /* 96 px per inch */
        plot_fmt(term, sizeof term, "svg enhanced font 'Sans,8' size %d,%d linewidth 1"
                 " background '#ffffff'", (int)lround(PLOT_WIDTH_IN * 96), (int)lround(h * 96));
        break;
    case FMT_TEX: /* text typeset by LaTeX, lines in a PDF: works with pdflatex */
        plot_fmt(term, sizeof term, "cairolatex pdf input color size %gin,%.4gin linewidth 1",
                 PLOT_WIDTH_IN, h);
        break;
    }
    fprintf(f, "# ---- terminal ----\nset encoding utf8\nset terminal %s\nset output '%s'\n"
               "smallfont = '%s'\n\n",
            term, plot_gp_str(nm->figure, false, out, sizeof out), small[nm->fmt]);
}

static void script_style(FILE *f, const struct plot_data *pd, const struct plot_request *rq,
                         bool tex)
{
    /* Okabe & Ito colours (distinguishable with colour-blindness) of
     * different lightness, each with its own dash pattern and point type,
     * so that lines stay apart printed in grey */
    static const char *const colour[] = { "#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                          "#e69f00", "#56b4e9", "#000000", "#999999" };
    static const int point[] = { 7, 5, 9, 13, 11, 4, 6, 8 };
    static const char *const dash[] = { "solid", "(6,3)", "(2,2)", "(8,3,2,3)",
                                        "(1,2)", "(12,4)", "(4,2,1,2,1,2)", "(12,3,3,3)" };
    fputs("# ---- style ----\n", f);
    for (int i = 0; i < 8; i++)
        fprintf(f, "set linetype %d lc rgb '%s' lw 1.5 pt %d ps 0.7 dt %s\n", i + 1,
                colour[i], point[i], dash[i]);
    fputs("set linetype cycle 8\n"
          "set border 3 back lw 0.8\n"
          "set tics nomirror out scale 0.6\n"
          "set grid back lw 0.6 lc rgb '#d4d4d4'\n", f);
    if (pd->y2label[0])
        fputs("set border 11 back lw 0.8\n", f);
    /* the key goes above the plotting area, never over the data */
    bool single = pd->nlines == 1 && !pd->bars_note[0] &&
                  !(rq->kind == PLOT_SWEEP && rq->series_param);
    if (single)
        fputs("unset key\n", f);
    else
        fputs("set key outside top center horizontal Left reverse samplen 2.5 width 1"
              " noenhanced\n", f);
    char t[1024];
    if (rq->title)
        fprintf(f, "set title '%s' noenhanced\n", plot_gp_str(rq->title, tex, t, sizeof t));
    fputc('\n', f);
}

/* The decade at or below v, so a log axis starts on a labelled tic. */
static double decade_below(double v)
{
    return pow(10, floor(log10(v)));
}

static void put_range(FILE *f, const char *axis, double lo, double hi)
{
    if (isnan(lo) && isnan(hi))
        return;
    fprintf(f, "set %srange [", axis);
    fprintf(f, isnan(lo) ? "*" : "%.10g", lo);
    fputc(':', f);
    fprintf(f, isnan(hi) ? "*" : "%.10g", hi);
    fputs("]\n", f);
}

/* With a band of labels above the series, the tics (and the grid) stop
 * at the top of the data: the band has no scale. */
static void band_tics(FILE *f, const char *axis, double hi, double data_top, bool mirror)
{
    double top = hi * data_top;
    if (isnan(hi) || !(top > 0) || data_top >= 1)
        return;
    fprintf(f, "set %stics 0, %.10g, %.10g%s\n", axis, plot_nice_step(top), top * (1 + 1e-9),
            mirror ? "" : " nomirror out scale 0.6");
}

static void script_axes(FILE *f, const struct plot_data *pd, const struct plot_request *rq,
                        bool tex)
{
    char buf[1024];
    /* enhanced text only here: names keep their underscores (noenhanced) */
    const char *logfmt = tex ? "$10^{%L}$" : "10^{%L}";
    fputs("# ---- axes (their units are in the labels) ----\n", f);
    fprintf(f, "set xlabel '%s' noenhanced\n", plot_gp_str(pd->xlabel, tex, buf, sizeof buf));
    fprintf(f, "set ylabel '%s' noenhanced\n", plot_gp_str(pd->ylabel, tex, buf, sizeof buf));
    if (pd->y2label[0])
        fprintf(f, "set y2label '%s' noenhanced\nset y2tics nomirror out scale 0.6\n",
                plot_gp_str(pd->y2label, tex, buf, sizeof buf));
    if (pd->logx)
        fprintf(f, "set logscale x 10\nset format x '%s'\n", logfmt);
    if (pd->logx && pd->xmin_pos > 0 && rq->kind == PLOT_CDF)
        fprintf(f, "set xrange [%.10g:*]\n", decade_below(pd->xmin_pos));
    else
        put_range(f, "x", pd->xlo, pd->xhi);
    if (pd->logy)
        fprintf(f, "set logscale y 10\nset format y '%s'\n", logfmt);
    put_range(f, "y", pd->ylo, pd->yhi);
    put_range(f, "y2", pd->y2lo, pd->y2hi);
    band_tics(f, "y", pd->yhi, pd->data_top, true);
    if (pd->y2label[0])
        band_tics(f, "y2", pd->y2hi, pd->data_top, false);
    if (pd->categorical_x)
        fputs("set xtics rotate by 30 right noenhanced\n", f);
    fputc('\n', f);
}

/* ---- a timeline's lanes, markers and keys (laid out by plot_lanes.c) ---- */

/* Where the plotting area lies: fixed, so that the lanes, markers and keys
 * go where plot_lanes.c put them. The .gp says so for whoever edits it. */
static void script_margins(FILE *f, const struct plot_data *pd)
{
    const struct plot_timeline *tl = &pd->tl;
    fputs("# ---- layout (plot_lanes.c): the plotting area lies between the screen heights\n"
          "# below; in it the data lie below graph height data_top, the lanes and event\n"
          "# numbers above. Texts were placed for an annotation character char_w x units\n"
          "# wide (key_char_w of the figure's width below the axis), estimates that err\n"
          "# wide: a much narrower figure or larger font may need them moved.\n", f);
    fprintf(f, "# layout: height_in=%.4g data_top=%.4f char_w=%.10g key_char_w=%.4f"
               " graph_top=%.4f graph_bottom=%.4f\n",
            tl->height_in, pd->data_top, tl->char_w, PLOT_KEY_CHAR_W, tl->graph_top,
            tl->graph_bottom);
    fprintf(f, "set tmargin at screen %.4f\nset bmargin at screen %.4f\n\n", tl->graph_top,
            tl->graph_bottom);
}

static void put_label(FILE *f, const char *text, double x, const char *y, const char *align,
                      bool tex)
{
    char buf[1024];
    fprintf(f, "set label '%s' at %.10g, %s %s font smallfont noenhanced front\n",
            plot_gp_str(text, tex, buf, sizeof buf), x, y, align);
}

/* A lane: its component's name in the header row, the mechanism's
 * outline, its steps in alternating greys, each labelled; a light shade
 * of the mechanism behind the series. Grey, so that print keeps it. */
static void script_lanes(FILE *f, const struct plot_data *pd, bool tex)
{
    static const char *const fill[] = { "#d9d9d9", "#a6a6a6" };
    const struct plot_timeline *tl = &pd->tl;
    const double pad = 0.12 * tl->bar_h;
    char y[64];
    if (tl->nlanes)
        fputs("# ---- lanes: one per mechanism component; the mechanism (KIND_start ..\n"
              "# KIND_end) outlined, its steps as segments labelled with their name or\n"
              "# their key (explained below the figure) ----\n", f);
    for (size_t l = 0; l < tl->nlanes; l++) {
        const struct plot_lane *ln = &tl->lanes[l];
        bool outlined = false; /* else its steps shade the data */
        for (size_t i = 0; i < pd->nphases; i++)
            outlined = outlined || (pd->phases[i].lane == l && pd->phases[i].outline);
        plot_fmt(y, sizeof y, "graph %.4f", ln->y_header);
        if (ln->name_right)
            put_label(f, ln->component, tl->to - PLOT_LANE_INDENT * tl->char_w, y, "right", tex);
        else
            put_label(f, ln->component, tl->from + PLOT_LANE_INDENT * tl->char_w, y, "left",
                      tex);
        for (size_t i = 0; i < tl->ntags; i++)
            if (tl->tags[i].lane == l)
                put_label(f, tl->tags[i].text, tl->tags[i].x, y, "center", tex);
        for (size_t i = 0; i < pd->nphases; i++) {
            const struct plot_phase *p = &pd->phases[i];
            if (p->lane != l)
                continue;
            double top = ln->y_top - p->sub * tl->bar_h, bottom = top - tl->bar_h;
            if (p->outline) {
                bottom = ln->y_top - ln->subrows * tl->bar_h;
                fprintf(f, "set object rect from %.10g, graph %.4f to %.10g, graph %.4f"
                           " fs empty border lc rgb '#000000' lw 1.2 front\n",
                        p->t0, bottom + pad / 2, p->t1, top - pad / 2);
            }
            if (p->outline || !outlined)
                fprintf(f, "set object rect from %.10g, graph 0 to %.10g, graph %.4f"
                           " fc rgb '#000000' fs transparent solid 0.06 noborder behind\n",
                        p->t0, p->t1, pd->data_top);
            if (p->outline)
                continue;
            fprintf(f, "set object rect from %.10g, graph %.4f to %.10g, graph %.4f fc rgb"
                       " '%s' fs solid 1 border lc rgb '#555555' lw 0.5 front\n",
                    p->t0, bottom + pad, p->t1, top - pad, fill[p->shade]);
            if (p->at == LABEL_INSIDE) {
                plot_fmt(y, sizeof y, "graph %.4f", (top + bottom) / 2);
                put_label(f, p->label, p->label_x, y, "center", tex);
            }
        }
    }
    if (tl->nlanes)
        fputc('\n', f);
}

/* Point events: a dashed line from the axis up to the row of numbers. */
static void script_markers(FILE *f, const struct plot_data *pd, bool tex)
{
    const struct plot_timeline *tl = &pd->tl;
    char y[64];
    if (!pd->nmarks)
        return;
    fprintf(f, "# ---- point events: a dashed line each, numbered as in the key below;"
               " all %zu of them (the key lists %zu):\n", pd->nmarks, tl->events_listed);
    for (size_t i = 0; i < pd->nmarks; i++) {
        const struct plot_mark *m = &pd->marks[i];
        char *row = plot_strf("%zu  t=%.10g  %s  %s  %s", i + 1, m->t, m->component, m->kind,
                              m->detail); /* comment() keeps control characters out */
        comment(f, "  ", row ? row : "");
        free(row);
    }
    double top = tl->marker_y - 0.4 * tl->bar_h;
    for (size_t i = 0; i < pd->nmarks; i++)
        fprintf(f, "set arrow from %.10g, graph 0 to %.10g, graph %.4f nohead"
                   " lc rgb '#555555' lw 0.8 dt 2 front\n", pd->marks[i].t, pd->marks[i].t, top);
    plot_fmt(y, sizeof y, "graph %.4f", tl->marker_y);
    for (size_t i = 0; i < tl->nmarkers; i++)
        put_label(f, tl->markers[i].text, tl->markers[i].x, y, "center", tex);
    fputc('\n', f);
}

/* The step key and the event key, below the x axis. */
static void script_keys(FILE *f, const struct plot_data *pd, bool tex)
{
    const struct plot_timeline *tl = &pd->tl;
    char buf[1024];
    if (!tl->nkey_lines)
        return;
    fputs("# ---- keys: steps labelled by a letter, then the point events ----\n", f);
    for (size_t i = 0; i < tl->nkey_lines; i++)
        fprintf(f, "set label '%s' at screen 0.02, screen %.4f left font smallfont"
                   " noenhanced front\n",
                plot_gp_str(tl->key_lines[i], tex, buf, sizeof buf), tl->key_y[i]);
    fputc('\n', f);
}

static void plot_one(FILE *f, const struct plot_data *pd, const struct plot_request *rq,
                     size_t i, bool tex)
{
    char t[1024];
    const char *title = plot_gp_str(pd->lines[i].label, tex, t, sizeof t);
    int ls = (int)(i % 8) + 1;
    fprintf(f, "%s datafile index %zu ", i ? ", \\\n    " : "plot", i);
    switch (rq->kind) {
    case PLOT_CDF:
        fprintf(f, "using 1:%s with lines ls %d title '%s'",
                rq->ccdf ? "($3 > 0 ? $3 : NaN)" : "2", ls, title);
        break;
    case PLOT_SWEEP:
        if (pd->lines[i].model) {
            /* the k-th curve takes the k-th line's colour: its points */
            size_t k = 0;
            for (size_t j = 0; j < i; j++)
                k += pd->lines[j].model;
            fprintf(f, "using 1:2 with lines ls %d dt 2 title '%s'", (int)(k % 8) + 1, title);
            break;
        }
        /* bars only where column 6 holds one: a point with an undefined
         * half-width would still draw a stray bar end */
        fprintf(f, "using 1:2%s with linespoints ls %d title '%s', \\\n"
                   "    datafile index %zu using 1:($6 == $6 ? $2 : NaN):6"
                   " with yerrorbars ls %d dt solid notitle",
                pd->categorical_x ? ":xtic(7)" : "", ls, title, i, ls);
        break;
    case PLOT_TIMELINE:
        fprintf(f, "using 1:2 with lines ls %d axes x1y%d title '%s'", ls,
                pd->lines[i].axis, title);
        break;
    }
}

int plot_write_script(FILE *f, const struct plot_request *rq, const struct plot_data *pd,
                      const struct plot_names *nm, const struct plot_provenance *pv)
{
    bool tex = nm->fmt == FMT_TEX;
    script_header(f, pd, nm, pv);
    script_locations(f, nm);
    script_terminal(f, nm, rq->kind == PLOT_TIMELINE ? pd->tl.height_in : 0);
    script_style(f, pd, rq, tex);
    script_axes(f, pd, rq, tex);
    if (rq->kind == PLOT_TIMELINE) {
        script_margins(f, pd);
        script_lanes(f, pd, tex);
        script_markers(f, pd, tex);
        script_keys(f, pd, tex);
    }
    fputs("# ---- data ----\n", f);
    for (size_t i = 0; i < pd->nlines; i++)
        plot_one(f, pd, rq, i, tex);
    if (pd->bars_note[0]) {
        char t[512];
        /* a key entry for the bars alone: a data column that plots nothing */
        fprintf(f, ", \\\n    datafile index 0 using (NaN):(NaN):(NaN) with yerrorbars"
                   " lc rgb '#000000' lw 1 dt solid pt -1 title '%s'",
                plot_gp_str(pd->bars_note, tex, t, sizeof t));
    }
    /* closing the output flushes the file before gnuplot exits */
    fputs("\nset output\n", f);
    return ferror(f) ? -1 : 0;
}
