#!/usr/bin/env python3
"""A bridge from PyTorch models to interplay (Debian python3-torch, python3-h5py).

Records what every nn.Linear of a model sees on a few batches and writes it to
an HDF5 file that interplay reads as activations / calibration data:

  /<weight name>   float32 [n, in_features]: the layer's inputs, flattened over
                   every leading (batch, sequence) axis, in batch order;
                   with --hessian instead the [in, in] matrix 2 XᵀX / n that
                   GPTQ and SparseGPT minimise against.

<weight name> is the layer's state-dict key ("model.layers.0.mlp.up_proj.weight"),
so the dataset for a weight is `calib.h5:/<the weight's name in the checkpoint>`.
Root attributes record the tool, the mode and the number of rows.

Also here, for the round trip: save_safetensors / load_safetensors, a minimal
reader and writer of the safetensors format for PyTorch versions without the
`safetensors` package (F32, F16, BF16, F64 and integer tensors).

Command line:
  scripts/export_calibration.py --model mypkg.models:build --output calib.h5 [--hessian]
where `mypkg.models:build` names a function returning (model, batches): an
nn.Module and an iterable of input batches (tensors, or tuples passed as *args).
"""
import argparse
import importlib
import json
import os
import struct
import sys

import numpy as np

_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
           "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def export_calibration(model, batches, path, hessian=False):
    """Runs `model` on `batches` (no gradients) and writes every nn.Linear's inputs
    (or 2 XᵀX / n with hessian=True) to `path`. Returns {weight name: rows}."""
    import h5py
    import torch

    names = {m: n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    seen = {n: [] for n in names.values()}

    def record(module, inputs):
        x = inputs[0].detach().to(torch.float32)
        seen[names[module]].append(x.reshape(-1, x.shape[-1]).cpu().numpy())

    hooks = [m.register_forward_pre_hook(record) for m in names]
    try:
        model.eval()
        with torch.no_grad():
            for batch in batches:
                model(*batch) if isinstance(batch, (tuple, list)) else model(batch)
    finally:
        for h in hooks:
            h.remove()
    rows = {}
    # Written whole to a temporary name first, so a failure leaves no partial file.
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.attrs["tool"] = "scripts/export_calibration.py"
        f.attrs["mode"] = "hessian" if hessian else "inputs"
        for name, parts in seen.items():
            if not parts:
                continue  # a layer the batches never reached
            x = np.concatenate(parts, axis=0)
            key = name + ".weight"
            rows[key] = x.shape[0]
            data = (2.0 / x.shape[0]) * (x.astype(np.float64).T @ x) if hessian else x
            f.create_dataset(key, data=data.astype(np.float32))
        f.attrs["rows"] = json.dumps(rows)
    os.replace(tmp, path)
    return rows


def save_safetensors(state_dict, path, metadata=None):
    """Writes a state dict (torch tensors) as safetensors, in key order."""
    import torch

    header, chunks, offset = {}, [], 0
    names = {np.dtype(v): k for k, v in _DTYPES.items()}
    for key, t in state_dict.items():
        if str(t.dtype) == "torch.bfloat16":
            raw, dtype = t.detach().cpu().contiguous().view(torch.int16).numpy().tobytes(), "BF16"
        else:
            a = t.detach().cpu().contiguous().numpy()
            raw, dtype = a.tobytes(), names[a.dtype]
        header[key] = {"dtype": dtype, "shape": list(t.shape),
                       "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for c in chunks:
            f.write(c)


def load_safetensors(path):
    """Reads a safetensors file into ({name: torch tensor}, metadata)."""
    import torch

    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    metadata = header.pop("__metadata__", {})
    out = {}
    for key, e in header.items():
        begin, end = e["data_offsets"]
        raw = blob[8 + n + begin:8 + n + end]
        if e["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype=np.int16).copy()
            t = torch.from_numpy(bits).view(torch.bfloat16)
        else:
            t = torch.from_numpy(np.frombuffer(raw, dtype=_DTYPES[e["dtype"]]).copy())
        out[key] = t.reshape(e["shape"])
    return out, metadata


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="example: scripts/export_calibration.py "
                                       "--model mypkg.models:build --output calib.h5")
    p.add_argument("--model", required=True,
                   help="MODULE:FUNCTION returning (nn.Module, iterable of input batches)")
    p.add_argument("--output", required=True, help="HDF5 file to write")
    p.add_argument("--hessian", action="store_true",
                   help="write 2 XᵀX / n per layer instead of the inputs X")
    args = p.parse_args(argv)
    module, _, fn = args.model.partition(":")
    if not fn:
        p.error("--model: expected MODULE:FUNCTION, got " + args.model)
    model, batches = getattr(importlib.import_module(module), fn)()
    rows = export_calibration(model, batches, args.output, hessian=args.hessian)
    print(f"{args.output}: {len(rows)} layers, "
          f"{'Hessians' if args.hessian else 'inputs'} from {max(rows.values(), default=0)} rows")


if __name__ == "__main__":
    sys.exit(main())
