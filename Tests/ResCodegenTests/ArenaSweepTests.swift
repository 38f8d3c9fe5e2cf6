import ResCodegen
import Testing
import ResTestSupport

/// The sweeps that keep arena planning near-linear in the number of regions (`ContainingLifetimes`,
/// `LifetimeOverlaps`): each gives exactly what the pairwise definition gives, on random inputs with the shapes
/// that matter (identical ranges of an in-place chain, empty ranges, ranges with no lifetime, equal starts and
/// ends).
@Suite struct ArenaSweepTests {
  @Test(arguments: 0..<30)
  func containingLifetimesMatchThePairwiseDefinition(_ seed: Int) {
    var random = SeededGenerator(seed: UInt64(seed) + 7000)
    let count = Int.random(in: 0...80, using: &random)
    let ranges = (0..<count).map { _ -> Range<Int> in
      let start = Int.random(in: 0...12, using: &random) * 16
      return start..<(start + Int.random(in: 0...6, using: &random) * 16)
    }
    let lifetimes = (0..<count).map { _ -> ClosedRange<Int>? in
      guard Int.random(in: 0..<5, using: &random) > 0 else { return nil }
      let start = Int.random(in: 0...30, using: &random)
      return start...(start + Int.random(in: 0...10, using: &random))
    }
    #expect(ContainingLifetimes.hulls(ranges, lifetimes: lifetimes) == pairwiseHulls(ranges, lifetimes))
  }

  @Test func anInPlaceChainIsOneHull() {
    let ranges = Array(repeating: 0..<256, count: 1000)
    let lifetimes: [ClosedRange<Int>?] = (0..<1000).map { $0...($0 + 1) }
    #expect(ContainingLifetimes.hulls(ranges, lifetimes: lifetimes).allSatisfy { $0 == 0...1000 })
  }

  @Test(arguments: 0..<30)
  func lifetimeOverlapsMatchThePairwiseDefinition(_ seed: Int) {
    var random = SeededGenerator(seed: UInt64(seed) + 8000)
    let lifetimes = (0..<Int.random(in: 0...120, using: &random)).map { _ -> ClosedRange<Int> in
      let start = Int.random(in: 0...60, using: &random)
      return start...(start + Int.random(in: 0...8, using: &random))
    }
    let overlaps = LifetimeOverlaps.compute(lifetimes)
    for index in lifetimes.indices {
      let expected = lifetimes.indices.filter { $0 != index && lifetimes[$0].overlaps(lifetimes[index]) }
      #expect(overlaps[index].sorted() == expected)
    }
  }

  /// A chain of 20,000 regions, each alive for two steps: every region has its two neighbours and nothing else,
  /// and the planner alternates two slots.
  @Test func aLongChainPlansInTwoSlots() {
    let requests = (0..<20_000).map { MemoryPlanner.Request(byteCount: 4096, lifetime: $0...($0 + 1)) }
    #expect(LifetimeOverlaps.compute(requests.map(\.lifetime)).allSatisfy { $0.count <= 2 })
    let plan = MemoryPlanner.plan(requests)
    #expect(plan.arenaBytes == 2 * 4096)
  }

  @Test(arguments: 0..<10)
  func pairCountIsWhatTheListsHold(_ seed: Int) {
    var random = SeededGenerator(seed: UInt64(seed) + 9000)
    let lifetimes = (0..<Int.random(in: 0...150, using: &random)).map { _ -> ClosedRange<Int> in
      let start = Int.random(in: 0...40, using: &random)
      return start...(start + Int.random(in: 0...12, using: &random))
    }
    let listed = LifetimeOverlaps.compute(lifetimes).reduce(0) { $0 + $1.count }
    #expect(LifetimeOverlaps.pairCount(lifetimes) * 2 == listed)
  }

  /// Past the pair limit (here 0) the planner places first fit: still no two regions alive together share a
  /// byte, offsets stay aligned and the arena stays within the naive sum.
  @Test(arguments: 0..<20)
  func firstFitNeverConflicts(_ seed: Int) {
    var random = SeededGenerator(seed: UInt64(seed) + 9500)
    let requests = (0..<Int.random(in: 1...80, using: &random)).map { _ -> MemoryPlanner.Request in
      let start = Int.random(in: 0...30, using: &random)
      let end = start + Int.random(in: 0...15, using: &random)
      let size = Int.random(in: 0...70_000, using: &random)
      guard size > 64, Bool.random(using: &random) else {
        return MemoryPlanner.Request(byteCount: size, lifetime: start...end)
      }
      let parts = [
        MemoryPlanner.Part(offset: 0, byteCount: 64, lifetime: start...end),
        MemoryPlanner.Part(offset: 64, byteCount: size - 64, lifetime: end...end),
      ]
      return MemoryPlanner.Request(byteCount: size, parts: parts)
    }
    let plan = MemoryPlanner.plan(requests, pairLimit: 0)
    #expect(MemoryPlanner.conflicts(requests, offsets: plan.offsets).isEmpty)
    #expect(plan.offsets.allSatisfy { $0 % MemoryPlanner.alignment == 0 })
    #expect(plan.arenaBytes <= plan.naiveBytes)
  }

  /// 5,000 regions all alive at once (a Split into as many outputs): 12.5 million pairs, planned first fit, one
  /// after another.
  @Test func manyRegionsAliveAtOnceAreStacked() {
    let requests = (0..<5_000).map { MemoryPlanner.Request(byteCount: 100, lifetime: 1...($0 % 7 + 2)) }
    #expect(LifetimeOverlaps.pairCount(requests.map(\.lifetime)) > MemoryPlanner.bestFitPairLimit)
    let plan = MemoryPlanner.plan(requests)
    #expect(plan.arenaBytes == 5_000 * 128 && plan.arenaBytes == plan.naiveBytes)
    #expect(Set(plan.offsets).count == 5_000)
  }

  private func pairwiseHulls(_ ranges: [Range<Int>], _ lifetimes: [ClosedRange<Int>?]) -> [ClosedRange<Int>?] {
    ranges.map { range in
      guard !range.isEmpty else { return nil }
      var hull: ClosedRange<Int>?
      for (outer, lifetime) in zip(ranges, lifetimes) where !outer.isEmpty {
        guard outer.lowerBound <= range.lowerBound, range.upperBound <= outer.upperBound, let lifetime else {
          continue
        }
        hull = hull.map { min($0.lowerBound, lifetime.lowerBound)...max($0.upperBound, lifetime.upperBound) }
          ?? lifetime
      }
      return hull
    }
  }
}
