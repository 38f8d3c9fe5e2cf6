import ResIR
import ResPlan

/// Which nodes compute in the channels-last layout (plan.proto `ActivationLayout`), decided before lowering.
///
/// Channels-last is where the dense kernels are fastest: a convolution becomes a GEMM whose rows are input
/// positions read in place, a depthwise layer or a pooling window puts channels on the vector lanes at any
/// stride. But every value crossing between a channels-last node and a row-major one costs a reorder step
/// (a full transpose of the tensor). So nodes are grouped into regions (nodes with a channels-last variant,
/// connected through the values one computes and another reads), and a region goes channels-last only when
/// it pays (`pays`): its convolutions outnumber its reorders at least two to one, as a ResNet or a MobileNet,
/// one region from the stem to the global pooling (one reorder, of the image); or its convolutions that run
/// much faster channels-last do enough work per reordered element (`fasterWork`), as a DenseNet layer's 3x3
/// convolution between two Concats (two reorders for one convolution, but the channels-last Winograd kernel
/// takes half the time of the row-major one) or a lone strided or 2x2 convolution (the phase Conv of a
/// ConvTranspose) that the row-major direct kernel runs at 55-75 % of the channels-last GEMM's speed. A ViT's
/// patch embedding before a Reshape pays neither way and stays row-major.
///
/// Nodes with a channels-last variant (`Candidate`): a Conv that `ConvMethod.supportsChannelsLast` accepts,
/// without an input prologue, over 1 to 3 spatial axes whose output has more than one position (a stem on an
/// image, `isImageStem`, reads its input row-major and writes channels-last: `ConvMethod.channelsLastGrid`,
/// so a region that starts with it reorders nothing on the way in); a 1x1 Conv with an input prologue, which
/// reads its input row-major too (`ConvMethod.channelsLastPointwise`: a DenseNet bottleneck then starts its
/// 3x3's region, which reorders only the 3x3's 32 channels back for the Concat, not its own 128); MaxPool and
/// AveragePool (one result) over 1 to 3 spatial axes; GlobalAveragePool (which reads channels-last and writes
/// its `[N, C, 1, 1]` row-major: the same bytes); unary functions and Clip; binary arithmetic of two computed
/// operands of the result's shape; ScaleShift along the channels; Resize of the spatial axes (nearest, linear
/// or cubic, the taps at channels-last strides); Pad (each axis in storage order); Concat, Split and Slice (strided copies at channels-last
/// strides), which join the branches they gather or feed into one region. All on f32, and the
/// compute-in-f32 ones and elementwise ones on f16 too (`holds`). Each takes 3-D (video) tensors,
/// `[N, C, D, H, W]` stored `[N, D, H, W, C]`, as well: the indirect GEMM and the depthwise kernel walk all
/// three window axes, and the other variants are rank-generic (a video ResNet's convolutions ran row-major at
/// 45–80 GFLOP/s before).
struct ChannelsLastAssignment: Sendable {
  /// The nodes that compute channels-last.
  private var assigned: Set<NodeID> = []
  /// The value each channels-last node writes channels-last (every result but a global pooling's).
  private var channelsLastValues: Set<ValueID> = []
  /// The channels-last nodes that read X row-major (`Candidate.rowMajorReader`).
  private var rowMajorReaders: Set<NodeID> = []

  /// What a candidate node is, for the region's count.
  private enum Candidate: Equatable {
    /// `fasterWork`: the multiply-adds of a convolution whose channels-last method is much faster than its
    /// row-major one (`ChannelsLastAssignment.fasterWork`), else 0.
    case convolution(fasterWork: Int)
    /// Reads X row-major and writes channels-last: an image stem (`ConvMethod.channelsLastGrid`), or a 1x1
    /// convolution with an input prologue (`ConvMethod.channelsLastPointwise`: a DenseNet bottleneck, whose
    /// X is the row-major concatenation of its block).
    case rowMajorReader
    /// Reads channels-last and writes channels-last (pooling windows, elementwise).
    case layoutPreserving
    /// Concat, Split or Slice: copies in either layout. They join the regions of the branches they gather or
    /// feed; a joined region that does not pay is decided again without them (`init`).
    case dataMovement
    /// Reads channels-last and writes a row-major result with one position (GlobalAveragePool).
    case globalPooling

