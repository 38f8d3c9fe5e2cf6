import ResIR

/// A control-flow node's subgraph, ready to be imported into the main graph as many times as the node runs
/// it: a Loop's body once per iteration, an If's branch once.
///
/// rescompile compiles a static plan, so control flow whose decisions are known when compiling (trip counts
/// and conditions computed from constants and shapes, as exporters write them for fixed-length recurrences)
/// becomes straight-line code: each copy of the body is imported like any other nodes, with its inputs bound
/// to the values of that iteration, and the optimizer then sees through it as it does through the main graph.
struct Subgraph {
  /// The most nodes all copies of all subgraphs of a model may add: a 512-step LSTM written as a Loop of 30
  /// nodes is 15,000, while a hostile trip count must end in an error, not an import that runs for hours.
  static let maximumInlinedNodes = 200_000

  let graph: Onnx_GraphProto
  /// What errors call the subgraph: `<node>/body`, `<node>/then_branch`.
  let label: String
  /// Each node's name (`NodeNames`), without the prefix that says which copy it belongs to.
  let nodeNames: [String]
  /// Node positions in execution order.
  let order: [Int]
  /// The subgraph's initializers, imported once and shared by every copy.
  let initializers: [String: ValueID]
}

/// The names one copy of a subgraph binds over the enclosing scope, and what each meant before.
private struct Scope {
  private var shadowed: [(name: String, previous: NamedValue?)] = []

  mutating func bind(_ name: String, to value: NamedValue, in builder: inout GraphBuilder) {
    shadowed.append((name, builder.namedValue(name)))
    builder.define(name, as: value)
  }

  /// Gives every bound name its meaning before the copy, latest binding first.
  func restore(_ builder: inout GraphBuilder) {
    for (name, previous) in shadowed.reversed() { builder.define(name, as: previous) }
  }
}

extension GraphBuilder {
  /// Reads `body`, the subgraph `attribute` of `node`: its initializers become constants, its nodes are
  /// sorted. Nothing is imported yet.
  mutating func subgraph(_ body: Onnx_GraphProto, attribute: String, of node: ONNXNode) throws(ModelError)
    -> Subgraph
  {
    let label = "\(node.name)/\(attribute)"
    guard body.sparseInitializer.isEmpty else { throw node.error("\(attribute): sparse initializers are not supported") }
    var initializers: [String: ValueID] = [:]
    for (index, tensor) in body.initializer.enumerated() {
      let name = tensor.name
      guard !name.isEmpty else { throw node.error("\(attribute): initializer #\(index) has no name") }
      guard initializers[name] == nil else { throw node.error("\(attribute): initializer '\(name)' is defined twice") }
      let constant = try decoder.constant(
        from: tensor, error: { node.error("\(attribute): initializer '\(name)': \($0)") })
      initializers[name] = graph.addConstant(name: freshName("\(label)/\(name)"), constant)
    }
    let nodeNames = NodeNames.assign(body.node)
    let produced = Set(body.node.flatMap(\.output))
    var available = Set(body.input.map(\.name)).union(initializers.keys)
    for inner in body.node {
      available.formUnion(inner.input.filter { !produced.contains($0) })
      available.formUnion(Subgraphs.outerReads(of: inner).filter { !produced.contains($0) })
    }
    let order = try TopologicalOrder.sort(
      body.node, names: nodeNames.map { "\(label)/\($0)" }, available: available)
    return Subgraph(graph: body, label: label, nodeNames: nodeNames, order: order, initializers: initializers)
  }

  /// Imports one copy of `subgraph` with its inputs bound to `inputs` and returns the values of its outputs.
  /// The copy's nodes are named `<instance>/<node>` and its values `<instance>/<value>` (made unique), so a
  /// dump says which iteration a node belongs to; inside the copy, the subgraph's own names refer to them,
  /// and names it does not define to the enclosing scopes, as ONNX's scoping rules say.
  mutating func importCopy(of subgraph: Subgraph, inputs: [NamedValue], instance: String, owner: ONNXNode)
    throws(ModelError) -> [NamedValue]
  {
    try checkInliningBudget(copies: 1, of: subgraph, owner: owner)
    inlinedNodeCount += max(1, subgraph.graph.node.count)
    // The subgraph's names are bound over the enclosing scope's and unbound when the copy is done: an undo
    // log, not a copy of the scope, so a thousand iterations do not copy the main graph's names a thousand times.
    var scope = Scope()
    subgraphDepth += 1
    defer {
      scope.restore(&self)
      subgraphDepth -= 1
    }
    for (declaration, value) in zip(subgraph.graph.input, inputs) { scope.bind(declaration.name, to: value, in: &self) }
    for (name, value) in subgraph.initializers { scope.bind(name, to: .tensor(value), in: &self) }
    for position in subgraph.order {
      let node = subgraph.graph.node[position]
      let copies = try importCopy(of: node, named: Self.scoped(subgraph.nodeNames[position], in: instance), instance)
      for (original, copy) in zip(node.output, copies) where !original.isEmpty {
        if let value = namedValue(copy) { scope.bind(original, to: value, in: &self) }
      }
    }
    var outputs: [NamedValue] = []
    for declaration in subgraph.graph.output {
      guard let value = namedValue(declaration.name) else {
        throw owner.error("\(subgraph.label): output '\(declaration.name)' is not defined")
      }
      outputs.append(value)
    }
    return outputs
  }

