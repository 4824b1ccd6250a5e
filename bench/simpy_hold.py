#!/usr/bin/python3
"""bench/simpy_hold.py -- the hold model of bench/kernel_hold.c in SimPy.

SimPy 2.3.1 (Debian python3-simpy, `from SimPy.Simulation import ...`) is
the outside reference for kernel speed (docs/performance.md). N processes
each hold for exp(mean 1 ms) in a loop, so N events are pending at any
time and every fired event schedules one more; the run stops after M
events. Run it with /usr/bin/python3: Debian installs SimPy only there.

    /usr/bin/python3 bench/simpy_hold.py --pending N --events M [--seed S]

The last line is `events_per_s=<number>` (fired events per wall second of
the run, setup excluded), as for kernel-hold.
"""
import argparse
import random
import resource
import time

from SimPy.Simulation import (Process, activate, hold, initialize, now,
                              simulate, stopSimulation)


class Counter:
    """Events fired so far, shared by all holders."""

    def __init__(self, target):
        self.fired = 0
        self.target = target


class Holder(Process):
    """One pending event at a time: hold, count, hold again."""

    def run(self, rng, counter):
        while True:
            yield hold, self, rng.expovariate(1.0)  # ms, mean 1
            counter.fired += 1
            if counter.fired >= counter.target:
                stopSimulation()


def count(text):
    """Accepts 1000 or 1e6, like kernel-hold."""
    value = int(float(text))
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=count, default=1000)
    parser.add_argument("--events", type=count, default=1000000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    counter = Counter(args.events)
    initialize()
    for _ in range(args.pending):
        holder = Holder()
        activate(holder, holder.run(rng, counter))
    t0 = time.perf_counter()
    simulate(until=1e18)
    secs = time.perf_counter() - t0
    if counter.fired != args.events:
        raise SystemExit("simpy_hold: fired %d events, wanted %d"
                         % (counter.fired, args.events))
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("backend=simpy-2.3.1")
    print("pending=%d" % args.pending)
    print("events=%d" % args.events)
    print("end_ms=%.6f" % now())
    print("wall_s=%.3f" % secs)
    print("peak_rss_kb=%d" % rss_kb)
    print("events_per_s=%.0f" % (args.events / secs))


if __name__ == "__main__":
    main()
