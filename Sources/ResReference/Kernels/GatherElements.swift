import ResIR

/// ONNX GatherElements: `output[i…] = data[i…]` with the `axis` coordinate replaced by `indices[i…]`
/// (negative counting from the end); the output has indices' shape. An index outside the axis is an error in
/// the model's data, reported with its value.
enum GatherElements {
  static func evaluate(_ operands: NodeOperands, axis: Int) throws(EvaluationFailure) -> ReferenceTensor {
    let data = try operands.required(0, "data")
    let indicesTensor = try operands.required(1, "indices")
    let indices = try indicesTensor.indexValues("indices")
    let a = try ShapeArithmetic.axis(axis, rank: data.rank)
    let fits = zip(indicesTensor.shape, data.shape).enumerated().allSatisfy { axis, sizes in
      axis == a || sizes.0 <= sizes.1
    }
    guard indicesTensor.rank == data.rank, fits else {
      let indicesText = ShapeArithmetic.describe(indicesTensor.shape)
      throw EvaluationFailure("indices \(indicesText) do not fit data \(ShapeArithmetic.describe(data.shape))")
    }
    let dataStrides = ShapeArithmetic.strides(data.shape)
    let axisSize = Int64(data.shape[a])
    var coordinates = [Int](repeating: 0, count: data.rank)
    var sources: [Int] = []
    sources.reserveCapacity(indices.count)
    for index in indices {
      guard index >= -axisSize, index < axisSize else {
        throw EvaluationFailure("index \(index) is out of range for axis \(a) of size \(axisSize)")
      }
      var source = 0
      for (position, coordinate) in coordinates.enumerated() {
        let value = position == a ? Int(index < 0 ? index + axisSize : index) : coordinate
        source += value * dataStrides[position]
      }
      sources.append(source)
      ShapeArithmetic.advance(&coordinates, within: indicesTensor.shape)
    }
    return data.gathering(sources, shape: indicesTensor.shape)
  }
}
