import ResIR
import ResPlan

/// Gather, Pad, and the ops that fill a tensor with one value (ConstantOfShape too large to fold, Dropout's
/// mask). Any element type.
extension GraphLowering {
  /// Gather's indices are converted to int64, the only index type the kernel reads.
  mutating func lowerGather(_ node: Node, axis: Int) throws(ModelError) {
    let data = try required(node, 0, "data")
    var params = Rescompile_Plan_GatherParams()
    params.axis = Int64(axis)
    try emit(
      node, .gather, .gather(params),
      inputs: [.value(data), .value(try required(node, 1, "indices"), as: .int64)],
      outputs: [.value(try result(node))])
  }

  /// Constant mode always reads a one-element value in the data's type: the model's, or zero (ONNX's default).
  mutating func lowerPad(_ node: Node, mode: PadMode, pads: [Int]) throws(ModelError) {
    let data = try required(node, 0, "data")
    var params = Rescompile_Plan_PadParams()
    params.pads = pads.map(Int64.init)
    var inputs: [StepOperand] = [.value(data)]
    switch mode {
    case .constant:
      params.mode = .constant
      if let value = node.input(1) {
        inputs.append(.value(value, as: dtype(of: data)))
      } else {
        inputs.append(.tensor(derivedConstant("\(node.name).value", ConstantConversion.scalar(0, dtype(of: data)))))
      }
    case .reflect: params.mode = .reflect
    case .edge: params.mode = .edge
    case .wrap: params.mode = .wrap
    }
    try emit(node, .pad, .pad(params), inputs: inputs, outputs: [.value(try result(node))])
  }

  /// ConstantOfShape whose result was too large to store as a constant: a `fill` step at run time.
  mutating func lowerConstantOfShape(_ node: Node, value: ScalarValue) throws(ModelError) {
    try fill(node, result: try result(node), with: value.value)
  }

  /// Dropout in inference: the data passes through (a view), and the mask, if read, is all true.
  mutating func lowerDropout(_ node: Node) throws(ModelError) {
    try bindView(try result(node, 0), to: try operandTensor(node, 0))
    if node.outputs.count > 1, liveness.isLive(node.outputs[1]) {
      try fill(node, result: node.outputs[1], with: 1)
    }
  }

  private mutating func fill(_ node: Node, result: ValueID, with value: Double) throws(ModelError) {
    var params = Rescompile_Plan_FillParams()
    params.value = value
    try emit(node, .fill, .fill(params), inputs: [], outputs: [.value(result)])
  }
}
