import ResPlan

/// `gather_elements`: `Y[i…] = data[i…]` with the `axis` coordinate replaced by `indices[i…]` (i64, negative
/// counting from the end). Y has the indices' shape. Indices are data: each is checked while running.
struct GatherElementsOperator: Operator {
  let data: PlanBuffer
  let indices: PlanBuffer
  let y: PlanBuffer
  let site: StepSite
  let axis: Int
  /// Element strides of data, by axis.
  let dataStrides: [Int]

  init(_ params: Rescompile_Plan_GatherElementsParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 2...2, outputs: 1...1)
    data = operands.inputs[0]
    indices = try operands.input(1, "indices", .i64)
    y = operands.outputs[0]
    site = operands.site
    try operands.requireSameType(y, "Y", as: data)
    try operands.requireShape(y, "Y", indices.shape)
    guard params.axis >= 0, params.axis < Int64(data.rank) else {
      throw operands.failure("axis \(params.axis) is out of range for data \(ShapeText.of(data.shape))")
    }
    let axis = Int(params.axis)
    self.axis = axis
    let fits = indices.rank == data.rank
      && zip(indices.shape, data.shape).enumerated().allSatisfy { $0.offset == axis || $0.element.0 <= $0.element.1 }
    guard fits else {
      throw operands.failure("indices \(ShapeText.of(indices.shape)) do not fit data \(ShapeText.of(data.shape))")
    }
    dataStrides = Broadcast.contiguousStrides(data.shape)
  }

  func run(_ context: RunContext) throws(RuntimeError) {
    let width = data.elementType.byteWidth
    let source = UnsafeRawPointer(context.raw(data))
    let destination = context.raw(y)
    let positions = UnsafeRawPointer(context.raw(indices)).assumingMemoryBound(to: Int64.self)
    let axisSize = Int64(data.shape[axis])
    var coordinates = [Int](repeating: 0, count: indices.rank)
    for position in 0..<indices.count {
      let raw = positions[position]
      guard raw >= -axisSize, raw < axisSize else {
        throw RuntimeError(
          .execution, "\(site): index \(raw) at position \(position) is out of range for an axis of size \(axisSize)")
      }
      var offset = 0
      for (dimension, coordinate) in coordinates.enumerated() {
        offset += (dimension == axis ? Int(raw < 0 ? raw + axisSize : raw) : coordinate) * dataStrides[dimension]
      }
      (destination + position * width).copyMemory(from: source + offset * width, byteCount: width)
      Broadcast.advance(&coordinates, within: indices.shape)
    }
  }
}
