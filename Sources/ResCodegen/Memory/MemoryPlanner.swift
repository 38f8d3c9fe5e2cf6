/// Places the plan's activation regions in one arena so that regions alive at the same time never share a byte.
///
/// The input is one request per region: its size and its lifetime, an interval of step times (see
/// `RegionLifetimes`; times are inclusive, so a step's inputs and outputs, both alive at that step, never
/// share). A region that holds nested regions (a Concat's output with its operands computed in place) also
/// lists its parts, each a byte range with its own shorter lifetime: an operand's slab is only needed from the
/// operand's producer on, and other regions may use those bytes before. The algorithm is greedy, best fit:
///
/// 1. Order the requests: largest first (ties: earlier start, then request order, so the result is
///    deterministic).
/// 2. For each request, look at the regions already placed whose lifetimes overlap its own, and collect the
///    offsets it may not take: those where one of its parts would meet one of theirs, in bytes and in time.
/// 3. Take the offset (a multiple of 64, the kernels' alignment) at the start of the smallest hole between
///    them that the request fits in; if none fits, the lowest offset after all of them.
///
/// For requests without parts, the holes are the gaps between the placed regions alive at the same time.
/// Largest first matters: the big early activations of a CNN settle at low offsets and the many small ones
/// fill the holes between them, instead of small ones fragmenting the space the big ones need.
///
/// No one greedy order is best for every plan, and parts give the greedy choice more room to go wrong as well
/// as right: a dense block's Concat output, placed first and part by part, lets small regions into its
/// not-yet-written slabs where they later block a larger one. So the planner also tries ordering by size times
/// lifetime length, and each order with every region taken whole (its parts merged into one block for its
/// whole lifetime), and keeps the smallest arena (the first of equals, in that order). On DenseNet-121 this
/// takes the arena from 8.8 MB (largest first, by parts) to 8.4 MB, the largest amount alive at any moment.
/// Each request looks at the placed ones alive at the same time (`LifetimeOverlaps`), so the cost per order tried
/// is the number of such pairs (times their parts): near-linear for a chain of layers, quadratic only when
/// many regions are all alive at once. Past `bestFitPairLimit` such pairs the planner places first fit instead
/// (`placeFirstFit`).
///
/// A region of `staggeredRegionBytes` or more takes `staggerBytes` more than its size (`footprint`), so that
/// two large regions placed one after the other do not start at the same offset modulo 4 KB. Intel cores
/// first compare a load with the stores in flight by the low 12 bits of the address ("4K aliasing"): a
/// residual epilogue loads a row of its residual and stores the same row of its output, and with the two
/// buffers 4 KB-congruent (ResNet-50's 56x56 activations were placed at 0, 3,211,264 and 6,422,528) such a
/// load can wait on an unrelated store. Measured on ResNet-50 (Sapphire Rapids, per-step profiles in
/// alternating rounds, 2026-12-02): two threads 4 % faster by medians and 6 % by minima over twelve rounds;
/// one thread 3 % by minima and flat by medians over 24 rounds (an earlier twelve-round run showed nothing).
/// The arena grows by about a kilobyte per large region.
///
/// The naive size is what the arena would need with no reuse: the sum of every region's footprint. The
/// planned size never exceeds it: by induction, each region ends no higher than the sum of the footprints
/// placed so far, since it goes into a hole below a placed region or right after the highest one.
package enum MemoryPlanner {
  package static let alignment = 64
  /// Regions this large or larger are staggered (see above): smaller ones are a few rows of a tensor.
  package static let staggeredRegionBytes = 64 * 1024
  /// Seventeen cache lines: an odd number of lines, so that successive large regions, whose sizes are
  /// usually multiples of 4 KB, start at different lines of a 4 KB page.
  package static let staggerBytes = 17 * 64

  /// One region to place.
  package struct Request: Sendable, Hashable {
    package var byteCount: Int
    /// First and last step time at which the region holds a value (inclusive): the hull of its parts'.
    package var lifetime: ClosedRange<Int>
    /// The byte ranges of the region and when each holds a value; empty: all of it for all of its lifetime.
    package var parts: [Part]

    package init(byteCount: Int, lifetime: ClosedRange<Int>) {
      self.byteCount = byteCount
      self.lifetime = lifetime
      parts = []
    }

    /// A region occupied part by part. `parts` is not empty and lies within `byteCount` bytes.
    package init(byteCount: Int, parts: [Part]) {
      self.byteCount = byteCount
      self.parts = parts
      let starts = parts.map(\.lifetime.lowerBound)
      let ends = parts.map(\.lifetime.upperBound)
      lifetime = (starts.min() ?? 0)...(ends.max() ?? 0)
    }
  }

  /// A byte range of a region (from `offset` bytes into it) and when it holds a value.
  package struct Part: Sendable, Hashable {
    package var offset: Int
    package var byteCount: Int
    package var lifetime: ClosedRange<Int>

    package init(offset: Int, byteCount: Int, lifetime: ClosedRange<Int>) {
      self.offset = offset
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

  /// A greedy order and how requests with parts are seen: one way of placing, among those `plan` tries.
  private struct Strategy {
    enum Order {
      /// Largest size first.
      case size
      /// Largest size times lifetime length first.
      case area
    }

    var order: Order
    /// Each request's parts as given, or the whole region for its whole lifetime.
    var usesParts: Bool

    static let all = [
      Strategy(order: .size, usesParts: true), Strategy(order: .size, usesParts: false),
      Strategy(order: .area, usesParts: true), Strategy(order: .area, usesParts: false),
    ]
  }

  /// `pairLimit`: `bestFitPairLimit`, which tests lower.
  package static func plan(_ requests: [Request], pairLimit: Int = bestFitPairLimit) -> Plan {
    guard LifetimeOverlaps.pairCount(requests.map(\.lifetime)) <= pairLimit else { return placeFirstFit(requests) }
    let hasParts = requests.contains { !$0.parts.isEmpty }
    let overlaps = LifetimeOverlaps.compute(requests.map(\.lifetime))
    var best: Plan?
    for strategy in Strategy.all where strategy.usesParts || hasParts {
      let candidate = place(requests, strategy, overlaps: overlaps)
      if candidate.arenaBytes < best?.arenaBytes ?? Int.max { best = candidate }
    }
    return best ?? place(requests, Strategy.all[0], overlaps: overlaps)
  }

  /// `overlaps`: `LifetimeOverlaps.compute` of the requests' lifetimes.
  private static func place(_ requests: [Request], _ strategy: Strategy, overlaps: [[Int]]) -> Plan {
    let order = requests.indices.sorted { a, b in
      let (ra, rb) = (requests[a], requests[b])
      if strategy.order == .area, area(ra) != area(rb) { return area(ra) > area(rb) }
      if ra.byteCount != rb.byteCount { return ra.byteCount > rb.byteCount }
      if ra.lifetime.lowerBound != rb.lifetime.lowerBound { return ra.lifetime.lowerBound < rb.lifetime.lowerBound }
      return a < b
    }
    let occupancies = requests.map { occupancy($0, usesParts: strategy.usesParts) }
    var offsets = [Int](repeating: 0, count: requests.count)
    var isPlaced = [Bool](repeating: false, count: requests.count)
    var arenaBytes = 0
    for index in order {
      let request = requests[index]
      guard request.byteCount > 0 else { continue }
      let size = footprint(request.byteCount)
      var forbidden: [Range<Int>] = []
      for other in overlaps[index] where isPlaced[other] {
        forbidden += forbiddenOffsets(occupancies[index], against: occupancies[other], at: offsets[other])
      }
      offsets[index] = bestFit(avoiding: forbidden)
      isPlaced[index] = true
      arenaBytes = max(arenaBytes, offsets[index] + size)
    }
    let naive = requests.reduce(0) { $0 + footprint($1.byteCount) }
    return Plan(offsets: offsets, arenaBytes: arenaBytes, naiveBytes: naive)
  }

  /// Bytes times steps: how much of the arena's space-time a request takes (saturating; no real plan comes
  /// near).
  private static func area(_ request: Request) -> Int {
    let (area, overflow) = request.byteCount.multipliedReportingOverflow(by: request.lifetime.count)
    return overflow ? Int.max : area
  }

  /// The parts a request occupies, each end rounded up to the alignment (the region's start is aligned, so its
  /// parts end on the same boundaries as the bytes other regions may start at); without `usesParts`, or without
  /// parts, the whole region for its whole lifetime.
  private static func occupancy(_ request: Request, usesParts: Bool) -> [Part] {
    guard usesParts, !request.parts.isEmpty else {
      return [Part(offset: 0, byteCount: footprint(request.byteCount), lifetime: request.lifetime)]
    }
    return request.parts.map { part in
      let end = alignedSize(part.offset + part.byteCount)
      return Part(offset: part.offset, byteCount: end - part.offset, lifetime: part.lifetime)
    }
  }

  /// The offsets at which a region of `parts` would meet a region of `placed` parts that starts at `offset`:
  /// for each two parts alive together, the offsets where their byte ranges would overlap.
  private static func forbiddenOffsets(_ parts: [Part], against placed: [Part], at offset: Int) -> [Range<Int>] {
    var forbidden: [Range<Int>] = []
    for other in placed where other.byteCount > 0 {
      let start = offset + other.offset
      let end = start + other.byteCount
      for part in parts where part.byteCount > 0 && part.lifetime.overlaps(other.lifetime) {
        forbidden.append((start - part.offset - part.byteCount + 1)..<(end - part.offset))
      }
    }
    return forbidden
  }

  /// The aligned offset at the start of the smallest hole between `forbidden` ranges, or the first aligned
  /// offset after all of them.
  private static func bestFit(avoiding forbidden: [Range<Int>]) -> Int {
    var best: (offset: Int, slack: Int)?
    var cursor = 0
    for range in forbidden.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      let start = alignedSize(cursor)
      if start < range.lowerBound, range.lowerBound - start < best?.slack ?? Int.max {
        best = (start, range.lowerBound - start)
      }
      cursor = max(cursor, range.upperBound)
    }
    return best?.offset ?? alignedSize(cursor)
  }

  /// The bytes a region of `byteCount` bytes takes in the arena: its size rounded up to the alignment, and
  /// the stagger after a large region. Zero for an empty region.
  package static func footprint(_ byteCount: Int) -> Int {
    guard byteCount > 0 else { return 0 }
    return alignedSize(byteCount) + (byteCount >= staggeredRegionBytes ? staggerBytes : 0)
  }

  /// `byteCount` rounded up to the alignment (regions hold at most 2^40 bytes, so this cannot overflow).
  package static func alignedSize(_ byteCount: Int) -> Int {
    (byteCount + alignment - 1) / alignment * alignment
  }

  /// Pairs of requests that overlap both in lifetime and in bytes (part by part): empty for every plan `plan`
  /// makes. Tests check the planner with it; it is the invariant the runtime relies on.
  package static func conflicts(_ requests: [Request], offsets: [Int]) -> [(Int, Int)] {
    let occupied = requests.enumerated().map { index, request in
      (request.parts.isEmpty
        ? [Part(offset: 0, byteCount: request.byteCount, lifetime: request.lifetime)] : request.parts)
        .map { Part(offset: offsets[index] + $0.offset, byteCount: $0.byteCount, lifetime: $0.lifetime) }
        .filter { $0.byteCount > 0 }
    }
    var found: [(Int, Int)] = []
    for a in requests.indices {
      for b in requests.indices where b > a && requests[a].lifetime.overlaps(requests[b].lifetime) {
        let meet = occupied[a].contains { x in
          occupied[b].contains { y in
            x.lifetime.overlaps(y.lifetime) && x.offset < y.offset + y.byteCount && y.offset < x.offset + x.byteCount
          }
        }
        if meet { found.append((a, b)) }
      }
    }
    return found
  }
}
