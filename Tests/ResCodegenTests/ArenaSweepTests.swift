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
