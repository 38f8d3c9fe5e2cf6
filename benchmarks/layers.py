#!/usr/bin/env python3
"""Per-layer convolution benchmark: every distinct convolution of a model (ResNet-50 unless --model names another
fixture; batch 1) as rescompile's -O2 plan has it (shapes, strides, padding and the fused epilogue: bias, residual, activation), each compiled on its own
into a one-step plan and timed with `rescompile-benchmark time`; GFLOP/s is related to the FMA peak that
`rescompile-benchmark peak` measures with the same build in the same run (before and after the layers).

    /work/tools/venv/bin/python benchmarks/layers.py [--threads 1] [--runs 20] [--skip-onnxruntime] [--json OUT]
    /work/tools/venv/bin/python benchmarks/layers.py --model mobilenetv2   # depthwise and grouped layers too
    /work/tools/venv/bin/python benchmarks/compare.py --layers ...          # the same

The layer list comes from `rescompile MODEL/model.onnx --dump plan`: every f32_conv step, keyed by input,
weight and output shapes, window parameters and epilogue. Each is rebuilt as a small ONNX model (Conv with
bias, then Add of a second input for a residual, then the activation) that -O2 fuses back into one step; the
script checks that it did. onnxruntime times the same one-layer model unless --skip-onnxruntime.
"""

import argparse
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

PEER_WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer_worker.py")
# A buffer: `%5 = f32[64,64,1,1] [nhwc] const@37888 [packed(winograd F(4x4), 16-wide)] "name"`.
BUFFER_LINE = re.compile(r'^\s+%(\d+) = (\w+)\[([\d,]*)\]( nhwc)? \S+(?: packed\(.*\))? "(.*)"$')
STEP_LINE = re.compile(r'^\s+(\d+): \(([^)]*)\) = (\w+)\(([^)]*)\) (\{.*\}) "(.*)"$')
LIST_FIELD = re.compile(r"(\w+)=\[([-\d,]*)\]")


# MARK: - The layers of the plan


def plan_listing(rescompile, model, plan, layout="auto"):
    _, _, status, out, err = harness.run_measured([rescompile, model, "-o", plan, "-O2", "--dump", "plan",
                                                   "--layout", layout])
    if status != 0:
        raise SystemExit(f"error: rescompile failed on {model}: {err.strip()}")
    return out


def conv_steps(listing):
    """The convolution steps of a plan listing (`--dump plan`), with their operand shapes and parameters."""
    shapes = {}
    channels_last = set()
    steps = []
    for line in listing.splitlines():
        buffer = BUFFER_LINE.match(line)
        if buffer:
            shapes[int(buffer.group(1))] = [int(d) for d in buffer.group(3).split(",") if d]
            if buffer.group(4):
                channels_last.add(int(buffer.group(1)))
            continue
        step = STEP_LINE.match(line)
        if not step or "conv" not in step.group(3):
            continue
        inputs = [int(token.strip().lstrip("%")) for token in step.group(4).split(",") if token.strip()]
        outputs = [int(token.strip().lstrip("%")) for token in step.group(2).split(",") if token.strip()]
        params = step.group(5)
        fields = {name: [int(v) for v in values.split(",") if v] for name, values in LIST_FIELD.findall(params)}
        group = int(re.search(r"group=(\d+)", params).group(1))
        epilogue = re.search(r"epilogue=\((.*)\)\}$", params).group(1)
        steps.append({
            "name": step.group(6), "kernel": step.group(3), "x": shapes[inputs[0]], "w": shapes[inputs[1]],
            "y": shapes[outputs[0]], "strides": fields["strides"], "pads": fields["pads"],
            "dilations": fields["dilations"], "group": max(group, 1), "epilogue": epilogue,
            "channels_last": inputs[0] in channels_last,
        })
    return steps


def distinct_layers(steps):
    """One entry per distinct (shapes, window, epilogue), in plan order, with how often it occurs."""
    layers = {}
    for step in steps:
        key = json.dumps([step[k] for k in ("x", "w", "y", "strides", "pads", "dilations", "group", "epilogue")])
        if key in layers:
            layers[key]["count"] += 1
        else:
            layers[key] = dict(step, count=1)
    return list(layers.values())


def flops(layer):
    """2 · output elements · reduction length (the multiply-adds; the epilogue is not counted)."""
    out_elements = 1
    for d in layer["y"]:
        out_elements *= d
    reduction = 1
    for d in layer["w"][1:]:
        reduction *= d
    return 2 * out_elements * reduction


def describe(layer):
    c, m = layer["x"][1], layer["y"][1]
    kernel = "x".join(str(d) for d in layer["w"][2:])
    stride = layer["strides"][0]
    groups = "" if layer["group"] == 1 else (" depthwise" if layer["group"] == c == m else f" g{layer['group']}")
    return f"{c}->{m} {kernel}/{stride}{groups} {layer['y'][2]}x{layer['y'][3]}"


