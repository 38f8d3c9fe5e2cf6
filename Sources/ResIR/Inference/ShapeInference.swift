/// Shape and element-type inference, one node at a time.
///
/// The importer calls `inferNode` as it appends each node, because it needs operand ranks to normalize
/// negative axes and fill default attributes; passes and the verifier call `run` over a whole graph. Both
/// see the same rules: ONNX's newest-opset semantics, symbolic dimensions kept symbolic (see `Broadcasting`
/// and `Monomial`), and every invalid operand reported as a `ModelError` naming the node.
///
/// Besides types, inference remembers the values of small tensors (`KnownTensor`): the `Shape → Gather →
/// Unsqueeze → Concat → Reshape` chains PyTorch exports for a dynamic batch, so a later `Reshape` can still
/// produce `[N,3136]` instead of `[?,?]`, and the pads and slice bounds that exports compute from constants.
public struct ShapeInference: Sendable {
  /// Tensors with at most this many elements (and every dimension known) have their values tracked: enough
  /// for any shape, pads or axes list, few enough that tracking costs nothing.
  static let trackedElementLimit = 64

  /// Known values of node results. A value may be partly known (a Concat of a known and an unknown piece); a
  /// value with nothing known has no entry.
  private var knownValues: [ValueID: KnownTensor] = [:]

  public init() {}

  /// Infers the result types of `graph.nodes[position]` from its operands (already typed), writes them with
  /// `graph.setType(_:of:)`, and remembers small known results (shape arithmetic) for later nodes.
  /// Throws a ModelError naming the node (ModelError(node, "...")) when operands are invalid.
  public mutating func inferNode(at position: Int, in graph: inout Graph) throws(ModelError) {
    guard graph.nodes.indices.contains(position) else {
      throw ModelError("node position \(position) is out of range (the graph has \(graph.nodes.count) nodes)")
    }
    let node = graph.nodes[position]
    // Inference reads the graph through a copy that must be gone before the first `setType`, or every node
    // would copy the whole value table.
    let inferred = try results(of: node, in: graph)
    for (value, type) in zip(node.outputs, inferred.types) {
      graph.setType(type, of: value)
    }
    for (value, known) in zip(node.outputs, inferred.values) {
      knownValues[value] = known
    }
  }

  /// Runs inferNode over every node in order (what the verifier and passes use).
  public static func run(_ graph: inout Graph) throws(ModelError) {
    var inference = ShapeInference()
    for position in graph.nodes.indices {
      try inference.inferNode(at: position, in: &graph)
    }
  }

  /// The elements of a small tensor, in row-major order, when known: from a constant, or propagated through
  /// shape arithmetic. A `.symbol` element is a symbolic size. nil when nothing is known.
  ///
  /// A partly known tensor has `.unknown` in the places that are not known (`Concat` of an unknown piece and
  /// `[64]` gives `[?, 64]`); products of symbols that have no `Dim` spelling (`64·N`) are `.unknown` here
  /// too, though later inference still uses them exactly. Float tensors are known only in their whole-number
  /// elements (see `KnownArithmetic`).
  public func elements(of value: ValueID, in graph: Graph) -> [Dim]? {
    knownTensor(of: value, in: graph)?.elements.map { $0?.dim ?? .unknown }
  }

  /// The known value of `value`, exactly.
  func knownTensor(of value: ValueID, in graph: Graph) -> KnownTensor? {
    if let known = knownValues[value] { return known }
    guard graph.values.indices.contains(value.index), let constant = graph.constant(value),
      ShapeInference.tracks(constant.type), let known = KnownTensor(constant)
    else { return nil }
    // An empty constant is completely known (an empty axes list); a float constant of fractions is not.
    return known.hasKnownElement || known.elements.isEmpty ? known : nil
  }

  /// Whether inference tracks the values of tensors of `type`: every dimension known, few elements.
  static func tracks(_ type: TensorType) -> Bool {
    guard let count = type.elementCount else { return false }
    return count <= trackedElementLimit
  }

  /// The types of a node's results and, per result, its known value (`nil` when nothing is known, which also
  /// clears what an earlier inference of the same node remembered).
  private func results(of node: Node, in graph: Graph) throws(ModelError) -> (
    types: [TensorType], values: [KnownTensor?]
  ) {
    try node.checkStructure(valueCount: graph.values.count)
    let context = NodeContext(node: node, graph: graph, inference: self)
    try context.requireNonNegativeOperandDims()
    let types = try context.resultTypes()
    for (index, type) in types.enumerated() {
      _ = try context.elementCount(type.shape, types.count == 1 ? "result" : "result \(index + 1)")
    }
    let firstIsTracked = types.first.map { ShapeInference.tracks($0) } ?? false
    let propagated = firstIsTracked ? context.propagatedValues(for: types) : []
    let values = types.indices.map { index -> KnownTensor? in
      guard index < propagated.count, let known = propagated[index], ShapeInference.tracks(types[index]),
        known.shape == types[index].knownDims, known.hasKnownElement
      else { return nil }
      return known
    }
    return (types, values)
  }
}
