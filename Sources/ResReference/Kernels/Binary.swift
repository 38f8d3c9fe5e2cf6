import ResIR

/// The elementwise ops of two operands, with numpy's multidirectional broadcasting.
///
/// Both operands have one dtype, except Pow, whose exponent may be of any numeric type (the result has the
/// base's type). Float results are computed in `Double` and rounded once; integer results follow
/// `IntegerArithmetic` and wrap to the operands' width. Float Mod with `fmod = 0` follows numpy's `mod` (sign
/// of the divisor), as ONNX's reference implementation does; C's `fmod` with `fmod = 1`. PRelu is ONNX's
/// `x < 0 ? x · slope : x`.
enum Binary {
  static func evaluate(_ operands: NodeOperands, _ op: BinaryOp) throws(EvaluationFailure) -> ReferenceTensor {
    let a = try operands.required(0, "A")
    let b = try operands.required(1, "B")
    if op != .pow { try b.requireDType("B", a.dtype) }
    let shape = try Broadcasting.shape([a.shape, b.shape])
    _ = try ShapeArithmetic.elementCount(shape)
    let left = Broadcasting.sourceIndices(a.shape, to: shape)
    let right = Broadcasting.sourceIndices(b.shape, to: shape)
    if op == .equal {
      let equal = zip(left, right).map { (l, r) in Self.equal(a, l, b, r) ? Int64(1) : 0 }
      return ReferenceTensor(dtype: .bool, shape: shape, storage: .integral(equal))
    }
    if case .compare(let comparison) = op {
      let holds = zip(left, right).map { (l, r) in Self.compare(comparison, a, l, b, r) ? Int64(1) : 0 }
      return ReferenceTensor(dtype: .bool, shape: shape, storage: .integral(holds))
    }
    guard a.dtype != .bool, b.dtype != .bool else { throw EvaluationFailure("\(op.onnxName) does not take bool") }
    switch a.storage {
    case .floating(let x):
      let y = b.doubles
      let values = zip(left, right).map { (l, r) in floatResult(op, x[l], y[r]) }
      return ReferenceTensor(dtype: a.dtype, shape: shape, doubles: values)
    case .integral(let x):
      var values = [Int64](repeating: 0, count: left.count)
      for i in values.indices {
        values[i] = try integerResult(op, x[left[i]], b, right[i])
      }
      return ReferenceTensor(dtype: a.dtype, shape: shape, integers: values)
    }
  }

  /// Integers compare exactly (an int64 beyond 2^53 is not rounded first); NaN makes every comparison false.
  private static func compare(
    _ comparison: Comparison, _ a: ReferenceTensor, _ l: Int, _ b: ReferenceTensor, _ r: Int
  ) -> Bool {
    switch (a.storage, b.storage) {
    case (.integral(let x), .integral(let y)): comparison.holds(x[l], y[r])
    case (.floating(let x), .floating(let y)): comparison.holds(x[l], y[r])
    case (.floating, .integral), (.integral, .floating): false
    }
  }

  private static func equal(_ a: ReferenceTensor, _ l: Int, _ b: ReferenceTensor, _ r: Int) -> Bool {
    switch (a.storage, b.storage) {
    case (.integral(let x), .integral(let y)): x[l] == y[r]
    case (.floating(let x), .floating(let y)): x[l] == y[r]
    case (.floating, .integral), (.integral, .floating): false
    }
  }

  private static func floatResult(_ op: BinaryOp, _ x: Double, _ y: Double) -> Double {
    switch op {
    case .add: x + y
    case .sub: x - y
    case .mul: x * y
    case .div: x / y
    case .pow: ScalarFunctions.pow(x, y)
    case .mod(let fmod): fmod ? ScalarFunctions.fmod(x, y) : numpyModulo(x, y)
    case .equal: x == y ? 1 : 0
    case .compare(let comparison): comparison.holds(x, y) ? 1 : 0
    case .prelu: x < 0 ? x * y : x
    }
  }

  /// numpy's float `mod`: C's `fmod`, moved by one divisor when its sign differs from the divisor's.
  private static func numpyModulo(_ x: Double, _ y: Double) -> Double {
    let remainder = ScalarFunctions.fmod(x, y)
    guard remainder != 0, (remainder < 0) != (y < 0) else { return remainder }
    return remainder + y
  }

  /// One integer result; `b` is read as an integer, or (Pow only) as a float exponent.
  private static func integerResult(_ op: BinaryOp, _ x: Int64, _ b: ReferenceTensor, _ r: Int)
    throws(EvaluationFailure) -> Int64
  {
    let y: Int64
    switch b.storage {
    case .integral(let values): y = values[r]
    case .floating(let values):
      // Only Pow gets here with a float operand: an integer base to a float power, truncated like a Cast.
      return ElementConversion.integer(from: ScalarFunctions.pow(Double(x), values[r]), to: .int64)
    }
    switch op {
    case .add: return x &+ y
    case .sub: return x &- y
    case .mul: return x &* y
    case .div: return try IntegerArithmetic.divide(x, y)
    case .pow: return try IntegerArithmetic.power(x, y)
    case .mod(let fmod): return try IntegerArithmetic.modulo(x, y, fmod: fmod)
    case .equal: return x == y ? 1 : 0
    case .compare(let comparison): return comparison.holds(x, y) ? 1 : 0
    case .prelu: return x < 0 ? x &* y : x
    }
  }
}
