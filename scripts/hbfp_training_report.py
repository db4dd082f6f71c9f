#!/usr/bin/python3
"""The training side of experiments/hbfp_training_{mlp,cnn,vit,gpt}.json (issue 13):
reads the weights files the runs trained, data/models/hbfp/MODEL.SETTING.seedK.h5,
and prints a markdown table per model (settings: the experiments' inputs, plus
hbfp4-sr = HBFP4 with stochastically rounded gradients and boosters-attn =
boosters with "attention_scores", trained with `interplay train`, see
results/hbfp_training.md): test accuracy (FP32 evaluation of the
FP32 master weights) with the mean and 95 % t-interval over the seeds, the
paired difference to FP32 (same seed), the fraction of training MACs at each
width (stored with the weights, "macs" in the training attribute), and the
training time with its ratio to FP32 (emulation overhead).

  /usr/bin/python3 scripts/hbfp_training_report.py [--models mlp cnn vit gpt]

Each classifier table is followed by the loss from pruning of each trained
model next to the FP32-trained one's (from results/hbfp_training_MODEL.h5,
paired by seed). The gpt has one training seed per setting, so its tables read
test bits per byte, in FP32 and in the arithmetic of each model's last training
epoch, and take their intervals from the test-chunk bootstrap replicates of
results/hbfp_training_gpt.h5 (every point's replicate b resamples the same
chunks, so differences of replicates are paired).

Needs h5py and numpy (Debian's python3-h5py); run from the repository root."""
import argparse, json, math, os, sys
import h5py
import numpy as np

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


def percentile_interval(reps):
    lo, hi = np.percentile(reps, [2.5, 97.5])
    return f"[{lo:+.4f}, {hi:+.4f}]"


# The arithmetic each gpt setting ran its last epoch in: its "own" evaluation.
OWN_WIDTH = {"fp32": "", "hbfp8": "hbfp8", "hbfp6": "hbfp6", "hbfp4": "hbfp4", "boosters": "hbfp6"}


def gpt_table():
    """The gpt has one training seed per setting: intervals come from the
    test-chunk replicates of results/hbfp_training_gpt.h5 (every point's
    replicate b resamples the same chunks, so differences are paired)."""
    table = {s: runs("gpt", s).get(0) for s in OWN_WIDTH}
    base = table["fp32"]
    if not base:
        return
    pts = pruned_points("results/hbfp_training_gpt.h5", "test_loss")
    bits = lambda key: tuple(None if v is None else v / math.log(2) for v in pts[key])

    def own(s, sparsity=""):  # (value, replicates) in the setting's own arithmetic
        w = OWN_WIDTH[s]
        order = ("S->Q" if w else "S") if sparsity else ("Q" if w else "dense")
        return bits((s, 0, sparsity, order, w))

    def vs(a, b):  # a - b with its paired percentile interval
        return f"{a[0] - b[0]:+.4f} {percentile_interval(a[1] - b[1])}"

    print("### gpt\n")
    print("One training seed per setting; intervals are 95 % bootstrap intervals over "
          "the 1460 test chunks, paired (results/hbfp_training_gpt.h5). *FP32 eval.*: "
          "the FP32 master weights evaluated in FP32 (the stored number); *own "
          "arithmetic*: evaluated in the arithmetic of the model's last training epoch "
          "(post-training HBFP of every matmul layer's weights and inputs: HBFP4 for "
          "hbfp4, HBFP6 for boosters), against the FP32-trained model in FP32.\n")
    print("| training arithmetic | test bits/byte, FP32 eval. | minus FP32 | test bits/byte, own "
          "arithmetic | minus FP32 | MACs by width | train time | vs FP32 |")
    print("|---|---|---|---|---|---|---|---|")
    for s, r in table.items():
        if not r:
            continue
        if "macs" in r:
            widths = ", ".join(f"{w} {100 * f:.2f} %" for w, f in
                               sorted(r["macs"]["fraction"].items(), key=lambda kv: -kv[1]))
        else:
            widths = "(not stored)"
        dense, mine = bits((s, 0, "", "dense", "")), own(s)
        d1 = "—" if s == "fp32" else vs(dense, own("fp32"))
        d2 = "—" if s == "fp32" else vs(mine, own("fp32"))
        t = r["train_seconds"]
        print(f"| {s} | {dense[0]:.4f} | {d1} | {mine[0]:.4f} | {d2} | {widths} | {t:.0f} s | "
              f"{t / base['train_seconds']:.2f}x |")
    print()
    print("Loss from pruning (magnitude 50 % or 2:4, every matmul layer), gpt: increase in test "
          "bits per byte, each model pruned and then evaluated in its own arithmetic, minus its "
          "own unpruned score; Δ = minus the FP32-trained model's increase (paired; Δ < 0: the "
          "HBFP-trained model loses less):\n")
    print("| trained in | 50 % | 2:4 |")
    print("|---|---:|---:|")
    for s, r in table.items():
        if not r:
            continue
        cells = []
        for sp in ("50%", "2:4"):
            mine = tuple(x - y for x, y in zip(own(s, sp), own(s)))
            ref = tuple(x - y for x, y in zip(own("fp32", sp), own("fp32")))
            cells.append(f"{mine[0]:+.4f}" + ("" if s == "fp32" else f" (Δ {vs(mine, ref)})"))
        print(f"| {s} | " + " | ".join(cells) + " |")
    print()


