/* tests/unit/test_plot.c — the pure parts of `lparsim plot`
 * (cli/plot_internal.h): ordering parameter values written with units,
 * display units, run lists, gnuplot/LaTeX string escaping, and the
 * provenance embedded into PDF, PNG, SVG and TeX files, checked on small
 * hand-made files against independent parsers written here (PNG CRC
 * computed bit by bit, PDF offsets followed by hand). The end-to-end
 * figures are tested by tests/scenario/plot.sh. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/plot_internal.h"

static char tmpdir[1024];

static void make_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/lparsim-plot-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir))
        ck_abort_msg("mkdtemp %s failed", tmpdir);
}

static void remove_tmpdir(void)
{
    static const char *const names[] = { "f.pdf", "f.png", "f.svg", "f.tex", "g.pdf" };
    char path[1100];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

static char *tmp_path(const char *name)
{
    static char path[1100];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *buf = malloc(1 << 20);
    *n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    buf[*n] = '\0';
    return buf;
}

/* ---- values and units ---- */

START_TEST(times_sort_by_value_not_text)
{
    const char *texts[] = { "100us", "10us", "1ms", "0" };
    double nums[4];
    enum param_type t;
    ck_assert(plot_values_numeric(texts, 4, nums, &t));
    ck_assert_int_eq(t, PARAM_TIME);
    ck_assert_double_eq(nums[0], 100e6); /* picoseconds */
    ck_assert_double_eq(nums[1], 10e6);
    ck_assert_double_eq(nums[2], 1e9);
    ck_assert_double_eq(nums[3], 0);
}
END_TEST

START_TEST(plain_rates_and_text)
{
    const char *plain[] = { "0", "4", "16" }, *rates[] = { "50k/s", "1M/s" },
               *text[] = { "native", "systemc" }, *mixed[] = { "10us", "4KiB" };
    double nums[3];
    enum param_type t;
    ck_assert(plot_values_numeric(plain, 3, nums, &t));
    ck_assert_int_eq(t, PARAM_U64); /* a bare 0 does not make them times */
    ck_assert(plot_values_numeric(rates, 2, nums, &t));
    ck_assert_int_eq(t, PARAM_RATE);
    ck_assert_double_eq(nums[0], 50e3);
    ck_assert_double_eq(nums[1], 1e6);
    ck_assert(!plot_values_numeric(text, 2, nums, &t));
    ck_assert(!plot_values_numeric(mixed, 2, nums, &t)); /* no one unit type */
}
END_TEST

START_TEST(display_units)
{
    double div;
    const char *sym, *pretty;
    plot_display_unit(PARAM_TIME, 2e9, &div, &sym, &pretty);
    ck_assert_str_eq(sym, "ms");
    ck_assert_double_eq(div, 1e9);
    plot_display_unit(PARAM_TIME, 8e6, &div, &sym, &pretty);
    ck_assert_str_eq(sym, "us");
    ck_assert_str_eq(pretty, "\xc2\xb5s");
    plot_display_unit(PARAM_TIME, 999, &div, &sym, NULL);
    ck_assert_str_eq(sym, "ps");
    plot_display_unit(PARAM_SIZE, 65536, &div, &sym, NULL);
    ck_assert_str_eq(sym, "KiB");
    plot_display_unit(PARAM_RATE, 70e3, &div, &sym, NULL);
    ck_assert_str_eq(sym, "k/s");
    plot_display_unit(PARAM_U64, 512, &div, &sym, NULL); /* cache entries stay plain */
    ck_assert_str_eq(sym, "");
    ck_assert_double_eq(div, 1);
    plot_display_unit(PARAM_U64, 5e6, &div, &sym, NULL); /* four digits: 5000 k */
    ck_assert_str_eq(sym, "k");
    plot_display_unit(PARAM_U64, 2e7, &div, &sym, NULL);
    ck_assert_str_eq(sym, "M");
    ck_assert_double_eq(div, 1e6);
}
END_TEST

