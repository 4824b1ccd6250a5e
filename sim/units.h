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

#endif
