import ResIR

/// ONNX TopK: along the axis, the `k` largest (or smallest) elements, best first, and their int64 positions.
/// Equal elements keep position order and a NaN ranks above every number (first when largest, last when
/// smallest), as onnxruntime orders them. Integers are compared as integers, so int64 stays exact.
enum TopK {
  static func evaluate(_ operands: NodeOperands, _ attributes: TopKAttributes) throws(EvaluationFailure)
    -> [ReferenceTensor]
  {
    let x = try operands.required(0, "X")
    let axis = try ShapeArithmetic.axis(attributes.axis, rank: x.rank)
    let layout = AxisReduction(shape: x.shape, axis: axis)
    let k = attributes.k
    guard k >= 0, k <= layout.axisSize else {
      throw EvaluationFailure("k \(k) does not fit axis \(axis) of length \(layout.axisSize)")
    }
    var sources = [Int](repeating: 0, count: layout.outer * k * layout.inner)
    var positions = [Int64](repeating: 0, count: sources.count)
    for outer in 0..<layout.outer {
      for inner in 0..<layout.inner {
        let line = Array(layout.line(outer: outer, inner: inner))
        let best = bestPositions(x, line: line, k: k, largest: attributes.largest)
        for (rank, position) in best.enumerated() {
          let target = (outer * k + rank) * layout.inner + inner
          sources[target] = line[position]
          positions[target] = Int64(position)
        }
      }
    }
    var shape = x.shape
    shape[axis] = k
    return [
      x.gathering(sources, shape: shape), ReferenceTensor(dtype: .int64, shape: shape, storage: .integral(positions)),
    ]
  }

  /// The positions along the line (`line` holds the elements' indices in `x`) of its `k` best elements.
  private static func bestPositions(_ x: ReferenceTensor, line: [Int], k: Int, largest: Bool) -> [Int] {
    switch x.storage {
    case .floating(let values): ranked(line.map { values[$0] }, k: k, largest: largest, isNaN: \.isNaN)
    case .integral(let values): ranked(line.map { values[$0] }, k: k, largest: largest, isNaN: { _ in false })
    }
  }

  /// The positions of the `k` best of `line`: larger (or smaller) first, a NaN above every number, the
  /// smaller position first among equals. A strict total order, so any sort gives the one answer.
  static func ranked<T: Comparable>(_ line: [T], k: Int, largest: Bool, isNaN: (T) -> Bool) -> [Int] {
    let order = line.indices.sorted { a, b in
      let (u, v) = (line[a], line[b])
      if isNaN(u) != isNaN(v) { return largest == isNaN(u) }
      if !isNaN(u), u != v { return largest ? u > v : u < v }
      return a < b
    }
    return Array(order.prefix(k))
  }
}