    var isConvolution: Bool {
      switch self {
      case .convolution, .rowMajorReader: true
      case .layoutPreserving, .dataMovement, .globalPooling: false
      }
    }
  }

  /// The channels-last nodes of `graph` under `policy`: none for `rowMajor`, every region with a convolution
  /// for `channelsLast`, the regions that pay for their reorders for `automatic`; 3×3 convolutions weighed by
  /// the method `winogradReach` gives them.
  init(_ graph: Graph, liveness: Liveness, policy: ActivationLayoutPolicy, winogradReach: WinogradReach) {
    guard policy != .rowMajor else { return }
    var candidates: [Int: Candidate] = [:]
    for (position, node) in graph.nodes.enumerated() where liveness.isLive(node) {
      candidates[position] = Self.candidate(node, graph, reach: winogradReach)
    }
    var producers = [Int?](repeating: nil, count: graph.values.count)
    for (position, node) in graph.nodes.enumerated() {
      for output in node.outputs { producers[output.index] = position }
    }
    let uses = UseList(graph)
    Self.dropUpsamplingAtTheEdge(&candidates, graph, uses: uses)
    let declined = assign(graph, candidates: candidates, producers: producers, uses: uses, policy: policy)
    // A region joined through data movement that does not pay is decided again without its Concats, Splits and
    // Slices, which then stay row-major: a DenseNet block's Concats feed row-major 1x1 convolutions (their
    // batch-norm prologue has no channels-last kernel), and one region around the whole block would reorder
    // every Concat's output, while each 3x3 convolution alone, between two reorders, pays (`fasterWork`).
    var remaining: [Int: Candidate] = [:]
    for position in declined where candidates[position] != .dataMovement { remaining[position] = candidates[position] }
    if declined.contains(where: { candidates[$0] == .dataMovement }) {
      _ = assign(graph, candidates: remaining, producers: producers, uses: uses, policy: policy)
    }
  }

  /// Removes the candidacy of each Resize that enlarges its tensor and whose result is not read by candidates
  /// alone (a graph output, a row-major reader): at a region's edge it would move the region's reorder from its
  /// small input to its large result. LR-ASPP's last step, a bilinear 8x upsampling of 5 channels to the graph
  /// output, reordered 46,080 elements (0.042 ms) instead of 720 (0.002 ms).
  private static func dropUpsamplingAtTheEdge(_ candidates: inout [Int: Candidate], _ graph: Graph, uses: UseList) {
    var positions: [NodeID: Int] = [:]
    for (position, node) in graph.nodes.enumerated() { positions[node.id] = position }
    for (position, node) in graph.nodes.enumerated() where candidates[position] != nil {
      guard case .resize = node.op, let x = node.input(0), let input = graph.type(of: x).knownDims,
        let output = graph.type(of: node.outputs[0]).knownDims, output.reduce(1, *) > input.reduce(1, *)
      else { continue }
      let readByCandidatesAlone = uses[node.outputs[0]].allSatisfy { use in
        guard case .operand(let reader, _) = use, let readerPosition = positions[reader] else { return false }
        return candidates[readerPosition] != nil
      }
      if !readByCandidatesAlone { candidates[position] = nil }
    }
  }

  /// Assigns every region of `candidates` that is chosen under `policy`; returns the nodes of the others.
  private mutating func assign(
    _ graph: Graph, candidates: [Int: Candidate], producers: [Int?], uses: UseList, policy: ActivationLayoutPolicy
  ) -> [Int] {
    var declined: [Int] = []
    for region in Self.regions(graph, candidates: candidates, producers: producers) {
      let crossing = Self.reorders(region, graph, candidates: candidates, producers: producers, uses: uses)
      let chosen =
        policy == .channelsLast
        ? region.contains { candidates[$0]?.isConvolution ?? false }
        : Self.pays(region, crossing, graph, candidates: candidates)
          && !Self.readsConcatenationRowMajor(region, graph, candidates: candidates, producers: producers)
      guard chosen else {
        declined += region
        continue
      }
      for position in region {
        let node = graph.nodes[position]
        assigned.insert(node.id)
        if candidates[position] != .globalPooling { channelsLastValues.formUnion(node.outputs) }
        if candidates[position] == .rowMajorReader { rowMajorReaders.insert(node.id) }
      }
    }
    return declined
  }

