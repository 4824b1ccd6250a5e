/* cli/validate_lpm.h — live partition mobility rows of `lparsim
 * validate`: a migration's total time, downtime, pre-copy rounds and
 * bytes moved against closed forms (docs/validation.md "Live partition
 * mobility"):
 *  - no dirtying and no device DMA: memory / rate + latency + the fixed
 *    costs and hypervisor calls of every phase, exact to the picosecond;
 *  - uniform dirtying over a working set of W pages at d pages/s: the
 *    recursion N(i+1) = W (1 - (1 - 1/W)^(d T(i))) with the stop rule
 *    (rounds exact; bytes and times within 2%; every point at least 5%
 *    from a stop threshold);
 *  - working set = memory and d T(0) <= 1% of W: the geometric pre-copy
 *    model (Akoush et al., MASCOTS 2010; Liu et al., HPDC 2011). */
#ifndef LPARSIM_CLI_VALIDATE_LPM_H
#define LPARSIM_CLI_VALIDATE_LPM_H

#include <stdio.h>

#include "sim/kernel.h"

/* Runs the rows' scenarios on backend k and prints the rows in
 * cli/validate.c's format. Returns the failed rows, or -1 when a
 * scenario cannot run (message on stderr). */
int validate_lpm(FILE *out, enum kernel_backend k);

/* The pre-copy recursion (exposed for the tests and the sweep figure's
 * model curve): memory of `pages` pages of `page` bytes, a working set
 * of w pages dirtied at d pages/s, link rate r bytes/s and latency
 * lat_s, the stop rule (downtime_limit dl_s, max_rounds, max_factor).
 * Fills rounds (round 0 included), the pages of the stop-and-copy, the
 * pages sent in all, and the pre-copy's duration; the smallest relative
 * distance of any stop test from its threshold into *margin. */
struct lpm_model {
    unsigned rounds;
    double stop_pages, sent_pages, precopy_s, margin;
};
void lpm_model_recursion(double pages, double page, double w, double d, double r,
                         double lat_s, double dl_s, unsigned max_rounds, double max_factor,
                         struct lpm_model *m);

#endif
