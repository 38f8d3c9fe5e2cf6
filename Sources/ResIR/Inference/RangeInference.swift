extension NodeContext {
  /// Range: a vector of `max(⌈(limit − start) / delta⌉, 0)` elements of the operands' type (ONNX's formula).
  ///
  /// Its length is a value, not a type: inference knows it when the three scalars are known — constants, or
  /// shape arithmetic on static dimensions — and `Range(0, N, 1)` of a symbolic size is `[N]`. Otherwise the
  /// length is unknown until the code generator has bound every input dimension and folded the node.
  func range() throws(ModelError) -> TensorType {
    try requireSameDType([0, 1, 2])
    for (slot, what) in [(0, "start"), (1, "limit"), (2, "delta")] {
      let type = try operand(slot)
      try requireDType(type, .floatsAndWideIntegers, what)
      try requireScalar(type, what)
    }
    if let delta = rangeScalar(2), delta == 0 { throw error("delta is 0: the range would never reach its limit") }
    let length = rangeLength()
    if let count = length.value, count > RangeLength.maximum {
      throw error("the range has \(count) elements, more than \(RangeLength.maximum)")
    }
    return TensorType(try operand(0).dtype, [length])
  }


  /// The known elements of a Range short enough to track: `start + i·delta`, for integer types (a float range
  /// of whole numbers is rare and inference tracks floats only where they are whole).
  func rangeValue(shape: [Int]) -> KnownTensor? {
    guard let dtype = optionalOperand(0)?.dtype, !dtype.isFloatingPoint, shape.count == 1,
      let start = integers(0)?.first, let delta = integers(2)?.first
    else { return nil }
    return KnownTensor.generate(shape: shape) { index in
      let (step, overflow) = delta.multipliedReportingOverflow(by: index[0])
      let (element, overflowAgain) = start.addingReportingOverflow(step)
      return overflow || overflowAgain ? nil : Monomial(element)
    }
  }

  /// The length as a dimension: a number when the operands are numbers, the symbol of `Range(0, N, 1)`,
  /// unknown otherwise.
  private func rangeLength() -> Dim {
    if let start = rangeScalar(0), let limit = rangeScalar(1), let delta = rangeScalar(2) {
      return .known(Self.rangeCount(start: start, limit: limit, delta: delta))
    }
    if rangeScalar(0) == 0, rangeScalar(2) == 1, let limit = elements(1)?.first ?? nil {
      return limit.dim
    }
    return .unknown
  }

  /// ONNX's element count, clamped at zero (a limit on the wrong side of start gives an empty range, and so
  /// does a NaN bound) and at `Int.max / 2` (an infinite bound), so that hostile bounds cannot trap here; the
  /// evaluator then refuses a range that large.
  static func rangeCount(start: Double, limit: Double, delta: Double) -> Int {
    let count = ((limit - start) / delta).rounded(.up)
    guard count > 0 else { return 0 }
    return count >= Double(Int.max / 2) ? Int.max / 2 : Int(count)
  }

  /// A Range operand's exact value: a constant's single element (a float of any value), or a number that
  /// shape inference knows. nil when it depends on run-time data or a symbolic size.
  private func rangeScalar(_ slot: Int) -> Double? {
    guard let value = node.input(slot) else { return nil }
    if let constant = graph.constant(value), constant.elementCount == 1 { return constant.doubles().first }
    guard let element = elements(slot)?.first ?? nil, let number = element.constant else { return nil }
    return Double(number)
  }
}

/// How long a Range may be.
public enum RangeLength {
  /// 2^24 elements (64 MB as f32). A plan has no Range step, so every Range is evaluated when compiling and
  /// stored in the plan, and the evaluation holds each element as a Double, then the cast and the constant:
  /// a 250-byte model asking for 2^28 elements took 6.3 GB and 19 s to compile into a 1 GB plan. Position
  /// ids and shape arithmetic, what models use Range for, are far shorter. Shape inference refuses a longer
  /// range whose length it knows; the reference evaluator one whose length only it learns.
  public static let maximum = 1 << 24
}