  /// `fasterWork` multiply-adds a region needs per element it reorders to pay for the reorders.
  ///
  /// Measured on the 2-core Zen 5 (one thread, 2026-11-30): a reorder moves about 0.19 ns per element, and
  /// DenseNet-121's 3x3 convolutions (128 → 32 channels) took 0.45 instead of 0.92 ms at 56x56 channels-last,
  /// 4.1 ps saved per multiply-add: break-even at 46 multiply-adds per element. Those layers have 230
  /// (9·C·M / (C + M)), and the whole network ran in 25.9 instead of 31.6 ms with its 116 reorders. The
  /// threshold keeps a margin of almost three for shapes whose saving is smaller: a 3x3 convolution between
  /// two reorders pays with 32 channels in and out (144), not with 16 (72). Direct-kernel convolutions saved
  /// 2.3-5.9 ps per multiply-add (2026-12-01: 3x3/2 64→128 at 56x56 0.74 → 0.43 ms, the 2x2 phase Conv of a
  /// k4 s2 ConvTranspose 64→64 at 56x56 2.78 → 1.58, 5x5 32→32 at 28x28 0.22 → 0.17), the same order.
  static let fasterWorkPerReorderedElement = 128
  /// Input channels per group from which a convolution the row-major `direct` method would run counts as
  /// faster channels-last: the channels-last GEMM reads each tap's channels as one row, and on an image's
  /// three channels (a ViT's 16x16/16 patch embedding) it was no faster than the direct kernel.
  static let directMinimumChannelsForChannelsLast = 16

  /// Whether a region is worth its `crossing` values' reorders (see the type's documentation).
  private static func pays(_ region: [Int], _ crossing: Set<ValueID>, _ graph: Graph, candidates: [Int: Candidate])
    -> Bool
  {
    let convolutions = region.count { candidates[$0]?.isConvolution ?? false }
    if convolutions >= 2 && convolutions >= 2 * crossing.count { return true }
    let fasterWork = region.reduce(0) { total, position in
      guard case .convolution(let work) = candidates[position] else { return total }
      return total.addingReportingOverflow(work).overflow ? Int.max : total + work
    }
    let reordered = crossing.reduce(0) { total, value in
      let elements = graph.type(of: value).knownDims?.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
      return total + (elements ?? Int.max / 2)
    }
    guard fasterWork > 0, reordered > 0 else { return false }
    return fasterWork / reordered >= fasterWorkPerReorderedElement
  }

  /// Whether a row-major reader of `region` reads its X from a Concat of the region: a DenseNet block joined
  /// through its Concats, whose bottleneck 1x1s read each concatenation row-major. The Concats would then
  /// gather channels-last, by copies instead of in place, only for each concatenation to be reordered back
  /// for its reader; decided again without them (`init`), each bottleneck starts its own 3x3's region. (A
  /// Split's or a Slice's part read row-major costs its reorder alone, which `reorders` counts.)
  private static func readsConcatenationRowMajor(
    _ region: [Int], _ graph: Graph, candidates: [Int: Candidate], producers: [Int?]
  ) -> Bool {
    let members = Set(region)
    return region.contains { position in
      guard candidates[position] == .rowMajorReader, let x = graph.nodes[position].input(0),
        let source = producers[x.index], members.contains(source)
      else { return false }
      if case .concat = graph.nodes[source].op { return true }
      return false
    }
  }

  func computesChannelsLast(_ node: Node) -> Bool { assigned.contains(node.id) }

  /// Whether `node` reads its operand `value` channels-last: every activation of a channels-last node but an
  /// X of a node that reads it row-major (`Candidate.rowMajorReader`) and a position-free operand of a binary step (a gate `[N, C, 1, 1]`, whose bytes are the
  /// same either way: the binary kernel reads it as stored, so it needs no reorder).
  func readsChannelsLast(_ value: ValueID, in node: Node, dims: [Int]) -> Bool {
    guard assigned.contains(node.id), !(rowMajorReaders.contains(node.id) && node.input(0) == value) else {
      return false
    }
    if case .binary = node.op, Self.isPositionFree(dims, rank: dims.count) { return false }
    return true
  }

