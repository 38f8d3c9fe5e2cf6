import ResIR

extension Activation {
  /// The epilogue activation that computes the elementwise op `op`, or nil for the ops an epilogue does not
  /// apply (Erf, Sqrt, Abs, Neg, Exp, Log and the rest are parts of larger functions, or activations the
  /// epilogue does not have).
  init?(fusing op: UnaryOp) {
    switch op {
    case .relu: self = .relu
    case .sigmoid: self = .sigmoid
    case .tanh: self = .tanh
    case .hardSwish: self = .hardSwish
    case .leakyRelu(let alpha): self = .leakyRelu(alpha: alpha)
    case .hardSigmoid(let alpha, let beta): self = .hardSigmoid(alpha: alpha, beta: beta)
    case .gelu(let approximation): self = .gelu(approximation)
    case .mish: self = .mish
    case .elu(let alpha): self = .elu(alpha: alpha)
    case .erf, .sqrt, .abs, .neg, .exp, .log, .ceil, .floor, .round, .reciprocal, .sin, .cos, .softplus:
      return nil
    }
  }

  /// The epilogue clip for a Clip node: each bound must be absent (unbounded) or a one-element constant
  /// (peer-pitfalls 17: a bound computed at run time cannot be baked into the plan), and min ≤ max (ONNX
  /// gives every element `max` otherwise, which a clamp does not).
  static func clip(_ node: Node, in view: GraphView) throws(FusionDecline) -> Activation {
    let low = try bound(node, slot: 1, role: "min", unbounded: -.infinity, in: view)
    let high = try bound(node, slot: 2, role: "max", unbounded: .infinity, in: view)
    guard low <= high else { throw FusionDecline("Clip's min \(low) is greater than its max \(high)") }
    return .clip(min: low, max: high)
  }

  private static func bound(
    _ node: Node, slot: Int, role: String, unbounded: Float, in view: GraphView
  ) throws(FusionDecline) -> Float {
    guard let value = node.input(slot) else { return unbounded }
    let name = view.graph[value].name
    guard let constant = view.constant(value) else {
      throw FusionDecline("Clip's \(role) '\(name)' is computed, not a constant")
    }
    guard let scalar = constant.scalar, !scalar.isNaN else {
      throw FusionDecline("Clip's \(role) '\(name)' is not a single number")
    }
    return Float(scalar)
  }
}
