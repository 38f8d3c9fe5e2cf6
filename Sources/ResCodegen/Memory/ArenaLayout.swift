/// The arena of a lowered plan: each region's lifetime, and where the memory planner put it.
///
/// Only root regions (see `RegionNesting`) are placed by the planner. A root's lifetime is the union of the
/// lifetimes of every region nested in it, so the bytes of a Concat's output stay reserved from the first
/// write into any of its slabs to the last read of any of them; a nested region lies at its fixed offset
/// inside its root.
package struct ArenaLayout: Sendable {
  /// The placed (root) regions as the planner saw them (regions nothing touches are not placed).
  package let requests: [MemoryPlanner.Request]
  package let plan: MemoryPlanner.Plan
  /// For each region of the builder, its root's request index (nil when nothing touches the root's group).
  private let requestOfRoot: [Int?]
  /// For each region of the builder, its root and its byte offset inside it.
  private let roots: [(region: Int, offset: Int)]

  init(_ lowered: LoweredPlan) {
    let builder = lowered.builder
    let regionCount = builder.regionSizes.count
    let lifetimes = RegionLifetimes.compute(
      regionCount: regionCount, tensors: builder.tensors, steps: builder.steps,
      inputs: lowered.inputs.map(\.tensor), outputs: lowered.outputs.map(\.tensor))
    var nesting = lowered.nesting
    nesting.extend(toRegionCount: regionCount)
    let roots = (0..<regionCount).map { nesting.root(of: $0) }
    var groupLifetimes = [ClosedRange<Int>?](repeating: nil, count: regionCount)
    for (region, lifetime) in lifetimes.enumerated() {
      guard let lifetime else { continue }
      let root = roots[region].region
      groupLifetimes[root] =
        groupLifetimes[root].map { min($0.lowerBound, lifetime.lowerBound)...max($0.upperBound, lifetime.upperBound) }
        ?? lifetime
    }
    var requests: [MemoryPlanner.Request] = []
    var requestOfRoot = [Int?](repeating: nil, count: regionCount)
    for (region, lifetime) in groupLifetimes.enumerated() {
      guard let lifetime else { continue }
      requestOfRoot[region] = requests.count
      requests.append(MemoryPlanner.Request(byteCount: builder.regionSizes[region], lifetime: lifetime))
    }
    self.requests = requests
    self.requestOfRoot = requestOfRoot
    self.roots = roots
    plan = MemoryPlanner.plan(requests)
  }

  /// The arena offset of a region some step or binding touches.
  func offset(ofRegion region: Int) -> Int {
    let root = roots[region]
    return requestOfRoot[root.region].map { plan.offsets[$0] + root.offset } ?? 0
  }
}
