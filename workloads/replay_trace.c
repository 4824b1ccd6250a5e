/* workloads/replay_trace.c — reads an I/O trace for the replay kind.
 *
 * Format (docs/user-guide.md, "Workloads"): CSV, one I/O per line,
 *
 *     time,op,bytes,offset          <- header, exactly these four names
 *     0us,read,4KiB,0
 *     12.5us,write,65536,1048576
 *     20us,tx,1500,
 *
 *   time    when the I/O is issued, from the trace's zero, with a unit as
 *           everywhere in lparsim (ps ns us ms s; a bare 0 needs none);
 *           rows must be in time order (equal times are issued together)
 *   op      read | write (storage), tx | rx (network)
 *   bytes   a plain integer (bytes) or a size with a unit (4KiB), 1 B..1 GiB
 *   offset  device byte offset, same forms; may be empty (0), as for tx/rx
 *
 * Blanks around fields are ignored, CRLF line ends accepted, blank lines
 * and lines starting with '#' skipped. Any error is reported once, as
 * PATH:LINE:COL of the field at fault (columns count bytes from 1).
 * The whole file is read and checked here, into one array sized by its
 * line count; nothing is read during the run. */
#include "workloads/replay_trace.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/io.h"
#include "sim/param.h"
#include "sim/units.h"

#define MAX_TRACE_BYTES ((size_t)1 << 30)
#define MAX_IO_BYTES ((uint64_t)1 << 30)
#define NFIELDS 4

static const char *const header[NFIELDS] = { "time", "op", "bytes", "offset" };
static const char *const op_names[] = { [IO_READ] = "read", [IO_WRITE] = "write",
                                        [IO_TX] = "tx", [IO_RX] = "rx" };

/* One field of a line: its text without surrounding blanks. */
struct field {
    const char *p;
    size_t len;
    int col;      /* 1-based column of its first non-blank byte */
};

/* Where parsing is, for messages. */
struct cursor {
    const char *path;
    int line;
    struct diag *err;
};

static int csv_fail(const struct cursor *c, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int csv_fail(const struct cursor *c, int col, const char *fmt, ...)
{
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct src_loc loc = { c->path, c->line, col };
    return diag_set(c->err, &loc, "%s", msg);
}

/* Reads the whole file into a NUL-terminated buffer. */
static char *read_file(const char *path, size_t *len, const struct src_loc *where,
                       struct diag *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return diag_set(err, where, "'file': cannot read '%s': %s", path, strerror(errno)), NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= MAX_TRACE_BYTES)
            break;
        char *bigger = realloc(buf, 2 * cap + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    bool failed = ferror(f) != 0, too_big = buf && n == cap && !feof(f);
    fclose(f);
    if (!buf)
        return diag_set(err, where, "'file': out of memory reading '%s'", path), NULL;
    if (failed || too_big) {
        free(buf);
        if (too_big)
            return diag_set(err, where, "'file': '%s' is larger than 1GiB", path), NULL;
        return diag_set(err, where, "'file': cannot read '%s'", path), NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Splits a line at commas. Returns the number of fields (up to max kept). */
static size_t split(const char *line, size_t len, struct field *f, size_t max)
{
    size_t nf = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != ',')
            continue;
        if (nf < max) {
            size_t a = start, b = i;
            while (a < b && (line[a] == ' ' || line[a] == '\t'))
                a++;
            while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
                b--;
            f[nf] = (struct field){ line + a, b - a, (int)a + 1 };
        }
        nf++;
        start = i + 1;
    }
    return nf;
}

static bool field_is(const struct field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->p, s, f->len) == 0;
}

/* Parses a field as `t` (unit_parse needs a NUL-terminated copy). */
static int field_value(const struct cursor *c, const struct field *f, const char *name,
                       enum param_type t, struct param_value *v)
{
    char text[128];
    const char *why;
    if (f->len >= sizeof text)
        return csv_fail(c, f->col, "'%s' is too long", name);
    memcpy(text, f->p, f->len);
    text[f->len] = '\0';
    if (unit_parse(t, text, v, &why) != 0)
        return csv_fail(c, f->col, "'%s': %s", name, why);
    return 0;
}

/* bytes / offset: a plain integer is bytes; anything else a size. */
static int field_bytes(const struct cursor *c, const struct field *f, const char *name,
                       uint64_t *out)
{
    struct param_value v;
    bool plain = f->len > 0 && f->p[f->len - 1] >= '0' && f->p[f->len - 1] <= '9';
    if (field_value(c, f, name, plain ? PARAM_U64 : PARAM_SIZE, &v) != 0)
        return -1;
    *out = v.u;
    return 0;
}

static int check_header(const struct cursor *c, const char *line, size_t len)
{
    struct field f[NFIELDS + 1];
    size_t nf = split(line, len, f, NFIELDS + 1);
    for (size_t i = 0; i < NFIELDS + 1; i++) {
        bool ok = i < NFIELDS ? i < nf && field_is(&f[i], header[i]) : nf <= NFIELDS;
        if (!ok)
            return csv_fail(c, i < nf ? f[i].col : (int)len + 1,
                            "expected the header 'time,op,bytes,offset'");
    }
    return 0;
}

