/// The names nodes are known by in the IR and in error messages.
///
/// ONNX allows empty node names, but an error must say which node it is about, so an unnamed node gets
/// `<op type>_<position in the file>` (`Conv_12`), made unique against every name the model does use.
enum NodeNames {
  static func assign(_ nodes: [Onnx_NodeProto]) -> [String] {
    var names = UniqueNames(taken: Set(nodes.map(\.name).filter { !$0.isEmpty }))
    return nodes.enumerated().map { position, node in
      guard node.name.isEmpty else { return node.name }
      return names.claim("\(node.opType.isEmpty ? "node" : node.opType)_\(position)")
    }
  }
}

/// Names handed out so that none repeats one already taken: `base`, else `base_1`, `base_2`, ...
struct UniqueNames {
  var taken: Set<String>

  /// `base` or the first free `base_N`, now taken.
  mutating func claim(_ base: String) -> String {
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