  /// Whether `node` reads X row-major and writes channels-last (`Candidate.rowMajorReader`).
  func readsRowMajorWritesChannelsLast(_ node: Node) -> Bool { rowMajorReaders.contains(node.id) }

  func storesChannelsLast(_ value: ValueID) -> Bool { channelsLastValues.contains(value) }

  /// Whether any node is channels-last.
  var isEmpty: Bool { assigned.isEmpty }

  // MARK: - Candidates

  private static func candidate(_ node: Node, _ graph: Graph, reach: WinogradReach) -> Candidate? {
    guard let x = node.input(0), Self.holds(graph.type(of: x).dtype, node),
      node.outputs.count == 1 || Self.isSplit(node),
      graph.constant(x) == nil, let input = graph.type(of: x).knownDims, (3...5).contains(input.count),
      let output = graph.type(of: node.outputs[0]).knownDims, output.count == input.count,
      graph.type(of: node.outputs[0]).dtype == graph.type(of: x).dtype
    else { return nil }
    // A residual that is a constant stays in ONNX layout (constants are never reordered), and a kernel adds its
    // residual in its own layout: the node computes row-major (a conv adding a constant position bias, or a
    // ScaleShift adding one, was planned channels-last and its plan refused at load).
    if node.op.addsResidual, let residual = node.input(Op.residualSlot), graph.constant(residual) != nil {
      return nil
    }
    let hasPositions = output.dropFirst(2).reduce(1, *) > 1
    switch node.op {
    case .conv(let attributes):
      guard hasPositions, let weight = node.input(1), graph.constant(weight) != nil,
        let shape = ConvGeometry.shape(of: node, attributes, in: graph)
      else { return nil }
      // X read row-major and again as another operand (its own residual) would be wanted in both layouts.
      let readsXOnce = node.inputs.dropFirst().allSatisfy { $0 != x }
      let rowMajorMethod = ConvMethod.chooseRowMajorToChannelsLast(shape, weightsAreConstant: true)
      if attributes.prologue != nil {
        // No method that reads X channels-last applies a prologue; the 1x1 that reads X's channel planes
        // row-major applies it while packing them (`ConvMethod.channelsLastPointwise`).
        return readsXOnce && rowMajorMethod == .channelsLastPointwise ? .rowMajorReader : nil
      }
      guard Self.isImageStem(shape) else {
        return ConvMethod.supportsChannelsLast(shape, weightsAreConstant: true)
          ? .convolution(fasterWork: Self.fasterWork(shape, reach: reach)) : nil
      }
      return readsXOnce && rowMajorMethod == .channelsLastGrid ? .rowMajorReader : nil
    case .maxPool, .averagePool:
      return hasPositions ? .layoutPreserving : nil
    case .globalAveragePool:
      return input.dropFirst(2).reduce(1, *) > 1 ? .globalPooling : nil
    case .unary, .clip:
      let boundsAreConstant = node.inputs.dropFirst().allSatisfy { $0.map { graph.constant($0) != nil } ?? true }
      return hasPositions && boundsAreConstant ? .layoutPreserving : nil
    case .binary(let op):
      guard hasPositions, !op.producesBool, node.inputs.count == 2, let b = node.input(1),
        graph.type(of: b).dtype == graph.type(of: x).dtype, let other = graph.type(of: b).knownDims
      else { return nil }
      // Two computed operands of the result's shape, or one and a tensor constant over the positions (a
      // squeeze-and-excitation gate `[N, C, 1, 1]`, a per-channel constant), which the binary kernel reads as
      // stored in either layout (`StorageShapes`).
      let sameShape = graph.constant(b) == nil && other == input && input == output
      let gated =
        graph.type(of: x).dtype == .float32
        && ((input == output && Self.isPositionFree(other, rank: output.count))
          || (other == output && Self.isPositionFree(input, rank: output.count)))
      return sameShape || gated ? .layoutPreserving : nil
    case .scaleShift(let axis, _):
      // Per-channel scale and shift (a BatchNorm no convolution absorbed): rows of channels channels-last.
      guard node.inputs.count >= 3 else { return nil }
      let constantVectors = node.inputs[1...2].allSatisfy { $0.map { graph.constant($0) != nil } ?? false }
      return hasPositions && axis == 1 && constantVectors ? .layoutPreserving : nil
    case .resize(let attributes):
      // Resampling the positions only, as the runtime does at channels-last strides (`ResizeOperator`): an
      // HRNet's or a feature pyramid's upsampling between convolutions, which otherwise cost two reorders.
      let keepsBatchAndChannels = input.prefix(2) == output.prefix(2) && attributes.scales.count == input.count
      return hasPositions && keepsBatchAndChannels ? .layoutPreserving : nil
    case .concat, .split, .slice:
      // Strided copies at channels-last strides (`StridedCopy.storageStrides`), along any axis: an Inception
      // module's branches, a Res2Net block's channel groups and a DPN's dual paths stay in one region.
      return hasPositions && node.outputs.allSatisfy({ graph.type(of: $0).knownDims?.count == input.count })
        ? .dataMovement : nil
    case .pad:
      // Each axis padded on its own, in storage order (`PadOperator`): a Keras ResNet's ZeroPadding2D before
      // its max pooling, between the channels-last stem and the first block.
      return hasPositions ? .layoutPreserving : nil
    case .gemm, .matMul, .batchNormalization, .layerNormalization, .lrn, .variadic, .where, .gatedSkip,
      .cast, .reduceMean, .reduce, .softmax, .flatten, .reshape, .transpose, .squeeze,
      .unsqueeze, .gather, .shape, .expand, .constantOfShape, .range, .scatterND, .gatherElements, .cumSum,
      .trilu, .argReduce, .topK, .identity, .dropout, .lstm, .gru, .rnn:
      return nil
    }
  }

