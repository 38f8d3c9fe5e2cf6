"""One peer runtime (onnxruntime or OpenVINO) holding one model, timed on request.

compare.py starts one of these per (system, thread count) as its own process, so that each system's peak
memory is its own and the driver can interleave systems chunk by chunk. The protocol is the one of
`rescompile-benchmark serve` (benchmarks/rescompile-benchmark/ServeLoop.swift), one JSON object per line:

  ready:  {"event": "ready", "compile_ms": ..., "warmup_ms": [...], "threads": N, "version": "..."}
  then for each line N on standard input:
          {"event": "chunk", "samples_ms": [... N wall times ...], "cpu_samples_ms": [... N process CPU times ...]}

`compile_ms` is what a user waits for before the first run: onnxruntime's InferenceSession creation (read,
graph optimization, kernel selection) or OpenVINO's Core.compile_model on the file (read and compile).

    python peer_worker.py onnxruntime MODEL.onnx --threads 1 --warmup 3
    python peer_worker.py openvino MODEL.onnx --threads 2 --warmup 3
    python peer_worker.py onnxruntime --imports-only      # exits after importing: the interpreter's own RSS
"""

import argparse
import json
import sys
import time

import numpy as np

SEED = 0x5EED


def seeded_inputs(specs):
    """Uniform [-1, 1) floats and zero integers, like rescompile-benchmark's seeded inputs (not the same
    values: the systems are timed, not compared)."""
    rng = np.random.default_rng(SEED)
    inputs = {}
    for name, shape, dtype in specs:
        if np.issubdtype(dtype, np.floating):
            inputs[name] = rng.uniform(-1, 1, size=shape).astype(dtype)
        else:
            inputs[name] = np.zeros(shape, dtype=dtype)
    return inputs


class OnnxRuntimePeer:
    """InferenceSession with intra_op_num_threads = N, inter_op 1, sequential execution, all graph
    optimizations, CPU execution provider."""

    def __init__(self, model, threads):
        import onnxruntime as ort

        self.version = ort.__version__
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        start = time.perf_counter()
        self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        self.compile_ms = (time.perf_counter() - start) * 1000
        type_map = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64,
                    "tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(int8)": np.int8,
                    "tensor(uint8)": np.uint8, "tensor(bool)": np.bool_}
        specs = [(i.name, [d if isinstance(d, int) else 1 for d in i.shape], type_map[i.type])
                 for i in self.session.get_inputs()]
        self.feeds = seeded_inputs(specs)

    def run(self):
        self.session.run(None, self.feeds)


class OpenVINOPeer:
    """Core.compile_model on CPU with INFERENCE_NUM_THREADS = N, the LATENCY performance hint and f32
    inference precision (OpenVINO would otherwise run bf16 on CPUs with AMX or AVX512_BF16, which is not
    the comparison we want); one infer request, inputs set once."""

    def __init__(self, model, threads):
        import openvino as ov

        self.version = ov.__version__
        core = ov.Core()
        config = {
            "INFERENCE_NUM_THREADS": threads,
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": "f32",
        }
        start = time.perf_counter()
        self.compiled = core.compile_model(model, "CPU", config)
        self.compile_ms = (time.perf_counter() - start) * 1000
        specs = []
        for port in self.compiled.inputs:
            shape = [d.get_length() if d.is_static else 1 for d in port.get_partial_shape()]
            specs.append((port.get_any_name(), shape, port.get_element_type().to_dtype()))
        self.request = self.compiled.create_infer_request()
        for (name, _, _), value in zip(specs, seeded_inputs(specs).values()):
            self.request.set_tensor(name, ov.Tensor(value))

    def run(self):
        self.request.infer()


PEERS = {"onnxruntime": OnnxRuntimePeer, "openvino": OpenVINOPeer}


def timed_runs(peer, count):
    """Wall and process CPU time (all threads) of each of `count` runs, in ms."""
    wall, cpu = [], []
    for _ in range(count):
        start = time.perf_counter()
        cpu_start = time.process_time()
        peer.run()
        cpu.append((time.process_time() - cpu_start) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("system", choices=sorted(PEERS))
    parser.add_argument("model", nargs="?")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--imports-only", action="store_true",
                        help="import the runtime and exit: the peak RSS of the interpreter and library alone")
    args = parser.parse_args()
    if args.imports_only:
        __import__(args.system)
        emit({"event": "ready"})
        return
    if args.model is None:
        parser.error("MODEL is required")
    peer = PEERS[args.system](args.model, args.threads)
    emit({"event": "ready", "compile_ms": peer.compile_ms, "warmup_ms": timed_runs(peer, args.warmup)[0],
          "threads": args.threads, "version": peer.version})
    for line in sys.stdin:
        count = int(line)
        wall, cpu = timed_runs(peer, count)
        emit({"event": "chunk", "samples_ms": wall, "cpu_samples_ms": cpu})


if __name__ == "__main__":
    main()
