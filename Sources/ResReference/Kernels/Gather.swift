import ResIR

/// ONNX Gather: `output[i₀…, j…, k…] = data[i₀…, indices[j…], k…]` along `axis`, negative indices counting
/// from the end. An index outside the axis is an error in the model's data, reported with its value.
enum Gather {
  static func evaluate(_ operands: NodeOperands, axis: Int) throws(EvaluationFailure) -> ReferenceTensor {
    let data = try operands.required(0, "data")
    let indicesTensor = try operands.required(1, "indices")
    let indices = try indicesTensor.indexValues("indices")
    let a = try ShapeArithmetic.axis(axis, rank: data.rank)
    let layout = AxisReduction(shape: data.shape, axis: a)
    let shape = Array(data.shape[..<a]) + indicesTensor.shape + Array(data.shape[(a + 1)...])
    _ = try ShapeArithmetic.elementCount(shape)
    var resolved: [Int] = []
    resolved.reserveCapacity(indices.count)
    for index in indices {
      guard index >= -Int64(layout.axisSize), index < Int64(layout.axisSize) else {
        throw EvaluationFailure("index \(index) is out of range for axis \(a) of size \(layout.axisSize)")
      }
      resolved.append(Int(index < 0 ? index + Int64(layout.axisSize) : index))
    }
    var sources: [Int] = []
    sources.reserveCapacity(layout.outer * resolved.count * layout.inner)
    for o in 0..<layout.outer {
      for index in resolved {
        let base = (o * layout.axisSize + index) * layout.inner
        sources.append(contentsOf: base..<(base + layout.inner))
      }
    }
    return data.gathering(sources, shape: shape)
  }
}
