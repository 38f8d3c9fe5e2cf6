#!/usr/bin/env python3
"""Random 3-D (video) residual networks, each checked by `rescompile check` against onnxruntime: the
differential search of scripts/random-graphs.py for `[N, C, D, H, W]` tensors, which the channels-last regions
take since 2026-12-06 (`ChannelsLastAssignment.walksThreeSpatialAxes`).

Each seed builds a small PyTorch module from random layers: 3-D convolutions (kernels of 1 or 3 per axis, strides
and dilations chosen per axis, grouped and depthwise ones, residual ones with an Add and ReLU), max pooling (ceil
mode sometimes) and average pooling (with or without the padded cells), an unfused BatchNorm3d with random
statistics and a sigmoid, two convolution branches concatenated, ZeroPad3d, channel slices, and nearest or
trilinear upsampling; batch 1 or 2, 3
to 9 frames of 5 to 20 pixels a side, and, for half the seeds, a mean over the positions at the end. It is
exported with the legacy exporter (opset 17), onnxruntime computes the reference output stored next to the
model, and the check runs at -O2 on 1 and 2 threads. One line per failure and a summary.

A development tool, not a test: it needs torch, onnx, onnxruntime and numpy (benchmarks/README.md's venv).
Expected refusals: PyTorch's exporter declares a ceil-mode pooling's output shape by PyTorch's rule (no window
may start in the end padding), which ONNX and onnxruntime do not apply; where the two differ the model's
declared shape disagrees with the computed one, and rescompile refuses it with an `error:` line naming the node
(listed as such, not as failures).

    /work/tools/venv/bin/python scripts/random-video-graphs.py --out /tmp/rv --seeds 0 100
"""

import argparse
import os
import random
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import torch
import torch.nn as nn
from onnx import numpy_helper

LAYERS = ["conv", "conv", "residual", "depthwise", "grouped", "max_pool", "average_pool", "batch_norm", "branches",
          "pad", "slice", "upsample"]


