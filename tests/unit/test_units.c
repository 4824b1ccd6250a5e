/* tests/unit/test_units.c — values written with units (sim/units.h): exact
 * parsing of every type, the error messages users see, canonical printing,
 * and the round trip parse(format(v)) == v over many random values. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"

static uint64_t rng_state = 12345;
static uint64_t rng_next(void) /* splitmix64, fixed seed */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t parse_u(enum param_type t, const char *text)
{
    struct param_value v;
    const char *why = NULL;
    int r = unit_parse(t, text, &v, &why);
    ck_assert_msg(r == 0, "'%s' did not parse: %s", text, why ? why : "?");
    return v.u;
}

static double parse_d(enum param_type t, const char *text)
{
    struct param_value v;
    const char *why = NULL;
    int r = unit_parse(t, text, &v, &why);
    ck_assert_msg(r == 0, "'%s' did not parse: %s", text, why ? why : "?");
    return v.d;
}

static void expect_error(enum param_type t, const char *text, const char *msg)
{
    struct param_value v = { 7, 7.0, NULL };
    const char *why = NULL;
    ck_assert_int_eq(unit_parse(t, text, &v, &why), -1);
    ck_assert_ptr_nonnull(why);
    ck_assert_str_eq(why, msg);
    ck_assert_uint_eq(v.u, 7); /* untouched on error */
}

static const char *fmt_u(enum param_type t, uint64_t u)
{
    static char buf[64];
    struct param_value v = { u, (double)u, NULL };
    unit_format(t, &v, buf, sizeof buf);
    return buf;
}

static const char *fmt_d(enum param_type t, double d)
{
    static char buf[64];
    struct param_value v = { 0, d, NULL };
    unit_format(t, &v, buf, sizeof buf);
    return buf;
}

START_TEST(time_parse_exact)
{
    ck_assert_uint_eq(parse_u(PARAM_TIME, "1.5s"), 1500000000000ull);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "0.1ns"), 100);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "250ns"), 250000);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "100ps"), 100);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "2ms"), 2000000000ull);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "3us"), 3000000);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "3\xc2\xb5s"), 3000000); /* µs */
    ck_assert_uint_eq(parse_u(PARAM_TIME, "2 ms"), 2000000000ull);
    ck_assert_uint_eq(parse_u(PARAM_TIME, " 7ns "), 7000);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "1e-3s"), 1000000000ull);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "0.000000000001s"), 1);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "0"), 0);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "-0ns"), 0);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "18446744s"), 18446744000000000000ull);
    ck_assert_uint_eq(parse_u(PARAM_TIME, "18446744073709551615ps"), UINT64_MAX);
}
END_TEST

START_TEST(time_errors)
{
    expect_error(PARAM_TIME, "200", "missing unit in '200' (expected a time such as 250ns)");
    expect_error(PARAM_TIME, "200GB", "'200GB' is not a time (units: ps, ns, us, ms, s)");
    expect_error(PARAM_TIME, "0.1ps",
                 "'0.1ps' has a fraction of a picosecond (times are whole ps)");
    expect_error(PARAM_TIME, "-5ns", "'-5ns' is negative (a time cannot be)");
    expect_error(PARAM_TIME, "18446745s", "'18446745s' is too large for a time");
    expect_error(PARAM_TIME, "1e99999999999s", "'1e99999999999s' is too large for a time");
    expect_error(PARAM_TIME, "", "empty value (expected a time such as 250ns)");
    expect_error(PARAM_TIME, "  ", "empty value (expected a time such as 250ns)");
    expect_error(PARAM_TIME, "ns",
                 "'ns' is not a time (expected a number with a unit, such as 250ns)");
    expect_error(PARAM_TIME, "5ns extra", "'5ns extra' is not a time (units: ps, ns, us, ms, s)");
    expect_error(PARAM_TIME, "5NS", "'5NS' is not a time (units: ps, ns, us, ms, s)");
    expect_error(PARAM_TIME, "inf", "'inf' is not a finite number");
    expect_error(PARAM_TIME, "1234567890123456789012345678901234567890ps",
                 "'1234567890123456789012345678901234567890ps' has too many digits");
    expect_error(PARAM_TIME, "1\n2ns", "'1\\x0a2ns' is not a time (units: ps, ns, us, ms, s)");
}
END_TEST

