/* cli/plot_meta.c — puts the provenance into the rendered figure file
 * itself, where the format has a place for it. gnuplot's cairo terminals
 * have no metadata option, so lparsim edits the file after gnuplot wrote
 * it (in lparsim's temporary directory, before the rename):
 *
 *   PDF  an incremental update (PDF 1.7, 7.5.6): a new document
 *        information dictionary (/Title /Subject /Keywords /Creator
 *        /Producer /CreationDate) and an xref section appended after the
 *        original bytes, which stay untouched. Readers (pdfinfo, viewers)
 *        take the newest trailer. Done only for a classic xref table as
 *        cairo writes it; anything else is left alone.
 *   PNG  text chunks (Title, Description, Software) inserted before
 *        IEND, each with its CRC-32: tEXt for ASCII, iTXt for UTF-8.
 *   SVG  the provenance appended, XML-escaped, to gnuplot's <desc>.
 *   TeX  `%` comment lines at the top of the .tex (its graphics PDF gets
 *        the PDF treatment).
 *
 * Rerunning gnuplot on the .gp yields the figure without these; the .gp
 * header always carries the same provenance. */
#define _POSIX_C_SOURCE 200809L
#include "cli/plot_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- file as bytes ---- */

struct bytes {
    unsigned char *p;
    size_t n, cap;
};

static bool read_all(const char *path, struct bytes *b)
{
    FILE *f = fopen(path, "rb");
    memset(b, 0, sizeof *b);
    if (!f)
        return false;
    bool ok = true;
    for (;;) {
        if (b->n == b->cap) {
            size_t cap = b->cap ? 2 * b->cap : 65536;
            unsigned char *p = realloc(b->p, cap);
            if (!p) {
                ok = false;
                break;
            }
            b->p = p;
            b->cap = cap;
        }
        size_t got = fread(b->p + b->n, 1, b->cap - b->n, f);
        b->n += got;
        if (got == 0) {
            ok = !ferror(f);
            break;
        }
    }
    fclose(f);
    return ok;
}

static bool put(struct bytes *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p)
            return false;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    return true;
}

static bool put_str(struct bytes *b, const char *s)
{
    return put(b, s, strlen(s));
}

/* Writes the head of old (n bytes), then the new bytes, then the rest. */
static bool write_spliced(const char *path, const struct bytes *old, size_t at,
                          const struct bytes *ins)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(old->p, 1, at, f) == at && fwrite(ins->p, 1, ins->n, f) == ins->n &&
              fwrite(old->p + at, 1, old->n - at, f) == old->n - at;
    return fclose(f) == 0 && ok;
}

/* ---- PDF ---- */

/* Finds needle in the last `window` bytes of b; the offset of its last
 * occurrence or -1. */
static long find_last(const struct bytes *b, const char *needle, size_t window)
{
    size_t k = strlen(needle);
    size_t from = b->n > window ? b->n - window : 0;
    for (size_t i = b->n >= k ? b->n - k + 1 : 0; i-- > from;)
        if (memcmp(b->p + i, needle, k) == 0)
            return (long)i;
    return -1;
}

/* A PDF string: literal (escaped) for ASCII, else UTF-16BE hex with BOM. */
static bool pdf_string(struct bytes *b, const char *s)
{
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        ascii = ascii && *p < 0x80;
    char buf[16];
    if (ascii) {
        bool ok = put_str(b, "(");
        for (const char *p = s; *p; p++) {
            if (*p == '(' || *p == ')' || *p == '\\')
                ok = ok && put_str(b, "\\");
            if ((unsigned char)*p < 0x20) {
                snprintf(buf, sizeof buf, "\\%03o", (unsigned char)*p);
                ok = ok && put_str(b, buf);
            } else {
                ok = ok && put(b, p, 1);
            }
        }
        return ok && put_str(b, ")");
    }
    bool ok = put_str(b, "<FEFF");
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = 0xfffd, len = 1;
        if (*p >= 0xf0 && p[1] && p[2] && p[3])
            cp = (p[0] & 7u) << 18 | (p[1] & 63u) << 12 | (p[2] & 63u) << 6 | (p[3] & 63u), len = 4;
        else if (*p >= 0xe0 && p[1] && p[2])
            cp = (p[0] & 15u) << 12 | (p[1] & 63u) << 6 | (p[2] & 63u), len = 3;
        else if (*p >= 0xc0 && p[1])
            cp = (p[0] & 31u) << 6 | (p[1] & 63u), len = 2;
        else if (*p < 0x80)
            cp = *p;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            snprintf(buf, sizeof buf, "%04X%04X", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
            snprintf(buf, sizeof buf, "%04X", cp);
        }
        ok = ok && put_str(b, buf);
        p += len;
    }
    return ok && put_str(b, ">");
}

