import ResIR

/// ConvTranspose as the convolution it is the adjoint of: the input spread out by the strides (zeros between
/// its elements), then convolved at stride 1 with the kernel flipped and its two channel axes swapped, padded
/// by `dilation·(kernel − 1) − pads` (plus `output_padding` at the end).
///
/// Every attribute combination is covered (groups, dilations, output_padding, output_shape, auto_pad, 1-D to
/// 3-D), and the convolution gets the optimizer's fusions and the runtime's kernels; the price is that the
/// convolution also multiplies the inserted zeros (stride² times the work for a 2-D stride of 2).
extension GraphBuilder {
  mutating func convertConvTranspose(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 3)
    let x = try node.requiredOperand(0, "X")
    let weight = try transposedWeight(node)
    let geometry = try TransposedGeometry(node, inputType: graph.type(of: x), weight: weight)
    if geometry.isSubpixel, let subpixel = try subpixelConvTranspose(x, weight, geometry, node) {
      return subpixel
    }
    var input = x
    var padding = geometry.convolutionPads
    if geometry.strides.contains(where: { $0 > 1 }) {
      input = try spread(x, geometry, node)
      for axis in geometry.strides.indices { padding[geometry.spatial + axis] -= geometry.strides[axis] - 1 }
    }
    if padding.contains(where: { $0 < 0 }) {
      input = try cropped(input, by: padding.map { max(0, -$0) }, geometry, node)
      padding = padding.map { max(0, $0) }
    }
    let attributes = ConvAttributes(
      kernelShape: geometry.kernel, strides: geometry.strides.map { _ in 1 }, dilations: geometry.dilations,
      padding: .explicit(padding), group: geometry.group)
    let adjoint = addGeneratedConstant(
      "\(node.name)_adjoint_weight", TransposedGeometry.adjoint(weight, group: geometry.group))
    return Conversion(.conv(attributes), [input, adjoint, node.operand(2)])
  }

  /// The weight, which must be a constant: the importer rearranges it once.
  private func transposedWeight(_ node: ONNXNode) throws(ModelError) -> Constant {
    guard let weight = constant(behind: try node.requiredOperand(1, "W")) else {
      throw node.error("the weight W must be a constant")
    }
    return weight
  }

  /// `x` with `stride − 1` zeros after every element of each spatial axis: unit axes after the spatial
  /// ones, padded at their end, merged back. The trailing zeros make each size `size·stride`; the caller
  /// removes them through the convolution's end padding.
  private mutating func spread(
    _ x: ValueID, _ geometry: TransposedGeometry, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let spatial = geometry.spatial
    let unitAxes = (0..<spatial).map { 3 + 2 * $0 }
    let split = try appendTyped(Conversion(.unsqueeze(axes: unitAxes), [x]), named: "\(node.name).spread_axes")
    let rank = 2 + 2 * spatial
    var pads = Array(repeating: 0, count: 2 * rank)
    for (axis, stride) in geometry.strides.enumerated() { pads[rank + unitAxes[axis]] = stride - 1 }
    let padded = try appendTyped(Conversion(.pad(mode: .constant, pads: pads), [split]), named: "\(node.name).spread")
    let target = addIntegers([0, 0] + geometry.spreadSizes, named: "\(node.name)_spread_shape")
    return try appendTyped(Conversion(.reshape(allowZero: false), [padded, target]), named: "\(node.name).spread_input")
  }

  /// Cuts `crops` (begins then ends, per spatial axis) off the spread input: pads larger than the kernel's
  /// reach remove rows instead of adding them.
  private mutating func cropped(
    _ x: ValueID, by crops: [Int], _ geometry: TransposedGeometry, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let spatial = geometry.spatial
    let sizes = geometry.strides.contains(where: { $0 > 1 }) ? geometry.spreadSizes : geometry.inputSizes
    let starts = (0..<spatial).map { crops[$0] }
    let ends = (0..<spatial).map { sizes[$0] - crops[spatial + $0] }
    guard zip(starts, ends).allSatisfy({ $0 < $1 }) else {
      throw node.error("pads remove the whole output")
    }
    let operands: [ValueID?] = [
      x, addIntegers(starts, named: "\(node.name)_crop_starts"), addIntegers(ends, named: "\(node.name)_crop_ends"),
      addIntegers((0..<spatial).map { $0 + 2 }, named: "\(node.name)_crop_axes"),
    ]
    return try appendTyped(Conversion(.slice, operands), named: "\(node.name).cropped")
  }
}

