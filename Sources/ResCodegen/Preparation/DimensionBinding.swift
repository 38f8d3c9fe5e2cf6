import ResIR

/// Gives every symbolic dimension of the graph's inputs its value (`--dim batch=8`): a plan has static shapes.
///
/// Only the inputs' types change here; compile-time evaluation then re-infers every node from them. Every
/// symbol must be bound, and every binding must name a symbol, so that a typo is an error rather than a
/// silently ignored option.
enum DimensionBinding {
  static func apply(_ bindings: [String: Int], to graph: inout Graph) throws(ModelError) {
    for name in bindings.keys.sorted() {
      guard let value = bindings[name], value >= 1 else {
        throw ModelError("the binding \(name)=\(bindings[name] ?? 0) is not a positive dimension")
      }
    }
    var bound = Set<String>()
    for input in graph.inputs {
      let type = graph.type(of: input)
      var shape: [Dim] = []
      for (axis, dim) in type.shape.enumerated() {
        switch dim {
        case .known:
          shape.append(dim)
        case .symbol(let symbol):
          guard let value = bindings[symbol] else {
            throw ModelError(
              "input '\(graph[input].name)' has the symbolic dimension '\(symbol)' (axis \(axis) of \(type)); "
                + "bind it with --dim \(symbol)=VALUE (dimensionBindings in the library)")
          }
          bound.insert(symbol)
          shape.append(.known(value))
        case .unknown:
          throw ModelError(
            "input '\(graph[input].name)' has a dimension with neither a size nor a name (axis \(axis) of \(type)); "
              + "a plan needs static shapes, and only named dimensions can be bound: give it a dim_param in the model")
        }
      }
      graph.setType(TensorType(type.dtype, shape), of: input)
    }
    if let unused = bindings.keys.sorted().first(where: { !bound.contains($0) }) {
      let symbols = bound.sorted()
      let known =
        symbols.isEmpty
        ? "the inputs have no symbolic dimensions" : "its symbolic dimensions: \(symbols.joined(separator: ", "))"
      throw ModelError("no graph input has a dimension named '\(unused)' (\(known))")
    }
  }
}
