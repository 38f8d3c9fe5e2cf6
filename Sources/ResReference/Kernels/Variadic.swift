import ResIR

/// ONNX Sum, Max and Min over one or more operands of one dtype, broadcast together. Float sums are exact in
/// `Double` and rounded once; Max and Min propagate NaN, as numpy's `maximum` and `minimum` do. Integer sums
/// wrap.
enum Variadic {
  static func evaluate(_ operands: NodeOperands, _ op: VariadicOp) throws(EvaluationFailure) -> ReferenceTensor {
    let inputs = operands.present
    guard let first = inputs.first else { throw EvaluationFailure("\(op.onnxName) needs at least one operand") }
    for (i, input) in inputs.enumerated() { try input.requireDType("operand \(i)", first.dtype) }
    guard first.dtype != .bool else { throw EvaluationFailure("\(op.onnxName) does not take bool") }
    let shape = try Broadcasting.shape(inputs.map(\.shape))
    let count = try ShapeArithmetic.elementCount(shape)
    let sources = inputs.map { Broadcasting.sourceIndices($0.shape, to: shape) }
    if first.dtype.isFloatingPoint {
      let values = inputs.map(\.doubles)
      var result = sources[0].map { values[0][$0] }
      for k in 1..<inputs.count {
        for i in 0..<count { result[i] = combine(op, result[i], values[k][sources[k][i]]) }
      }
      return ReferenceTensor(dtype: first.dtype, shape: shape, doubles: result)
    }
    let values = inputs.map(\.integers)
    var result = sources[0].map { values[0][$0] }
    for k in 1..<inputs.count {
      for i in 0..<count { result[i] = combine(op, result[i], values[k][sources[k][i]]) }
    }
    return ReferenceTensor(dtype: first.dtype, shape: shape, integers: result)
  }

  private static func combine(_ op: VariadicOp, _ x: Double, _ y: Double) -> Double {
    if x.isNaN || y.isNaN { return op == .sum ? x + y : .nan }
    switch op {
    case .sum: return x + y
    case .max: return Swift.max(x, y)
    case .min: return Swift.min(x, y)
    }
  }

  private static func combine(_ op: VariadicOp, _ x: Int64, _ y: Int64) -> Int64 {
    switch op {
    case .sum: x &+ y
    case .max: Swift.max(x, y)
    case .min: Swift.min(x, y)
    }
  }
}
