"""The Python module against the CLI on the same inputs (run by ctest with
PYTHONPATH=build/python and INTERPLAY_BINARY=build/interplay)."""
import json
import os
import struct
import subprocess
import tempfile
import unittest

import numpy as np

import interplay

BINARY = os.environ.get("INTERPLAY_BINARY", "build/interplay")
PIPELINE = [{"sparsifier": "nm", "n": 2, "m": 4}, {"quantizer": "mxfp4"}]


def cli(*args, check=True):
    r = subprocess.run([BINARY, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(r.stderr)
    return r


def write_safetensors(path, tensors):
    """A minimal independent writer: {name: float32/float16 array}."""
    header, data = {}, b""
    for name, a in tensors.items():
        raw = np.ascontiguousarray(a).tobytes()
        dtype = {"float32": "F32", "float16": "F16", "float64": "F64"}[a.dtype.name]
        header[name] = {"dtype": dtype, "shape": list(a.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    types = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "BF16": None}
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        out[name] = (e["dtype"], np.frombuffer(blob[8 + n + b:8 + n + end],
                                               dtype=types[e["dtype"]]).reshape(e["shape"]))
    return out, meta


class Bindings(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        rng = np.random.default_rng(0)
        self.w = rng.standard_normal((16, 64)).astype(np.float32)

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_compress_matches_cli(self):
        np.save(self.path("w.npy"), self.w)
        r = cli("compress", "--input", self.path("w.npy"), "--output", self.path("q.npy"),
                "--pipeline", json.dumps({"steps": PIPELINE}), "--json")
        report = json.loads(r.stdout)
        y, steps = interplay.compress(self.w, PIPELINE)
        self.assertEqual(y.dtype, np.float32)
        self.assertEqual(y.shape, self.w.shape)
        np.testing.assert_array_equal(y, np.load(self.path("q.npy")))
        self.assertEqual(len(steps), 2)
        for mine, theirs in zip(steps, report["steps"]):
            self.assertEqual(mine["name"], theirs["name"])
            self.assertEqual(mine["params"], theirs["params"])
            for k, v in theirs["errors"].items():
                self.assertAlmostEqual(mine["errors"][k], v, places=12)
        # 2:4 keeps half of the values; mxfp4 after it cannot add nonzeros.
        self.assertEqual(steps[0]["errors"]["nonzero_fraction"], 0.5)
        # float64 input gives the same result as its float32 rounding.
        y64, _ = interplay.compress(self.w.astype(np.float64), "mxfp4")
        y32, _ = interplay.compress(self.w, "mxfp4")
        np.testing.assert_array_equal(y64, y32)

    def test_errors_are_the_cli_messages(self):
        bad = '{"quantizer": "mxfp5"}'
        r = cli("compress", "--input", "x.npy", "--output", "y.npy", "--pipeline", bad, check=False)
        self.assertNotEqual(r.returncode, 0)
        with self.assertRaises(interplay.Error) as ctx:
            interplay.compress(self.w, bad)
        self.assertIn(str(ctx.exception), r.stderr)
        self.assertIn("mxfp4", str(ctx.exception))  # the suggestion
        with self.assertRaises(ValueError):  # interplay.Error is a ValueError
            interplay.compress(self.w.astype(np.int32), "int8")

    def test_list_plugins(self):
        p = interplay.list_plugins()
        self.assertIn("channel_axis", p["quantizers"]["int"]["params"])
        self.assertIn("nm", p["sparsifiers"])
        self.assertEqual(p["quantizers_presets"]["mxfp4"]["plugin"], "mx")
        cli_json = json.loads(cli("list-plugins", "--json").stdout)
        self.assertIn("int", json.dumps(cli_json))
        # Every plugin and preset describes itself, as list-plugins --json shows it.
        for kind in ("quantizers", "sparsifiers"):
            self.assertEqual({e["name"]: e["description"] for e in cli_json[kind]},
                             {n: e["description"] for n, e in p[kind].items()})
        self.assertEqual({e["name"]: e["description"] for e in cli_json["quantizer_presets"]},
                         {n: e["description"] for n, e in p["quantizers_presets"].items()})
        self.assertEqual(p["quantizers"]["nvfp4"]["description"]["scales"][0]["encoding"], "e4m3")
        self.assertTrue(p["sparsifiers"]["wanda"]["description"]["calibration"])

    def test_read_results_of_a_run(self):
        config, out = self.path("c.json"), self.path("r.h5")
        with open(config, "w") as f:
            json.dump({"inputs": [{"name": "a", "distribution": "normal", "shape": [4, 32]}],
                       "metrics": ["l1"], "sweep": {"formats": ["int8", "mxfp4"]}}, f)
        cli("run", config, "--output", out, "--quiet")
        cols = interplay.read_results(out)
        self.assertIn("l1", cols)
        self.assertEqual(len(cols["l1"]), len(cols["format"]))
        self.assertIn("mxfp4", cols["format"])
        with self.assertRaises(interplay.Error):
            interplay.read_results(self.path("missing.h5"))

    def test_checkpoint_round_trip_and_report(self):
        ckpt, out, report = self.path("m.safetensors"), self.path("o.safetensors"), self.path("r.h5")
        bias = np.arange(16, dtype=np.float32)
        half = (self.w[:, :8] * 4).round().astype(np.float16)
        write_safetensors(ckpt, {"model.layers.0.mlp.weight": self.w, "model.layers.0.mlp.bias": bias,
                                 "model.layers.1.mlp.weight": half})
        cli("compress", "--input", ckpt, "--tensors", "model.layers.*.weight", "--pipeline",
            json.dumps(PIPELINE), "--output", out, "--report", report, "--quiet")
        tensors, meta = read_safetensors(out)
        self.assertEqual(json.loads(meta["interplay.pipeline"])["steps"][1]["element"], "fp4_e2m1")
        self.assertEqual(meta["interplay.version"], interplay.__version__)
        y, _ = interplay.compress(self.w, PIPELINE)
        np.testing.assert_array_equal(tensors["model.layers.0.mlp.weight"][1], y)
        np.testing.assert_array_equal(tensors["model.layers.0.mlp.bias"][1], bias)  # copied
        # FP4 values of small integers are exact in float16: the dtype is kept.
        dtype, q = tensors["model.layers.1.mlp.weight"]
        self.assertEqual(dtype, "F16")
        y16, _ = interplay.compress(half.astype(np.float32), PIPELINE)
        np.testing.assert_array_equal(q.astype(np.float32), y16)
        cols = interplay.read_results(report)
        self.assertEqual(cols["tensor"], ["model.layers.0.mlp.weight", "model.layers.1.mlp.weight"])
        self.assertEqual(cols["shape"][0], "[16,64]")
        # [16, 64]: one E8M0 scale per 32; [16, 8]: a ragged block of 8 still carries one.
        self.assertEqual(list(cols["bits_per_element"]), [4.25, 5.0])
        self.assertIn("rel_l2", cols)


if __name__ == "__main__":
    unittest.main()
