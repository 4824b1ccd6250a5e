/* workloads/size_mix.c — I/O and packet size mixes ("4KiB:0.7,64KiB:0.3"),
 * as storage traces and packet captures report them: a few sizes with
 * their shares. Parsed once when the machine is built; a draw is one
 * uniform number and a scan of at most SIZE_MIX_MAX cumulative weights. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/units.h"
#include "workloads/kinds.h"

static int mix_fail(char *msg, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int mix_fail(char *msg, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Copies [p, p+len) without surrounding blanks into buf (NUL-terminated);
 * false if it does not fit (no size or weight is that long). */
static bool copy_trimmed(char *buf, size_t cap, const char *p, size_t len)
{
    while (len > 0 && (*p == ' ' || *p == '\t'))
        p++, len--;
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    buf[0] = '\0';
    if (len >= cap)
        return false;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return true;
}

/* One "SIZE[:WEIGHT]" entry. */
static int entry_parse(const char *p, size_t len, uint64_t lo, uint64_t hi, uint32_t *bytes,
                       double *weight, char *msg, size_t n)
{
    char size_text[64], weight_text[64], shown[64], a[32], b[32];
    const char *colon = memchr(p, ':', len);
    size_t size_len = colon ? (size_t)(colon - p) : len;
    bool fits = copy_trimmed(size_text, sizeof size_text, p, size_len);
    if (colon)
        fits = fits && copy_trimmed(weight_text, sizeof weight_text, colon + 1, len - size_len - 1);
    else
        snprintf(weight_text, sizeof weight_text, "1");
    if (!fits)
        return mix_fail(msg, n, "entry '%s' is too long",
                        unit_show(p, shown, sizeof shown));

    struct param_value v;
    const char *why;
    if (!size_text[0])
        return mix_fail(msg, n, "an entry has no size (expected SIZE:WEIGHT,..., e.g. "
                        "4KiB:0.7,64KiB:0.3)");
    if (unit_parse(PARAM_SIZE, size_text, &v, &why) != 0)
        return mix_fail(msg, n, "%s", why);
    if (v.u < lo || v.u > hi)
        return mix_fail(msg, n, "size %s is out of range (min %s, max %s)", size_text,
                        workload_show(PARAM_SIZE, lo, a, sizeof a),
                        workload_show(PARAM_SIZE, hi, b, sizeof b));
    *bytes = (uint32_t)v.u;
    if (unit_parse(PARAM_F64, weight_text, &v, &why) != 0 || !isfinite(v.d))
        return mix_fail(msg, n, "the weight '%s' of %s is not a number",
                        unit_show(weight_text, shown, sizeof shown), size_text);
    if (!(v.d > 0))
        return mix_fail(msg, n, "the weight of %s is %s (weights must be > 0)", size_text,
                        weight_text);
    *weight = v.d;
    return 0;
}

int size_mix_parse(struct size_mix *m, const char *text, uint64_t min_bytes,
                   uint64_t max_bytes, char *msg, size_t n)
{
    double w[SIZE_MIX_MAX], total = 0;
    memset(m, 0, sizeof *m);
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        if (m->n == SIZE_MIX_MAX)
            return mix_fail(msg, n, "more than %d sizes", SIZE_MIX_MAX);
        if (entry_parse(p, len, min_bytes, max_bytes, &m->bytes[m->n], &w[m->n], msg, n) != 0)
            return -1;
        total += w[m->n++];
        if (!p[len])
            break;
        p += len + 1;
    }
    double run = 0;
    for (unsigned i = 0; i < m->n; i++) {
        run += w[i];
        m->cum[i] = run / total;
    }
    m->cum[m->n - 1] = 1.0; /* no draw may fall past the end by rounding */
    return 0;
}

int size_mix_from_cfg(struct size_mix *m, const struct cfg_node *cfg, const char *size_key,
                      const char *mix_key, uint64_t min_bytes, uint64_t max_bytes,
                      struct diag *err)
{
    const struct cfg_node *single = cfg_find(cfg, size_key), *mix = cfg_find(cfg, mix_key);
    const char *text = mix->v.s;
    if (!text[0]) {
        memset(m, 0, sizeof *m);
        m->n = 1;
        m->bytes[0] = (uint32_t)single->v.u;
        m->cum[0] = 1.0;
        return 0;
    }
    if (!single->is_default) { /* reported where the second one is written */
        bool single_later = single->loc.line > mix->loc.line ||
                            (single->loc.line == mix->loc.line && single->loc.col > mix->loc.col);
        return diag_set(err, single_later ? &single->loc : &mix->loc,
                        "'%s' and '%s' are both set: give one of them", size_key, mix_key);
    }
    char msg[sizeof err->msg - 64];
    if (size_mix_parse(m, text, min_bytes, max_bytes, msg, sizeof msg) != 0)
        return diag_set(err, &mix->loc, "'%s': %s", mix_key, msg);
    return 0;
}

uint32_t size_mix_draw(const struct size_mix *m, struct rng *r)
{
    if (m->n == 1)
        return m->bytes[0];
    double u = rng_uniform(r);
    unsigned i = 0;
    while (i + 1 < m->n && u >= m->cum[i])
        i++;
    return m->bytes[i];
}

uint32_t size_mix_largest(const struct size_mix *m)
{
    uint32_t max = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->bytes[i] > max)
            max = m->bytes[i];
    return max;
}
