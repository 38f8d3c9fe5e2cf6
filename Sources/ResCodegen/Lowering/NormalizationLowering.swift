import ResIR
import ResPlan

/// BatchNormalization, ScaleShift, LayerNormalization and LRN. Their kernels compute in f32; other float types
/// are converted around them.
extension GraphLowering {
  /// Inference BatchNormalization is a per-channel affine map. With constant parameters the scale and shift are
  /// computed here, in Double, and the step is one `f32_channel_affine`:
  /// `scale = γ / √(var + ε)`, `shift = β − mean · scale`.
  /// With parameters computed at run time, the same arithmetic becomes binary steps on the [C] vectors, and the
  /// map two broadcast binary steps on X.
  mutating func lowerBatchNormalization(_ node: Node, epsilon: Float) throws(ModelError) {
    let x = try required(node, 0, "X")
    try requireFloatCompute(node, x)
    let parameters = [
      try required(node, 1, "scale"), try required(node, 2, "B"), try required(node, 3, "mean"),
      try required(node, 4, "var"),
    ]
    let constants = parameters.compactMap { graph.constant($0) }
    guard constants.count == parameters.count else {
      try lowerBatchNormalizationWithBinarySteps(node, x: x, parameters: parameters, epsilon: epsilon)
      return
    }
    let (scale, shift) = Self.affine(
      gamma: constants[0].doubles(), beta: constants[1].doubles(), mean: constants[2].doubles(),
      variance: constants[3].doubles(), epsilon: Double(epsilon))
    let channels = [scale.count]
    let scaleTensor = derivedConstant("\(node.name).scale", Constant(dtype: .float32, dims: channels, doubles: scale))
    let shiftTensor = derivedConstant("\(node.name).shift", Constant(dtype: .float32, dims: channels, doubles: shift))
    var params = Rescompile_Plan_ChannelAffineParams()
    params.axis = 1
    try emit(
      node, .f32ChannelAffine, .channelAffine(params),
      inputs: [.float32(x), .tensor(scaleTensor), .tensor(shiftTensor)],
      outputs: [.float32(try result(node))])
  }

  /// ScaleShift (a BatchNormalization the optimizer already folded, with its fused epilogue) is one
  /// `f32_channel_affine` step: X, scale, shift, then the residual when the epilogue adds one.
  mutating func lowerScaleShift(_ node: Node, axis: Int, epilogue: Epilogue) throws(ModelError) {
    let x = try required(node, 0, "X")
    try requireFloatCompute(node, x)
    var inputs: [StepOperand] = [
      .float32(x), .float32(try required(node, 1, "scale")), .float32(try required(node, 2, "shift")),
    ]
    if epilogue.residual {
      inputs.append(.float32(try required(node, Op.residualSlot, "residual")))
    }
    var params = Rescompile_Plan_ChannelAffineParams()
    params.axis = Int64(axis)
    params.epilogue = ActivationEncoding.epilogue(epilogue, hasBias: false)
    try emit(node, .f32ChannelAffine, .channelAffine(params), inputs: inputs, outputs: [.float32(try result(node))])
  }

  /// `scale = γ / √(var + ε)` and `shift = β − mean · scale`, per channel, in Double.
  static func affine(gamma: [Double], beta: [Double], mean: [Double], variance: [Double], epsilon: Double)
    -> (scale: [Double], shift: [Double])
  {
    let scale = zip(gamma, variance).map { g, v in g / (v + epsilon).squareRoot() }
    let shift = zip(beta, zip(mean, scale)).map { b, ms in b - ms.0 * ms.1 }
    return (scale, shift)
  }

