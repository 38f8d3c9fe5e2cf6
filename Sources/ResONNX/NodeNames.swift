/// The names nodes are known by in the IR and in error messages.
///
/// ONNX allows empty node names, but an error must say which node it is about, so an unnamed node gets
/// `<op type>_<position in the file>` (`Conv_12`), made unique against every name the model does use.
enum NodeNames {
  static func assign(_ nodes: [Onnx_NodeProto]) -> [String] {
    var taken = Set(nodes.map(\.name).filter { !$0.isEmpty })
    return nodes.enumerated().map { position, node in
      guard node.name.isEmpty else { return node.name }
      let base = "\(node.opType.isEmpty ? "node" : node.opType)_\(position)"
      var candidate = base
      var suffix = 1
      while taken.contains(candidate) {
        candidate = "\(base)_\(suffix)"
        suffix += 1
      }
      taken.insert(candidate)
      return candidate
    }
  }
}
