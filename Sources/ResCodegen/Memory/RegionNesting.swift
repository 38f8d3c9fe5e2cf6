/// Arena regions placed inside other regions at fixed byte offsets: how a Concat's operands are computed straight
/// into their slab of its output (see `ConcatAliasing`).
///
/// The regions form a forest. A root is placed by the memory planner; every other region lies at a fixed offset
/// inside its root and shares the root's placement. `root(of:)` follows parent links with a loop (no recursion)
/// and compresses the path it walks, so DenseNet's chains of nested concats (each layer's concat inside the next
/// one's) stay cheap however long they get.
struct RegionNesting: Sendable {
  /// Per region: its parent and its byte offset inside that parent, or nil for a root.
  private var parents: [(region: Int, offset: Int)?]

  init(regionCount: Int) {
    parents = Array(repeating: nil, count: regionCount)
  }

  /// Makes room for regions created after this nesting (they start as roots).
  mutating func extend(toRegionCount count: Int) {
    if count > parents.count { parents += Array(repeating: nil, count: count - parents.count) }
  }

  /// The root whose placement `region` shares, and `region`'s byte offset inside it. Points every region on the
  /// way straight at the root, so the next question about any of them is answered in one step.
  mutating func root(of region: Int) -> (region: Int, offset: Int) {
    var current = region
    var offset = 0
    while let parent = parents[current] {
      offset += parent.offset
      current = parent.region
    }
    let root = (region: current, offset: offset)
    current = region
    var remaining = offset
    while let parent = parents[current] {
      parents[current] = (root.region, remaining)
      remaining -= parent.offset
      current = parent.region
    }
    return root
  }

  /// Places the root `region` at `offset` bytes inside `container` (or inside the root that holds `container`).
  /// The caller guarantees that `region` is a root other than `container`'s, that it fits, and that nothing
  /// else lives in those bytes.
  mutating func place(_ region: Int, inside container: Int, at offset: Int) {
    let outer = root(of: container)
    parents[region] = (outer.region, outer.offset + offset)
  }
}
