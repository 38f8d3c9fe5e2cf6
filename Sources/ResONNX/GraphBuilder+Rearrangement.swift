import ResIR

/// Tile, DepthToSpace and SpaceToDepth: element rearrangements written as Reshape, Transpose and Expand, which
/// the runtime already moves data with and which fold when their input is a constant.
extension GraphBuilder {
  /// Each axis `i` becomes the pair (`repeats[i]`, `d[i]`): the input gains a unit axis before each of its
  /// axes, Expand broadcasts those to the repeat counts, and Reshape merges each pair. The merged shape is
  /// `Shape(x) · repeats`, so symbolic dimensions need no special case.
  mutating func convertTile(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 2)
    let x = try node.requiredOperand(0, "input")
    let inputRank = rank(of: x)
    let repeats = try constantIntegers(try node.requiredOperand(1, "repeats"), operand: "repeats", of: node)
    guard repeats.count == inputRank else {
      throw node.error("repeats has \(repeats.count) entries for an input of rank \(inputRank)")
    }
    if let negative = repeats.first(where: { $0 < 0 }) { throw node.error("repeats entry \(negative) is negative") }
    guard repeats.contains(where: { $0 != 1 }) else { return Conversion(.identity, [x]) }
    let interleaved = Array(stride(from: 0, to: 2 * inputRank, by: 2))
    let split = try appendTyped(Conversion(.unsqueeze(axes: interleaved), [x]), named: "\(node.name).pairs")
    let pairShape = addIntegers(repeats.flatMap { [$0, 1] }, named: "\(node.name)_pair_shape")
    let expanded = try appendTyped(Conversion(.expand, [split, pairShape]), named: "\(node.name).expanded")
    let inputShape = try appendTyped(Conversion(.shape(start: 0, end: nil), [x]), named: "\(node.name).input_shape")
    let counts = addIntegers(repeats, named: "\(node.name)_repeats")
    let outputShape = try appendTyped(Conversion(.binary(.mul), [inputShape, counts]), named: "\(node.name).shape")
    return Conversion(.reshape(allowZero: true), [expanded, outputShape])
  }

  /// NCHW → N, C/b², H·b, W·b. DCR (the default) takes the block offsets from the outer channel digits, CRD
  /// (PyTorch's PixelShuffle) from the inner ones.
  mutating func convertDepthToSpace(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let (x, block, dims) = try blockOperands(node)
    let (channels, height, width) = (dims[1], dims[2], dims[3])
    guard channels % (block * block) == 0 else {
      throw node.error("\(channels) channels do not divide into blocks of \(block)x\(block)")
    }
    let depth = channels / (block * block)
    let mode = try node.attributes.string("mode", default: "DCR")
    let blocks: [Int]
    let order: [Int]
    switch mode {
    case "DCR": (blocks, order) = ([-1, block, block, depth, height, width], [0, 3, 4, 1, 5, 2])
    case "CRD": (blocks, order) = ([-1, depth, block, block, height, width], [0, 1, 4, 2, 5, 3])
    default: throw node.error("mode '\(mode)' is not one of DCR, CRD")
    }
    return try rearranged(x, node, blocks: blocks, order: order, to: [-1, depth, height * block, width * block])
  }

  /// NCHW → N, C·b², H/b, W/b: the inverse of DepthToSpace in the same mode (`mode` is new in opset 28; DCR
  /// before).
  mutating func convertSpaceToDepth(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let (x, block, dims) = try blockOperands(node)
    let (channels, height, width) = (dims[1], dims[2], dims[3])
    guard height % block == 0, width % block == 0 else {
      throw node.error("spatial size \(height)x\(width) does not divide into blocks of \(block)x\(block)")
    }
    let mode = try node.attributes.string("mode", default: "DCR")
    let order: [Int]
    switch mode {
    case "DCR": order = [0, 3, 5, 1, 2, 4]
    case "CRD": order = [0, 1, 3, 5, 2, 4]
    default: throw node.error("mode '\(mode)' is not one of DCR, CRD")
    }
    let blocks = [-1, channels, height / block, block, width / block, block]
    let merged = [-1, channels * block * block, height / block, width / block]
    return try rearranged(x, node, blocks: blocks, order: order, to: merged)
  }

  /// Bounds that keep every product of a dimension and block sizes within 64 bits (real models use 2 to 16).
  private static let largestBlock = 4096

  /// The input, `blocksize` and the input's dimensions (the batch may be unknown; it becomes -1).
  private func blockOperands(_ node: ONNXNode) throws(ModelError) -> (ValueID, Int, [Int]) {
    let x = try node.requiredOperand(0, "input")
    let shape = graph.type(of: x).shape
    guard shape.count == 4 else { throw node.error("input must be NCHW (rank 4), not rank \(shape.count)") }
    let block = try node.attributes.requiredInt("blocksize")
    guard (1...Self.largestBlock).contains(block) else {
      throw node.error("blocksize \(block) is not between 1 and \(Self.largestBlock)")
    }
    var dims = [0]
    for axis in 1..<4 {
      guard let size = shape[axis].value else {
        throw node.error("axis \(axis) of the input has no known size (\(shape[axis]))")
      }
      guard size <= Int(Int32.max) else { throw node.error("axis \(axis) of the input is too large (\(size))") }
      dims.append(size)
    }
    return (x, block, dims)
  }

  /// Reshape to `blocks`, Transpose by `order`, Reshape to `shape`.
  private mutating func rearranged(
    _ x: ValueID, _ node: ONNXNode, blocks: [Int], order: [Int], to shape: [Int]
  ) throws(ModelError) -> Conversion {
    let blockShape = addIntegers(blocks, named: "\(node.name)_blocks")
    let split = try appendTyped(Conversion(.reshape(allowZero: false), [x, blockShape]), named: "\(node.name).blocks")
    let moved = try appendTyped(Conversion(.transpose(perm: order), [split]), named: "\(node.name).moved")
    return Conversion(.reshape(allowZero: false), [moved, addIntegers(shape, named: "\(node.name)_shape")])
  }
}
