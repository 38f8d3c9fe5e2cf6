import Foundation
import ResIR

/// The scalar functions behind the elementwise ops, the epilogue activations and the recurrent gates, written
/// once in `Double` as ONNX's operator documents define them.
///
/// Comparisons are written so that NaN passes through (`x < 0 ? 0 : x` keeps a NaN), as numpy's `maximum`
/// and `clip` do, which is what ONNX's reference implementation computes.
enum ScalarFunctions {
  static func relu(_ x: Double) -> Double { x < 0 ? 0 : x }

  static func leakyRelu(_ x: Double, alpha: Double) -> Double { x < 0 ? alpha * x : x }

  static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

  static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }

  static func erf(_ x: Double) -> Double { Foundation.erf(x) }

  static func sqrt(_ x: Double) -> Double { x.squareRoot() }

  static func exp(_ x: Double) -> Double { Foundation.exp(x) }

  /// The natural logarithm: −∞ at 0, NaN below.
  static func log(_ x: Double) -> Double { Foundation.log(x) }

  static func pow(_ base: Double, _ exponent: Double) -> Double { Foundation.pow(base, exponent) }

  /// C's `fmod`: the remainder has the sign of the dividend.
  static func fmod(_ x: Double, _ y: Double) -> Double { Foundation.fmod(x, y) }

  /// `min(max(x, low), high)`, so a `low` above `high` gives `high` everywhere, as ONNX's Clip says.
  static func clip(_ x: Double, low: Double, high: Double) -> Double {
    let raised = x < low ? low : x
    return raised > high ? high : raised
  }

  /// `max(0, min(1, alpha·x + beta))`.
  static func hardSigmoid(_ x: Double, alpha: Double, beta: Double) -> Double {
    clip(alpha * x + beta, low: 0, high: 1)
  }

  /// `x · hardSigmoid(x)` with ONNX's alpha = 1/6, beta = 1/2.
  static func hardSwish(_ x: Double) -> Double { x * hardSigmoid(x, alpha: 1.0 / 6.0, beta: 0.5) }

  /// `x · sigmoid(x)`.
  static func silu(_ x: Double) -> Double { x * sigmoid(x) }

  /// `x·Φ(x)` exactly (`none`), or the tanh approximation `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
  static func gelu(_ x: Double, _ approximation: GeluApproximation) -> Double {
    switch approximation {
    case .none: 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
    case .tanh: 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }
  }

  /// `x` above `alpha`, else 0.
  static func thresholdedRelu(_ x: Double, alpha: Double) -> Double { x > alpha ? x : 0 }

  static func scaledTanh(_ x: Double, alpha: Double, beta: Double) -> Double { alpha * Foundation.tanh(beta * x) }

  /// `x` for non-negative `x`, else `alpha·(eˣ − 1)`.
  static func elu(_ x: Double, alpha: Double) -> Double { x < 0 ? alpha * Foundation.expm1(x) : x }

  static func softsign(_ x: Double) -> Double { x / (1 + abs(x)) }

  /// `x · tanh(softplus(x))`: Mish.
  static func mish(_ x: Double) -> Double { x * Foundation.tanh(softplus(x)) }

  /// `log(1 + eˣ)`, written so that a large `x` does not overflow through `eˣ`.
  static func softplus(_ x: Double) -> Double {
    x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x))
  }
}
