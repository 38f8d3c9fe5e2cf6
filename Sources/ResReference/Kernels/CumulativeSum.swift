import ResIR

/// ONNX CumSum: the running sum along `axis`, each partial sum rounded to the type (floats) or wrapped
/// (integers) as a sequential loop in that type computes it. `exclusive` leaves an element out of its own sum
/// (the first is 0); `reverse` runs from the end of the axis.
enum CumulativeSum {
  static func evaluate(_ operands: NodeOperands, axis: Int, exclusive: Bool, reverse: Bool) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let x = try operands.required(0, "x")
    let layout = AxisReduction(shape: x.shape, axis: try ShapeArithmetic.axis(axis, rank: x.rank))
    let order = reverse ? Array((0..<layout.axisSize).reversed()) : Array(0..<layout.axisSize)
    func scan<T>(_ values: [T], zero: T, add: (T, T) -> T) -> [T] {
      var result = values
      for outer in 0..<layout.outer {
        for inner in 0..<layout.inner {
          var total = zero
          for position in order {
            let index = (outer * layout.axisSize + position) * layout.inner + inner
            let value = values[index]
            if exclusive {
              result[index] = total
              total = add(total, value)
            } else {
              total = add(total, value)
              result[index] = total
            }
          }
        }
      }
      return result
    }
    switch x.storage {
    case .floating(let values):
      let sums = scan(values, zero: 0) { ElementConversion.rounded($0 + $1, to: x.dtype) }
      return ReferenceTensor(dtype: x.dtype, shape: x.shape, storage: .floating(sums))
    case .integral(let values):
      let sums = scan(values, zero: 0) { ElementConversion.wrapped($0 &+ $1, to: x.dtype) }
      return ReferenceTensor(dtype: x.dtype, shape: x.shape, storage: .integral(sums))
    }
  }
}