/// ConvTranspose's attributes resolved against its input: kernel, strides, dilations, group, the pads of the
/// equivalent stride-1 convolution, and (`adjoint`) that convolution's weight.
struct TransposedGeometry {
  let spatial: Int
  let kernel: [Int]
  let strides: [Int]
  let dilations: [Int]
  let group: Int
  let inputSizes: [Int]
  /// `size·stride` per spatial axis: the input after `spread`.
  let spreadSizes: [Int]
  /// Begins then ends, before the spread's trailing zeros are accounted for; may be negative.
  let convolutionPads: [Int]
  /// The transposed convolution's own pads (begins then ends; negative when output_shape asks for more).
  let transposedPads: [Int]
  /// The output's spatial sizes.
  let outputSizes: [Int]
  /// Whether `GraphBuilder.subpixelConvTranspose` applies: strided, undilated, pads that only remove.
  let isSubpixel: Bool

  init(_ node: ONNXNode, inputType: TensorType, weight: Constant) throws(ModelError) {
    spatial = inputType.rank - 2
    guard spatial >= 1, weight.dims.count == inputType.rank else {
      throw node.error(
        "X has rank \(inputType.rank) and W rank \(weight.dims.count); both must be the same, at least 3")
    }
    kernel = Array(weight.dims.dropFirst(2))
    if let given = try node.attributes.ints("kernel_shape"), given != kernel {
      throw node.error("kernel_shape \(given) does not match the weight's spatial shape \(kernel)")
    }
    group = try node.attributes.int("group", default: 1)
    guard group >= 1, weight.dims[0] % group == 0 else {
      throw node.error("group \(group) does not divide the weight's \(weight.dims[0]) input channels")
    }
    if let channels = inputType.shape[1].value, channels != weight.dims[0] {
      throw node.error("X has \(channels) channels but W expects \(weight.dims[0])")
    }
    strides = try node.perAxis("strides", count: spatial, default: 1, minimum: 1)
    dilations = try node.perAxis("dilations", count: spatial, default: 1, minimum: 1)
    inputSizes = try Self.spatialSizes(inputType, node)
    spreadSizes = try Self.products(inputSizes, strides, node)
    let reaches = try Self.products(kernel.map { $0 - 1 }, dilations, node)
    let outputPadding = try node.perAxis("output_padding", count: spatial, default: 0, minimum: 0)
    for axis in 0..<spatial where outputPadding[axis] >= max(strides[axis], dilations[axis]) {
      throw node.error("output_padding \(outputPadding) must be below the stride or dilation of each axis")
    }
    let pads = try Self.pads(
      node, spread: spreadSizes, strides: strides, reaches: reaches, outputPadding: outputPadding)
    var convolution: [Int] = []
    for axis in 0..<spatial { convolution.append(reaches[axis] - pads[axis]) }
    for axis in 0..<spatial { convolution.append(reaches[axis] - pads[spatial + axis] + outputPadding[axis]) }
    convolutionPads = convolution
    transposedPads = pads
    var sizes: [Int] = []
    for axis in 0..<spatial {
      let natural = spreadSizes[axis] - strides[axis] + outputPadding[axis] + reaches[axis] + 1
      sizes.append(natural - pads[axis] - pads[spatial + axis])
    }
    outputSizes = sizes
    isSubpixel = strides.contains { $0 > 1 } && dilations.allSatisfy { $0 == 1 } && pads.allSatisfy { $0 >= 0 }
  }

  private static func spatialSizes(_ type: TensorType, _ node: ONNXNode) throws(ModelError) -> [Int] {
    var sizes: [Int] = []
    for axis in 2..<type.rank {
      guard let size = type.shape[axis].value else {
        throw node.error(
          "spatial axis \(axis) of X has no known size (\(type.shape[axis])); give the symbolic input dimensions "
            + "their sizes while the model is read (--dim NAME=VALUE)")
      }
      sizes.append(size)
    }
    return sizes
  }

