/* sim/units.h — parsing and printing values written with units.
 *
 * Accepted forms (case-sensitive suffixes, optional space before the unit):
 *   time     ps ns us µs ms s            -> picoseconds (exact integer)
 *   size     B KB MB GB TB (SI) KiB MiB GiB TiB (binary)   -> bytes
 *   bitrate  bps kbps Mbps Gbps Tbps     -> bit/s
 *   freq     Hz kHz MHz GHz              -> Hz
 *   rate     N/s N/ms N/us, with k M G multipliers: 200k/s -> 1/s
 *   count    plain integer, or with k M G (x1000) / Ki Mi Gi (x1024)
 * A number without a unit is an error for every dimensioned type (except
 * a bare 0, which means the same in every unit). */
#ifndef LPARSIM_SIM_UNITS_H
#define LPARSIM_SIM_UNITS_H

#include <stddef.h>

#include "sim/param.h"

/* Parses `text` as a value of type t into *out (s points into text for
 * string types). On error returns -1 and sets *why to a message that
 * quotes the text, such as "missing unit in '200' (expected a time such as
 * 250ns)" or "'200GB' is not a time (units: ps, ns, us, ms, s)"; it lives
 * in a thread-local buffer, valid until the next unit_parse in the same
 * thread. Blanks around the value are ignored; a bare 0 needs no unit.
 * ENUM and REF are parsed as strings here; the caller checks
 * choices/references. */
int unit_parse(enum param_type t, const char *text, struct param_value *out,
               const char **why);

/* Prints v in a canonical, re-parseable form with the largest unit that
 * keeps it exact where possible ("250ns", "4KiB", "10Gbps", "200k/s").
 * Returns the snprintf-style length. */
int unit_format(enum param_type t, const struct param_value *v, char *buf,
                size_t n);

/* Copies user text into buf (n >= 8) fit for quoting in a one-line
 * message: control characters escaped as \xNN, text longer than 48 bytes
 * cut with "...". Returns buf. */
const char *unit_show(const char *text, char *buf, size_t n);

/* (sim/units_scale.c) How values of a metric in `unit` ("ns", "1/s",
 * "B", "bit/s", "Hz", "cycles", "" or "-") up to maxabs read best:
 * divided by `div`, in `sym` ("us", "k/s", "MiB", "k"); `pretty` is the
 * same symbol for figures ("µs"). A dimension moves up a unit as
 * soon as the value reaches it (300000 ns: 300 us); counts at ten times
 * it (12000: 12 k), so that numbers keep four digits. An unknown unit is
 * left as it is. */
struct unit_scale {
    double div;
    const char *sym, *pretty;
};
struct unit_scale unit_scale_pick(const char *unit, double maxabs);

/* v of a metric in `unit`, for people: "38.68 ms", "60.04 k/s", "0.8213";
 * whole counts exactly ("120096"). Never an exponent above 0.001.
 * Returns buf. */
const char *unit_show_measured(double v, const char *unit, char *buf, size_t n);

/* The value of text (a parameter as written: "40k/s", "8us", "4KiB",
 * "3") in SI base units (1/s, s, B, bit/s, Hz, or the plain number).
 * -1 when it is not a number (an enum, a name, "true"). */
int unit_value_si(const char *text, double *out);

#endif
