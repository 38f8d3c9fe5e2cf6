import ResIR

/// ONNX Softmax: `exp(x − max) / Σ exp(x − max)` along `axis` (opset 13 and later). With `coerced2D` (the
/// opset < 13 meaning) the input is flattened to 2-D at `axis` and each row of the flattened matrix, which
/// spans every axis from `axis` on, is normalized.
enum Softmax {
  static func evaluate(_ operands: NodeOperands, axis: Int, coerced2D: Bool) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let x = try operands.required(0, "input")
    let input = try x.floatValues("input")
    let layout: AxisReduction
    if coerced2D {
      guard axis >= -x.rank && axis <= x.rank else {
        throw EvaluationFailure("axis \(axis) is out of range for rank \(x.rank)")
      }
      let split = axis < 0 ? axis + x.rank : axis
      layout = AxisReduction(shape: [x.shape[..<split].reduce(1, *), x.shape[split...].reduce(1, *)], axis: 1)
    } else {
      layout = AxisReduction(shape: x.shape, axis: try ShapeArithmetic.axis(axis, rank: x.rank))
    }
    var output = input
    for o in 0..<layout.outer {
      for i in 0..<layout.inner {
        let line = layout.line(outer: o, inner: i)
        let maximum = line.reduce(-Double.infinity) { Swift.max($0, input[$1]) }
        let sum = line.reduce(0.0) { $0 + ScalarFunctions.exp(input[$1] - maximum) }
        for p in line { output[p] = ScalarFunctions.exp(input[p] - maximum) / sum }
      }
    }
    return ReferenceTensor(dtype: x.dtype, shape: x.shape, doubles: output)
  }
}
