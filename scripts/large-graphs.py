#!/usr/bin/env python3
"""Very large graphs, each compiled and checked by rescompile: where compile time stops growing linearly, or the
runtime runs out of stack, long before a real model would show it.

Shapes (N is `--size`, scaled per shape so that each takes seconds, not minutes, on a linear compiler):
  relu-chain      N chained ReLUs: one nested group of in-place arena regions
  matmul-chain    N/2 chained 8x8 MatMuls: N/2 regions, each alive for two steps
  residual        N/40 blocks of 3x3 Conv + BatchNormalization + Add + ReLU (4 channels, 8x8): thousands of
                  BatchNorm folds and residual fusions, thousands of equal-sized weights
  split-concat    a Split into N/5 outputs concatenated in reverse: every region alive at once
  many-io         N/5 inputs, each through a ReLU to its own output: thousands of tensors lent to one run
Each model is written to OUT, compiled with `--stats` (the stage times are printed) and checked against the
reference evaluator (`rescompile check`, seeded inputs). Numbers measured with it are in benchmarks/HISTORY.md
(2026-12-04). A development tool, not a test: it needs onnx and numpy.

    /work/tools/venv/bin/python scripts/large-graphs.py --out /tmp/large --size 100000
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def relu_chain(n):
    nodes = [helper.make_node("Relu", ["x" if i == 0 else f"t{i - 1}"], [f"t{i}"]) for i in range(n)]
    return nodes, [], [1, 8], f"t{n - 1}", [1, 8]


def matmul_chain(n):
    count = max(1, n // 2)
    weight = numpy_helper.from_array(np.eye(8, dtype=np.float32) * 0.5, "w")
    nodes = [helper.make_node("MatMul", ["x" if i == 0 else f"t{i - 1}", "w"], [f"t{i}"]) for i in range(count)]
    return nodes, [weight], [8, 8], f"t{count - 1}", [8, 8]


def residual(n):
    blocks, channels = max(1, n // 40), 4
    rng = np.random.default_rng(0)
    nodes, initializers, previous = [], [], "x"
    for i in range(blocks):
        # Small weights keep each block near the identity: 2,500 blocks of gain 1.3 overflow float32.
        weight = (rng.standard_normal((channels, channels, 3, 3)) * 0.0005).astype(np.float32)
        initializers.append(numpy_helper.from_array(weight, f"w{i}"))
        for name, center in (("scale", 1.0), ("bias", 0.0), ("mean", 0.0), ("var", 1.0)):
            values = np.abs(center + 0.01 * rng.standard_normal(channels)) if name == "var" else \
                center + 0.01 * rng.standard_normal(channels)
            initializers.append(numpy_helper.from_array(values.astype(np.float32), f"{name}{i}"))
        nodes += [
            helper.make_node("Conv", [previous, f"w{i}"], [f"c{i}"], pads=[1, 1, 1, 1]),
            helper.make_node("BatchNormalization", [f"c{i}", f"scale{i}", f"bias{i}", f"mean{i}", f"var{i}"],
                             [f"n{i}"]),
            helper.make_node("Add", [f"n{i}", previous], [f"a{i}"]),
            helper.make_node("Relu", [f"a{i}"], [f"r{i}"]),
        ]
        previous = f"r{i}"
    return nodes, initializers, [1, channels, 8, 8], previous, [1, channels, 8, 8]


def split_concat(n):
    count = max(2, n // 5)
    parts = [f"s{i}" for i in range(count)]
    nodes = [helper.make_node("Split", ["x"], parts, axis=1),
             helper.make_node("Concat", parts[::-1], ["y"], axis=1)]
    return nodes, [], [1, count], "y", [1, count]


def many_io(n):
    count = max(1, n // 5)
    inputs = [helper.make_tensor_value_info(f"x{i}", TensorProto.FLOAT, [1, 4]) for i in range(count)]
    outputs = [helper.make_tensor_value_info(f"y{i}", TensorProto.FLOAT, [1, 4]) for i in range(count)]
    nodes = [helper.make_node("Relu", [f"x{i}"], [f"y{i}"]) for i in range(count)]
    return helper.make_graph(nodes, "many-io", inputs, outputs)


SHAPES = {"relu-chain": relu_chain, "matmul-chain": matmul_chain, "residual": residual,
          "split-concat": split_concat, "many-io": many_io}


def build(shape, size):
    made = SHAPES[shape](size)
    if isinstance(made, onnx.GraphProto):
        graph = made
    else:
        nodes, initializers, input_shape, output, output_shape = made
        graph = helper.make_graph(
            nodes, shape, [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, output_shape)], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run(command, timeout):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"no answer within {timeout:g} s"
    return result.returncode, result.stdout + result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for the models and plans")
    parser.add_argument("--size", type=int, default=100_000, help="nodes of the largest shape (default 100000)")
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=list(SHAPES))
    parser.add_argument("--rescompile", default=".build/release/rescompile")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    failures = 0
    for shape in args.shapes:
        model = os.path.join(args.out, f"{shape}.onnx")
        onnx.save(build(shape, args.size), model)
        code, text = run([args.rescompile, model, "-o", os.path.join(args.out, f"{shape}.resplan"), "--stats"],
                         args.timeout)
        stages = re.findall(r"^\s+(import \+ verify|optimize|generate plan|write): ([\d.]+ ms)", text, re.M)
        print(f"{shape}: compile " + (", ".join(f"{name} {value}" for name, value in stages) or text.strip()[-200:]))
        check_code, check_text = run([args.rescompile, "check", model], args.timeout)
        verdict = check_text.strip().splitlines()[-1] if check_text.strip() else "(no output)"
        print(f"{shape}: check exit {check_code}: {verdict}")
        failures += int(code != 0 or check_code != 0)
    print(f"{len(args.shapes)} shapes, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