  /// Elementwise products (spread sizes, kernel reaches), bounded by 2^40 so that the pad arithmetic that
  /// follows cannot overflow.
  private static func products(_ sizes: [Int], _ factors: [Int], _ node: ONNXNode) throws(ModelError) -> [Int] {
    var result: [Int] = []
    for (size, factor) in zip(sizes, factors) {
      let (product, overflow) = size.multipliedReportingOverflow(by: factor)
      guard !overflow, product <= 1 << 40 else {
        throw node.error("\(size) × \(factor) (a size or reach times its stride or dilation) is above 2^40")
      }
      result.append(product)
    }
    return result
  }

  /// The transposed convolution's own pads: given, none (VALID), or derived from the output size that
  /// `output_shape` or `SAME_*` asks for, the odd cell at the end for SAME_UPPER and at the start otherwise.
  private static func pads(
    _ node: ONNXNode, spread: [Int], strides: [Int], reaches: [Int], outputPadding: [Int]
  ) throws(ModelError) -> [Int] {
    let spatial = spread.count
    let autoPad = try node.attributes.string("auto_pad", default: "NOTSET")
    guard ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].contains(autoPad) else {
      throw node.error("auto_pad '\(autoPad)' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
    }
    var targets = try node.attributes.ints("output_shape")
    if let given = targets, given.count == spatial + 2 { targets = Array(given.dropFirst(2)) }
    if targets == nil, autoPad.hasPrefix("SAME") { targets = spread }
    guard let targets else {
      guard autoPad == "NOTSET" else { return Array(repeating: 0, count: 2 * spatial) }
      let pads = try node.attributes.ints("pads") ?? Array(repeating: 0, count: 2 * spatial)
      guard pads.count == 2 * spatial, pads.allSatisfy({ $0 >= 0 }) else {
        throw node.error("pads \(pads) must hold \(2 * spatial) non-negative entries")
      }
      return pads
    }
    guard targets.count == spatial else {
      throw node.error("output_shape has \(targets.count) entries, expected \(spatial)")
    }
    guard targets.allSatisfy({ $0 >= 1 && $0 <= 1 << 40 }) else {
      throw node.error("output_shape \(targets) has a size below 1 or above 2^40")
    }
    var begins: [Int] = []
    var ends: [Int] = []
    for axis in 0..<spatial {
      // stride·(size − 1) + output_padding + dilation·(kernel − 1) + 1
      let natural = spread[axis] - strides[axis] + outputPadding[axis] + reaches[axis] + 1
      // Negative when output_shape asks for more than the kernel reaches: the extra cells hold the bias. The
      // halving rounds down, as ONNX's reference does.
      let total = natural - targets[axis]
      let half = total >= 0 ? total / 2 : -((-total + 1) / 2)
      begins.append(autoPad == "SAME_UPPER" ? half : total - half)
      ends.append(autoPad == "SAME_UPPER" ? total - half : half)
    }
    return begins + ends
  }

  /// `[C, M/group, k…]` → `[M, C/group, k…]` with every spatial axis reversed. Reversing all axes of a
  /// row-major block reverses its flat order, so each kernel is copied backwards.
  static func adjoint(_ weight: Constant, group: Int) -> Constant {
    let (inputChannels, outputsPerGroup) = (weight.dims[0], weight.dims[1])
    let inputsPerGroup = inputChannels / group
    let area = weight.dims.dropFirst(2).reduce(1, *)
    let source = weight.doubles()
    var result = [Double](repeating: 0, count: source.count)
    for g in 0..<group {
      for m in 0..<outputsPerGroup {
        for c in 0..<inputsPerGroup {
          let from = ((g * inputsPerGroup + c) * outputsPerGroup + m) * area
          let to = ((g * outputsPerGroup + m) * inputsPerGroup + c) * area
          for offset in 0..<area { result[to + offset] = source[from + area - 1 - offset] }
        }
      }
    }
    let dims = [group * outputsPerGroup, inputsPerGroup] + Array(weight.dims.dropFirst(2))
    return Constant(dtype: weight.dtype, dims: dims, doubles: result)
  }
}
