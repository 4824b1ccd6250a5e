/* models/hypervisor/dispatch.c — a VP's life on the dispatcher: put on a
 * thread, run, snooze, H_CEDE, wake-ups (timer, H_PROD, escalation,
 * interrupt), preemption; submit. The shared pool's placement decisions
 * are in dispatch_pool.c, adding and removing LPARs in dispatch_lpar.c,
 * inspection and metrics in dispatch_metrics.c.
 *
 * Numbers (docs/model-cpu.md, docs/model-reference.md):
 * - dispatch_window 10 ms: "At the end of the POWER Hypervisor's dispatch
 *   cycle (10 ms), all partitions receive total CPU time equal to their
 *   processing units entitlement" (IBM Redbooks, POWER7/POWER8 technical
 *   overviews, "Shared mode");
 * - a VP's share lies in [0.05, 1.0] processing units (PowerVM since
 *   POWER7+); uncapped weight 0..255, default 128 (IBM HMC, "Weight");
 * - snooze 100 us and cede exit 10 us: Linux drivers/cpuidle/
 *   cpuidle-pseries.c, whose CEDE state (dedicated and shared) declares
 *   exit_latency 10 us and target_residency 100 us, and whose snooze loop
 *   polls for target_residency before the CEDE state is entered;
 * - switch_in / switch_out 3000 cycles each (modelling choice, anchored to
 *   a KVM POWER9 guest exit + entry, the "virt-mode NULL hcall", 6319
 *   cycles after N. Piggin's 2021 P9 entry/exit series); escalation 2000
 *   cycles (choice: an interrupt into the hypervisor, ~900 cycles as the
 *   cpu's irq_entry + irq_exit, plus marking the VP runnable);
 * - excess_slice 1 ms (choice): how often uncapped VPs running beyond
 *   their entitlement re-compete for the pool.
 *
 * Dedicated VPs idle lazily: nothing is scheduled when their thread runs
 * dry. When work or a prod reaches one, the time its thread has been idle
 * says whether it was snoozing (the work runs at once), inside its H_CEDE
 * call (the work runs when the call returns) or ceded (cede exit first),
 * and the work goes to the thread at once with that delay. That keeps the
 * dedicated hot path free of idle and wake-up events. */
#include "models/hypervisor/dispatch_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hypervisor/lpar.h"

const struct param_desc dispatch_params[] = {
    { "dispatch_window", PARAM_TIME, "ms", "10ms",
      "shared pool dispatch cycle: each VP's entitlement is a budget per window "
      "(PowerVM: 10 ms, IBM Redbooks)", .min = "1us", .max = "10s" },
    { "granularity", PARAM_ENUM, "", "thread",
      "thread: a shared VP takes any free pool thread; core: only threads of a core no "
      "other LPAR's VP uses (choice: thread, a VP is one hardware thread)",
      .choices = "thread|core" },
    { "cede_exit", PARAM_TIME, "us", "10us",
      "wake-up from H_CEDE before a ceded VP runs (Linux cpuidle-pseries: CEDE "
      "exit_latency 10 us)", .max = "1s" },
    { "switch_in", PARAM_U64, "cycles", "3000",
      "put a shared VP's state on a thread (choice; KVM POWER9 guest exit + entry "
      "~6300 cycles)", .max = "100000000" },
    { "switch_out", PARAM_U64, "cycles", "3000",
      "save a shared VP's state when it leaves its thread; the thread's next VP waits "
      "for it (choice, as switch_in)", .max = "100000000" },
    { "escalation", PARAM_U64, "cycles", "2000",
      "hypervisor handling of an escalation interrupt before the ceded VP is runnable "
      "(choice: interrupt entry/exit ~900 + marking the VP runnable)",
      .max = "100000000" },
    { "excess_slice", PARAM_TIME, "us", "1ms",
      "uncapped VPs running beyond entitlement re-compete for the pool this often "
      "(choice)", .min = "1us", .max = "10s" },
    { 0 }
};

