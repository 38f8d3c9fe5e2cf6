/// The arena of a lowered plan: each region's lifetime, and where the memory planner put it.
///
/// Only root regions (see `RegionNesting`) are placed by the planner; a nested region lies at its fixed offset
/// inside its root. A root holding nested regions is placed part by part: each of its regions needs its bytes
/// from the first time it or any region containing it is touched to the last time, so an operand's slab in a
/// Concat's output is reserved from the operand's producer to the Concat output's last reader, and is free for
/// other regions before the producer runs.
package struct ArenaLayout: Sendable {
  /// The placed (root) regions as the planner saw them (regions nothing touches are not placed).
  package let requests: [MemoryPlanner.Request]
  package let plan: MemoryPlanner.Plan
  /// The arena with no reuse, one buffer per value: the planner's naive size, plus the outputs that overwrite
  /// a dying input (`InPlaceEpilogues`), which the planner sees as one region with it.
  package let naiveBytes: Int
  /// Outputs stored over an input that dies at their step (`InPlaceEpilogues`).
  package let inPlaceOutputCount: Int
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
    let overwriting = InPlaceEpilogues.nest(into: &nesting, lowered, lifetimes: lifetimes)
    let roots = (0..<regionCount).map { nesting.root(of: $0) }
    var members = [[Int]](repeating: [], count: regionCount)
    for region in 0..<regionCount { members[roots[region].region].append(region) }
    var requests: [MemoryPlanner.Request] = []
    var requestOfRoot = [Int?](repeating: nil, count: regionCount)
    for root in 0..<regionCount where roots[root].region == root {
      let request: MemoryPlanner.Request?
      if members[root].count == 1 {
        request = lifetimes[root].map { MemoryPlanner.Request(byteCount: builder.regionSizes[root], lifetime: $0) }
      } else {
        let parts = Self.parts(members[root], roots, builder.regionSizes, lifetimes)
        request = parts.isEmpty ? nil : MemoryPlanner.Request(byteCount: builder.regionSizes[root], parts: parts)
      }
      guard let request else { continue }
      requestOfRoot[root] = requests.count
      requests.append(request)
    }
    self.requests = requests
    self.requestOfRoot = requestOfRoot
    self.roots = roots
    plan = MemoryPlanner.plan(requests)
    inPlaceOutputCount = overwriting.count
    naiveBytes = overwriting.reduce(plan.naiveBytes) { $0 + MemoryPlanner.footprint(builder.regionSizes[$1]) }
  }

  /// The arena offset of a region some step or binding touches.
  func offset(ofRegion region: Int) -> Int {
    let root = roots[region]
    return requestOfRoot[root.region].map { plan.offsets[$0] + root.offset } ?? 0
  }

  /// The parts of a group of nested regions: one per region, its bytes needed over the hull of the lifetimes of
  /// every region of the group that contains it (itself included). A byte holds the value of the innermost
  /// region around it, written before any region containing it is read, so this is exactly when it is in use.
  private static func parts(
    _ members: [Int], _ roots: [(region: Int, offset: Int)], _ sizes: [Int], _ lifetimes: [ClosedRange<Int>?]
  ) -> [MemoryPlanner.Part] {
    let ranges = members.map { roots[$0].offset..<(roots[$0].offset + sizes[$0]) }
    let hulls = ContainingLifetimes.hulls(ranges, lifetimes: members.map { lifetimes[$0] })
    // Regions over the same bytes (an in-place chain) have the same hull: one part says it for all of them.
    var seen = Set<MemoryPlanner.Part>()
    return zip(ranges, hulls).compactMap { range, hull in
      guard let hull else { return nil }
      let part = MemoryPlanner.Part(offset: range.lowerBound, byteCount: range.count, lifetime: hull)
      return seen.insert(part).inserted ? part : nil
    }
  }
}
