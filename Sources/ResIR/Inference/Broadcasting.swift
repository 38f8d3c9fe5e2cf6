/// ONNX's broadcasting rules over dimensions that may be symbolic or unknown.
///
/// The rules only ever claim what holds for every valid model: a symbol survives when the other side is 1
/// or the same symbol; a number greater than 1 wins over a symbol (the symbol must be 1 or that number); two
/// different symbols, or a symbol and an unknown, give `unknown` (either could be 1, leaving the other).
enum Broadcasting {
  /// Multidirectional (numpy) broadcasting of two dimensions; `nil` when two numbers conflict.
  static func merge(_ a: Dim, _ b: Dim) -> Dim? {
    switch (a, b) {
    case (.known(let x), .known(let y)):
      if x == y || y == 1 { return a }
      if x == 1 { return b }
      return nil
    case (.known(1), _): return b
    case (_, .known(1)): return a
    case (.known, _): return a
    case (_, .known): return b
    case (.symbol(let s), .symbol(let t)): return s == t ? a : .unknown
    case (.symbol, .unknown), (.unknown, .symbol), (.unknown, .unknown): return .unknown
    }
  }

  /// Multidirectional broadcasting of shapes, aligned at their last axes; `nil` when they conflict.
  static func broadcast(_ shapes: [[Dim]]) -> [Dim]? {
    let rank = shapes.map(\.count).max() ?? 0
    var result = [Dim](repeating: .known(1), count: rank)
    for shape in shapes {
      let offset = rank - shape.count
      for (i, dim) in shape.enumerated() {
        guard let merged = merge(result[offset + i], dim) else { return nil }
        result[offset + i] = merged
      }
    }
    return result
  }

  /// Whether `operand` has a dimension that certainly cannot broadcast to `target` in one direction (ONNX's
  /// unidirectional broadcasting, as Gemm's C and LayerNormalization's scale use): a higher rank, or a number
  /// other than 1 against a different number.
  static func conflictsUnidirectionally(_ operand: [Dim], to target: [Dim]) -> Bool {
    guard operand.count <= target.count else { return true }
    let offset = target.count - operand.count
    for (i, dim) in operand.enumerated() {
      if case .known(let x) = dim, x != 1, case .known(let y) = target[offset + i], x != y { return true }
    }
    return false
  }

  /// Whether `operand` provably broadcasts to `target` in one direction: every dimension is 1 or provably
  /// equal to the target's. Fused operands (a MatMul bias) must meet this, because the fusion that made them
  /// had to prove it.
  static func provablyBroadcasts(_ operand: [Dim], to target: [Dim]) -> Bool {
    guard operand.count <= target.count else { return false }
    let offset = target.count - operand.count
    return operand.enumerated().allSatisfy { i, dim in
      dim == .known(1) || dim.provablyEquals(target[offset + i])
    }
  }

  /// The dimension two operands that must agree (Concat's other axes, an RNN's batch) share: a number wins,
  /// then a symbol; `nil` when two numbers differ. Because the sizes must be equal at run time, keeping either
  /// side's symbol is sound.
  static func unify(_ a: Dim, _ b: Dim) -> Dim? {
    switch (a, b) {
    case (.known(let x), .known(let y)): return x == y ? a : nil
    case (.known, _): return a
    case (_, .known): return b
    case (.symbol, _): return a
    case (.unknown, _): return b
    }
  }
}

extension TensorType {
  /// The type multidirectional (numpy) broadcasting of `types` gives, by the rules shape inference uses; nil
  /// when their element types differ or their shapes cannot broadcast. Lets a pass compare what a fused
  /// elementwise node will infer with the type of the chain it replaces before it rewrites anything.
  package static func broadcasting(_ types: [TensorType]) -> TensorType? {
    guard let dtype = types.first?.dtype, types.allSatisfy({ $0.dtype == dtype }),
      let shape = Broadcasting.broadcast(types.map(\.shape))
    else { return nil }
    return TensorType(dtype, shape)
  }
}

/// `[1,64,N,?]`: a shape as error messages print it.
func shapeText(_ shape: [Dim]) -> String {
  "[\(shape.map(\.description).joined(separator: ","))]"
}

/// `[0,2,1]`: a list of integers as error messages print it.
func listText(_ values: [Int]) -> String {
  "[\(values.map(String.init).joined(separator: ","))]"
}
