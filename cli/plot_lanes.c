/* cli/plot_lanes.c — where a timeline's annotations go, so that no text
 * is drawn over the data and no two texts overlap:
 *
 *   - one lane per mechanism component above the data (eeh.s0.nvme0.vf0,
 *     switch.db1): a header row with the component's name, and a bar row
 *     holding the whole mechanism (<mech>_start .. <mech>_end) as an
 *     outline and its steps as consecutive segments in alternating greys;
 *     steps that overlap each other get more bar rows;
 *   - each step is labelled with its name (without the mechanism's prefix)
 *     inside its segment when it fits, else with a short key ("a") inside
 *     it, or in the header row over it when even that does not fit; the
 *     step key below the figure explains each key once;
 *   - point events get a dashed line up to a row of numbers over the data
 *     ("3–5" over events that coincide) and a line each in the event key
 *     below the figure, "n: kind (component) — detail";
 *   - the figure grows in height with lanes and keys, and the data keep at
 *     least PLOT_DATA_SHARE of the plotting area.
 *
 * Text widths are estimated for the figure's geometry (plot_internal.h:
 * a 3.5 in column at 8 pt, annotations at 7 pt, DejaVu Sans averaging
 * 0.55 em a character), which the PNG and SVG terminals scale as a whole;
 * the estimate errs wide. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "cli/plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Heights, in inches, of the parts of a timeline, top to bottom. */
#define TOP_PAD_IN 0.05
#define TITLE_IN 0.20
#define SERIES_KEY_ROW_IN 0.16 /* a row of the series' key (8 pt) */
#define HEADER_IN 0.13         /* a lane's header row (7 pt) */
#define BAR_IN 0.15            /* a bar row of a lane */
#define MARKER_IN 0.14         /* the row of event numbers */
#define HEADROOM_IN 0.05       /* between the band and the top of the data */
#define DATA_IN 1.7            /* the data's height at least */
#define AXIS_IN 0.42           /* x tic labels and the x label below the graph */
#define KEY_LINE_IN 0.125      /* a line of the keys below (7 pt) */
#define BOTTOM_PAD_IN 0.05
/* Characters of the series key that fit across the plotting area (8 pt). */
#define SERIES_KEY_CHARS 42

size_t plot_text_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* A copy of s cut to max characters, the last one "…" when cut. */
static char *cut_chars(const char *s, size_t max)
{
    if (plot_text_chars(s) <= max)
        return strdup(s);
    size_t bytes = 0;
    for (size_t chars = 0; s[bytes] && chars < max - 1; chars++)
        for (bytes++; ((unsigned char)s[bytes] & 0xc0) == 0x80; bytes++)
            ;
    return plot_strf("%.*s…", (int)bytes, s);
}

void plot_timeline_free(struct plot_timeline *tl)
{
    for (size_t i = 0; i < tl->nlanes; i++)
        free(tl->lanes[i].component);
    for (size_t i = 0; i < tl->nkeys; i++)
        free(tl->keys[i].text);
    for (size_t i = 0; i < tl->nkey_lines; i++)
        free(tl->key_lines[i]);
    free(tl->lanes);
    free(tl->markers);
    free(tl->tags);
    free(tl->keys);
    free(tl->key_lines);
    free(tl->key_y);
    memset(tl, 0, sizeof *tl);
}

/* ---- lanes ---- */

/* By start, then component (lanes in order of their first phase, ties
 * by name), then as their start events came (a mechanism before its
 * first step, a step of no time before the next). */