START_TEST(ranges_and_resolution)
{
    double a, b;
    plot_pad_range(8, 512, false, &a, &b); /* cache entries: never below zero */
    ck_assert_double_eq(a, 0);
    ck_assert_double_eq_tol(b, 537.2, 1e-9);
    plot_pad_range(-5, 5, false, &a, &b); /* data below zero keep their padding */
    ck_assert_double_eq_tol(a, -5.5, 1e-12);
    plot_pad_range(8, 512, true, &a, &b);
    ck_assert(a > 0 && a < 8 && b > 512);
    /* 100000 lies in [65536, 131072): buckets of 1024, half 512 */
    ck_assert_double_eq(plot_bucket_half_width(100000), 512);
    ck_assert_double_eq(plot_bucket_half_width(65536), 512);
    ck_assert_double_eq(plot_bucket_half_width(65535.9), 256);
    ck_assert_double_eq(plot_bucket_half_width(0), 0);
}
END_TEST

/* ---- a timeline's lanes, markers and keys (plot_lanes.c) ---- */

/* Phases as mechanisms write them: <mech>_start/_end around the steps. */
static void add_mechanism(struct plot_data *pd, const char *comp, const char *mech, double t0,
                          const char *const *steps, const double *ends)
{
    char kind[128];
    double t = t0, end = t0;
    for (size_t i = 0; steps[i]; i++)
        end = ends[i];
    ck_assert_int_eq(plot_phase_add(pd, t0, end, comp, mech), 0);
    for (size_t i = 0; steps[i]; i++) {
        snprintf(kind, sizeof kind, "%s_%s", mech, steps[i]);
        ck_assert_int_eq(plot_phase_add(pd, t, ends[i], comp, kind), 0);
        t = ends[i];
    }
}

struct box {
    double y, x0, x1;
    const char *text;
};

static size_t box_add(struct box *b, size_t n, double y, double x, int align, const char *text,
                      double cw)
{
    double w = (double)plot_text_chars(text) * cw;
    double x0 = align < 0 ? x : align > 0 ? x - w : x - w / 2;
    b[n] = (struct box){ y, x0, x0 + w, text };
    return n + 1;
}

/* Every text of the band as the .gp draws it; asserts that none overlaps
 * another of its row (with half a character to spare), that each lies in
 * the x range and above the data, and that a step's label lies inside its
 * segment. Returns how many texts there are. */
static size_t check_no_overlap(const struct plot_data *pd)
{
    const struct plot_timeline *tl = &pd->tl;
    size_t cap = 2 * (pd->nphases + tl->nlanes + tl->ntags + tl->nmarkers) + 1, n = 0;
    struct box *b = calloc(cap, sizeof *b);
    double cw = tl->char_w;
    for (size_t l = 0; l < tl->nlanes; l++) {
        const struct plot_lane *ln = &tl->lanes[l];
        double x = ln->name_right ? tl->to - PLOT_LANE_INDENT * cw
                                  : tl->from + PLOT_LANE_INDENT * cw;
        n = box_add(b, n, ln->y_header, x, ln->name_right ? 1 : -1, ln->component, cw);
    }
    for (size_t i = 0; i < tl->ntags; i++)
        n = box_add(b, n, tl->lanes[tl->tags[i].lane].y_header, tl->tags[i].x, 0,
                    tl->tags[i].text, cw);
    for (size_t i = 0; i < tl->nmarkers; i++)
        n = box_add(b, n, tl->marker_y, tl->markers[i].x, 0, tl->markers[i].text, cw);
    for (size_t i = 0; i < pd->nphases; i++) {
        const struct plot_phase *p = &pd->phases[i];
        if (p->at != LABEL_INSIDE)
            continue;
        double y = tl->lanes[p->lane].y_top - (p->sub + 0.5) * tl->bar_h;
        n = box_add(b, n, y, p->label_x, 0, p->label, cw);
        ck_assert_msg(b[n - 1].x0 >= p->t0 && b[n - 1].x1 <= p->t1,
                      "label '%s' [%g, %g] outside its step [%g, %g]", p->label, b[n - 1].x0,
                      b[n - 1].x1, p->t0, p->t1);
    }
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(b[i].x0 >= tl->from - 1e-9 && b[i].x1 <= tl->to + 1e-9,
                      "'%s' [%g, %g] outside [%g, %g]", b[i].text, b[i].x0, b[i].x1, tl->from,
                      tl->to);
        ck_assert_msg(b[i].y > pd->data_top, "'%s' over the data", b[i].text);
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(fabs(b[i].y - b[j].y) > 1e-9 || b[i].x1 + cw / 2 <= b[j].x0 ||
                              b[j].x1 + cw / 2 <= b[i].x0,
                          "'%s' [%g, %g] overlaps '%s' [%g, %g]", b[i].text, b[i].x0, b[i].x1,
                          b[j].text, b[j].x0, b[j].x1);
    }
    free(b);
    return n;
}

