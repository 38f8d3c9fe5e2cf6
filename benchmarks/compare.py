#!/usr/bin/env python3
"""rescompile against onnxruntime and OpenVINO on the full-size models, batch 1, in one run on one machine.

For each model: compile it with `rescompile MODEL -o PLAN` (wall time and peak memory of that process, over
--compile-runs runs), then start one worker process per (system, thread count) — `rescompile-benchmark
serve` for rescompile, benchmarks/peer_worker.py for onnxruntime and OpenVINO — each of which loads the model,
warms up and waits. The driver then asks the workers for chunks of timed runs in turn (round-robin, the first
worker rotating each round) until each has --runs runs, so drift on a shared machine hits every system alike.
Each worker then exits and its own peak RSS is read with os.wait4 on its pid.

    /work/tools/venv/bin/python benchmarks/compare.py                          # all models, 1 and 2 threads
    /work/tools/venv/bin/python benchmarks/compare.py --models resnet50 --threads 1 --runs 30 --json out.json
    /work/tools/venv/bin/python benchmarks/compare.py --layers                 # ResNet-50 per-layer GFLOP/s

benchmarks/README.md explains the output.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

MODELS = ["resnet18", "resnet50", "mobilenetv2", "densenet121", "vit_tiny", "transformer_encoder"]
SYSTEMS = ["rescompile", "onnxruntime", "openvino"]
PEER_WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer_worker.py")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=MODELS, metavar="NAME",
                        help="models under --fixtures (default: %(default)s)")
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2], metavar="N",
                        help="thread counts, each its own worker per system (default: 1 2)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per system and thread count (default 20)")
    parser.add_argument("--chunk", type=int, default=4,
                        help="runs per turn when interleaving the systems (default 4)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs after loading (default 3)")
    parser.add_argument("--compile-runs", type=int, default=3,
                        help="times `rescompile MODEL -o PLAN` is run and timed (default 3)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the whole comparison this many times and end with each ratio's median and "
                             "range over the repeats (default 1)")
    parser.add_argument("--skip-openvino", action="store_true", help="leave OpenVINO out")
    parser.add_argument("--skip-onnxruntime", action="store_true", help="leave onnxruntime out")
    parser.add_argument("--json", metavar="OUT", help="also write every measurement to OUT as JSON")
    parser.add_argument("--fixtures", default=os.path.join(harness.REPO, "fixtures", "full"),
                        help="folder of MODEL/model.onnx (default: fixtures/full)")
    parser.add_argument("--bin-dir", help="use the rescompile and rescompile-benchmark already built in BIN_DIR")
    parser.add_argument("--allow-stale-binaries", action="store_true",
                        help="measure the --bin-dir executables even when sources changed after they were built")
    parser.add_argument("--target-cpu", default="native",
                        help="-target-cpu for the release build (default native; 'none' for baseline x86-64)")
    parser.add_argument("--layers", action="store_true",
                        help="run the ResNet-50 per-layer benchmark (layers.py) instead of the model comparison")
    args = parser.parse_args()
    if args.runs < 1 or args.chunk < 1 or args.warmup < 0 or args.compile_runs < 1 or args.repeat < 1:
        parser.error("--runs, --chunk, --compile-runs and --repeat must be at least 1, --warmup at least 0")
    if any(t < 1 for t in args.threads):
        parser.error("--threads must be at least 1")
    unknown = [m for m in args.models if not os.path.isfile(os.path.join(args.fixtures, m, "model.onnx"))]
    if unknown and not args.layers:
        parser.error(f"no model.onnx for {', '.join(unknown)} under {args.fixtures} "
                     "(python fixtures/generate.py --full makes them; link fixtures/full to a folder that has them)")
    return args


def peers_available(args):
    systems = ["rescompile"]
    for name, skip in (("onnxruntime", args.skip_onnxruntime), ("openvino", args.skip_openvino)):
        if skip:
            continue
        try:
            __import__(name)
            systems.append(name)
        except ImportError:
            print(f"note: {name} is not importable here; leaving it out", file=sys.stderr)
    return systems


def read_through(path):
    """Reads the file once, so that it is in the page cache for every system's startup alike. The compile is
    timed first, and on this VM a model the page cache had dropped took seconds to come back from disk:
    ResNet-50's first compile of a repeat measured 3.7 and 1.4 s (import 0.85 s) where the next ones took
    0.12-0.33 s, while onnxruntime's session, created later, found the file cached."""
    with open(path, "rb") as source:
        while source.read(1 << 24):
            pass


