import Foundation
import ResRuntime

/// A loaded plan with everything one timed run needs prepared up front: a runner, seeded inputs and output
/// buffers allocated once, so a timed run is `Runner.run(_:into:)` and nothing else (no allocation, no
/// zero-filling of fresh output arrays).
final class PlanTimer {
  let runner: Runner
  /// Wall time of `Plan(contentsOf:)`: map, check, validate, build the operators (prepacking weights).
  let loadMilliseconds: Double
  /// Wall time of `Runner(_:threads:)`: arena and scratch allocation, worker threads.
  let runnerMilliseconds: Double
  private let inputs: SeededInputs
  private let outputs: [String: UnsafeMutableRawBufferPointer]

  init(path: String, threads: Int) throws(RuntimeError) {
    let clock = ContinuousClock()
    let loadStart = clock.now
    let plan = try Plan(contentsOf: path)
    let runnerStart = clock.now
    runner = try Runner(plan, threads: threads)
    let ready = clock.now
    loadMilliseconds = PlanTimer.milliseconds(runnerStart - loadStart)
    runnerMilliseconds = PlanTimer.milliseconds(ready - runnerStart)
    inputs = try SeededInputs(for: plan.inputs)
    var outputs: [String: UnsafeMutableRawBufferPointer] = [:]
    for description in plan.outputs {
      let bytes = description.shape.reduce(1, *) * description.elementType.byteWidth
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
      buffer.initializeMemory(as: UInt8.self, repeating: 0)
      outputs[description.name] = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes])
    }
    self.outputs = outputs
  }

  deinit {
    for buffer in outputs.values { buffer.deallocate() }
  }

  /// Runs the plan `count` times and returns each run's wall time and process CPU time in milliseconds.
  func time(runs count: Int) throws(RuntimeError) -> RunSamples {
    let clock = ContinuousClock()
    var samples = RunSamples()
    samples.wall.reserveCapacity(count)
    samples.cpu.reserveCapacity(count)
    for _ in 0..<count {
      let start = clock.now
      let cpuStart = ProcessCPUClock.milliseconds()
      try runner.run(inputs.tensors, into: outputs)
      samples.cpu.append(ProcessCPUClock.milliseconds() - cpuStart)
      samples.wall.append(PlanTimer.milliseconds(clock.now - start))
    }
    return samples
  }

  static func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) * 1e-15
  }
}

/// The times of a series of runs, in run order: wall time, and the process's CPU time (`ProcessCPUClock`).
struct RunSamples: Equatable {
  var wall: [Double] = []
  var cpu: [Double] = []
}
