#!/usr/bin/env python3
"""Medians and ranges over repeated `interplay bench --json` runs.

The README's performance table comes from this script run on
results/bench_runs.json (a list of runs). Each case is compared with the
memcpy and streaming copy timed right before it. Its two-thread speedup is
given separately for the measurements in which the VM's memory let a second
thread copy faster (two-thread memcpy at least 1.5x one-thread memcpy, just
before the case) and for those in which it did not: on the project's machine
the memory bandwidth a second thread gets changes from minute to minute, and
a median over both kinds describes neither.

usage: scripts/bench_summary.py RUNS.json | BENCH.json...
(RUNS.json: an object whose "runs" lists bench outputs, as results/bench_runs.json;
or several files each holding one `interplay bench --json` output)
"""
import json
import statistics
import sys


def main(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        runs.extend(data["runs"] if "runs" in data else [data])
    copies = [c for r in runs for c in r["cases"]]
    rich = [c for c in copies if memory_rich(c)]
    bound = [c for c in copies if not memory_rich(c)]
    print(f"{len(runs)} runs; {len(rich)} of {len(copies)} case measurements memory-rich "
          f"(memcpy 1 -> 2 threads {span([ratio(c['memcpy']) for c in rich])}x), "
          f"the others memory-bound ({span([ratio(c['memcpy']) for c in bound])}x)")
    m1 = [c["memcpy"]["elements_per_s_1t"] / 1e9 for c in copies]
    s2 = [c["stream_copy"]["elements_per_s_all"] / 1e9 for c in bound]
    print(f"one-thread memcpy {median(m1)} Gelem/s [{span(m1)}]; two-thread "
          f"streaming copy in memory-bound measurements {median(s2)} [{span(s2)}]")
    print()
    print("| case | 1 thread vs memcpy | speedup 1 → 2 threads, memory-rich (n) "
          "| speedup, memory-bound (n) | 2 threads vs streaming copy, memory-bound |")
    print("|---|---|---|---|---|")
    for name in [c["name"] for c in runs[0]["cases"]]:
        cs = [c for r in runs for c in r["cases"] if c["name"] == name]
        one = [100 * c["vs_memcpy_1t"] for c in cs]
        row = [f"{statistics.median(one):.0f} % [{span(one, 0)}]"]
        fast = [c for c in cs if memory_rich(c)]
        slow = [c for c in cs if not memory_rich(c)]
        for group in (fast, slow):
            sp = [c["speedup"] for c in group]
            row.append(f"{statistics.median(sp):.2f}× [{span(sp)}] ({len(sp)})" if sp else "–")
        vs = [100 * c["vs_stream_copy_all"] for c in slow]
        row.append(f"{statistics.median(vs):.0f} %" if vs else "–")
        print(f"| {name} | " + " | ".join(row) + " |")


def ratio(m):
    return m["elements_per_s_all"] / m["elements_per_s_1t"]


def memory_rich(case):
    """Whether memcpy, timed just before the case, gained 1.5x from a second thread."""
    return ratio(case["memcpy"]) >= 1.5


def median(values):
    return f"{statistics.median(values):.2f}" if values else "–"


def span(values, digits=2):
    return f"{min(values):.{digits}f}–{max(values):.{digits}f}" if values else "–"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("\n".join(__doc__.strip().splitlines()[-3:]))
    main(sys.argv[1:])
