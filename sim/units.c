/* sim/units.c — parsing and printing values written with units (units.h),
 * and the short names of parameter types (param.h: param_type_name).
 *
 * Numbers are first read as exact decimals (digits x 10^exp), so that
 * "1.5s" becomes exactly 1500000000000 ps and "0.1ns" exactly 100 ps
 * without going through binary floating point. Integral types are then
 * scaled with overflow checks in 128-bit arithmetic; real-valued types are
 * converted with one correctly rounded strtod() of the rebuilt decimal, so
 * that printing the shortest round-trip digits and parsing them back gives
 * the same double. */
#include "sim/units.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

__extension__ typedef unsigned __int128 u128;

#define MAX_DIGITS 38 /* significant digits; 10^38 still fits in u128 */
#define EXP_LIMIT 100000

/* An exact decimal: value = digits x 10^exp10 (digits without leading or
 * trailing zeros; ndig == 0 means zero). */
struct decimal {
    bool neg;
    char digits[MAX_DIGITS + 1];
    int ndig;
    long exp10;
};

/* One unit suffix: the value is multiplied by 10^dec x 2^bin. */
struct unit {
    const char *sym;
    int dec;
    int bin;
};

static const struct unit time_units[] = {
    { "s", 12, 0 }, { "ms", 9, 0 }, { "us", 6, 0 }, { "\xc2\xb5s", 6, 0 },
    { "ns", 3, 0 }, { "ps", 0, 0 }, { 0 } };
static const struct unit size_units[] = {
    { "TiB", 0, 40 }, { "TB", 12, 0 }, { "GiB", 0, 30 }, { "GB", 9, 0 },
    { "MiB", 0, 20 }, { "MB", 6, 0 }, { "KiB", 0, 10 }, { "KB", 3, 0 },
    { "B", 0, 0 }, { 0 } };
static const struct unit bitrate_units[] = {
    { "Tbps", 12, 0 }, { "Gbps", 9, 0 }, { "Mbps", 6, 0 }, { "kbps", 3, 0 },
    { "bps", 0, 0 }, { 0 } };
static const struct unit freq_units[] = {
    { "GHz", 9, 0 }, { "MHz", 6, 0 }, { "kHz", 3, 0 }, { "Hz", 0, 0 }, { 0 } };
/* Rates are [k|M|G]/(s|ms|us); these are the printed forms. */
static const struct unit rate_units[] = {
    { "G/s", 9, 0 }, { "M/s", 6, 0 }, { "k/s", 3, 0 }, { "/s", 0, 0 }, { 0 } };
static const struct unit count_units[] = {
    { "G", 9, 0 }, { "Gi", 0, 30 }, { "M", 6, 0 }, { "Mi", 0, 20 },
    { "k", 3, 0 }, { "Ki", 0, 10 }, { "", 0, 0 }, { 0 } };

/* What each type is called in messages, its units and an example. */
struct dim {
    const char *what;
    const char *units;
    const char *example;
};

static struct dim dim_of(enum param_type t)
{
    switch (t) {
    case PARAM_TIME: return (struct dim){ "time", "units: ps, ns, us, ms, s", "250ns" };
    case PARAM_SIZE:
        return (struct dim){ "size", "units: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB", "4KiB" };
    case PARAM_BITRATE:
        return (struct dim){ "bitrate", "units: bps, kbps, Mbps, Gbps, Tbps", "10Gbps" };
    case PARAM_FREQ: return (struct dim){ "frequency", "units: Hz, kHz, MHz, GHz", "3.8GHz" };
    case PARAM_RATE:
        return (struct dim){ "rate", "write N/s, N/ms or N/us, N may end in k, M or G",
                             "200k/s" };
    case PARAM_U64: return (struct dim){ "count", "suffixes: k, M, G, Ki, Mi, Gi", "64" };
    default: return (struct dim){ "number", "", "0.5" };
    }
}

/* The message buffer: unit_parse's messages quote the text, so they are
 * built here and stay valid until the next unit_parse in this thread. */
static _Thread_local char why_buf[256];

__attribute__((format(printf, 2, 3)))
static int fail(const char **why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why_buf, sizeof why_buf, fmt, ap);
    va_end(ap);
    *why = why_buf;
    return -1;
}

