/* cli/expect_check.h — a scenario's `expect:` assertions before and after
 * its run (the expressions are parsed and checked in sim/expect.c). */
#ifndef LPARSIM_CLI_EXPECT_CHECK_H
#define LPARSIM_CLI_EXPECT_CHECK_H

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/expect.h"

/* Parses the scenario's expectations and resolves them against the
 * metrics its machine records, learnt from a dry build (below): a metric
 * the scenario cannot produce, or a glob that matches no component, is a
 * located error. A scenario without `expect:` costs nothing. On success
 * *l holds the resolved list (free with expect_list_free). */
int expect_check(const struct cfg_node *root, struct expect_list *l, struct diag *err);

/* The metrics a scenario's machine records, without running it: the
 * machine is built on the native kernel (which, unlike SystemC's, may be
 * created more than once in a process), and its finish hooks are run at
 * time 0, which registers every statistic and series and writes every
 * scalar. Returns the recorder (recorder_destroy it), or NULL with *err. */
struct recorder *expect_dry_build(const struct cfg_node *root, struct diag *err);

#endif