static const struct plot_lane *lane_of(const struct plot_data *pd, const char *comp)
{
    for (size_t l = 0; l < pd->tl.nlanes; l++)
        if (strcmp(pd->tl.lanes[l].component, comp) == 0)
            return &pd->tl.lanes[l];
    ck_abort_msg("no lane %s", comp);
    return NULL;
}

static const struct plot_phase *phase_of(const struct plot_data *pd, const char *comp,
                                         const char *kind)
{
    for (size_t i = 0; i < pd->nphases; i++)
        if (!strcmp(pd->phases[i].component, comp) && !strcmp(pd->phases[i].kind, kind))
            return &pd->phases[i];
    ck_abort_msg("no phase %s %s", comp, kind);
    return NULL;
}

static bool has_key_line(const struct plot_data *pd, const char *line)
{
    for (size_t i = 0; i < pd->tl.nkey_lines; i++)
        if (strstr(pd->tl.key_lines[i], line))
            return true;
    return false;
}

/* Three mechanisms of three components at once (what used to stack by
 * depth and collide): a lane each, in order of their first phase; the
 * mechanism is the outline, its steps are named without its prefix. */
START_TEST(lanes_per_component)
{
    struct plot_data pd = { 0 };
    static const char *const eeh[] = { "error_detected", "reset", "reinit", "resume", NULL };
    static const double eeh_t[] = { 11.00001, 13.05, 13.55, 13.55001 };
    static const char *const sw[] = { "prepare", "stop_source", "remap", NULL };
    static const double sw_t[] = { 3.5, 3.6, 3.6001 };
    static const char *const fo[] = { "detect", "release", NULL };
    static const double fo_t[] = { 12, 14 };
    ck_assert_int_eq(plot_phase_add(&pd, 1, 11, "eeh.s0.nvme0.vf0", "eeh_detect"), 0);
    add_mechanism(&pd, "eeh.s0.nvme0.vf0", "eeh", 11, eeh, eeh_t);
    add_mechanism(&pd, "switch.db1", "switch", 3, sw, sw_t);
    add_mechanism(&pd, "failover.web1", "failover", 11.5, fo, fo_t);
    ck_assert_int_eq(plot_lanes_layout(&pd, 0, 20, false), 0);
    ck_assert_uint_eq(pd.tl.nlanes, 3);
    ck_assert_str_eq(pd.tl.lanes[0].component, "eeh.s0.nvme0.vf0");
    ck_assert_str_eq(pd.tl.lanes[1].component, "switch.db1");
    ck_assert_str_eq(pd.tl.lanes[2].component, "failover.web1");
    for (size_t i = 0; i < pd.nphases; i++)
        ck_assert_str_eq(pd.tl.lanes[pd.phases[i].lane].component, pd.phases[i].component);
    ck_assert(phase_of(&pd, "eeh.s0.nvme0.vf0", "eeh")->outline);
    ck_assert(phase_of(&pd, "switch.db1", "switch")->outline);
    ck_assert(!phase_of(&pd, "eeh.s0.nvme0.vf0", "eeh_detect")->outline);
    ck_assert_str_eq(phase_of(&pd, "eeh.s0.nvme0.vf0", "eeh_detect")->step, "detect");
    ck_assert_str_eq(phase_of(&pd, "eeh.s0.nvme0.vf0", "eeh_reset")->step, "reset");
    ck_assert_str_eq(phase_of(&pd, "switch.db1", "switch_stop_source")->step, "stop_source");
    /* wide steps carry their name; consecutive steps alternate their grey */
    const struct plot_phase *detect = phase_of(&pd, "eeh.s0.nvme0.vf0", "eeh_detect");
    ck_assert_int_eq(detect->at, LABEL_INSIDE);
    ck_assert_str_eq(detect->label, "detect");
    ck_assert_int_ne(phase_of(&pd, "eeh.s0.nvme0.vf0", "eeh_error_detected")->shade,
                     phase_of(&pd, "eeh.s0.nvme0.vf0", "eeh_reset")->shade);
    /* one bar row each: the steps follow each other; lanes top to bottom */
    ck_assert_int_eq(lane_of(&pd, "switch.db1")->subrows, 1);
    ck_assert(pd.tl.lanes[0].y_top > pd.tl.lanes[1].y_top);
    ck_assert(pd.tl.lanes[1].y_top > pd.tl.lanes[2].y_top);
    check_no_overlap(&pd);
    plot_data_free(&pd);
}
END_TEST