const struct schema dispatch_schema = {
    .name = "dispatch",
    .doc = "hypervisor VP dispatcher: dispatch window, granularity, wake-up and switch costs",
    .params = dispatch_params,
};

const struct param_desc dispatch_lpar_params[] = {
    { "mode", PARAM_ENUM, "", "dedicated",
      "dedicated: each VP owns a thread; shared: VPs share the pool by entitlement",
      .choices = "dedicated|shared" },
    { "entitlement", PARAM_F64, "", "1.0",
      "shared: processing units of the LPAR, split evenly over its VPs "
      "(PowerVM: 0.05 to 1.0 per VP)", .min = "0.05", .max = "1024" },
    { "sharing", PARAM_ENUM, "", "uncapped",
      "shared: uncapped LPARs use spare pool capacity beyond their entitlement, by "
      "weight; capped ones never (PowerVM HMC default: uncapped)",
      .choices = "uncapped|capped" },
    { "weight", PARAM_U64, "", "128",
      "uncapped weight: spare capacity is shared in proportion; 0 gets none "
      "(PowerVM: 0-255, default 128)", .max = "255" },
    { "snooze", PARAM_TIME, "us", "100us",
      "an idle VP polls this long before H_CEDE, charged to its entitlement (Linux "
      "cpuidle-pseries: CEDE target_residency 100 us)", .max = "1000s" },
    { 0 }
};

const struct schema dispatch_lpar_schema = {
    .name = "processors",
    .doc = "how an LPAR's virtual processors get hardware threads",
    .params = dispatch_lpar_params,
};

/* ---- configuration ------------------------------------------------------ */

void dispatch_config_init(struct dispatch_config *c, const struct cfg_node *cfg)
{
    c->window_ps = cfg_param(cfg, dispatch_params, "dispatch_window").u;
    c->granularity = strcmp(cfg_param(cfg, dispatch_params, "granularity").s, "core") == 0
                         ? DISPATCH_CORE : DISPATCH_THREAD;
    c->cede_exit_ps = cfg_param(cfg, dispatch_params, "cede_exit").u;
    c->switch_in = cfg_param(cfg, dispatch_params, "switch_in").u;
    c->switch_out = cfg_param(cfg, dispatch_params, "switch_out").u;
    c->escalation = cfg_param(cfg, dispatch_params, "escalation").u;
    c->excess_slice_ps = cfg_param(cfg, dispatch_params, "excess_slice").u;
    c->vp_capacity = DISPATCH_VP_CAPACITY_DEFAULT;
}

void dispatch_lpar_config_init(struct dispatch_lpar_config *c, const struct cfg_node *lpar_cfg,
                               const struct cfg_node *proc_cfg)
{
    c->vps = (uint32_t)cfg_param(lpar_cfg, lpar_params, "vps").u;
    const char *mode = cfg_param(proc_cfg, dispatch_lpar_params, "mode").s;
    c->mode = strcmp(mode, "shared") == 0 ? DISPATCH_SHARED : DISPATCH_DEDICATED;
    c->entitlement = cfg_param(proc_cfg, dispatch_lpar_params, "entitlement").d;
    const char *sharing = cfg_param(proc_cfg, dispatch_lpar_params, "sharing").s;
    c->sharing = strcmp(sharing, "capped") == 0 ? DISPATCH_CAPPED : DISPATCH_UNCAPPED;
    c->weight = (unsigned)cfg_param(proc_cfg, dispatch_lpar_params, "weight").u;
    c->snooze_ps = cfg_param(proc_cfg, dispatch_lpar_params, "snooze").u;
}

void dispatch_set_hcall(struct dispatch *d, struct hcall *h)
{
    d->hcall = h;
}

int dispatch_add_listener(struct dispatch *d, const struct dispatch_listener *l)
{
    if (d->started || d->nlisteners == DISPATCH_MAX_LISTENERS)
        return -1;
    d->listeners[d->nlisteners++] = *l;
    return 0;
}