const char *unit_show(const char *text, char *buf, size_t n)
{
    const size_t limit = 48; /* enough to recognise the value */
    size_t o = 0;
    assert(n >= 8);
    for (size_t i = 0; text[i] && o + 5 < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (i >= limit && (c & 0xc0) != 0x80) { /* cut at a character start */
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            if (o + 5 >= n)
                break;
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* Reads [+-]digits[.digits][e[+-]digits] at p. Returns the number of bytes
 * read (0: no number there), or -1 when it has too many digits. */
static int decimal_read(const char *p, struct decimal *d)
{
    const char *s = p;
    char all[MAX_DIGITS + 1];
    int n = 0, nfrac = 0, seen = 0;
    long zeros = 0; /* significant zeros not yet stored */
    memset(d, 0, sizeof *d);
    if (*s == '+' || *s == '-')
        d->neg = *s++ == '-';
    for (bool frac = false;; s++) {
        if (*s == '.' && !frac) {
            frac = true;
            continue;
        }
        if (!isdigit((unsigned char)*s))
            break;
        seen++;
        nfrac += frac;
        if (*s == '0' && n == 0)
            continue; /* leading zero */
        if (*s == '0') {
            zeros++;
            continue;
        }
        if (n + zeros + 1 > MAX_DIGITS)
            return -1;
        for (; zeros > 0; zeros--)
            all[n++] = '0';
        all[n++] = *s;
    }
    if (seen == 0)
        return 0;
    long e = 0;
    if ((*s == 'e' || *s == 'E') &&
        (isdigit((unsigned char)s[1]) ||
         ((s[1] == '+' || s[1] == '-') && isdigit((unsigned char)s[2])))) {
        bool eneg = s[1] == '-';
        s += (s[1] == '+' || s[1] == '-') ? 2 : 1;
        for (; isdigit((unsigned char)*s); s++)
            if (e < EXP_LIMIT)
                e = e * 10 + (*s - '0');
        e = eneg ? -e : e;
    }
    memcpy(d->digits, all, (size_t)n);
    d->digits[n] = '\0';
    d->ndig = n;
    d->exp10 = n ? e - nfrac + zeros : 0;
    return (int)(s - p);
}

/* Finds the unit whose symbol is exactly `sym`. */
static const struct unit *unit_find(const struct unit *u, const char *sym)
{
    for (; u->sym; u++)
        if (strcmp(u->sym, sym) == 0)
            return u;
    return NULL;
}

/* Rates: optional k/M/G multiplier, then /s, /ms, /us or /µs. */
static bool rate_unit(const char *sym, struct unit *out)
{
    static const struct unit per[] = {
        { "/s", 0, 0 }, { "/ms", 3, 0 }, { "/us", 6, 0 }, { "/\xc2\xb5s", 6, 0 }, { 0 } };
    int mult = 0;
    if (*sym && strchr("kMG", *sym) && sym[1] == '/')
        mult = *sym == 'k' ? 3 : *sym == 'M' ? 6 : 9;
    const struct unit *u = unit_find(per, sym + (mult ? 1 : 0));
    if (!u)
        return false;
    *out = (struct unit){ sym, u->dec + mult, 0 };
    return true;
}

/* value = d x 10^dec x 2^bin as an exact u64. Returns 0, or 1 when it is
 * not whole, 2 when it is too large. */
static int decimal_to_u64(const struct decimal *d, int dec, int bin, uint64_t *out)
{
    u128 m = 0;
    *out = 0;
    if (d->ndig == 0)
        return 0;
    for (int i = 0; i < d->ndig; i++)
        m = m * 10 + (u128)(d->digits[i] - '0');
    long e = d->exp10 + dec;
    long twos = bin;
    if (e < 0) { /* divide by 10^-e = 5^-e x 2^-e */
        for (long i = 0; i < -e; i++) {
            if (m % 5)
                return 1;
            m /= 5;
        }
        twos += e;
    }
    for (long i = 0; i < e; i++) {
        m *= 10;
        if (m > UINT64_MAX)
            return 2;
    }
    if (twos < 0) {
        if (twos < -127 || (m & (((u128)1 << -twos) - 1)))
            return 1;
        m >>= -twos;
    }
    if (m > UINT64_MAX)
        return 2;
    if (twos > 0) {
        if (twos >= 64 || m > (UINT64_MAX >> twos))
            return 2;
        m <<= twos;
    }
    *out = (uint64_t)m;
    return 0;
}

/* Correctly rounded double of d x 10^dec. */
static double decimal_to_double(const struct decimal *d, int dec)
{
    char buf[MAX_DIGITS + 32];
    if (d->ndig == 0)
        return d->neg ? -0.0 : 0.0;
    snprintf(buf, sizeof buf, "%s%se%ld", d->neg ? "-" : "", d->digits, d->exp10 + dec);
    return strtod(buf, NULL);
}

static bool is_nonfinite_word(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (*s == '.')
        s++;
    return strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0 ||
           strcasecmp(s, "infinity") == 0;
}

static int parse_bool(const char *text, struct param_value *out, const char **why)
{
    static const char *const yes[] = { "true", "yes", "on" };
    static const char *const no[] = { "false", "no", "off" };
    char shown[64];
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            out->u = strcasecmp(text, yes[i]) == 0;
            out->d = (double)out->u;
            return 0;
        }
    }
    return fail(why, "'%s' is not a boolean (use true/false, yes/no or on/off)",
                unit_show(text, shown, sizeof shown));
}

/* Finds the unit written after the number (spaces allowed before it). */
static int unit_of(enum param_type t, const char *sym, struct unit *u)
{
    const struct unit *table = t == PARAM_TIME      ? time_units
                               : t == PARAM_SIZE    ? size_units
                               : t == PARAM_BITRATE ? bitrate_units
                               : t == PARAM_FREQ    ? freq_units
                               : t == PARAM_U64     ? count_units
                                                    : NULL;
    if (t == PARAM_RATE)
        return rate_unit(sym, u) ? 0 : -1;
    if (t == PARAM_F64)
        return *sym ? -1 : (*u = (struct unit){ "", 0, 0 }, 0);
    const struct unit *f = unit_find(table, sym);
    if (!f)
        return -1;
    *u = *f;
    return 0;
}

static int parse_number(enum param_type t, const char *text, struct param_value *out,
                        const char **why)
{
    struct dim dm = dim_of(t);
    struct decimal d;
    struct unit u;
    char shown[64];
    const char *q = unit_show(text, shown, sizeof shown);
    if (is_nonfinite_word(text))
        return fail(why, "'%s' is not a finite number", q);
    int len = decimal_read(text, &d);
    if (len < 0)
        return fail(why, "'%s' has too many digits", q);
    if (len == 0 && t == PARAM_F64)
        return fail(why, "'%s' is not a number", q);
    if (len == 0 && t == PARAM_U64)
        return fail(why, "'%s' is not a count (expected a whole number such as 64 or 4Ki)", q);
    if (len == 0)
        return fail(why, "'%s' is not a %s (expected a number with a unit, such as %s)", q,
                    dm.what, dm.example);
    const char *sym = text + len;
    while (*sym == ' ')
        sym++;
    bool dimensioned = t != PARAM_U64 && t != PARAM_F64;
    if (*sym == '\0' && dimensioned && d.ndig != 0) /* a bare 0 needs no unit */
        return fail(why, "missing unit in '%s' (expected a %s such as %s)", q, dm.what,
                    dm.example);
    if (*sym == '\0' && dimensioned)
        u = (struct unit){ "", 0, 0 };
    else if (unit_of(t, sym, &u) < 0)
        return t == PARAM_F64 ? fail(why, "'%s' is not a number", q)
                              : fail(why, "'%s' is not a %s (%s)", q, dm.what, dm.units);
    if (d.neg && d.ndig != 0 && t != PARAM_F64)
        return fail(why, "'%s' is negative (a %s cannot be)", q, dm.what);
    if (t == PARAM_U64 || t == PARAM_TIME || t == PARAM_SIZE) {
        int r = decimal_to_u64(&d, u.dec, u.bin, &out->u);
        if (r == 1 && t == PARAM_TIME)
            return fail(why, "'%s' has a fraction of a picosecond (times are whole ps)", q);
        if (r == 1)
            return fail(why, "'%s' is not a whole number%s", q, t == PARAM_SIZE ? " of bytes" : "");
        if (r == 2)
            return fail(why, "'%s' is too large for a %s", q, dm.what);
        out->d = (double)out->u;
        return 0;
    }
    out->d = decimal_to_double(&d, u.dec);
    if (!isfinite(out->d))
        return fail(why, "'%s' is too large for a %s", q, dm.what);
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int unit_parse(enum param_type t, const char *text, struct param_value *out,
               const char **why)
{
    struct param_value v = { 0 };
    char trimmed[256];
    *why = NULL;
    if (t == PARAM_STR || t == PARAM_ENUM || t == PARAM_REF) {
        v.s = text;
        *out = v;
        return 0;
    }
    /* surrounding blanks are not part of the value ("  250ns ") */
    while (is_space(*text))
        text++;
    size_t n = strlen(text);
    while (n > 0 && is_space(text[n - 1]))
        n--;
    if (n == 0) {
        struct dim dm = dim_of(t);
        if (t == PARAM_BOOL)
            return fail(why, "empty value (expected true or false)");
        return fail(why, "empty value (expected a %s such as %s)", dm.what, dm.example);
    }
    if (n >= sizeof trimmed) {
        char shown[64];
        return fail(why, "'%s' is too long for a value", unit_show(text, shown, sizeof shown));
    }
    memcpy(trimmed, text, n);
    trimmed[n] = '\0';
    int r = t == PARAM_BOOL ? parse_bool(trimmed, &v, why) : parse_number(t, trimmed, &v, why);
    if (r == 0)
        *out = v;
    return r;
}

/* Writes `digits` x 10^shift as a plain decimal (or with an exponent when
 * that would be very long). */
static int put_scaled(char *buf, size_t n, const char *digits, long shift, const char *sym)
{
    int len = (int)strlen(digits);
    if (shift >= 0 && shift <= 20)
        return snprintf(buf, n, "%s%.*s%s", digits, (int)shift, "00000000000000000000", sym);
    long intlen = len + shift;
    if (shift < 0 && intlen > 0)
        return snprintf(buf, n, "%.*s.%s%s", (int)intlen, digits, digits + intlen, sym);
    if (shift < 0 && intlen > -20)
        return snprintf(buf, n, "0.%.*s%s%s", (int)-intlen, "00000000000000000000", digits,
                        sym);
    return snprintf(buf, n, "%se%ld%s", digits, shift, sym);
}

/* The shortest digits that read back as v: v = digits x 10^(*exp10). */
static void shortest_digits(double v, char *digits, long *exp10)
{
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* tmp is d[.ddd]e[+-]XX */
    char *e = strchr(tmp, 'e');
    long x = strtol(e + 1, NULL, 10);
    int n = 0;
    for (char *c = tmp; c < e; c++)
        if (isdigit((unsigned char)*c))
            digits[n++] = *c;
    long frac = n - 1;
    while (n > 1 && digits[n - 1] == '0') {
        n--;
        frac--;
    }
    digits[n] = '\0';
    *exp10 = x - frac;
}

static int format_real(const struct unit *units, double v, char *buf, size_t n)
{
    char digits[24];
    long e;
    const struct unit *base = units;
    while (base[1].sym)
        base++;
    if (v == 0 || !isfinite(v))
        return snprintf(buf, n, "%g%s", v, base->sym);
    if (v < 0) { /* never parsed, but keep the sign if code sets one */
        int r = format_real(units, -v, n > 1 ? buf + 1 : buf, n > 1 ? n - 1 : n);
        if (n > 1)
            buf[0] = '-';
        return r + 1;
    }
    shortest_digits(v, digits, &e);
    long order = e + (long)strlen(digits) - 1; /* v is in [10^order, 10^(order+1)) */
    const struct unit *u = units;
    while (u != base && u->dec > order)
        u++;
    return put_scaled(buf, n, digits, e - u->dec, u->sym);
}

/* Largest unit that divides v exactly (exact integers). */
static int format_integral(const struct unit *units, uint64_t v, const char *zero, char *buf,
                           size_t n)
{
    if (v == 0)
        return snprintf(buf, n, "%s", zero);
    for (const struct unit *u = units; u->sym; u++) {
        uint64_t m = 1;
        for (int i = 0; i < u->dec; i++)
            m *= 10;
        m <<= u->bin;
        if (v % m == 0)
            return snprintf(buf, n, "%" PRIu64 "%s", v / m, u->sym);
    }
    return snprintf(buf, n, "%" PRIu64, v); /* unreachable: the base unit divides */
}

static int format_f64(double v, char *buf, size_t n)
{
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    return snprintf(buf, n, "%s", tmp);
}

int unit_format(enum param_type t, const struct param_value *v, char *buf, size_t n)
{
    switch (t) {
    case PARAM_U64: return snprintf(buf, n, "%" PRIu64, v->u);
    case PARAM_F64: return format_f64(v->d, buf, n);
    case PARAM_BOOL: return snprintf(buf, n, "%s", v->u ? "true" : "false");
    case PARAM_TIME: return format_integral(time_units, v->u, "0s", buf, n);
    case PARAM_SIZE: return format_integral(size_units, v->u, "0B", buf, n);
    case PARAM_BITRATE: return format_real(bitrate_units, v->d, buf, n);
    case PARAM_FREQ: return format_real(freq_units, v->d, buf, n);
    case PARAM_RATE: return format_real(rate_units, v->d, buf, n);
    case PARAM_STR:
    case PARAM_ENUM:
    case PARAM_REF: return snprintf(buf, n, "%s", v->s ? v->s : "");
    }
    return snprintf(buf, n, "?");
}

const char *param_type_name(enum param_type t)
{
    switch (t) {
    case PARAM_U64: return "count";
    case PARAM_F64: return "number";
    case PARAM_BOOL: return "bool";
    case PARAM_STR: return "string";
    case PARAM_ENUM: return "enum";
    case PARAM_TIME: return "time";
    case PARAM_SIZE: return "size";
    case PARAM_BITRATE: return "bitrate";
    case PARAM_FREQ: return "freq";
    case PARAM_RATE: return "rate";
    case PARAM_REF: return "ref";
    }
    return "?";
}
