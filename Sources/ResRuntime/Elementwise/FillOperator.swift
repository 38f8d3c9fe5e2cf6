import ResPlan

/// `fill`: every element of the output set to one value (ConstantOfShape), converted like a Cast from f64.
struct FillOperator: Operator {
  let y: PlanBuffer
  let value: ScalarValue

  init(_ params: Rescompile_Plan_FillParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 0...0, outputs: 1...1)
    y = operands.outputs[0]
    value = .real(params.value)
  }

  func run(_ context: RunContext) {
    guard y.count > 0 else { return }
    let output = context.raw(y)
    let width = y.elementType.byteWidth
    // Convert once into the first element, then double the filled prefix until it covers the buffer.
    value.write(y.elementType, output, 0)
    var filled = 1
    while filled < y.count {
      let chunk = min(filled, y.count - filled)
      (output + filled * width).copyMemory(from: output, byteCount: chunk * width)
      filled += chunk
    }
  }
}
