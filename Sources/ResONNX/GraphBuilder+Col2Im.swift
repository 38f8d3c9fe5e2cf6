import ResIR

/// Col2Im (opset 18; PyTorch's `F.fold`, VOLO's outlook attention): each column of `[N, C·∏k, L]` is one
/// block's `C` patches, summed into the image where the block sits. That is a ConvTranspose over the columns
/// laid out as `[N, C·∏k, L₁, …, Lₙ]`, grouped by channel, whose weight sends input channel `c·∏k + j` to
/// kernel position `j` of output channel `c` (one-hot), with Col2Im's strides, pads and dilations, and as
/// output_padding the image rows beyond the last block.
extension GraphBuilder {
  mutating func convertCol2Im(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 3)
    let input = try node.requiredOperand(0, "input")
    let image = try constantIntegers(try node.requiredOperand(1, "image_shape"), operand: "image_shape", of: node)
    let block = try constantIntegers(try node.requiredOperand(2, "block_shape"), operand: "block_shape", of: node)
    let spatial = image.count
    guard spatial >= 1, block.count == spatial else {
      throw node.error("image_shape \(image) and block_shape \(block) must have one size per spatial axis")
    }
    guard image.allSatisfy({ (1...(1 << 31)).contains($0) }), block.allSatisfy({ (1...(1 << 16)).contains($0) })
    else {
      throw node.error("image_shape \(image) or block_shape \(block) has a size out of range")
    }
    let strides = try node.perAxis("strides", count: spatial, default: 1, minimum: 1)
    let dilations = try node.perAxis("dilations", count: spatial, default: 1, minimum: 1)
    let pads = try node.attributes.ints("pads") ?? Array(repeating: 0, count: 2 * spatial)
    guard pads.count == 2 * spatial, pads.allSatisfy({ (0...(1 << 31)).contains($0) }) else {
      throw node.error("pads \(pads) must hold \(2 * spatial) non-negative entries")
    }
    let type = graph.type(of: input)
    let patch = block.reduce(1, *)
    guard type.rank == 3, let rows = type.shape[1].value, rows % patch == 0 else {
      throw node.error("input \(type) must be [N, C·\(patch), L]")
    }
    var counts: [Int] = []
    // Rows past the last block's reach that the image still has: the transposed convolution's output_padding.
    var uncovered: [Int] = []
    for axis in 0..<spatial {
      let reach = (block[axis] - 1) * dilations[axis] + 1
      let room = image[axis] + pads[axis] + pads[spatial + axis] - reach
      guard room >= 0 else { throw node.error("block_shape \(block) does not fit image_shape \(image)") }
      counts.append(room / strides[axis] + 1)
      uncovered.append(room % strides[axis])
    }
    if let columns = type.shape[2].value, columns != counts.reduce(1, *) {
      throw node.error("input has \(columns) columns, but \(counts) blocks fit the image")
    }
    let laidOut = addIntegers([0, rows] + counts, named: "\(node.name)_blocks")
    let columns = try appendTyped(
      Conversion(.reshape(allowZero: false), [input, laidOut]), named: "\(node.name).blocks")
    let oneHot = Self.oneHot(channels: rows / patch, block: block, type.dtype)
    let weight = addGeneratedConstant("\(node.name)_one_hot", oneHot)
    var transposed = Onnx_NodeProto()
    transposed.opType = "ConvTranspose"
    transposed.attribute = [
      Self.ints("strides", strides), Self.ints("pads", pads), Self.ints("dilations", dilations),
      Self.ints("output_padding", uncovered), Self.int("group", rows / patch),
    ]
    let equivalent = ONNXNode(
      proto: transposed, name: node.name, attributes: try NodeAttributes(transposed, name: node.name),
      operands: [columns, weight], opset: node.opset)
    return try convertConvTranspose(equivalent)
  }

  /// `[C·∏k, 1, k…]`: input channel `c·∏k + j` has a single 1, at kernel position `j`.
  private static func oneHot(channels: Int, block: [Int], _ dtype: DType) -> Constant {
    let patch = block.reduce(1, *)
    var values = [Double](repeating: 0, count: channels * patch * patch)
    for row in 0..<(channels * patch) { values[row * patch + row % patch] = 1 }
    return Constant(dtype: dtype, dims: [channels * patch, 1] + block, doubles: values)
  }

  private static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .ints
    attribute.ints = values.map { Int64($0) }
    return attribute
  }

  private static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .int
    attribute.i = Int64(value)
    return attribute
  }
}
