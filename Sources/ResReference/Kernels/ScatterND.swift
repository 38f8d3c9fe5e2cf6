import ResIR

/// ONNX ScatterND: a copy of `data` in which the slice each index tuple addresses (the last axis of `indices`
/// holds tuples of length `k`, addressing data's first `k` axes; the slice is the rest of data) is replaced by,
/// or with a reduction combined with, the matching slice of `updates`. Tuples apply in row-major order, so of
/// two tuples addressing one slice without a reduction the later wins (ONNX leaves that case undefined; this
/// is what onnxruntime does and what the runtime does too). Each combined element is rounded to the type.
enum ScatterND {
  static func evaluate(_ operands: NodeOperands, reduction: ScatterReduction) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let data = try operands.required(0, "data")
    let indicesTensor = try operands.required(1, "indices")
    let updates = try operands.required(2, "updates")
    try updates.requireDType("updates", data.dtype)
    let indices = try indicesTensor.indexValues("indices")
    guard let depth = indicesTensor.shape.last, depth >= 1, depth <= data.rank else {
      let shape = ShapeArithmetic.describe(indicesTensor.shape)
      throw EvaluationFailure("indices \(shape) must end in a length from 1 to data's rank \(data.rank)")
    }
    let sliceShape = Array(data.shape[depth...])
    let expected = Array(indicesTensor.shape.dropLast()) + sliceShape
    guard updates.shape == expected else {
      throw EvaluationFailure(
        "updates has shape \(ShapeArithmetic.describe(updates.shape)), expected \(ShapeArithmetic.describe(expected))")
    }
    let sliceSize = ShapeArithmetic.product(sliceShape) ?? 0
    let offsets = try sliceOffsets(indices, depth: depth, dataShape: data.shape, sliceSize: sliceSize)
    return combined(data, updates, at: offsets, sliceSize: sliceSize, reduction: reduction)
  }

  /// The element offset in data of the slice each tuple addresses, in tuple order.
  private static func sliceOffsets(_ indices: [Int64], depth: Int, dataShape: [Int], sliceSize: Int)
    throws(EvaluationFailure) -> [Int]
  {
    var offsets: [Int] = []
    offsets.reserveCapacity(indices.count / depth)
    for start in stride(from: 0, to: indices.count, by: depth) {
      var offset = 0
      for axis in 0..<depth {
        let size = dataShape[axis]
        let index = indices[start + axis]
        guard index >= -Int64(size), index < Int64(size) else {
          throw EvaluationFailure("index \(index) is out of range for axis \(axis) of size \(size)")
        }
        offset = offset * size + Int(index < 0 ? index + Int64(size) : index)
      }
      offsets.append(offset * sliceSize)
    }
    return offsets
  }

  private static func combined(
    _ data: ReferenceTensor, _ updates: ReferenceTensor, at offsets: [Int], sliceSize: Int,
    reduction: ScatterReduction
  ) -> ReferenceTensor {
    switch (data.storage, updates.storage) {
    case (.floating(var values), .floating(let new)):
      apply(&values, new, offsets, sliceSize) { old, update in
        ElementConversion.rounded(combine(old, update, reduction), to: data.dtype)
      }
      return ReferenceTensor(dtype: data.dtype, shape: data.shape, storage: .floating(values))
    case (.integral(var values), .integral(let new)):
      apply(&values, new, offsets, sliceSize) { old, update in
        ElementConversion.wrapped(combine(old, update, reduction), to: data.dtype)
      }
      return ReferenceTensor(dtype: data.dtype, shape: data.shape, storage: .integral(values))
    default:
      preconditionFailure("data and updates share a dtype, so they share a storage kind")
    }
  }

  private static func apply<Element>(
    _ values: inout [Element], _ updates: [Element], _ offsets: [Int], _ sliceSize: Int,
    _ combine: (Element, Element) -> Element
  ) {
    for (tuple, offset) in offsets.enumerated() {
      for element in 0..<sliceSize {
        values[offset + element] = combine(values[offset + element], updates[tuple * sliceSize + element])
      }
    }
  }

  private static func combine(_ old: Double, _ update: Double, _ reduction: ScatterReduction) -> Double {
    switch reduction {
    case .none: update
    case .add: old + update
    case .mul: old * update
    case .max: old.isNaN || update.isNaN ? .nan : Swift.max(old, update)
    case .min: old.isNaN || update.isNaN ? .nan : Swift.min(old, update)
    }
  }

  private static func combine(_ old: Int64, _ update: Int64, _ reduction: ScatterReduction) -> Int64 {
    switch reduction {
    case .none: update
    case .add: old &+ update
    case .mul: old &* update
    case .max: Swift.max(old, update)
    case .min: Swift.min(old, update)
    }
  }
}