/* Reads the unsigned integer after `key` in [from, b->n); -1 if absent. */
static long long int_after(const struct bytes *b, long from, const char *key)
{
    size_t k = strlen(key);
    for (size_t i = (size_t)from; i + k < b->n; i++) {
        if (memcmp(b->p + i, key, k) != 0)
            continue;
        char num[24];
        size_t j = i + k, n = 0;
        while (j < b->n && (b->p[j] == ' ' || b->p[j] == '\r' || b->p[j] == '\n'))
            j++;
        while (j < b->n && n + 1 < sizeof num && b->p[j] >= '0' && b->p[j] <= '9')
            num[n++] = (char)b->p[j++];
        num[n] = '\0';
        return n ? strtoll(num, NULL, 10) : -1;
    }
    return -1;
}

static bool pdf_info(struct bytes *b, long long obj, const char *title, const char *text)
{
    char buf[128], date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "D:%Y%m%d%H%M%SZ", &tm);
    snprintf(buf, sizeof buf, "%lld 0 obj\n<< /Title ", obj);
    bool ok = put_str(b, buf) && pdf_string(b, title) && put_str(b, "\n   /Subject ") &&
              pdf_string(b, text) && put_str(b, "\n   /Keywords (lparsim provenance)") &&
              put_str(b, "\n   /Creator (lparsim plot " LPARSIM_VERSION ")") &&
              put_str(b, "\n   /Producer (gnuplot pdfcairo; metadata by lparsim)") &&
              put_str(b, "\n   /CreationDate ") && pdf_string(b, date) &&
              put_str(b, " >>\nendobj\n");
    return ok;
}

static bool embed_pdf(const char *path, const char *title, const char *text)
{
    struct bytes b, add = { 0 };
    if (!read_all(path, &b))
        return false;
    long sx = find_last(&b, "startxref", 1024), tr = find_last(&b, "trailer", 4096);
    long long prev = sx >= 0 ? int_after(&b, sx, "startxref") : -1;
    long long size = tr >= 0 ? int_after(&b, tr, "/Size") : -1;
    long long root = tr >= 0 ? int_after(&b, tr, "/Root") : -1;
    /* a classic table: "xref" where startxref points (not an xref stream) */
    bool ok = prev > 0 && size > 0 && root > 0 && (size_t)prev + 4 < b.n &&
              memcmp(b.p + prev, "xref", 4) == 0;
    if (ok) {
        size_t obj_at = b.n + 1;
        char buf[256];
        ok = put_str(&add, "\n") && pdf_info(&add, size, title, text);
        size_t xref_at = b.n + add.n;
        snprintf(buf, sizeof buf,
                 "xref\n0 1\n0000000000 65535 f \n%lld 1\n%010zu 00000 n \n"
                 "trailer\n<< /Size %lld /Root %lld 0 R /Info %lld 0 R /Prev %lld >>\n"
                 "startxref\n%zu\n%%%%EOF\n",
                 size, obj_at, size + 1, root, size, prev, xref_at);
        ok = ok && put_str(&add, buf) && write_spliced(path, &b, b.n, &add);
    }
    free(b.p);
    free(add.p);
    return ok;
}

