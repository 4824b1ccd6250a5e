/* cli/sweep_exec.c — local sweep execution (sweep_exec.h).
 *
 * One fork()ed worker per run, never more than -j at a time. The parent
 * never creates a kernel (SystemC has one simulation context per process
 * and cannot restart it); it only forks, waits and keeps the tally. Each
 * worker applies its point to its copy of the scenario, runs it, writes
 * its run in one transaction and reports through a pipe whether that row
 * is ok or failed. Workers ask for SIGKILL when the parent dies
 * (PR_SET_PDEATHSIG), so a kill -9 of the sweep stops everything and the
 * transactions under way roll back: a later --resume finds only whole
 * runs. A worker that dies without reporting (signal, odd exit) gets a
 * failed row written by the parent, with the reason.
 *
 * The parent blocks SIGCHLD and waits in sigtimedwait with a one-second
 * timeout, so it wakes at once when a worker ends and otherwise redraws
 * the progress line every second. A Ctrl-C (SIGINT, or SIGTERM) stops the
 * sweep: the workers under way are killed before they commit, so the
 * runs they had started write nothing, the finished ones stay, and
 * `--resume` completes the sweep. */
#define _GNU_SOURCE /* pipe2, sigtimedwait, strsignal */
#include "cli/sweep_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/run.h"

/* What a worker writes to its pipe after its row is committed. */
#define REPORT_OK SWEEP_RUN_OK
#define REPORT_FAILED SWEEP_RUN_FAILED
#define REPORT_CHECK SWEEP_RUN_CHECK_FAILED /* completed, check_failed: done, not rerun */
#define REPORT_MAX 600 /* < PIPE_BUF: one atomic write */

/* Test hooks: a worker whose point includes the assignment PATH=VALUE
 * named by one of these variables aborts before running, as a crashing
 * model would (tests/scenario/sweep_failures.sh), or sends SIGINT to the
 * sweep and to itself, as a Ctrl-C in the terminal would
 * (tests/scenario/interrupt.sh). Nothing else reads them. */
#define TEST_ABORT_ENV "LPARSIM_TEST_WORKER_ABORT"
#define TEST_INTERRUPT_ENV "LPARSIM_TEST_WORKER_INTERRUPT"

/* SIGINT or SIGTERM to the sweep: the signal's number. */
static volatile sig_atomic_t sweep_stop;

static void on_stop_signal(int sig)
{
    sweep_stop = sig;
}

struct worker {
    pid_t pid;
    size_t run;            /* index into plan->runs */
    int fd;                /* read end of its report pipe */
    double t0;
    char started_at[32];
};

