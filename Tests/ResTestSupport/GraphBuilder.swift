import ResIR

/// Builds small graphs in tests the way the importer does: each node is appended with placeholder result
/// types, then typed by incremental shape inference.
///
/// A class so that `b.type(try b.value(...))` reads the graph after the node is added (a struct would be
/// copied for the outer call before the argument runs).
public final class GraphBuilder {
  public var graph: Graph
  public var inference = ShapeInference()

  public init(name: String = "test") {
    graph = Graph(name: name)
  }

  /// A graph input of a type spelled like `f32[N,64,56,56]` (see `TensorType.spelled`).
  public func input(_ type: String, name: String = "x") -> ValueID {
    graph.addInput(name: name, type: TensorType.spelled(type))
  }

  /// An int64 constant, one-dimensional unless `dims` says otherwise.
  public func int64s(_ values: [Int64], dims: [Int]? = nil, name: String = "c") -> ValueID {
    graph.addConstant(name: name, Constant(int64s: values, dims: dims ?? [values.count]))
  }

  /// A constant of any type, its elements given as doubles (converted like `Constant(dtype:dims:doubles:)`).
  public func constant(_ type: String, _ values: [Double], name: String = "k") -> ValueID {
    let dims = TensorType.spelled(type).shape.map { $0.value ?? 0 }
    return graph.addConstant(
      name: name, Constant(dtype: TensorType.spelled(type).dtype, dims: dims, doubles: values))
  }

  /// A constant of any type and shape, filled with `value` (keep it small: the bytes are allocated).
  public func filled(_ type: String, _ value: Double = 0, name: String = "k") -> ValueID {
    let type = TensorType.spelled(type)
    let dims = type.shape.map { $0.value ?? 0 }
    let count = dims.reduce(1, *)
    return graph.addConstant(
      name: name, Constant(dtype: type.dtype, dims: dims, doubles: [Double](repeating: value, count: count)))
  }

  /// Appends a node computing `op` on `inputs` and infers its result types; returns its results.
  @discardableResult
  public func node(_ op: Op, _ inputs: [ValueID?], name: String = "node") throws(ModelError) -> [ValueID] {
    let placeholder = TensorType(.float32, [])
    let results = (0..<op.resultCount).map { (name: "\(name).\(graph.values.count + $0)", type: placeholder) }
    graph.appendNode(name: name, op: op, inputs: inputs, results: results)
    try inference.inferNode(at: graph.nodes.count - 1, in: &graph)
    return graph.nodes[graph.nodes.count - 1].outputs
  }

  /// Appends a node and returns its first result.
  public func value(_ op: Op, _ inputs: [ValueID?], name: String = "node") throws(ModelError) -> ValueID {
    try node(op, inputs, name: name)[0]
  }

  /// The type of a value, spelled like `f32[N,64]`.
  public func type(_ value: ValueID) -> String {
    graph.type(of: value).description
  }

  /// The known elements of a small value in row-major order, spelled like `[N,-1]`, or nil.
  public func elements(_ value: ValueID) -> String? {
    inference.elements(of: value, in: graph).map { "[\($0.map(\.description).joined(separator: ","))]" }
  }
}

extension TensorType {
  /// Parses the text form's spelling of a type: `f32[N,64,?,7]` (a number, `?` for unknown, anything else a
  /// symbol). Test inputs only: a malformed spelling is a bug in the test.
  public static func spelled(_ text: String) -> TensorType {
    guard let open = text.firstIndex(of: "["), text.last == "]",
      let dtype = DType(rawValue: String(text[..<open]))
    else { preconditionFailure("not a type spelling: \(text)") }
    let body = text[text.index(after: open)..<text.index(before: text.endIndex)]
    let parts = body.isEmpty ? [] : body.split(separator: ",", omittingEmptySubsequences: false)
    let shape = parts.map { part -> Dim in
      if part == "?" { return .unknown }
      if let value = Int(part) { return .known(value) }
      return .symbol(String(part))
    }
    return TensorType(dtype, shape)
  }
}
