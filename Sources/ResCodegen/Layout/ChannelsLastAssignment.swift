import ResIR
import ResPlan

/// Which nodes compute in the channels-last layout (plan.proto `ActivationLayout`), decided before lowering.
///
/// Channels-last is where the dense kernels are fastest: a convolution becomes a GEMM whose rows are input
/// positions read in place, a depthwise layer or a pooling window puts channels on the vector lanes at any
/// stride. But every value crossing between a channels-last node and a row-major one costs a reorder step
/// (a full transpose of the tensor). So nodes are grouped into regions (nodes with a channels-last variant,
/// connected through the values one computes and another reads), and a region goes channels-last only when
/// its convolutions outnumber its reorders at least two to one: a ResNet or a MobileNet is one region from
/// the stem to the global pooling (one reorder, of the image), while a DenseNet layer between two Concats,
/// or a ViT's patch embedding before a Reshape, would pay two reorders for one convolution and stays
/// row-major.
///
/// Nodes with a channels-last variant (`Candidate`): a Conv that `ConvMethod.supportsChannelsLast` accepts,
/// without an input prologue, over 1 or 2 spatial axes whose output has more than one position, except a stem
/// on an image (`isImageStem`); MaxPool and
/// AveragePool (one result) over 1 or 2 spatial axes; GlobalAveragePool (which reads channels-last and writes
/// its `[N, C, 1, 1]` row-major: the same bytes); unary functions and Clip; binary arithmetic of two computed
/// operands of the result's shape. All on f32.
struct ChannelsLastAssignment: Sendable {
  /// The nodes that compute channels-last.
  private var assigned: Set<NodeID> = []
  /// The value each channels-last node writes channels-last (every result but a global pooling's).
  private var channelsLastValues: Set<ValueID> = []

  /// What a candidate node is, for the region's count.
  private enum Candidate {
    case convolution
    /// Reads channels-last and writes channels-last (pooling windows, elementwise).
    case layoutPreserving
    /// Reads channels-last and writes a row-major result with one position (GlobalAveragePool).
    case globalPooling
  }

  /// The channels-last nodes of `graph` under `policy`: none for `rowMajor`, every region with a convolution
  /// for `channelsLast`, the regions that pay for their reorders for `automatic`.
  init(_ graph: Graph, liveness: Liveness, policy: ActivationLayoutPolicy) {
    guard policy != .rowMajor else { return }
    var candidates: [Int: Candidate] = [:]
    for (position, node) in graph.nodes.enumerated() where liveness.isLive(node) {
      candidates[position] = Self.candidate(node, graph)
    }
    var producers = [Int?](repeating: nil, count: graph.values.count)
    for (position, node) in graph.nodes.enumerated() {
      for output in node.outputs { producers[output.index] = position }
    }
    let regions = Self.regions(graph, candidates: candidates, producers: producers)
    let uses = UseList(graph)
    for region in regions {
      let convolutions = region.count { candidates[$0] == .convolution }
      let reorders = Self.reorders(region, graph, candidates: candidates, producers: producers, uses: uses)
      let chosen = policy == .channelsLast ? convolutions > 0 : convolutions >= 2 && convolutions >= 2 * reorders
      guard chosen else { continue }
      for position in region {
        let node = graph.nodes[position]
        assigned.insert(node.id)
        if candidates[position] != .globalPooling { channelsLastValues.formUnion(node.outputs) }
      }
    }
  }

  func computesChannelsLast(_ node: Node) -> Bool { assigned.contains(node.id) }

  func storesChannelsLast(_ value: ValueID) -> Bool { channelsLastValues.contains(value) }

  /// Whether any node is channels-last.
  var isEmpty: Bool { assigned.isEmpty }

  // MARK: - Candidates

  private static func candidate(_ node: Node, _ graph: Graph) -> Candidate? {
    guard let x = node.input(0), graph.type(of: x).dtype == .float32, node.outputs.count == 1,
      graph.constant(x) == nil, let input = graph.type(of: x).knownDims, (3...4).contains(input.count),
      let output = graph.type(of: node.outputs[0]).knownDims, output.count == input.count,
      graph.type(of: node.outputs[0]).dtype == .float32
    else { return nil }
    let hasPositions = output.dropFirst(2).reduce(1, *) > 1
    switch node.op {
    case .conv(let attributes):
      guard attributes.prologue == nil, hasPositions, let weight = node.input(1), graph.constant(weight) != nil,
        let shape = ConvGeometry.shape(of: node, attributes, in: graph),
        ConvMethod.supportsChannelsLast(shape, weightsAreConstant: true),
        !Self.isImageStem(shape)
      else { return nil }
      return .convolution
    case .maxPool, .averagePool:
      return hasPositions ? .layoutPreserving : nil
    case .globalAveragePool:
      return input.dropFirst(2).reduce(1, *) > 1 ? .globalPooling : nil
    case .unary, .clip:
      let boundsAreConstant = node.inputs.dropFirst().allSatisfy { $0.map { graph.constant($0) != nil } ?? true }
      return hasPositions && boundsAreConstant ? .layoutPreserving : nil
    case .binary(let op):
      guard hasPositions, op != .equal, node.inputs.count == 2, let b = node.input(1), graph.constant(b) == nil,
        graph.type(of: b).knownDims == input, input == output, graph.type(of: b).dtype == .float32
      else { return nil }
      return .layoutPreserving
    case .gemm, .matMul, .batchNormalization, .layerNormalization, .scaleShift, .lrn, .variadic, .where, .gatedSkip,
      .cast, .reduceMean, .softmax, .flatten, .reshape, .transpose, .concat, .split, .slice, .squeeze, .unsqueeze,
      .gather, .shape, .expand, .constantOfShape, .pad, .identity, .dropout, .lstm, .gru:
      return nil
    }
  }

  /// A convolution over at most four channels (an image's colours) that the row-major `grid` method runs:
  /// reading each channel's plane with positions on the vector lanes beat the channels-last kernels, whose
  /// reduction is then too short to fill a tile (ResNet-50's 7x7 stem 3.2 against 5.6 ms, MobileNetV2's 3x3
  /// one 0.6 against 1.1), and reordering its output costs less than the difference (0.5 and 0.2 ms).
  private static func isImageStem(_ shape: ConvShape) -> Bool {
    shape.groups * shape.channelsPerGroup <= 4 && ConvMethod.choose(shape, weightsAreConstant: true) == .grid
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
      for case let input? in node.inputs {
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
  ) -> Int {
    let positions = Set(region)
    let members = Set(region.map { graph.nodes[$0].id })
    var crossing = Set<ValueID>()
    for position in region {
      let node = graph.nodes[position]
      for case let input? in node.inputs where graph.constant(input) == nil {
        guard let dims = graph.type(of: input).knownDims, dims.count >= 3 else { continue }
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
    return crossing.count
  }
}
