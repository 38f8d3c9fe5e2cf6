#!/usr/bin/env python3
"""A/B of one plan, step by step, as paired ratios: side A and side B run in alternation, a short profiled run
each per round, and each round's B / A ratio (of the whole run and of every step) is taken before any
statistic. The median and quartiles of those ratios are what this prints.

Why pairs and not minima. On the shared 2-core guests the whole machine slows down and speeds up in phases of
seconds to minutes (one plan's run median moved 57 → 106 ms between rounds). A step's minimum over rounds
then mostly says which side happened to run in a fast phase: on 2026-12-06 a partition change on two ResNet
bottleneck blocks at 14x14 (two threads) looked 27 % faster by the sums of its step minima over 12 rounds,
and was 2 % slower by the paired ratios (quartiles 1.00–1.04). A pair runs within a second, inside one phase,
so its ratio cancels the phase; the quartiles say how well.

A side is a `rescompile` executable, the plan, the thread count, and environment variables (a throwaway
`getenv` knob in a build under test): B defaults to A's plan and threads, so the usual uses are

    # two builds of the same source tree, one thread
    benchmarks/ab_steps.py m.resplan --a /tmp/rescompile.before --b .build/release/rescompile
    # a knob read with getenv in one build
    benchmarks/ab_steps.py m.resplan --a .build/release/rescompile --b-env RC_KNOB=1 --threads 2
    # two threads against one (a ratio of 0.5 is a perfect split)
    benchmarks/ab_steps.py m.resplan --a .build/release/rescompile --threads 1 --b-threads 2
    # two plans of one model (compiled with different options): whole runs only unless their steps match
    benchmarks/ab_steps.py a.resplan --b-plan b.resplan --a .build/release/rescompile

Needs only Python 3 and the executables (no onnxruntime).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", help="the plan side A runs (and B, unless --b-plan)")
    parser.add_argument("--a", required=True, help="side A's rescompile executable")
    parser.add_argument("--b", help="side B's rescompile executable (default: A's)")
    parser.add_argument("--b-plan", help="side B's plan (default: the same plan)")
    parser.add_argument("--threads", type=int, default=1, help="side A's threads (default 1)")
    parser.add_argument("--b-threads", type=int, help="side B's threads (default: A's)")
    parser.add_argument("--a-env", action="append", default=[], metavar="KEY=VALUE",
                        help="an environment variable for side A only (repeatable)")
    parser.add_argument("--b-env", action="append", default=[], metavar="KEY=VALUE",
                        help="an environment variable for side B only (repeatable)")
    parser.add_argument("--rounds", type=int, default=20, help="pairs of runs (default 20)")
    parser.add_argument("--iterations", type=int, default=30, help="profiled runs per side and round (default 30)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs before each side's (default 2)")
    parser.add_argument("--top", type=int, default=15, help="steps listed, those B changed most (default 15)")
    parser.add_argument("--json", help="write every round's step medians and the ratios here")
    return parser.parse_args()


def environment(assignments):
    """The current environment plus `KEY=VALUE` assignments; an `error:` line for a malformed one."""
    env = dict(os.environ)
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        if not separator or not key:
            raise SystemExit(f"error: --a-env/--b-env takes KEY=VALUE, got {assignment!r}")
        env[key] = value
    return env


class Side:
    """One side of the comparison: what it runs, and every round's profile."""

    def __init__(self, name, executable, plan, threads, env):
        self.name = name
        self.executable = executable
        self.plan = plan
        self.threads = threads
        self.env = env
        self.rounds = []

    def describe(self):
        return f"{self.name}: {self.executable} {self.plan}, {self.threads} thread(s)"

    def run(self, iterations, warmup):
        argv = [self.executable, "bench", self.plan, "--threads", str(self.threads), "--iterations",
                str(iterations), "--warmup", str(warmup), "--profile", "--format", "json"]
        try:
            result = subprocess.run(argv, capture_output=True, text=True, env=self.env)
        except OSError as problem:
            raise SystemExit(f"error: side {self.name}: cannot run {self.executable}: {problem.strerror}")
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            message = lines[-1].removeprefix("error: ") if lines else f"exit status {result.returncode}"
            raise SystemExit(f"error: side {self.name}: {message}")
        try:
            profile = json.loads(result.stdout)["profile"]
        except (ValueError, KeyError):
            raise SystemExit(f"error: side {self.name}: {self.executable} printed no profile (not a rescompile?)")
        self.rounds.append(profile)
        return profile


