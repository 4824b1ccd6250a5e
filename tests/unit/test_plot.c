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

/* Labels that would overlap go to rows of their own; phases stack by
 * depth; the data end below every row. */
START_TEST(band_layout)
{
    struct plot_data pd = { 0 };
    ck_assert_int_eq(plot_mark_add(&pd, 10, "lpar_state: booted -> running"), 0);
    ck_assert_int_eq(plot_mark_add(&pd, 12, "irq_rebalance: 3 to t5"), 0);
    ck_assert_int_eq(plot_mark_add(&pd, 300, "far away"), 0);
    ck_assert_int_eq(plot_mark_add(&pd, 399, "near the end"), 0);
    ck_assert_int_eq(plot_phase_add(&pd, 50, 300, "lpm"), 0);
    ck_assert_int_eq(plot_phase_add(&pd, 60, 200, "lpm_precopy"), 0);
    pd.phases[1].depth = 1;
    plot_band_layout(&pd, 400);
    ck_assert_int_eq(pd.marks[0].row, 2); /* below the two phase rows */
    ck_assert_int_eq(pd.marks[1].row, 3); /* overlaps the first: next row */
    ck_assert_int_eq(pd.marks[2].row, 2); /* clear of the first again */
    ck_assert(pd.marks[3].right);         /* would pass the right edge */
    ck_assert_int_eq(pd.band_rows, 4);
    ck_assert_double_eq_tol(pd.data_top, 1 - 4 * PLOT_ROW_H - 0.05, 1e-12);
    plot_data_free(&pd);
}
END_TEST

/* Many short phases in a row keep their bars; a label that would have to
 * start past its own phase is left out; one at the right edge ends there. */
START_TEST(band_phase_labels)
{
    struct plot_data pd = { 0 };
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(plot_phase_add(&pd, 100 + 10 * i, 110 + 10 * i, "round"), 0);
    ck_assert_int_eq(plot_phase_add(&pd, 390, 400, "switch"), 0);
    plot_band_layout(&pd, 400);
    ck_assert(!isnan(pd.phases[0].label_x));
    size_t labelled = 0;
    for (int i = 0; i < 10; i++)
        labelled += !isnan(pd.phases[i].label_x);
    ck_assert_uint_lt(labelled, 10);
    for (int i = 0; i < 10; i++)
        ck_assert(isnan(pd.phases[i].label_x) || pd.phases[i].label_x <= pd.phases[i].t1);
    ck_assert(!isnan(pd.phases[10].label_x));
    ck_assert_double_le(pd.phases[10].label_x + 6 * PLOT_CHAR_W * 400, 400 + 1e-9);
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
    tcase_add_test(tc, band_layout);
    tcase_add_test(tc, band_phase_labels);
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
