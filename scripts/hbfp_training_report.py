#!/usr/bin/python3
"""The training side of experiments/hbfp_training_{mlp,cnn}.json (issue 13):
reads the weights files the runs trained, data/models/hbfp/MODEL.SETTING.seedK.h5,
and prints a markdown table per model (settings: the experiments' inputs, plus
hbfp4-sr = HBFP4 with stochastically rounded gradients and boosters-attn =
boosters with "attention_scores", trained with `interplay train`, see
results/hbfp_training.md): test accuracy (FP32 evaluation of the
FP32 master weights) with the mean and 95 % t-interval over the seeds, the
paired difference to FP32 (same seed), the fraction of training MACs at each
width (stored with the weights, "macs" in the training attribute), and the
training time with its ratio to FP32 (emulation overhead).

  /usr/bin/python3 scripts/hbfp_training_report.py [--models mlp cnn] > results/hbfp_training.md

Needs h5py and numpy (Debian's python3-h5py); run from the repository root."""
import argparse, json, math, os, sys
import h5py

SETTINGS = ["fp32", "hbfp8", "hbfp6", "hbfp4", "hbfp4-sr", "boosters", "boosters-epochs",
            "boosters-attn"]
# Two-sided 95 % Student t quantiles by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def interval(xs):
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    return m, T95.get(n - 1, 1.96) * sd / math.sqrt(n)


def runs(model, setting):
    out = {}
    for seed in range(100):
        path = f"data/models/hbfp/{model}.{setting}.seed{seed}.h5"
        if os.path.exists(path):
            with h5py.File(path, "r") as f:
                out[seed] = json.loads(f.attrs["training"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["mlp", "cnn", "vit"])
    args = ap.parse_args()
    for model in args.models:
        table = {s: runs(model, s) for s in SETTINGS}
        if not table["fp32"]:
            continue
        base = table["fp32"]
        base_time = interval([r["train_seconds"] for r in base.values()])[0]
        print(f"### {model}\n")
        print("| training arithmetic | seeds | test accuracy | minus FP32 (paired) | "
              "MACs by width | train time | vs FP32 |")
        print("|---|---|---|---|---|---|---|")
        for s in SETTINGS:
            rs = table[s]
            if not rs:
                continue
            acc, acc_ci = interval([r["test_accuracy"] for r in rs.values()])
            paired = [rs[k]["test_accuracy"] - base[k]["test_accuracy"] for k in rs if k in base]
            d, d_ci = interval(paired) if paired else (float("nan"), float("nan"))
            first = next(iter(rs.values()))
            if "macs" in first:
                widths = ", ".join(f"{w} {100 * f:.2f} %" for w, f in
                                   sorted(first["macs"]["fraction"].items(), key=lambda kv: -kv[1]))
            else:  # trained before the accounting existed (FP32 by construction)
                widths = "(not stored)"
            t = interval([r["train_seconds"] for r in rs.values()])[0]
            pm = lambda ci: "" if math.isnan(ci) else f" ± {100 * ci:.2f}"  # one seed: no interval
            diff = "—" if s == "fp32" else f"{100 * d:+.2f}{pm(d_ci)} pt"
            print(f"| {s} | {len(rs)} | {100 * acc:.2f}{pm(acc_ci)} % | {diff} | "
                  f"{widths} | {t:.0f} s | {t / base_time:.2f}x |")
        print()


if __name__ == "__main__":
    sys.exit(main())