/* Cycles of one H_CEDE / H_PROD, counted with the hcalls. */
static sim_time_t hcall_charge(struct dispatch *d, enum hcall_kind kind)
{
    return d->hcall ? hcall_cost_ps(d->hcall, d->cpu, kind, 1) : 0;
}

/* ---- the VP's event ------------------------------------------------------ */

static sim_time_t vp_deadline(const struct dispatch_vp *vp)
{
    sim_time_t t = SIM_TIME_MAX;
    switch (vp->state) {
    case VP_ESCALATING:
    case VP_WAKING:
    case VP_CEDING:
        t = vp->phase_end;
        break;
    case VP_RUNNING:
        if (vp->snoozing)
            t = vp->idle_since + vp->l->snooze;
        break;
    default:
        return SIM_TIME_MAX;
    }
    /* A VP that may not run beyond its entitlement leaves at its end. */
    if (vp->thread != DISPATCH_NONE && !vp->l->dedicated && !vp->l->excess &&
        vp->acct + vp->budget < t)
        t = vp->acct + vp->budget;
    return t;
}

static void vp_event(void *ctx, uint64_t arg);

void vp_arm(struct dispatch_vp *vp)
{
    sim_time_t t = vp_deadline(vp);
    if (t == vp->ev_at)
        return;
    struct kernel *k = vp->d->env->k;
    if (vp->ev_at != SIM_TIME_MAX)
        kernel_cancel(k, vp->ev);
    vp->ev_at = t;
    vp->ev = t == SIM_TIME_MAX ? (struct event_id){ 0 } : kernel_schedule_at(k, t, vp_event, vp, 0);
}

/* ---- on and off a thread ------------------------------------------------- */

/* The jobs submitted while the VP was not running are a suffix of each
 * backlog list (jobs taken back at undispatch go in front), so only they
 * are walked: each job's wait is recorded once. */
static void record_waits(struct dispatch_vp *vp, sim_time_t now)
{
    for (int k = 0; k < CPU_KINDS; k++) {
        for (struct cpu_job *j = vp->unwaited[k]; j; j = j->next)
            statistic_add(vp->st_wait, sim_time_to_ns(now - j->t_submit));
        vp->unwaited[k] = NULL;
    }
}

static void listeners_dispatched(struct dispatch *d, struct dispatch_vp *vp)
{
    for (unsigned i = 0; i < d->nlisteners; i++)
        if (d->listeners[i].dispatched)
            d->listeners[i].dispatched(d->listeners[i].ctx, vp, vp->thread);
}

/* WAKING (or CEDING with work) -> RUNNING: the backlog goes to the thread
 * in one piece, interrupts ahead of tasks. (A dedicated VP only at its
 * start: its wake-ups never leave RUNNING.) */
static void vp_run(struct dispatch *d, struct dispatch_vp *vp)
{
    sim_time_t now = kernel_now(d->env->k);
    record_waits(vp, now);
    vp->state = VP_RUNNING;
    vp->on_cpu = true;
    vp->idle_since = now; /* dedicated: awake, idle at the earliest from here */
    cpu_thread_give(d->cpu, vp->thread, &vp->q);
    vp->snoozing = !vp->l->dedicated && cpu_thread_idle(d->cpu, vp->thread);
    vp_arm(vp);
}

/* A shared VP gets a free pool thread (dispatch_pool.c chose it). The
 * listeners run before its backlog moves, so an interrupt they redeliver
 * joins the backlog's interrupts; the backlog moves once the thread has
 * finished the previous VP's switch-out, switched this one in and, if it
 * had ceded, come out of H_CEDE. */
void vp_on(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread)
{
    sim_time_t now = kernel_now(d->env->k);
    sim_time_t busy = d->threads[thread].busy_until;
    assert(vp->thread == DISPATCH_NONE && !vp->l->dedicated);
    pool_take(d, vp, thread);
    vp->state = VP_WAKING;
    vp->on_cpu = false;
    vp->acct = now;
    vp->on_since = now;
    vp->n.dispatches++;
    vp->phase_end = (busy > now ? busy : now) + d->switch_in_ps +
                    (vp->ceded ? d->cfg.cede_exit_ps : 0);
    vp->ceded = false;
    listeners_dispatched(d, vp);
    if (vp->phase_end == now)
        vp_run(d, vp);
    else
        vp_arm(vp);
}

