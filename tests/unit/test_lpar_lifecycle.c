/* tests/unit/test_lpar_lifecycle.c — the LPAR lifecycle: the transition
 * table of models/hypervisor/lpar_state.c, and what it does to I/O in
 * models/hypervisor/lpar.c (held while the LPAR is not running, sent in
 * order when it runs, accounted as in flight meanwhile, each transition
 * recorded). The LPAR is driven with a fake device that records what
 * reaches it and completes nothing. */
#include <check.h>
#include <string.h>

#include "models/hypervisor/lpar.h"
#include "sim/env.h"
#include "sim/kernel.h"
#include "sim/stats.h"

/* ---- the table ---------------------------------------------------------- */

START_TEST(every_allowed_transition_and_only_those)
{
    static const struct {
        enum lpar_state from;
        enum lpar_event ev;
        enum lpar_state to;
    } allowed[] = {
        { LPAR_NOT_ACTIVATED, LPAR_ACTIVATE, LPAR_STARTING },
        { LPAR_STARTING, LPAR_BOOTED, LPAR_RUNNING },
        { LPAR_STARTING, LPAR_SHUTDOWN, LPAR_SHUTTING_DOWN },
        { LPAR_RUNNING, LPAR_SUSPEND, LPAR_SUSPENDED },
        { LPAR_RUNNING, LPAR_SHUTDOWN, LPAR_SHUTTING_DOWN },
        { LPAR_SUSPENDED, LPAR_RESUME, LPAR_RUNNING },
        { LPAR_SHUTTING_DOWN, LPAR_STOPPED, LPAR_NOT_ACTIVATED },
    };
    const size_t n = sizeof allowed / sizeof allowed[0];
    unsigned ok = 0;
    for (int s = 0; s < LPAR_STATES; s++)
        for (int e = 0; e < LPAR_EVENTS; e++) {
            int want = -1;
            for (size_t i = 0; i < n; i++)
                if (allowed[i].from == (enum lpar_state)s && allowed[i].ev == (enum lpar_event)e)
                    want = (int)allowed[i].to;
            ck_assert_msg(lpar_state_next(s, e) == want, "%s --%s--> %d, want %d",
                          lpar_state_name(s), lpar_event_name(e), lpar_state_next(s, e), want);
            ok += want >= 0;
        }
    ck_assert_uint_eq(ok, n);
    ck_assert_int_eq(lpar_state_next(LPAR_STATES, LPAR_ACTIVATE), -1);
    ck_assert_str_eq(lpar_state_name(LPAR_SUSPENDED), "suspended");
    ck_assert_str_eq(lpar_event_name(LPAR_RESUME), "resume");
}
END_TEST

/* ---- an LPAR in its states ---------------------------------------------- */

#define MAX_SEEN 16

static struct {
    struct kernel *k;
    struct recorder *rec;
    struct env env;
    struct lpar *l;
    struct io_req *seen[MAX_SEEN];
    unsigned nseen;
} rig;

static void device_submit(void *ctx, struct io_req *r)
{
    (void)ctx;
    r->holder = &rig; /* the device holds it: in flight */
    if (rig.nseen < MAX_SEEN)
        rig.seen[rig.nseen++] = r;
}

static void rig_close(void)
{
    lpar_destroy(rig.l);
    if (rig.rec)
        env_release(&rig.env);
    recorder_destroy(rig.rec);
    kernel_destroy(rig.k);
    memset(&rig, 0, sizeof rig);
}

static void rig_open(void)
{
    rig_close();
    rig.k = kernel_create(KERNEL_NATIVE, 64);
    rig.rec = recorder_create(0);
    ck_assert(rig.k && rig.rec);
    env_init(&rig.env, rig.k, rig.rec, 1, 0, SIM_S, 0, 0);
    struct lpar_device_spec dev = { .name = "", .abstract = true,
                                    .sink = { device_submit, NULL } };
    struct diag err;
    rig.l = lpar_create(&rig.env, "a", NULL, &dev, 1, &err);
    ck_assert_ptr_nonnull(rig.l);
}

