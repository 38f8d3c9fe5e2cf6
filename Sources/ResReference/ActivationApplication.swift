import Foundation
import ResIR

extension Activation {
  /// The activation applied to one value. Float attributes are widened exactly to `Double`.
  func apply(_ x: Double) -> Double {
    switch self {
    case .relu: ScalarFunctions.relu(x)
    case .clip(let low, let high): ScalarFunctions.clip(x, low: Double(low), high: Double(high))
    case .leakyRelu(let alpha): ScalarFunctions.leakyRelu(x, alpha: Double(alpha))
    case .sigmoid: ScalarFunctions.sigmoid(x)
    case .tanh: ScalarFunctions.tanh(x)
    case .hardSigmoid(let alpha, let beta): ScalarFunctions.hardSigmoid(x, alpha: Double(alpha), beta: Double(beta))
    case .hardSwish: ScalarFunctions.hardSwish(x)
    case .silu: ScalarFunctions.silu(x)
    case .mish: ScalarFunctions.mish(x)
    case .elu(let alpha): ScalarFunctions.elu(x, alpha: Double(alpha))
    case .gelu(let approximation): ScalarFunctions.gelu(x, approximation)
    case .requantize(let scale, let low, let high):
      // The product in float32, as the unfused Mul of float32 tensors rounds it: a tie must land where the
      // imported Mul → Round → Clip puts it.
      ScalarFunctions.clip(Double(Float(x) * scale).rounded(.toNearestOrEven), low: Double(low), high: Double(high))
    }
  }
}

extension UnaryOp {
  /// The op applied to one float value.
  func apply(_ x: Double) -> Double {
    switch self {
    case .relu: ScalarFunctions.relu(x)
    case .sigmoid: ScalarFunctions.sigmoid(x)
    case .tanh: ScalarFunctions.tanh(x)
    case .erf: ScalarFunctions.erf(x)
    case .sqrt: ScalarFunctions.sqrt(x)
    case .hardSwish: ScalarFunctions.hardSwish(x)
    case .leakyRelu(let alpha): ScalarFunctions.leakyRelu(x, alpha: Double(alpha))
    case .hardSigmoid(let alpha, let beta): ScalarFunctions.hardSigmoid(x, alpha: Double(alpha), beta: Double(beta))
    case .gelu(let approximation): ScalarFunctions.gelu(x, approximation)
    case .abs: Swift.abs(x)
    case .neg: -x
    case .exp: ScalarFunctions.exp(x)
    case .log: ScalarFunctions.log(x)
    case .ceil: x.rounded(.up)
    case .floor: x.rounded(.down)
    case .round: x.rounded(.toNearestOrEven)
    case .reciprocal: 1 / x
    case .sin: Foundation.sin(x)
    case .cos: Foundation.cos(x)
    case .softplus: ScalarFunctions.softplus(x)
    case .mish: ScalarFunctions.mish(x)
    case .elu(let alpha): ScalarFunctions.elu(x, alpha: Double(alpha))
    }
  }
}

extension RecurrentActivation {
  /// The gate function applied to one value, with the alpha/beta the IR carries (ONNX's defaults filled in
  /// by the importer).
  func apply(_ x: Double) -> Double {
    switch self {
    case .sigmoid: ScalarFunctions.sigmoid(x)
    case .tanh: ScalarFunctions.tanh(x)
    case .relu: ScalarFunctions.relu(x)
    case .hardSigmoid(let alpha, let beta): ScalarFunctions.hardSigmoid(x, alpha: Double(alpha), beta: Double(beta))
    case .leakyRelu(let alpha): ScalarFunctions.leakyRelu(x, alpha: Double(alpha))
    case .thresholdedRelu(let alpha): ScalarFunctions.thresholdedRelu(x, alpha: Double(alpha))
    case .scaledTanh(let alpha, let beta): ScalarFunctions.scaledTanh(x, alpha: Double(alpha), beta: Double(beta))
    case .affine(let alpha, let beta): Double(alpha) * x + Double(beta)
    case .elu(let alpha): ScalarFunctions.elu(x, alpha: Double(alpha))
    case .softsign: ScalarFunctions.softsign(x)
    case .softplus: ScalarFunctions.softplus(x)
    }
  }
}
