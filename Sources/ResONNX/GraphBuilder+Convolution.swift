import ResIR

/// Conv and the pooling ops: sliding windows with kernel shape, strides, dilations and padding.
extension GraphBuilder {
  mutating func convertConv(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let input = try node.requiredOperand(0, "X")
    let weight = try node.requiredOperand(1, "W")
    let kernelShape: [Int]
    if let given = try node.attributes.ints("kernel_shape") {
      kernelShape = given
    } else {
      kernelShape = try defaultKernelShape(weight: weight, inputRank: rank(of: input), node: node)
    }
    let window = try Window(node, kernelShape: kernelShape, inputType: graph.type(of: input))
    let group = try node.attributes.int("group", default: 1)
    guard group >= 1 else { throw node.error("group \(group) must be at least 1") }
    let attributes = ConvAttributes(
      kernelShape: kernelShape, strides: window.strides, dilations: window.dilations, padding: window.padding,
      group: group)
    return Conversion(.conv(attributes), node.operands)
  }

  /// ONNX lets Conv omit `kernel_shape`; it is then the weight's spatial dimensions, and the weight must
  /// have the input's rank (output channels, input channels per group, one size per spatial axis).
  private func defaultKernelShape(weight: ValueID, inputRank: Int, node: ONNXNode) throws(ModelError) -> [Int] {
    let type = graph.type(of: weight)
    guard type.rank == inputRank, inputRank >= 3 else {
      throw node.error("weight has rank \(type.rank), expected \(max(inputRank, 3)) (the input's rank)")
    }
    guard let dims = type.knownDims else {
      throw node.error("kernel_shape is not given and the weight's shape \(type) is not fully known")
    }
    return Array(dims.dropFirst(2))
  }

  mutating func convertMaxPool(_ node: ONNXNode) throws(ModelError) -> Conversion {
    if let indices = node.outputName(1), consumedNames.contains(indices) {
      throw node.error("the Indices output ('\(indices)') is not supported")
    }
    let attributes = try poolAttributes(node)
    let input = try node.requiredOperand(0, "X")
    let dtype = graph.type(of: input).dtype
    guard dtype == .int8 || dtype == .uint8 else { return Conversion(.maxPool(attributes), node.operands) }
    // 8-bit levels (a quantized model's MaxPool between QLinearConvs) pool exactly in float, where the
    // kernels are: every level is a float, and the largest of them is the same number in either type.
    let levels = try step(.cast(to: .float32), [input], "levels", of: node)
    let pooled = try step(.maxPool(attributes), [levels], "pooled", of: node)
    return Conversion(.cast(to: dtype), [pooled])
  }

  mutating func convertAveragePool(_ node: ONNXNode) throws(ModelError) -> Conversion {
    var attributes = try poolAttributes(node)
    attributes.countIncludePad = try node.attributes.flag("count_include_pad", default: false)
    return Conversion(.averagePool(attributes), node.operands)
  }

  private func poolAttributes(_ node: ONNXNode) throws(ModelError) -> PoolAttributes {
    let input = try node.requiredOperand(0, "X")
    let kernelShape = try node.attributes.requiredInts("kernel_shape")
    let window = try Window(node, kernelShape: kernelShape, inputType: graph.type(of: input))
    return PoolAttributes(
      kernelShape: kernelShape, strides: window.strides, dilations: window.dilations, padding: window.padding,
      ceilMode: try node.attributes.flag("ceil_mode", default: false))
  }
}

extension ONNXNode {
  /// A per-spatial-axis attribute (strides, dilations, output_padding), `fallback` on every axis when absent;
  /// entries are bounded by 2^31 so that window arithmetic can never overflow.
  func perAxis(_ name: String, count: Int, default fallback: Int, minimum: Int) throws(ModelError) -> [Int] {
    guard let values = try attributes.ints(name) else { return Array(repeating: fallback, count: count) }
    guard values.count == count else {
      throw error("\(name) has \(values.count) entries, expected \(count) (one per spatial axis)")
    }
    guard values.allSatisfy({ $0 >= minimum && $0 <= 1 << 31 }) else {
      throw error("\(name) \(values) has an entry below \(minimum) or above 2^31")
    }
    return values
  }
}

/// The window attributes Conv and pooling share, with ONNX's defaults filled in and `auto_pad` resolved.
private struct Window {
  var strides: [Int]
  var dilations: [Int]
  var padding: Padding

  /// Bounds kernel sizes, strides and dilations so that window arithmetic can never overflow.
  static let largest = 1 << 31

  init(_ node: ONNXNode, kernelShape: [Int], inputType: TensorType) throws(ModelError) {
    let spatial = kernelShape.count
    guard spatial >= 1 else { throw node.error("kernel_shape is empty") }
    guard kernelShape.allSatisfy({ $0 >= 1 && $0 <= Self.largest }) else {
      throw node.error("kernel_shape \(kernelShape) has a size below 1 or above 2^31")
    }
    strides = try node.perAxis("strides", count: spatial, default: 1, minimum: 1)
    dilations = try node.perAxis("dilations", count: spatial, default: 1, minimum: 1)
    let autoPad = try node.attributes.string("auto_pad", default: "NOTSET")
    switch autoPad {
    case "NOTSET":
      let pads = try node.attributes.ints("pads") ?? Array(repeating: 0, count: 2 * spatial)
      guard pads.count == 2 * spatial else {
        throw node.error("pads has \(pads.count) entries, expected \(2 * spatial) (begin and end per spatial axis)")
      }
      guard pads.allSatisfy({ $0 >= 0 }) else { throw node.error("pads \(pads) has a negative entry") }
      padding = .explicit(pads)
    case "VALID":
      padding = .explicit(Array(repeating: 0, count: 2 * spatial))
    case "SAME_UPPER", "SAME_LOWER":
      padding = Self.samePadding(
        upper: autoPad == "SAME_UPPER", kernelShape: kernelShape, strides: strides, dilations: dilations,
        spatialDims: Array(inputType.shape.dropFirst(2)))
    default:
      throw node.error("auto_pad '\(autoPad)' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
    }
  }

  /// `SAME_*` padding as explicit pads when the spatial sizes are known (the output size is
  /// `ceil(input / stride)`, the total padding whatever makes that fit, the odd cell going at the end for
  /// SAME_UPPER and at the beginning for SAME_LOWER); symbolic otherwise.
  private static func samePadding(
    upper: Bool, kernelShape: [Int], strides: [Int], dilations: [Int], spatialDims: [Dim]
  ) -> Padding {
    let sizes = spatialDims.compactMap(\.value)
    guard sizes.count == kernelShape.count, spatialDims.count == kernelShape.count,
      sizes.allSatisfy({ $0 <= 1 << 40 })
    else {
      return upper ? .sameUpper : .sameLower
    }
    var begins: [Int] = []
    var ends: [Int] = []
    for axis in kernelShape.indices {
      let output = (sizes[axis] + strides[axis] - 1) / strides[axis]
      let extent = (kernelShape[axis] - 1) * dilations[axis] + 1
      let total = max(0, (output - 1) * strides[axis] + extent - sizes[axis])
      let small = total / 2
      begins.append(upper ? small : total - small)
      ends.append(upper ? total - small : small)
    }
    return .explicit(begins + ends)
  }
}