def compile_plan(rescompile, model, plan, runs):
    """Runs `rescompile MODEL -o PLAN` `runs` times, the model read into the page cache first: wall ms and
    peak RSS KiB of each."""
    read_through(model)
    samples = []
    for _ in range(runs):
        wall, rss, status, _, err = harness.run_measured([rescompile, model, "-o", plan, "-O2"])
        if status != 0:
            raise harness.WorkerError(f"rescompile failed on {model}: {err.strip()}")
        samples.append({"ms": wall * 1000, "peak_rss_kib": rss})
    return samples


def plan_memory(rescompile, plan):
    """The compiled plan's activation arena (planned by lifetime, and the naive one buffer per value) and its
    constant bytes, from `rescompile inspect PLAN --format json`."""
    _, _, status, out, err = harness.run_measured([rescompile, "inspect", plan, "--format", "json"])
    if status != 0:
        raise harness.WorkerError(f"rescompile inspect failed on {plan}: {err.strip()}")
    summary = json.loads(out)
    return {key: summary[key] for key in ("arena_bytes", "naive_arena_bytes", "constant_bytes")}


def start_worker(system, threads, model, plan, bin_dir, warmup):
    if system == "rescompile":
        argv = [os.path.join(bin_dir, "rescompile-benchmark"), "serve", plan, "--threads", str(threads),
                "--warmup", str(warmup)]
    else:
        argv = [harness.PYTHON, PEER_WORKER, system, model, "--threads", str(threads), "--warmup", str(warmup)]
    return harness.Worker(f"{system} ({threads} thread{'s' if threads > 1 else ''})", argv)


def interpreter_baselines(systems):
    """Peak RSS of a Python process that only imports each peer: what its workers' peaks include anyway."""
    baselines = {}
    for system in systems:
        if system == "rescompile":
            continue
        _, rss, status, _, _ = harness.run_measured([harness.PYTHON, PEER_WORKER, system, "--imports-only"])
        if status == 0:
            baselines[system] = rss
    return baselines


def benchmark_model(name, args, systems, bin_dir, scratch):
    model = os.path.join(args.fixtures, name, "model.onnx")
    plan = os.path.join(scratch, f"{name}.resplan")
    result = {"model": name, "systems": {}}
    print(f"[{name}] compiling with rescompile ({args.compile_runs}x)", file=sys.stderr, flush=True)
    try:
        result["rescompile_compile"] = compile_plan(os.path.join(bin_dir, "rescompile"), model, plan,
                                                    args.compile_runs)
        result["rescompile_memory"] = plan_memory(os.path.join(bin_dir, "rescompile"), plan)
        result["model_file_bytes"] = os.path.getsize(model)
    except harness.WorkerError as error:
        result["rescompile_compile_error"] = str(error)
        systems = [s for s in systems if s != "rescompile"]
    workers = []
    for threads in args.threads:
        for system in systems:
            print(f"[{name}] starting {system}, {threads} thread(s)", file=sys.stderr, flush=True)
            try:
                worker = start_worker(system, threads, model, plan, bin_dir, args.warmup)
                worker.system, worker.threads = system, threads
                workers.append(worker)
            except harness.WorkerError as error:
                result["systems"][f"{system}/{threads}"] = {"system": system, "threads": threads,
                                                            "error": str(error)}
    print(f"[{name}] timing {len(workers)} workers, {args.runs} runs each in chunks of {args.chunk}",
          file=sys.stderr, flush=True)
    harness.interleave(workers, args.runs, args.chunk)
    for worker in workers:
        worker.close()
        entry = {"system": worker.system, "threads": worker.threads, "ready": worker.ready,
                 "samples_ms": worker.times, "stats": harness.summarize(worker.times),
                 "cpu_samples_ms": worker.cpu_times, "cpu_stats": harness.summarize(worker.cpu_times),
                 "peak_rss_kib": worker.peak_rss_kib, "stderr": worker.notes()}
        if getattr(worker, "failed", None):
            entry["error"] = worker.failed
        result["systems"][f"{worker.system}/{worker.threads}"] = entry
    return result


# MARK: - Tables


def cell(stats):
    if not stats:
        return "—"
    return f"{stats['median']:.2f} ({stats['q1']:.2f}–{stats['q3']:.2f})"


