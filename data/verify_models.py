#!/usr/bin/env python3
"""Re-derives the test accuracy of interplay model files with numpy + h5py only,
from the layout documented in data/README.md (no interplay code involved).

    python3 data/verify_models.py data/models/mlp.h5 data/models/cnn.h5 data/models/vit.h5

Prints, per file, the accuracy recomputed here next to the one stored in the
file's "training" attribute; exits 1 if they differ by more than 0.05 points
(float32 summation order may flip the odd borderline image).
"""
import gzip
import json
import os
import sys

import h5py
import numpy as np
from math import erf, sqrt

DATA = os.environ.get("INTERPLAY_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")


def idx(name, offset):
    path = os.path.join(DATA, name)
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rb") as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def test_set(inp):
    mean, std = inp["mean"], inp["std"]
    x = idx("t10k-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)
    x = ((x.astype(np.float32) / 255 - mean) / std).astype(np.float32)
    return x, idx("t10k-labels-idx1-ubyte", 8)


def linear(g, x):
    return x @ g["weight"][:].T + g["bias"][:]


def conv_same(g, x):
    w, b = g["weight"][:], g["bias"][:]
    o, c, k, _ = w.shape
    p = k // 2
    n, _, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    cols = np.empty((n, h, wd, c, k, k), np.float32)
    for dy in range(k):
        for dx in range(k):
            cols[:, :, :, :, dy, dx] = xp[:, :, dy:dy + h, dx:dx + wd].transpose(0, 2, 3, 1)
    y = cols.reshape(n * h * wd, c * k * k) @ w.reshape(o, -1).T + b
    return y.reshape(n, h, wd, o).transpose(0, 3, 1, 2)


def pool2(x, kind):
    n, c, h, w = x.shape
    x = x[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
    return x.max(axis=(3, 5)) if kind == "max" else x.mean(axis=(3, 5))


def layer_norm(g, x):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-5) * g["weight"][:] + g["bias"][:]


verf = np.vectorize(erf)


def gelu(x):
    return 0.5 * x * (1 + verf(x / sqrt(2)))


def attention(g, x, heads, causal=False):
    n, t, d = x.shape
    qkv = linear(g["qkv"], x)
    q, k, v = (qkv[..., i * d:(i + 1) * d].reshape(n, t, heads, d // heads).transpose(0, 2, 1, 3)
               for i in range(3))
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d // heads)
    if causal:  # position t sees 0..t (the gpt)
        s = np.where(np.tril(np.ones((t, t), bool)), s, -np.inf)
    a = np.exp(s - s.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)
    o = (a @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
    return linear(g["proj"], o)


def forward(f, arch, x):
    kind = arch["model"]
    if kind == "mlp":
        h = x.reshape(len(x), -1)
        n = len(arch["hidden"]) + 1
        for i in range(1, n + 1):
            h = linear(f[f"fc{i}"], h)
            if i < n:
                h = np.maximum(h, 0)
        return h
    if kind == "cnn":
        h = x
        for i in range(1, len(arch["channels"]) + 1):
            h = pool2(np.maximum(conv_same(f[f"conv{i}"], h), 0), arch["pool"])
        h = np.maximum(linear(f["fc1"], h.reshape(len(h), -1)), 0)
        return linear(f["fc2"], h)
    p = arch["patch"]
    n, c, hh, ww = x.shape
    patches = x.reshape(n, c, hh // p, p, ww // p, p).transpose(0, 2, 4, 1, 3, 5)
    h = linear(f["patch_embed"], patches.reshape(n, (hh // p) * (ww // p), c * p * p))
    tok = f["tokens"]
    if arch["pool"] == "cls":
        h = np.concatenate([np.broadcast_to(tok["cls_token"][:], (n, 1, h.shape[2])), h], axis=1)
    h = h + tok["pos_embed"][:]
    for b in range(arch["depth"]):
        g = f[f"block{b}"]
        h = h + attention(g["attn"], layer_norm(g["norm1"], h), arch["heads"])
        h = h + linear(g["fc2"], gelu(linear(g["fc1"], layer_norm(g["norm2"], h))))
    h = layer_norm(f["norm"], h)
    h = h[:, 0] if arch["pool"] == "cls" else h.mean(1)
    return linear(f["head"], h)


def main(paths):
    ok = True
    for path in paths:
        with h5py.File(path, "r") as f:
            assert f.attrs["format"] == "interplay-model", path
            arch = json.loads(f.attrs["architecture"])
            stored = json.loads(f.attrs["training"])["test_accuracy"]
            x, y = test_set(json.loads(f.attrs["input"]))
            correct = 0
            for s in range(0, len(x), 1000):
                correct += int((forward(f, arch, x[s:s + 1000]).argmax(1) == y[s:s + 1000]).sum())
            acc = correct / len(x)
            print(f"{path}: {arch['model']} numpy accuracy {100 * acc:.2f} %, stored {100 * stored:.2f} %")
            ok &= abs(acc - stored) <= 5e-4
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
