import ResIR

/// A Conv, Gemm, MatMul or ScaleShift node: the ops whose epilogue can absorb a residual and an activation, and
/// (except ScaleShift, whose shift is its bias) a bias (Sources/ResIR/Epilogue.swift), seen from a fusion pattern.
struct EpilogueCarrier {
  let node: Node
  let epilogue: Epilogue

  /// Nil unless `node` carries an epilogue.
  init?(_ node: Node?) {
    guard let node, let epilogue = node.op.epilogue else { return nil }
    self.node = node
    self.epilogue = epilogue
  }

  /// The node's only result.
  var result: ValueID { node.outputs[0] }

  /// `Conv "conv1"`: how decline reasons name the node.
  var label: String { "\(node.op.onnxName) \"\(node.name)\"" }

  /// Whether a per-channel bias runs along axis 1 (Conv's output channels) rather than the last axis (the
  /// columns of Gemm and MatMul).
  var biasAlongAxisOne: Bool {
    if case .conv = node.op { return true }
    return false
  }

  /// The guards every epilogue fusion shares: the result must vanish into the fused node (read only by the
  /// chain, `readers` times, and not a graph output), and epilogues are float-only.
  func resultDecline(in view: GraphView, readers: Int = 1) -> String? {
    if let reason = view.intermediateDecline(result, readers: readers) { return "the result of \(label): \(reason)" }
    let dtype = view.type(of: result).dtype
    guard dtype.isFloatingPoint else { return "\(label) computes \(dtype.rawValue); epilogues are float-only" }
    return nil
  }

  /// Work that comes after an activation cannot move into the epilogue, which applies the activation last.
  var activationDecline: String? {
    guard let activation = epilogue.activation else { return nil }
    return "\(label) already applies \(activation) in its epilogue, and the epilogue's activation comes last"
  }
}
