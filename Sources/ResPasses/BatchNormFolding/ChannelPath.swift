import ResIR

/// How the channels a BatchNormalization normalizes reach back, through ops that only move elements, to the
/// output channels of the Conv/Gemm/MatMul that computed them (axis 1 of a Conv's or Gemm's output, the last
/// of a MatMul's: `FoldTarget.outputChannelAxis`).
///
/// The case it exists for is a strided ConvTranspose, which the importer computes as one Conv of the output's
/// stride phases followed by Reshape → Transpose → Reshape (→ Slice for its padding): channel `c` of the
/// result is Conv output channels `c·s²...c·s²+s²−1`. A BatchNormalization after it (a U-Net decoder's
/// upsampling block) normalizes those `s²` Conv channels with channel `c`'s statistics, so it folds into the
/// Conv's weights like one right after a Conv; the movement ops stay and now carry normalized values. The
/// other is LeViT's linear layer, a MatMul to `[1, tokens, C]` flattened to `[tokens, C]` for BatchNorm1d and
/// reshaped back: channel `c` is the MatMul's column `c`.
///
/// The walk tracks the channel as a function of an element's row-major flat index, `channel = (f / S) % C`:
/// Reshape, Flatten, Squeeze, Unsqueeze and Identity keep flat indices, so `S` passes through unchanged; for a
/// Transpose or a Slice the channel must be a function of one axis alone, `(i / r) % C` of axis `b`'s index
/// `i` (with `S = r · inner(b)` and `r·C` dividing the axis size), and the Slice must keep that axis whole.
/// Every shape on the way must be static and every value on it read once, by the next op, and not be a graph
/// output: the others would need it unnormalized.
struct ChannelPath {
  /// The node whose output the BatchNormalization reads, after the movement ops.
  let producer: Node
  /// For each of the producer's output channels (`FoldTarget.outputChannelAxis`), the BatchNormalization channel it
  /// becomes; nil when the producer computes the BatchNormalization's input itself (channel `c` is `c`, and
  /// no shape needs to be static).
  let channelOfOutput: [Int]?
  /// The movement ops between them, from the BatchNormalization's input back (empty for a direct producer).
  let movement: [Node]

  /// Where `input` (a BatchNormalization's X) comes from. Throws the first reason the walk stops for.
  init(from input: ValueID, in view: GraphView) throws(FoldDecline) {
    let direct = try Self.node(computing: input, in: view)
    guard FoldTarget(direct.op) == nil else {
      (producer, channelOfOutput, movement) = (direct, nil, [])
      return
    }
    var dims = try Self.staticDims(of: input, in: view)
    guard dims.count >= 2 else { throw FoldDecline("input has rank \(dims.count), no channel axis") }
    let channels = dims[1]
    var stride = dims[2...].reduce(1, *)
    var (current, node) = (input, direct)
    var movement: [Node] = []
    while FoldTarget(node.op) == nil {
      guard node.op.onlyMovesElements else {
        throw FoldDecline(
          movement.isEmpty
            ? "input comes from \(node.op.onnxName), not a Conv/Gemm/MatMul"
            : "'\(view.graph[current].name)' comes from \(Self.label(node)), neither a Conv/Gemm/MatMul nor an op "
              + "that only moves elements")
      }
      try Self.requireReadOnce(current, in: view)
      guard let source = node.input(0) else { throw FoldDecline("\(Self.label(node)) has no input") }
      let sourceDims = try Self.staticDims(of: source, in: view)
      stride = try Self.stride(
        through: node, stride: stride, channels: channels, dims: dims, sourceDims: sourceDims, in: view)
      movement.append(node)
      (dims, current) = (sourceDims, source)
      node = try Self.node(computing: current, in: view)
    }
    producer = node
    let axis = FoldTarget(node.op)?.outputChannelAxis(rank: dims.count) ?? 1
    channelOfOutput = try Self.outputChannels(dims: dims, axis: axis, stride: stride, channels: channels, node: node)
    self.movement = movement
  }

  /// The node computing `value`; a constant or graph input ends the walk.
  private static func node(computing value: ValueID, in view: GraphView) throws(FoldDecline) -> Node {
    guard let node = view.producer(of: value) else {
      let source = view.graph.constant(value) != nil ? "a constant" : "the graph input '\(view.graph[value].name)'"
      throw FoldDecline("input is \(source), not a Conv/Gemm/MatMul result")
    }
    return node
  }

