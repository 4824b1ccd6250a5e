/* sim/scenario_yaml.c — the scenario loader's memory arena and its reader
 * of YAML text into a located tree (scenario_internal.h).
 *
 * The reader drives libfyaml's event parser rather than its document API:
 * events carry start marks for every node (0.7's fy_node has no public
 * mark accessor), and building the tree here lets us refuse input that
 * would make a loader misbehave — nesting beyond 64 levels, a second
 * document, aliases to unknown or still-open anchors (no cycles), NUL
 * bytes and invalid UTF-8 (libfyaml passes some of those through) — with a
 * located message. libfyaml's own diagnostics are collected, never
 * printed. */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */
#include "sim/scenario_internal.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/units.h"

#define MAX_DEPTH 64
#define MAX_YAML_NODES 2000000
#define MAX_FILE (16u << 20)
#define MIN_CHUNK (8u << 10)
#define MAX_CHUNK (1u << 20)

/* --- arena ---------------------------------------------------------------- */

struct chunk {
    struct chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

struct scn_arena {
    struct chunk *head;
};

struct scn_arena *scn_arena_create(void)
{
    return calloc(1, sizeof(struct scn_arena));
}

void scn_arena_destroy(struct scn_arena *a)
{
    if (!a)
        return;
    for (struct chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *scn_alloc(struct scn_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) / align * align;
    struct chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        /* chunks double from 8 KiB (most scenarios are small) to 1 MiB */
        size_t cap = c ? (c->cap < MAX_CHUNK ? 2 * c->cap : MAX_CHUNK) : MIN_CHUNK;
        cap = n > cap ? n : cap;
        if (!(c = malloc(sizeof *c + cap)))
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = a->head; /* a big block goes first; the old head's room is lost */
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *scn_strndup(struct scn_arena *a, const char *s, size_t n)
{
    char *p = n < SIZE_MAX ? scn_alloc(a, n + 1) : NULL;
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* --- name set ------------------------------------------------------------- */

int scn_nameset_init(struct scn_arena *a, struct scn_nameset *s, size_t n)
{
    s->cap = 16;
    while (s->cap < 2 * n + 2)
        s->cap *= 2;
    s->keys = scn_alloc(a, s->cap * sizeof *s->keys);
    s->locs = scn_alloc(a, s->cap * sizeof *s->locs);
    return s->keys && s->locs ? 0 : -1;
}

const struct src_loc *scn_nameset_add(struct scn_nameset *s, const char *key,
                                      struct src_loc loc)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->keys[i]) {
            s->keys[i] = key;
            s->locs[i] = loc;
            return NULL;
        }
        if (strcmp(s->keys[i], key) == 0)
            return &s->locs[i];
    }
}

/* --- text checks ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
    if (p[0] < 0xc2 || p[0] > 0xf4 || n < len)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) || /* overlong, */
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))   /* surrogates */
        return 0;
    return len;
}

static int text_check(const char *file, const char *text, size_t len, struct diag *err)
{
    const unsigned char *p = (const unsigned char *)text;
    int line = 1, col = 1;
    for (size_t i = 0; i < len; col++) {
        struct src_loc at = { file, line, col };
        if (p[i] == '\0')
            return diag_set(err, &at, "NUL byte in the file (a scenario is UTF-8 text)");
        size_t n = utf8_len(p + i, len - i);
        if (n == 0)
            return diag_set(err, &at, "invalid UTF-8 byte 0x%02x (a scenario is UTF-8 text)",
                            p[i]);
        if (p[i] == '\n') {
            line++;
            col = 0;
        }
        i += n;
    }
    return 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* libfyaml 0.7.12 crashes (a NULL write in fy_indent_vacuum_internal) on
 * a tab between ':' and a following block indicator ('-', '?', ':', '|'
 * or '>') inside an explicit key ("? a:<TAB>:"), however deep. Such a tab
 * is refused before parsing when the text has a '?' that could be an
 * explicit key indicator (one followed by a blank or a line end);
 * elsewhere it is left to libfyaml. */
static int tab_check(const char *file, const char *text, size_t len, struct diag *err)
{
    bool explicit_key = false;
    for (size_t i = 0; i < len && !explicit_key; i++)
        explicit_key = text[i] == '?' && (i + 1 == len || is_blank(text[i + 1]) ||
                                          text[i + 1] == '\n' || text[i + 1] == '\r');
    int line = 1, col = 1;
    for (size_t i = 0; i < len && explicit_key; i++, col++) {
        if ((text[i] & 0xc0) == 0x80)
            col--; /* inside a UTF-8 sequence */
        if (text[i] == '\n') {
            line++;
            col = 0;
        }
        if (text[i] != ':')
            continue;
        size_t j = i + 1, tab = 0;
        for (; j < len && is_blank(text[j]); j++)
            if (text[j] == '\t' && !tab)
                tab = j;
        if (tab && j < len && text[j] && strchr("-?:|>", text[j]))
            return diag_set(err, &(struct src_loc){ file, line, col + (int)(tab - i) },
                            "tab after ':' in a file with explicit keys ('? '): "
                            "use spaces here");
    }
    return 0;
}

static bool utf8_valid(const char *text, size_t len, bool nul_ok)
{
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0, n; i < len; i += n)
        if ((p[i] == '\0' && !nul_ok) || (n = utf8_len(p + i, len - i)) == 0)
            return false;
    return true;
}