# MARK: - One-layer models


def activation_nodes(helper, epilogue, source, output):
    """The ONNX nodes of the epilogue's activation (ResNet-50 has only ReLU; Clip is ReLU6 elsewhere)."""
    match = re.search(r"(\w+)\((-?[\d.e+-]+),(-?[\d.e+-]+)\)$", epilogue)
    if not match:
        return [helper.make_node("Identity", [source], [output])], []
    kind, alpha, beta = match.group(1), float(match.group(2)), float(match.group(3))
    if kind == "relu":
        return [helper.make_node("Relu", [source], [output])], []
    if kind == "clip":
        from onnx import numpy_helper
        import numpy as np
        bounds = [numpy_helper.from_array(np.array(alpha, np.float32), "clip_min"),
                  numpy_helper.from_array(np.array(beta, np.float32), "clip_max")]
        return [helper.make_node("Clip", [source, "clip_min", "clip_max"], [output])], bounds
    raise SystemExit(f"error: the layer benchmark cannot rebuild activation '{kind}'")


def one_layer_model(layer, path):
    """An ONNX model of one convolution with the layer's epilogue, which rescompile -O2 fuses into one step."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(len(path))
    weight_shape = layer["w"]
    fan_in = int(np.prod(weight_shape[1:]))
    weights = (rng.standard_normal(weight_shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    initializers = [numpy_helper.from_array(weights, "W")]
    conv_inputs = ["X", "W"]
    if "bias" in layer["epilogue"]:
        initializers.append(numpy_helper.from_array(rng.uniform(-0.1, 0.1, weight_shape[0]).astype(np.float32), "B"))
        conv_inputs.append("B")
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, layer["x"])]
    nodes = [helper.make_node("Conv", conv_inputs, ["conv"], kernel_shape=weight_shape[2:], strides=layer["strides"],
                              pads=layer["pads"], dilations=layer["dilations"], group=layer["group"])]
    current = "conv"
    if "residual" in layer["epilogue"]:
        inputs.append(helper.make_tensor_value_info("R", TensorProto.FLOAT, layer["y"]))
        nodes.append(helper.make_node("Add", [current, "R"], ["sum"]))
        current = "sum"
    activation, constants = activation_nodes(helper, layer["epilogue"], current, "Y")
    nodes += activation
    graph = helper.make_graph(nodes, "layer", inputs, [helper.make_tensor_value_info("Y", TensorProto.FLOAT, layer["y"])],
                              initializer=initializers + constants)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="layers.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


# MARK: - Timing


def peak(bin_dir, threads, repeats=7):
    _, _, status, out, err = harness.run_measured([os.path.join(bin_dir, "rescompile-benchmark"), "peak", "--threads",
                                                  str(threads), "--repeats", str(repeats), "--format", "json"])
    if status != 0:
        raise SystemExit(f"error: rescompile-benchmark peak failed: {err.strip()}")
    return json.loads(out)


def time_plan(bin_dir, plan, threads, warmup, runs):
    _, _, status, out, err = harness.run_measured([os.path.join(bin_dir, "rescompile-benchmark"), "time", plan,
                                                  "--threads", str(threads), "--warmup", str(warmup),
                                                  "--iterations", str(runs), "--format", "json"])
    if status != 0:
        raise SystemExit(f"error: rescompile-benchmark time failed on {plan}: {err.strip()}")
    return json.loads(out)


def time_onnxruntime(model, threads, warmup, runs):
    worker = harness.Worker("onnxruntime", [harness.PYTHON, PEER_WORKER, "onnxruntime", model, "--threads",
                                            str(threads), "--warmup", str(warmup)])
    worker.run_chunk(runs)
    worker.close()
    return {"wall": harness.summarize(worker.times), "cpu": harness.summarize(worker.cpu_times)}


def convolution_share(bin_dir, plan, threads, warmup, runs):
    """The convolution step's share of a plan's time, from `rescompile bench --profile` of the same plan: its
    median over the median run. A channels-last layer's plan also reorders the image in and the result out, and
    a run copies inputs into the arena outside any step (a residual input: 3.2 MB per run at 56x56x256). The
    share was once taken of the steps' sum, which left those copies in the layer's time: 64->256 1x1 at 56x56
    with a residual showed 45 % of peak, against 1.01 ms (88 %) for its step."""
    _, _, status, out, err = harness.run_measured([os.path.join(bin_dir, "rescompile"), "bench", plan, "--profile",
                                                  "--threads", str(threads), "--warmup", str(warmup),
                                                  "--iterations", str(runs), "--format", "json"])
    if status != 0:
        raise SystemExit(f"error: rescompile bench --profile failed on {plan}: {err.strip()}")
    profile = json.loads(out)["profile"]
    steps = profile["steps"]
    total = max(profile["run_median_ms"], sum(step["median_ms"] for step in steps))
    convolution = sum(step["median_ms"] for step in steps if "conv" in step["kernel"])
    return convolution / total if total > 0 else 1.0


def benchmark_layer(layer, bin_dir, scratch, index, threads, args):
    """Times the layer as the model's plan computes it: a layer the network runs channels-last is compiled with
    `--layout channels-last`, and its times are the convolution step's share of the plan's (without the two
    reorders a one-layer plan needs; onnxruntime's own reorders stay in its time)."""
    model = os.path.join(scratch, f"layer{index}.onnx")
    plan = os.path.join(scratch, f"layer{index}.resplan")
    one_layer_model(layer, model)
    layout = "channels-last" if layer.get("channels_last") else "row-major"
    compiled = conv_steps(plan_listing(os.path.join(bin_dir, "rescompile"), model, plan, layout))
    fused = len(compiled) == 1 and compiled[0]["epilogue"] == layer["epilogue"]
    timing = time_plan(bin_dir, plan, threads, args.warmup, args.runs)
    share = convolution_share(bin_dir, plan, threads, args.warmup, args.runs) if layer.get("channels_last") else 1.0
    entry = {"threads": threads, "fused_as_in_model": fused, "layout": layout, "convolution_share": share}
    for key in ("median_ms", "q1_ms", "q3_ms", "min_ms", "max_ms", "cpu_median_ms", "cpu_min_ms"):
        entry[key] = timing[key] * share
    if not args.skip_onnxruntime:
        entry["onnxruntime"] = time_onnxruntime(model, threads, args.warmup, args.runs)
    return entry


# MARK: - Report


def report(layers, peaks, threads, model_name="ResNet-50"):
    """Prints the layer table for one thread count; returns the averages. GFLOP/s by wall time is set against
    the best wall-time peak of `threads` threads; GFLOP/s by CPU time (work over the CPU time of all threads:
    the rate of a core while it works) against the best CPU-time peak of one core. On a shared machine only
    the second pair means much (README, Method)."""
    peak_wall = max(p["best_gflops"] for p in peaks)
    peak_cpu = max(p["cpu_best_gflops"] for p in peaks) / threads
    print(f"\nthreads {threads}: FMA peak {peak_wall:.1f} GFLOP/s by wall time ({threads} thread(s)), {peak_cpu:.1f} per "
          f"core by CPU time (best of {len(peaks)} measurements before and after the layers; wall/CPU medians "
          + ", ".join(f"{p['median_gflops']:.1f}/{p['cpu_median_gflops'] / threads:.1f}" for p in peaks)
          + f"; {peaks[0]['accumulators']} x SIMD{peaks[0]['lanes']} accumulators, kernels {peaks[0]['build_isa']})\n")
    header = ("| layer (first in plan) | count | shape | epilogue | MFLOP | wall ms median (IQR) | GFLOP/s | % peak |"
              " CPU ms | GFLOP/s per core (CPU) | % core peak (CPU) | onnxruntime wall ms | ort CPU ms | rescompile/ort (wall, CPU) |")
    lines = [header, "|" + "---|" * 14]
    for layer in layers:
        run = layer["runs"][str(threads)]
        work = flops(layer)
        run["gflops"] = work / (run["median_ms"] * 1e6)
        run["percent_of_peak"] = 100 * run["gflops"] / peak_wall
        run["cpu_gflops"] = work / (run["cpu_median_ms"] * 1e6)
        run["cpu_percent_of_peak"] = 100 * run["cpu_gflops"] / peak_cpu
        ort = run.get("onnxruntime")
        ort_cells = ["—", "—", "—"]
        if ort:
            ort_cells = [f"{ort['wall']['median']:.3f}", f"{ort['cpu']['median']:.3f}",
                         f"{run['median_ms'] / ort['wall']['median']:.2f}, "
                         f"{run['cpu_median_ms'] / ort['cpu']['median']:.2f}"]
        epilogue = layer["epilogue"].replace("(0.0,0.0)", "") + ("" if run["fused_as_in_model"] else " NOT FUSED")
        epilogue += " (nhwc)" if run.get("layout") == "channels-last" else ""
        lines.append(f"| {layer['name']} | {layer['count']} | {describe(layer)} | {epilogue} | {work / 1e6:.1f} | "
                     f"{run['median_ms']:.3f} ({run['q1_ms']:.3f}–{run['q3_ms']:.3f}) | {run['gflops']:.1f} | "
                     f"{run['percent_of_peak']:.0f} % | {run['cpu_median_ms']:.3f} | {run['cpu_gflops']:.1f} | "
                     f"{run['cpu_percent_of_peak']:.0f} % | " + " | ".join(ort_cells) + " |")
    print("\n".join(lines))
    three = [layer for layer in layers if layer["w"][2:] == [3, 3]]
    summary = {"peak_gflops": peak_wall, "cpu_core_peak_gflops": peak_cpu}
    for label, subset in (("3x3 layers", three), ("all layers", layers)):
        if not subset:
            continue
        runs = [layer["runs"][str(threads)] for layer in subset]
        total_flop = sum(flops(layer) * layer["count"] for layer in subset)
        entry = {}
        for clock, key, percent, peak_value in (("wall", "median_ms", "percent_of_peak", peak_wall),
                                                ("cpu", "cpu_median_ms", "cpu_percent_of_peak", peak_cpu)):
            total_ms = sum(run[key] * layer["count"] for run, layer in zip(runs, subset))
            weighted = total_flop / (total_ms * 1e6)
            entry[clock] = {"mean_percent_of_peak": sum(run[percent] for run in runs) / len(runs),
                            "total_ms": total_ms, "weighted_gflops": weighted,
                            "weighted_percent_of_peak": 100 * weighted / peak_value}
        summary[label] = entry
        print(f"\n{label} ({len(subset)} distinct shapes): mean {entry['wall']['mean_percent_of_peak']:.1f} % of peak by "
              f"wall time, {entry['cpu']['mean_percent_of_peak']:.1f} % by CPU time. Every occurrence in {model_name}: "
              f"{total_flop / 1e9:.2f} GFLOP in {entry['wall']['total_ms']:.1f} ms wall "
              f"({entry['wall']['weighted_gflops']:.1f} GFLOP/s, {entry['wall']['weighted_percent_of_peak']:.1f} %), "
              f"{entry['cpu']['total_ms']:.1f} ms CPU ({entry['cpu']['weighted_gflops']:.1f} GFLOP/s, "
              f"{entry['cpu']['weighted_percent_of_peak']:.1f} %)")
    return summary


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="resnet50", help="a model under --fixtures (default resnet50)")
    parser.add_argument("--threads", nargs="+", type=int, default=[1])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--skip-onnxruntime", action="store_true")
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument("--fixtures", default=os.path.join(harness.REPO, "fixtures", "full"))
    parser.add_argument("--bin-dir")
    parser.add_argument("--allow-stale-binaries", action="store_true")
    parser.add_argument("--target-cpu", default="native")
    return parser.parse_args(argv)