START_TEST(size_parse)
{
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "4KiB"), 4096);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "1KB"), 1000);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "64GiB"), 64ull << 30);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "2TB"), 2000000000000ull);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "3TiB"), 3ull << 40);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "5MB"), 5000000);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "5MiB"), 5ull << 20);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "512B"), 512);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "1.5KiB"), 1536);
    ck_assert_uint_eq(parse_u(PARAM_SIZE, "0.5GB"), 500000000);
    expect_error(PARAM_SIZE, "0.3KiB", "'0.3KiB' is not a whole number of bytes");
    expect_error(PARAM_SIZE, "4Kb",
                 "'4Kb' is not a size (units: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
    expect_error(PARAM_SIZE, "4096", "missing unit in '4096' (expected a size such as 4KiB)");
    expect_error(PARAM_SIZE, "16777216TiB", "'16777216TiB' is too large for a size");
    expect_error(PARAM_SIZE, "-1B", "'-1B' is negative (a size cannot be)");
}
END_TEST

START_TEST(real_units_parse)
{
    ck_assert(parse_d(PARAM_BITRATE, "10Gbps") == 1e10);
    ck_assert(parse_d(PARAM_BITRATE, "100 Mbps") == 1e8);
    ck_assert(parse_d(PARAM_BITRATE, "1.5kbps") == 1500);
    ck_assert(parse_d(PARAM_BITRATE, "2Tbps") == 2e12);
    ck_assert(parse_d(PARAM_BITRATE, "9600bps") == 9600);
    ck_assert(parse_d(PARAM_FREQ, "3.8GHz") == 3.8e9);
    ck_assert(parse_d(PARAM_FREQ, "100MHz") == 1e8);
    ck_assert(parse_d(PARAM_FREQ, "32kHz") == 32e3);
    ck_assert(parse_d(PARAM_FREQ, "50Hz") == 50);
    ck_assert(parse_d(PARAM_RATE, "200k/s") == 2e5);
    ck_assert(parse_d(PARAM_RATE, "5/ms") == 5000);
    ck_assert(parse_d(PARAM_RATE, "1M/s") == 1e6);
    ck_assert(parse_d(PARAM_RATE, "3/us") == 3e6);
    ck_assert(parse_d(PARAM_RATE, "2G/s") == 2e9);
    ck_assert(parse_d(PARAM_RATE, "0.5/s") == 0.5);
    ck_assert(parse_d(PARAM_RATE, "1k/ms") == 1e6);
    expect_error(PARAM_BITRATE, "10GT/s",
                 "'10GT/s' is not a bitrate (units: bps, kbps, Mbps, Gbps, Tbps)");
    expect_error(PARAM_FREQ, "3.8", "missing unit in '3.8' (expected a frequency such as 3.8GHz)");
    expect_error(PARAM_FREQ, "3.8ghz", "'3.8ghz' is not a frequency (units: Hz, kHz, MHz, GHz)");
    expect_error(PARAM_FREQ, "1e400Hz", "'1e400Hz' is too large for a frequency");
    expect_error(PARAM_FREQ, "-1Hz", "'-1Hz' is negative (a frequency cannot be)");
    expect_error(PARAM_RATE, "5/h",
                 "'5/h' is not a rate (write N/s, N/ms or N/us, N may end in k, M or G)");
    expect_error(PARAM_RATE, "200", "missing unit in '200' (expected a rate such as 200k/s)");
    expect_error(PARAM_RATE, "200k",
                 "'200k' is not a rate (write N/s, N/ms or N/us, N may end in k, M or G)");
}
END_TEST

