import ResIR

/// Merges nodes that compute the same values: same op, same attributes (bit for bit), same operands (in any
/// order for commutative ops, see `Op.isCommutative`), same result types. The later node goes and its readers
/// read the earlier node's results. The pipeline runs `merge-identical-constants` first, so that two nodes
/// reading copies of one weight are candidates too.
///
/// ## Before
/// ```
/// input %x: f32[1,8]
/// const @w: f32[8,8] fingerprint 0123456789abcdef
/// %a = MatMul "a" (%x, @w, _) : f32[1,8]
/// %b = MatMul "b" (%x, @w, _) : f32[1,8]
/// %y = Add "add" (%a, %b) : f32[1,8]
/// ```
/// ## After
/// ```
/// %a = MatMul "a" (%x, @w, _) : f32[1,8]
/// %y = Add "add" (%a, %a) : f32[1,8]
/// ```
///
/// Graph outputs keep their names (they are the plan's API): when only the later node's results are graph
/// outputs, the earlier node takes over the later node's result values (it stays where it is, so every reader
/// is still after it) and its own readers follow. When both nodes' results are graph outputs the pass
/// declines: two outputs with two names must stay two values. Nodes that differ in one attribute, in an
/// operand, or in operand order where order matters (`Sub`, `Concat`, `MatMul`...) are different
/// computations and are not candidates at all.
///
/// One forward sweep reaches the fixed point: nodes are visited in topological order and a node's operands
/// are resolved before it is keyed, so the readers of merged nodes merge in the same sweep. Keys are hashed,
/// so a 10,000-node chain costs linear time.
public struct EliminateCommonSubexpressions: GraphPass {
  public init() {}
  public let name = "eliminate-common-subexpressions"

  public func run(on graph: inout Graph, context: inout PassContext) throws(ModelError) {
    var merges = Merges()
    sweep(graph, &merges, &context)
    merges.apply(to: &graph)
  }

  /// Keys every node in order; a node whose key an earlier node has is merged into it, unless both have
  /// graph outputs.
  private func sweep(_ graph: Graph, _ merges: inout Merges, _ context: inout PassContext) {
    let graphOutputs = Set(graph.outputs)
    var firstWithKey: [ComputationKey: Node] = [:]
    for node in graph.nodes {
      let key = ComputationKey(
        op: node.op, operands: node.inputs.map { $0.map(merges.resolvedInKeySpace) },
        resultTypes: node.outputs.map(graph.type(of:)))
      guard let earlier = firstWithKey[key], ComputationKey.sameAttributesBitwise(earlier.op, node.op) else {
        if firstWithKey[key] == nil { firstWithKey[key] = node }
        continue
      }
      let laterHasOutput = node.outputs.contains(where: graphOutputs.contains)
      let earlierHasOutput =
        earlier.outputs.contains(where: graphOutputs.contains) || merges.takesOver[earlier.id] != nil
      guard !(laterHasOutput && earlierHasOutput) else {
        context.recordDeclined(
          name, node: node.name,
          reason: "it computes the same as '\(earlier.name)', but the results of both are graph outputs")
        continue
      }
      for (later, first) in zip(node.outputs, earlier.outputs) { merges.representative[later] = first }
      if laterHasOutput { merges.takesOver[earlier.id] = node.outputs }
      merges.removed.insert(node.id)
      context.recordApplied(name, node: node.name, "computes the same as '\(earlier.name)': merged into it")
    }
  }

  /// The merges one run decided, applied to the graph at the end in one linear rewrite.
  private struct Merges {
    /// A merged node's result → the surviving node's original result.
    var representative: [ValueID: ValueID] = [:]
    /// A surviving node → the result values it produces from now on (a merged later node's graph outputs).
    var takesOver: [NodeID: [ValueID]] = [:]
    var removed = Set<NodeID>()

    /// The value a merged value stands for while keying (surviving nodes' original results).
    func resolvedInKeySpace(_ value: ValueID) -> ValueID {
      representative[value] ?? value
    }

    func apply(to graph: inout Graph) {
      var renamed: [ValueID: ValueID] = [:]
      for node in graph.nodes {
        guard let outputs = takesOver[node.id] else { continue }
        for (own, taken) in zip(node.outputs, outputs) { renamed[own] = taken }
      }
      func resolved(_ value: ValueID) -> ValueID {
        let first = resolvedInKeySpace(value)
        return renamed[first] ?? first
      }
      graph.nodes.removeAll { removed.contains($0.id) }
      for position in graph.nodes.indices {
        graph.nodes[position].inputs = graph.nodes[position].inputs.map { $0.map(resolved) }
        if let outputs = takesOver[graph.nodes[position].id] { graph.nodes[position].outputs = outputs }
      }
      graph.outputs = graph.outputs.map(resolved)
    }
  }
}
