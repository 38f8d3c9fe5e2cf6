import ResKernels
import ResPlan

/// `unary`: `Y = f(X)` elementwise on a float type. f32 runs the 16-lane `PointwiseFunction` microkernel over
/// contiguous chunks (split over workers on 16-element boundaries); f16 goes through the same vector form 16
/// values at a time; f64 uses the double-precision definitions.
struct UnaryOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  let function: PointwiseFunction
  let precision: FloatPrecision

  /// The float types a unary step takes.
  enum FloatPrecision {
    case single, half, double
  }

  init(_ params: Rescompile_Plan_UnaryParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = try operands.input(0, "X", [.f32, .f64, .f16])
    y = operands.outputs[0]
    try operands.requireSameType(y, "Y", as: x)
    try operands.requireShape(y, "Y", x.shape)
    function = try UnaryOperator.function(params, operands)
    precision = x.elementType == .f16 ? .half : x.elementType == .f64 ? .double : .single
  }

  static func function(_ params: Rescompile_Plan_UnaryParams, _ operands: StepOperands) throws(RuntimeError)
    -> PointwiseFunction
  {
    switch params.kind {
    case .identity: return .identity
    case .relu: return .relu
    case .sigmoid: return .sigmoid
    case .tanh: return .tanh
    case .erf: return .erf
    case .sqrt: return .sqrt
    case .hardSwish: return .hardSwish
    case .leakyRelu: return .leakyRelu(alpha: params.alpha)
    case .hardSigmoid: return .hardSigmoid(alpha: params.alpha, beta: params.beta)
    case .gelu: return .gelu
    case .geluTanh: return .geluTanh
    case .clip: return .clip(min: params.alpha, max: params.beta)
    case .abs: return .abs
    case .neg: return .neg
    case .exp: return .exp
    case .log: return .log
    case .ceil: return .ceil
    case .floor: return .floor
    case .round: return .round
    case .reciprocal: return .reciprocal
    case .sin: return .sin
    case .cos: return .cos
    case .softplus: return .softplus
    case .elu: return .elu(alpha: params.alpha)
    case .mish: return .mish
    case .UNRECOGNIZED(let raw): throw operands.failure("unary kind \(raw) is unknown to this runtime")
    }
  }

  func run(_ context: RunContext) {
    let count = x.count
    let workers = context.workers(elements: count, tasks: count / 16)
    let ranges = RunContext.ranges(of: count, parts: RunContext.streamingPieces(workers: workers), granule: 16)
    let function = function
    switch precision {
    case .single:
      let input = UnsafePointer(context.floats(x))
      let output = context.floats(y)
      context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
        let range = ranges[task]
        function.apply(input + range.lowerBound, output + range.lowerBound, count: range.count)
      }
    case .half:
      let input = UnsafeRawPointer(context.raw(x))
      let output = context.raw(y)
      context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
        UnaryOperator.applyHalf(function, input, output, ranges[task])
      }
    case .double:
      let input = UnsafeRawPointer(context.raw(x)).assumingMemoryBound(to: Double.self)
      let output = context.raw(y).assumingMemoryBound(to: Double.self)
      context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
        let range = ranges[task]
        function.apply(doubles: input + range.lowerBound, output + range.lowerBound, count: range.count)
      }
    }
  }

  private static func applyHalf(
    _ function: PointwiseFunction, _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, _ range: Range<Int>
  ) {
    var start = range.lowerBound
    while start + 16 <= range.upperBound {
      let values = HalfPrecision.floats(fromBits: input.loadUnaligned(fromByteOffset: start * 2, as: SIMD16<UInt16>.self))
      output.storeBytes(of: HalfPrecision.bits(from: function(values)), toByteOffset: start * 2, as: SIMD16<UInt16>.self)
      start += 16
    }
    guard start < range.upperBound else { return }
    let width = range.upperBound - start
    var values = SIMD16<Float>()
    for lane in 0..<width {
      values[lane] = HalfPrecision.float(fromBits: input.load(fromByteOffset: (start + lane) * 2, as: UInt16.self))
    }
    let results = function(values)
    for lane in 0..<width {
      output.storeBytes(of: HalfPrecision.bits(from: results[lane]), toByteOffset: (start + lane) * 2, as: UInt16.self)
    }
  }
}
