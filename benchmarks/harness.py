"""What compare.py and layers.py share: building rescompile for speed, worker processes that time on request
and report their own peak memory, order statistics, and a description of the machine.

Peak memory is each process's own peak resident set size, `ru_maxrss` from `os.wait4(pid)` on that child
(Linux reports KiB): RUSAGE_CHILDREN would mix every child the driver ever waited for.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable


# MARK: - Building


def release_flags(target_cpu):
    """`swift build` flags of the fast build. `-Xswiftc -target-cpu -Xswiftc native` lets swiftc use AVX2 and
    FMA (README, DESIGN.md §7); without it x86-64 Swift targets SSE2 and `addingProduct` is a libm call per
    lane. `target_cpu` None builds the baseline, to measure exactly that."""
    flags = ["-c", "release"]
    if target_cpu:
        flags += ["-Xswiftc", "-target-cpu", "-Xswiftc", target_cpu]
    return flags


def build(products, target_cpu="native"):
    """Builds the products in release mode; returns the folder holding the executables."""
    flags = release_flags(target_cpu)
    for product in products:
        print(f"building {product}: swift build {' '.join(flags)} --product {product}", file=sys.stderr, flush=True)
        subprocess.run(["swift", "build", *flags, "--product", product], cwd=REPO, check=True,
                       stdout=sys.stderr)
    return subprocess.run(["swift", "build", *flags, "--show-bin-path"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip()


# The source folders each product is built from (Package.swift's targets and their dependencies): a change to
# the compiler leaves `rescompile-benchmark`, which links only the runtime, up to date.
PRODUCT_SOURCES = {
    "rescompile": ["Sources"],
    "rescompile-benchmark": ["Sources/ResRuntime", "Sources/ResKernels", "Sources/ResCPU", "Sources/ResPlan",
                             "benchmarks/rescompile-benchmark"],
}


def newer_sources(executables):
    """The Swift and C sources (and Package.swift) each of `executables` is built from (`PRODUCT_SOURCES`, by file
    name; the whole of Sources and benchmarks for another) modified after that executable, newest first: a
    `--bin-dir` build older than the code measures code that is no longer there. (The 2026-12-02 19:00 session
    compared a rescompile built minutes before a change to the compiler's in-place rule against onnxruntime, and
    read a ResNet-50 regression of 8 % into a plan the current code no longer emits.)"""
    newer = set()
    package = os.path.join(REPO, "Package.swift")
    for executable in executables:
        built = os.path.getmtime(executable)
        folders = PRODUCT_SOURCES.get(os.path.basename(executable), ["Sources", "benchmarks"])
        for folder in folders:
            for root, _, files in os.walk(os.path.join(REPO, folder)):
                for name in files:
                    path = os.path.join(root, name)
                    if name.endswith((".swift", ".c", ".h")) and os.path.getmtime(path) > built:
                        newer.add(path)
        if os.path.getmtime(package) > built:
            newer.add(package)
    return sorted(newer, key=os.path.getmtime, reverse=True)


def check_fresh(bin_dir, products, allow_stale):
    """Exits with one `error:` line when a source is newer than a prebuilt product in `bin_dir`, unless
    `allow_stale` (then it only warns)."""
    executables = [os.path.join(bin_dir, product) for product in products]
    missing = [path for path in executables if not os.path.isfile(path)]
    if missing:
        sys.exit(f"error: {missing[0]} does not exist: build it, or leave out --bin-dir to let the script build")
    newer = newer_sources(executables)
    if not newer:
        return
    message = (f"{len(newer)} source file(s) changed after the executables in {bin_dir} were built, newest "
               f"{os.path.relpath(newer[0], REPO)}: rebuild them (or leave out --bin-dir)")
    if not allow_stale:
        sys.exit(f"error: {message}, or pass --allow-stale-binaries to measure them anyway")
    print(f"WARNING: {message}", file=sys.stderr)


# MARK: - Processes


class WorkerError(RuntimeError):
    pass


class Worker:
    """A child process speaking the serve protocol (benchmarks/rescompile-benchmark/ServeLoop.swift): one JSON
    ready line after loading and warming up, then one JSON line of run times per request line."""

    def __init__(self, label, argv):
        self.label = label
        self.argv = argv
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                        text=True, bufsize=1)
        self.times = []
        self.cpu_times = []
        self.peak_rss_kib = None
        self.ready = self._read("ready")

    def _read(self, expected):
        line = self.process.stdout.readline()
        if not line:
            self.close()
            raise WorkerError(f"{self.label}: exited before '{expected}': {self.error_text()}")
        message = json.loads(line)
        if message.get("event") != expected:
            raise WorkerError(f"{self.label}: expected '{expected}', got {line.strip()}")
        return message

    def run_chunk(self, count):
        """Times `count` runs in the child; returns their wall times in ms (kept in `times`, and their process
        CPU times in `cpu_times`)."""
        try:
            self.process.stdin.write(f"{count}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            self.close()
            raise WorkerError(f"{self.label}: exited: {self.error_text()}")
        chunk = self._read("chunk")
        self.times.extend(chunk["samples_ms"])
        self.cpu_times.extend(chunk["cpu_samples_ms"])
        return chunk["samples_ms"]

    def cpu_ns(self):
        """CPU time all the child's threads have run, in ns (/proc/PID/task/*/schedstat; None off Linux)."""
        total = 0
        try:
            tasks = os.listdir(f"/proc/{self.process.pid}/task")
        except OSError:
            return None
        for task in tasks:
            try:
                with open(f"/proc/{self.process.pid}/task/{task}/schedstat") as stat:
                    total += int(stat.read().split()[0])
            except (OSError, ValueError, IndexError):
                continue
        return total

    def wait_until_quiet(self, limit_s=0.5, poll_s=0.002, window_s=0.012):
        """Returns once the child's threads have stopped running (under a tenth of a core over the last
        `window_s`), or after `limit_s`. onnxruntime's pool spins for about 30-50 ms after a run and OpenVINO's
        for a while too: the next system's chunk would otherwise share its cores with that spinning, which at 2
        threads took rescompile's MobileNetV2 median from 2.8 to 4.7 ms while onnxruntime's stayed put.

        The window is longer than a scheduler tick: /proc's schedstat of a thread that spins without a context
        switch only advances at the 4 ms tick, so a single 2 ms poll read 0 from a spinning pool every other
        time and let the next chunk start beside it (onnxruntime then ran 20 ms of CPU during rescompile's
        20 ms chunk)."""
        deadline = time.perf_counter() + limit_s
        start = time.perf_counter()
        history = [(start, self.cpu_ns())]
        while history[-1][1] is not None and time.perf_counter() < deadline:
            time.sleep(poll_s)
            now, current = time.perf_counter(), self.cpu_ns()
            if current is None:
                return
            history.append((now, current))
            while len(history) > 1 and now - history[1][0] >= window_s:
                history.pop(0)
            span = now - history[0][0]
            if span >= window_s and current - history[0][1] < span * 1e9 / 10:
                return

    def close(self):
        """Ends the child (end of input) and collects its own peak RSS; returns the exit status."""
        if self.peak_rss_kib is not None:
            return self.process.returncode
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        _, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.peak_rss_kib = usage.ru_maxrss
        return self.process.returncode

    def error_text(self):
        self.stderr.seek(0)
        text = self.stderr.read().strip()
        return text.splitlines()[-1] if text else f"status {self.process.returncode}"

    def notes(self):
        """Lines the child wrote to standard error (the runtime's ISA note, for one)."""
        self.stderr.seek(0)
        return [line for line in self.stderr.read().splitlines() if line.strip()]