/* Steps too short for their name get a key, inside the segment or in the
 * header over it; each key is explained once below the figure; a step
 * name two mechanisms share is told apart by its mechanism. */
START_TEST(step_keys)
{
    struct plot_data pd = { 0 };
    static const char *const sw[] = { "prepare", "stop_source", "remap", "reroute", "replay",
                                      "release", NULL };
    static const double sw_t[] = { 1000.435, 1000.535, 1000.537, 1000.647, 1000.648, 1000.844 };
    static const double sw2_t[] = { 3000.435, 3000.535, 3000.537, 3000.647, 3000.648,
                                    3000.844 };
    static const char *const eeh[] = { "reset", "reinit", NULL };
    static const double eeh_t[] = { 2500, 4000 };
    static const char *const fo[] = { "reset", NULL };
    static const double fo_t[] = { 4000.001 };
    add_mechanism(&pd, "switch.db1", "switch", 1000, sw, sw_t);
    add_mechanism(&pd, "switch.db1", "switch", 3000, sw, sw2_t);
    add_mechanism(&pd, "eeh.s0.nvme0.vf0", "eeh", 2000, eeh, eeh_t);
    add_mechanism(&pd, "failover.web1", "failover", 4000, fo, fo_t);
    ck_assert_int_eq(plot_lanes_layout(&pd, 0, 5000, false), 0);
    /* the switch's six steps, twice, under one key each */
    ck_assert_uint_eq(pd.tl.nkeys, 6 + 2);
    ck_assert(has_key_line(&pd, "a: prepare   b: stop_source"));
    ck_assert(has_key_line(&pd, "g: eeh_reset   h: failover_reset"));
    ck_assert_str_eq(phase_of(&pd, "eeh.s0.nvme0.vf0", "eeh_reinit")->label, "reinit");
    /* sub-pixel steps: one header tag over each switch, "a–f" */
    size_t sw_tags = 0;
    for (size_t i = 0; i < pd.tl.ntags; i++)
        if (strcmp(pd.tl.lanes[pd.tl.tags[i].lane].component, "switch.db1") == 0) {
            ck_assert_str_eq(pd.tl.tags[i].text, "a–f");
            sw_tags++;
        }
    ck_assert_uint_eq(sw_tags, 2);
    ck_assert_uint_eq(pd.tl.unlabelled, 0);
    check_no_overlap(&pd);
    /* zoomed on the first switch: every step by name or by its key inside */
    plot_data_free(&pd);
    memset(&pd, 0, sizeof pd);
    add_mechanism(&pd, "switch.db1", "switch", 1000, sw, sw_t);
    for (size_t i = 0; i < pd.nphases; i++) /* as plot_timeline.c clips them */
        pd.phases[i].t0 = pd.phases[i].t0 < 999.9 ? 999.9 : pd.phases[i].t0;
    ck_assert_int_eq(plot_lanes_layout(&pd, 999.9, 1001, false), 0);
    ck_assert_str_eq(phase_of(&pd, "switch.db1", "switch_prepare")->label, "prepare");
    ck_assert_str_eq(phase_of(&pd, "switch.db1", "switch_release")->label, "release");
    for (size_t i = 0; i < pd.nphases; i++)
        ck_assert(pd.phases[i].outline || pd.phases[i].at != LABEL_NONE);
    ck_assert(check_no_overlap(&pd) >= 5);
    plot_data_free(&pd);
}
END_TEST

/* Steps that overlap get bar rows of their own; many tiny steps and a
 * lane name in their way never overlap; whatever finds no room is counted
 * and the key says to zoom. */
