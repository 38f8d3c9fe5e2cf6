/// Shape and element-type inference, one node at a time.
///
/// The importer calls `inferNode` as it appends each node, because it needs operand ranks to normalize
/// negative axes and fill default attributes; passes and the verifier call `run` over a whole graph. Both
/// see the same rules: ONNX's newest-opset semantics, symbolic dimensions kept symbolic (see `Broadcasting`
/// and `Monomial`), and every invalid operand reported as a `ModelError` naming the node.
///
/// Besides types, inference remembers the values of small integer tensors (the `Shape → Gather → Unsqueeze →
/// Concat → Reshape` chains PyTorch exports for a dynamic batch), so a later `Reshape` can still produce
/// `[N,3136]` instead of `[?,?]`.
public struct ShapeInference: Sendable {
  /// Integer tensors with at most this many elements (and rank ≤ 1) have their values tracked: enough for
  /// any shape, pads or axes list, few enough that tracking costs nothing.
  static let trackedElementLimit = 64

  /// Known elements of node results, by value. An entry may contain `nil` elements (partly known, e.g. a
  /// Concat of a known and an unknown piece); a value with nothing known has no entry.
  private var knownElements: [ValueID: [Monomial?]] = [:]

  public init() {}

  /// Infers the result types of `graph.nodes[position]` from its operands (already typed), writes them with
  /// `graph.setType(_:of:)`, and remembers small integer results (shape arithmetic) for later nodes.
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
    for (value, elements) in zip(node.outputs, inferred.elements) {
      knownElements[value] = elements
    }
  }

  /// Runs inferNode over every node in order (what the verifier and passes use).
  public static func run(_ graph: inout Graph) throws(ModelError) {
    var inference = ShapeInference()
    for position in graph.nodes.indices {
      try inference.inferNode(at: position, in: &graph)
    }
  }

  /// The elements of a small integer tensor (rank ≤ 1, few elements) when known: from a constant, or
  /// propagated through Shape arithmetic. A `.symbol` element is a symbolic size. nil when unknown.
  ///
  /// A partly known tensor has `.unknown` in the places that are not known (`Concat` of an unknown piece and
  /// `[64]` gives `[?, 64]`); products of symbols that have no `Dim` spelling (`64·N`) are `.unknown` here
  /// too, though later inference still uses them exactly.
  public func elements(of value: ValueID, in graph: Graph) -> [Dim]? {
    monomials(of: value, in: graph)?.map { $0?.dim ?? .unknown }
  }

  /// The known elements of `value`, exactly.
  func monomials(of value: ValueID, in graph: Graph) -> [Monomial?]? {
    if let known = knownElements[value] { return known }
    guard graph.values.indices.contains(value.index), let constant = graph.constant(value),
      ShapeInference.tracks(constant.type)
    else { return nil }
    return constant.integers().map { Monomial($0) }
  }

  /// Whether values of `type` are small integer tensors whose elements inference tracks.
  static func tracks(_ type: TensorType) -> Bool {
    guard type.rank <= 1, type.dtype.isInteger || type.dtype == .bool, let count = type.elementCount else {
      return false
    }
    return count <= trackedElementLimit
  }

  /// The types of a node's results and, per result, its known elements.
  private func results(of node: Node, in graph: Graph) throws(ModelError) -> (
    types: [TensorType], elements: [[Monomial?]?]
  ) {
    try node.checkStructure(valueCount: graph.values.count)
    let context = NodeContext(node: node, graph: graph, inference: self)
    try context.requireNonNegativeOperandDims()
    let types = try context.resultTypes()
    for (index, type) in types.enumerated() {
      _ = try context.elementCount(type.shape, types.count == 1 ? "result" : "result \(index + 1)")
    }
    let elements = types.indices.map { index -> [Monomial?]? in
      guard index == 0, ShapeInference.tracks(types[0]),
        let elements = context.propagatedElements(for: types[0]),
        elements.count == types[0].elementCount, elements.contains(where: { $0 != nil })
      else { return nil }
      return elements
    }
    return (types, elements)
  }
}
