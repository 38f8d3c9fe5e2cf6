#!/usr/bin/env python3
"""Random residual graphs, each checked by `rescompile check` against onnxruntime: a differential search for
wrong numbers, internal errors and refusals in the corners the fixtures and the model sweep do not reach.

Each seed builds one ONNX graph from random blocks (basic and bottleneck residual blocks with projections,
inverted residuals with 3–7 depthwise windows at stride 1 or 2, dense concatenations, highway gates, squeeze-and-
excitation by GlobalAveragePool or ReduceMean, grouped and dilated convolutions, strided blocks with 1x1
shortcuts, ConvNeXt blocks, TensorFlow-style asymmetric padding, explicit Pad nodes, U-Net style MaxPool +
Resize + Concat, ConvTranspose, single-head attention over the positions, channel splits, InstanceNormalization,
a Gemm head) with random widths (1 to a few hundred channels), input sizes (6–80), batch 1 or 2, activations
(ReLU, ReLU6, SiLU, hard swish, leaky ReLU, PReLU, erf GELU), opsets 13–21, and, for a third of the seeds,
symbolic input dimensions (`N`, `H`, `W`, bound with `--dim` from the stored input). onnxruntime (graph
optimizations off) computes the reference output stored next to the model; the check runs at -O2 on 1 and 2
threads. It prints one line per failure and a summary.

A development tool, not a test: it needs onnx, onnxruntime and numpy. The product never needs Python. Two
kinds of failure are not rescompile's: LayerNormalization or InstanceNormalization over a few nearly equal
values is ill-conditioned, so a handful of elements may differ by ~1e-4 from onnxruntime's (the report says
`max rel error`; compare with `rescompile check` on the same model without reference data, which uses the
reference evaluator); and onnxruntime itself refuses some random graphs (`generation failed`). A third is
rescompile's method rather than a bug: Winograd F(4x4) rounds ~10x more than a direct convolution, and in a deep
chain of convolutions and batch norms with random statistics one element in 10^4–10^5 can miss the tolerance
(about 1 graph in 700; benchmarks/HISTORY.md, 2026-12-03 08:46). Judge such a case against a float64 evaluation
of the model (onnx.reference on a copy converted to double): onnxruntime's direct convolutions stay closer;
`--check-options '--winograd-tile 2'` checks the same graphs with F(2x2) everywhere.

    /work/tools/venv/bin/python scripts/random-graphs.py --out /tmp/rg --seeds 0 500
    /work/tools/venv/bin/python scripts/random-graphs.py --out /tmp/rg --seeds 6000 6500 --rescompile .build/release/rescompile
"""

import argparse
import os
import random
import shlex
import subprocess
import sys

import numpy as np
import onnx
import onnx.helper as helper
import onnx.numpy_helper as numpy_helper
import onnxruntime as ort
from onnx import TensorProto

ACTIVATIONS = ["relu", "relu6", "silu", "hswish", "leaky", "gelu", "none", "prelu"]
BLOCKS = [
    "basic", "bottleneck", "inverted", "dense", "pool", "se", "grouped", "dilated", "strided", "convnext",
    "tfsame", "padconv", "unet", "deconv", "attention", "highway", "shuffle", "instance_norm", "se_mean",
]


class Builder:
    """Nodes and initializers of one graph, with fresh names."""

    def __init__(self, rng, opset):
        self.rng = rng
        self.opset = opset
        self.nodes = []
        self.initializers = []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, array, prefix="w"):
        name = self.name(prefix)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def floats(self, shape, scale, offset=0.0, prefix="w"):
        return self.const((offset + scale * self.rng.standard_normal(shape)).astype(np.float32), prefix)

    def node(self, op, inputs, **attributes):
        output = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output


