import ResPlan

/// `gather`: `Y = data` indexed along `axis` by `indices` (i64 or i32; negative counts from the end). The
/// output shape is `data[:axis] + indices.shape + data[axis+1:]`. Indices are data, so each one is checked
/// while running: one out of range stops the run with an error naming it.
struct GatherOperator: Operator {
  let data: PlanBuffer
  let indices: PlanBuffer
  let y: PlanBuffer
  let site: StepSite
  /// Elements before the axis, the axis size, and bytes per gathered slice.
  let outer: Int
  let axisSize: Int
  let sliceBytes: Int

  init(_ params: Rescompile_Plan_GatherParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 2...2, outputs: 1...1)
    data = operands.inputs[0]
    indices = try operands.input(1, "indices", [.i64, .i32])
    y = operands.outputs[0]
    site = operands.site
    try operands.requireSameType(y, "Y", as: data)
    let rank = Int64(data.rank)
    guard params.axis >= -rank, params.axis < rank else {
      throw operands.failure("axis \(params.axis) is out of range for data \(ShapeText.of(data.shape))")
    }
    let axis = Int(params.axis < 0 ? params.axis + rank : params.axis)
    let expected = Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...])
    try operands.requireShape(y, "Y", expected)
    axisSize = data.shape[axis]
    if y.count == 0 {
      (outer, sliceBytes) = (0, 0)
    } else {
      outer = data.shape[..<axis].reduce(1, *)
      sliceBytes = data.shape[(axis + 1)...].reduce(1, *) * data.elementType.byteWidth
    }
  }

  func run(_ context: RunContext) throws(RuntimeError) {
    let source = UnsafeRawPointer(context.raw(data))
    let positions = UnsafeRawPointer(context.raw(indices))
    let destination = context.raw(y)
    let count = indices.count
    for position in 0..<count {
      let index = try checkedIndex(position, positions)
      for block in 0..<outer {
        (destination + (block * count + position) * sliceBytes).copyMemory(
          from: source + (block * axisSize + index) * sliceBytes, byteCount: sliceBytes)
      }
    }
  }

  private func checkedIndex(_ position: Int, _ positions: UnsafeRawPointer) throws(RuntimeError) -> Int {
    let raw: Int64 =
      indices.elementType == .i64
      ? positions.load(fromByteOffset: position * 8, as: Int64.self)
      : Int64(positions.load(fromByteOffset: position * 4, as: Int32.self))
    let size = Int64(axisSize)
    guard raw >= -size, raw < size else {
      throw RuntimeError(
        .execution, "\(site): index \(raw) at position \(position) is out of range for an axis of size \(axisSize)")
    }
    return Int(raw < 0 ? raw + size : raw)
  }
}
