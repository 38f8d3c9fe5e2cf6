import Testing

@testable import ResRuntime

/// `Runner.profile`: one timing per plan step in plan order, operation counts of the dense steps, and the
/// deterministic orders `rescompile bench --profile` prints.
@Suite struct ProfileTests {
  @Test func timesEveryStepInPlanOrder() throws {
    let plan = try SamplePlans.convolutionalClassifier().plan()
    let runner = try Runner(plan)
    let profile = try runner.profile(try SamplePlans.zeroInputs(plan), warmup: 1, iterations: 3)
    #expect(profile.iterations == 3)
    #expect(profile.runs.samples.count == 3)
    #expect(profile.steps.map(\.index) == Array(0..<plan.stepCount))
    #expect(profile.steps.map(\.kernel) == plan.kernelNames)
    #expect(profile.steps.map(\.name) == plan.summary.steps.map(\.name))
    #expect(profile.steps.allSatisfy { $0.medianMilliseconds >= 0 })
    let conv = try #require(profile.steps.first { $0.name == "conv" })
    #expect(conv.outputShape == [1, 4, 8, 8])
    // 256 outputs, each 3 channels x 3 x 3 multiply-adds.
    #expect(conv.floatingPointOperations == 2 * 256 * 27)
    let fc = try #require(profile.steps.first { $0.name == "fc" })
    #expect(fc.floatingPointOperations == 2 * 10 * 64)
    #expect(profile.steps.first { $0.name == "softmax" }?.floatingPointOperations == nil)
  }

  /// A convolution says which method computed it, and the by-kernel table keeps methods apart; kernels with
  /// one way of computing have no method.
  @Test func convolutionsNameTheirMethod() throws {
    let plan = try SamplePlans.convolutionalClassifier().plan()
    let profile = try Runner(plan).profile(try SamplePlans.zeroInputs(plan), warmup: 0, iterations: 1)
    let conv = try #require(profile.steps.first { $0.name == "conv" })
    // Three input channels, a 3×3 window: the grid method (ConvMethod.grid).
    #expect(conv.method == "grid")
    #expect(conv.kernelAndMethod == "f32_conv_nchw_generic [grid]")
    #expect(profile.kernels.contains { $0.kernel == "f32_conv_nchw_generic [grid]" })
    #expect(profile.steps.first { $0.name == "fc" }?.method == nil)
  }

  @Test func countsMatMulOperationsFromTheReductionLength() throws {
    let plan = try SamplePlans.mixedKernels().plan()
    let profile = try Runner(plan).profile(try SamplePlans.zeroInputs(plan), warmup: 0, iterations: 1)
    let matmul = try #require(profile.steps.first { $0.kernel == "f32_matmul_generic" })
    #expect(matmul.floatingPointOperations == 2 * 30 * 3)
    #expect(profile.steps.filter { $0.floatingPointOperations != nil }.count == 1)
  }

  @Test func profilingLeavesTheRunsResultsAlone() throws {
    let plan = try SamplePlans.convolutionalClassifier().plan()
    let runner = try Runner(plan)
    var generator = SeededGenerator(seed: 9)
    let inputs = ["image": try Tensor(generator.floats(3 * 64), shape: [1, 3, 8, 8])]
    let before = try runner.run(inputs)
    _ = try runner.profile(inputs, warmup: 0, iterations: 2)
    let after = try runner.run(inputs)
    #expect(before["probabilities"]?.floats == after["probabilities"]?.floats)
    #expect(before["padded"]?.floats == after["padded"]?.floats)
  }

  @Test func badInputsAreReportedNotProfiled() throws {
    let runner = try Runner(try SamplePlans.convolutionalClassifier().plan())
    #expect(throws: RuntimeError.self) { try runner.profile([:], warmup: 0, iterations: 1) }
  }

  @Test func slowestStepsAndKernelsHaveADeterministicOrder() {
    let steps = [
      timing(0, "copy", 1.0), timing(1, "f32_conv_nchw_generic", 3.0, flop: 6_000_000),
      timing(2, "copy", 3.0), timing(3, "f32_conv_nchw_generic", 1.0, flop: 4_000_000), timing(4, "unary", 2.0),
    ]
    let profile = RunProfile(iterations: 1, steps: steps, runs: TimingStatistics(milliseconds: [10]))
    #expect(profile.slowest(3).map(\.index) == [1, 2, 4], "equal times keep plan order")
    #expect(profile.slowest(0).isEmpty && profile.slowest(9).count == 5)
    #expect(profile.kernels.map(\.kernel) == ["copy", "f32_conv_nchw_generic", "unary"], "equal totals by name")
    let conv = profile.kernels[1]
    #expect(conv.stepCount == 2 && conv.milliseconds == 4)
    #expect(conv.gigaflopsPerSecond == 2.5, "10 MFLOP in 4 ms")
    #expect(profile.kernels[0].gigaflopsPerSecond == nil)
    #expect(profile.stepMilliseconds == 10)
    #expect(profile.percent(of: 2.5) == 25)
    #expect(steps[1].gigaflopsPerSecond == 2)
    let empty = RunProfile(iterations: 0, steps: [], runs: TimingStatistics(milliseconds: []))
    #expect(empty.percent(of: 1) == 0 && empty.kernels.isEmpty)
  }

  private func timing(_ index: Int, _ kernel: String, _ milliseconds: Double, flop: Int? = nil) -> StepTiming {
    StepTiming(
      index: index, name: "step\(index)", kernel: kernel, outputShape: [1], floatingPointOperations: flop,
      medianMilliseconds: milliseconds)
  }
}
