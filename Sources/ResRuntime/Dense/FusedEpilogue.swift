import ResKernels
import ResPlan

/// A plan's `Epilogue` message, checked: which optional operands the step has and the activation.
struct FusedEpilogue: Sendable {
  var hasBias: Bool
  var hasResidual: Bool
  var activation: PointwiseFunction

  init(_ message: Rescompile_Plan_Epilogue, _ operands: StepOperands) throws(RuntimeError) {
    hasBias = message.hasBias_p
    hasResidual = message.hasResidual_p
    activation = try PointwiseFunction(message.activation, operands)
  }

  /// Operand count: the fixed operands plus the flagged optional ones.
  func inputCount(fixed: Int) -> Int {
    fixed + (hasBias ? 1 : 0) + (hasResidual ? 1 : 0)
  }
}

extension PointwiseFunction {
  /// The function a plan `Activation` names, with its alpha and beta.
  init(_ activation: Rescompile_Plan_Activation, _ operands: StepOperands) throws(RuntimeError) {
    let alpha = activation.alpha
    let beta = activation.beta
    switch activation.kind {
    case .none: self = .identity
    case .relu: self = .relu
    case .clip: self = .clip(min: alpha, max: beta)
    case .leakyRelu: self = .leakyRelu(alpha: alpha)
    case .sigmoid: self = .sigmoid
    case .tanh: self = .tanh
    case .hardSigmoid: self = .hardSigmoid(alpha: alpha, beta: beta)
    case .hardSwish: self = .hardSwish
    case .silu: self = .silu
    case .gelu: self = .gelu
    case .geluTanh: self = .geluTanh
    case .thresholdedRelu: self = .thresholdedRelu(alpha: alpha)
    case .scaledTanh: self = .scaledTanh(alpha: alpha, beta: beta)
    case .affine: self = .affine(alpha: alpha, beta: beta)
    case .elu: self = .elu(alpha: alpha)
    case .softsign: self = .softsign
    case .softplus: self = .softplus
    case .mish: self = .mish
    case .requantize: self = .requantize(scale: activation.scale, min: alpha, max: beta)
    case .UNRECOGNIZED(let raw): throw operands.failure("activation kind \(raw) is unknown to this runtime")
    }
  }
}
