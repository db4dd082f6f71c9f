#!/usr/bin/env python3
"""Medians and ranges over repeated `interplay bench --json` runs.

The README's performance table comes from this script run on
results/bench_runs.json (a list of runs). The two-thread speedup is given
separately for the runs in which the VM's memory let a second thread copy
faster (two-thread memcpy at least 1.5x one-thread memcpy) and for the runs in
which it did not: on the project's machine the memory bandwidth a second
thread gets changes from minute to minute, and a median over both kinds of
run describes neither.

usage: scripts/bench_summary.py results/bench_runs.json
"""
import json
import statistics
import sys


def main(path):
    with open(path) as f:
        runs = json.load(f)["runs"]
    fast = [r for r in runs if ratio(r["memcpy"]) >= 1.5]
    slow = [r for r in runs if ratio(r["memcpy"]) < 1.5]
    m1 = [r["memcpy"]["elements_per_s_1t"] / 1e9 for r in runs]
    print(f"{len(runs)} runs; one-thread memcpy {statistics.median(m1):.2f} Gelem/s "
          f"[{min(m1):.2f}-{max(m1):.2f}]")
    for name, group in (("memory-rich", fast), ("memory-bound", slow)):
        if group:
            m = [ratio(r["memcpy"]) for r in group]
            s = [r["stream_copy"]["elements_per_s_all"] / 1e9 for r in group]
            print(f"{name} runs: {len(group)}; memcpy 1->2 threads {min(m):.2f}-{max(m):.2f}x; "
                  f"two-thread streaming copy {statistics.median(s):.2f} Gelem/s")
    print()
    print("| case | 1 thread vs memcpy | speedup 1 -> 2 threads, memory-rich runs "
          "| speedup, memory-bound runs | 2 threads vs streaming copy, memory-bound runs |")
    print("|---|---|---|---|---|")
    for name in [c["name"] for c in runs[0]["cases"]]:
        one = [100 * case(r, name)["vs_memcpy_1t"] for r in runs]
        row = [f"{statistics.median(one):.0f} % [{min(one):.0f}-{max(one):.0f}]"]
        for group in (fast, slow):
            sp = [case(r, name)["speedup"] for r in group]
            row.append(f"{statistics.median(sp):.2f}x [{min(sp):.2f}-{max(sp):.2f}]" if sp else "-")
        vs = [100 * case(r, name)["vs_stream_copy_all"] for r in slow]
        row.append(f"{statistics.median(vs):.0f} %" if vs else "-")
        print(f"| {name} | " + " | ".join(row) + " |")


def ratio(m):
    return m["elements_per_s_all"] / m["elements_per_s_1t"]


def case(run, name):
    return next(c for c in run["cases"] if c["name"] == name)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1])