static int issue(uint64_t tag)
{
    struct io_issue_port p = lpar_issue_port(rig.l, 0);
    struct io_spec spec = { .bytes = 4096, .op = IO_READ, .tag = tag };
    return p.issue(p.ctx, &spec);
}

static double scalar(const char *name)
{
    double v = -1;
    recorder_scalar_get(rig.rec, "lpar.a", name, &v);
    return v;
}

START_TEST(io_waits_until_the_lpar_runs_and_goes_out_in_order)
{
    rig_open();
    ck_assert_int_eq(lpar_current_state(rig.l), LPAR_NOT_ACTIVATED);
    ck_assert_int_eq(issue(1), 0);
    ck_assert_int_eq(issue(2), 0);
    ck_assert_uint_eq(rig.nseen, 0);
    ck_assert_int_eq(lpar_lifecycle(rig.l, LPAR_ACTIVATE), 0);
    ck_assert_uint_eq(rig.nseen, 0); /* starting: still not running */
    ck_assert_int_eq(lpar_lifecycle(rig.l, LPAR_BOOTED), 0);
    ck_assert_uint_eq(rig.nseen, 2);
    ck_assert_uint_eq(rig.seen[0]->tag, 1);
    ck_assert_uint_eq(rig.seen[1]->tag, 2);
    ck_assert_int_eq(issue(3), 0); /* running: straight to the device */
    ck_assert_uint_eq(rig.nseen, 3);
    env_finish(&rig.env);
    ck_assert_double_eq(scalar("ios_held"), 2);
    ck_assert_double_eq(scalar("ios_in_flight"), 3);
    ck_assert_double_eq(scalar("ios_lost"), 0);
}
END_TEST

START_TEST(a_suspended_lpar_holds_io_until_resumed)
{
    rig_open();
    lpar_start(rig.l); /* activate_at 0, boot 0: running, nothing recorded */
    ck_assert_int_eq(lpar_current_state(rig.l), LPAR_RUNNING);
    const struct event_row *rows;
    ck_assert_uint_eq(recorder_events(rig.rec, &rows), 0);
    ck_assert_int_eq(lpar_lifecycle(rig.l, LPAR_SUSPEND), 0);
    issue(7);
    ck_assert_uint_eq(rig.nseen, 0);
    env_finish(&rig.env); /* a held I/O is in flight, not lost */
    ck_assert_double_eq(scalar("ios_in_flight"), 1);
    ck_assert_double_eq(scalar("ios_lost"), 0);
    ck_assert_int_eq(lpar_lifecycle(rig.l, LPAR_RESUME), 0);
    ck_assert_uint_eq(rig.nseen, 1);
    ck_assert_uint_eq(recorder_events(rig.rec, &rows), 2);
    ck_assert_str_eq(rows[0].kind, "lpar_state");
    ck_assert_str_eq(rows[1].detail, "resume -> running");
}
END_TEST

START_TEST(a_refused_event_changes_nothing)
{
    rig_open();
    ck_assert_int_eq(lpar_lifecycle(rig.l, LPAR_RESUME), -1);
    ck_assert_int_eq(lpar_lifecycle(rig.l, LPAR_SUSPEND), -1);
    ck_assert_int_eq(lpar_current_state(rig.l), LPAR_NOT_ACTIVATED);
    const struct event_row *rows;
    ck_assert_uint_eq(recorder_events(rig.rec, &rows), 0);
}
END_TEST

static void teardown(void)
{
    rig_close();
}

int main(void)
{
    Suite *s = suite_create("lpar_lifecycle");
    TCase *t = tcase_create("lpar_lifecycle");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_add_test(t, every_allowed_transition_and_only_those);
    tcase_add_test(t, io_waits_until_the_lpar_runs_and_goes_out_in_order);
    tcase_add_test(t, a_suspended_lpar_holds_io_until_resumed);
    tcase_add_test(t, a_refused_event_changes_nothing);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
