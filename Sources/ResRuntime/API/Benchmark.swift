/// Times a runner the way `rescompile bench` does: untimed warm-up runs (first-touch page faults, caches,
/// thread start-up), then timed runs. Outputs go to buffers allocated once, so a timing is the plan's work, not
/// the allocation of its outputs.
public struct Benchmark: Sendable {
  public var warmup: Int
  public var iterations: Int

  public init(warmup: Int, iterations: Int) {
    self.warmup = warmup
    self.iterations = iterations
  }

  /// Runs `runner` on `inputs` `warmup` times, then `iterations` times under the clock.
  public func measure(_ runner: Runner, inputs: [String: Tensor]) throws(RuntimeError) -> TimingStatistics {
    let outputs = try OutputBuffers(runner.plan.outputs)
    defer { outputs.deallocate() }
    for _ in 0..<max(warmup, 0) {
      try runner.run(inputs, into: outputs.byName)
    }
    let clock = ContinuousClock()
    var samples: [Double] = []
    samples.reserveCapacity(max(iterations, 0))
    for _ in 0..<max(iterations, 0) {
      let start = clock.now
      try runner.run(inputs, into: outputs.byName)
      samples.append(Benchmark.milliseconds(clock.now - start))
    }
    return TimingStatistics(milliseconds: samples)
  }

  /// A duration in milliseconds, as a `Double` rounded to the nanosecond (what clocks resolve), so that JSON
  /// shows `2616.612836`, not `2616.6128360000002`.
  public static func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return TimingStatistics.nanosecondPrecision(Double(seconds) * 1000 + Double(attoseconds) / 1e15)
  }
}

/// One aligned buffer per plan output, owned by the benchmark for all its runs.
private struct OutputBuffers {
  let byName: [String: UnsafeMutableRawBufferPointer]

  init(_ outputs: [TensorDescription]) throws(RuntimeError) {
    // Every size is checked before anything is allocated, so an error leaks nothing.
    let sizes = try outputs.map { (output) throws(RuntimeError) -> Int in
      let (bytes, overflow) = try Tensor.elementCount(output.shape).multipliedReportingOverflow(
        by: output.elementType.byteWidth)
      guard !overflow else { throw RuntimeError(.resources, "output \(MessageText.quoted(output.name)) is too large") }
      return bytes
    }
    var buffers: [String: UnsafeMutableRawBufferPointer] = [:]
    for (output, size) in zip(outputs, sizes) {
      buffers[output.name] = .allocate(byteCount: size, alignment: 64)
    }
    byName = buffers
  }

  func deallocate() {
    for buffer in byName.values { buffer.deallocate() }
  }
}
