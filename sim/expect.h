/* sim/expect.h — a scenario's `expect:` section: assertions on the metrics
 * of a run, checked at its end.
 *
 *   expect:
 *     - lpar.db1.io_latency.p99 < 500us
 *     - lpar.*.ios_lost == 0
 *
 * Each item is COMPONENT.METRIC[.FIELD] OP VALUE. COMPONENT is a dotted
 * path whose parts may hold the globs * and ? (which never match a dot:
 * lpar.* is every LPAR, not its workloads); METRIC a scalar or a
 * statistic (docs/metrics.md); FIELD one of a statistic's columns,
 * count mean stddev min max p50 p90 p99 p999 (a statistic without FIELD
 * means its mean); OP one of < <= > >= == !=; VALUE written with the
 * unit of the metric's dimension (500us for a latency in ns, 50k/s for a
 * rate, 4KiB for bytes; a plain number for counts and fractions, and for
 * FIELD count), compared in the metric's unit. Every component the glob
 * matches that records the metric must satisfy it.
 *
 * Which metrics a scenario can produce is known before it runs from a
 * dry build of its machine (cli/expect_check.c): every statistic and
 * series the components register when they are built, and every scalar
 * their finish hooks write. An expectation that names a metric no
 * component of the scenario records, or a glob that matches no
 * component, is then a located error, like any other mistake in the
 * file. */
#ifndef LPARSIM_SIM_EXPECT_H
#define LPARSIM_SIM_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/stats.h"

enum expect_op { EXPECT_LT, EXPECT_LE, EXPECT_GT, EXPECT_GE, EXPECT_EQ, EXPECT_NE };

struct expect {
    const char *text;          /* as written (owned by the scenario) */
    struct src_loc loc;        /* where it was written */
    char comp[256];            /* component, with globs */
    char metric[128];
    char field[8];             /* "" or a statistic column */
    enum expect_op op;
    char value[64];            /* as written */
    /* set by expect_resolve */
    double limit;              /* VALUE in the metric's unit */
    char unit[16];
};

struct expect_list {
    struct expect *v;
    size_t n;
};

/* Parses every item of a scenario's `expect` node (NULL or empty: none).
 * Syntax errors are located in the item. Free with expect_list_free. */
int expect_parse_all(const struct cfg_node *seq, struct expect_list *out, struct diag *err);
void expect_list_free(struct expect_list *l);

/* Resolves each expectation against the metrics a run of the scenario
 * records (the recorder of a dry build, or of the run): the glob matches
 * a component that records the metric, a FIELD belongs to a statistic,
 * VALUE reads in the metric's unit. Errors are located at the item and
 * suggest the closest component or metric. */
int expect_resolve(struct expect_list *l, const struct recorder *rec, struct diag *err);

/* Checks each resolved expectation against a finished run's recorder.
 * Returns how many missed; msg receives, for each, the expression and the
 * measured value ("expect 'lpar.db1.io_latency.p99 < 500us' missed:
 * lpar.db1 io_latency.p99 = 612.3 us"), joined by "; ". */
size_t expect_evaluate(const struct expect_list *l, const struct recorder *rec, char *msg,
                       size_t n);

/* Whether name matches the component glob (* and ? stay within a dotted
 * part). */
bool expect_glob_match(const char *glob, const char *name);

#endif
