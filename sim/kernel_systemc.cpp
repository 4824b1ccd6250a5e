/* sim/kernel_systemc.cpp — the SystemC backend of the event kernel: the
 * project's only C++ file, a shim behind the C interface in
 * kernel_systemc.h. Models never see SystemC.
 *
 * Design (measured, docs/performance.md): SystemC owns simulated time
 * through one SC_METHOD, the dispatcher, sensitive to one sc_event that it
 * notify()s for the next agenda time. When woken it fires every agenda
 * event due now and, horizon batching, every event due before SystemC's
 * next own activity and not after the run limit, then re-arms. One
 * sc_event or sc_spawn per callback would cost 3-140x (docs/performance.md).
 * Inside a batch the C clock runs ahead of sc_time_stamp(); models never
 * touch SystemC, so nothing can observe the lag.
 *
 * SystemC has one simulation context per process and cannot restart, but
 * a process creates kernels one after another (tests, `lparsim
 * validate`). So the dispatcher module is created once and rebound to
 * each new kernel; each run maps C time to SystemC time by an offset taken
 * at the start of that run, so a new kernel's clock starts at 0 whatever
 * sc_time_stamp() has reached. One SystemC kernel may be alive at a time. */
#include <systemc>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "sim/kernel_systemc.h"

using sc_core::sc_time;

/* libsystemc.so references sc_main even when the program has its own
 * main; weak, so a program that wants a real sc_main can still have one. */
extern "C" __attribute__((weak)) int sc_main(int, char **)
{
    return 0;
}

namespace {

sim_time_t sat_add(sim_time_t a, sim_time_t b)
{
    return a + b < a ? SIM_TIME_MAX : a + b;
}

/* Picoseconds at SystemC's default 1 ps resolution, which nothing in the
 * project changes. */
sc_time ps(sim_time_t v)
{
    return sc_time::from_value(v);
}

class dispatcher : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(dispatcher);

    explicit dispatcher(const sc_core::sc_module_name &name)
        : sc_core::sc_module(name), wake_("wake")
    {
        SC_METHOD(dispatch);
        sensitive << wake_;
        dont_initialize();
    }

    struct kernel *k = nullptr; /* the bound kernel, null between kernels */
    sim_time_t offset = 0;      /* SystemC ps - C ps during the current run */
    sim_time_t limit = 0;       /* last C time the current run may fire */

    /* Notifies the dispatcher for the next agenda event if the current run
     * may fire it. c_now is the C time matching sc_time_stamp() now. */
    void arm(sim_time_t c_now)
    {
        if (kernel_pending(k) == 0)
            return;
        sim_time_t next = kernel_next_time(k);
        if (next <= limit)
            wake_.notify(ps(next - c_now)); /* next >= kernel_now >= c_now */
    }

    void disarm() { wake_.cancel(); }

private:
    sc_core::sc_event wake_;

    void dispatch()
    {
        if (!k) /* woken after its kernel went away: nothing to do */
            return;
        sim_time_t c_now = sc_core::sc_time_stamp().value() - offset;
        /* Our own notification must not count as SystemC activity. */
        wake_.cancel();
        sim_time_t gap = sc_core::sc_time_to_pending_activity().value();
        /* Last C time before SystemC's next own activity (c_now itself if
         * something else is runnable now). */
        sim_time_t horizon = gap == 0 ? c_now : sat_add(c_now, gap - 1);
        kernel_fire_until(k, horizon < limit ? horizon : limit);
        if (kernel_stop_requested(k))
            sc_core::sc_pause(); /* never sc_stop: it cannot be undone */
        else
            arm(c_now);
    }
};

dispatcher *the_dispatcher; /* created once, lives as long as SystemC */

/* SystemC reports errors by throwing; an exception must not unwind
 * through C frames, and a kernel that half-ran cannot be trusted. */
[[noreturn]] void die(const char *what)
{
    std::fprintf(stderr, "lparsim: SystemC backend: %s\n", what);
    std::abort();
}

void elaborate()
{
    /* The banner goes to stdout and would corrupt machine-readable
     * output; the variable must be set before SystemC's first use. */
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    the_dispatcher = new dispatcher("lparsim_dispatcher");
    /* End elaboration now: scheduling during elaboration is very slow. */
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

/* Runs SystemC until the dispatcher has fired everything up to limit
 * (SIM_TIME_MAX: until it starves) or paused for kernel_stop. */
void run_systemc(dispatcher *d, sim_time_t c_now, sim_time_t sc_now)
{
    sim_time_t span = d->limit - c_now;
    sim_time_t room = sc_core::sc_max_time().value() - sc_now;
    if (d->limit == SIM_TIME_MAX || span > room) {
        /* Unbounded: run to starvation. Nothing pending would warn (W571). */
        if (sc_core::sc_pending_activity())
            sc_core::sc_start();
        return;
    }
    /* sc_start(d) runs to now+d and then leaves processes woken at exactly
     * now+d unrun: delta cycles at the final time make the limit
     * inclusive. A positive span moves time, so it never warns. */
    if (span > 0)
        sc_core::sc_start(ps(span));
    while (!kernel_stop_requested(d->k) &&
           sc_core::sc_pending_activity_at_current_time())
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

} // namespace

extern "C" bool ksc_attach(struct kernel *k)
{
    if (the_dispatcher && the_dispatcher->k)
        return false; /* one SystemC kernel at a time */
    try {
        if (!the_dispatcher)
            elaborate();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "lparsim: SystemC backend: %s\n", e.what());
        return false;
    }
    the_dispatcher->k = k;
    the_dispatcher->disarm();
    return true;
}

extern "C" void ksc_detach(struct kernel *k)
{
    if (!the_dispatcher || the_dispatcher->k != k)
        return;
    the_dispatcher->disarm();
    the_dispatcher->k = nullptr;
}

extern "C" void ksc_run(struct kernel *k, sim_time_t limit)
{
    dispatcher *d = the_dispatcher;
    if (!d || d->k != k)
        die("kernel is not bound to the dispatcher");
    try {
        sim_time_t c_now = kernel_now(k);
        if (limit < c_now)
            return; /* run_until into the past: nothing can be due */
        sim_time_t sc_now = sc_core::sc_time_stamp().value();
        /* Re-derived every run: a stop or an unbounded run may have left
         * SystemC's clock behind the C clock, and a new kernel starts at
         * 0 while SystemC's clock cannot go back. Modular arithmetic. */
        d->offset = sc_now - c_now;
        d->limit = limit;
        d->disarm();
        d->arm(c_now);
        run_systemc(d, c_now, sc_now);
    } catch (const std::exception &e) {
        die(e.what());
    }
}