bool scn_utf8_valid(const char *text, size_t len)
{
    return utf8_valid(text, len, false);
}

/* --- events to tree ------------------------------------------------------- */

struct anchor {
    const char *name;
    struct ynode *n;
    struct anchor *next;
};

struct reader {
    struct scn_arena *a;
    const char *file;
    const char *text;       /* the whole input, for syntax error messages */
    size_t len;
    struct diag *err;
    struct ynode *stack[MAX_DEPTH];
    bool flow[MAX_DEPTH];   /* whether stack[i] is a flow collection */
    int depth;
    struct ynode *root;
    int docs;
    struct anchor *anchors; /* newest first: a later &x hides an earlier one */
    struct src_loc last;    /* of the latest event that had a mark */
    size_t nnodes;
};

static int no_memory(struct reader *r)
{
    return diag_set(r->err, &r->last, "out of memory");
}

/* A token's text copied into the arena (NUL-terminated; *len excludes
 * the terminator); "" for no token, NULL when out of memory. Read in
 * chunks: fy_token_get_text() caches a buffer in the token that 0.7.12
 * leaks when a syntax error follows while the token is still queued. */
static const char *token_text(struct reader *r, struct fy_token *t, size_t *len)
{
    const struct fy_iter_chunk *c = NULL;
    size_t total = 0, o = 0;
    int bad = 0;
    *len = 0;
    if (!t)
        return "";
    struct fy_token_iter *it = fy_token_iter_create(t);
    if (!it)
        return NULL;
    while ((c = fy_token_iter_chunk_next(it, c, &bad)))
        total += c->len;
    fy_token_iter_destroy(it);
    char *buf = scn_alloc(r->a, total + 1);
    if (!buf || !(it = fy_token_iter_create(t)))
        return NULL;
    for (c = NULL; (c = fy_token_iter_chunk_next(it, c, &bad)) && o + c->len <= total;
         o += c->len)
        memcpy(buf + o, c->str, c->len);
    fy_token_iter_destroy(it);
    buf[o] = '\0';
    *len = o;
    return buf;
}

static int attach(struct reader *r, struct ynode *n)
{
    if (r->depth == 0) {
        r->root = n;
        return 0;
    }
    struct ynode *parent = r->stack[r->depth - 1];
    struct yref *ref = scn_alloc(r->a, sizeof *ref);
    if (!ref)
        return no_memory(r);
    ref->n = n;
    if (parent->last)
        parent->last->next = ref;
    else
        parent->kids = ref;
    parent->last = ref;
    parent->nkids++;
    return 0;
}

static struct ynode *node_new(struct reader *r, enum ykind kind)
{
    if (++r->nnodes > MAX_YAML_NODES) {
        diag_set(r->err, &r->last, "too many YAML nodes (more than %d)", MAX_YAML_NODES);
        return NULL;
    }
    struct ynode *n = scn_alloc(r->a, sizeof *n);
    if (!n) {
        no_memory(r);
        return NULL;
    }
    n->kind = kind;
    n->loc = r->last;
    return n;
}

static int anchor_add(struct reader *r, const char *name, struct ynode *n)
{
    struct anchor *an = scn_alloc(r->a, sizeof *an);
    if (!an)
        return no_memory(r);
    *an = (struct anchor){ name, n, r->anchors };
    r->anchors = an;
    return 0;
}

