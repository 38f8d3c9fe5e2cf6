#!/usr/bin/env python3
"""Which hot functions of a plan's run move vectors through the stack: register spills, or SIMD values passed
between functions the compiler did not inline.

Records `rescompile bench PLAN` under `perf record`, then, for each function with at least --threshold percent
of the samples, annotates it and sums the samples that land on instructions moving an xmm/ymm/zmm register to or
from the stack (`(%rsp)`). A kernel at the FMA peak has almost none; a large share means the compiler ran out of
vector registers (twelve 16-float sums are 24 of AVX2's 16 ymm registers) or passed a `SIMD16<Float>` in 128-bit
pieces through memory to a helper it left out of line (the Winograd output transform did, 13 % of ResNet-50's
Winograd time). Both are invisible in a profile by function and cheap to fix once seen.

Needs Linux `perf` and an x86-64 build; the product never needs it.

    python3 benchmarks/register_spills.py /tmp/mobilenetv2.resplan
    python3 benchmarks/register_spills.py /tmp/m.resplan --rescompile /work/.build-avx2/release/rescompile
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

STACK_VECTOR_MOVE = re.compile(r"[xyz]mm\d+.*\(%rsp\)|\(%rsp\).*[xyz]mm\d+")
REPORT_LINE = re.compile(r"^\s*([\d.]+)%\s+\S+\s+\S+\s+\[\.\]\s+(\S+)")
ANNOTATED_LINE = re.compile(r"^\s*([\d.]+)\s+:\s+[0-9a-f]+:\s+(.*)$")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", help="a compiled plan (.resplan)")
    parser.add_argument("--rescompile", default=".build/release/rescompile", help="the build to examine")
    parser.add_argument("--threads", type=int, default=1, help="threads of the bench run (default 1)")
    parser.add_argument("--iterations", type=int, default=60, help="bench iterations (default 60)")
    parser.add_argument("--threshold", type=float, default=0.5,
                        help="smallest share of all samples, in percent, a function needs to be examined")
    return parser.parse_args()


def demangled(symbol):
    try:
        result = subprocess.run(["swift", "demangle", "--simplified", symbol], capture_output=True, text=True)
        # `swift demangle SYMBOL` prints `SYMBOL ---> demangled`.
        return result.stdout.strip().split(" ---> ")[-1] or symbol
    except OSError:
        return symbol


def hot_functions(data, threshold):
    report = subprocess.run(
        ["perf", "report", "-i", data, "--no-children", "--stdio", "--percent-limit", str(threshold)],
        capture_output=True, text=True, check=True).stdout
    for line in report.splitlines():
        match = REPORT_LINE.match(line)
        if match:
            yield float(match.group(1)), match.group(2)


def stack_share(data, symbol):
    """Percent of the function's own samples on vector moves to or from the stack."""
    annotated = subprocess.run(
        ["perf", "annotate", "-i", data, "--stdio", "-s", symbol], capture_output=True, text=True).stdout
    total = 0.0
    for line in annotated.splitlines():
        match = ANNOTATED_LINE.match(line)
        if match and STACK_VECTOR_MOVE.search(match.group(2)):
            total += float(match.group(1))
    return total


def main():
    arguments = parse_arguments()
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "perf.data")
        subprocess.run(
            ["perf", "record", "-q", "-o", data, arguments.rescompile, "bench", arguments.plan,
             "--threads", str(arguments.threads), "--iterations", str(arguments.iterations)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        print(f"{'% of run':>8}  {'% on stack moves':>16}  function")
        for share, symbol in hot_functions(data, arguments.threshold):
            print(f"{share:8.2f}  {stack_share(data, symbol):16.2f}  {demangled(symbol)[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