static int phase_cmp(const void *a, const void *b)
{
    const struct plot_phase *x = a, *y = b;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    int c = strcmp(x->component, y->component);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static bool prefixed(const char *s, const char *prefix, size_t n)
{
    return strncmp(s, prefix, n) == 0 && s[n] == '_' && s[n + 1];
}

/* The component's mechanism: its first dotted part ("switch" of
 * "switch.db1"). */
static size_t mech_len(const char *component)
{
    return strcspn(component, ".");
}

/* Outlines are the mechanisms: a kind that is the component's mechanism
 * or the prefix of another kind of the lane (eeh of eeh_reset). A step's
 * name drops the longest such prefix. Worked out once per kind (a lane
 * has a handful), however many times the mechanism ran. */
static int lane_names(struct plot_data *pd, size_t lane)
{
    struct plot_phase *ph = pd->phases;
    const char **kind = malloc((pd->nphases + 1) * sizeof *kind);
    size_t *skip = malloc((pd->nphases + 1) * sizeof *skip), nk = 0;
    bool *outline = calloc(pd->nphases + 1, sizeof *outline);
    if (!kind || !skip || !outline) {
        free(kind);
        free(skip);
        free(outline);
        return -1;
    }
    const char *comp = NULL;
    for (size_t i = 0; i < pd->nphases; i++) {
        size_t k = 0;
        while (ph[i].lane == lane && k < nk && strcmp(kind[k], ph[i].kind) != 0)
            k++;
        if (ph[i].lane == lane && k == nk)
            kind[nk++] = ph[i].kind;
        comp = ph[i].lane == lane ? ph[i].component : comp;
    }
    size_t m = comp ? mech_len(comp) : 0;
    for (size_t k = 0; k < nk; k++) {
        size_t n = strlen(kind[k]);
        outline[k] = n == m && strncmp(kind[k], comp, m) == 0;
        for (size_t j = 0; j < nk && !outline[k]; j++)
            outline[k] = prefixed(kind[j], kind[k], n);
    }
    for (size_t k = 0; k < nk; k++) {
        skip[k] = !outline[k] && prefixed(kind[k], comp, m) ? m + 1 : 0;
        for (size_t j = 0; j < nk && !outline[k]; j++) {
            size_t n = strlen(kind[j]);
            if (outline[j] && n + 1 > skip[k] && prefixed(kind[k], kind[j], n))
                skip[k] = n + 1;
        }
    }
    for (size_t i = 0; i < pd->nphases; i++) {
        size_t k = 0;
        while (ph[i].lane == lane && strcmp(kind[k], ph[i].kind) != 0)
            k++;
        if (ph[i].lane != lane)
            continue;
        ph[i].outline = outline[k];
        ph[i].step = ph[i].kind + skip[k];
    }
    free(kind);
    free(skip);
    free(outline);
    return 0;
}

/* Bar rows: a step goes into the first row free at its start, so steps
 * that overlap (rounds of a mechanism running side by side) do not hide
 * each other; consecutive steps of a row alternate their grey. */
static int lane_rows(struct plot_data *pd, size_t lane)
{
    double *end = calloc(pd->nphases + 1, sizeof *end);
    int *count = calloc(pd->nphases + 1, sizeof *count);
    int rows = 1;
    for (size_t i = 0; end && count && i < pd->nphases; i++) {
        struct plot_phase *p = &pd->phases[i];
        if (p->lane != lane || p->outline)
            continue;
        int r = 0;
        while (r < rows && count[r] && end[r] > p->t0)
            r++;
        rows = r + 1 > rows ? r + 1 : rows;
        p->sub = r;
        p->shade = count[r]++ % 2;
        end[r] = p->t1;
    }
    int ok = end && count;
    free(end);
    free(count);
    return ok ? rows : -1;
}

static int build_lanes(struct plot_data *pd)
{
    struct plot_timeline *tl = &pd->tl;
    if (pd->nphases)
        qsort(pd->phases, pd->nphases, sizeof *pd->phases, phase_cmp);
    for (size_t i = 0; i < pd->nphases; i++) {
        size_t l = 0;
        while (l < tl->nlanes && strcmp(tl->lanes[l].component, pd->phases[i].component))
            l++;
        if (l == tl->nlanes) {
            struct plot_lane *ln = plot_grow_one((void **)&tl->lanes, &tl->nlanes, sizeof *ln);
            if (!ln || !(ln->component = strdup(pd->phases[i].component)))
                return -1;
        }
        pd->phases[i].lane = l;
    }
    for (size_t l = 0; l < tl->nlanes; l++)
        if (lane_names(pd, l) || (tl->lanes[l].subrows = lane_rows(pd, l)) < 0)
            return -1;
    return 0;
}

/* ---- step labels and the step key ---- */

static double text_w(const struct plot_timeline *tl, const char *s)
{
    return (double)(plot_text_chars(s) + 1) * tl->char_w;
}

/* The key's tags: a..z, then A..Z, then numbers. */
static void key_tag(size_t i, char *buf, size_t n)
{
    if (i < 26)
        plot_fmt(buf, n, "%c", (char)('a' + i));
    else if (i < 52)
        plot_fmt(buf, n, "%c", (char)('A' + i - 26));
    else
        plot_fmt(buf, n, "s%zu", i + 1);
}

static long step_key(struct plot_timeline *tl, const struct plot_phase *p)
{
    for (size_t k = 0; k < tl->nkeys; k++)
        if (strcmp(tl->keys[k].kind, p->kind) == 0)
            return (long)k;
    struct plot_step_key *k = plot_grow_one((void **)&tl->keys, &tl->nkeys, sizeof *k);
    if (!k)
        return -1;
    key_tag(tl->nkeys - 1, k->tag, sizeof k->tag);
    k->kind = p->kind;
    k->text = strdup(p->step);
    return k->text ? (long)(tl->nkeys - 1) : -1;
}

/* Names inside their segments where they fit; the others get a key. A
 * key text that two mechanisms share ("reset") names the mechanism. */
static int label_steps(struct plot_data *pd)
{
    struct plot_timeline *tl = &pd->tl;
    for (size_t i = 0; i < pd->nphases; i++) {
        struct plot_phase *p = &pd->phases[i];
        p->key = -1;
        p->label = NULL;
        p->at = LABEL_NONE;
        p->label_x = (p->t0 + p->t1) / 2;
        if (p->outline)
            continue;
        if (text_w(tl, p->step) <= p->t1 - p->t0) {
            p->at = LABEL_INSIDE;
            p->label = p->step;
            continue;
        }
        if ((p->key = step_key(tl, p)) < 0)
            return -1;
    }
    /* the keys are all made (tl->keys moves no more): their tags */
    for (size_t i = 0; i < pd->nphases; i++) {
        struct plot_phase *p = &pd->phases[i];
        if (p->key < 0)
            continue;
        p->label = tl->keys[p->key].tag;
        p->at = text_w(tl, p->label) <= p->t1 - p->t0 ? LABEL_INSIDE : LABEL_HEADER;
    }
    bool *shared = calloc(tl->nkeys + 1, sizeof *shared);
    if (!shared)
        return -1;
    for (size_t a = 0; a < tl->nkeys; a++)
        for (size_t b = 0; b < tl->nkeys; b++)
            shared[a] = shared[a] || (strcmp(tl->keys[a].text, tl->keys[b].text) == 0 &&
                                      strcmp(tl->keys[a].kind, tl->keys[b].kind) != 0);
    int e = 0;
    for (size_t a = 0; a < tl->nkeys && !e; a++) {
        char *full = shared[a] ? strdup(tl->keys[a].kind) : NULL;
        e = shared[a] && !full;
        if (full) {
            free(tl->keys[a].text);
            tl->keys[a].text = full;
        }
    }
    free(shared);
    return e ? -1 : 0;
}

/* ---- rows of short labels: event numbers, keys in a lane's header ---- */

/* A label moves right up to this many characters off its place to clear
 * the one before; beyond, the two become one ("3–5", "a–f"). */
#define LABEL_SHIFT 3.0

typedef void (*tag_text_fn)(const struct plot_data *pd, const size_t *idx, size_t first,
                            size_t last, char *buf, size_t n);

/* Labels over items idx[0..n) of one row, in order, item i spanning
 * [lo[i], hi[i]]: one over each, centred; a label that would touch the
 * one before moves right a little, or joins it (at once when their items
 * coincide). Labels keep within [left, right]; one that cannot is
 * dropped (*dropped counts its items). Appends to *tags. */
static int tags_place(const struct plot_data *pd, const size_t *idx, const double *lo,
                      const double *hi, size_t n, double left, double right, size_t lane,
                      tag_text_fn text, struct plot_tag **tags, size_t *ntags, size_t *dropped)
{
    const struct plot_timeline *tl = &pd->tl;
    size_t base = *ntags;
    for (size_t i = 0; i < n; i++) {
        struct plot_tag *g = plot_grow_one((void **)tags, ntags, sizeof *g);
        if (!g)
            return -1;
        g->lane = lane;
        g->first = g->last = i;
        for (;;) {
            text(pd, idx, g->first, g->last, g->text, sizeof g->text);
            double w = text_w(tl, g->text), x = (lo[g->first] + hi[g->last]) / 2;
            x = x - w / 2 < left ? left + w / 2 : x;
            x = x + w / 2 > right ? right - w / 2 : x;
            struct plot_tag *prev = *ntags - 1 > base ? g - 1 : NULL;
            double after = prev ? prev->x + text_w(tl, prev->text) / 2 + w / 2 : -INFINITY;
            bool same = prev && lo[g->first] - hi[prev->last] < tl->char_w / 2;
            if (x < after && !same && after - x <= LABEL_SHIFT * tl->char_w &&
                after + w / 2 <= right)
                x = after;
            if (x >= after && x - w / 2 >= left - 1e-12 * (right - left)) {
                g->x = x;
                break;
            }
            if (!prev) { /* wider than the row */
                *dropped += g->last - g->first + 1;
                (*ntags)--;
                break;
            }
            prev->last = g->last; /* join the one before, and look again */
            (*ntags)--;
            g = prev;
        }
    }
    return 0;
}

static void marker_text(const struct plot_data *pd, const size_t *idx, size_t first,
                        size_t last, char *buf, size_t n)
{
    (void)pd;
    if (first == last)
        plot_fmt(buf, n, "%zu", idx[first] + 1);
    else
        plot_fmt(buf, n, "%zu–%zu", idx[first] + 1, idx[last] + 1);
}

/* Point events: numbered in time order, the numbers of events at one
 * spot (or too close to tell apart) shared: "1–5". */
static int place_markers(struct plot_data *pd)
{
    struct plot_timeline *tl = &pd->tl;
    size_t *idx = malloc((pd->nmarks + 1) * sizeof *idx);
    double *t = malloc((pd->nmarks + 1) * sizeof *t);
    size_t dropped = 0;
    int e = !idx || !t;
    for (size_t i = 0; !e && i < pd->nmarks; i++)
        idx[i] = i, t[i] = pd->marks[i].t;
    if (!e)
        e = tags_place(pd, idx, t, t, pd->nmarks, tl->from, tl->to, 0, marker_text,
                       &tl->markers, &tl->nmarkers, &dropped);
    free(idx);
    free(t);
    return e ? -1 : 0;
}

/* The keys of steps first..last: "a", "a,c", "a–f" (a run of three or
 * more consecutive keys), each key once. */
static void keys_text(const struct plot_data *pd, const size_t *idx, size_t first, size_t last,
                      char *buf, size_t n)
{
    const struct plot_timeline *tl = &pd->tl;
    bool *seen = calloc(tl->nkeys + 1, sizeof *seen);
    size_t used = 0;
    buf[0] = '\0';
    size_t i = first;
    for (; seen && i <= last && used + 16 < n; i++) {
        long k = pd->phases[idx[i]].key, run = 0;
        if (seen[k])
            continue;
        seen[k] = true;
        while (i + 1 <= last && pd->phases[idx[i + 1]].key == k + run + 1 && !seen[k + run + 1])
            seen[k + ++run] = true, i++;
        const char *sep = used ? "," : "";
        if (run >= 2)
            plot_fmt(buf + used, n - used, "%s%s–%s", sep, tl->keys[k].tag, tl->keys[k + run].tag);
        else if (run == 1)
            plot_fmt(buf + used, n - used, "%s%s,%s", sep, tl->keys[k].tag, tl->keys[k + 1].tag);
        else
            plot_fmt(buf + used, n - used, "%s%s", sep, tl->keys[k].tag);
        used = strlen(buf);
    }
    if (seen && i <= last && used + 4 < n)
        plot_fmt(buf + used, n - used, "…"); /* more than the label holds */
    free(seen);
}

/* A lane's header row: its name, and the keys of the steps too short to
 * hold one, over their segments. The name goes at the left, or at the
 * right if the keys are in the way there, or else at the left with the
 * keys pushed right of it. */
static int place_header(struct plot_data *pd, size_t lane)
{
    struct plot_timeline *tl = &pd->tl;
    struct plot_lane *ln = &tl->lanes[lane];
    size_t n = 0, dropped = 0, before = tl->ntags;
    size_t *idx = malloc((pd->nphases + 1) * sizeof *idx);
    double *lo = malloc((pd->nphases + 1) * sizeof *lo);
    double *hi = malloc((pd->nphases + 1) * sizeof *hi);
    int e = !idx || !lo || !hi;
    for (size_t i = 0; !e && i < pd->nphases; i++)
        if (pd->phases[i].lane == lane && pd->phases[i].at == LABEL_HEADER)
            idx[n] = i, lo[n] = pd->phases[i].t0, hi[n++] = pd->phases[i].t1;
    double name_w = (PLOT_LANE_INDENT + 0.5) * tl->char_w + text_w(tl, ln->component);
    if (!e)
        e = tags_place(pd, idx, lo, hi, n, tl->from, tl->to, lane, keys_text, &tl->tags,
                       &tl->ntags, &dropped);
    ln->name_right = false;
    if (!e && tl->ntags > before) {
        const struct plot_tag *a = &tl->tags[before], *z = &tl->tags[tl->ntags - 1];
        bool left_free = a->x - text_w(tl, a->text) / 2 >= tl->from + name_w;
        ln->name_right = !left_free && z->x + text_w(tl, z->text) / 2 <= tl->to - name_w;
        if (!left_free && !ln->name_right) {
            tl->ntags = before; /* again, right of the name */
            dropped = 0;
            e = tags_place(pd, idx, lo, hi, n, tl->from + name_w, tl->to, lane, keys_text,
                           &tl->tags, &tl->ntags, &dropped);
        }
    }
    tl->unlabelled += dropped;
    free(idx);
    free(lo);
    free(hi);
    return e ? -1 : 0;
}

/* ---- the keys below the figure ---- */

static int key_line_add(struct plot_timeline *tl, char *line)
{
    char **l = line ? plot_grow_one((void **)&tl->key_lines, &tl->nkey_lines, sizeof *l)
                    : NULL;
    if (!l) {
        free(line);
        return -1;
    }
    *l = line;
    return 0;
}

/* "a: error_detected   b: configure ...", wrapped at PLOT_KEY_CHARS. */
static int step_key_lines(struct plot_timeline *tl)
{
    char line[4 * PLOT_KEY_CHARS + 64] = "";
    for (size_t k = 0; k < tl->nkeys; k++) {
        char entry[2 * PLOT_KEY_CHARS];
        char *text = cut_chars(tl->keys[k].text, PLOT_KEY_CHARS - 4);
        if (!text)
            return -1;
        plot_fmt(entry, sizeof entry, "%s: %s", tl->keys[k].tag, text);
        free(text);
        if (line[0] && plot_text_chars(line) + 3 + plot_text_chars(entry) > PLOT_KEY_CHARS) {
            if (key_line_add(tl, strdup(line)))
                return -1;
            line[0] = '\0';
        }
        size_t used = strlen(line);
        plot_fmt(line + used, sizeof line - used, "%s%s", used ? "   " : "", entry);
    }
    if (line[0] && key_line_add(tl, strdup(line)))
        return -1;
    if (tl->unlabelled &&
        key_line_add(tl, plot_strf("(%zu step%s too short to label here: zoom with --from"
                                   " --to)", tl->unlabelled, tl->unlabelled > 1 ? "s" : "")))
        return -1;
    return 0;
}

char *plot_event_key(const struct plot_mark *m, size_t n)
{
    bool comp = m->component[0] && strcmp(m->component, "timeline") != 0;
    char *full = plot_strf("%zu: %s%s%s%s%s%s", n, m->kind, comp ? " (" : "",
                           comp ? m->component : "", comp ? ")" : "",
                           m->detail[0] ? " — " : "", m->detail);
    char *cut = full ? cut_chars(full, PLOT_KEY_CHARS) : NULL;
    free(full);
    return cut;
}

/* One line per event, at most PLOT_KEY_EVENTS; beyond, a line says where
 * the others are. */
static int event_key_lines(struct plot_data *pd)
{
    struct plot_timeline *tl = &pd->tl;
    size_t n = pd->nmarks, shown = n > PLOT_KEY_EVENTS ? PLOT_KEY_EVENTS - 1 : n;
    for (size_t i = 0; i < shown; i++)
        if (key_line_add(tl, plot_event_key(&pd->marks[i], i + 1)))
            return -1;
    tl->events_listed = shown;
    if (shown < n && key_line_add(tl, plot_strf("%zu–%zu: %zu more events, listed in the"
                                                " .gp and the .dat", shown + 1, n, n - shown)))
        return -1;
    return 0;
}

/* ---- heights ---- */

static double series_key_rows(const struct plot_data *pd)
{
    if (pd->nlines < 2)
        return 0;
    size_t longest = 0;
    for (size_t i = 0; i < pd->nlines; i++) {
        size_t c = plot_text_chars(pd->lines[i].label);
        longest = c > longest ? c : longest;
    }
    size_t cols = SERIES_KEY_CHARS / (longest + 8);
    cols = cols ? cols : 1;
    return (double)((pd->nlines + cols - 1) / cols);
}

/* Lanes, markers and the data from the top of the graph; the figure's
 * height from its parts. */
static void vertical(struct plot_data *pd, bool title)
{
    struct plot_timeline *tl = &pd->tl;
    double band = 0;
    for (size_t l = 0; l < tl->nlanes; l++)
        band += HEADER_IN + tl->lanes[l].subrows * BAR_IN;
    double lanes_in = band;
    band += (pd->nmarks ? MARKER_IN : 0) + HEADROOM_IN;
    double data = DATA_IN;
    if (data < band * PLOT_DATA_SHARE / (1 - PLOT_DATA_SHARE))
        data = band * PLOT_DATA_SHARE / (1 - PLOT_DATA_SHARE);
    double graph = band + data, y = 0;
    for (size_t l = 0; l < tl->nlanes; l++) {
        tl->lanes[l].y_header = 1 - (y + HEADER_IN / 2) / graph;
        tl->lanes[l].y_top = 1 - (y + HEADER_IN) / graph;
        y += HEADER_IN + tl->lanes[l].subrows * BAR_IN;
    }
    tl->marker_y = 1 - (lanes_in + MARKER_IN / 2) / graph;
    tl->bar_h = BAR_IN / graph;
    pd->data_top = data / graph;
    tl->key_rows = series_key_rows(pd);
    double top = TOP_PAD_IN + (title ? TITLE_IN : 0) + tl->key_rows * SERIES_KEY_ROW_IN;
    double keys = (double)tl->nkey_lines * KEY_LINE_IN;
    tl->height_in = top + graph + AXIS_IN + keys + BOTTOM_PAD_IN;
    tl->graph_top = 1 - top / tl->height_in;
    tl->graph_bottom = (AXIS_IN + keys + BOTTOM_PAD_IN) / tl->height_in;
    for (size_t i = 0; i < tl->nkey_lines; i++)
        tl->key_y[i] = (BOTTOM_PAD_IN + ((double)(tl->nkey_lines - i) - 0.5) * KEY_LINE_IN) /
                       tl->height_in;
}

int plot_lanes_layout(struct plot_data *pd, double from, double to, bool title)
{
    struct plot_timeline *tl = &pd->tl;
    plot_timeline_free(tl);
    tl->from = from;
    tl->to = to;
    tl->char_w = (pd->y2label[0] ? PLOT_CHAR_W_Y2 : PLOT_CHAR_W) * (to - from);
    if (build_lanes(pd) || label_steps(pd))
        return -1;
    for (size_t l = 0; l < tl->nlanes; l++)
        if (place_header(pd, l))
            return -1;
    if (place_markers(pd) || step_key_lines(tl) || event_key_lines(pd))
        return -1;
    if (tl->nkey_lines && !(tl->key_y = calloc(tl->nkey_lines, sizeof *tl->key_y)))
        return -1;
    vertical(pd, title);
    return 0;
}