struct sweep_exec {
    struct sweep_plan *p;
    const struct sweep_exec_options *o;
    struct sweep_tally *t;
    struct diag *err;
    struct worker *w;      /* o->jobs slots; pid 0 = free */
    size_t active;
    bool fatal;
    double t0;
    pid_t self;
    sigset_t chld, oldmask;
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void utc_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the worker (child) side ---- */

static void worker_report(int fd, char kind, const char *error)
{
    char msg[REPORT_MAX];
    int n = snprintf(msg, sizeof msg, "%c%s", kind, error ? error : "");
    if (n > (int)sizeof msg - 1)
        n = (int)sizeof msg - 1;
    ssize_t w = write(fd, msg, (size_t)n);
    (void)w; /* nothing to do: the parent then treats the run as unreported */
}

static bool test_hook_requested(const struct sweep_plan *p, const struct sweep_run *r,
                                const char *env)
{
    const char *want = getenv(env);
    if (!want || !*want)
        return false;
    for (size_t a = 0; a < p->naxes; a++) {
        size_t plen = strlen(p->axes[a].path);
        if (strncmp(want, p->axes[a].path, plen) == 0 && want[plen] == '=' &&
            strcmp(want + plen + 1, p->axes[a].values[sweep_value_index(p, r->point, a)]) == 0)
            return true;
    }
    return false;
}

/* Writes a failed row for a run that could not even start. */
static int worker_record_failure(struct sweep_exec *x, const struct sweep_run *r,
                                 const char *why, struct diag *err);

__attribute__((noreturn))
static void worker_main(struct sweep_exec *x, size_t i, int fd)
{
    struct sweep_plan *p = x->p;
    const struct sweep_run *r = &p->runs[i];
    /* The parent may have died between fork and prctl: check after. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != x->self)
        _exit(4);
    signal(SIGINT, SIG_DFL); /* a Ctrl-C ends the worker, its transaction unwritten */
    signal(SIGTERM, SIG_DFL);
    sigprocmask(SIG_SETMASK, &x->oldmask, NULL);
    if (test_hook_requested(p, r, TEST_INTERRUPT_ENV)) {
        kill(getppid(), SIGINT);
        raise(SIGINT);
    }
    if (test_hook_requested(p, r, TEST_ABORT_ENV)) {
        struct rlimit none = { 0, 0 };
        setrlimit(RLIMIT_CORE, &none); /* no core file for a deliberate abort */
        abort();
    }
    struct run_param *params = calloc(p->nfixed + p->naxes + 1, sizeof *params);
    char seed[24];
    struct diag err;
    struct run_outcome out = { 0 };
    int rc = params && sweep_point_apply(p, r, &err) == 0 ? 0 : -1;
    if (rc == 0) {
        struct run_options ro = {
            .kernel = x->o->kernel, .rep = r->rep, .db_path = x->o->db_path,
            .in_sweep = true, .point = r->point, .progress = false, .params = params,
            .nparams = sweep_run_params(p, r, params, seed),
        };
        rc = run_scenario(p->s, &ro, &out, &err);
    } else if (!params) {
        diag_set(&err, NULL, "out of memory");
    }
    if (rc == 0) {
        worker_report(fd, out.ok ? REPORT_OK : REPORT_CHECK, out.ok ? NULL : out.error);
        _exit(0);
    }
    /* Not run (or not written): try to leave a failed row saying why. */
    char why[sizeof err.msg + sizeof err.file + 32];
    if (err.line > 0)
        snprintf(why, sizeof why, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    else
        snprintf(why, sizeof why, "%s", err.msg);
    if (worker_record_failure(x, r, why, &err) == 0) {
        worker_report(fd, REPORT_FAILED, why);
        _exit(3);
    }
    diag_print(&err, stderr);
    _exit(4);
}

/* ---- failed rows ---- */

static int record_failure(struct sweep_exec *x, const struct sweep_run *r, const char *why,
                          const char *started_at, double wall_s, struct diag *err)
{
    struct sweep_plan *p = x->p;
    struct run_param *params = calloc(p->nfixed + p->naxes + 1, sizeof *params);
    if (!params)
        return diag_set(err, NULL, "out of memory");
    char seed[24];
    struct run_record rr = {
        .run_key = r->run_key,
        .scenario = cfg_str(p->s->root, "name"),
        .scenario_sha256 = p->scenario_sha256,
        .rep = r->rep,
        .seed = r->seed,
        .kernel = kernel_backend_name(x->o->kernel),
        .version = LPARSIM_VERSION,
        .started_at = started_at,
        .wall_s = wall_s,
        .status = "failed",
        .error = why,
        .in_sweep = true,
        .point = r->point,
        .params = params,
        .nparams = sweep_run_params(p, r, params, seed),
    };
    int e = results_write(x->o->db_path, &rr, NULL, err);
    free(params);
    return e;
}

static int worker_record_failure(struct sweep_exec *x, const struct sweep_run *r,
                                 const char *why, struct diag *err)
{
    char started_at[32];
    utc_now(started_at, sizeof started_at);
    return record_failure(x, r, why, started_at, 0, err);
}

/* ---- progress and messages (parent) ---- */

static void progress_clear(const struct sweep_exec *x)
{
    if (x->o->progress)
        fputs("\r\033[K", stderr);
}

static void progress_draw(const struct sweep_exec *x)
{
    if (!x->o->progress)
        return;
    size_t todo = x->t->total - x->t->skipped, done = x->t->ok + x->t->check_failed + x->t->failed;
    double elapsed = wall_now() - x->t0;
    fprintf(stderr, "\r\033[K  sweep: %zu/%zu runs done, %zu failed, %.0fs elapsed", done, todo,
            x->t->failed, elapsed);
    if (done > 0 && done < todo)
        fprintf(stderr, ", ETA %.0fs", elapsed / (double)done * (double)(todo - done));
    fflush(stderr);
}

/* Notes the outcome on the plan's run (for the list at the end) and, for
 * a run that missed a check or failed, says so at once. */
static void record_outcome(const struct sweep_exec *x, struct sweep_run *r, char outcome,
                           const char *why)
{
    r->outcome = outcome;
    if (outcome == REPORT_OK)
        return;
    free(r->message);
    r->message = strdup(why);
    char label[512];
    sweep_run_label(x->p, r, label, sizeof label);
    progress_clear(x);
    fprintf(stderr, "lparsim %s: run %s %s: %s\n", x->o->cmd, label,
            outcome == REPORT_CHECK ? "missed a check" : "failed", why);
}

/* ---- the parent side ---- */

static int launch(struct sweep_exec *x, struct worker *slot, size_t run)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    utc_now(slot->started_at, sizeof slot->started_at);
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        worker_main(x, run, fds[1]);
    }
    close(fds[1]);
    slot->pid = pid;
    slot->run = run;
    slot->fd = fds[0];
    slot->t0 = wall_now();
    x->active++;
    return 0;
}

/* Why a worker that reported nothing ended. */
static void death_reason(int status, char *buf, size_t n)
{
    if (WIFSIGNALED(status))
        snprintf(buf, n, "worker killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(buf, n, "worker exited with status %d without writing its results",
                 WEXITSTATUS(status));
    else
        snprintf(buf, n, "worker ended abnormally (wait status %#x)", (unsigned)status);
}