START_TEST(crowded_lanes)
{
    struct plot_data pd = { 0 };
    char kind[32];
    ck_assert_int_eq(plot_phase_add(&pd, 0, 100, "lpm.db1", "lpm"), 0);
    for (int i = 0; i < 60; i++) {
        snprintf(kind, sizeof kind, "lpm_round%d", i);
        ck_assert_int_eq(plot_phase_add(&pd, i * 1.5, i * 1.5 + 1, "lpm.db1", kind), 0);
    }
    ck_assert_int_eq(plot_phase_add(&pd, 10, 60, "lpm.db1", "lpm_precopy"), 0);
    ck_assert_int_eq(plot_phase_add(&pd, 40, 90, "lpm.db1", "lpm_dirty"), 0);
    ck_assert_int_eq(plot_lanes_layout(&pd, 0, 100, false), 0);
    ck_assert_uint_eq(pd.tl.nlanes, 1);
    ck_assert_int_eq(pd.tl.lanes[0].subrows, 3);
    ck_assert_int_ne(phase_of(&pd, "lpm.db1", "lpm_precopy")->sub,
                     phase_of(&pd, "lpm.db1", "lpm_dirty")->sub);
    check_no_overlap(&pd);
    size_t drawn = 0;
    for (size_t i = 0; i < pd.nphases; i++)
        drawn += pd.phases[i].at != LABEL_NONE;
    ck_assert_uint_eq(drawn + pd.tl.unlabelled, pd.nphases - 1);
    if (pd.tl.unlabelled)
        ck_assert(has_key_line(&pd, "too short to label here: zoom with --from --to"));
    plot_data_free(&pd);
}
END_TEST

/* Point events: numbered in time order; events at one spot share a
 * number "1–5"; numbers never overlap; the key says "n: kind (component)
 * — detail", cut at PLOT_KEY_CHARS, and lists at most PLOT_KEY_EVENTS. */
