import Foundation
import ResKernels

/// Obviously-correct double-precision definitions the tests compare kernels against.
enum NaiveMath {
  static func pointwise(_ function: PointwiseFunction, _ x: Double) -> Double {
    switch function {
    case .identity: return x
    case .relu: return max(x, 0)
    case .clip(let low, let high): return min(max(x, Double(low)), Double(high))
    case .leakyRelu(let alpha): return x >= 0 ? x : Double(alpha) * x
    case .sigmoid: return 1 / (1 + exp(-x))
    case .tanh: return tanh(x)
    case .hardSigmoid(let alpha, let beta): return max(0, min(1, Double(alpha) * x + Double(beta)))
    case .hardSwish: return x * max(0, min(1, x / 6 + 0.5))
    case .silu: return x / (1 + exp(-x))
    case .gelu: return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
    case .geluTanh: return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    case .thresholdedRelu(let alpha): return x > Double(alpha) ? x : 0
    case .scaledTanh(let alpha, let beta): return Double(alpha) * tanh(Double(beta) * x)
    case .affine(let alpha, let beta): return Double(alpha) * x + Double(beta)
    case .elu(let alpha): return x >= 0 ? x : Double(alpha) * (exp(x) - 1)
    case .softsign: return x / (1 + abs(x))
    case .softplus: return log(1 + exp(x))
    case .mish: return x * tanh(x > 20 ? x : log(1 + exp(x)))
    case .erf: return erf(x)
    case .sqrt: return x.squareRoot()
    case .abs: return abs(x)
    case .neg: return -x
    // Rounded to Float: e^100 is a finite Double but +∞ in the f32 the kernels compute.
    case .exp: return Double(Float(exp(x)))
    case .log: return log(x)
    case .ceil: return x.rounded(.up)
    case .floor: return x.rounded(.down)
    case .round: return x.rounded(.toNearestOrEven)
    case .reciprocal: return 1 / x
    case .sin: return sin(x)
    case .cos: return cos(x)
    case .requantize(let scale, let low, let high):
      return min(max(Double(Float(x) * scale).rounded(.toNearestOrEven), Double(low)), Double(high))
    }
  }

  /// Whether `actual` is within `absolute + relative·|expected|` of `expected` (NaN matches NaN).
  static func close(_ actual: Float, _ expected: Double, absolute: Double, relative: Double = 1e-5) -> Bool {
    if expected.isNaN { return actual.isNaN }
    if expected.isInfinite { return Double(actual) == expected }
    return abs(Double(actual) - expected) <= absolute + relative * abs(expected)
  }
}
