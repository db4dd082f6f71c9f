#!/usr/bin/env python3
"""Compares interplay's calibrated methods with the reference implementations
on a random layer with correlated inputs (not part of the test suite: needs
PyTorch, e.g. Debian's python3-torch, and clones of the reference repos).

  scripts/calibration_reference_check.py --interplay build/interplay \
      --gptq PATH/TO/IST-DASLab/gptq --sparsegpt PATH/TO/IST-DASLab/sparsegpt [--seed 0]

Per case: rows whose values agree to float rounding (quantization levels
identical), rows whose masks are identical, and the ratio of layer-output
errors ||(W - Q) X^T||^2 (interplay / reference). [H] runs interplay on the
reference's own accumulated H (--hessian), [X] on the inputs (--calibration).
Runs in a scratch directory; the reference modules are imported from the
given clones (a stub `transformers` module is provided)."""
import argparse, importlib, os, sys, tempfile, types
ap = argparse.ArgumentParser()
ap.add_argument('--interplay', required=True)
ap.add_argument('--gptq', required=True)
ap.add_argument('--sparsegpt', required=True)
ap.add_argument('--obc', help='a clone of IST-DASLab/OBC (adds OBQ and OBC pruning cases)')
ap.add_argument('--seed', type=int, default=0)
args = ap.parse_args()
B = os.path.abspath(args.interplay)
sys.modules['transformers'] = types.SimpleNamespace(Conv1D=type('Conv1D', (), {}))
import torch
torch.cuda.synchronize = lambda: None
sys.path.insert(0, os.path.abspath(args.gptq))
import quant as gq
from gptq import GPTQ
sys.path.pop(0)
del sys.modules['quant']
sys.path.insert(0, os.path.abspath(args.sparsegpt))
import sparsegpt as sg
sys.path.pop(0)
if args.obc:
    del sys.modules['quant']
    sys.path.insert(0, os.path.abspath(args.obc))
    import quant as oq
    import trueobs
    trueobs.torch.cuda.synchronize = lambda: None
os.chdir(tempfile.mkdtemp(prefix='interplay_refcheck_'))
import json, subprocess, numpy as np, torch.nn as nn
torch.set_num_threads(1)
rng = np.random.default_rng(args.seed)
OUT, IN, N = 64, 256, 512
W = rng.standard_normal((OUT, IN)).astype(np.float32)
Z = rng.standard_normal((N, IN)).astype(np.float32)
A = (rng.standard_normal((IN, IN)) * 0.1).astype(np.float32)
X = (Z + Z @ A).astype(np.float32)
X[:, 7] = 0  # a dead input
np.save('w.npy', W); np.save('x.npy', X)

def hess(cls):
    layer = nn.Linear(IN, OUT, bias=False); layer.weight.data = torch.tensor(W)
    g = cls(layer)
    for i in range(0, N, 32):  # 32 samples per batch, each one token
        g.add_batch(torch.tensor(X[i:i+32]).unsqueeze(1), None)
    return layer, g

def interplay(pipeline, extra):
    r = subprocess.run([B, 'compress', '--input', 'w.npy', '--output', 'q.npy', '--pipeline', json.dumps(pipeline)] + extra, capture_output=True, text=True)
    if r.returncode: print('INTERPLAY FAILED', r.stderr, file=sys.stderr); raise SystemExit(1)
    return np.load('q.npy')

def report(name, ref, ours):
    print = __builtins__.print if hasattr(__builtins__, 'print') else __import__('builtins').print
    same_rows = sum(np.allclose(ref[r], ours[r], rtol=2e-6, atol=0) for r in range(OUT))
    err = lambda Q: float(np.sum(((W - Q) @ X.T).astype(np.float64) ** 2))
    mask_rows = sum(np.array_equal(ref[r] == 0, ours[r] == 0) for r in range(OUT))
    print(f"{name:55s} identical rows {same_rows:3d}/{OUT}  mask rows {mask_rows:3d}/{OUT}  err ratio {err(ours)/err(ref):.5f}")

def gptq_case(name, bits, sym, groupsize, actorder, static, step, use_x):
    layer, g = hess(GPTQ)
    np.save('h.npy', g.H.numpy())
    g.quantizer = gq.Quantizer(); g.quantizer.configure(bits, perchannel=True, sym=sym, mse=False)
    g.fasterquant(blocksize=128, percdamp=.01, groupsize=groupsize, actorder=actorder, static_groups=static)
    ref = layer.weight.data.numpy().copy()
    ours = interplay(step, ['--calibration', 'x.npy'] if use_x else ['--hessian', 'h.npy'])
    report(name + (' [X]' if use_x else ' [H]'), ref, ours)

def sgpt_case(name, sparsity, n, m, bits, step, use_x):
    layer, g = hess(sg.SparseGPT)
    np.save('h.npy', g.H.numpy())
    if bits:
        g.quantizer = sg.Quantizer(); g.quantizer.configure(bits, perchannel=True, sym=False, mse=False)
    g.fasterprune(sparsity, prunen=n, prunem=m, blocksize=128, percdamp=.01)
    ref = layer.weight.data.numpy().copy()
    ours = interplay(step, ['--calibration', 'x.npy'] if use_x else ['--hessian', 'h.npy'])
    report(name + (' [X]' if use_x else ' [H]'), ref, ours)

