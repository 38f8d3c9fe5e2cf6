/// For each byte range of a group of nested regions, the hull of the lifetimes of every range of the group that
/// contains it (itself included): the parts `ArenaLayout` gives the memory planner.
///
/// A container starts no later and ends no earlier, so this is a two-dimensional dominance query. The ranges are
/// swept by start; a Fenwick tree indexed by end (latest first) holds the hull of the lifetimes seen so far, and
/// a prefix of it answers "every range seen that ends no earlier". A group of n ranges costs O(n log n). The
/// pairwise loop it replaces was quadratic in the group, and a chain of in-place activations is one group: 100,000
/// ReLUs took 20 s to plan.
package enum ContainingLifetimes {
  /// `hulls[i]`: the hull of `lifetimes[j]` over every non-empty `ranges[j]` that contains the non-empty
  /// `ranges[i]`; nil for an empty range, or when no such range has a lifetime.
  package static func hulls(_ ranges: [Range<Int>], lifetimes: [ClosedRange<Int>?]) -> [ClosedRange<Int>?] {
    let candidates = ranges.indices.filter { !ranges[$0].isEmpty }
    let endsLatestFirst = Set(candidates.map { ranges[$0].upperBound }).sorted(by: >)
    let rankOfEnd = Dictionary(uniqueKeysWithValues: endsLatestFirst.enumerated().map { ($1, $0) })
    let byStart = candidates.sorted { (ranges[$0].lowerBound, $0) < (ranges[$1].lowerBound, $1) }
    var tree = HullTree(count: endsLatestFirst.count)
    var hulls = [ClosedRange<Int>?](repeating: nil, count: ranges.count)
    var groupStart = 0
    while groupStart < byStart.count {
      // Ranges that start together contain each other or not by their ends alone: all enter before any asks.
      let start = ranges[byStart[groupStart]].lowerBound
      let group = byStart[groupStart...].prefix { ranges[$0].lowerBound == start }
      for index in group {
        if let lifetime = lifetimes[index] { tree.add(lifetime, at: rankOfEnd[ranges[index].upperBound, default: 0]) }
      }
      for index in group { hulls[index] = tree.hull(through: rankOfEnd[ranges[index].upperBound, default: 0]) }
      groupStart += group.count
    }
    return hulls
  }

  /// A Fenwick tree of lifetime hulls: `add` widens position `rank`'s, `hull(through:)` joins positions 0...rank.
  private struct HullTree {
    private var nodes: [ClosedRange<Int>?]

    init(count: Int) { nodes = Array(repeating: nil, count: count + 1) }

    mutating func add(_ lifetime: ClosedRange<Int>, at rank: Int) {
      var position = rank + 1
      while position < nodes.count {
        nodes[position] = Self.join(nodes[position], lifetime)
        position += position & -position
      }
    }

    func hull(through rank: Int) -> ClosedRange<Int>? {
      var position = rank + 1
      var hull: ClosedRange<Int>?
      while position > 0 {
        if let node = nodes[position] { hull = Self.join(hull, node) }
        position -= position & -position
      }
      return hull
    }

    private static func join(_ hull: ClosedRange<Int>?, _ lifetime: ClosedRange<Int>) -> ClosedRange<Int> {
      guard let hull else { return lifetime }
      return min(hull.lowerBound, lifetime.lowerBound)...max(hull.upperBound, lifetime.upperBound)
    }
  }
}