def activation(b, x, kind, channels):
    if kind == "relu":
        return b.node("Relu", [x])
    if kind == "relu6":
        return b.node("Clip", [x, b.const(np.float32(0)), b.const(np.float32(6))])
    if kind == "silu":
        return b.node("Mul", [x, b.node("Sigmoid", [x])])
    if kind == "hswish":
        if b.opset >= 14:
            return b.node("HardSwish", [x])
        return b.node("Mul", [x, b.node("HardSigmoid", [x], alpha=1 / 6, beta=0.5)])
    if kind == "leaky":
        return b.node("LeakyRelu", [x], alpha=0.1)
    if kind == "prelu":
        return b.node("PRelu", [x, b.floats((channels, 1, 1), 0.1, 0.25, "slope")])
    if kind == "gelu":
        erf = b.node("Erf", [b.node("Div", [x, b.const(np.float32(1.4142135))])])
        return b.node("Mul", [b.node("Mul", [x, b.node("Add", [erf, b.const(np.float32(1))])]), b.const(np.float32(0.5))])
    return x


def conv(b, x, channels, height, width, out_channels, kernel, stride, dilation=1, groups=1, batch_norm=True,
         bias=True, pad=None):
    """A Conv (and BatchNormalization with random statistics); returns the output and its size."""
    p = (kernel - 1) * dilation // 2 if pad is None else pad
    weight = b.floats((out_channels, channels // groups, kernel, kernel), np.sqrt(2.0 / (channels // groups * kernel * kernel)))
    inputs = [x, weight] + ([b.floats(out_channels, 0.1, prefix="b")] if bias else [])
    y = b.node("Conv", inputs, kernel_shape=[kernel, kernel], strides=[stride, stride], pads=[p] * 4,
               dilations=[dilation, dilation], group=groups)
    if batch_norm:
        variance = b.const((1 + 0.3 * b.rng.random(out_channels)).astype(np.float32), "v")
        y = b.node("BatchNormalization", [y, b.floats(out_channels, 0.2, 1, "g"), b.floats(out_channels, 0.1, prefix="be"),
                                          b.floats(out_channels, 0.1, prefix="m"), variance], epsilon=1e-5)
    out_height = (height + 2 * p - dilation * (kernel - 1) - 1) // stride + 1
    out_width = (width + 2 * p - dilation * (kernel - 1) - 1) // stride + 1
    return y, out_height, out_width


def linear(b, x, inputs, outputs):
    product = b.node("MatMul", [x, b.floats((inputs, outputs), 1 / np.sqrt(inputs))])
    return b.node("Add", [product, b.floats(outputs, 0.1)])


def add_block(b, r, kind, y, c, h, w, scale):
    """Appends one block of `kind` after `y` (c channels, h × w); returns the new (y, c, h, w), or None when
    the block does not fit the current size."""
    a = r.choice(ACTIVATIONS)
    if kind == "basic":
        k = r.choice([1, 3, 3, 5])
        z, _, _ = conv(b, y, c, h, w, c, k, 1)
        z, _, _ = conv(b, activation(b, z, a, c), c, h, w, c, k, 1)
        return activation(b, b.node("Add", [z, y]), a, c), c, h, w
    if kind == "bottleneck":
        middle, out = r.randint(1, 40 * scale), r.randint(1, 80 * scale)
        z, _, _ = conv(b, y, c, h, w, middle, 1, 1)
        z, _, _ = conv(b, activation(b, z, a, middle), middle, h, w, middle, 3, 1)
        z, _, _ = conv(b, activation(b, z, a, middle), middle, h, w, out, 1, 1)
        shortcut = y if out == c else conv(b, y, c, h, w, out, 1, 1)[0]
        return activation(b, b.node("Add", [z, shortcut]), a, out), out, h, w
    if kind == "inverted":
        expanded, k, s = c * r.choice([1, 2, 4, 6]), r.choice([3, 5, 7]), r.choice([1, 1, 2])
        z, _, _ = conv(b, y, c, h, w, expanded, 1, 1)
        z, oh, ow = conv(b, activation(b, z, a, expanded), expanded, h, w, expanded, k, s, groups=expanded)
        out = r.choice([c, r.randint(1, 64 * scale)])
        z, _, _ = conv(b, activation(b, z, a, expanded), expanded, oh, ow, out, 1, 1, bias=r.random() < 0.5)
        if s == 1 and out == c:
            z = b.node("Add", [z, y])
        return z, out, oh, ow
    if kind == "dense":
        growth = r.randint(1, 32)
        z, _, _ = conv(b, activation(b, y, a, c), c, h, w, growth, 3, 1)
        return b.node("Concat", [y, z], axis=1), c + growth, h, w
    if kind == "pool" and h >= 3 and w >= 3:
        op, k, s = r.choice(["MaxPool", "AveragePool"]), r.choice([2, 3]), r.choice([1, 2])
        p = r.choice([0, (k - 1) // 2])
        attributes = dict(kernel_shape=[k, k], strides=[s, s], pads=[p] * 4)
        if op == "AveragePool":
            attributes["count_include_pad"] = r.choice([0, 1])
        return b.node(op, [y], **attributes), c, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    if kind == "se":
        m = max(1, c // 4)
        q, _, _ = conv(b, b.node("GlobalAveragePool", [y]), c, 1, 1, m, 1, 1, batch_norm=False)
        q, _, _ = conv(b, b.node("Relu", [q]), m, 1, 1, c, 1, 1, batch_norm=False)
        return b.node("Mul", [y, b.node("Sigmoid", [q])]), c, h, w
    if kind == "se_mean":
        if b.opset >= 18:
            q = b.node("ReduceMean", [y, b.const(np.array([2, 3], np.int64), "axes")], keepdims=1)
        else:
            q = b.node("ReduceMean", [y], axes=[2, 3], keepdims=1)
        q, _, _ = conv(b, q, c, 1, 1, c, 1, 1, batch_norm=False)
        return b.node("Mul", [y, activation(b, q, "hswish", c)]), c, h, w
    if kind == "grouped":
        groups = r.choice([2, 4, 8, 32])
        inner, out = groups * r.randint(1, 8 * scale), groups * r.randint(1, 8 * scale)
        z, _, _ = conv(b, y, c, h, w, inner, 1, 1)
        z, _, _ = conv(b, activation(b, z, a, inner), inner, h, w, out, 3, 1, groups=groups)
        return activation(b, z, a, out), out, h, w
    if kind == "dilated":
        z, _, _ = conv(b, y, c, h, w, c, 3, 1, dilation=r.choice([2, 3]))
        return activation(b, b.node("Add", [z, y]), a, c), c, h, w
    if kind == "strided" and h >= 2 and w >= 2:
        out, k = r.randint(1, 64 * scale), r.choice([1, 3])
        z, oh, ow = conv(b, y, c, h, w, out, k, 2)
        z, _, _ = conv(b, activation(b, z, a, out), out, oh, ow, out, 3, 1)
        shortcut, sh, sw = conv(b, y, c, h, w, out, 1, 2, pad=0)
        if (sh, sw) != (oh, ow):
            return None
        return activation(b, b.node("Add", [z, shortcut]), a, out), out, oh, ow
    if kind == "convnext" and c >= 8 and b.opset >= 17:
        z, _, _ = conv(b, y, c, h, w, c, r.choice([3, 7]), 1, groups=c, batch_norm=False)
        t = b.node("Transpose", [z], perm=[0, 2, 3, 1])
        t = b.node("LayerNormalization", [t, b.floats(c, 0.1, 1), b.floats(c, 0.1)], axis=-1, epsilon=1e-6)
        t = linear(b, activation(b, linear(b, t, c, 4 * c), "gelu", 4 * c), 4 * c, c)
        return b.node("Add", [b.node("Transpose", [t], perm=[0, 3, 1, 2]), y]), c, h, w
    if kind == "tfsame" and h >= 4 and w >= 4:
        k, out = r.choice([3, 5]), r.randint(1, 48 * scale)
        oh, ow = (h + 1) // 2, (w + 1) // 2
        ph, pw = max((oh - 1) * 2 + k - h, 0), max((ow - 1) * 2 + k - w, 0)
        weight = b.floats((out, c, k, k), np.sqrt(2.0 / (c * k * k)))
        z = b.node("Conv", [y, weight, b.floats(out, 0.1)], kernel_shape=[k, k], strides=[2, 2],
                   pads=[ph // 2, pw // 2, ph - ph // 2, pw - pw // 2])
        return activation(b, z, a, out), out, oh, ow
    if kind == "padconv":
        p = r.choice([1, 2])
        mode = r.choice(["constant", "reflect", "edge"]) if min(h, w) > p else "constant"
        z = b.node("Pad", [y, b.const(np.array([0, 0, p, p, 0, 0, p, p], np.int64), "pads")], mode=mode)
        out = r.randint(1, 40 * scale)
        z, oh, ow = conv(b, z, c, h + 2 * p, w + 2 * p, out, 2 * p + 1, 1, pad=0)
        return activation(b, z, a, out), out, oh, ow
    if kind == "unet" and h >= 4 and h % 2 == 0 and w % 2 == 0:
        inner = r.randint(1, 32 * scale)
        z, _, _ = conv(b, b.node("MaxPool", [y], kernel_shape=[2, 2], strides=[2, 2]), c, h // 2, w // 2, inner, 3, 1)
        scales = b.const(np.array([1, 1, 2, 2], np.float32), "scales")
        up = b.node("Resize", [activation(b, z, a, inner), "", scales], mode=r.choice(["nearest", "linear"]))
        return b.node("Concat", [y, up], axis=1), c + inner, h, w
    if kind == "deconv":
        out, k = r.randint(1, 32 * scale), r.choice([2, 3, 4])
        p = (k - 1) // 2 if k > 2 else 0
        weight = b.floats((c, out, k, k), 1 / np.sqrt(c))
        z = b.node("ConvTranspose", [y, weight, b.floats(out, 0.1)], kernel_shape=[k, k], strides=[2, 2], pads=[p] * 4)
        return activation(b, z, a, out), out, (h - 1) * 2 - 2 * p + k, (w - 1) * 2 - 2 * p + k
    if kind == "attention" and c >= 4:
        tokens = b.node("Transpose", [b.node("Reshape", [y, b.const(np.array([0, c, -1], np.int64), "shape")])], perm=[0, 2, 1])
        q, k, v = linear(b, tokens, c, c), linear(b, tokens, c, c), linear(b, tokens, c, c)
        scores = b.node("Div", [b.node("MatMul", [q, b.node("Transpose", [k], perm=[0, 2, 1])]), b.const(np.float32(np.sqrt(c)))])
        o = b.node("Add", [linear(b, b.node("MatMul", [b.node("Softmax", [scores], axis=-1), v]), c, c), tokens])
        if b.opset >= 17 and r.random() < 0.5:
            o = b.node("LayerNormalization", [o, b.const(np.ones(c, np.float32)), b.const(np.zeros(c, np.float32))], axis=-1)
        back = b.node("Transpose", [o], perm=[0, 2, 1])
        return b.node("Reshape", [back, b.const(np.array([0, c, h, w], np.int64), "shape")]), c, h, w
    if kind == "highway":
        transform, _, _ = conv(b, y, c, h, w, c, 3, 1)
        gate, _, _ = conv(b, y, c, h, w, c, 1, 1, batch_norm=False)
        gate = b.node("Sigmoid", [gate])
        carry = b.node("Mul", [b.node("Sub", [b.const(np.float32(1)), gate]), y])
        return b.node("Add", [b.node("Mul", [gate, activation(b, transform, a, c)]), carry]), c, h, w
    if kind == "shuffle" and c >= 2:
        first, second = c // 2, c - c // 2
        left, right = b.name("split"), b.name("split")
        b.nodes.append(helper.make_node("Split", [y, b.const(np.array([first, second], np.int64), "split")], [left, right], axis=1))
        z, _, _ = conv(b, right, second, h, w, second, 1, 1)
        z, _, _ = conv(b, activation(b, z, a, second), second, h, w, second, 3, 1, groups=second)
        return b.node("Concat", [left, z], axis=1), c, h, w
    if kind == "instance_norm":
        z = b.node("InstanceNormalization", [y, b.floats(c, 0.1, 1), b.floats(c, 0.1)], epsilon=1e-5)
        return activation(b, z, a, c), c, h, w
    return None


def build(seed):
    """The model of `seed` and its input array."""
    r = random.Random(seed)
    rng = np.random.default_rng(seed)
    opset = r.choice([13, 14, 17, 18, 19, 21])
    b = Builder(rng, opset)
    scale = 4 if r.random() < 0.6 else 1
    batch, channels = r.choice([1, 1, 1, 2]), r.choice([1, 3, 3, 4])
    height = r.randint(6, 40 * (2 if scale > 1 else 1))
    width = r.choice([height, r.randint(6, 40 * (2 if scale > 1 else 1))])
    k, s, out = r.choice([1, 3, 3, 5, 7]), r.choice([1, 2]), r.randint(1, 48 * scale)
    y, h, w = conv(b, "x", channels, height, width, out, k, s)
    y, c = activation(b, y, r.choice(ACTIVATIONS), out), out
    for _ in range(r.randint(1, 6)):
        grown = add_block(b, r, r.choice(BLOCKS), y, c, h, w, scale)
        if grown and grown[2] >= 1 and grown[3] >= 1:
            y, c, h, w = grown
    if r.random() < 0.5:
        flat = b.node("Flatten", [b.node("GlobalAveragePool", [y])])
        classes = r.randint(1, 20)
        y = b.node("Gemm", [flat, b.floats((classes, c), 0.3), b.const(np.zeros(classes, np.float32))], transB=1)
    b.nodes[-1].output[0] = "y"
    dims = [batch, channels, height, width]
    if r.random() < 0.35:
        dims = ["N", channels, "H", "W"] if r.random() < 0.5 else ["N", channels, height, width]
    graph = helper.make_graph(b.nodes, f"random_{seed}", [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], b.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return onnx.shape_inference.infer_shapes(model), rng.standard_normal((batch, channels, height, width)).astype(np.float32)


def generate(folder, seed):
    """Writes the model of `seed` and onnxruntime's output for its input; returns the `--dim` arguments."""
    model, x = build(seed)
    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 4
    y = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    for name, array in (("input_0", x), ("output_0", y)):
        with open(os.path.join(folder, "test_data_set_0", f"{name}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(array, "x" if name == "input_0" else "y").SerializeToString())
    arguments = []
    for dim, size in zip(model.graph.input[0].type.tensor_type.shape.dim, x.shape):
        if dim.dim_param:
            arguments += ["--dim", f"{dim.dim_param}={size}"]
    return arguments


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for the models (one subfolder per seed)")
    parser.add_argument("--seeds", type=int, nargs=2, default=[0, 200], metavar=("FIRST", "END"))
    parser.add_argument("--rescompile", default=".build/release/rescompile", help="the rescompile to check")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per check")
    parser.add_argument("--check-options", default="", metavar="'OPTION ...'",
                        help="more options for every check, e.g. '--winograd-tile 2'")
    arguments = parser.parse_args()
    failures, refused = [], 0
    for seed in range(*arguments.seeds):
        folder = os.path.join(arguments.out, f"seed{seed}")
        try:
            dims = generate(folder, seed)
        except Exception as error:  # onnxruntime refusing a random graph is not rescompile's failure
            refused += 1
            print(f"seed {seed}: generation failed: {str(error).splitlines()[0][:160]}")
            continue
        for threads in (1, 2):
            command = [arguments.rescompile, "check", os.path.join(folder, "model.onnx"), "--threads", str(threads)]
            command += dims + shlex.split(arguments.check_options)
            try:
                result = subprocess.run(command, capture_output=True, text=True, timeout=arguments.timeout)
            except subprocess.TimeoutExpired:
                failures.append(seed)
                print(f"seed {seed}: {threads} thread(s): no answer in {arguments.timeout} s")
                continue
            if result.returncode != 0:
                failures.append(seed)
                lines = [line.strip() for line in (result.stdout + result.stderr).splitlines()
                         if "FAIL" in line or "error" in line]
                print(f"seed {seed}: {threads} thread(s): exit {result.returncode}: {' | '.join(lines[:2])[:300]}")
                # `check`'s reference evaluator says which side of a mismatch it is nearer: a stored output from
                # onnxruntime is sometimes the one that rounded worse.
                verdicts = [line.rsplit(": ", 1)[-1] for line in result.stdout.splitlines() if line.startswith("note: the reference")]
                if verdicts:
                    print(f"    the reference evaluator: {verdicts[0]}")
    checked = arguments.seeds[1] - arguments.seeds[0] - refused
    print(f"{checked} graphs checked, {len(set(failures))} failed; {refused} not generated")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