/* A dedicated VP takes its thread for good. */
void vp_dedicated_start(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread)
{
    sim_time_t now = kernel_now(d->env->k);
    pool_set_dedicated(d, thread, vp);
    pool_take(d, vp, thread);
    vp->on_since = now;
    vp->n.dispatches++;
    vp->ceded = false;
    listeners_dispatched(d, vp);
    vp_run(d, vp);
}

/* Off its thread, after its jobs came back (take) and its time was
 * settled: the thread is free once it has saved the VP (switch_out). */
void vp_leave_thread(struct dispatch *d, struct dispatch_vp *vp, bool take)
{
    uint32_t thread = vp->thread;
    assert(thread != DISPATCH_NONE);
    if (take)
        cpu_thread_take(d->cpu, thread, &vp->q);
    vp->n.on_ps += kernel_now(d->env->k) - vp->on_since;
    pool_release(d, vp, thread);
    for (unsigned i = 0; i < d->nlisteners; i++)
        if (d->listeners[i].undispatched)
            d->listeners[i].undispatched(d->listeners[i].ctx, vp, thread);
}

/* Takes the VP off its thread: its jobs come back (a running one with the
 * cycles it has left) and its budget is settled. Work arriving meanwhile
 * (a job completing at this instant may submit some) goes to its
 * backlog. The caller sets the state that follows. */
void vp_off(struct dispatch *d, struct dispatch_vp *vp)
{
    vp_account(vp, kernel_now(d->env->k));
    bool take = vp->on_cpu;
    vp->state = VP_LEAVING;
    vp->on_cpu = false;
    vp->snoozing = false;
    vp_leave_thread(d, vp, take);
}

/* Off its thread with work: waits for one (READY) or, out of budget and
 * not allowed beyond it, for the next window (PARKED). */
void vp_make_runnable(struct dispatch *d, struct dispatch_vp *vp)
{
    sim_time_t now = kernel_now(d->env->k);
    if (vp_may_run(vp, now)) {
        vp->state = VP_READY;
        vp_set_active(d, vp, true);
        rq_push(d, vp);
    } else {
        vp->state = VP_PARKED;
        vp_set_active(d, vp, false);
    }
    vp_arm(vp);
    pool_fill(d);
}

/* Preempted: at the end of its budget (not allowed beyond it) or for a
 * VP with entitlement left. An idle VP taken off is treated as ceded
 * (choice: Linux would poll on at its next dispatch and cede; the model
 * skips that dispatch). */
void vp_preempt(struct dispatch *d, struct dispatch_vp *vp)
{
    vp->n.preemptions++;
    vp_off(d, vp);
    if (!cpu_jobq_empty(&vp->q)) {
        vp_make_runnable(d, vp);
        return;
    }
    vp->ceded = true;
    vp->state = VP_IDLE;
    vp_set_active(d, vp, false);
    vp_arm(vp);
    pool_fill(d);
}

/* ---- idle: snooze, H_CEDE ----------------------------------------------- */

/* The cpu's idle hook: a pool thread ran out of jobs. */
void dispatch_on_idle(void *ctx, uint32_t thread)
{
    struct dispatch *d = ctx;
    struct dispatch_vp *vp = d->threads[thread].vp;
    if (!vp || vp->state != VP_RUNNING || vp->dedicated || vp->snoozing)
        return;
    vp->snoozing = true;
    vp->idle_since = kernel_now(d->env->k);
    vp_arm(vp);
}

static void cede_start(struct dispatch *d, struct dispatch_vp *vp, sim_time_t now)
{
    vp->state = VP_CEDING;
    vp->on_cpu = false;
    vp->snoozing = false;
    vp->phase_end = now + hcall_charge(d, HCALL_CEDE);
    vp_arm(vp);
}

