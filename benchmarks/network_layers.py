#!/usr/bin/env python3
"""Each step of a compiled model beside the onnxruntime nodes that compute the same thing, timed inside the
whole network: where the network's time goes against onnxruntime, layer by layer.

layers.py times every layer alone, a model of one layer; here each system runs the whole model and reports its
own per-step times (`rescompile bench --profile`, onnxruntime's profiler). A layer alone finds its input, output
and weights in cache; inside the network its weights come from memory and its input from whatever the layer
before left behind, and that is where MobileNetV2's pointwise projections and depthwise layers lose to
onnxruntime while layers.py shows them at par.

Matching. A step is named after the first model node it computes and produces the outputs of the last one;
onnxruntime names a node after the model node (`/fc/Gemm`, with a suffix such as `/MatMulAddFusion` when it
fused several) or, for its channel-blocked convolutions, after the tensor it produces (`<output>_nchwc`). An
onnxruntime node belongs to a step when its name (or that tensor) is one of the model nodes the step computes or
one of their outputs (`covered_names`); any other (a residual Add that onnxruntime runs on its own, a layout
reorder, a fused node with a generated name such as `Gelu_token_426`) is charged to the next matched node it runs
before, and what runs after the last match is listed as unmatched. Each system's time for a step is the minimum
over the rounds of its median over the runs of a round; rounds alternate the systems.

    /work/tools/venv/bin/python benchmarks/network_layers.py fixtures/full/mobilenetv2/model.onnx --threads 1
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from ort_op_profile import seeded_feeds  # noqa: E402


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="an ONNX model")
    parser.add_argument("--threads", type=int, default=1, help="threads of both systems (default 1)")
    parser.add_argument("--runs", type=int, default=30, help="profiled runs per round and system (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before each round (default 3)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of both systems (default 2)")
    parser.add_argument("--top", type=int, default=10, help="largest differences listed at the end (default 10)")
    parser.add_argument("--bin-dir", help="use the rescompile already built in BIN_DIR (else build it)")
    parser.add_argument("--allow-stale-binaries", action="store_true",
                        help="use the --bin-dir rescompile even when sources changed after it was built")
    return parser.parse_args()


def rescompile_steps(rescompile, plan, threads, runs, warmup):
    """Per step of the plan: (name, method, shape, output names, median ms over `runs` profiled runs)."""
    listing = json.loads(subprocess.run([rescompile, "inspect", plan, "--format", "json"], check=True,
                                        capture_output=True, text=True).stdout)
    outputs = {step["index"]: [value["name"] for value in step["outputs"]] for step in listing["steps"]}
    profile = json.loads(subprocess.run(
        [rescompile, "bench", plan, "--profile", "--format", "json", "--threads", str(threads),
         "--iterations", str(runs), "--warmup", str(warmup)], check=True, capture_output=True, text=True).stdout)
    return [(step["name"], str(step.get("method", "")), step["shape"], outputs.get(step["index"], []),
             step["median_ms"]) for step in profile["profile"]["steps"]]


def onnxruntime_nodes(model, threads, runs, warmup):
    """onnxruntime's nodes in the order they run: (name, operator, median ms over `runs` profiled runs)."""
    options = ort.SessionOptions()
    options.enable_profiling = True
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    with tempfile.TemporaryDirectory() as folder:
        options.profile_file_prefix = os.path.join(folder, "ort")
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        feeds = seeded_feeds(session)
        for _ in range(warmup + runs):
            session.run(None, feeds)
        with open(session.end_profiling()) as file:
            events = json.load(file)
    order, times, kinds = [], {}, {}
    for event in events:
        if event.get("cat") != "Node" or not event["name"].endswith("_kernel_time"):
            continue
        name = event["name"].removesuffix("_kernel_time")
        if name not in times:
            order.append(name)
            times[name] = []
            kinds[name] = event["args"].get("op_name", "?")
        times[name].append(event["dur"] / 1000)
    return [(name, kinds[name], statistics.median(times[name][warmup:] or times[name])) for name in order]