static void finish(struct sweep_exec *x, struct worker *slot, int status)
{
    char msg[REPORT_MAX + 1];
    ssize_t n = read(slot->fd, msg, sizeof msg - 1);
    close(slot->fd);
    msg[n > 0 ? n : 0] = '\0';
    struct sweep_run *r = &x->p->runs[slot->run];
    x->active--;
    slot->pid = 0;
    if (n > 0 && (msg[0] == REPORT_OK || msg[0] == REPORT_CHECK)) {
        if (msg[0] == REPORT_OK)
            x->t->ok++;
        else
            x->t->check_failed++;
        record_outcome(x, r, msg[0], msg + 1);
        return;
    }
    if (sweep_stop) { /* stopped with the sweep: it wrote nothing, --resume runs it */
        x->t->stopped++;
        return;
    }
    x->t->failed++;
    if (n > 0 && msg[0] == REPORT_FAILED) {
        record_outcome(x, r, REPORT_FAILED, msg + 1);
        return;
    }
    char why[256];
    death_reason(status, why, sizeof why);
    record_outcome(x, r, REPORT_FAILED, why);
    if (!x->fatal && record_failure(x, r, why, slot->started_at, wall_now() - slot->t0,
                                    x->err) != 0)
        x->fatal = true; /* the database cannot take rows: stop starting runs */
}

/* Reaps every worker that has ended; returns how many. */
static size_t reap(struct sweep_exec *x)
{
    size_t n = 0;
    int status;
    pid_t pid;
    while (x->active && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (unsigned i = 0; i < x->o->jobs; i++)
            if (x->w[i].pid == pid) {
                finish(x, &x->w[i], status);
                n++;
                break;
            }
    }
    return n;
}

static void wait_a_moment(struct sweep_exec *x)
{
    struct timespec one_second = { 1, 0 };
    if (sigtimedwait(&x->chld, NULL, &one_second) < 0 && errno == EAGAIN)
        progress_draw(x);
}

static struct worker *free_slot(struct sweep_exec *x)
{
    for (unsigned i = 0; i < x->o->jobs; i++)
        if (x->w[i].pid == 0)
            return &x->w[i];
    return NULL;
}

/* Ctrl-C: the workers under way are stopped (their runs write nothing)
 * and waited for. */
static void stop_all(struct sweep_exec *x)
{
    for (unsigned i = 0; i < x->o->jobs; i++)
        if (x->w[i].pid)
            kill(x->w[i].pid, SIGKILL);
    while (x->active) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0 && errno != EINTR)
            break;
        for (unsigned i = 0; pid > 0 && i < x->o->jobs; i++)
            if (x->w[i].pid == pid)
                finish(x, &x->w[i], status);
    }
}

static void run_all(struct sweep_exec *x)
{
    size_t next = 0, nruns = x->p->nruns;
    while (true) {
        if (sweep_stop) {
            stop_all(x);
            x->t->interrupted = (int)sweep_stop;
            return;
        }
        while (next < nruns && x->p->runs[next].done)
            next++;
        while (!x->fatal && next < nruns && x->active < x->o->jobs) {
            if (launch(x, free_slot(x), next) != 0) {
                if (x->active == 0) { /* nothing will free resources for a retry */
                    diag_set(x->err, NULL, "cannot start a worker process: %s",
                             strerror(errno));
                    x->fatal = true;
                }
                break;
            }
            do
                next++;
            while (next < nruns && x->p->runs[next].done);
        }
        if (x->active == 0 && (x->fatal || next >= nruns))
            return;
        if (reap(x) > 0)
            progress_draw(x);
        else
            wait_a_moment(x);
    }
}

int sweep_execute(struct sweep_plan *p, const struct sweep_exec_options *o,
                  struct sweep_tally *t, struct diag *err)
{
    struct sweep_exec x = { .p = p, .o = o, .t = t, .err = err, .self = getpid() };
    memset(t, 0, sizeof *t);
    t->total = p->nruns;
    for (size_t i = 0; i < p->nruns; i++)
        t->skipped += p->runs[i].done;
    if (!(x.w = calloc(o->jobs, sizeof *x.w)))
        return diag_set(err, NULL, "out of memory");
    /* SIGCHLD must not be ignored (children would be reaped behind our
     * back) and is taken synchronously with sigtimedwait. */
    struct sigaction dfl = { .sa_handler = SIG_DFL }, old_action;
    struct sigaction stop = { .sa_handler = on_stop_signal }, old_int, old_term;
    sigemptyset(&stop.sa_mask);
    sweep_stop = 0;
    sigaction(SIGINT, &stop, &old_int);
    sigaction(SIGTERM, &stop, &old_term);
    sigaction(SIGCHLD, &dfl, &old_action);
    sigemptyset(&x.chld);
    sigaddset(&x.chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &x.chld, &x.oldmask);
    x.t0 = wall_now();
    progress_draw(&x);
    run_all(&x);
    t->wall_s = wall_now() - x.t0;
    progress_clear(&x);
    sigprocmask(SIG_SETMASK, &x.oldmask, NULL);
    sigaction(SIGCHLD, &old_action, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(x.w);
    return x.fatal ? -1 : 0;
}