/* H_CEDE returns: work that arrived meanwhile runs (no cede); otherwise
 * the VP gives its thread back, keeping its budget. */
static void cede_end(struct dispatch *d, struct dispatch_vp *vp)
{
    if (!cpu_jobq_empty(&vp->q)) {
        vp_run(d, vp);
        return;
    }
    vp->n.cedes++;
    vp_off(d, vp);
    vp->ceded = true;
    vp->state = VP_IDLE;
    vp_set_active(d, vp, false);
    vp_arm(vp);
    pool_fill(d);
}

static void vp_event(void *ctx, uint64_t arg)
{
    (void)arg;
    struct dispatch_vp *vp = ctx;
    struct dispatch *d = vp->d;
    sim_time_t now = kernel_now(d->env->k);
    vp->ev_at = SIM_TIME_MAX;
    vp->ev = (struct event_id){ 0 };
    bool on = vp->thread != DISPATCH_NONE;
    if (on && !vp->l->dedicated && !vp->l->excess && vp_budget_at(vp, now) == 0) {
        vp_preempt(d, vp);
        return;
    }
    switch (vp->state) {
    case VP_ESCALATING:
        if (now >= vp->phase_end) {
            vp_make_runnable(d, vp);
            return;
        }
        break;
    case VP_WAKING:
        if (now >= vp->phase_end) {
            vp_run(d, vp);
            return;
        }
        break;
    case VP_CEDING:
        if (now >= vp->phase_end) {
            cede_end(d, vp);
            return;
        }
        break;
    case VP_RUNNING:
        if (vp->snoozing && now >= vp->idle_since + vp->l->snooze) {
            cede_start(d, vp, now);
            return;
        }
        break;
    default:
        break;
    }
    vp_arm(vp);
}

/* ---- wake-ups ------------------------------------------------------------ */

void vp_wake(struct dispatch *d, struct dispatch_vp *vp, enum dispatch_wake kind)
{
    assert(vp->state == VP_IDLE);
    vp->n.wakeups[kind]++;
    vp_make_runnable(d, vp);
}

/* A dedicated VP whose thread is idle: if it was past its snooze it
 * called H_CEDE then, so work (j, or NULL for a prod) reaching it now
 * starts when the call returns (still in it) or after the cede exit
 * (ceded). The job goes to the thread at once with that delay (no event
 * for the wake-up); a prod makes the VP awake from then (`idle_since`:
 * the earliest its idle can have started). Returns false if it was still
 * snoozing (nothing to wait for). */
static bool dedicated_wake(struct dispatch *d, struct dispatch_vp *vp, struct cpu_job *j,
                           enum dispatch_wake kind)
{
    sim_time_t now = kernel_now(d->env->k);
    sim_time_t start = vp->idle_since; /* still waking from a prod */
    if (now >= vp->idle_since) {
        sim_time_t since = cpu_thread_idle_since(d->cpu, vp->thread);
        if (since < vp->idle_since)
            since = vp->idle_since;
        sim_time_t cede_at = since + vp->l->snooze;
        if (now < cede_at)
            return false;
        start = cede_at + hcall_charge(d, HCALL_CEDE);
        if (now >= start) {
            vp->n.cedes++;
            vp->n.wakeups[kind]++;
            start = now + d->cfg.cede_exit_ps;
        }
    }
    if (!j) {
        vp->idle_since = start;
        return true;
    }
    statistic_add(vp->st_wait, sim_time_to_ns(start - now));
    cpu_thread_push_delayed(d->cpu, vp->thread, j, start - now);
    return true;
}