static int parse_row(const struct cursor *c, const char *line, size_t len, double scale,
                     sim_time_t prev, struct replay_row *row)
{
    struct field f[NFIELDS];
    size_t nf = split(line, len, f, NFIELDS);
    if (nf != NFIELDS) {
        int col = (int)len + 1;
        if (nf > NFIELDS) { /* at the first comma too many */
            const char *p = line;
            for (int k = 0; k < NFIELDS; k++)
                p = memchr(p, ',', len - (size_t)(p - line)) + 1;
            col = (int)(p - line);
        }
        return csv_fail(c, col, "expected 4 fields (time,op,bytes,offset), got %zu", nf);
    }
    struct param_value t;
    if (field_value(c, &f[0], "time", PARAM_TIME, &t) != 0)
        return -1;
    double scaled = (double)t.u * scale;
    if (!(scaled < 9e18))
        return csv_fail(c, f[0].col, "'time' = %.*s is too large once scaled by time_scale",
                        (int)f[0].len, f[0].p);
    row->t = (sim_time_t)llround(scaled);
    if (row->t < prev)
        return csv_fail(c, f[0].col, "'time' = %.*s is before the previous row's time "
                        "(rows must be in time order)", (int)f[0].len, f[0].p);
    size_t op = 0;
    while (op < IO_OPS && !field_is(&f[1], op_names[op]))
        op++;
    if (op == IO_OPS) {
        char shown[64], text[64];
        snprintf(text, sizeof text, "%.*s", (int)(f[1].len < 63 ? f[1].len : 63), f[1].p);
        return csv_fail(c, f[1].col, "'op' = '%s' is not one of: read, write, tx, rx",
                        unit_show(text, shown, sizeof shown));
    }
    row->op = (uint8_t)op;
    uint64_t bytes;
    if (field_bytes(c, &f[2], "bytes", &bytes) != 0)
        return -1;
    if (bytes < 1 || bytes > MAX_IO_BYTES)
        return csv_fail(c, f[2].col, "'bytes' = %.*s is out of range (min 1B, max 1GiB)",
                        (int)f[2].len, f[2].p);
    row->bytes = (uint32_t)bytes;
    row->offset = 0;
    return f[3].len == 0 ? 0 : field_bytes(c, &f[3], "offset", &row->offset);
}

/* A trace that loops repeats after its span plus its mean gap. */
static sim_time_t loop_period(const struct replay_trace *t)
{
    sim_time_t span = t->rows[t->n - 1].t - t->rows[0].t;
    if (span == 0)
        return 0;
    return span + (sim_time_t)llround((double)span / (double)(t->n - 1));
}

/* Parses every line of buf (NUL-terminated, len bytes) into t->rows. */
static int parse_lines(struct replay_trace *t, struct cursor *c, char *buf, size_t len,
                       double scale)
{
    int header_line = 0;
    sim_time_t prev = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        buf += 3, len -= 3; /* a UTF-8 byte order mark, as spreadsheets write */
    for (char *line = buf; line < buf + len; c->line++) {
        char *nl = memchr(line, '\n', (size_t)(buf + len - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(buf + len - line);
        char *next = nl ? nl + 1 : buf + len;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        const char *nul = memchr(line, '\0', n);
        if (nul)
            return csv_fail(c, (int)(nul - line) + 1, "NUL byte in the trace");
        size_t lead = strspn(line, " \t");
        if (lead >= n || line[lead] == '#') {
            line = next;
            continue;
        }
        if (!header_line) {
            if (check_header(c, line, n) != 0)
                return -1;
            header_line = c->line;
        } else {
            if (parse_row(c, line, n, scale, prev, &t->rows[t->n]) != 0)
                return -1;
            prev = t->rows[t->n++].t;
        }
        line = next;
    }
    if (!header_line) {
        c->line = 1;
        return csv_fail(c, 1, "empty trace: expected the header 'time,op,bytes,offset'");
    }
    if (t->n == 0) {
        c->line = header_line;
        return csv_fail(c, 1, "the trace has no rows after its header");
    }
    return 0;
}

int replay_trace_load(struct replay_trace *t, const char *path, double time_scale,
                      const struct src_loc *where, struct diag *err)
{
    size_t len;
    memset(t, 0, sizeof *t);
    char *buf = read_file(path, &len, where, err);
    if (!buf)
        return -1;
    size_t lines = 1;
    for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + len - p))); p++)
        lines++;
    t->rows = malloc(lines * sizeof *t->rows);
    struct cursor c = { path, 1, err };
    int rc = t->rows ? parse_lines(t, &c, buf, len, time_scale)
                     : diag_set(err, where, "'file': out of memory for '%s'", path);
    free(buf);
    if (rc != 0) {
        replay_trace_free(t);
        return -1;
    }
    t->period = loop_period(t);
    return 0;
}

void replay_trace_free(struct replay_trace *t)
{
    free(t->rows);
    memset(t, 0, sizeof *t);
}
