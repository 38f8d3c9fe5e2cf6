/// Places the plan's activation regions in one arena so that regions alive at the same time never share a byte.
///
/// The input is one request per region: its size and its lifetime, an interval of step times (see
/// `RegionLifetimes`; times are inclusive, so a step's inputs and outputs, both alive at that step, never
/// share). The algorithm is greedy, largest first, best fit:
///
/// 1. Sort the requests by size, largest first (ties: earlier start, then request order, so the result is
///    deterministic).
/// 2. For each request, look at the regions already placed whose lifetimes overlap its own, in offset order,
///    and collect the gaps between them (every offset a multiple of 64, the kernels' alignment).
/// 3. Take the smallest gap the request fits in; if none fits, place it after the last of them.
///
/// Largest first matters: the big early activations of a CNN settle at low offsets and the many small ones
/// fill the holes between them, instead of small ones fragmenting the space the big ones need. Each request
/// looks at every placed one, so the cost is O(n²) in the number of regions: a few hundred for a ResNet,
/// a few thousand for a large transformer.
///
/// The naive size is what the arena would need with no reuse: the sum of every region, each rounded up to
/// the alignment. The planned size never exceeds it: by induction, each region ends no higher than the sum of
/// the sizes placed so far, since it goes into a gap below a placed region or right after the highest one.
package enum MemoryPlanner {
  package static let alignment = 64

  /// One region to place.
  package struct Request: Sendable, Hashable {
    package var byteCount: Int
    /// First and last step time at which the region holds a value (inclusive).
    package var lifetime: ClosedRange<Int>

    package init(byteCount: Int, lifetime: ClosedRange<Int>) {
      self.byteCount = byteCount
      self.lifetime = lifetime
    }
  }

  /// Where each request went.
  package struct Plan: Sendable, Hashable {
    /// Byte offset of each request in the arena, in request order; multiples of `alignment`.
    package var offsets: [Int]
    /// The arena size: the end of the highest placed region, a multiple of `alignment`.
    package var arenaBytes: Int
    /// The arena size without reuse.
    package var naiveBytes: Int
  }

  package static func plan(_ requests: [Request]) -> Plan {
    let order = requests.indices.sorted { a, b in
      let (ra, rb) = (requests[a], requests[b])
      if ra.byteCount != rb.byteCount { return ra.byteCount > rb.byteCount }
      if ra.lifetime.lowerBound != rb.lifetime.lowerBound { return ra.lifetime.lowerBound < rb.lifetime.lowerBound }
      return a < b
    }
    var offsets = [Int](repeating: 0, count: requests.count)
    var placed: [Int] = []
    var arenaBytes = 0
    for index in order {
      let request = requests[index]
      let size = alignedSize(request.byteCount)
      guard size > 0 else { continue }
      let neighbours = placed.filter { requests[$0].lifetime.overlaps(request.lifetime) }
        .map { (offset: offsets[$0], end: offsets[$0] + alignedSize(requests[$0].byteCount)) }
        .sorted { $0.offset < $1.offset }
      offsets[index] = bestFit(size: size, among: neighbours)
      placed.append(index)
      arenaBytes = max(arenaBytes, offsets[index] + size)
    }
    let naive = requests.reduce(0) { $0 + alignedSize($1.byteCount) }
    return Plan(offsets: offsets, arenaBytes: arenaBytes, naiveBytes: naive)
  }

  /// The offset of the smallest gap between `occupied` ranges (sorted by offset) that holds `size` bytes, or
  /// the end of the last of them.
  private static func bestFit(size: Int, among occupied: [(offset: Int, end: Int)]) -> Int {
    var best: (offset: Int, gap: Int)?
    var cursor = 0
    for range in occupied {
      let gap = range.offset - cursor
      if gap >= size, gap < best?.gap ?? Int.max {
        best = (cursor, gap)
      }
      cursor = max(cursor, range.end)
    }
    return best?.offset ?? cursor
  }

  /// `byteCount` rounded up to the alignment (regions hold at most 2^40 bytes, so this cannot overflow).
  package static func alignedSize(_ byteCount: Int) -> Int {
    (byteCount + alignment - 1) / alignment * alignment
  }

  /// Pairs of requests that overlap both in lifetime and in bytes: empty for every plan `plan` makes. Tests
  /// check the planner with it; it is the invariant the runtime relies on.
  package static func conflicts(_ requests: [Request], offsets: [Int]) -> [(Int, Int)] {
    var found: [(Int, Int)] = []
    for a in requests.indices {
      for b in requests.indices where b > a {
        let (ra, rb) = (requests[a], requests[b])
        guard ra.byteCount > 0, rb.byteCount > 0, ra.lifetime.overlaps(rb.lifetime) else { continue }
        if offsets[a] < offsets[b] + rb.byteCount && offsets[b] < offsets[a] + ra.byteCount {
          found.append((a, b))
        }
      }
    }
    return found
  }
}
