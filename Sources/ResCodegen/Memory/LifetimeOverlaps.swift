/// For each request of the memory planner, the other requests whose lifetimes overlap its own: the only ones
/// whose placement can forbid it an offset.
///
/// Found by one sweep in order of start, keeping the requests still alive, so the cost is the number of
/// overlapping pairs (plus a sort) instead of every pair: a chain of 40,000 layers has a few neighbours per
/// region, and the planner's pairwise filter had made its placement quadratic (seconds per order it tries).
package enum LifetimeOverlaps {
  /// `overlaps[i]`: the indices `j != i` with `lifetimes[j]` overlapping `lifetimes[i]`, in sweep order.
  package static func compute(_ lifetimes: [ClosedRange<Int>]) -> [[Int]] {
    let byStart = lifetimes.indices.sorted { (lifetimes[$0].lowerBound, $0) < (lifetimes[$1].lowerBound, $1) }
    var overlaps = [[Int]](repeating: [], count: lifetimes.count)
    var alive: [Int] = []
    for index in byStart {
      let start = lifetimes[index].lowerBound
      alive.removeAll { lifetimes[$0].upperBound < start }
      for other in alive {
        overlaps[index].append(other)
        overlaps[other].append(index)
      }
      alive.append(index)
    }
    return overlaps
  }

  /// How many pairs `compute` would list, without listing them: in order of start, a request meets every
  /// earlier-starting one except those that ended before it starts (all of which started earlier). O(n log n).
  package static func pairCount(_ lifetimes: [ClosedRange<Int>]) -> Int {
    let starts = lifetimes.map(\.lowerBound).sorted()
    let ends = lifetimes.map(\.upperBound).sorted()
    var pairs = 0
    var ended = 0
    for (earlier, start) in starts.enumerated() {
      while ended < ends.count, ends[ended] < start { ended += 1 }
      pairs += earlier - ended
    }
    return pairs
  }
}
