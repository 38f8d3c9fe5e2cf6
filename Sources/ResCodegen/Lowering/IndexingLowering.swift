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

  /// ScatterND: the runtime checks each index tuple while running; a reduction needs an element type the
  /// runtime combines.
  mutating func lowerScatterND(_ node: Node, reduction: ScatterReduction) throws(ModelError) {
    let data = try required(node, 0, "data")
    if reduction != .none, ![.float32, .float64, .int64, .int32].contains(dtype(of: data)) {
      throw ModelError(
        node, "ScatterND with reduction '\(reduction.rawValue)' on \(dtype(of: data).onnxName) data is not supported")
    }
    var params = Rescompile_Plan_ScatterNDParams()
    params.reduction = Self.planReduction(reduction)
    try emit(
      node, .scatterND, .scatterNd(params),
      inputs: [
        .value(data), .value(try required(node, 1, "indices"), as: .int64), .value(try required(node, 2, "updates")),
      ],
      outputs: [.value(try result(node))])
  }

  /// GatherElements: indices are read as i64 (an i32 constant or value is converted); each is checked while
  /// running.
  mutating func lowerGatherElements(_ node: Node, axis: Int) throws(ModelError) {
    var params = Rescompile_Plan_GatherElementsParams()
    params.axis = Int64(axis)
    try emit(
      node, .gatherElements, .gatherElements(params),
      inputs: [.value(try required(node, 0, "data")), .value(try required(node, 1, "indices"), as: .int64)],
      outputs: [.value(try result(node))])
  }

  /// CumSum sums in the input's own type, one element after another, as the reference evaluator does.
  mutating func lowerCumSum(_ node: Node, axis: Int, exclusive: Bool, reverse: Bool) throws(ModelError) {
    let x = try required(node, 0, "x")
    guard [.float32, .float64, .int64, .int32].contains(dtype(of: x)) else {
      throw ModelError(node, "CumSum of \(dtype(of: x).onnxName) is not supported (float, double, int64, int32)")
    }
    var params = Rescompile_Plan_CumSumParams()
    params.axis = Int64(axis)
    params.exclusive = exclusive
    params.reverse = reverse
    try emit(node, .cumSum, .cumSum(params), inputs: [.value(x)], outputs: [.value(try result(node))])
  }

  mutating func lowerTrilu(_ node: Node, upper: Bool, k: Int) throws(ModelError) {
    var params = Rescompile_Plan_TriluParams()
    params.upper = upper
    params.k = Int64(k)
    try emit(
      node, .trilu, .trilu(params), inputs: [.value(try required(node, 0, "input"))],
      outputs: [.value(try result(node))])
  }

  /// Resize in f32 (other float types are converted around it): the importer fixed every size, so the step
  /// only needs the factors the coordinates use.
  mutating func lowerResize(_ node: Node, _ attributes: ResizeAttributes) throws(ModelError) {
    let x = try required(node, 0, "X")
    try requireFloatCompute(node, x)
    var params = Rescompile_Plan_ResizeParams()
    switch attributes.mode {
    case .nearest: params.mode = .nearest
    case .linear: params.mode = .linear
    case .cubic: params.mode = .cubic
    }
    params.cubicCoeffA = attributes.cubicCoefficient
    params.excludeOutside = attributes.excludeOutside
    params.coordinates = Self.planCoordinates(attributes.coordinates)
    params.nearest = Self.planNearest(attributes.nearestRounding)
    params.scales = attributes.scales
    try emit(node, .resize, .resize(params), inputs: [.float32(x)], outputs: [.float32(try result(node))])
  }

  private static func planCoordinates(_ mode: ResizeCoordinates) -> Rescompile_Plan_ResizeParams.Coordinates {
    switch mode {
    case .halfPixel: .halfPixel
    case .halfPixelSymmetric: .halfPixelSymmetric
    case .pytorchHalfPixel: .pytorchHalfPixel
    case .alignCorners: .alignCorners
    case .asymmetric: .asymmetric
    }
  }

  private static func planNearest(_ rounding: NearestRounding) -> Rescompile_Plan_ResizeParams.Nearest {
    switch rounding {
    case .roundPreferFloor: .roundPreferFloor
    case .roundPreferCeil: .roundPreferCeil
    case .floor: .floor
    case .ceil: .ceil
    }
  }

  private static func planReduction(_ reduction: ScatterReduction) -> Rescompile_Plan_ScatterNDParams.Reduction {
    switch reduction {
    case .none: .none
    case .add: .add
    case .mul: .mul
    case .max: .max
    case .min: .min
    }
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
