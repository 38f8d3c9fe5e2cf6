#!/usr/bin/env python3
"""Two per-step profiles of the same plan side by side: where a change (two builds, A/B) or a second thread
(1 against 2 threads) moved the time, step by step and summed by method.

Each input is the JSON of `rescompile bench PLAN --profile --format json` (or several, one per round: each
step's time is then its minimum over the rounds, which is what survives a shared machine's noise). Both sides
must profile the same plan. With --threads-scaling the second side is read as the same build on twice the
threads, and each step's loss against a perfect 2x is listed instead of the difference.

    rescompile bench m.plan --profile --threads 1 --iterations 100 --format json > a.json   # build A
    other/rescompile bench m.plan --profile --threads 1 --iterations 100 --format json > b.json
    python3 benchmarks/profile_diff.py --a a.json --b b.json
    python3 benchmarks/profile_diff.py --a one-thread.json --b two-threads.json --threads-scaling
"""

import argparse
import json


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", nargs="+", required=True, help="profile JSON(s) of side A (rounds)")
    parser.add_argument("--b", nargs="+", required=True, help="profile JSON(s) of side B (rounds)")
    parser.add_argument("--threads-scaling", action="store_true",
                        help="B is A's build on twice the threads: list each step's loss against a perfect 2x")
    parser.add_argument("--top", type=int, default=12, help="steps listed (default 12)")
    return parser.parse_args()


def load(paths):
    """The steps of every round, checked to be the same plan, and each step's minimum median over the rounds."""
    rounds = [json.load(open(path))["profile"] for path in paths]
    names = [[step["name"] for step in profile["steps"]] for profile in rounds]
    if any(other != names[0] for other in names[1:]):
        raise SystemExit("error: the profiles are not of the same plan (their steps differ)")
    steps = rounds[0]["steps"]
    times = [min(profile["steps"][index]["median_ms"] for profile in rounds) for index in range(len(steps))]
    runs = [profile["run_median_ms"] for profile in rounds]
    return steps, times, runs


def label(step):
    return step.get("method") or step["kernel"]


def main():
    args = parse_arguments()
    steps, a, a_runs = load(args.a)
    b_steps, b, b_runs = load(args.b)
    if [step["name"] for step in steps] != [step["name"] for step in b_steps]:
        raise SystemExit("error: A and B profile different plans")
    print("runs (median ms): A " + ", ".join(f"{run:.3f}" for run in a_runs)
          + "; B " + ", ".join(f"{run:.3f}" for run in b_runs))
    print(f"steps summed: A {sum(a):.3f} ms, B {sum(b):.3f} ms")
    print()
    by_method = {}
    for step, x, y in zip(steps, a, b):
        totals = by_method.setdefault(label(step), [0, 0.0, 0.0])
        totals[0] += 1
        totals[1] += x
        totals[2] += y
    print("| method | steps | A ms | B ms | B / A |")
    print("|---|---|---|---|---|")
    for method, (count, x, y) in sorted(by_method.items(), key=lambda item: -item[1][1]):
        print(f"| {method} | {count} | {x:.3f} | {y:.3f} | {y / x if x else float('nan'):.2f} |")
    print()
    if args.threads_scaling:
        rows = [(y - x / 2, step, x, y) for step, x, y in zip(steps, a, b)]
        print(f"lost against a perfect 2x: {sum(row[0] for row in rows):.3f} ms; largest:")
    else:
        rows = [(y - x, step, x, y) for step, x, y in zip(steps, a, b)]
        rows.sort(key=lambda row: abs(row[0]), reverse=True)
        print("largest differences (B - A):")
    if args.threads_scaling:
        rows.sort(key=lambda row: row[0], reverse=True)
    for delta, step, x, y in rows[:args.top]:
        print(f"  {delta:+.3f} ms  {step['index']:4d} {step['name'][:48]:48s} {label(step)[:32]:32s} {x:.3f} -> {y:.3f}")


if __name__ == "__main__":
    main()