def main(args):
    """Runs the layer benchmark; `args` needs threads, runs, warmup, skip_onnxruntime, json, fixtures, bin_dir,
    allow_stale_binaries and target_cpu (compare.py's arguments have them)."""
    products = ["rescompile", "rescompile-benchmark"]
    if args.bin_dir:
        harness.check_fresh(args.bin_dir, products, args.allow_stale_binaries)
    bin_dir = args.bin_dir or harness.build(products, None if args.target_cpu == "none" else args.target_cpu)
    name = getattr(args, "model", None) or "resnet50"
    model = os.path.join(args.fixtures, name, "model.onnx")
    if not os.path.isfile(model):
        raise SystemExit(f"error: {model} not found (python fixtures/generate.py --full makes it)")
    machine_before = harness.machine()
    results = {"model": name, "machine_before": machine_before, "threads": {}}
    with tempfile.TemporaryDirectory(prefix="rescompile-layers-") as scratch:
        steps = conv_steps(plan_listing(os.path.join(bin_dir, "rescompile"), model,
                                        os.path.join(scratch, f"{name}.resplan")))
        layers = distinct_layers(steps)
        print(f"{name}: {len(steps)} convolution steps, {len(layers)} distinct", file=sys.stderr)
        for threads in args.threads:
            peaks = [peak(bin_dir, threads)]
            for index, layer in enumerate(layers):
                print(f"  [{threads} thr] {index + 1}/{len(layers)} {describe(layer)}", file=sys.stderr, flush=True)
                layer.setdefault("runs", {})[str(threads)] = benchmark_layer(layer, bin_dir, scratch, index, threads,
                                                                             args)
            peaks.append(peak(bin_dir, threads))
            results["threads"][str(threads)] = {"peaks": peaks, "summary": report(layers, peaks, threads, name)}
    results["layers"] = layers
    results["machine_after"] = harness.machine()
    print(f"\nload average before {machine_before['load_average'][0]:.2f}, after "
          f"{results['machine_after']['load_average'][0]:.2f} (above ~0.5 the machine was shared)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(parse_arguments())