START_TEST(count_and_number_parse)
{
    ck_assert_uint_eq(parse_u(PARAM_U64, "64"), 64);
    ck_assert_uint_eq(parse_u(PARAM_U64, "4k"), 4000);
    ck_assert_uint_eq(parse_u(PARAM_U64, "4Ki"), 4096);
    ck_assert_uint_eq(parse_u(PARAM_U64, "2M"), 2000000);
    ck_assert_uint_eq(parse_u(PARAM_U64, "2Mi"), 2u << 20);
    ck_assert_uint_eq(parse_u(PARAM_U64, "1G"), 1000000000);
    ck_assert_uint_eq(parse_u(PARAM_U64, "1Gi"), 1u << 30);
    ck_assert_uint_eq(parse_u(PARAM_U64, "1.5k"), 1500);
    ck_assert_uint_eq(parse_u(PARAM_U64, "18446744073709551615"), UINT64_MAX);
    ck_assert_uint_eq(parse_u(PARAM_U64, "+3"), 3);
    expect_error(PARAM_U64, "18446744073709551616", "'18446744073709551616' is too large for a count");
    expect_error(PARAM_U64, "-1", "'-1' is negative (a count cannot be)");
    expect_error(PARAM_U64, "1.5", "'1.5' is not a whole number");
    expect_error(PARAM_U64, "12x", "'12x' is not a count (suffixes: k, M, G, Ki, Mi, Gi)");
    expect_error(PARAM_U64, "many",
                 "'many' is not a count (expected a whole number such as 64 or 4Ki)");
    expect_error(PARAM_U64, "", "empty value (expected a count such as 64)");
    ck_assert(parse_d(PARAM_F64, "0.1") == 0.1);
    ck_assert(parse_d(PARAM_F64, "-2.5") == -2.5);
    ck_assert(parse_d(PARAM_F64, "1e20") == 1e20);
    ck_assert(parse_d(PARAM_F64, ".5") == 0.5);
    expect_error(PARAM_F64, "nan", "'nan' is not a finite number");
    expect_error(PARAM_F64, "-inf", "'-inf' is not a finite number");
    expect_error(PARAM_F64, ".inf", "'.inf' is not a finite number");
    expect_error(PARAM_F64, "1x", "'1x' is not a number");
    expect_error(PARAM_F64, "x", "'x' is not a number");
    expect_error(PARAM_F64, "1e999", "'1e999' is too large for a number");
}
END_TEST

START_TEST(bool_and_strings)
{
    const char *yes[] = { "true", "yes", "on", "True", "YES" };
    const char *no[] = { "false", "no", "off", "False", "OFF" };
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(parse_u(PARAM_BOOL, yes[i]), 1);
        ck_assert_uint_eq(parse_u(PARAM_BOOL, no[i]), 0);
    }
    expect_error(PARAM_BOOL, "maybe", "'maybe' is not a boolean (use true/false, yes/no or on/off)");
    expect_error(PARAM_BOOL, "", "empty value (expected true or false)");
    struct param_value v;
    const char *why;
    const char *text = "  any text  ";
    ck_assert_int_eq(unit_parse(PARAM_STR, text, &v, &why), 0);
    ck_assert_ptr_eq(v.s, text); /* strings are kept as written */
    ck_assert_int_eq(unit_parse(PARAM_ENUM, "", &v, &why), 0);
    ck_assert_int_eq(unit_parse(PARAM_REF, "s0", &v, &why), 0);
    ck_assert_str_eq(v.s, "s0");
}
END_TEST

