extension MemoryPlanner {
  /// Pairs of requests alive together beyond which `plan` places first fit instead of best fit.
  ///
  /// Best fit looks at every placed request alive with the one it places, in each of the orders it tries, so its
  /// cost grows with the number of such pairs: a few thousand for a ResNet, tens of thousands for a large
  /// transformer, but n²/2 when n values are all alive at once (a Split into 20,000 outputs concatenated in
  /// another order took 42 s to plan, and would take minutes at 100,000). Beyond this many pairs the plan comes
  /// from `placeFirstFit`, which is correct and fast on such graphs and only leaves more holes.
  package static let bestFitPairLimit = 4_000_000

  /// Each request whole, in order of start, at the lowest offset where it fits between the regions still alive
  /// (first fit); a region whose lifetime has ended frees its bytes for the requests after it. The alive regions
  /// are kept by offset, so each placement walks them once: the cost is the number of alive regions summed over
  /// the requests, with no allocation per pair.
  static func placeFirstFit(_ requests: [Request]) -> Plan {
    let order = requests.indices.filter { requests[$0].byteCount > 0 }.sorted {
      (requests[$0].lifetime.lowerBound, $0) < (requests[$1].lifetime.lowerBound, $1)
    }
    var offsets = [Int](repeating: 0, count: requests.count)
    var alive: [(offset: Int, end: Int, lastUse: Int)] = []
    var arenaBytes = 0
    for index in order {
      let request = requests[index]
      alive.removeAll { $0.lastUse < request.lifetime.lowerBound }
      let size = footprint(request.byteCount)
      var offset = 0
      var slot = alive.count
      for (position, region) in alive.enumerated() {
        if region.offset - offset >= size {
          slot = position
          break
        }
        offset = max(offset, region.end)
      }
      offsets[index] = offset
      alive.insert((offset, offset + size, request.lifetime.upperBound), at: slot)
      arenaBytes = max(arenaBytes, offset + size)
    }
    let naive = requests.reduce(0) { $0 + footprint($1.byteCount) }
    return Plan(offsets: offsets, arenaBytes: arenaBytes, naiveBytes: naive)
  }
}
