/// Where the time of a run goes, step by step: what `Runner.profile` measures and `rescompile bench --profile`
/// prints. Every step's time is the median over the profiled runs, so one slow run (another process taking the
/// core) does not move it.
public struct RunProfile: Sendable {
  /// Profiled runs (after the warm-up runs).
  public let iterations: Int
  /// Every step in plan order, steps with nothing to compute included (at zero).
  public let steps: [StepTiming]
  /// Whole runs on the profiling path, the clock reads around every step included.
  public let runs: TimingStatistics

  public init(iterations: Int, steps: [StepTiming], runs: TimingStatistics) {
    self.iterations = iterations
    self.steps = steps
    self.runs = runs
  }

  /// The sum of the steps' medians: what the percentages are shares of, so they add up to 100.
  public var stepMilliseconds: Double {
    steps.reduce(0) { $0 + $1.medianMilliseconds }
  }

  /// The share of `stepMilliseconds` that `milliseconds` is, in percent (0 for an empty profile).
  public func percent(of milliseconds: Double) -> Double {
    let total = stepMilliseconds
    return total > 0 ? 100 * milliseconds / total : 0
  }

  /// The `count` slowest steps, slowest first; steps of equal time in plan order.
  public func slowest(_ count: Int) -> [StepTiming] {
    let ranked = steps.sorted { left, right in
      left.medianMilliseconds != right.medianMilliseconds
        ? left.medianMilliseconds > right.medianMilliseconds : left.index < right.index
    }
    return Array(ranked.prefix(max(count, 0)))
  }

  /// The steps grouped by kernel and method (`f32_conv_nchw_generic [Winograd F(4x4,3x3)]`), the group with
  /// the most time first; groups of equal time by name.
  public var kernels: [KernelTiming] {
    var groups: [String: KernelTiming] = [:]
    for step in steps {
      groups[step.kernelAndMethod, default: KernelTiming(kernel: step.kernelAndMethod)].add(step)
    }
    return groups.values.sorted { left, right in
      left.milliseconds != right.milliseconds ? left.milliseconds > right.milliseconds : left.kernel < right.kernel
    }
  }
}

/// One plan step's share of a profiled run.
public struct StepTiming: Sendable, Hashable {
  /// The step's position in the plan.
  public let index: Int
  public let name: String
  public let kernel: String
  /// How the kernel computes this step when it has several ways (a convolution's method: `direct`,
  /// `Winograd F(4x4,3x3)`, `pointwise GEMM`, ...); nil when it has one.
  public let method: String?
  /// The shape of the step's first output (empty for a scalar or a step without outputs).
  public let outputShape: [Int]
  /// Floating-point operations of one run of the step (a multiply–add counts two), where the kernel's count is
  /// known (convolution, Gemm, MatMul); nil otherwise.
  public let floatingPointOperations: Int?
  public let medianMilliseconds: Double

  public init(
    index: Int, name: String, kernel: String, method: String? = nil, outputShape: [Int],
    floatingPointOperations: Int?, medianMilliseconds: Double
  ) {
    self.index = index
    self.name = name
    self.kernel = kernel
    self.method = method
    self.outputShape = outputShape
    self.floatingPointOperations = floatingPointOperations
    self.medianMilliseconds = medianMilliseconds
  }

  /// The kernel, with the method in brackets when there is one.
  public var kernelAndMethod: String {
    method.map { "\(kernel) [\($0)]" } ?? kernel
  }

  /// Achieved GFLOP/s, where the operation count is known and the step took measurable time.
  public var gigaflopsPerSecond: Double? {
    guard let floatingPointOperations, medianMilliseconds > 0 else { return nil }
    return Double(floatingPointOperations) / (medianMilliseconds * 1e6)
  }
}

/// The steps of one kernel (and method) taken together.
public struct KernelTiming: Sendable, Hashable {
  /// The kernel, with the method in brackets when its steps have one (`StepTiming.kernelAndMethod`).
  public let kernel: String
  public private(set) var stepCount = 0
  public private(set) var milliseconds = 0.0
  /// Operations and time of the steps whose operation count is known, for the kernel's GFLOP/s.
  public private(set) var countedOperations = 0
  public private(set) var countedMilliseconds = 0.0

  init(kernel: String) {
    self.kernel = kernel
  }

  mutating func add(_ step: StepTiming) {
    stepCount += 1
    milliseconds += step.medianMilliseconds
    if let operations = step.floatingPointOperations {
      let (sum, overflow) = countedOperations.addingReportingOverflow(operations)
      countedOperations = overflow ? Int.max : sum
      countedMilliseconds += step.medianMilliseconds
    }
  }

  /// Achieved GFLOP/s over the steps whose operation count is known; nil when there are none.
  public var gigaflopsPerSecond: Double? {
    guard countedOperations > 0, countedMilliseconds > 0 else { return nil }
    return Double(countedOperations) / (countedMilliseconds * 1e6)
  }
}