START_TEST(format_canonical)
{
    ck_assert_str_eq(fmt_u(PARAM_TIME, 250000), "250ns");
    ck_assert_str_eq(fmt_u(PARAM_TIME, 1500000000000ull), "1500ms");
    ck_assert_str_eq(fmt_u(PARAM_TIME, 2000000000000ull), "2s");
    ck_assert_str_eq(fmt_u(PARAM_TIME, 1500), "1500ps");
    ck_assert_str_eq(fmt_u(PARAM_TIME, 0), "0s");
    ck_assert_str_eq(fmt_u(PARAM_SIZE, 4096), "4KiB");
    ck_assert_str_eq(fmt_u(PARAM_SIZE, 1000), "1KB");
    ck_assert_str_eq(fmt_u(PARAM_SIZE, 1536), "1536B");
    ck_assert_str_eq(fmt_u(PARAM_SIZE, 64ull << 30), "64GiB");
    ck_assert_str_eq(fmt_u(PARAM_SIZE, 0), "0B");
    ck_assert_str_eq(fmt_u(PARAM_U64, 4096), "4096");
    ck_assert_str_eq(fmt_u(PARAM_BOOL, 1), "true");
    ck_assert_str_eq(fmt_u(PARAM_BOOL, 0), "false");
    ck_assert_str_eq(fmt_d(PARAM_BITRATE, 1e10), "10Gbps");
    ck_assert_str_eq(fmt_d(PARAM_BITRATE, 2.5e9), "2.5Gbps");
    ck_assert_str_eq(fmt_d(PARAM_BITRATE, 0), "0bps");
    ck_assert_str_eq(fmt_d(PARAM_FREQ, 3.8e9), "3.8GHz");
    ck_assert_str_eq(fmt_d(PARAM_FREQ, 1e8), "100MHz");
    ck_assert_str_eq(fmt_d(PARAM_FREQ, 0.5), "0.5Hz");
    ck_assert_str_eq(fmt_d(PARAM_RATE, 2e5), "200k/s");
    ck_assert_str_eq(fmt_d(PARAM_RATE, 5000), "5k/s");
    ck_assert_str_eq(fmt_d(PARAM_RATE, 1e6), "1M/s");
    ck_assert_str_eq(fmt_d(PARAM_RATE, 0.25), "0.25/s");
    ck_assert_str_eq(fmt_d(PARAM_F64, 0.1), "0.1");
    ck_assert_str_eq(fmt_d(PARAM_F64, -2.5), "-2.5");
    struct param_value s = { 0, 0, "storage" };
    char buf[16];
    ck_assert_int_eq(unit_format(PARAM_ENUM, &s, buf, sizeof buf), 7);
    ck_assert_str_eq(buf, "storage");
    ck_assert_int_eq(unit_format(PARAM_TIME, &(struct param_value){ 250000, 0, 0 }, buf, 3), 5);
    ck_assert_str_eq(buf, "25"); /* truncated like snprintf */
}
END_TEST

static void round_trip(enum param_type t, struct param_value v)
{
    char buf[128];
    struct param_value back;
    const char *why = NULL;
    int n = unit_format(t, &v, buf, sizeof buf);
    ck_assert_int_gt(n, 0);
    ck_assert_int_lt(n, (int)sizeof buf);
    ck_assert_msg(unit_parse(t, buf, &back, &why) == 0, "'%s' does not parse back: %s", buf,
                  why);
    if (t == PARAM_TIME || t == PARAM_SIZE || t == PARAM_U64 || t == PARAM_BOOL)
        ck_assert_msg(back.u == v.u, "%" PRIu64 " -> '%s' -> %" PRIu64, v.u, buf, back.u);
    else
        ck_assert_msg(back.d == v.d, "%.17g -> '%s' -> %.17g", v.d, buf, back.d);
}

/* Random doubles of every magnitude: random finite bit patterns. */
static double random_double(bool nonneg)
{
    for (;;) {
        uint64_t bits = rng_next();
        double d;
        memcpy(&d, &bits, sizeof d);
        if (isfinite(d))
            return nonneg ? fabs(d) : d;
    }
}

START_TEST(round_trip_random)
{
    const enum param_type ints[] = { PARAM_TIME, PARAM_SIZE, PARAM_U64 };
    const enum param_type reals[] = { PARAM_BITRATE, PARAM_FREQ, PARAM_RATE };
    for (int i = 0; i < 20000; i++) {
        uint64_t u = rng_next() >> (rng_next() % 64);
        if (i % 3 == 0) /* values made of round units are the interesting ones */
            u = (rng_next() % 5000) * (uint64_t[]){ 1000, 1024, 1000000, 1u << 20,
                                                    1000000000000ull }[rng_next() % 5];
        round_trip(ints[i % 3], (struct param_value){ u, (double)u, NULL });
        double d = i % 2 ? random_double(true) : (double)(rng_next() % 100000) / 100 *
                                                     pow(10, (double)(rng_next() % 13));
        round_trip(reals[i % 3], (struct param_value){ 0, d, NULL });
        round_trip(PARAM_F64, (struct param_value){ 0, random_double(false), NULL });
    }
    round_trip(PARAM_TIME, (struct param_value){ UINT64_MAX, 0, NULL });
    round_trip(PARAM_SIZE, (struct param_value){ UINT64_MAX, 0, NULL });
    round_trip(PARAM_FREQ, (struct param_value){ 0, 5e-324, NULL });
    round_trip(PARAM_FREQ, (struct param_value){ 0, 1.7976931348623157e308, NULL });
    round_trip(PARAM_BOOL, (struct param_value){ 1, 1, NULL });
}
END_TEST

