/// How activations are spelled in the dumps, in both directions.
///
/// Epilogue activations use lowercase snake_case (`relu`, `clip(min=0.0, max=6.0)`, `gelu(approximate=tanh)`),
/// the vocabulary of the fusion passes; the recurrent ops' gate functions keep ONNX's names (`Sigmoid`,
/// `HardSigmoid(alpha=0.2, beta=0.5)`), since they are ONNX's `activations` attribute verbatim.
extension Activation {
  var call: AttributeCall {
    switch self {
    case .relu: AttributeCall("relu")
    case .clip(let min, let max):
      AttributeCall("clip", [NamedAttribute("min", .float(min)), NamedAttribute("max", .float(max))])
    case .leakyRelu(let alpha): AttributeCall("leaky_relu", [NamedAttribute("alpha", .float(alpha))])
    case .sigmoid: AttributeCall("sigmoid")
    case .tanh: AttributeCall("tanh")
    case .hardSigmoid(let alpha, let beta):
      AttributeCall("hard_sigmoid", [NamedAttribute("alpha", .float(alpha)), NamedAttribute("beta", .float(beta))])
    case .hardSwish: AttributeCall("hard_swish")
    case .silu: AttributeCall("silu")
    case .mish: AttributeCall("mish")
    case .elu(let alpha): AttributeCall("elu", [NamedAttribute("alpha", .float(alpha))])
    case .gelu(let approximation):
      AttributeCall("gelu", [NamedAttribute("approximate", .word(approximation.rawValue))])
    case .requantize(let scale, let min, let max):
      AttributeCall(
        "requantize",
        [NamedAttribute("scale", .float(scale)), NamedAttribute("min", .float(min)), NamedAttribute("max", .float(max))])
    }
  }

  init(parsing call: ParsedCall) throws(TextParseError) {
    var reader = try AttributeReader(call: call)
    switch call.name {
    case "relu": self = .relu
    case "clip": self = .clip(min: try reader.float("min"), max: try reader.float("max"))
    case "leaky_relu": self = .leakyRelu(alpha: try reader.float("alpha"))
    case "sigmoid": self = .sigmoid
    case "tanh": self = .tanh
    case "hard_sigmoid": self = .hardSigmoid(alpha: try reader.float("alpha"), beta: try reader.float("beta"))
    case "hard_swish": self = .hardSwish
    case "silu": self = .silu
    case "mish": self = .mish
    case "elu": self = .elu(alpha: try reader.float("alpha"))
    case "gelu": self = .gelu(try reader.choice("approximate", GeluApproximation.self))
    case "requantize":
      self = .requantize(scale: try reader.float("scale"), min: try reader.float("min"), max: try reader.float("max"))
    default:
      throw TextParseError(
        at: call.position,
        "unknown activation '\(call.name)' (expected relu, clip, leaky_relu, sigmoid, tanh, hard_sigmoid, "
          + "hard_swish, silu, mish, elu, gelu or requantize)")
    }
    try reader.finish()
  }
}

extension RecurrentActivation {
  var call: AttributeCall {
    switch self {
    case .sigmoid: AttributeCall("Sigmoid")
    case .tanh: AttributeCall("Tanh")
    case .relu: AttributeCall("Relu")
    case .hardSigmoid(let alpha, let beta): AttributeCall("HardSigmoid", Self.alphaBeta(alpha, beta))
    case .leakyRelu(let alpha): AttributeCall("LeakyRelu", [NamedAttribute("alpha", .float(alpha))])
    case .thresholdedRelu(let alpha): AttributeCall("ThresholdedRelu", [NamedAttribute("alpha", .float(alpha))])
    case .scaledTanh(let alpha, let beta): AttributeCall("ScaledTanh", Self.alphaBeta(alpha, beta))
    case .affine(let alpha, let beta): AttributeCall("Affine", Self.alphaBeta(alpha, beta))
    case .elu(let alpha): AttributeCall("Elu", [NamedAttribute("alpha", .float(alpha))])
    case .softsign: AttributeCall("Softsign")
    case .softplus: AttributeCall("Softplus")
    }
  }

  private static func alphaBeta(_ alpha: Float, _ beta: Float) -> [NamedAttribute] {
    [NamedAttribute("alpha", .float(alpha)), NamedAttribute("beta", .float(beta))]
  }

  init(parsing call: ParsedCall) throws(TextParseError) {
    var reader = try AttributeReader(call: call)
    switch call.name {
    case "Sigmoid": self = .sigmoid
    case "Tanh": self = .tanh
    case "Relu": self = .relu
    case "HardSigmoid": self = .hardSigmoid(alpha: try reader.float("alpha"), beta: try reader.float("beta"))
    case "LeakyRelu": self = .leakyRelu(alpha: try reader.float("alpha"))
    case "ThresholdedRelu": self = .thresholdedRelu(alpha: try reader.float("alpha"))
    case "ScaledTanh": self = .scaledTanh(alpha: try reader.float("alpha"), beta: try reader.float("beta"))
    case "Affine": self = .affine(alpha: try reader.float("alpha"), beta: try reader.float("beta"))
    case "Elu": self = .elu(alpha: try reader.float("alpha"))
    case "Softsign": self = .softsign
    case "Softplus": self = .softplus
    default:
      throw TextParseError(at: call.position, "unknown recurrent activation '\(call.name)'")
    }
    try reader.finish()
  }
}
