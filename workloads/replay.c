/* workloads/replay.c — the replay kind: issues the I/Os of a recorded
 * trace (replay_trace.c: CSV time,op,bytes,offset) at their times times
 * `time_scale`, from `start`; with `loop`, again and again, each pass
 * `period` after the previous one (the trace's span plus its mean gap).
 * Open loop: a trace says when I/Os were issued, not what they waited
 * for, so completions change nothing. One pending event at a time: the
 * next row's time. A relative `file` is taken from the directory of the
 * scenario file that names it, so a scenario and its trace move together. */
#include <stdio.h>
#include <string.h>

#include "workloads/kinds.h"
#include "workloads/replay_trace.h"

struct replay {
    struct workload w;
    struct replay_trace trace;
    bool loop;
    size_t next;        /* row to issue next */
    uint64_t pass;      /* 0 for the first run through the trace */
    uint64_t passes_done;
};

/* The trace's path: `file` as written if absolute or if the scenario
 * file has no directory part, else next to the scenario file. */
static int trace_path(const struct cfg_node *cfg, char *buf, size_t n, struct diag *err)
{
    const char *file = cfg_str(cfg, "file");
    const struct src_loc *loc = cfg_loc(cfg, "file");
    if (!file[0])
        return diag_set(err, cfg_loc(cfg, "kind"), "a replay workload needs 'file' (a CSV trace)");
    const char *slash = loc->file ? strrchr(loc->file, '/') : NULL;
    int w = file[0] == '/' || !slash
                ? snprintf(buf, n, "%s", file)
                : snprintf(buf, n, "%.*s/%s", (int)(slash - loc->file), loc->file, file);
    if (w < 0 || (size_t)w >= n)
        return diag_set(err, loc, "'file': the path is too long");
    return 0;
}

static int load(const struct cfg_node *cfg, struct replay_trace *t, struct diag *err)
{
    char path[1024];
    if (trace_path(cfg, path, sizeof path, err) != 0 ||
        replay_trace_load(t, path, cfg_f64(cfg, "time_scale"), cfg_loc(cfg, "file"), err) != 0)
        return -1;
    if (cfg_bool(cfg, "loop") && t->period == 0) {
        replay_trace_free(t);
        return diag_set(err, cfg_loc(cfg, "loop"),
                        "'loop': every row of '%s' is at the same time, so the trace has no "
                        "length to repeat", path);
    }
    return 0;
}

static int replay_check(const struct cfg_node *cfg, struct diag *err)
{
    struct replay_trace t;
    if (load(cfg, &t, err) != 0)
        return -1;
    replay_trace_free(&t);
    return 0;
}

static sim_time_t due(const struct replay *r)
{
    return r->w.start + r->pass * r->trace.period + r->trace.rows[r->next].t;
}

/* Issues every row due now, then waits for the next one. */
static void on_row(void *ctx, uint64_t arg)
{
    (void)arg;
    struct replay *r = ctx;
    sim_time_t now = kernel_now(r->w.env->k);
    do {
        const struct replay_row *row = &r->trace.rows[r->next];
        workload_issue(&r->w, (enum io_op)row->op, row->bytes, row->offset);
        if (++r->next == r->trace.n) {
            r->passes_done++;
            if (!r->loop)
                return;
            r->next = 0;
            r->pass++;
        }
    } while (due(r) <= now);
    kernel_schedule_at(r->w.env->k, due(r), on_row, r, 0);
}

static int replay_init(struct workload *w, const struct cfg_node *cfg, struct diag *err)
{
    struct replay *r = (struct replay *)w;
    r->loop = cfg_bool(cfg, "loop");
    return load(cfg, &r->trace, err);
}

static void replay_start(struct workload *w)
{
    struct replay *r = (struct replay *)w;
    kernel_schedule_at(w->env->k, due(r), on_row, r, 0);
}

static void replay_finish(struct workload *w, sim_time_t now)
{
    (void)now;
    struct replay *r = (struct replay *)w;
    recorder_scalar(w->env->rec, w->path, "trace_passes", "", (double)r->passes_done);
}

static void replay_fini(struct workload *w)
{
    replay_trace_free(&((struct replay *)w)->trace);
}

const struct workload_kind workload_replay_kind = {
    .name = "replay",
    .params = "device|file|time_scale|loop",
    .size = sizeof(struct replay),
    .does_io = true,
    .check = replay_check,
    .init = replay_init,
    .start = replay_start,
    .finish = replay_finish,
    .fini = replay_fini,
};