/* The anchor's name, NULL when out of memory. */
static const char *anchor_name(struct reader *r, struct fy_token *t)
{
    size_t len;
    return token_text(r, t, &len);
}

static int open_node(struct reader *r, enum ykind kind, struct fy_token *anchor, bool flow)
{
    if (r->depth == MAX_DEPTH)
        return diag_set(r->err, &r->last, "nesting deeper than %d levels", MAX_DEPTH);
    struct ynode *n = node_new(r, kind);
    if (!n || attach(r, n) < 0)
        return -1;
    if (anchor && !(n->anchor = anchor_name(r, anchor)))
        return no_memory(r);
    r->flow[r->depth] = flow;
    r->stack[r->depth++] = n;
    return 0;
}

static int close_node(struct reader *r)
{
    if (r->depth == 0)
        return 0; /* libfyaml pairs them; be safe anyway */
    struct ynode *n = r->stack[--r->depth];
    return n->anchor ? anchor_add(r, n->anchor, n) : 0;
}

static bool is_null_text(const char *s, size_t len)
{
    return len == 0 || (len == 1 && s[0] == '~') ||
           (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static int scalar(struct reader *r, struct fy_event *e)
{
    size_t len;
    const char *s = token_text(r, e->scalar.value, &len);
    if (!s)
        return no_memory(r);
    if (!utf8_valid(s, len, true)) /* a "\ud800" escape, say */
        return diag_set(r->err, &r->last, "the text of this scalar is not valid UTF-8");
    bool plain = fy_token_scalar_style(e->scalar.value) == FYSS_PLAIN;
    struct ynode *n = node_new(r, plain && is_null_text(s, len) ? Y_NULL : Y_SCALAR);
    if (!n)
        return -1;
    n->text = s;
    n->len = len;
    if (e->scalar.anchor) {
        const char *name = anchor_name(r, e->scalar.anchor);
        if (!name || anchor_add(r, name, n) < 0)
            return name ? -1 : no_memory(r);
    }
    return attach(r, n);
}

static int alias(struct reader *r, struct fy_token *t)
{
    size_t len;
    const char *name = token_text(r, t, &len);
    if (!name)
        return no_memory(r);
    for (struct anchor *an = r->anchors; an; an = an->next)
        if (strlen(an->name) == len && memcmp(an->name, name, len) == 0)
            return attach(r, an->n);
    char shown[64]; /* the name may hold anything but blanks and flow indicators */
    unit_show(name, shown, sizeof shown);
    return diag_set(r->err, &r->last, "alias '*%s' has no complete anchor '&%s' before it",
                    shown, shown);
}

static int on_event(struct reader *r, struct fy_event *e)
{
    const struct fy_mark *m = fy_event_start_mark(e);
    if (m) {
        /* an alias's mark is at its name after the '*', a quoted scalar's
         * after the quote: point at the '*' or quote the user wrote */
        bool after = e->type == FYET_ALIAS ||
                     (e->type == FYET_SCALAR &&
                      (fy_token_scalar_style(e->scalar.value) == FYSS_SINGLE_QUOTED ||
                       fy_token_scalar_style(e->scalar.value) == FYSS_DOUBLE_QUOTED));
        r->last = (struct src_loc){ r->file, m->line + 1,
                                    m->column + (after && m->column > 0 ? 0 : 1) };
    }
    switch (e->type) {
    case FYET_DOCUMENT_START:
        if (r->docs++ > 0)
            return diag_set(r->err, &r->last, "a scenario file holds one YAML document");
        return 0;
    case FYET_MAPPING_START:
        return open_node(r, Y_MAP, e->mapping_start.anchor,
                         fy_event_get_node_style(e) == FYNS_FLOW);
    case FYET_SEQUENCE_START:
        return open_node(r, Y_SEQ, e->sequence_start.anchor,
                         fy_event_get_node_style(e) == FYNS_FLOW);
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END: return close_node(r);
    case FYET_SCALAR: return scalar(r, e);
    case FYET_ALIAS: return alias(r, e->alias.anchor);
    default: return 0;
    }
}

/* Whether line:col (1-based, in characters) lies after the last
 * character of the text that is not blank: the error is at the end. */
static bool at_end(const struct reader *r, int line, int col)
{
    int l = 1, c = 0, last_l = 0, last_c = 0;
    for (size_t i = 0; i < r->len; i++) {
        unsigned char ch = (unsigned char)r->text[i];
        if ((ch & 0xc0) == 0x80)
            continue; /* inside a UTF-8 sequence */
        c++;
        if (ch == '\n') {
            l++;
            c = 0;
        } else if (ch != ' ' && ch != '\t' && ch != '\r') {
            last_l = l;
            last_c = c;
        }
    }
    return line > last_l || (line == last_l && col > last_c);
}

/* The first line after `line` holding something other than blanks or a
 * comment; 0 if none. */
static int next_content_line(const struct reader *r, int line)
{
    int l = 1;
    for (size_t i = 0; i < r->len; l++) {
        size_t j = i;
        while (j < r->len && (r->text[j] == ' ' || r->text[j] == '\t'))
            j++;
        if (l > line && j < r->len && r->text[j] != '\n' && r->text[j] != '\r' &&
            r->text[j] != '#')
            return l;
        while (j < r->len && r->text[j] != '\n')
            j++;
        i = j + 1;
    }
    return 0;
}

/* The first line from `from` to `to` whose indentation holds a tab, and
 * the column of that tab; 0 if none. */
static int tab_indented_line(const struct reader *r, int from, int to, int *col)
{
    int l = 1;
    for (size_t i = 0; i < r->len && l <= to; l++) {
        size_t j = i;
        while (j < r->len && (r->text[j] == ' ' || r->text[j] == '\t')) {
            if (r->text[j] == '\t' && l >= from && j + 1 < r->len && r->text[j + 1] != '\n') {
                *col = (int)(j - i) + 1;
                return l;
            }
            j++;
        }
        while (j < r->len && r->text[j] != '\n')
            j++;
        i = j + 1;
    }
    return 0;
}

/* msg with control characters written as \xNN (libfyaml quotes the
 * input in some messages, "invalid escape '\x01'"), cut to fit buf. */
static const char *printable(const char *msg, char *buf, size_t n)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < n; p++) {
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *p);
        else
            buf[o++] = (char)*p;
    }
    buf[o] = '\0';
    return buf;
}

