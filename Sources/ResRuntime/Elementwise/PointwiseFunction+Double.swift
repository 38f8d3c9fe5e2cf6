import ResKernels

extension PointwiseFunction {
  /// The function in double precision, for f64 tensors (the same definitions as the f32 vector form, each
  /// parameter widened from its f32 plan value).
  func evaluate(_ x: Double) -> Double {
    switch self {
    case .identity: return x
    case .relu: return x < 0 ? 0 : x
    case .clip(let low, let high): return PointwiseFunction.clamped(x, low, high)
    case .leakyRelu(let alpha): return x < 0 ? x * Double(alpha) : x
    case .sigmoid: return PointwiseFunction.logistic(x)
    case .tanh: return LibM.tanh(x)
    case .hardSigmoid(let alpha, let beta): return PointwiseFunction.unitClamp(x * Double(alpha) + Double(beta))
    case .hardSwish: return x * PointwiseFunction.unitClamp(x / 6 + 0.5)
    case .silu: return x * PointwiseFunction.logistic(x)
    case .mish: return x * LibM.tanh((x > 0 ? x : 0) + LibM.log1p(LibM.exp(-Swift.abs(x))))
    case .gelu: return 0.5 * x * (1 + LibM.erf(x * 0.707_106_781_186_547_524_4))
    case .geluTanh: return 0.5 * x * (1 + LibM.tanh(0.797_884_560_802_865_355_9 * (x + 0.044715 * x * x * x)))
    case .thresholdedRelu(let alpha): return x > Double(alpha) ? x : 0
    case .scaledTanh(let alpha, let beta): return Double(alpha) * LibM.tanh(Double(beta) * x)
    case .affine(let alpha, let beta): return Double(alpha) * x + Double(beta)
    case .elu(let alpha): return x >= 0 ? x : Double(alpha) * LibM.expm1(x)
    case .softsign: return x / (1 + Swift.abs(x))
    case .softplus: return (x > 0 ? x : 0) + LibM.log1p(LibM.exp(-Swift.abs(x)))
    case .erf: return LibM.erf(x)
    case .sqrt: return x.squareRoot()
    case .abs: return Swift.abs(x)
    case .neg: return -x
    case .exp: return LibM.exp(x)
    case .log: return LibM.log(x)
    case .ceil: return x.rounded(.up)
    case .floor: return x.rounded(.down)
    case .round: return x.rounded(.toNearestOrEven)
    case .reciprocal: return 1 / x
    case .sin: return LibM.sin(x)
    case .cos: return LibM.cos(x)
    case .requantize(let scale, let low, let high):
      return PointwiseFunction.clamped((x * Double(scale)).rounded(.toNearestOrEven), low, high)
    }
  }

  /// `y[i] = evaluate(x[i])` for `i < count` (`x` and `y` may be the same buffer), the case resolved once for
  /// the piecewise-linear functions and roundings, each then a loop the compiler vectorizes: a quantized
  /// model's float64 Round and Clip around every residual Add went through `evaluate`'s switch element by
  /// element, 1.4 ns each. The same expressions as `evaluate`, so the same bits.
  func apply(doubles x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
    switch self {
    case .identity: Self.map(x, y, count) { $0 }
    case .relu: Self.map(x, y, count) { $0 < 0 ? 0 : $0 }
    case .clip(let low, let high): Self.map(x, y, count) { PointwiseFunction.clamped($0, low, high) }
    case .neg: Self.map(x, y, count) { -$0 }
    case .abs: Self.map(x, y, count) { Swift.abs($0) }
    case .ceil: Self.map(x, y, count) { $0.rounded(.up) }
    case .floor: Self.map(x, y, count) { $0.rounded(.down) }
    case .round: Self.map(x, y, count) { $0.rounded(.toNearestOrEven) }
    case .requantize(let scale, let low, let high):
      Self.map(x, y, count) { PointwiseFunction.clamped(($0 * Double(scale)).rounded(.toNearestOrEven), low, high) }
    default: Self.map(x, y, count) { self.evaluate($0) }
    }
  }

  @inline(__always)
  private static func map(
    _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int, _ function: (Double) -> Double
  ) {
    for index in 0..<count { y[index] = function(x[index]) }
  }

  /// `x` raised to `low`, then lowered to `high` (NaN passes; `low > high` gives `high`, as numpy's clip).
  private static func clamped(_ x: Double, _ low: Float, _ high: Float) -> Double {
    let raised = x < Double(low) ? Double(low) : x
    return raised > Double(high) ? Double(high) : raised
  }

  private static func logistic(_ x: Double) -> Double {
    if x >= 0 { return 1 / (1 + LibM.exp(-x)) }
    let e = LibM.exp(x)
    return e / (1 + e)
  }

  private static func unitClamp(_ x: Double) -> Double {
    let raised = x < 0 ? 0 : x
    return raised > 1 ? 1 : raised
  }
}