  /// Throws unless `copies` more copies of `subgraph` stay within `Subgraph.maximumInlinedNodes` (each copy
  /// counts at least one node, so an empty body cannot repeat forever). A loop that knows its count up front
  /// asks before the first copy, so a trip count of 2⁴⁰ is refused at once.
  func checkInliningBudget(copies: Int, of subgraph: Subgraph, owner: ONNXNode) throws(ModelError) {
    let (total, overflow) = copies.multipliedReportingOverflow(by: max(1, subgraph.graph.node.count))
    guard overflow || inlinedNodeCount + total > Subgraph.maximumInlinedNodes else { return }
    throw owner.error(
      "unrolling its subgraphs gives more than \(Subgraph.maximumInlinedNodes) nodes (\(subgraph.label) has "
        + "\(subgraph.graph.node.count)): the trip count is too large to compile as straight-line code")
  }

  /// Imports `node` under fresh result names (a copy's values must not collide with another copy's) and
  /// returns them, by output slot.
  private mutating func importCopy(of node: Onnx_NodeProto, named name: String, _ instance: String)
    throws(ModelError) -> [String]
  {
    var renamed = node
    renamed.output = node.output.map { $0.isEmpty ? "" : freshName(Self.scoped($0, in: instance)) }
    for (original, copy) in zip(node.output, renamed.output) where consumedNames.contains(original) {
      consumedNames.insert(copy)
    }
    try importNode(renamed, name: name)
    return renamed.output
  }

  /// The tensor or sequence `name` refers to in the current scope.
  func namedValue(_ name: String) -> NamedValue? {
    if let value = values[name] { return .tensor(value) }
    return sequences[name].map(NamedValue.sequence)
  }

  /// Makes `name` refer to `value` (nothing, when nil), whichever kind it referred to before.
  mutating func define(_ name: String, as value: NamedValue?) {
    values[name] = nil
    sequences[name] = nil
    switch value {
    case .tensor(let tensor): values[name] = tensor
    case .sequence(let sequence): sequences[name] = sequence
    case nil: break
    }
  }

  /// Gives `value` the ONNX output name in `slot` of `node`: a tensor through an Identity named so (its
  /// declared type merged), a sequence by recording it under that name.
  mutating func setOutput(_ value: NamedValue, slot: Int, of node: ONNXNode) throws(ModelError) {
    guard let name = node.outputName(slot) else { return }
    switch value {
    case .sequence(let sequence):
      sequences[name] = sequence
    case .tensor(let tensor):
      guard let exposed = try exposed(tensor, asOutput: slot, of: node) else { return }
      values[name] = exposed
      try applyDeclaredType(of: name, to: exposed, node: node)
    }
  }

  /// A scan output (Loop's, Scan's): each iteration's value with a new axis `axis`, concatenated along it.
  mutating func stacked(_ pieces: [ValueID], axis: Int, named base: String) throws(ModelError) -> ValueID {
    var rows: [ValueID?] = []
    for (iteration, piece) in pieces.enumerated() {
      rows.append(try appendTyped(Conversion(.unsqueeze(axes: [axis]), [piece]), named: "\(base)/row\(iteration)"))
    }
    if rows.count == 1, let only = rows[0] { return only }
    return try appendTyped(Conversion(.concat(axis: axis), rows), named: base)
  }

  /// The tensor `value` must be, as `role` of `node`.
  func tensor(_ value: NamedValue, _ role: String, of node: ONNXNode) throws(ModelError) -> ValueID {
    guard case .tensor(let tensor) = value else { throw node.error("\(role) is not a tensor but a sequence") }
    return tensor
  }

  /// `name` inside the copy `instance`: `<instance>/<name>`, without doubling the slash PyTorch's names start
  /// with (`/Loop/iteration0/Gather`, not `/Loop/iteration0//Gather`).
  static func scoped(_ name: String, in instance: String) -> String {
    name.hasPrefix("/") ? instance + name : "\(instance)/\(name)"
  }

  /// Records how a control-flow node of the main graph was resolved (`ImportedModel.controlFlow`).
  mutating func reportControlFlow(_ line: String, of node: ONNXNode) {
    guard subgraphDepth == 0 else { return }
    controlFlow.append("\(node.opType) '\(node.name)': \(line)")
  }

  /// The value of a single-element bool tensor (an If's or a Loop's condition) when known while compiling.
  func knownCondition(_ value: ValueID, of node: ONNXNode, _ role: String) throws(ModelError) -> Bool? {
    let type = graph.type(of: value)
    guard type.dtype == .bool, type.elementCount == 1 else {
      throw node.error("\(role) must be a bool tensor of one element, got \(type)")
    }
    guard let elements = inference.elements(of: value, in: graph), case .known(let number)? = elements.first else {
      return nil
    }
    return number != 0
  }
}