PRUNED = [("50%", "S", ""), ("2:4", "S", ""), ("50%", "S->Q", "hbfp4"), ("2:4", "S->Q", "hbfp4")]


def pruned_points(path, value):
    """(input, seed, sparsity, order, format) -> (point value, replicates or None)."""
    if not os.path.exists(path):
        return {}
    dec = lambda a: [x.decode() if isinstance(x, bytes) else x for x in a]
    with h5py.File(path, "r") as f:
        p = f["points"]
        keys = zip(dec(p["input"][:]), p["seed"][:].astype(int), dec(p["sparsity"][:]),
                   dec(p["order"][:]), dec(p["format"][:]))
        vals = p[value][:]
        reps = f[f"replicates/{value}"][:] if f"replicates/{value}" in f else None
    return {k: (vals[i], None if reps is None else reps[i]) for i, k in enumerate(keys)}


def pruning_table(model):
    """How much each trained model loses when pruned (and then HBFP4-quantized),
    next to the FP32-trained model's loss: the issue's 'does a model trained in
    HBFP lose less?'. Classifiers: accuracy drop from the model's own dense
    accuracy, mean and t-interval over seeds, and the difference of drops to the
    FP32-trained model of the same seed. gpt: increase in test bits per byte,
    intervals from the test-chunk replicates (paired)."""
    lm = model == "gpt"
    pts = pruned_points(f"results/hbfp_training_{model}.h5", "loss_increase" if lm else "accuracy_drop")
    if not pts:
        return
    inputs = [s for s in SETTINGS if any(k[0] == s for k in pts)]
    unit = "bits/byte" if lm else "pt"
    print(f"Loss from pruning, {model} ({'increase in test bits per byte' if lm else 'accuracy drop in points'}"
          f" from each model's own dense score; Δ = minus the FP32-trained model's, "
          f"{'95 % bootstrap interval over test chunks, paired' if lm else 'paired by seed, 95 % t-interval over seeds'}; "
          f"Δ < 0: the HBFP-trained model loses less):\n")
    print("| trained in | " + " | ".join(f"{sp} {'→ ' + fmt.upper() if fmt else 'alone'}" for sp, o, fmt in PRUNED) + " |")
    print("|---|" + "---:|" * len(PRUNED))
    for s in inputs:
        cells = []
        for sp, o, fmt in PRUNED:
            mine = {k[1]: v for k, v in pts.items() if k[0] == s and k[2:] == (sp, o, fmt)}
            base = {k[1]: v for k, v in pts.items() if k[0] == "fp32" and k[2:] == (sp, o, fmt)}
            if lm:
                v, r = mine[0]
                cell = f"{v / math.log(2):+.4f}"
                if s != "fp32":
                    bv, br = base[0]
                    d = (r - br) / math.log(2)
                    cell += f" (Δ {(v - bv) / math.log(2):+.4f} {percentile_interval(d)})"
            else:
                m, ci = interval([100 * v for v, _ in mine.values()])
                pm = "" if math.isnan(ci) else f" ± {ci:.2f}"
                cell = f"{m:.2f}{pm}"
                paired = [100 * (mine[k][0] - base[k][0]) for k in mine if k in base]
                if s != "fp32" and paired:
                    d, dci = interval(paired)
                    cell += f" (Δ {d:+.2f}{'' if math.isnan(dci) else f' ± {dci:.2f}'})"
            cells.append(cell)
        print(f"| {s} | " + " | ".join(cells) + " |")
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["mlp", "cnn", "vit", "gpt"])
    args = ap.parse_args()
    for model in args.models:
        if model == "gpt":
            gpt_table()
            continue
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
        pruning_table(model)


if __name__ == "__main__":
    sys.exit(main())
