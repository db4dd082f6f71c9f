"""scripts/export_calibration.py on a tiny torch model built here: the recorded
inputs, then the round trip export -> interplay compress of the checkpoint ->
load the compressed safetensors back into the model."""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import interplay

try:
    import h5py
    import torch
except ImportError:  # the test command installs both; elsewhere this test is skipped
    torch = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("INTERPLAY_BINARY", "build/interplay")


def load_script():
    spec = importlib.util.spec_from_file_location(
        "export_calibration", os.path.join(ROOT, "scripts", "export_calibration.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@unittest.skipIf(torch is None, "needs python3-torch and python3-h5py")
class ExportCalibration(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        torch.manual_seed(0)
        self.model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(),
                                         torch.nn.Linear(32, 8))
        self.batches = [torch.randn(4, 16), torch.randn(3, 16)]
        self.ex = load_script()

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_inputs_and_hessians(self):
        rows = self.ex.export_calibration(self.model, self.batches, self.path("c.h5"))
        self.assertEqual(rows, {"0.weight": 7, "2.weight": 7})
        x = torch.cat(self.batches).numpy()
        with h5py.File(self.path("c.h5")) as f:
            np.testing.assert_array_equal(f["0.weight"][:], x)
            hidden = torch.relu(self.model[0](torch.cat(self.batches))).detach().numpy()
            np.testing.assert_allclose(f["2.weight"][:], hidden, rtol=1e-6)
        self.ex.export_calibration(self.model, self.batches, self.path("h.h5"), hessian=True)
        with h5py.File(self.path("h.h5")) as f:
            np.testing.assert_allclose(f["0.weight"][:], 2 * x.T.astype(np.float64) @ x / 7,
                                       rtol=1e-5)
        # interplay reads the file: the first layer's inputs as calibration activations.
        y, steps = interplay.compress(self.model[0].weight.detach().numpy(), "int4",
                                      calibration=x, metrics="l1,output")
        self.assertIn("output", steps[0]["errors"])

    def test_round_trip_through_a_checkpoint(self):
        ckpt, out = self.path("m.safetensors"), self.path("q.safetensors")
        self.ex.save_safetensors(self.model.state_dict(), ckpt)
        subprocess.run([BINARY, "compress", "--input", ckpt, "--tensors", "*.weight", "--pipeline",
                        json.dumps([{"sparsifier": "nm", "n": 2, "m": 4}, {"quantizer": "mxfp4"}]),
                        "--output", out, "--quiet"], check=True, capture_output=True)
        state, meta = self.ex.load_safetensors(out)
        self.assertIn("interplay.pipeline", meta)
        original = {k: v.clone() for k, v in self.model.state_dict().items()}
        self.model.load_state_dict(state)
        for key, value in original.items():
            if key.endswith(".weight"):
                y, _ = interplay.compress(value.numpy(), [{"sparsifier": "nm", "n": 2, "m": 4},
                                                          {"quantizer": "mxfp4"}])
                np.testing.assert_array_equal(self.model.state_dict()[key].numpy(), y)
            else:
                self.assertTrue(torch.equal(self.model.state_dict()[key], value))
        self.assertEqual(self.model(torch.randn(2, 16)).shape, (2, 8))


if __name__ == "__main__":
    unittest.main()
