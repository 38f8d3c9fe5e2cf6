/// The network seen as residual blocks and the plain stretches between them (stem, transitions, head): what
/// `--dump blocks` prints, one unit per line.
///
/// Blocks are found from the graph's structure alone (`ResidualJoin`, `ForkSearch`, `BlockFinder`), so the
/// same code serves ResNets (identity and projection shortcuts), pre-activation ResNets, MobileNetV2's
/// inverted residuals, DenseNet's concatenations, Highway gates and transformer sub-layers, before and after
/// fusion. Names only supply the labels (`BlockLabel`).
public struct ResidualBlocks: Sendable {
  /// A stretch of nodes that belong to no block.
  public struct Segment: Sendable, Hashable {
    public var label: String
    public var nodes: [NodeID]
  }

  public enum Unit: Sendable, Hashable {
    case block(ResidualBlock)
    case segment(Segment)

    public var label: String {
      switch self {
      case .block(let block): block.label
      case .segment(let segment): segment.label
      }
    }

    public var nodes: [NodeID] {
      switch self {
      case .block(let block): block.nodes
      case .segment(let segment): segment.nodes
      }
    }

    public var isBlock: Bool {
      switch self {
      case .block: true
      case .segment: false
      }
    }
  }

  /// Every node of the graph in exactly one unit; units in the order of their first node.
  public let units: [Unit]
  private let unitOfNode: [NodeID: Int]
  private let producers: [ValueID: NodeID]

  public init(_ graph: Graph) {
    let finder = BlockFinder(graph)
    var drafts = finder.drafts()
    let cores = NodeScope.cores(drafts.map { NodeScope.common($0.labelNames(in: graph)) })
    drafts = finder.absorbingLeadingOps(drafts, cores: cores)
    let parents = Set(cores.filter { $0.count >= 2 }.map { Array($0.dropLast()) })
      .sorted { $0.lexicographicallyPrecedes($1) }
    units = Self.labelledUnits(graph, drafts, finder.segments(outside: drafts, blockParents: parents), finder)
    var unitOfNode: [NodeID: Int] = [:]
    for (index, unit) in units.enumerated() { for node in unit.nodes { unitOfNode[node] = index } }
    self.unitOfNode = unitOfNode
    producers = finder.producers.mapValues { graph.nodes[$0].id }
  }

  /// Blocks and segments in the order of their first node, labelled together so that labels are unique.
  private static func labelledUnits(
    _ graph: Graph, _ drafts: [BlockFinder.Draft], _ segments: [[Int]], _ finder: BlockFinder
  ) -> [Unit] {
    let assembler = BlockAssembler(graph: graph, producers: finder.producers)
    var unlabeled: [(first: Int, names: [String], make: (String) -> Unit)] = []
    for draft in drafts {
      let block = assembler.block(from: draft)
      unlabeled.append((draft.owned[0], draft.labelNames(in: graph), { .block(block.labelled($0)) }))
    }
    for run in segments {
      let ids = run.map { graph.nodes[$0].id }
      unlabeled.append((run[0], run.map { graph.nodes[$0].name }, { .segment(Segment(label: $0, nodes: ids)) }))
    }
    unlabeled.sort { $0.first < $1.first }
    let labels = BlockLabel.labels(for: unlabeled.map(\.names))
    return zip(unlabeled, labels).map { $0.make($1) }
  }

  public var blocks: [ResidualBlock] {
    units.compactMap { if case .block(let block) = $0 { block } else { nil } }
  }

  /// The unit whose node computes `value` (nil for graph inputs and constants).
  public func unit(producing value: ValueID) -> Unit? {
    producers[value].flatMap { unitOfNode[$0] }.map { units[$0] }
  }
}

extension ResidualBlock {
  fileprivate func labelled(_ label: String) -> ResidualBlock {
    var copy = self
    copy.label = label
    return copy
  }
}