START_TEST(show_text)
{
    char buf[80];
    ck_assert_str_eq(unit_show("a\tb", buf, sizeof buf), "a\\x09b");
    ck_assert_str_eq(unit_show("0123456789012345678901234567890123456789012345678901234", buf,
                               sizeof buf),
                     "012345678901234567890123456789012345678901234567...");
    ck_assert_str_eq(param_type_name(PARAM_TIME), "time");
    ck_assert_str_eq(param_type_name(PARAM_U64), "count");
}
END_TEST

/* Measured values for people (sim/units_scale.c): the unit each value
 * reads best in, four digits, no exponent; whole counts exactly. */
START_TEST(measured_values)
{
    char b[64];
    ck_assert_str_eq(unit_show_measured(38680.4, "ns", b, sizeof b), "38.68 us");
    ck_assert_str_eq(unit_show_measured(3.868e7, "ns", b, sizeof b), "38.68 ms");
    ck_assert_str_eq(unit_show_measured(999, "ns", b, sizeof b), "999 ns");
    ck_assert_str_eq(unit_show_measured(60037.2, "1/s", b, sizeof b), "60.04 k/s");
    ck_assert_str_eq(unit_show_measured(120096, "", b, sizeof b), "120096");
    ck_assert_str_eq(unit_show_measured(0.82131, "", b, sizeof b), "0.8213");
    ck_assert_str_eq(unit_show_measured(65536, "B", b, sizeof b), "64 KiB");
    ck_assert_str_eq(unit_show_measured(12345.5, "-", b, sizeof b), "12.35 k");
    struct unit_scale sc = unit_scale_pick("ns", 300000);
    ck_assert_double_eq(sc.div, 1e3);
    ck_assert_str_eq(sc.sym, "us");
    ck_assert_str_eq(sc.pretty, "\xc2\xb5s");
    sc = unit_scale_pick("ps", 2e12);
    ck_assert_str_eq(sc.sym, "s");
    sc = unit_scale_pick("", 9999); /* counts keep four digits */
    ck_assert_double_eq(sc.div, 1);
    sc = unit_scale_pick("", 12000);
    ck_assert_str_eq(sc.sym, "k");
    sc = unit_scale_pick("furlongs", 1e9); /* unknown: as it is */
    ck_assert_double_eq(sc.div, 1);
    ck_assert_str_eq(sc.sym, "furlongs");
}
END_TEST

/* Parameter values in SI base units, for ORDER BY value_si. */
START_TEST(si_values)
{
    double v;
    ck_assert_int_eq(unit_value_si("40k/s", &v), 0);
    ck_assert_double_eq(v, 40000);
    ck_assert_int_eq(unit_value_si("8us", &v), 0);
    ck_assert_double_eq_tol(v, 8e-6, 1e-18);
    ck_assert_int_eq(unit_value_si("4KiB", &v), 0);
    ck_assert_double_eq(v, 4096);
    ck_assert_int_eq(unit_value_si("3", &v), 0);
    ck_assert_double_eq(v, 3);
    ck_assert_int_eq(unit_value_si("0.7", &v), 0);
    ck_assert_double_eq(v, 0.7);
    ck_assert_int_eq(unit_value_si("10Gbps", &v), 0);
    ck_assert_double_eq(v, 1e10);
    ck_assert_int_eq(unit_value_si("native", &v), -1);
    ck_assert_int_eq(unit_value_si("true", &v), -1);
}
END_TEST

static Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, time_parse_exact);
    tcase_add_test(tc, time_errors);
    tcase_add_test(tc, size_parse);
    tcase_add_test(tc, real_units_parse);
    tcase_add_test(tc, count_and_number_parse);
    tcase_add_test(tc, bool_and_strings);
    tcase_add_test(tc, format_canonical);
    tcase_add_test(tc, round_trip_random);
    tcase_add_test(tc, show_text);
    tcase_add_test(tc, measured_values);
    tcase_add_test(tc, si_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(units_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