  /// The run-time form: five steps on the [C] parameter vectors for scale and shift, then `x · scale + shift`
  /// with the vectors viewed as [C, 1, ...] so that they broadcast over the channel axis.
  private mutating func lowerBatchNormalizationWithBinarySteps(
    _ node: Node, x: ValueID, parameters: [ValueID], epsilon: Float
  ) throws(ModelError) {
    let (gamma, beta, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
    let xDims = try dims(of: x)
    let channels = [try dims(of: gamma).reduce(1, *)]
    let epsilonTensor = derivedConstant("\(node.name).epsilon", ConstantConversion.scalar(Double(epsilon), .float32))
    func vector(_ suffix: String) throws(ModelError) -> TensorID {
      try temporary("\(node.name).\(suffix)", .float32, channels)
    }
    let shifted = try vector("var_plus_epsilon")
    try emit(
      node, .binary, Self.binary(.add), inputs: [.float32(variance), .tensor(epsilonTensor)],
      outputs: [.tensor(shifted)])
    let deviation = try vector("stddev")
    try emit(node, .unary, Self.unary(.sqrt), inputs: [.tensor(shifted)], outputs: [.tensor(deviation)])
    let scale = try vector("scale")
    try emit(
      node, .binary, Self.binary(.div), inputs: [.float32(gamma), .tensor(deviation)], outputs: [.tensor(scale)])
    let meanScaled = try vector("mean_times_scale")
    try emit(
      node, .binary, Self.binary(.mul), inputs: [.float32(mean), .tensor(scale)], outputs: [.tensor(meanScaled)])
    let shift = try vector("shift")
    try emit(
      node, .binary, Self.binary(.sub), inputs: [.float32(beta), .tensor(meanScaled)], outputs: [.tensor(shift)])

    let broadcastDims = channels + [Int](repeating: 1, count: max(0, xDims.count - 2))
    let scaleView = view(of: scale, "\(node.name).scale_broadcast", broadcastDims)
    let shiftView = view(of: shift, "\(node.name).shift_broadcast", broadcastDims)
    let scaled = try temporary("\(node.name).scaled", .float32, xDims)
    try emit(node, .binary, Self.binary(.mul), inputs: [.float32(x), .tensor(scaleView)], outputs: [.tensor(scaled)])
    try emit(
      node, .binary, Self.binary(.add), inputs: [.tensor(scaled), .tensor(shiftView)],
      outputs: [.float32(try result(node))])
  }

  /// LayerNormalization, with its fused residual (slot 3) as the step's last input. The Mean and InvStdDev
  /// results are written only when the graph reads one of them (then both, as the kernel's outputs come
  /// together).
  mutating func lowerLayerNormalization(_ node: Node, _ attributes: LayerNormAttributes) throws(ModelError) {
    let x = try required(node, 0, "X")
    try requireFloatCompute(node, x)
    var params = Rescompile_Plan_LayerNormParams()
    params.axis = Int64(attributes.axis)
    params.epsilon = attributes.epsilon
    var inputs: [StepOperand] = [.float32(x), .float32(try required(node, 1, "Scale"))]
    if let bias = node.input(2) {
      inputs.append(.float32(bias))
      params.hasBias_p = true
    }
    if attributes.residual {
      inputs.append(.float32(try required(node, Op.residualSlot, "residual")))
      params.hasResidual_p = true
    }
    var outputs: [StepResult] = [.float32(try result(node, 0))]
    if node.outputs.dropFirst().contains(where: { liveness.isLive($0) }) {
      params.writesStatistics = true
      outputs += node.outputs.dropFirst().map { StepResult.float32($0) }
    }
    try emit(node, .f32LayerNorm, .layerNorm(params), inputs: inputs, outputs: outputs)
  }

  mutating func lowerLRN(_ node: Node, _ attributes: LRNAttributes) throws(ModelError) {
    let x = try required(node, 0, "X")
    try requireFloatCompute(node, x)
    var params = Rescompile_Plan_LRNParams()
    params.size = Int64(attributes.size)
    params.alpha = attributes.alpha
    params.beta = attributes.beta
    params.bias = attributes.bias
    try emit(node, .f32LRN, .lrn(params), inputs: [.float32(x)], outputs: [.float32(try result(node))])
  }
}
