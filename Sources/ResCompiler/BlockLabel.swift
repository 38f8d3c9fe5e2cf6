/// Labels for the units of `--dump blocks`, from the names of their nodes (`NodeScope`).
///
/// A unit's label is its core scope (the scope its nodes share, without trailing role components), shortened
/// to its last component (`layer3.1`) unless another unit would then read the same (DenseNet-121 has a
/// `denselayer1` in every dense block: those become `denseblock2/denselayer1`). Units with the same core (a
/// transformer layer's attention and feed-forward sub-layers, both in `layers.0`) add the sub-scope most of
/// their nodes sit in (`layers.0/attention`). Names without a path (`resnetv15_stage1_conv0_fwd`) give their
/// common prefix up to a separator; units without any shared name list their top scopes (`conv1, maxpool`).
/// A label still shared gets ` #2`, ` #3`... in graph order, so every label is unique.
enum BlockLabel {
  /// One label per unit, given the names that describe each unit.
  static func labels(for units: [[String]]) -> [String] {
    let cores = NodeScope.cores(units.map(NodeScope.common))
    let suffixes = SuffixIndex(cores.filter { !$0.isEmpty })
    var twins: [[String]: Int] = [:]
    for core in cores where !core.isEmpty { twins[core, default: 0] += 1 }
    return numberingRepeats(
      units.indices.map { index in
        let core = cores[index]
        guard !core.isEmpty else { return unscopedLabel(units[index]) }
        let label = suffixes.shortestDistinctSuffix(of: core)
        guard twins[core, default: 0] > 1, let child = dominantChild(units[index], below: core) else { return label }
        return label + "/" + child
      })
  }

  /// For each suffix length, how many different cores end with each suffix: so finding a unit's shortest
  /// unambiguous suffix costs its own length, not the number of units (a 5,000-block network).
  private struct SuffixIndex {
    private var cores: [[String]: Set<[String]>] = [:]

    init(_ all: [[String]]) {
      for core in Set(all) {
        for length in 1...core.count { cores[Array(core.suffix(length)), default: []].insert(core) }
      }
    }

    func shortestDistinctSuffix(of core: [String]) -> String {
      for length in 1..<core.count {
        let suffix = Array(core.suffix(length))
        if cores[suffix, default: []].count == 1 { return suffix.joined(separator: "/") }
      }
      return core.joined(separator: "/")
    }
  }

  /// The next scope component that most names below `scope` share (the first such on a tie).
  private static func dominantChild(_ names: [String], below scope: [String]) -> String? {
    var counts: [String: Int] = [:]
    var order: [String] = []
    for name in names {
      guard let components = NodeScope.of(name), components.count > scope.count else { continue }
      let child = components[scope.count]
      if counts[child] == nil { order.append(child) }
      counts[child, default: 0] += 1
    }
    let most = counts.values.max() ?? 0
    return order.first { counts[$0] == most }
  }

  /// A label for nodes without a shared scope: their common name prefix up to a separator, else their top
  /// scopes.
  private static func unscopedLabel(_ names: [String]) -> String {
    guard var prefix = names.first else { return "" }
    if names.count == 1 { return String(prefix.drop { $0 == "/" }) }
    for name in names.dropFirst() { prefix = String(zip(prefix, name).prefix { $0 == $1 }.map(\.0)) }
    let separators: Set<Character> = ["/", "_", ".", ":", "-"]
    if let cut = prefix.lastIndex(where: separators.contains) {
      let trimmed = prefix[..<cut].drop(while: separators.contains)
      if trimmed.count >= 2 { return String(trimmed) }
    }
    var tops: [String] = []
    for name in names {
      let top = name.split(separator: "/").first.map(String.init) ?? name
      if !tops.contains(top) { tops.append(top) }
    }
    return tops.count > 3 ? tops.prefix(3).joined(separator: ", ") + ", …" : tops.joined(separator: ", ")
  }

  private static func numberingRepeats(_ labels: [String]) -> [String] {
    var seen: [String: Int] = [:]
    return labels.map { label in
      seen[label, default: 0] += 1
      let count = seen[label] ?? 1
      return count == 1 ? label : "\(label) #\(count)"
    }
  }
}
