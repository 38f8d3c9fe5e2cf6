extension NodeContext {
  /// The elements of the node's first result when they follow from known operand elements: the shape
  /// arithmetic PyTorch exports (`Shape → Gather → Unsqueeze → Concat → Reshape`, with `Mul`/`Div` on the
  /// way) and constants. Only called when `result` is a small integer tensor; `nil` when nothing follows.
  func propagatedElements(for result: TensorType) -> [Monomial?]? {
    guard let count = result.elementCount else { return nil }
    switch node.op {
    case .shape(let start, let end):
      guard let data = optionalOperand(0) else { return nil }
      return data.shape[NodeContext.shapeRange(start: start, end: end, rank: data.rank)].map { Monomial($0) }
    case .identity, .squeeze, .unsqueeze, .reshape:
      // Row-major order is unchanged, and the result has rank ≤ 1.
      return elements(0)
    case .cast(let dtype):
      return elements(0)?.map { $0.flatMap { NodeContext.converted($0, to: dtype) } }
    case .concat:
      return concatenatedElements()
    case .gather(let axis):
      return axis == 0 ? gatheredElements() : nil
    case .slice:
      return slicedElements()
    case .binary(let op):
      guard let a = elements(0), let b = elements(1) else { return nil }
      return NodeContext.elementwise(count, [a, b]) { NodeContext.apply(op, $0[0], $0[1]) }
    case .where:
      guard let condition = elements(0), let x = elements(1), let y = elements(2) else { return nil }
      return NodeContext.elementwise(count, [condition, x, y]) { operands in
        operands[0].flatMap { $0.constant }.flatMap { $0 != 0 ? operands[1] : operands[2] }
      }
    case .constantOfShape(let value):
      guard value.value.isFinite, value.value == value.value.rounded(), abs(value.value) < 0x1p62 else { return nil }
      return [Monomial?](repeating: Monomial(Int(value.value)), count: count)
    case .conv, .gemm, .matMul, .batchNormalization, .layerNormalization, .lrn, .unary, .clip, .variadic,
      .maxPool, .averagePool, .globalAveragePool, .reduceMean, .softmax, .flatten, .transpose, .split, .expand,
      .pad, .dropout, .lstm, .gru:
      return nil
    }
  }

  /// Concat of known pieces; a piece of known length but unknown content contributes unknown elements.
  private func concatenatedElements() -> [Monomial?]? {
    var all: [Monomial?] = []
    for slot in node.inputs.indices {
      guard let type = optionalOperand(slot), let length = type.elementCount else { return nil }
      all += elements(slot) ?? [Monomial?](repeating: nil, count: length)
    }
    return all
  }

  /// Gather along axis 0 of a known vector with known indices.
  private func gatheredElements() -> [Monomial?]? {
    guard let data = elements(0), let indices = integers(1) else { return nil }
    return indices.map { index in
      let position = index < 0 ? index + data.count : index
      return data.indices.contains(position) ? data[position] : nil
    }
  }

  /// Slice of a known vector with known bounds.
  private func slicedElements() -> [Monomial?]? {
    guard let data = elements(0), let starts = integers(1), let ends = integers(2), starts.count == 1,
      ends.count == 1
    else { return nil }
    if node.input(3) != nil {
      guard let axes = integers(3), axes == [0] || axes == [-1] else { return nil }
    }
    let steps = node.input(4) == nil ? [1] : integers(4)
    guard let steps, steps.count == 1, steps[0] != 0 else { return nil }
    let bounds = SliceBounds(start: starts[0], end: ends[0], step: steps[0], size: data.count)
    return (0..<bounds.count).map { data[bounds.start + $0 * steps[0]] }
  }

  /// Applies `combine` element by element to operands that are vectors of `count` elements or scalars.
  private static func elementwise(
    _ count: Int, _ operands: [[Monomial?]], _ combine: ([Monomial?]) -> Monomial?
  ) -> [Monomial?]? {
    guard operands.allSatisfy({ $0.count == 1 || $0.count == count }) else { return nil }
    return (0..<count).map { i in combine(operands.map { $0.count == 1 ? $0[0] : $0[i] }) }
  }

  /// Integer arithmetic on two known elements; division truncates toward zero, as the runtimes do, and a
  /// symbolic quotient must be exact.
  private static func apply(_ op: BinaryOp, _ a: Monomial?, _ b: Monomial?) -> Monomial? {
    guard let a, let b else { return nil }
    switch op {
    case .add: return a.adding(b)
    case .sub: return b.negated().flatMap { a.adding($0) }
    case .mul: return a.multiplied(by: b)
    case .div:
      if let x = a.constant, let y = b.constant {
        guard y != 0 else { return nil }
        let (quotient, overflow) = x.dividedReportingOverflow(by: y)
        return overflow ? nil : Monomial(quotient)
      }
      return a.divided(exactlyBy: b)
    case .equal:
      return provablyEqual(a, b).map { Monomial($0 ? 1 : 0) }
    case .pow, .mod:
      return nil
    }
  }

  /// Whether two elements are equal, when that is decidable: equal monomials are; different numbers are
  /// not; a size (never negative) is not a negative number, the `-1` that PyTorch's exports test for.
  private static func provablyEqual(_ a: Monomial, _ b: Monomial) -> Bool? {
    if a == b { return true }
    if a.constant != nil && b.constant != nil { return false }
    if let x = a.constant, x < 0, b.isProvablyNonNegative { return false }
    if let y = b.constant, y < 0, a.isProvablyNonNegative { return false }
    return nil
  }

  /// A known element cast to an integer type: numbers wrap like the runtime's conversion; a symbolic size is
  /// kept for the wide types it fits in.
  private static func converted(_ value: Monomial, to dtype: DType) -> Monomial? {
    guard let number = value.constant else {
      return dtype == .int64 || dtype == .int32 ? value : nil
    }
    switch dtype {
    case .int64: return value
    case .int32: return Monomial(Int(Int32(truncatingIfNeeded: number)))
    case .int8: return Monomial(Int(Int8(truncatingIfNeeded: number)))
    case .uint8: return Monomial(Int(UInt8(truncatingIfNeeded: number)))
    case .bool: return Monomial(number != 0 ? 1 : 0)
    case .float32, .float16, .float64: return nil
    }
  }
}
