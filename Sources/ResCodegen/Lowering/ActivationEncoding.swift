import ResIR
import ResPlan

/// The plan's spelling of activations: the epilogue of Conv/Gemm/MatMul steps and the gate functions of
/// recurrent steps (plan.proto's `Activation`: kind, alpha, beta, and a requantization's scale).
enum ActivationEncoding {
  /// `y = activation(op(x) + bias + residual)`: the IR's epilogue with the bias flag the lowering knows.
  static func epilogue(_ epilogue: Epilogue, hasBias: Bool) -> Rescompile_Plan_Epilogue {
    var encoded = Rescompile_Plan_Epilogue()
    encoded.hasBias_p = hasBias
    encoded.hasResidual_p = epilogue.residual
    encoded.activation = epilogue.activation.map(activation) ?? Rescompile_Plan_Activation()
    return encoded
  }

  static func activation(_ activation: Activation) -> Rescompile_Plan_Activation {
    switch activation {
    case .relu: make(.relu)
    case .clip(let min, let max): make(.clip, alpha: min, beta: max)
    case .leakyRelu(let alpha): make(.leakyRelu, alpha: alpha)
    case .sigmoid: make(.sigmoid)
    case .tanh: make(.tanh)
    case .hardSigmoid(let alpha, let beta): make(.hardSigmoid, alpha: alpha, beta: beta)
    case .hardSwish: make(.hardSwish)
    case .silu: make(.silu)
    case .mish: make(.mish)
    case .elu(let alpha): make(.elu, alpha: alpha)
    case .gelu(.none): make(.gelu)
    case .gelu(.tanh): make(.geluTanh)
    case .requantize(let scale, let min, let max):
      {
        var encoded = make(.requantize, alpha: min, beta: max)
        encoded.scale = scale
        return encoded
      }()
    }
  }

  /// A recurrent gate function (ONNX's `activations` attribute, with its alpha and beta).
  static func gate(_ gate: RecurrentActivation) -> Rescompile_Plan_Activation {
    switch gate {
    case .sigmoid: make(.sigmoid)
    case .tanh: make(.tanh)
    case .relu: make(.relu)
    case .hardSigmoid(let alpha, let beta): make(.hardSigmoid, alpha: alpha, beta: beta)
    case .leakyRelu(let alpha): make(.leakyRelu, alpha: alpha)
    case .thresholdedRelu(let alpha): make(.thresholdedRelu, alpha: alpha)
    case .scaledTanh(let alpha, let beta): make(.scaledTanh, alpha: alpha, beta: beta)
    case .affine(let alpha, let beta): make(.affine, alpha: alpha, beta: beta)
    case .elu(let alpha): make(.elu, alpha: alpha)
    case .softsign: make(.softsign)
    case .softplus: make(.softplus)
    }
  }

  private static func make(_ kind: Rescompile_Plan_Activation.Kind, alpha: Float = 0, beta: Float = 0)
    -> Rescompile_Plan_Activation
  {
    var encoded = Rescompile_Plan_Activation()
    encoded.kind = kind
    encoded.alpha = alpha
    encoded.beta = beta
    return encoded
  }
}