START_TEST(event_markers_and_key)
{
    struct plot_data pd = { 0 };
    ck_assert_int_eq(plot_mark_add(&pd, 1, "s0.nvme0", "adapter_failed", "every function stops"
                                   " answering and then some more words to cut"), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(plot_mark_add(&pd, 1, "timeline", "fail", "target s0.nvme0"), 0);
    ck_assert_int_eq(plot_mark_add(&pd, 1.1, "s0.nvme1.phb", "eeh_freeze", "PE 0"), 0);
    ck_assert_int_eq(plot_mark_add(&pd, 14, "s0.nvme0", "adapter_repaired", ""), 0);
    ck_assert_int_eq(plot_lanes_layout(&pd, 0, 20, false), 0);
    ck_assert_uint_eq(pd.tl.nmarkers, 2);
    ck_assert_str_eq(pd.tl.markers[0].text, "1–6");
    ck_assert_str_eq(pd.tl.markers[1].text, "7");
    ck_assert_double_eq_tol(pd.tl.markers[1].x, 14, 1e-9);
    check_no_overlap(&pd);
    ck_assert_uint_eq(pd.tl.nkey_lines, 7);
    char *first = pd.tl.key_lines[0];
    ck_assert_uint_eq(plot_text_chars(first), PLOT_KEY_CHARS);
    ck_assert_int_eq(strncmp(first, "1: adapter_failed (s0.nvme0) — every function", 47), 0);
    ck_assert_str_eq(first + strlen(first) - 3, "…");
    ck_assert_str_eq(pd.tl.key_lines[1], "2: fail — target s0.nvme0");
    ck_assert_str_eq(pd.tl.key_lines[6], "7: adapter_repaired (s0.nvme0)");
    plot_data_free(&pd);
    /* more events than the key lists */
    memset(&pd, 0, sizeof pd);
    for (int i = 0; i < 30; i++)
        ck_assert_int_eq(plot_mark_add(&pd, i * 3, "lpar.db1", "lpar_state", "x"), 0);
    ck_assert_int_eq(plot_lanes_layout(&pd, 0, 100, false), 0);
    ck_assert_uint_eq(pd.tl.nkey_lines, PLOT_KEY_EVENTS);
    ck_assert_uint_eq(pd.tl.events_listed, PLOT_KEY_EVENTS - 1);
    ck_assert_str_eq(pd.tl.key_lines[PLOT_KEY_EVENTS - 1],
                     "12–30: 19 more events, listed in the .gp and the .dat");
    check_no_overlap(&pd);
    plot_data_free(&pd);
}
END_TEST

/* Lanes and keys add height; the data keep their share of the plotting
 * area; the keys lie below the x axis, one under the other. */
START_TEST(heights)
{
    struct plot_data pd = { 0 };
    ck_assert_int_eq(plot_lanes_layout(&pd, 0, 10, false), 0);
    double bare = pd.tl.height_in, bare_graph = pd.tl.graph_top - pd.tl.graph_bottom;
    ck_assert_double_le(fabs(bare - PLOT_HEIGHT_IN), 0.2); /* a paper column's figure */
    ck_assert_double_gt(pd.data_top, 0.9);
    char comp[32];
    for (int l = 0; l < 12; l++) {
        snprintf(comp, sizeof comp, "eeh.s0.a%d.vf0", l);
        ck_assert_int_eq(plot_phase_add(&pd, l, l + 0.5, comp, "eeh_reset"), 0);
        ck_assert_int_eq(plot_mark_add(&pd, l + 0.2, comp, "eeh_freeze", ""), 0);
    }
    ck_assert_int_eq(plot_lanes_layout(&pd, 0, 20, true), 0);
    ck_assert_uint_eq(pd.tl.nlanes, 12);
    ck_assert_double_ge(pd.data_top, PLOT_DATA_SHARE - 1e-9);
    /* the data's own height never shrinks */
    double graph_in = (pd.tl.graph_top - pd.tl.graph_bottom) * pd.tl.height_in;
    ck_assert_double_ge(pd.data_top * graph_in, 0.9 * bare_graph * bare);
    ck_assert_double_gt(pd.tl.height_in, bare + 12 * 0.2);
    ck_assert_uint_eq(pd.tl.nkey_lines, 1 + 12); /* "a: reset", the 12 events */
    for (size_t i = 0; i < pd.tl.nkey_lines; i++) {
        ck_assert_double_gt(pd.tl.key_y[i], 0);
        /* below the x tic labels and the x label (0.35 in under the graph) */
        ck_assert_double_lt(pd.tl.key_y[i] * pd.tl.height_in,
                            pd.tl.graph_bottom * pd.tl.height_in - 0.35);
        if (i)
            ck_assert_double_le((pd.tl.key_y[i - 1] - pd.tl.key_y[i]) * pd.tl.height_in + 1e-9,
                                0.125 + 1e-6);
        if (i)
            ck_assert_double_ge((pd.tl.key_y[i - 1] - pd.tl.key_y[i]) * pd.tl.height_in,
                                0.11);
        ck_assert_double_le(0.02 + plot_text_chars(pd.tl.key_lines[i]) * PLOT_KEY_CHAR_W, 1);
    }
    /* lanes, marker row, then data, top to bottom, each row apart */
    for (size_t l = 1; l < pd.tl.nlanes; l++)
        ck_assert_double_lt(pd.tl.lanes[l].y_header, pd.tl.lanes[l - 1].y_top);
    ck_assert_double_lt(pd.tl.marker_y, pd.tl.lanes[11].y_top - pd.tl.bar_h);
    ck_assert_double_gt(pd.tl.marker_y, pd.data_top);
    check_no_overlap(&pd);
    plot_data_free(&pd);
}
END_TEST

START_TEST(run_lists_and_names)
{
    const int64_t ids[] = { 1, 2, 3, 5, 7, 8, 10, 11, 12, 13 };
    char buf[64];
    plot_format_runs(ids, 10, buf, sizeof buf);
    ck_assert_str_eq(buf, "1-3,5,7,8,10-13");
    plot_format_runs(ids, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "");
    ck_assert_str_eq(plot_short_name("lpars.db1.workload.rate"), "rate");
    ck_assert_str_eq(plot_short_name("duration"), "duration");
}
END_TEST

START_TEST(gnuplot_and_latex_strings)
{
    char buf[256];
    ck_assert_str_eq(plot_gp_str("it's", false, buf, sizeof buf), "it''s");
    ck_assert_str_eq(plot_gp_str("a\nb", false, buf, sizeof buf), "a b");
    ck_assert_str_eq(plot_gp_str("io_latency 50% $x", true, buf, sizeof buf),
                     "io\\_latency 50\\% \\$x");
    ck_assert_str_eq(plot_gp_str("a_b", false, buf, sizeof buf), "a_b");
}
END_TEST

/* ---- metadata ---- */

/* A minimal PDF with a classic xref table, as cairo writes one. */
static size_t make_pdf(char *buf, size_t n)
{
    int head = snprintf(buf, n, "%%PDF-1.5\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
    return (size_t)snprintf(buf + head, n - (size_t)head,
                            "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \n"
                            "trailer\n<< /Size 2\n   /Root 1 0 R\n>>\nstartxref\n%d\n%%%%EOF\n",
                            head) + (size_t)head;
}

static long number_after(const char *s, const char *key)
{
    const char *p = strstr(s, key);
    ck_assert_msg(p != NULL, "no %s", key);
    return strtol(p + strlen(key), NULL, 10);
}

START_TEST(pdf_incremental_update)
{
    char pdf[512];
    size_t n = make_pdf(pdf, sizeof pdf);
    write_file(tmp_path("f.pdf"), pdf, n);
    ck_assert(plot_embed_metadata(tmp_path("f.pdf"), FMT_PDF, "a (title)",
                                  "db sha256: abc\nruns: 1-3"));
    size_t m;
    char *out = (char *)read_file(tmp_path("f.pdf"), &m);
    ck_assert_int_eq(memcmp(out, pdf, n), 0); /* the original bytes untouched */
    const char *upd = out + n;
    /* the last startxref points at the new xref section */
    const char *last = strstr(upd, "startxref\n");
    long xref = strtol(last + 10, NULL, 10);
    ck_assert_int_eq(strncmp(out + xref, "xref\n0 1\n", 9), 0);
    /* whose entry for object 2 points at "2 0 obj" holding the Info */
    long obj = number_after(out + xref, "2 1\n");
    ck_assert_int_eq(strncmp(out + obj, "2 0 obj\n<< /Title (a \\(title\\))", 31), 0);
    ck_assert_ptr_nonnull(strstr(out + obj, "/Subject (db sha256: abc\\012runs: 1-3)"));
    ck_assert_int_eq(number_after(upd, "/Size "), 3);
    ck_assert_int_eq(number_after(upd, "/Root "), 1);
    ck_assert_int_eq(number_after(upd, "/Info "), 2);
    ck_assert_int_eq(number_after(upd, "/Prev "), number_after(pdf, "startxref\n"));
    free(out);
}
END_TEST

START_TEST(pdf_without_xref_table_is_left_alone)
{
    const char pdf[] = "%PDF-1.5\n5 0 obj\n<< /Type /XRef >>\nendobj\nstartxref\n9\n%%EOF\n";
    write_file(tmp_path("g.pdf"), pdf, sizeof pdf - 1);
    ck_assert(!plot_embed_metadata(tmp_path("g.pdf"), FMT_PDF, "t", "x"));
    size_t m;
    unsigned char *out = read_file(tmp_path("g.pdf"), &m);
    ck_assert_uint_eq(m, sizeof pdf - 1);
    ck_assert_int_eq(memcmp(out, pdf, m), 0);
    free(out);
}
END_TEST

/* CRC-32 bit by bit, independent of the table-driven one under test. */
static uint32_t crc_bitwise(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1u));
    }
    return ~c;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_chunk(unsigned char *buf, size_t *n, const char *type, const void *data,
                      uint32_t len)
{
    unsigned char *c = buf + *n;
    c[0] = (unsigned char)(len >> 24), c[1] = (unsigned char)(len >> 16);
    c[2] = (unsigned char)(len >> 8), c[3] = (unsigned char)len;
    memcpy(c + 4, type, 4);
    memcpy(c + 8, data, len);
    uint32_t crc = crc_bitwise(c + 4, len + 4);
    c[8 + len] = (unsigned char)(crc >> 24), c[9 + len] = (unsigned char)(crc >> 16);
    c[10 + len] = (unsigned char)(crc >> 8), c[11 + len] = (unsigned char)crc;
    *n += 12 + len;
}

