/// The subgraphs control-flow nodes carry (Loop's `body`, If's `then_branch` and `else_branch`) and the
/// names they share with the graph around them.
///
/// A subgraph may read any value of the scopes enclosing it by name, without listing it as an input of its
/// node. Whatever looks at the dependencies between nodes (the topological sort, the names the importer must
/// not reuse, which values something reads) has to see those reads, or a Loop could be imported before the
/// node producing a value its body reads.
enum Subgraphs {
  /// Every graph-valued attribute of `node`, in attribute order.
  static func of(_ node: Onnx_NodeProto) -> [Onnx_GraphProto] {
    node.attribute.flatMap { attribute in (attribute.hasG ? [attribute.g] : []) + attribute.graphs }
  }

  /// Whether `node` carries a subgraph.
  static func has(_ node: Onnx_NodeProto) -> Bool {
    node.attribute.contains { $0.hasG || !$0.graphs.isEmpty }
  }

  /// The values `node`'s subgraphs (and theirs, at any depth) read from the scopes around `node`: names read
  /// inside that no subgraph on the way defines, sorted so that everything built from them is deterministic.
  static func outerReads(of node: Onnx_NodeProto) -> [String] {
    var reads = Set<String>()
    for graph in of(node) { reads.formUnion(outerReads(of: graph)) }
    return reads.sorted()
  }

  private static func outerReads(of graph: Onnx_GraphProto) -> Set<String> {
    var defined = Set(graph.input.map(\.name)).union(graph.initializer.map(\.name))
    var read = Set(graph.output.map(\.name))
    for node in graph.node {
      defined.formUnion(node.output)
      read.formUnion(node.input)
      for inner in of(node) { read.formUnion(outerReads(of: inner)) }
    }
    read.remove("")
    return read.subtracting(defined)
  }

  /// Every value name `graph`'s subgraphs mention, at any depth: with the outer graph's own names, the names
  /// the importer must not hand out.
  static func namesInside(_ graph: Onnx_GraphProto) -> Set<String> {
    var names = Set<String>()
    for node in graph.node {
      for inner in of(node) { names.formUnion(allNames(in: inner)) }
    }
    return names
  }

  private static func allNames(in graph: Onnx_GraphProto) -> Set<String> {
    var names = Set(graph.input.map(\.name) + graph.initializer.map(\.name) + graph.output.map(\.name))
    for node in graph.node {
      names.formUnion(node.input)
      names.formUnion(node.output)
      for inner in of(node) { names.formUnion(allNames(in: inner)) }
    }
    return names
  }

  /// `node` with every value its subgraphs read from the scopes around it renamed by `names` (a read the
  /// subgraph defines itself keeps its name): a function body's Loop or If, copied into the caller, must read
  /// the call's values, not whatever the main graph calls by the same names.
  static func renamingOuterReads(of node: Onnx_NodeProto, _ names: [String: String]) -> Onnx_NodeProto {
    guard has(node) else { return node }
    var renamed = node
    renamed.attribute = node.attribute.map { attribute in
      var copy = attribute
      if attribute.hasG { copy.g = renamingOuterReads(in: attribute.g, names) }
      copy.graphs = attribute.graphs.map { renamingOuterReads(in: $0, names) }
      return copy
    }
    return renamed
  }

  private static func renamingOuterReads(in graph: Onnx_GraphProto, _ names: [String: String]) -> Onnx_GraphProto {
    var defined = Set(graph.input.map(\.name)).union(graph.initializer.map(\.name))
    for node in graph.node { defined.formUnion(node.output) }
    let outer = names.filter { !defined.contains($0.key) }
    guard !outer.isEmpty else { return graph }
    var copy = graph
    copy.node = graph.node.map { node in
      var renamed = renamingOuterReads(of: node, outer)
      renamed.input = node.input.map { outer[$0] ?? $0 }
      return renamed
    }
    copy.output = graph.output.map { output in
      var renamed = output
      renamed.name = outer[output.name] ?? output.name
      return renamed
    }
    return copy
  }

  /// The values read inside `graph`'s subgraphs, at any depth (their nodes' inputs and their outputs).
  static func readsInside(_ graph: Onnx_GraphProto) -> Set<String> {
    var reads = Set<String>()
    for node in graph.node {
      for inner in of(node) { reads.formUnion(allReads(in: inner)) }
    }
    return reads
  }

  private static func allReads(in graph: Onnx_GraphProto) -> Set<String> {
    var reads = Set(graph.output.map(\.name))
    for node in graph.node {
      reads.formUnion(node.input)
      for inner in of(node) { reads.formUnion(allReads(in: inner)) }
    }
    return reads
  }
}