  /// Whether `node` on values of `dtype` has a channels-last variant: float32 always; float16 where the
  /// lowering computes in float32 behind casts, which keep the layout (convolutions, pooling, ScaleShift,
  /// Resize), or where the kernel is elementwise over operands of one shape (unary functions, Clip, binary
  /// arithmetic of two computed operands). A float16 model's convolutions then take the channels-last
  /// kernels its float32 twin does (ResNet-18: 28 → ~20 ms). Data movement and Pad stay float32: their
  /// channels-last strided copies were written for float32.
  private static func holds(_ dtype: DType, _ node: Node) -> Bool {
    switch dtype {
    case .float32:
      return true
    case .float16:
      switch node.op {
      case .conv, .maxPool, .averagePool, .globalAveragePool, .unary, .clip, .binary, .scaleShift, .resize: return true
      default: return false
      }
    case .float64, .int64, .int32, .int8, .uint8, .bool:
      return false
    }
  }

  /// A Split, the one candidate with several results.
  private static func isSplit(_ node: Node) -> Bool {
    if case .split = node.op { return true }
    return false
  }

  /// Whether a tensor of `dims`, broadcast to rank `rank`, is constant over the spatial positions (every axis
  /// after the channels of size 1): its bytes are the same stored row-major or channels-last.
  static func isPositionFree(_ dims: [Int], rank: Int) -> Bool {
    guard dims.count <= rank else { return false }
    let aligned = [Int](repeating: 1, count: rank - dims.count) + dims
    return aligned.dropFirst(2).allSatisfy { $0 == 1 }
  }

  /// A convolution over at most four channels (an image's colours) that the row-major `grid` method runs.
  /// The channels-last kernels that read X channels-last ran it 1.5–1.7x slower (a reduction over three
  /// channels per tap cannot fill a tile: ResNet-50's 7x7 stem 3.2 against 5.6 ms, MobileNetV2's 3x3 one 0.6
  /// against 1.1); `channelsLastGrid` reads X row-major as the grid method does and writes channels-last.
  private static func isImageStem(_ shape: ConvShape) -> Bool {
    shape.groups * shape.channelsPerGroup <= 4 && ConvMethod.choose(shape, weightsAreConstant: true) == .grid
  }