def covered_names(model, steps):
    """Per step: the names of the model nodes it computes and of the tensors they produce: the nodes that
    both descend from its first node (the step's name) and lead to one of its outputs, at most `fused_chain`
    nodes either way (the chain the optimizer fused: Conv → BatchNormalization → Add → Relu, MatMul → Add →
    the seven nodes of an erf GELU)."""
    graph = onnx.load(model, load_external_data=False).graph
    by_name = {node.name: node for node in graph.node}
    producer = {tensor: node for node in graph.node for tensor in node.output}
    readers = {}
    for node in graph.node:
        for tensor in node.input:
            readers.setdefault(tensor, []).append(node)

    def walk(start, following):
        seen = {}
        frontier = start
        for _ in range(fused_chain):
            frontier = [node for node in frontier if node.name not in seen]
            for node in frontier:
                seen[node.name] = node
            frontier = [after for node in frontier for after in following(node)]
        return seen

    covered = []
    for name, _, _, outputs, _ in steps:
        names = {name, *outputs}
        if name in by_name:
            descendants = walk([by_name[name]], lambda node: [r for t in node.output for r in readers.get(t, [])])
            ancestors = walk([producer[t] for t in outputs if t in producer],
                             lambda node: [producer[t] for t in node.input if t in producer])
            for node_name in descendants.keys() & ancestors.keys():
                names.add(node_name)
                names.update(descendants[node_name].output)
        covered.append(names)
    return covered


fused_chain = 12


def owner(node, covered):
    """The index of the step an onnxruntime node computes, or None."""
    bare = node.removesuffix("_nchwc")
    for index, names in enumerate(covered):
        if bare in names or node in names or any(node.startswith(name + "/") for name in names):
            return index
    return None


def attribute(nodes, covered):
    """Per step: the onnxruntime nodes charged to it; and the nodes after the last matched one."""
    charged = [[] for _ in covered]
    pending = []
    for node in nodes:
        pending.append(node)
        index = owner(node[0], covered)
        if index is not None:
            charged[index].extend(pending)
            pending = []
    return charged, pending


def minimum_by_key(rounds):
    """The elementwise minimum of per-round lists of times."""
    return [min(values) for values in zip(*rounds)]


def main():
    args = parse_arguments()
    if args.bin_dir:
        harness.check_fresh(args.bin_dir, ["rescompile"], args.allow_stale_binaries)
    bin_dir = args.bin_dir or harness.build(["rescompile"])
    rescompile = os.path.join(bin_dir, "rescompile")
    with tempfile.TemporaryDirectory() as folder:
        plan = os.path.join(folder, "model.resplan")
        subprocess.run([rescompile, args.model, "-o", plan], check=True, capture_output=True)
        ours_rounds, theirs_rounds = [], []
        steps = nodes = None
        for _ in range(args.rounds):
            steps = rescompile_steps(rescompile, plan, args.threads, args.runs, args.warmup)
            ours_rounds.append([step[4] for step in steps])
            nodes = onnxruntime_nodes(args.model, args.threads, args.runs, args.warmup)
            theirs_rounds.append([node[2] for node in nodes])
    ours = minimum_by_key(ours_rounds)
    nodes = [(name, kind, time) for (name, kind, _), time in zip(nodes, minimum_by_key(theirs_rounds))]
    charged, unmatched = attribute(nodes, covered_names(args.model, steps))

    print(f"{args.model}: {args.threads} thread(s); each time the minimum over {args.rounds} round(s) of the "
          f"median of {args.runs} profiled runs; {harness.machine()}")
    print()
    print("| step | method | shape | rescompile ms | onnxruntime ms | ratio | onnxruntime nodes |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for (name, method, shape, _, _), mine, theirs in zip(steps, ours, charged):
        peer = sum(node[2] for node in theirs)
        kinds = "+".join(node[1] for node in theirs) or "-"
        ratio = f"{mine / peer:.2f}" if peer > 0 else "-"
        rows.append((mine - peer, name, method, shape, mine, peer))
        print(f"| {name} | {method} | {shape} | {mine:.3f} | {peer:.3f} | {ratio} | {kinds} |")
    for name, kind, time in unmatched:
        print(f"| (onnxruntime only) {name} | {kind} | | | {time:.3f} | | |")
    total_ours = sum(ours)
    total_theirs = sum(node[2] for node in nodes)
    print()
    print(f"steps sum to {total_ours:.3f} ms; onnxruntime's nodes to {total_theirs:.3f} ms "
          f"(ratio {total_ours / total_theirs:.2f})")
    print(f"largest differences (rescompile - onnxruntime):")
    for difference, name, method, shape, mine, peer in sorted(rows, reverse=True)[: args.top]:
        print(f"  {difference:+.3f} ms  {name} ({method} {shape}): {mine:.3f} vs {peer:.3f}")


if __name__ == "__main__":
    main()
