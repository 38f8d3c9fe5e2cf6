/// One line of TopK's input (`count` elements `stride` apart) and the ranking TopK uses on it: larger (or
/// smaller) first, a NaN above every number, the smaller position first among equals. That is a strict total
/// order on positions, so the k best and their order are one answer whatever the selection algorithm, the
/// reference evaluator's full sort included.
struct TopKLine<T: TopKElement> {
  let start: UnsafePointer<T>
  let stride: Int
  let count: Int
  let largest: Bool

  /// Writes the positions of the `best.count` best elements (at most `count`) to `best`, best first.
  ///
  /// A heap of the k best so far with the worst of them at the root: each later element that beats the root
  /// replaces it (n·log k comparisons, where sorting the whole line would take n·log n), and heapsort then
  /// orders the k in place.
  func select(into best: UnsafeMutableBufferPointer<Int>) {
    let k = best.count
    guard k > 0 else { return }
    for position in 0..<k {
      best[position] = position
      siftUp(position, best)
    }
    for position in k..<count where precedes(position, best[0]) {
      best[0] = position
      siftDown(0, size: k, best)
    }
    var size = k
    while size > 1 {
      size -= 1
      best.swapAt(0, size)
      siftDown(0, size: size, best)
    }
  }

  /// Whether the element at position `a` ranks before the one at `b`.
  @inline(__always)
  func precedes(_ a: Int, _ b: Int) -> Bool {
    let (u, v) = (start[a * stride], start[b * stride])
    if u.isUnordered != v.isUnordered { return largest == u.isUnordered }
    if !u.isUnordered, u != v { return largest ? u > v : u < v }
    return a < b
  }

  /// Moves heap entry `index` up while it ranks below its parent (the root holds the worst).
  private func siftUp(_ index: Int, _ heap: UnsafeMutableBufferPointer<Int>) {
    var child = index
    while child > 0 {
      let parent = (child - 1) / 2
      guard precedes(heap[parent], heap[child]) else { return }
      heap.swapAt(parent, child)
      child = parent
    }
  }

  /// Moves heap entry `index` down while a child ranks below it, among the first `size` entries.
  private func siftDown(_ index: Int, size: Int, _ heap: UnsafeMutableBufferPointer<Int>) {
    var parent = index
    while true {
      var worst = parent
      let left = 2 * parent + 1
      if left < size, precedes(heap[worst], heap[left]) { worst = left }
      let right = left + 1
      if right < size, precedes(heap[worst], heap[right]) { worst = right }
      guard worst != parent else { return }
      heap.swapAt(parent, worst)
      parent = worst
    }
  }
}

/// The element types TopK ranks. `isUnordered` is a NaN, which ranks above every number.
protocol TopKElement: Comparable {
  var isUnordered: Bool { get }
}

extension Float: TopKElement {
  var isUnordered: Bool { isNaN }
}

extension Double: TopKElement {
  var isUnordered: Bool { isNaN }
}

extension Int64: TopKElement {
  var isUnordered: Bool { false }
}

extension Int32: TopKElement {
  var isUnordered: Bool { false }
}
