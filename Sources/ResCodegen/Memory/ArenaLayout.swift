/// The arena of a lowered plan: each region's lifetime, and where the memory planner put it.
package struct ArenaLayout: Sendable {
  /// The placed regions as the planner saw them (regions nothing touches are not placed).
  package let requests: [MemoryPlanner.Request]
  package let plan: MemoryPlanner.Plan
  /// For each region of the builder, its request index.
  private let requestOfRegion: [Int?]

  init(_ lowered: LoweredPlan) {
    let builder = lowered.builder
    let lifetimes = RegionLifetimes.compute(
      regionCount: builder.regionSizes.count, tensors: builder.tensors, steps: builder.steps,
      inputs: lowered.inputs.map(\.tensor), outputs: lowered.outputs.map(\.tensor))
    var requests: [MemoryPlanner.Request] = []
    var requestOfRegion = [Int?](repeating: nil, count: lifetimes.count)
    for (region, lifetime) in lifetimes.enumerated() {
      guard let lifetime else { continue }
      requestOfRegion[region] = requests.count
      requests.append(MemoryPlanner.Request(byteCount: builder.regionSizes[region], lifetime: lifetime))
    }
    self.requests = requests
    self.requestOfRegion = requestOfRegion
    plan = MemoryPlanner.plan(requests)
  }

  /// The arena offset of a region some step or binding touches.
  func offset(ofRegion region: Int) -> Int {
    requestOfRegion[region].map { plan.offsets[$0] } ?? 0
  }
}
