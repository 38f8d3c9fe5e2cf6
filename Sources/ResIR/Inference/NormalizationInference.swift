extension NodeContext {
  /// BatchNormalization (inference form): `[N, C, ...]` normalized per channel by four `[C]` vectors.
  func batchNormalization() throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireDType(input, .floats, "input")
    try requireRank(input, atLeast: 2, "input", layout: "N, C, ...")
    let channels = input.shape[1]
    for (slot, name) in [(1, "scale"), (2, "bias"), (3, "mean"), (4, "variance")] {
      let parameter = try operand(slot)
      try requireDType(parameter, .floats, name)
      try requireRank(parameter, 1, name, layout: "C")
      guard Broadcasting.unify(parameter.shape[0], channels) != nil else {
        throw error("\(name) has \(parameter.shape[0]) elements but the input has \(channels) channels")
      }
    }
    return input
  }

  /// LayerNormalization: Y has X's type; Mean and InvStdDev are f32 (ONNX's default `stash_type`) shaped
  /// `X[:axis] + [1] * (rank - axis)`. A fused residual must provably have X's type: it is added element by
  /// element as each row is loaded, never broadcast.
  func layerNormalization(_ attributes: LayerNormAttributes) throws(ModelError) -> [TensorType] {
    let input = try operand(0)
    try requireDType(input, .floats, "X")
    try requireSameDType([0, 1, 2])
    try requireAxis(attributes.axis, rank: input.rank)
    if attributes.residual {
      let residual = try operand(Op.residualSlot)
      guard residual.provablyEquals(input) else {
        throw error("residual \(residual) does not provably match X \(input)")
      }
    }
    let normalized = Array(input.shape[attributes.axis...])
    for (slot, name) in [(1, "scale"), (2, "bias")] {
      guard let parameter = optionalOperand(slot) else { continue }
      if Broadcasting.conflictsUnidirectionally(parameter.shape, to: normalized) {
        throw error(
          "\(name) \(shapeText(parameter.shape)) does not broadcast to the normalized shape \(shapeText(normalized))")
      }
    }
    let statisticsShape =
      Array(input.shape[..<attributes.axis]) + [Dim](repeating: .known(1), count: input.rank - attributes.axis)
    let statistics = TensorType(.float32, statisticsShape)
    return [input, statistics, statistics]
  }

  /// ScaleShift: `[..., C, ...]` scaled and shifted along `axis` by two `[C]` vectors of X's type; the shape
  /// is unchanged. (Its epilogue is checked by the caller, as for Conv.)
  func scaleShift(axis: Int) throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireDType(input, .floats, "X")
    try requireSameDType([0, 1, 2])
    try requireAxis(axis, rank: input.rank)
    let channels = input.shape[axis]
    for (slot, name) in [(1, "scale"), (2, "shift")] {
      let parameter = try operand(slot)
      try requireRank(parameter, 1, name, layout: "C")
      guard Broadcasting.unify(parameter.shape[0], channels) != nil else {
        throw error("\(name) has \(parameter.shape[0]) elements but X has \(channels) along axis \(axis)")
      }
    }
    return input
  }

  /// LRN: normalizes across channels; the shape is unchanged.
  func lrn(_ attributes: LRNAttributes) throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireDType(input, .floats, "input")
    try requireRank(input, atLeast: 2, "input", layout: "N, C, ...")
    guard attributes.size >= 1 else { throw error("size \(attributes.size) must be positive") }
    return input
  }
}