/* Whether the quoted scalar whose opening quote is at line:col is never
 * closed: no matching quote follows it (escapes skipped). */
static bool quote_unclosed(const struct reader *r, int line, int col)
{
    size_t i = 0;
    for (int l = 1; i < r->len && l < line; i++)
        l += r->text[i] == '\n';
    for (int c = 1; i < r->len && c < col; i++)
        c += ((unsigned char)r->text[i + 1] & 0xc0) != 0x80;
    if (i >= r->len || (r->text[i] != '"' && r->text[i] != '\''))
        return false;
    char q = r->text[i];
    for (i++; i < r->len; i++) {
        if (q == '"' && r->text[i] == '\\')
            i++;
        else if (r->text[i] == q && !(q == '\'' && i + 1 < r->len && r->text[i + 1] == q))
            return false;
        else if (r->text[i] == q)
            i++; /* '' inside single quotes */
    }
    return true;
}

/* libfyaml's first collected error, as our diag. Four of its messages
 * are made clearer: a flow collection still open at the end of the text
 * (libfyaml reports the end, with a message that depends on what came
 * last) is reported where it was opened; a quoted scalar never closed is
 * called that (libfyaml complains about the indentation of the lines it
 * swallowed); a plain scalar that runs on into a key on a later line (a
 * line indented too far, a missing ':') names that line; a line whose
 * indentation holds a tab, where libfyaml's message does not say so, is
 * reported as that; and "indendation" is spelt right. */
