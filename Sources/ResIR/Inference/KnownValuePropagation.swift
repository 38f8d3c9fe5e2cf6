extension NodeContext {
  /// The known values of the node's results, by result position (a missing or `nil` entry: nothing known):
  /// the shape arithmetic exporters write (`Shape → Gather → Unsqueeze → Concat → Reshape` for a dynamic
  /// batch, `F.pad`'s `Reshape → Slice → Transpose` of its pad list, center-crop pads from `Max`/`Sub`/`Div`)
  /// evaluated on small tensors. `results` are the types inference just derived; only called when the first
  /// is small enough to track.
  func propagatedValues(for results: [TensorType]) -> [KnownTensor?] {
    guard let first = results.first, let shape = first.knownDims else { return [] }
    switch node.op {
    case .shape(let start, let end):
      return [shapeValue(start: start, end: end)]
    case .identity, .dropout, .reshape, .flatten, .squeeze, .unsqueeze:
      // Row-major order is unchanged; Dropout's data result is its input at inference.
      return [knownTensor(0)?.reshaped(to: shape)]
    case .cast(let dtype):
      return [castValue(to: dtype)]
    case .transpose(let perm):
      return [knownTensor(0)?.transposed(perm)]
    case .slice:
      return [slicedValue()]
    case .concat(let axis):
      return [knownOperands().flatMap { KnownTensor.concatenated($0, axis: axis) }]
    case .gather(let axis):
      return [gatheredValue(axis: axis)]
    case .split(let axis, let sizes):
      return splitValues(axis: axis, sizes: sizes)
    case .expand:
      return [knownTensor(0)?.broadcast(to: shape)]
    case .binary(let op):
      return [binaryValue(op, result: first.dtype, shape: shape)]
    case .variadic(let op):
      return [variadicValue(op, shape: shape)]
    case .where:
      return [selectedValue(shape: shape)]
    case .constantOfShape(let fill):
      return [KnownTensor.filled(shape: shape, with: KnownArithmetic.element(fill.value, as: fill.dtype))]
    case .range:
      return [rangeValue(shape: shape)]
    case .unary(let op):
      return [knownTensor(0)?.mapped { KnownArithmetic.unary(op, $0) }]
    case .reduce(let kind, let axes, _):
      return [reducedValue(kind, axes: axes, shape: shape)]
    case .clip:
      return [clippedValue()]
    case .conv, .gemm, .matMul, .batchNormalization, .layerNormalization, .scaleShift, .lrn, .gatedSkip,
      .maxPool, .averagePool, .globalAveragePool, .reduceMean, .softmax, .pad, .scatterND, .gatherElements,
      .cumSum, .trilu, .resize, .argReduce, .topK, .lstm, .gru, .rnn:
      return []
    }
  }

  /// Shape: the dimensions as a vector; a symbol is a symbolic element, an unknown dimension an unknown one.
  private func shapeValue(start: Int, end: Int?) -> KnownTensor? {
    guard let data = optionalOperand(0) else { return nil }
    let range = NodeContext.shapeRange(start: start, end: end, rank: data.rank)
    return KnownTensor(vector: data.shape[range].map { Monomial($0) })
  }

  private func castValue(to target: DType) -> KnownTensor? {
    guard let input = knownTensor(0), let source = optionalOperand(0)?.dtype else { return nil }
    return input.mapped { KnownArithmetic.converted($0, from: source, to: target) }
  }

  /// Slice on any axes with any steps, when every bound is a known number.
  private func slicedValue() -> KnownTensor? {
    guard let data = knownTensor(0), let starts = integers(1), let ends = integers(2) else { return nil }
    let axes = node.input(3) == nil ? Array(starts.indices) : integers(3)
    let steps = node.input(4) == nil ? starts.map { _ in 1 } : integers(4)
    guard let axes, let steps, ends.count == starts.count, axes.count == starts.count, steps.count == starts.count
    else { return nil }
    var selections = data.shape.map(KnownTensor.AxisSelection.all)
    for (index, given) in axes.enumerated() {
      let axis = given < 0 ? given + data.rank : given
      guard data.shape.indices.contains(axis), steps[index] != 0 else { return nil }
      let bounds = SliceBounds(start: starts[index], end: ends[index], step: steps[index], size: data.shape[axis])
      selections[axis] = KnownTensor.AxisSelection(start: bounds.start, step: steps[index], count: bounds.count)
    }
    return data.selecting(selections)
  }

  private func gatheredValue(axis: Int) -> KnownTensor? {
    guard let data = knownTensor(0), let indices = knownTensor(1) else { return nil }
    return data.gathered(axis: axis, indices: indices)
  }

  /// Split: consecutive pieces of the axis, one per result.
  private func splitValues(axis: Int, sizes: [Int]) -> [KnownTensor?] {
    guard let input = knownTensor(0), input.shape.indices.contains(axis) else { return [] }
    var start = 0
    var pieces: [KnownTensor?] = []
    for size in sizes {
      var selections = input.shape.map(KnownTensor.AxisSelection.all)
      selections[axis] = KnownTensor.AxisSelection(start: start, step: 1, count: size)
      pieces.append(input.selecting(selections))
      let (next, overflow) = start.addingReportingOverflow(size)
      guard !overflow else { break }
      start = next
    }
    return pieces
  }

  private func binaryValue(_ op: BinaryOp, result: DType, shape: [Int]) -> KnownTensor? {
    guard let operands = knownOperands(), let dtype = optionalOperand(0)?.dtype else { return nil }
    return KnownTensor.combined(operands, shape: shape) { elements in
      KnownArithmetic.binary(op, elements[0], elements[1], operands: dtype, result: result)
    }
  }

  private func variadicValue(_ op: VariadicOp, shape: [Int]) -> KnownTensor? {
    guard let operands = knownOperands(), let dtype = optionalOperand(0)?.dtype else { return nil }
    return KnownTensor.combined(operands, shape: shape) { KnownArithmetic.variadic(op, $0, dtype: dtype) }
  }

  /// A reduction of a whole vector (or scalar): ONNX's Size is ReduceProd of a Shape, and expanded
  /// normalizations count their axes that way.
  private func reducedValue(_ kind: ReduceKind, axes: [Int]?, shape: [Int]) -> KnownTensor? {
    guard let input = knownTensor(0), let dtype = optionalOperand(0)?.dtype, input.rank <= 1,
      axes == nil || axes == Array(0..<input.rank)
    else { return nil }
    let element: Monomial?
    switch kind {
    case .sum:
      element = input.elements.isEmpty
        ? KnownArithmetic.element(0, as: dtype) : KnownArithmetic.variadic(.sum, input.elements, dtype: dtype)
    case .prod:
      element = input.elements.reduce(KnownArithmetic.element(1, as: dtype)) { product, next in
        KnownArithmetic.binary(.mul, product, next, operands: dtype, result: dtype)
      }
    case .max: element = KnownArithmetic.variadic(.max, input.elements, dtype: dtype)
    case .min: element = KnownArithmetic.variadic(.min, input.elements, dtype: dtype)
    }
    return KnownTensor(shape: shape, elements: [element])
  }

  /// Clip by known scalar bounds (timm's "same" padding clamps its pad total at 0 before halving it).
  private func clippedValue() -> KnownTensor? {
    guard let input = knownTensor(0) else { return nil }
    var bounds: [Monomial?] = [nil, nil]
    for slot in 1...2 where node.input(slot) != nil {
      guard let bound = knownTensor(slot), bound.elements.count == 1, let element = bound.elements[0] else {
        return nil
      }
      bounds[slot - 1] = element
    }
    return input.mapped { element in
      var clipped = element
      if let lower = bounds[0] {
        guard let order = KnownArithmetic.order(clipped, lower) else { return nil }
        if order < 0 { clipped = lower }
      }
      if let upper = bounds[1] {
        guard let order = KnownArithmetic.order(clipped, upper) else { return nil }
        if order > 0 { clipped = upper }
      }
      return clipped
    }
  }

  /// Where: a known condition picks the element of X or Y, which may be known even when the other is not.
  private func selectedValue(shape: [Int]) -> KnownTensor? {
    guard let operands = knownOperands() else { return nil }
    return KnownTensor.combined(operands, shape: shape) { elements in
      elements[0].flatMap(\.constant).flatMap { $0 != 0 ? elements[1] : elements[2] }
    }
  }

  /// Every operand as a known tensor (one that is not known but has a small known shape stands in as
  /// unknown elements), or `nil` when none is known or an operand's shape is not known.
  private func knownOperands() -> [KnownTensor]? {
    var operands: [KnownTensor] = []
    var anyKnown = false
    for slot in node.inputs.indices {
      if let known = knownTensor(slot) {
        operands.append(known)
        anyKnown = true
      } else if let dims = optionalOperand(slot)?.knownDims, let unknown = KnownTensor.unknown(shape: dims) {
        operands.append(unknown)
      } else {
        return nil
      }
    }
    return anyKnown ? operands : nil
  }
}
