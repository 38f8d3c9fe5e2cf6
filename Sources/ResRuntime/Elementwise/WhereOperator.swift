import ResPlan

/// `where`: `Y = condition ? X : Y` with numpy broadcasting of all three to the output. Any element type:
/// elements are moved by width, never interpreted.
struct WhereOperator: Operator {
  let condition: PlanBuffer
  let x: PlanBuffer
  let otherwise: PlanBuffer
  let y: PlanBuffer
  let layout: StridedWalk

  init(_: Rescompile_Plan_WhereParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 3...3, outputs: 1...1)
    condition = try operands.input(0, "condition", .bool)
    x = operands.inputs[1]
    otherwise = operands.inputs[2]
    y = operands.outputs[0]
    try operands.requireSameType(otherwise, "Y input", as: x)
    try operands.requireSameType(y, "output", as: x)
    guard let shape = Broadcast.shape([condition.shape, x.shape, otherwise.shape]) else {
      throw operands.failure(
        "condition \(ShapeText.of(condition.shape)), X \(ShapeText.of(x.shape)) and Y \(ShapeText.of(otherwise.shape)) do not broadcast"
      )
    }
    try operands.requireShape(y, "output", shape)
    layout = StridedWalk(
      broadcastingTo: shape,
      operandStrides: [condition.shape, x.shape, otherwise.shape].map { Broadcast.strides(of: $0, into: shape) ?? [] })
  }

  func run(_ context: RunContext) {
    switch x.elementType.byteWidth {
    case 8: select(UInt64.self, context)
    case 4: select(UInt32.self, context)
    case 2: select(UInt16.self, context)
    default: select(UInt8.self, context)
    }
  }

  private func select<T: FixedWidthInteger>(_: T.Type, _ context: RunContext) {
    let flags = UnsafeRawPointer(context.raw(condition))
    let chosen = UnsafeRawPointer(context.raw(x))
    let other = UnsafeRawPointer(context.raw(otherwise))
    let output = context.raw(y)
    let strides = layout.rowStrides
    let width = MemoryLayout<T>.size
    layout.run(context, elements: y.count) { offsets, columns in
      for column in columns {
        let flag = flags.load(fromByteOffset: offsets[0] + column * strides[0], as: UInt8.self)
        let value =
          flag != 0
          ? chosen.load(fromByteOffset: (offsets[1] + column * strides[1]) * width, as: T.self)
          : other.load(fromByteOffset: (offsets[2] + column * strides[2]) * width, as: T.self)
        output.storeBytes(of: value, toByteOffset: (offsets[3] + column) * width, as: T.self)
      }
    }
  }
}