def quartiles(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 4], statistics.median(ordered), ordered[(3 * len(ordered)) // 4]


def describe_ratios(values):
    low, middle, high = quartiles(values)
    return f"{middle:.3f} ({low:.3f}–{high:.3f})"


def label(step):
    return step.get("method") or step["kernel"]


def main():
    args = parse_arguments()
    if args.rounds < 1 or args.iterations < 1 or args.warmup < 0:
        raise SystemExit("error: --rounds and --iterations must be at least 1, --warmup at least 0")
    a = Side("A", args.a, args.plan, args.threads, environment(args.a_env))
    b = Side("B", args.b or args.a, args.b_plan or args.plan, args.b_threads or args.threads,
             environment(args.b_env))
    print(a.describe() + (f"; env {' '.join(args.a_env)}" if args.a_env else ""))
    print(b.describe() + (f"; env {' '.join(args.b_env)}" if args.b_env else ""))
    for round_index in range(args.rounds):
        # The side that goes first alternates, so neither always follows the other's cache state.
        for side in (a, b) if round_index % 2 == 0 else (b, a):
            side.run(args.iterations, args.warmup)
        print(f"\rround {round_index + 1}/{args.rounds}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    run_ratios = [y["run_median_ms"] / x["run_median_ms"] for x, y in zip(a.rounds, b.rounds)]
    print()
    print(f"{args.rounds} pairs of {args.iterations} profiled runs; B / A, median (quartiles) of the pairs' ratios")
    print(f"whole run: {describe_ratios(run_ratios)}   "
          f"(A {statistics.median(r['run_median_ms'] for r in a.rounds):.3f} ms, "
          f"B {statistics.median(r['run_median_ms'] for r in b.rounds):.3f} ms, medians of the rounds)")
    names = [step["name"] for step in a.rounds[0]["steps"]]
    if names != [step["name"] for step in b.rounds[0]["steps"]]:
        print("the two plans' steps differ: whole runs only")
        write_json(args, a, b, run_ratios, None)
        return

    steps = a.rounds[0]["steps"]
    step_ratios = [[y["steps"][index]["median_ms"] / max(x["steps"][index]["median_ms"], 1e-9)
                    for x, y in zip(a.rounds, b.rounds)] for index in range(len(steps))]
    print_by_method(steps, a, b)
    print()
    a_medians = [statistics.median(r["steps"][index]["median_ms"] for r in a.rounds) for index in range(len(steps))]
    order = sorted(range(len(steps)), key=lambda index: abs(statistics.median(step_ratios[index]) - 1)
                   * a_medians[index], reverse=True)
    print(f"steps B changed most (by ratio × A's time), of {len(steps)}:")
    for index in order[:args.top]:
        step = steps[index]
        print(f"  {index:4d} {step['name'][-48:]:48s} {label(step)[:30]:30s} A {a_medians[index]:.3f} ms  "
              f"B / A {describe_ratios(step_ratios[index])}")
    write_json(args, a, b, run_ratios, step_ratios)


def print_by_method(steps, a, b):
    """Each method's summed step medians, paired round by round."""
    methods = sorted({label(step) for step in steps})
    rows = []
    for method in methods:
        indices = [index for index, step in enumerate(steps) if label(step) == method]
        sums = [(sum(x["steps"][i]["median_ms"] for i in indices), sum(y["steps"][i]["median_ms"] for i in indices))
                for x, y in zip(a.rounds, b.rounds)]
        ratios = [y / x for x, y in sums if x > 0]
        rows.append((statistics.median(x for x, _ in sums), method, len(indices), ratios))
    print()
    print("| method | steps | A ms (median) | B / A |")
    print("|---|---|---|---|")
    for a_ms, method, count, ratios in sorted(rows, reverse=True):
        print(f"| {method} | {count} | {a_ms:.3f} | {describe_ratios(ratios) if ratios else '-'} |")


def write_json(args, a, b, run_ratios, step_ratios):
    if not args.json:
        return
    record = {
        "arguments": vars(args),
        "run_ratios": run_ratios,
        "step_ratios": step_ratios,
        "a_rounds": [[step["median_ms"] for step in r["steps"]] for r in a.rounds],
        "b_rounds": [[step["median_ms"] for step in r["steps"]] for r in b.rounds],
        "steps": [step["name"] for step in a.rounds[0]["steps"]],
    }
    with open(args.json, "w") as handle:
        json.dump(record, handle, indent=1)


if __name__ == "__main__":
    main()