  /// The multiply-adds of a convolution (its direct count: output positions × output channels × input channels
  /// per group × kernel volume, one image) that runs much faster channels-last: as channels-last Winograd, or
  /// as a channels-last GEMM where row-major it would take the `direct` kernel, or Winograd that channels-last
  /// declines for its weight bytes (`ConvMethod.isWideSmallTileWinograd`) (on at least
  /// `directMinimumChannelsForChannelsLast` input channels per group); 0 for any other convolution.
  private static func fasterWork(_ shape: ConvShape, reach: WinogradReach) -> Int {
    let channelsLast = ConvMethod.chooseChannelsLast(shape, reach: reach)
    let rowMajor = ConvMethod.choose(shape, weightsAreConstant: true)
    let replacesDirect =
      channelsLast == .channelsLastGemm
      && (rowMajor == .direct || rowMajor == .winograd && ConvMethod.isWideSmallTileWinograd(shape, reach: reach))
      && shape.channelsPerGroup >= directMinimumChannelsForChannelsLast
    guard channelsLast == .channelsLastWinograd || replacesDirect, let volume = shape.kernelVolume else {
      return 0
    }
    let factors = shape.output + [shape.groups, shape.outputChannelsPerGroup, shape.channelsPerGroup, volume]
    var product = 1
    for factor in factors {
      let (next, overflow) = product.multipliedReportingOverflow(by: factor)
      if overflow { return Int.max / 2 }
      product = next
    }
    return product
  }

  // MARK: - Regions

  /// Candidate nodes connected through values one computes and another reads, each region's node positions
  /// in graph order, regions in the order of their first node.
  private static func regions(_ graph: Graph, candidates: [Int: Candidate], producers: [Int?]) -> [[Int]] {
    var parent = Array(graph.nodes.indices)
    func root(_ position: Int) -> Int {
      var current = position
      while parent[current] != current {
        parent[current] = parent[parent[current]]
        current = parent[current]
      }
      return current
    }
    for (position, node) in graph.nodes.enumerated() where candidates[position] != nil {
      // A row-major reader's X is not joined: whoever computes it is not in the reader's region for that.
      for case let input? in node.inputs.dropFirst(candidates[position] == .rowMajorReader ? 1 : 0) {
        guard let source = producers[input.index], let kind = candidates[source], kind != .globalPooling else {
          continue
        }
        let (a, b) = (root(source), root(position))
        if a != b { parent[max(a, b)] = min(a, b) }
      }
    }
    var members: [Int: [Int]] = [:]
    for position in graph.nodes.indices where candidates[position] != nil {
      members[root(position), default: []].append(position)
    }
    return members.keys.sorted().compactMap { members[$0] }
  }

  /// The reorders a region needs: one per value it reads from outside (a graph input, a row-major node's
  /// result) and one per value it writes that a node outside it, or the graph's outputs, reads.
  private static func reorders(
    _ region: [Int], _ graph: Graph, candidates: [Int: Candidate], producers: [Int?], uses: UseList
  ) -> Set<ValueID> {
    let positions = Set(region)
    let members = Set(region.map { graph.nodes[$0].id })
    var crossing = Set<ValueID>()
    for position in region {
      let node = graph.nodes[position]
      // A row-major reader reads X as it is stored outside a region; an X computed inside (the region joined
      // through another path) is reordered back for it.
      let readsXRowMajor = candidates[position] == .rowMajorReader
      if readsXRowMajor, let x = node.input(0), let source = producers[x.index], positions.contains(source),
        candidates[source] != .globalPooling
      {
        crossing.insert(x)
      }
      let channelsLastInputs = node.inputs.dropFirst(readsXRowMajor ? 1 : 0)
      for case let input? in channelsLastInputs where graph.constant(input) == nil {
        guard let dims = graph.type(of: input).knownDims, dims.count >= 3 else { continue }
        // A binary step reads a position-free operand as it is stored (see `readsChannelsLast`).
        if case .binary = node.op, isPositionFree(dims, rank: dims.count) { continue }
        let producedInside = producers[input.index].map { positions.contains($0) } ?? false
        if !producedInside { crossing.insert(input) }
      }
      guard candidates[position] != .globalPooling else { continue }
      for output in node.outputs {
        let leaves = uses[output].contains { use in
          switch use {
          case .graphOutput: true
          case .operand(let reader, _): !members.contains(reader)
          }
        }
        if leaves { crossing.insert(output) }
      }
    }
    return crossing
  }
}