for use_x in (False, True):
  def q(f, *a):
      f(*a)
  q(gptq_case, 'gptq int4 asym per-channel', 4, False, -1, False, False,
    {"quantizer": "int", "bits": 4, "scheme": "asymmetric", "solver": "gptq"}, use_x)
  q(gptq_case, 'gptq int3 asym per-channel act_order', 3, False, -1, True, False,
    {"quantizer": "int", "bits": 3, "scheme": "asymmetric", "solver": "gptq", "act_order": True}, use_x)
  q(gptq_case, 'gptq int4 sym group 32', 4, True, 32, False, False,
    {"quantizer": "int", "bits": 4, "scheme": "gptq_symmetric", "granularity": "group", "block": 32, "solver": "gptq"}, use_x)
  q(gptq_case, 'gptq int4 asym group 48 act_order', 4, False, 48, True, False,
    {"quantizer": "int", "bits": 4, "scheme": "asymmetric", "granularity": "group", "block": 48, "solver": "gptq", "act_order": True}, use_x)
  q(gptq_case, 'gptq int4 asym group 48 act_order static', 4, False, 48, True, True,
    {"quantizer": "int", "bits": 4, "scheme": "asymmetric", "granularity": "group", "block": 48, "solver": "gptq", "act_order": True, "static_groups": True}, use_x)
  q(sgpt_case, 'sparsegpt 50% (reference_count)', 0.5, 0, 0, 0,
    {"sparsifier": "sparsegpt", "fraction": 0.5, "reference_count": True}, use_x)
  q(sgpt_case, 'sparsegpt 50% (exact count)', 0.5, 0, 0, 0,
    {"sparsifier": "sparsegpt", "fraction": 0.5}, use_x)
  q(sgpt_case, 'sparsegpt 2:4', 0, 2, 4, 0, {"sparsifier": "sparsegpt", "n": 2, "m": 4}, use_x)
  q(sgpt_case, 'sparsegpt 50% + int4 joint (reference_count)', 0.5, 0, 0, 4,
    {"sparsifier": "sparsegpt", "fraction": 0.5, "reference_count": True, "quantizer": {"quantizer": "int", "bits": 4, "scheme": "asymmetric"}}, use_x)
  q(sgpt_case, 'sparsegpt 2:4 + int4 joint', 0, 2, 4, 4,
    {"sparsifier": "sparsegpt", "n": 2, "m": 4, "quantizer": {"quantizer": "int", "bits": 4, "scheme": "asymmetric"}}, use_x)

# Wanda: the reference's metric and stable sort (lib/prune.py prune_wanda), X as one batch.
scaler = torch.zeros(IN)
inp = torch.tensor(X).t()
scaler += torch.norm(inp, p=2, dim=1) ** 2 / 1
Wt = torch.tensor(W)
metric = torch.abs(Wt) * torch.sqrt(scaler.reshape((1, -1)))
mask = torch.zeros_like(metric) == 1
idx = torch.sort(metric, dim=-1, stable=True)[1][:, :int(IN * 0.5)]
mask.scatter_(1, idx, True)
ref = W.copy(); ref[mask.numpy()] = 0
report('wanda 50% [X]', ref, interplay({"sparsifier": "wanda", "fraction": 0.5}, ['--calibration', 'x.npy']))
mask = torch.zeros_like(metric) == 1
for ii in range(IN):
    if ii % 4 == 0:
        tmp = metric[:, ii:ii+4].float()
        mask.scatter_(1, ii + torch.topk(tmp, 2, dim=1, largest=False)[1], True)
ref = W.copy(); ref[mask.numpy()] = 0
report('wanda 2:4 [X]', ref, interplay({"sparsifier": "wanda", "n": 2, "m": 4}, ['--calibration', 'x.npy']))

if args.obc:
    def obc_case(name, how, step):
        layer = nn.Linear(IN, OUT, bias=False); layer.weight.data = torch.tensor(W)
        t = trueobs.TrueOBS(layer, rel_damp=0)
        t.add_batch(torch.tensor(X), None)
        np.save('h.npy', t.H.float().numpy())
        if how == 'quant':
            t.quantizer = oq.Quantizer(); t.quantizer.configure(4, perchannel=True, sym=False)
            t.quantize()
        elif how == 'nm':
            t.nmprune(2, 4)
        else:
            t.prepare_unstr(); layer.weight.data = t.prune_unstr([0.5])[0]
        ref = layer.weight.data.numpy().copy()
        report(name + ' [H]', ref, interplay(step, ['--hessian', 'h.npy']))
    obc_case('obq int4 asym per-channel', 'quant',
             {"quantizer": "int", "bits": 4, "scheme": "asymmetric", "solver": "obc", "dampening": 0})
    obc_case('obc 2:4', 'nm', {"sparsifier": "obc", "n": 2, "m": 4})
    obc_case('obc 50% (layer-wide allocation)', 'unstr', {"sparsifier": "obc", "fraction": 0.5})
