#!/usr/bin/env python3
"""Finds the steps furthest behind onnxruntime's nodes across a sweep's models (scripts/model-sweep.py --out DIR).

For each DIR/*/model.onnx: onnxruntime's profiler (one thread, 30 runs on the model's test inputs, the first ten
dropped) gives each node's median time; `rescompile bench PLAN --profile --threads 1` gives each step's. A step
and a node are paired by name, which both keep from the ONNX node for every operator onnxruntime does not rewrite:
its NCHWc and fusion passes rename convolutions, GEMMs and the pooling and Resize nodes inside an NCHWc region
(LR-ASPP's 8x upsampling, 3x its node before 2026-12-07, shows only in a profile of the model), so those are
missing here. Prints the pairs where rescompile loses most time, whatever the model's whole-run ratio: whole
runs of one-to-ten-millisecond models mostly say which phase of a shared machine they ran in, a kernel several
times slower than its peer's stays visible here. The scan that found ResNeSt's radix sums dividing by 1
element by element (2026-12-07). A development tool, like the sweep: the product never needs Python.

    /work/tools/venv/bin/python scripts/step-scan.py /tmp/sweep --rescompile .build/release/rescompile
    /work/tools/venv/bin/python scripts/step-scan.py /tmp/sweep --top 20 --skip video rnn
"""

import argparse
import collections
import glob
import json
import os
import statistics
import subprocess
import tempfile


def node_times(model, folder):
    """onnxruntime's median time per node name (ms), one thread, on the model's test inputs."""
    import onnxruntime as ort
    from onnx import TensorProto, numpy_helper
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.enable_profiling = True
    options.profile_file_prefix = os.path.join(tempfile.gettempdir(), "step-scan")
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    feeds = {}
    for index, description in enumerate(session.get_inputs()):
        tensor = TensorProto()
        with open(os.path.join(folder, "test_data_set_0", f"input_{index}.pb"), "rb") as f:
            tensor.ParseFromString(f.read())
        feeds[description.name] = numpy_helper.to_array(tensor)
    for _ in range(30):
        session.run(None, feeds)
    profile = session.end_profiling()
    with open(profile) as f:
        events = json.load(f)
    os.remove(profile)
    durations = collections.defaultdict(list)
    operators = {}
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            name = event["name"][: -len("_kernel_time")]
            durations[name].append(event["dur"] / 1000)
            operators[name] = event["args"].get("op_name", "?")
    return {name: (statistics.median(times[10:] or times), operators[name]) for name, times in durations.items()}


def step_times(rescompile, model, plan):
    """rescompile's steps (name, kernel, method, shape, median ms), or None when the model does not compile."""
    if subprocess.run([rescompile, model, "-o", plan], capture_output=True).returncode != 0:
        return None
    out = subprocess.run(
        [rescompile, "bench", plan, "--profile", "--iterations", "30", "--threads", "1", "--format", "json"],
        capture_output=True, text=True, check=True).stdout
    return json.loads(out)["profile"]["steps"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep", help="a folder of model-sweep.py exports (DIR/NAME/model.onnx + test_data_set_0)")
    parser.add_argument("--rescompile", default=".build/release/rescompile")
    parser.add_argument("--top", type=int, default=40, help="pairs to print")
    parser.add_argument("--skip", nargs="*", default=[], help="skip models whose folder name contains any of these")
    parser.add_argument("--min-ms", type=float, default=0.005, help="ignore nodes faster than this")
    args = parser.parse_args()
    pairs = []
    with tempfile.TemporaryDirectory() as scratch:
        for model in sorted(glob.glob(os.path.join(args.sweep, "*", "model.onnx"))):
            folder = os.path.dirname(model)
            name = os.path.basename(folder)
            if any(word in name for word in args.skip):
                continue
            steps = step_times(args.rescompile, model, os.path.join(scratch, name + ".resplan"))
            if steps is None:
                print(f"{name}: does not compile, skipped")
                continue
            nodes = node_times(model, folder)
            for step in steps:
                node = nodes.get(step["name"])
                if node is None or node[0] < args.min_ms:
                    continue
                kernel = step["kernel"] + (f" [{step['method']}]" if step.get("method") else "")
                pairs.append((step["median_ms"] - node[0], name, step["name"], kernel, node[1], step["median_ms"],
                              node[0], step["shape"]))
    pairs.sort(key=lambda pair: -pair[0])
    print(f"{len(pairs)} steps paired by name; furthest behind onnxruntime's node:")
    for lost, model, step, kernel, operator, ours, theirs, shape in pairs[: args.top]:
        print(f"  {lost:+.3f} ms  x{ours / theirs:5.2f}  {model[:24]:24s} {kernel[:40]:40s} {operator[:16]:16s} "
              f"{ours:.3f} vs {theirs:.3f} ms  {shape}  {step[-48:]}")


if __name__ == "__main__":
    main()
