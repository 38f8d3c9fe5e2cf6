#!/usr/bin/env python3
"""onnxruntime's own per-operator profile of a model, to set beside `rescompile bench MODEL --profile`.

Runs the model with SessionOptions.enable_profiling on seeded inputs (the same session settings as
benchmarks/compare.py: ORT_ENABLE_ALL, sequential, N intra-op threads), drops the warm-up runs, and prints each
operator type's summed median node time, its share of the summed node times, and the slowest nodes.

    /work/tools/venv/bin/python benchmarks/ort_op_profile.py fixtures/full/vit_tiny/model.onnx --threads 1
"""

import argparse
import collections
import json
import os
import statistics
import tempfile

import numpy as np
import onnxruntime as ort


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="an ONNX model")
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads (default 1)")
    parser.add_argument("--warmup", type=int, default=3, help="runs left out of the profile (default 3)")
    parser.add_argument("--runs", type=int, default=20, help="profiled runs (default 20)")
    parser.add_argument("--top", type=int, default=12, help="slowest nodes listed (default 12)")
    return parser.parse_args()


def seeded_feeds(session):
    random = np.random.default_rng(0)
    feeds = {}
    for value in session.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in value.shape]
        if "int" in value.type:
            feeds[value.name] = random.integers(0, 3, size=shape, dtype=np.int64)
        else:
            feeds[value.name] = random.uniform(-1, 1, size=shape).astype(np.float32)
    return feeds


def node_times(path, warmup):
    """Per node: its kernel times in run order after the warm-up runs (microseconds), and its operator type."""
    with open(path) as file:
        events = json.load(file)
    times = collections.defaultdict(list)
    kinds = {}
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            times[event["name"]].append(event["dur"])
            kinds[event["name"]] = event["args"].get("op_name", "?")
    return {name: values[warmup:] or values for name, values in times.items()}, kinds


def main():
    args = parse_arguments()
    options = ort.SessionOptions()
    options.enable_profiling = True
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    with tempfile.TemporaryDirectory() as folder:
        options.profile_file_prefix = os.path.join(folder, "ort")
        session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
        feeds = seeded_feeds(session)
        for _ in range(args.warmup + args.runs):
            session.run(None, feeds)
        times, kinds = node_times(session.end_profiling(), args.warmup)
    medians = {name: statistics.median(values) / 1000 for name, values in times.items()}
    total = sum(medians.values())
    by_kind = collections.defaultdict(float)
    for name, milliseconds in medians.items():
        by_kind[kinds[name]] += milliseconds
    print(f"{args.model}: {args.threads} thread(s), {args.runs} profiled runs; node medians sum to {total:.3f} ms")
    for kind, milliseconds in sorted(by_kind.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {kind:28s} {milliseconds:9.3f} ms {100 * milliseconds / total:5.1f} %")
    print(f"  slowest {args.top} nodes:")
    for name, milliseconds in sorted(medians.items(), key=lambda item: (-item[1], item[0]))[: args.top]:
        print(f"    {name.removesuffix('_kernel_time'):72s} {kinds[name]:18s} {milliseconds:8.3f} ms")


if __name__ == "__main__":
    main()