static int syntax_error(struct reader *r, struct fy_diag *dg)
{
    void *it = NULL;
    for (struct fy_diag_error *de; (de = fy_diag_errors_iterate(dg, &it));) {
        if (de->type < FYET_ERROR)
            continue;
        struct src_loc at = { r->file, de->line > 0 ? de->line : r->last.line,
                              de->column > 0 ? de->column : r->last.col };
        const char *msg = de->msg && *de->msg ? de->msg : "YAML syntax error";
        if (r->depth > 0 && r->flow[r->depth - 1] && at_end(r, at.line, at.col)) {
            bool map = r->stack[r->depth - 1]->kind == Y_MAP;
            return diag_set(r->err, &r->stack[r->depth - 1]->loc,
                            "flow %s '%c' is not closed (no '%c' before the end of the file)",
                            map ? "mapping" : "sequence", map ? '{' : '[', map ? '}' : ']');
        }
        if (strncmp(msg, "wrongly indented ", 17) == 0 && quote_unclosed(r, at.line, at.col))
            return diag_set(r->err, &at, "%s%s", msg + 17,
                            " is not closed (no closing quote before the end of the file)");
        int next = next_content_line(r, at.line), tab_col = 0;
        int tab_line = tab_indented_line(r, at.line, next > at.line ? next : at.line, &tab_col);
        if (tab_line > 0 && !strstr(msg, "tab"))
            return diag_set(r->err, &(struct src_loc){ r->file, tab_line, tab_col },
                            "tab character in the indentation of line %d (YAML indents with"
                            " spaces only)", tab_line);
        if (strcmp(msg, "invalid multiline plain key") == 0 && next > 0)
            return diag_set(r->err, &at,
                            "invalid multiline plain key: the text here runs on into line %d "
                            "(is line %d indented too far, or a ':' missing on line %d?)",
                            next, next, at.line);
        char shown[sizeof r->err->msg / 2];
        const char *typo = strstr(printable(msg, shown, sizeof shown), "indendation");
        if (typo)
            return diag_set(r->err, &at, "%.*sindentation%s", (int)(typo - shown), shown,
                            typo + strlen("indendation"));
        return diag_set(r->err, &at, "%s", shown);
    }
    return diag_set(r->err, &r->last, "YAML syntax error");
}

static void discard_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag, (void)user, (void)buf, (void)len;
}

static int parse_events(struct reader *r, const char *text, size_t len)
{
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = discard_output; /* collected below instead */
    dc.level = FYET_ERROR;
    struct fy_diag *dg = fy_diag_create(&dc);
    if (!dg)
        return no_memory(r);
    fy_diag_set_collect_errors(dg, true);
    struct fy_parse_cfg pc = { .flags = FYPCF_QUIET, .diag = dg };
    struct fy_parser *p = fy_parser_create(&pc);
    int rc = -1;
    if (!p || fy_parser_set_string(p, text, len) < 0) {
        no_memory(r);
        goto out;
    }
    struct fy_event *e;
    while ((e = fy_parser_parse(p))) {
        int bad = on_event(r, e);
        fy_parser_event_free(p, e);
        if (bad)
            goto out;
    }
    rc = fy_parser_get_stream_error(p) ? syntax_error(r, dg) : 0;
out:
    if (p)
        fy_parser_destroy(p);
    fy_diag_destroy(dg);
    return rc;
}

int scn_yaml_read(struct scn_arena *a, const char *file, const char *text, size_t len,
                  struct ynode **root, struct diag *err)
{
    struct reader r = { .a = a, .file = file, .text = text, .len = len, .err = err,
                        .last = { file, 1, 1 } };
    *root = NULL;
    if (text_check(file, text, len, err) < 0 || tab_check(file, text, len, err) < 0 ||
        parse_events(&r, text, len) < 0)
        return -1;
    struct src_loc start = { file, 1, 1 };
    if (!r.root || r.root->kind == Y_NULL)
        return diag_set(err, &start, "empty document (a scenario is a mapping of keys)");
    if (r.root->kind != Y_MAP)
        return diag_set(err, &r.root->loc, "a scenario is a mapping of keys, got %s",
                        r.root->kind == Y_SEQ ? "a sequence" : "a scalar");
    *root = r.root;
    return 0;
}

const char *scn_read_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 0, n = 0;
    char *buf = NULL;
    struct stat sb;
    *text = NULL;
    *len = 0;
    if (!f)
        return strerror(errno);
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return "it is a directory (give the scenario file)";
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *grown = cap <= 2 * (size_t)MAX_FILE ? realloc(buf, cap + 1) : NULL;
            if (!grown) {
                free(buf);
                fclose(f);
                return cap > 2 * (size_t)MAX_FILE ? "larger than 16 MiB" : "out of memory";
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > MAX_FILE) {
            free(buf);
            fclose(f);
            return "larger than 16 MiB";
        }
        if (got == 0)
            break;
    }
    bool failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        return saved ? strerror(saved) : "read error";
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return NULL;
}