def ratio(numerator, denominator):
    if not numerator or not denominator:
        return "—"
    return f"{numerator['median'] / denominator['median']:.2f}"


def latency_table(results, args, systems, key="stats"):
    """One row per model and thread count: each system's median (IQR) of `key` (wall `stats` or
    `cpu_stats`), and rescompile's ratio to each peer."""
    names = {"rescompile": "rescompile", "onnxruntime": "onnxruntime", "openvino": "OpenVINO"}
    header = ["model", "threads"] + [f"{names[s]} ms" for s in systems]
    header += [f"rescompile/{names[s]}" for s in systems if s != "rescompile"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        for threads in args.threads:
            stats = {s: (result["systems"].get(f"{s}/{threads}") or {}).get(key) for s in systems}
            row = [result["model"], str(threads)] + [cell(stats[s]) for s in systems]
            row += [ratio(stats["rescompile"], stats[s]) for s in systems if s != "rescompile"]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def spread_table(results, args, systems):
    lines = ["| model | threads | system | runs | median | q1 | q3 | min | max |", "|---|---|---|---|---|---|---|---|---|"]
    for result in results:
        for threads in args.threads:
            for system in systems:
                entry = result["systems"].get(f"{system}/{threads}")
                if not entry:
                    continue
                stats = entry.get("stats")
                if entry.get("error") or not stats:
                    lines.append(f"| {result['model']} | {threads} | {system} | failed: {entry.get('error')} |||||")
                    continue
                lines.append(f"| {result['model']} | {threads} | {system} | {stats['count']} | {stats['median']:.2f} | "
                             f"{stats['q1']:.2f} | {stats['q3']:.2f} | {stats['min']:.2f} | {stats['max']:.2f} |")
    return "\n".join(lines)


def round_ratios(ours, theirs, chunk):
    """rescompile's ratio to a peer in each round of `harness.interleave`: the median of its chunk over the
    median of the peer's chunk of the same round. Every worker runs one chunk per round, so round `i` is
    samples `i * chunk` to `(i + 1) * chunk` of each (a worker that failed stops early; its rounds end there).
    The two chunks of a round run within a second or two of each other, inside one phase of a shared host,
    so each round's ratio cancels the phase that a ratio of whole-run medians mixes in: on a 2-core guest
    whose runs alternated between ~22 and ~33 ms for minutes (ResNet-18, 2026-12-07), which system happened
    to draw more slow chunks moved the ratio of medians between 0.54 and 0.71 over three repeats."""
    ours, theirs = ours or [], theirs or []
    rounds = min(len(ours), len(theirs)) // chunk
    return [statistics.median(ours[i * chunk:(i + 1) * chunk]) / statistics.median(theirs[i * chunk:(i + 1) * chunk])
            for i in range(rounds)]


def paired_cell(ratios):
    """The median and quartiles of per-round ratios, or a dash."""
    stats = harness.summarize(ratios)
    return "—" if not stats else f"{stats['median']:.2f} ({stats['q1']:.2f}–{stats['q3']:.2f})"


def paired_table(results, args, systems):
    """One row per model and thread count: rescompile's per-round ratio to each peer (`round_ratios`),
    median and quartiles over the rounds of this run."""
    names = {"onnxruntime": "onnxruntime", "openvino": "OpenVINO"}
    peers = [s for s in systems if s != "rescompile"]
    header = ["model", "threads", "rounds"] + [f"rescompile/{names[s]} by round, median (q1–q3)" for s in peers]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        for threads in args.threads:
            ours = (result["systems"].get(f"rescompile/{threads}") or {}).get("samples_ms")
            per_peer = [round_ratios(ours, (result["systems"].get(f"{peer}/{threads}") or {}).get("samples_ms"),
                                     args.chunk) for peer in peers]
            rounds = max((len(ratios) for ratios in per_peer), default=0)
            lines.append("| " + " | ".join([result["model"], str(threads), str(rounds)]
                                            + [paired_cell(ratios) for ratios in per_peer]) + " |")
    return "\n".join(lines)


def repeat_table(repeats, args, systems):
    """One row per model and thread count: rescompile's ratio of medians to each peer in every repeat, as
    the median over the repeats and their range. On a shared machine a single run's ratio can move by
    0.1-0.3; the spread over whole repeats says how much of a difference is real."""
    names = {"onnxruntime": "onnxruntime", "openvino": "OpenVINO"}
    peers = [s for s in systems if s != "rescompile"]
    header = ["model", "threads"] + [f"rescompile/{names[s]} median (range)" for s in peers]
    header += [f"rescompile/{names[s]} by round, median (q1–q3)" for s in peers]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, result in enumerate(repeats[0]):
        for threads in args.threads:
            row = [result["model"], str(threads)]
            paired = []
            for peer in peers:
                ratios = []
                rounds = []
                for results in repeats:
                    entries = results[index]["systems"]
                    ours = entries.get(f"rescompile/{threads}") or {}
                    theirs = entries.get(f"{peer}/{threads}") or {}
                    if ours.get("stats") and theirs.get("stats"):
                        ratios.append(ours["stats"]["median"] / theirs["stats"]["median"])
                    rounds += round_ratios(ours.get("samples_ms"), theirs.get("samples_ms"), args.chunk)
                row.append(f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})" if ratios else "—")
                paired.append(paired_cell(rounds))
            lines.append("| " + " | ".join(row + paired) + " |")
    return "\n".join(lines)