/* Embeds into a one-pixel PNG and walks its chunks, checking every CRC;
 * returns the chunk types in order ("IHDR tEXt ...") and whether a chunk
 * held `want` after its type. */
static void png_embed_walk(const char *text, char *types, size_t ntypes, const char *want,
                           size_t want_len, bool *found)
{
    unsigned char png[256];
    size_t n = 8;
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    put_chunk(png, &n, "IHDR", "\0\0\0\1\0\0\0\1\x08\2\0\0\0", 13);
    put_chunk(png, &n, "IEND", "", 0);
    write_file(tmp_path("f.png"), png, n);
    ck_assert(plot_embed_metadata(tmp_path("f.png"), FMT_PNG, "cdf", text));
    size_t m;
    unsigned char *out = read_file(tmp_path("f.png"), &m);
    ck_assert_int_eq(memcmp(out, png, 8 + 25), 0); /* signature and IHDR kept */
    types[0] = '\0';
    *found = false;
    for (size_t at = 8; at < m;) {
        uint32_t len = be32(out + at);
        ck_assert_uint_le(at + 12 + len, m);
        ck_assert_uint_eq(be32(out + at + 8 + len), crc_bitwise(out + at + 4, len + 4));
        size_t used = strlen(types);
        snprintf(types + used, ntypes - used, "%s%.4s", used ? " " : "", out + at + 4);
        if (len + 4 >= want_len && memcmp(out + at + 4, want, want_len) == 0)
            *found = true;
        at += 12 + len;
    }
    free(out);
}