  /// `S` for the input of `node`, given `S` for its output (`dims`).
  private static func stride(
    through node: Node, stride: Int, channels: Int, dims: [Int], sourceDims: [Int], in view: GraphView
  ) throws(FoldDecline) -> Int {
    switch node.op {
    case .reshape, .flatten, .squeeze, .unsqueeze, .identity:
      return stride
    case .transpose where channels == 1, .slice where channels == 1:
      return stride  // one channel: every element is channel 0 wherever it moves
    case .transpose(let perm):
      let (axis, repeats) = try channelAxis(dims: dims, stride: stride, channels: channels, node: node)
      guard perm.indices.contains(axis) else { throw FoldDecline("\(label(node)) has a permutation of the wrong rank") }
      return repeats * inner(sourceDims, after: perm[axis])
    case .slice:
      let (axis, repeats) = try channelAxis(dims: dims, stride: stride, channels: channels, node: node)
      try requireWholeAxis(axis, of: node, size: sourceDims[axis], in: view)
      return repeats * inner(sourceDims, after: axis)
    default:
      preconditionFailure("\(label(node)) is not a movement op")
    }
  }

  /// The axis `b` of a tensor of `dims` whose index alone gives the channel, `(i / r) % C`, and `r`.
  private static func channelAxis(
    dims: [Int], stride: Int, channels: Int, node: Node
  ) throws(FoldDecline) -> (axis: Int, repeats: Int) {
    for axis in dims.indices {
      let below = inner(dims, after: axis)
      guard below <= stride, stride < below * dims[axis], stride % below == 0 else { continue }
      let repeats = stride / below
      guard dims[axis] % (repeats * channels) == 0 else { break }
      return (axis, repeats)
    }
    throw FoldDecline("\(label(node)) mixes the normalized channels with other axes")
  }

  /// The BatchNormalization channel of each output channel of `node` (axis `axis` of its output, `dims`).
  private static func outputChannels(dims: [Int], axis: Int, stride: Int, channels: Int, node: Node)
    throws(FoldDecline) -> [Int]
  {
    guard dims.count >= 2, dims.indices.contains(axis) else {
      throw FoldDecline("the \(node.op.onnxName)'s output has no channel axis")
    }
    let below = inner(dims, after: axis)
    let outputChannels = dims[axis]
    if channels == 1 { return [Int](repeating: 0, count: outputChannels) }
    guard below > 0, stride % below == 0, outputChannels % (stride / below * channels) == 0 else {
      throw FoldDecline(
        "the normalized channels are not whole output channels of the \(node.op.onnxName) \"\(node.name)\"")
    }
    let repeats = stride / below
    return (0..<outputChannels).map { $0 / repeats % channels }
  }

  /// A Slice may cut any axis but the channels' (whole: start 0, step 1, every element).
  private static func requireWholeAxis(_ axis: Int, of node: Node, size: Int, in view: GraphView) throws(FoldDecline) {
    let operands = (1...4).map { view.constant(node.input($0))?.integers() }
    guard let starts = operands[0], let ends = operands[1] else {
      throw FoldDecline("\(label(node)) has starts or ends that are not constants")
    }
    guard node.input(3) == nil || operands[2] != nil, node.input(4) == nil || operands[3] != nil else {
      throw FoldDecline("\(label(node)) has axes or steps that are not constants")
    }
    let rank = node.input(0).map { view.type(of: $0).rank } ?? 0
    let axes = (operands[2] ?? Array(0..<starts.count)).map { $0 < 0 ? $0 + rank : $0 }
    guard let index = axes.firstIndex(of: axis) else { return }
    let step = operands[3]?[index] ?? 1
    let bounds = SliceBounds(start: starts[index], end: ends[index], step: step, size: size)
    guard step == 1, bounds.start == 0, bounds.count == size else {
      throw FoldDecline("\(label(node)) cuts the normalized channels' axis \(axis)")
    }
  }

  /// `value` (a movement op's result) must be read once, by the next op of the path, and not be a graph output.
  private static func requireReadOnce(_ value: ValueID, in view: GraphView) throws(FoldDecline) {
    let name = view.graph[value].name
    guard !view.isGraphOutput(value) else {
      throw FoldDecline("'\(name)' is a graph output and must stay observable")
    }
    let uses = view.useCount(of: value)
    guard uses == 1 else { throw FoldDecline("'\(name)' has \(uses) uses; the others need it unnormalized") }
  }

  private static func staticDims(of value: ValueID, in view: GraphView) throws(FoldDecline) -> [Int] {
    guard let dims = view.type(of: value).knownDims else {
      throw FoldDecline("'\(view.graph[value].name)' has a shape that is not static")
    }
    return dims
  }

  /// Elements per step of axis `axis` in a row-major tensor of `dims`.
  private static func inner(_ dims: [Int], after axis: Int) -> Int {
    dims[(axis + 1)...].reduce(1, *)
  }

  private static func label(_ node: Node) -> String { "\(node.op.onnxName) \"\(node.name)\"" }
}
