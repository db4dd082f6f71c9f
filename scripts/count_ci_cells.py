#!/usr/bin/env python3
"""Counts the cells of a mean_ci table by what their 95 % interval says.

Reads the CSV of `interplay table RESULTS.h5 --table NAME --format csv` on
stdin (standard library only) and prints, per group of rows and per value
column, how many cells lie entirely above 0, entirely below 0, or contain 0
(inconclusive). Rows are grouped by the values of the --group columns, with
the format column reduced to its solver ("gptq" when the label contains
"+gptq", else "rtn"), so that RTN and GPTQ rates are reported side by side:

    build/interplay table results/calib_model_mlp.h5 --table order --format csv \
        | scripts/count_ci_cells.py --group input format
"""
import argparse
import csv
import sys
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--group", nargs="*", default=[], help="key columns to group rows by")
    ap.add_argument("--threshold", type=float, default=0.0)
    args = ap.parse_args()
    rows = list(csv.DictReader(sys.stdin))
    if not rows:
        sys.exit("no rows on stdin")
    values = [c for c in rows[0] if c + " (95% lo)" in rows[0]]
    counts = defaultdict(lambda: [0, 0, 0])  # above, below, inconclusive
    for r in rows:
        key = []
        for g in args.group:
            v = r[g]
            if g == "format":
                v = "gptq" if "+gptq" in v else "rtn"
            key.append(v)
        for col in values:
            lo, hi = float(r[col + " (95% lo)"]), float(r[col + " (95% hi)"])
            slot = 0 if lo > args.threshold else 1 if hi < args.threshold else 2
            counts[(tuple(key), col)][slot] += 1
    print("group\tcolumn\tabove\tbelow\tinconclusive")
    for (key, col), (a, b, c) in sorted(counts.items()):
        print(f"{'/'.join(key) or '-'}\t{col}\t{a}\t{b}\t{c}")


if __name__ == "__main__":
    main()
