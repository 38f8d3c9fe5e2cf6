import ResIR

/// LSTM, GRU and RNN: direction, hidden size, gate activations with their alpha/beta, clip, and layout.
extension GraphBuilder {
  enum RecurrentGates {
    case lstm
    case gru
    case rnn

    /// Gate functions per direction and ONNX's defaults: LSTM f, g, h = Sigmoid, Tanh, Tanh; GRU f, g =
    /// Sigmoid, Tanh; RNN f = Tanh.
    var defaultActivations: [RecurrentActivation] {
      switch self {
      case .lstm: [.sigmoid, .tanh, .tanh]
      case .gru: [.sigmoid, .tanh]
      case .rnn: [.tanh]
      }
    }

    /// How many stacked gate blocks W's second dimension holds (i, o, f, c; z, r, h; or RNN's one).
    var gateCount: Int {
      switch self {
      case .lstm: 4
      case .gru: 3
      case .rnn: 1
      }
    }
  }

  mutating func convertRecurrent(_ node: ONNXNode, gates: RecurrentGates) throws(ModelError) -> Conversion {
    let attributes = node.attributes
    let directionName = try attributes.string("direction", default: "forward")
    guard let direction = RecurrentDirection(rawValue: directionName) else {
      throw node.error("direction '\(directionName)' is not one of forward, reverse, bidirectional")
    }
    let hiddenSize = try recurrentHiddenSize(node, gates: gates)
    let activations = try RecurrentActivations.parse(
      names: attributes.strings("activations"), alphas: attributes.floats("activation_alpha") ?? [],
      betas: attributes.floats("activation_beta") ?? [], defaults: gates.defaultActivations,
      directions: direction.count, node: node)
    let clip = try attributes.float("clip")
    if let clip, !(clip > 0) { throw node.error("clip \(clip) must be positive") }
    let recurrent = RecurrentAttributes(
      hiddenSize: hiddenSize, direction: direction, activations: activations, clip: clip,
      inputForget: gates == .lstm ? try attributes.flag("input_forget", default: false) : false,
      linearBeforeReset: gates == .gru ? try attributes.flag("linear_before_reset", default: false) : false,
      batchMajor: try attributes.flag("layout", default: false))
    switch gates {
    case .lstm: return Conversion(.lstm(recurrent), node.operands)
    case .gru: return Conversion(.gru(recurrent), node.operands)
    case .rnn: return Conversion(.rnn(recurrent), node.operands)
    }
  }

  /// `hidden_size`, or R's last dimension when the attribute is absent (R is [directions, gates x hidden,
  /// hidden]).
  private func recurrentHiddenSize(_ node: ONNXNode, gates: RecurrentGates) throws(ModelError) -> Int {
    if let given = try node.attributes.int("hidden_size") {
      guard given >= 1 else { throw node.error("hidden_size \(given) must be at least 1") }
      return given
    }
    let recurrence = graph.type(of: try node.requiredOperand(2, "R"))
    guard recurrence.rank == 3, let hidden = recurrence.shape[2].value, hidden >= 1 else {
      throw node.error("hidden_size is not given and R's shape \(recurrence) does not determine it")
    }
    return hidden
  }
}

/// ONNX's `activations`, `activation_alpha` and `activation_beta` lists for a recurrent layer.
///
/// Names are matched without regard to case, as onnxruntime does. Alphas and betas are consumed in order by
/// the functions that take them; a function whose value is not in the list gets onnxruntime's default
/// (LeakyRelu 0.01, HardSigmoid 0.2 and 0.5, Elu 1.0, and 0 for the rest), since onnxruntime is the reference
/// the project's tests compare with.
private enum RecurrentActivations {
  static func parse(
    names: [String]?, alphas: [Float], betas: [Float], defaults: [RecurrentActivation], directions: Int,
    node: ONNXNode
  ) throws(ModelError) -> [RecurrentActivation] {
    guard let names, !names.isEmpty else {
      return Array(repeating: defaults, count: directions).flatMap { $0 }
    }
    var remainingAlphas = alphas[...]
    var remainingBetas = betas[...]
    var activations: [RecurrentActivation] = []
    for name in names {
      activations.append(
        try activation(name, alphas: &remainingAlphas, betas: &remainingBetas, node: node))
    }
    if activations.count == defaults.count, directions == 2 {
      return activations + activations
    }
    guard activations.count == defaults.count * directions else {
      throw node.error(
        "activations lists \(activations.count) functions, expected \(defaults.count * directions) "
          + "(\(defaults.count) per direction)")
    }
    return activations
  }

  private static func activation(
    _ name: String, alphas: inout ArraySlice<Float>, betas: inout ArraySlice<Float>, node: ONNXNode
  ) throws(ModelError) -> RecurrentActivation {
    func next(_ list: inout ArraySlice<Float>, default fallback: Float) -> Float {
      list.popFirst() ?? fallback
    }
    switch name.lowercased() {
    case "sigmoid": return .sigmoid
    case "tanh": return .tanh
    case "relu": return .relu
    case "softsign": return .softsign
    case "softplus": return .softplus
    case "leakyrelu": return .leakyRelu(alpha: next(&alphas, default: 0.01))
    case "thresholdedrelu": return .thresholdedRelu(alpha: next(&alphas, default: 0))
    case "elu": return .elu(alpha: next(&alphas, default: 1))
    case "hardsigmoid":
      return .hardSigmoid(alpha: next(&alphas, default: 0.2), beta: next(&betas, default: 0.5))
    case "scaledtanh":
      return .scaledTanh(alpha: next(&alphas, default: 0), beta: next(&betas, default: 0))
    case "affine":
      return .affine(alpha: next(&alphas, default: 0), beta: next(&betas, default: 0))
    default:
      throw node.error(
        "activation '\(name)' is not one of Sigmoid, Tanh, Relu, LeakyRelu, ThresholdedRelu, ScaledTanh, "
          + "HardSigmoid, Elu, Softsign, Softplus, Affine")
    }
  }
}
