import ResIR

/// RotaryEmbedding (opset 23; LLaMA-style positional rotation) written out as ONNX's definition: the first
/// `rotary_embedding_dim` features of each head split into halves (or, `interleaved`, into even and odd
/// features) `x₁`, `x₂`, rotated by the cached angles of each position, giving `cos·x₁ − sin·x₂` and
/// `sin·x₁ + cos·x₂`, put back in the same arrangement, the other features passed through. 3-D inputs are
/// split into `num_heads` heads; 4-D ones are `[B, heads, S, D]`.
extension GraphBuilder {
  mutating func convertRotaryEmbedding(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 4)
    let x = try node.requiredOperand(0, "X")
    let type = graph.type(of: x)
    guard type.dtype.isFloatingPoint, type.rank == 3 || type.rank == 4 else {
      throw node.error("X must be a 3-D or 4-D float tensor, not \(type)")
    }
    var heads = x
    if type.rank == 4 {
      heads = try step(.transpose(perm: [0, 2, 1, 3]), [x], "by_position", of: node)
    } else {
      let count = try node.attributes.int("num_heads", default: 0)
      guard count >= 1 else { throw node.error("num_heads is required for a 3-D input") }
      let split = addIntegers([0, 0, count, -1], named: "\(node.name)_heads")
      heads = try step(.reshape(allowZero: false), [x, split], "heads", of: node)
    }
    guard let headSize = graph.type(of: heads).shape[3].value else {
      throw node.error("the head size of X must be known")
    }
    let given = try node.attributes.int("rotary_embedding_dim", default: 0)
    let rotated = given == 0 ? headSize : given
    guard rotated >= 2, rotated % 2 == 0, rotated <= headSize else {
      throw node.error("rotary_embedding_dim \(rotated) must be even and at most the head size \(headSize)")
    }
    let (cos, sin) = try rotaryCaches(node)
    let interleaved = try node.attributes.flag("interleaved", default: false)
    let part = try featureSlice(heads, from: 0, to: rotated, step: 1, "rotated_part", node)
    let spacing = interleaved ? 2 : 1
    let first = try featureSlice(part, from: 0, to: interleaved ? rotated : rotated / 2, step: spacing, "x1", node)
    let second = try featureSlice(part, from: interleaved ? 1 : rotated / 2, to: rotated, step: spacing, "x2", node)
    let cosFirst = try step(.binary(.mul), [cos, first], "cos_x1", of: node)
    let sinSecond = try step(.binary(.mul), [sin, second], "sin_x2", of: node)
    let real = try step(.binary(.sub), [cosFirst, sinSecond], "real", of: node)
    let sinFirst = try step(.binary(.mul), [sin, first], "sin_x1", of: node)
    let cosSecond = try step(.binary(.mul), [cos, second], "cos_x2", of: node)
    let imaginary = try step(.binary(.add), [sinFirst, cosSecond], "imaginary", of: node)
    var result: ValueID
    if interleaved {
      let realPairs = try step(.unsqueeze(axes: [4]), [real], "real_pairs", of: node)
      let imaginaryPairs = try step(.unsqueeze(axes: [4]), [imaginary], "imaginary_pairs", of: node)
      let pairs = try step(.concat(axis: 4), [realPairs, imaginaryPairs], "pairs", of: node)
      let merge = addIntegers([0, 0, 0, -1], named: "\(node.name)_merge")
      result = try step(.reshape(allowZero: false), [pairs, merge], "rotated", of: node)
    } else {
      result = try step(.concat(axis: 3), [real, imaginary], "rotated", of: node)
    }
    if rotated < headSize {
      let passed = try featureSlice(heads, from: rotated, to: headSize, step: 1, "passed", node)
      result = try step(.concat(axis: 3), [result, passed], "features", of: node)
    }
    if type.rank == 4 { return Conversion(.transpose(perm: [0, 2, 1, 3]), [result]) }
    return Conversion(.reshape(allowZero: false), [result, addIntegers([0, 0, -1], named: "\(node.name)_hidden")])
  }

  /// cos and sin for each position, `[B, S, 1, R/2]`: the caches gathered at `position_ids` when given.
  private mutating func rotaryCaches(_ node: ONNXNode) throws(ModelError) -> (ValueID, ValueID) {
    var caches: [ValueID] = []
    for (slot, role) in [(1, "cos"), (2, "sin")] {
      var cache = try node.requiredOperand(slot, "\(role)_cache")
      if let positions = node.operand(3) {
        cache = try step(.gather(axis: 0), [cache, positions], "\(role)_at_positions", of: node)
      }
      caches.append(try step(.unsqueeze(axes: [2]), [cache], "\(role)_per_head", of: node))
    }
    return (caches[0], caches[1])
  }

  /// Features `from..<to` (every `spacing`-th) of the last axis.
  private mutating func featureSlice(
    _ x: ValueID, from start: Int, to end: Int, step spacing: Int, _ suffix: String, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let operands: [ValueID?] = [
      x, addIntegers([start], named: "\(node.name)_\(suffix)_start"),
      addIntegers([end], named: "\(node.name)_\(suffix)_end"), addIntegers([3], named: "\(node.name)_\(suffix)_axis"),
      addIntegers([spacing], named: "\(node.name)_\(suffix)_step"),
    ]
    return try step(.slice, operands, suffix, of: node)
  }
}