def megabytes(kib):
    return "—" if kib is None else f"{kib / 1024:.0f}"


def startup_table(results, args, systems, baselines):
    lines = ["| model | system | compile ms | plan load ms | peak RSS MB (" +
             ", ".join(f"{t} thr" for t in args.threads) + ") | activations MB |", "|---|---|---|---|---|---|"]
    for result in results:
        for system in systems:
            entries = [result["systems"].get(f"{system}/{t}") or {} for t in args.threads]
            rss = ", ".join(megabytes(e.get("peak_rss_kib")) for e in entries)
            if system == "rescompile":
                samples = result.get("rescompile_compile") or []
                compile_stats = harness.summarize([s["ms"] for s in samples])
                compile_rss = max((s["peak_rss_kib"] for s in samples), default=None)
                compile_text = "—" if not compile_stats else (
                    f"{compile_stats['median']:.0f} ({compile_stats['min']:.0f}–{compile_stats['max']:.0f}; "
                    f"peak RSS {megabytes(compile_rss)} MB)")
                loads = [e["ready"]["load_ms"] + e["ready"]["runner_ms"] for e in entries if e.get("ready")]
                load_text = "—" if not loads else "; ".join(f"{value:.1f}" for value in loads)
                memory = result.get("rescompile_memory")
                activations = "—" if not memory else (
                    f"{memory['arena_bytes'] / 1e6:.1f} planned (naive {memory['naive_arena_bytes'] / 1e6:.1f})")
            else:
                compiles = [e["ready"]["compile_ms"] for e in entries if e.get("ready")]
                compile_text = "—" if not compiles else "; ".join(f"{value:.0f}" for value in compiles)
                load_text = "(in compile)"
                activations = "—"
                if system in baselines:
                    rss += f" (interpreter + {system} alone: {megabytes(baselines[system])})"
                    activations = activation_estimate(entries[0].get("peak_rss_kib"), baselines[system],
                                                      result.get("model_file_bytes"))
            lines.append(f"| {result['model']} | {system} | {compile_text} | {load_text} | {rss} | {activations} |")
    return "\n".join(lines)


def activation_estimate(peak_rss_kib, baseline_kib, model_bytes):
    """A peer's activation memory, estimated: its 1-thread worker's peak RSS less the interpreter with the peer
    imported and less the model file (the weights, which it holds once)."""
    if peak_rss_kib is None or baseline_kib is None or model_bytes is None:
        return "—"
    return f"≈ {max(0.0, (peak_rss_kib - baseline_kib) * 1024 - model_bytes) / 1e6:.1f} (from RSS; includes weight copies)"


