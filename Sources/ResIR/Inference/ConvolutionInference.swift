extension NodeContext {
  /// Conv: `[N, C, spatial...] ⊛ [M, C/group, kernel...] → [N, M, out...]`, any number of spatial axes.
  func convolution(_ attributes: ConvAttributes) throws(ModelError) -> TensorType {
    let input = try operand(0)
    let weight = try operand(1)
    try requireDType(input, .floats, "input")
    try requireSameDType([0, 1, 2, Op.inputScaleSlot, Op.inputShiftSlot])
    try requireRank(input, atLeast: 3, "input", layout: "N, C, spatial...")
    if let prologue = attributes.prologue { try checkPrologue(prologue, channels: input.shape[1]) }
    let spatialRank = input.rank - 2
    try requireRank(weight, input.rank, "weight", layout: NodeContext.weightLayout(spatialRank))
    let group = attributes.group
    guard group >= 1 else { throw error("group \(group) must be positive") }

    let window = try SlidingWindow(
      kernel: attributes.kernelShape, strides: attributes.strides, dilations: attributes.dilations,
      padding: attributes.padding, ceilMode: false, spatialRank: spatialRank, context: self)
    let weightKernel = Array(weight.shape.dropFirst(2))
    for (axis, dim) in weightKernel.enumerated() where dim.value.map({ $0 != window.kernel[axis] }) ?? false {
      throw error(
        "kernel_shape \(listText(window.kernel)) does not match the weight's kernel \(shapeText(weightKernel))")
    }
    try checkConvolutionChannels(input: input.shape[1], weight: weight, group: group)
    let outputChannels = weight.shape[0]
    if let bias = optionalOperand(2) {
      try requireRank(bias, 1, "bias", layout: "M")
      if Broadcasting.unify(bias.shape[0], outputChannels) == nil {
        throw error("bias has \(bias.shape[0]) elements but the weight has \(outputChannels) output channels")
      }
    }
    var shape = [input.shape[0], outputChannels]
    for axis in 0..<spatialRank {
      shape.append(try window.outputDim(axis: axis, input: input.shape[2 + axis], context: self))
    }
    return TensorType(input.dtype, shape)
  }

  /// A prologue's scale and shift hold one value per input channel, and its activation must be valid
  /// (the input is already known to be a float type).
  private func checkPrologue(_ prologue: ConvPrologue, channels: Dim) throws(ModelError) {
    for (slot, name) in [(Op.inputScaleSlot, "input scale"), (Op.inputShiftSlot, "input shift")] {
      let parameter = try operand(slot)
      try requireRank(parameter, 1, name, layout: "C")
      guard Broadcasting.unify(parameter.shape[0], channels) != nil else {
        throw error("\(name) has \(parameter.shape[0]) elements but the input has \(channels) channels")
      }
    }
    if case .clip(let low, let high) = prologue.activation, !(low <= high) {
      throw error("prologue clip has min \(low) greater than max \(high)")
    }
  }

  /// `M, C/group, kH, kW`: the weight layout as rank errors spell it.
  static func weightLayout(_ spatialRank: Int) -> String {
    let names: [String]
    switch spatialRank {
    case 1: names = ["kW"]
    case 2: names = ["kH", "kW"]
    case 3: names = ["kD", "kH", "kW"]
    default: names = (1...max(spatialRank, 1)).map { "k\($0)" }
    }
    return (["M", "C/group"] + names).joined(separator: ", ")
  }

  /// The input's channels must be the weight's input channels times `group`, and `group` must divide both
  /// channel counts (when they are known).
  private func checkConvolutionChannels(input channels: Dim, weight: TensorType, group: Int) throws(ModelError) {
    if case .known(let perGroup) = weight.shape[1], case .known(let c) = channels {
      let (expected, overflow) = perGroup.multipliedReportingOverflow(by: group)
      guard !overflow, expected == c else {
        throw error("input has \(c) channels but weight expects \(perGroup) × group \(group)")
      }
    }
    if case .known(let c) = channels, c % group != 0 {
      throw error("group \(group) does not divide the \(c) input channels")
    }
    if case .known(let m) = weight.shape[0], m % group != 0 {
      throw error("group \(group) does not divide the \(m) output channels")
    }
  }
}