class RandomVideoNetwork(nn.Module):
    """A chain of randomly chosen layers over `channels` input channels (`kinds` says how each is applied)."""

    def __init__(self, r, channels):
        super().__init__()
        self.layers, self.kinds = nn.ModuleList(), []
        for _ in range(r.randint(3, 7)):
            kind = r.choice(LAYERS)
            layer, channels = self.make(r, kind, channels)
            if layer is not None:
                self.layers.append(layer)
                self.kinds.append(kind)
        self.pools_at_end = r.random() < 0.5

    @staticmethod
    def make(r, kind, c):
        """The layer of `kind` over `c` channels and its output channels; None where it does not apply."""
        if kind in ("conv", "residual", "depthwise", "grouped"):
            same = kind in ("residual", "depthwise")
            out = c if same else r.choice([8, 12, 16, 24, 32, 40])
            groups = c if kind == "depthwise" else (r.choice([2, 4]) if kind == "grouped" and c % 4 == 0 and out % 4 == 0 else 1)
            kernel = tuple(r.choice([1, 3]) for _ in range(3))
            strides = (1, 1, 1) if kind == "residual" else tuple(r.choice([1, 1, 2]) for _ in range(3))
            dilations = (1, 1, 1) if kind == "residual" else tuple(r.choice([1, 1, 2]) for _ in range(3))
            pads = tuple(k // 2 * d for k, d in zip(kernel, dilations))
            return nn.Conv3d(c, out, kernel, strides, pads, dilations, groups=groups), out
        if kind in ("max_pool", "average_pool"):
            kernel = tuple(r.choice([1, 2, 3]) for _ in range(3))
            strides = tuple(r.choice([1, 2]) for _ in range(3))
            pads = tuple(k // 2 for k in kernel)
            if kind == "max_pool":
                return nn.MaxPool3d(kernel, strides, pads, ceil_mode=r.random() < 0.3), c
            return nn.AvgPool3d(kernel, strides, pads, count_include_pad=r.random() < 0.5), c
        if kind == "batch_norm":
            norm = nn.BatchNorm3d(c)
            norm.running_mean.uniform_(-0.3, 0.3)
            norm.running_var.uniform_(0.5, 2)
            return norm, c
        if kind == "branches":
            width = r.choice([4, 8, 12])
            return nn.ModuleList([nn.Conv3d(c, width, 1), nn.Conv3d(c, width, 3, padding=1)]), 2 * width
        if kind == "pad":
            return nn.ZeroPad3d(tuple(r.choice([0, 1, 2]) for _ in range(6))), c
        if kind == "upsample":
            scales = tuple(float(r.choice([1, 2])) for _ in range(3))
            return nn.Upsample(scale_factor=scales, mode=r.choice(["nearest", "trilinear"])), c
        if kind == "slice" and c >= 4:
            return nn.Identity(), c - 2
        return None, c

    def forward(self, x):
        for layer, kind in zip(self.layers, self.kinds):
            if kind == "branches":
                x = torch.cat([torch.relu(layer[0](x)), torch.relu(layer[1](x))], 1)
            elif kind == "slice":
                x = x[:, : x.shape[1] - 2]
            elif kind == "residual":
                x = torch.relu(layer(x) + x)
            elif kind in ("conv", "grouped", "depthwise"):
                x = torch.relu(layer(x))
            elif kind == "batch_norm":
                x = torch.sigmoid(layer(x))
            else:
                x = layer(x)
        return x.mean((2, 3, 4)) if self.pools_at_end else x


def generate(folder, seed):
    """Writes the model of `seed` and onnxruntime's output for its input; False when torch cannot run it (a
    random pooling or stride left no positions)."""
    r = random.Random(seed)
    torch.manual_seed(seed)
    channels = r.choice([3, 8, 16])
    shape = (r.choice([1, 2]), channels, r.randint(3, 9), r.randint(5, 20), r.randint(5, 20))
    network = RandomVideoNetwork(r, channels).eval()
    x = torch.randn(*shape)
    try:
        with torch.no_grad():
            network(x)
    except RuntimeError:
        return False
    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(network, x, path, opset_version=17, dynamo=False, input_names=["x"], output_names=["y"])
    options = ort.SessionOptions()
    options.log_severity_level = 4
    y = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"]).run(None, {"x": x.numpy()})[0]
    for name, array, tensor in (("input_0", x.numpy(), "x"), ("output_0", y, "y")):
        with open(os.path.join(folder, "test_data_set_0", f"{name}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(np.asarray(array), tensor).SerializeToString())
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for the models (one subfolder per seed)")
    parser.add_argument("--seeds", type=int, nargs=2, default=[0, 100], metavar=("FIRST", "END"))
    parser.add_argument("--rescompile", default=".build/release/rescompile", help="the rescompile to check")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per check")
    arguments = parser.parse_args()
    failures, declared_shape_refusals, skipped = set(), set(), 0
    for seed in range(*arguments.seeds):
        folder = os.path.join(arguments.out, f"seed{seed}")
        if not generate(folder, seed):
            skipped += 1
            continue
        for threads in (1, 2):
            command = [arguments.rescompile, "check", os.path.join(folder, "model.onnx"), "--threads", str(threads)]
            try:
                result = subprocess.run(command, capture_output=True, text=True, timeout=arguments.timeout)
            except subprocess.TimeoutExpired:
                failures.add(seed)
                print(f"seed {seed}: {threads} thread(s): no answer in {arguments.timeout} s")
                continue
            output = result.stdout + result.stderr
            if result.returncode != 0 and "declared type" in output and "disagrees with inferred" in output:
                declared_shape_refusals.add(seed)
            elif result.returncode != 0:
                failures.add(seed)
                lines = [line.strip() for line in output.splitlines() if "FAIL" in line or "error" in line]
                print(f"seed {seed}: {threads} thread(s): exit {result.returncode}: {' | '.join(lines[:2])[:300]}")
                # `check`'s reference evaluator says which side of a mismatch it is nearer: a stored output from
                # onnxruntime is sometimes the one that rounded worse.
                verdicts = [line.rsplit(": ", 1)[-1] for line in output.splitlines() if line.startswith("note: the reference")]
                if verdicts:
                    print(f"    the reference evaluator: {verdicts[0]}")
    checked = arguments.seeds[1] - arguments.seeds[0] - skipped
    print(f"{checked} graphs checked, {len(failures)} failed, {len(declared_shape_refusals)} refused for an "
          f"exporter-declared shape ONNX computes differently; {skipped} not generated")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
