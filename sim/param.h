/* sim/param.h — typed, unit-carrying parameter descriptors.
 *
 * Every component declares its parameters in one static table next to its
 * code (name, type, unit, default, one-line doc, range). The scenario
 * loader validates and resolves scenario values against these tables,
 * `lparsim params` lists them, and docs/model-reference.md documents them.
 *
 *   static const struct param_desc tce_cache_params[] = {
 *       { "entries", PARAM_U64,  "",   "64",    "TCE cache entries", .min = "1" },
 *       { "walk",    PARAM_TIME, "ns", "280ns", "added latency of a miss" },
 *       { 0 }
 *   };
 */
#ifndef LPARSIM_SIM_PARAM_H
#define LPARSIM_SIM_PARAM_H

#include <stdbool.h>
#include <stdint.h>

enum param_type {
    PARAM_U64,     /* unsigned integer count; accepts k/M/G suffixes */
    PARAM_F64,     /* real number, dimensionless */
    PARAM_BOOL,    /* true/false, yes/no, on/off */
    PARAM_STR,     /* free text */
    PARAM_ENUM,    /* one of `choices` ("a|b|c") */
    PARAM_TIME,    /* ps internally; written 250ns, 2ms, 1.5s, 100ps */
    PARAM_SIZE,    /* bytes; written 4KiB, 64GiB, 512B, 1MB (SI) */
    PARAM_BITRATE, /* bit/s; written 10Gbps, 8GT/s is not a bitrate */
    PARAM_FREQ,    /* Hz; written 3.8GHz, 100MHz */
    PARAM_RATE,    /* events per second; written 200k/s, 5/ms, 1M/s */
    PARAM_REF,     /* the name of an item of the list named in `choices` */
};

struct param_desc {
    const char *name;
    enum param_type type;
    const char *unit;    /* unit the value is documented/reported in */
    const char *def;     /* default as scenario text; NULL = required */
    const char *doc;     /* one line */
    const char *min;     /* inclusive bound as scenario text; NULL = none */
    const char *max;
    const char *choices; /* PARAM_ENUM: "a|b|c"; PARAM_REF: list key */
    /* A timeline `set` may change it while the machine runs (the
     * component registered a setter for it: sim/env.h env_on_set). */
    bool runtime;
};

/* A parsed value. Integral types (U64, TIME, SIZE, BOOL) use `u`; the
 * real-valued ones (F64, BITRATE, FREQ, RATE) use `d`; both are always
 * filled (d = (double)u for integral types). STR/ENUM/REF use `s`. */
struct param_value {
    uint64_t u;
    double d;
    const char *s;
};

const char *param_type_name(enum param_type t);

#endif
