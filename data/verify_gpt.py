#!/usr/bin/env python3
"""Re-derives the validation and test perplexity of interplay `gpt` weight files
with numpy + h5py only, from data/README.md (corpus, split, layout, evaluation),
without interplay code: the sibling of verify_models.py for the language model.

    python3 data/verify_gpt.py data/models/gpt.h5 [--limit N]

Reads the cached corpus data/bible-kjv.txt (or $INTERPLAY_BIBLE_TEXT, or runs
`bible -f Gen1:1-Rev22:21`), splits it by whole books, evaluates in
non-overlapping chunks of the context and prints the perplexity per byte next to
the stored one; exits 1 if they differ by more than 0.1 % (float32 summation
order differs from interplay's). --limit N evaluates the first N bytes of each
part only (then nothing is compared with the stored values unless they were
computed with the same --test-limit).
"""
import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np

from verify_models import attention, layer_norm, linear


def erf(x):
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and
    # np.vectorize(math.erf) is too slow for every hidden unit of the test books.
    s = np.sign(x)
    a = np.abs(x)
    t = 1 / (1 + 0.3275911 * a)
    y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
             + 0.254829592) * t * np.exp(-a * a)
    return s * y


def gelu(x):
    return 0.5 * x * (1 + erf(x / np.sqrt(2)))


def corpus():
    path = os.environ.get("INTERPLAY_BIBLE_TEXT", "data/bible-kjv.txt")
    if os.path.exists(path):
        with open(path, "rb") as f:
            raw = f.read()
    else:
        raw = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], check=True,
                             capture_output=True).stdout
    parts = {"train": [], "validation": [], "test": []}
    book, index = None, -1
    for line in raw.decode("ascii").splitlines():
        ref, text = line.split(" ", 1)
        b = re.match(r"\d*\D+", ref).group(0)  # "1Sm3:4" -> "1Sm"
        if b != book:
            book, index = b, index + 1
        part = "test" if index % 11 == 5 else "validation" if index % 11 == 10 else "train"
        parts[part].append(text + "\n")
    return {k: "".join(v).encode("ascii") for k, v in parts.items()}


def logits(f, arch, x):
    e = f["embed"]
    h = e["weight"][:][x] + e["pos_embed"][: x.shape[1]]
    for b in range(arch["depth"]):
        g = f[f"block{b}"]
        h = h + attention(g["attn"], layer_norm(g["norm1"], h), arch["heads"], causal=True)
        h = h + linear(g["fc2"], gelu(linear(g["fc1"], layer_norm(g["norm2"], h))))
    return linear(f["head"], layer_norm(f["norm"], h))


def mean_loss(f, arch, data):
    T = arch["context"]
    b = np.frombuffer(data, np.uint8).astype(np.int64)
    total, n = 0.0, len(b) - 1
    starts = list(range(0, n, T))  # non-overlapping chunks, the last one shorter
    for s0 in range(0, len(starts), 64):
        group = starts[s0:s0 + 64]
        for length in sorted({min(T, n - s) for s in group}):
            rows = [s for s in group if min(T, n - s) == length]
            x = np.stack([b[s:s + length] for s in rows])
            y = np.stack([b[s + 1:s + length + 1] for s in rows])
            z = logits(f, arch, x).astype(np.float64)
            z = z - z.max(-1, keepdims=True)
            lse = np.log(np.exp(z).sum(-1))
            total += float((lse - np.take_along_axis(z, y[..., None], -1)[..., 0]).sum())
    return total / n


def main(args):
    limit = 0
    if "--limit" in args:
        i = args.index("--limit")
        limit = int(args[i + 1])
        del args[i:i + 2]
    parts = corpus()
    ok = True
    for path in args:
        with h5py.File(path, "r") as f:
            arch = json.loads(f.attrs["architecture"])
            assert arch["model"] == "gpt", path
            training = json.loads(f.attrs["training"])
            for part in ("validation", "test"):
                data = parts[part][:limit] if limit else parts[part]
                ppl = float(np.exp(mean_loss(f, arch, data)))
                stored = training[f"{part}_perplexity"]
                same = training[f"{part}_bytes"] == len(data) - 1
                print(f"{path}: {part} numpy perplexity {ppl:.4f} per byte, stored {stored:.4f}"
                      + ("" if same else " (different byte count: not compared)"))
                if same:
                    ok &= abs(ppl - stored) <= 1e-3 * stored
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
