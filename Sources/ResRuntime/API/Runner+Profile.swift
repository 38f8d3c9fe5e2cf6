extension Runner {
  /// Runs the plan `warmup` times untimed, then `iterations` times reading the clock around every step, and
  /// returns each step's median time (`rescompile bench --profile`). Outputs are computed and dropped.
  ///
  /// The clock reads live only here: `run` keeps its plain step loop, so profiling costs nothing when it is
  /// not asked for. A step's time includes waiting for its workers, so with several threads it is the step's
  /// wall time.
  public func profile(_ inputs: [String: Tensor], warmup: Int, iterations: Int) throws(RuntimeError) -> RunProfile {
    let ordered = try orderedInputs(inputs)
    let dropped = [UnsafeMutableRawBufferPointer?](repeating: nil, count: plan.outputs.count)
    for _ in 0..<max(warmup, 0) {
      try execute(ordered, dropped)
    }
    let steps = plan.program.steps
    let clock = ContinuousClock()
    var samples = [[Double]](repeating: [], count: steps.count)
    var runSamples: [Double] = []
    for _ in 0..<max(iterations, 0) {
      let runStart = clock.now
      try execute(ordered, dropped) { (context) throws(RuntimeError) in
        for (position, step) in steps.enumerated() where step.hasWork {
          let start = clock.now
          try step.operation.run(context)
          samples[position].append(Benchmark.milliseconds(clock.now - start))
        }
      }
      runSamples.append(Benchmark.milliseconds(clock.now - runStart))
    }
    let timings = zip(steps, samples).map { step, stepSamples in
      StepTiming(
        index: step.site.index, name: step.site.name, kernel: step.site.kernel, method: step.operation.methodLabel,
        outputShape: step.outputs.first?.shape ?? [],
        floatingPointOperations: StepOperationCount.of(kernel: step.kernel, inputs: step.inputs, outputs: step.outputs),
        medianMilliseconds: TimingStatistics(milliseconds: stepSamples).median)
    }
    return RunProfile(iterations: max(iterations, 0), steps: timings, runs: TimingStatistics(milliseconds: runSamples))
  }
}
