/// Module scopes read from node names, for labelling and grouping the units of `--dump blocks`.
///
/// Exporters name nodes by module path: PyTorch writes `/layer3/layer3.1/conv1/Conv`, whose scope is
/// `[layer3, layer3.1, conv1]` (the last component is the op's own name). Names are only ever used for labels
/// and grouping, never to decide what a block is.
enum NodeScope {
  /// The scope of a path-like name; nil for a name without `/`.
  static func of(_ name: String) -> [String]? {
    guard name.contains("/") else { return nil }
    return name.split(separator: "/").dropLast().map(String.init)
  }

  /// The longest scope that every path-named node shares (empty when none is path-named).
  static func common(_ names: [String]) -> [String] {
    let scopes = names.compactMap(of)
    guard var common = scopes.first else { return [] }
    for scope in scopes.dropFirst() {
      common = Array(zip(common, scope).prefix { $0 == $1 }.map(\.0))
    }
    return common
  }

  /// Each scope without the trailing role components it shares with another scope: `features/features.3/conv`
  /// and `features/features.5/conv` become `features/features.3` and `features/features.5`. A role is a
  /// component without digits (`conv`, `block`, `attention`); instances carry an index (`layer3.1`,
  /// `denselayer1`) and stay. At least one component is kept.
  static func cores(_ scopes: [[String]]) -> [[String]] {
    var endings: [String: Int] = [:]
    for scope in scopes { if let last = scope.last { endings[last, default: 0] += 1 } }
    return scopes.map { scope in
      var core = scope
      while core.count > 1, let last = core.last, !last.contains(where: \.isNumber), endings[last, default: 0] > 1 {
        core.removeLast()
      }
      return core
    }
  }

  /// Whether `scope` lies inside `outer`.
  static func isInside(_ scope: [String], _ outer: [String]) -> Bool {
    !outer.isEmpty && scope.count >= outer.count && Array(scope.prefix(outer.count)) == outer
  }
}