/* ---- PNG ---- */

static uint32_t crc32_png(const unsigned char *p, size_t n, uint32_t crc)
{
    static uint32_t table[256];
    if (!table[1]) /* the reflected CRC-32 of ISO 3309, as PNG specifies */
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static bool put_be32(struct bytes *b, uint32_t v)
{
    unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 8), (unsigned char)v };
    return put(b, x, 4);
}

/* A text chunk: tEXt (Latin-1, read by every PNG tool) when the text is
 * ASCII, else iTXt (UTF-8: keyword, no compression, no language). */
static bool png_text(struct bytes *b, const char *key, const char *text)
{
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        ascii = ascii && *p < 0x80;
    struct bytes c = { 0 };
    bool ok = put_str(&c, ascii ? "tEXt" : "iTXt") && put(&c, key, strlen(key) + 1) &&
              (ascii || put(&c, "\0\0\0", 4)) && put_str(&c, text);
    ok = ok && put_be32(b, (uint32_t)(c.n - 4)) && put(b, c.p, c.n) &&
         put_be32(b, crc32_png(c.p, c.n, 0));
    free(c.p);
    return ok;
}

static bool embed_png(const char *path, const char *title, const char *text)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    struct bytes b, add = { 0 };
    if (!read_all(path, &b))
        return false;
    /* IEND is the last chunk: 4 length bytes (0), "IEND", 4 CRC bytes */
    bool ok = b.n > 20 && memcmp(b.p, sig, 8) == 0 && memcmp(b.p + b.n - 8, "IEND", 4) == 0;
    ok = ok && png_text(&add, "Title", title) && png_text(&add, "Description", text) &&
         png_text(&add, "Software", "lparsim plot " LPARSIM_VERSION " (gnuplot pngcairo)") &&
         write_spliced(path, &b, b.n - 12, &add);
    free(b.p);
    free(add.p);
    return ok;
}

/* ---- SVG and TeX ---- */

static bool put_xml(struct bytes *b, const char *s)
{
    bool ok = true;
    for (; *s && ok; s++) {
        switch (*s) {
        case '<': ok = put_str(b, "&lt;"); break;
        case '>': ok = put_str(b, "&gt;"); break;
        case '&': ok = put_str(b, "&amp;"); break;
        default: ok = put(b, s, 1);
        }
    }
    return ok;
}

static long find_first(const struct bytes *b, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= b->n; i++)
        if (memcmp(b->p + i, needle, k) == 0)
            return (long)i;
    return -1;
}

static bool embed_svg(const char *path, const char *title, const char *text)
{
    struct bytes b, add = { 0 };
    if (!read_all(path, &b))
        return false;
    long at = find_first(&b, "</desc>");
    bool ok = at > 0 && put_str(&add, "\n") && put_xml(&add, title) && put_str(&add, "\n") &&
              put_xml(&add, text) && put_str(&add, "\n") &&
              write_spliced(path, &b, (size_t)at, &add);
    free(b.p);
    free(add.p);
    return ok;
}

static bool embed_tex(const char *path, const char *title, const char *text)
{
    struct bytes b, add = { 0 };
    if (!read_all(path, &b))
        return false;
    bool ok = put_str(&add, "% ") && put_str(&add, title) && put_str(&add, "\n% ");
    for (const char *p = text; *p && ok; p++)
        ok = *p == '\n' ? put_str(&add, "\n% ") : put(&add, p, 1);
    ok = ok && put_str(&add, "\n") && write_spliced(path, &b, 0, &add);
    free(b.p);
    free(add.p);
    return ok;
}

bool plot_embed_metadata(const char *path, enum plot_format fmt, const char *title,
                         const char *text)
{
    switch (fmt) {
    case FMT_PDF: return embed_pdf(path, title, text);
    case FMT_PNG: return embed_png(path, title, text);
    case FMT_SVG: return embed_svg(path, title, text);
    case FMT_TEX: return embed_tex(path, title, text);
    }
    return false;
}