START_TEST(png_text_chunks)
{
    char types[128];
    bool found;
    png_embed_walk("sha256: abc", types, sizeof types, "tEXtDescription\0sha256: abc", 27,
                   &found);
    ck_assert_str_eq(types, "IHDR tEXt tEXt tEXt IEND");
    ck_assert(found);
    /* UTF-8 text goes into iTXt: flag, method, empty language and keyword */
    png_embed_walk("db /tmp/r\xc3\xa9sultats", types, sizeof types,
                   "iTXtDescription\0\0\0\0\0db /tmp/r\xc3\xa9sultats", 35, &found);
    ck_assert_str_eq(types, "IHDR tEXt iTXt tEXt IEND");
    ck_assert(found);
}
END_TEST

START_TEST(svg_desc_and_tex_comments)
{
    const char svg[] = "<svg>\n<title>Gnuplot</title>\n<desc>Produced by GNUPLOT</desc>\n</svg>\n";
    write_file(tmp_path("f.svg"), svg, sizeof svg - 1);
    ck_assert(plot_embed_metadata(tmp_path("f.svg"), FMT_SVG, "t", "a < b & c"));
    size_t m;
    char *out = (char *)read_file(tmp_path("f.svg"), &m);
    ck_assert_ptr_nonnull(strstr(out, "<desc>Produced by GNUPLOT\nt\na &lt; b &amp; c\n</desc>"));
    free(out);
    const char tex[] = "\\begin{picture}(1,1)\n";
    write_file(tmp_path("f.tex"), tex, sizeof tex - 1);
    ck_assert(plot_embed_metadata(tmp_path("f.tex"), FMT_TEX, "t", "one\ntwo"));
    out = (char *)read_file(tmp_path("f.tex"), &m);
    ck_assert_str_eq(out, "% t\n% one\n% two\n\\begin{picture}(1,1)\n");
    free(out);
}
END_TEST

static Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("helpers");
    tcase_add_test(tc, times_sort_by_value_not_text);
    tcase_add_test(tc, plain_rates_and_text);
    tcase_add_test(tc, display_units);
    tcase_add_test(tc, run_lists_and_names);
    tcase_add_test(tc, ranges_and_resolution);
    tcase_add_test(tc, lanes_per_component);
    tcase_add_test(tc, step_keys);
    tcase_add_test(tc, crowded_lanes);
    tcase_add_test(tc, event_markers_and_key);
    tcase_add_test(tc, heights);
    tcase_add_test(tc, gnuplot_and_latex_strings);
    suite_add_tcase(s, tc);
    TCase *meta = tcase_create("metadata");
    tcase_add_checked_fixture(meta, make_tmpdir, remove_tmpdir);
    tcase_add_test(meta, pdf_incremental_update);
    tcase_add_test(meta, pdf_without_xref_table_is_left_alone);
    tcase_add_test(meta, png_text_chunks);
    tcase_add_test(meta, svg_desc_and_tex_comments);
    suite_add_tcase(s, meta);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(plot_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