def run_measured(argv):
    """Runs a command to completion; returns (wall seconds, peak RSS KiB, exit status, stdout, stderr)."""
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss, process.returncode, out.read(), err.read()


def interleave(workers, runs, chunk):
    """Round-robin chunks of `chunk` runs until every worker has `runs`, rotating who goes first each round,
    so slow patches of a shared machine fall on every system alike; after each chunk the worker is left to go
    quiet (`Worker.wait_until_quiet`), so that no system is timed beside another's idle spinning threads.
    Workers that fail are dropped (their error is recorded in `failed`)."""
    active = list(workers)
    round_index = 0
    while active:
        order = active[round_index % len(active):] + active[:round_index % len(active)]
        for worker in order:
            try:
                worker.run_chunk(min(chunk, runs - len(worker.times)))
                worker.wait_until_quiet()
            except WorkerError as error:
                worker.failed = str(error)
                active.remove(worker)
                continue
            if len(worker.times) >= runs:
                active.remove(worker)
        round_index += 1


# MARK: - Statistics


def quantile(sorted_values, q):
    position = q * (len(sorted_values) - 1)
    below = int(position)
    above = min(below + 1, len(sorted_values) - 1)
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * (position - below)


def summarize(values):
    """Median, quartiles (numpy's linear interpolation), min, max and count; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return {"median": quantile(ordered, 0.5), "q1": quantile(ordered, 0.25), "q3": quantile(ordered, 0.75),
            "min": ordered[0], "max": ordered[-1], "count": len(ordered)}


# MARK: - The machine


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def machine():
    """What the numbers were measured on: they only mean something next to this."""
    model = platform.processor()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    flags = cpu_flags()
    vector = [name for name in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if name in flags]
    return {"cpu": model, "cpus": os.cpu_count(), "vector_features": vector, "load_average": os.getloadavg(),
            "python": platform.python_version()}


def expected_isa():
    """The `build_isa` a build with `-target-cpu native` should report on this CPU."""
    flags = cpu_flags()
    if "avx512f" in flags:
        return "avx512"
    if "avx2" in flags and "fma" in flags:
        return "avx2"
    return None