def report(results, args, systems, baselines, machine_before, machine_after):
    print(f"\nmachine: {machine_before['cpu']}, {machine_before['cpus']} CPUs, "
          f"{' '.join(machine_before['vector_features'])}; load average before "
          f"{machine_before['load_average'][0]:.2f}, after {machine_after['load_average'][0]:.2f} "
          "(above ~0.5 the machine was shared: compare ratios, not times)")
    versions = {}
    for result in results:
        for entry in result["systems"].values():
            ready = entry.get("ready") or {}
            if "version" in ready:
                versions[entry["system"]] = ready["version"]
            if "build_isa" in ready:
                versions["rescompile kernels"] = ready["build_isa"]
    print("versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))
    print(f"\nLatency, batch 1: median of {args.runs} runs, ms (interquartile range); "
          "ratio of medians, below 1 means rescompile is faster\n")
    print(latency_table(results, args, systems))
    if len(systems) > 1:
        print(f"\nPaired by round: each round (one chunk of {args.chunk} runs per worker, in turn) gives rescompile's"
              " ratio of chunk medians to each peer's chunk of the same round; the median and quartiles of those"
              " ratios cancel the slow and fast phases of a shared host that a ratio of medians mixes in\n")
        print(paired_table(results, args, systems))
    print("\nProcess CPU time per run, ms: median (IQR). With one thread this is the work itself even when the"
          " scheduler made the run wait (a shared machine); with more it adds the threads up, spinning included\n")
    print(latency_table(results, args, systems, key="cpu_stats"))
    print("\nSpread, ms\n")
    print(spread_table(results, args, systems))
    print("\nStartup and memory: rescompile compile = `rescompile MODEL -o PLAN` wall (median, min–max); plan load ="
          " Plan + Runner creation in the worker; onnxruntime compile = InferenceSession creation, OpenVINO ="
          " compile_model (one per worker). Peak RSS = ru_maxrss of each worker process (os.wait4). Activations:"
          " rescompile's activation arena as planned (values sharing bytes by lifetime; `naive` = one buffer each);"
          " a peer's is estimated as its 1-thread peak RSS less the interpreter with the peer imported and less"
          " the model file\n")
    print(startup_table(results, args, systems, baselines))
    notes = sorted({f"{entry['system']}: {line}" for result in results for entry in result["systems"].values()
                    for line in entry.get("stderr", [])})
    errors = [f"{result['model']} {key}: {entry['error']}" for result in results
              for key, entry in sorted(result["systems"].items()) if entry.get("error")]
    errors += [f"{r['model']}: {r['rescompile_compile_error']}" for r in results if r.get("rescompile_compile_error")]
    for line in notes[:20]:
        print(f"stderr from {line}")
    for line in errors:
        print(f"FAILED {line}")


def check_build(bin_dir):
    """The kernels must be built for the vector ISA this CPU has, or the comparison is meaningless."""
    _, _, status, out, err = harness.run_measured([os.path.join(bin_dir, "rescompile-benchmark"), "peak",
                                                  "--repeats", "1", "--format", "json"])
    if status != 0:
        sys.exit(f"error: rescompile-benchmark does not run: {err.strip()}")
    isa = json.loads(out)["build_isa"]
    expected = harness.expected_isa()
    if expected and isa != expected:
        print(f"WARNING: the kernels were built for {isa} but this CPU has {expected}: rebuild with "
              "-Xswiftc -target-cpu -Xswiftc native (compare.py does unless --bin-dir or --target-cpu none)",
              file=sys.stderr)


def main():
    args = parse_arguments()
    if args.layers:
        import layers
        return layers.main(args)
    products = ["rescompile", "rescompile-benchmark"]
    if args.bin_dir:
        harness.check_fresh(args.bin_dir, products, args.allow_stale_binaries)
    bin_dir = args.bin_dir or harness.build(products, None if args.target_cpu == "none" else args.target_cpu)
    check_build(bin_dir)
    systems = peers_available(args)
    machine_before = harness.machine()
    baselines = interpreter_baselines(systems)
    repeats = []
    with tempfile.TemporaryDirectory(prefix="rescompile-compare-") as scratch:
        for repeat in range(args.repeat):
            if args.repeat > 1:
                print(f"repeat {repeat + 1} of {args.repeat}", file=sys.stderr, flush=True)
            repeats.append([benchmark_model(name, args, systems, bin_dir, scratch) for name in args.models])
    machine_after = harness.machine()
    for index, repeat_results in enumerate(repeats):
        if args.repeat > 1:
            print(f"\n## Repeat {index + 1} of {args.repeat}")
        report(repeat_results, args, systems, baselines, machine_before, machine_after)
    results = repeats[-1]
    if args.repeat > 1 and len(systems) > 1:
        print(f"\n## Ratios over {args.repeat} repeats: median (min–max) of each repeat's ratio of medians, and"
              " the per-round ratios of every repeat pooled (median and quartiles)\n")
        print(repeat_table(repeats, args, systems))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine_before": machine_before, "machine_after": machine_after, "arguments": vars(args),
                       "interpreter_baseline_rss_kib": baselines, "results": results,
                       "repeats": repeats}, out, indent=1, sort_keys=True)
        print(f"\nwrote {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
