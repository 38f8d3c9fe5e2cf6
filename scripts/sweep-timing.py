#!/usr/bin/env python3
"""Times rescompile against onnxruntime on every model a sweep exported (scripts/model-sweep.py --out DIR).

For each DIR/*/model.onnx with its test_data_set_0 inputs: onnxruntime's median over up to 30 runs (one thread,
three warm-ups, at most three seconds), then `rescompile MODEL -o PLAN` and `rescompile bench PLAN --threads 1`.
Prints one line per model and, at the end, the models furthest behind onnxruntime and the median ratio: the
list that found the sigmoid computed lane by lane, the reductions walked per element and the MatMul batches
of one row (2026-12-01). A development tool, like the sweep: the product never needs Python.

    /work/tools/venv/bin/python scripts/sweep-timing.py /tmp/sweep --rescompile .build/release/rescompile
    /work/tools/venv/bin/python scripts/sweep-timing.py /tmp/sweep --rounds 3      # fastest of three, alternating
"""

import argparse
import glob
import os
import re
import statistics
import subprocess
import time


def onnxruntime_timer(model, folder):
    """An onnxruntime session on the model's test inputs, and a function timing it: the median over up to 30
    runs (one thread, three warm-ups, at most three seconds)."""
    import onnxruntime as ort
    from onnx import TensorProto, numpy_helper
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    feeds = {}
    for index, description in enumerate(session.get_inputs()):
        tensor = TensorProto()
        with open(os.path.join(folder, "test_data_set_0", f"input_{index}.pb"), "rb") as f:
            tensor.ParseFromString(f.read())
        feeds[description.name] = numpy_helper.to_array(tensor)

    def median():
        for _ in range(3):
            session.run(None, feeds)
        times, start = [], time.time()
        while len(times) < 30 and time.time() - start < 3:
            begin = time.perf_counter()
            session.run(None, feeds)
            times.append(time.perf_counter() - begin)
        return statistics.median(times) * 1e3
    return median


def rescompile_timer(rescompile, model, plan):
    """`rescompile MODEL -o PLAN` once, and a function timing the plan with `rescompile bench` (as many runs as
    fit about three seconds at the reference's speed, 3 to 30)."""
    subprocess.run([rescompile, model, "-o", plan], check=True, capture_output=True, timeout=600)

    def median(reference_ms):
        iterations = str(max(3, min(30, int(3000 / max(reference_ms, 0.1)))))
        result = subprocess.run(
            [rescompile, "bench", plan, "--threads", "1", "--warmup", "3", "--iterations", iterations],
            check=True, capture_output=True, text=True, timeout=900)
        return float(re.search(r"median ([\d.]+) ms", result.stdout).group(1))
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", help="sweep output folders")
    parser.add_argument("--rescompile", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release",
                                                             "rescompile"))
    parser.add_argument("--plan", default="/tmp/sweep-timing.resplan")
    parser.add_argument("--worst", type=int, default=20, help="how many of the slowest ratios to list at the end")
    parser.add_argument("--rounds", type=int, default=1,
                        help="time both systems this many times, alternating, and keep each one's fastest median "
                             "(a shared host's contention only ever adds time; one round showed outliers of 2x)")
    args = parser.parse_args()
    ratios = []
    for model in sorted(m for folder in args.folders for m in glob.glob(os.path.join(folder, "*", "model.onnx"))):
        folder = os.path.dirname(model)
        name = os.path.basename(folder)
        try:
            reference_timer = onnxruntime_timer(model, folder)
            ours_timer = rescompile_timer(args.rescompile, model, args.plan)
            reference, ours = float("inf"), float("inf")
            for _ in range(max(1, args.rounds)):
                reference = min(reference, reference_timer())
                ours = min(ours, ours_timer(reference))
        except Exception as error:  # a model onnxruntime or rescompile refuses: reported, not timed
            print(f"{name:48} skipped: {type(error).__name__}: {str(error)[:100]}", flush=True)
            continue
        ratios.append((ours / reference, name, ours, reference))
        print(f"{name:48} {ours / reference:5.2f}  rescompile {ours:9.3f} ms  onnxruntime {reference:9.3f} ms", flush=True)
    if not ratios:
        return
    print(f"\n{len(ratios)} models, median ratio {statistics.median(r[0] for r in ratios):.2f}, "
          f"{sum(r[0] <= 1 for r in ratios)} at or below 1.0; slowest:")
    for ratio, name, ours, reference in sorted(ratios, reverse=True)[:args.worst]:
        print(f"  {name:46} {ratio:5.2f}  ({ours:.3f} against {reference:.3f} ms)")


if __name__ == "__main__":
    main()