static int vp_submit(struct dispatch_vp *vp, enum cpu_kind kind, uint64_t cycles,
                     event_fn fn, void *ctx, uint64_t arg)
{
    struct dispatch *d = vp->d;
    struct cpu_job *j = cpu_job_new(d->cpu, kind, cycles, fn, ctx, arg);
    if (!j)
        return -1;
    vp->work[kind == CPU_IRQ ? DISPATCH_WORK_IRQ : DISPATCH_WORK_TASK] += cycles;
    if (vp->on_cpu) {
        if (vp->dedicated) {
            if (cpu_thread_idle(d->cpu, vp->thread) &&
                dedicated_wake(d, vp, j, kind == CPU_IRQ ? DISPATCH_WAKE_INTERRUPT
                                                         : DISPATCH_WAKE_TIMER))
                return 0;
        } else if (vp->snoozing) {
            vp->snoozing = false;
            vp_arm(vp);
        }
        statistic_add(vp->st_wait, 0);
        cpu_thread_push(d->cpu, vp->thread, j);
        return 0;
    }
    cpu_jobq_push(&vp->q, j);
    if (!vp->unwaited[kind])
        vp->unwaited[kind] = j;
    if (vp->state == VP_IDLE && kind == CPU_TASK && d->started)
        vp_wake(d, vp, DISPATCH_WAKE_TIMER);
    return 0;
}

int dispatch_submit(struct dispatch_vp *vp, uint64_t cycles, event_fn fn, void *ctx,
                    uint64_t arg)
{
    return vp_submit(vp, CPU_TASK, cycles, fn, ctx, arg);
}

int dispatch_submit_softirq(struct dispatch_vp *vp, uint64_t cycles, event_fn fn, void *ctx,
                            uint64_t arg)
{
    int rc = vp_submit(vp, CPU_TASK, cycles, fn, ctx, arg);
    if (rc == 0) {
        vp->work[DISPATCH_WORK_TASK] -= cycles;
        vp->work[DISPATCH_WORK_SOFTIRQ] += cycles;
    }
    return rc;
}

int dispatch_submit_irq(struct dispatch_vp *vp, uint64_t handler, event_fn fn, void *ctx,
                        uint64_t arg)
{
    return vp_submit(vp, CPU_IRQ, cpu_irq_cycles(vp->d->cpu, handler), fn, ctx, arg);
}

void dispatch_escalate(struct dispatch_vp *vp)
{
    struct dispatch *d = vp->d;
    if (vp->state != VP_IDLE || vp->l->dedicated || !d->started)
        return;
    vp->n.wakeups[DISPATCH_WAKE_ESCALATION]++;
    vp->state = VP_ESCALATING;
    vp->phase_end = kernel_now(d->env->k) + d->escalation_ps;
    if (d->escalation_ps == 0)
        vp_make_runnable(d, vp);
    else
        vp_arm(vp);
}

static void prod_now(struct dispatch *d, struct dispatch_vp *vp)
{
    if (vp->l->dedicated) {
        if (vp->on_cpu && cpu_thread_idle(d->cpu, vp->thread))
            dedicated_wake(d, vp, NULL, DISPATCH_WAKE_PROD);
    } else if (vp->state == VP_IDLE && d->started) {
        vp_wake(d, vp, DISPATCH_WAKE_PROD);
    }
}

/* The H_PROD call ended: the target, if it is still the VP in that slot. */
static void prod_done(void *ctx, uint64_t arg)
{
    struct dispatch *d = ctx;
    uint32_t id = (uint32_t)arg;
    struct dispatch_vp *vp = id < d->cfg.vp_capacity ? d->slots[id] : NULL;
    if (vp && vp->gen == (uint32_t)(arg >> 32))
        prod_now(d, vp);
}

int dispatch_prod(struct dispatch_vp *vp, struct dispatch_vp *from)
{
    struct dispatch *d = vp->d;
    if (!from) {
        prod_now(d, vp);
        return 0;
    }
    uint64_t cycles = d->hcall ? hcall_cycles(d->hcall, HCALL_PROD, 1) : 0;
    hcall_charge(d, HCALL_PROD);
    return vp_submit(from, CPU_TASK, cycles, prod_done, d, (uint64_t)vp->gen << 32 | vp->id);
}
