import ResKernels
import Testing

/// The short copies the kernels use for row tails and partial vectors: every count around the 16, 8 and 4
/// steps moves exactly that many floats and nothing past them.
@Suite struct VectorAccessTests {
  @Test func copiesAndFillsExactlyTheCount() {
    var random = SeededGenerator(seed: 31)
    for count in 0...40 {
      let source = random.floats(48)
      var copied = [Float](repeating: .nan, count: 48)
      var zeroed = random.floats(48)
      let before = zeroed
      source.withUnsafeBytes { from in
        copied.withUnsafeMutableBytes { to in VectorAccess.copy(from.baseAddress!, to: to.baseAddress!, floats: count) }
      }
      zeroed.withUnsafeMutableBytes { to in VectorAccess.fill(to.baseAddress!, floats: count, with: 0) }
      #expect(Array(copied.prefix(count)) == Array(source.prefix(count)), "copy of \(count)")
      let pastCopy = copied.dropFirst(count).filter { !$0.isNaN }
      let nonzero = zeroed.prefix(count).filter { $0 != 0 }
      #expect(pastCopy.isEmpty, "copy of \(count) wrote past the end")
      #expect(nonzero.isEmpty, "fill of \(count)")
      #expect(Array(zeroed.dropFirst(count)) == Array(before.dropFirst(count)), "fill of \(count) wrote past the end")
    }
  }

  @Test func partialVectorsAndStridedLanes() {
    var random = SeededGenerator(seed: 37)
    let source = random.floats(64)
    for count in 0...16 {
      let loaded = source.withUnsafeBufferPointer { VectorAccess.loadPartial($0.baseAddress!, count) }
      let gathered = source.withUnsafeBufferPointer { VectorAccess.gather($0.baseAddress!, stride: 3, count) }
      for lane in 0..<16 {
        #expect(loaded[lane] == (lane < count ? source[lane] : 0), "loadPartial \(count) lane \(lane)")
        #expect(gathered[lane] == (lane < count ? source[lane * 3] : 0), "gather \(count) lane \(lane)")
      }
      var stored = [Float](repeating: .nan, count: 64)
      var scattered = [Float](repeating: .nan, count: 64)
      let vector = source.withUnsafeBufferPointer { VectorAccess.load($0.baseAddress!) }
      stored.withUnsafeMutableBufferPointer { VectorAccess.storePartial(vector, $0.baseAddress!, count) }
      scattered.withUnsafeMutableBufferPointer { VectorAccess.scatter(vector, $0.baseAddress!, stride: 2, count) }
      for index in 0..<64 {
        #expect(stored[index].isNaN == (index >= count), "storePartial \(count) at \(index)")
        #expect(scattered[index].isNaN == !(index % 2 == 0 && index / 2 < count), "scatter \(count) at \(index)")
      }
    }
    let evens = source.withUnsafeBufferPointer { VectorAccess.loadEvenLanes($0.baseAddress!) }
    for lane in 0..<16 { #expect(evens[lane] == source[2 * lane]) }
    let (even, odd) = source.withUnsafeBufferPointer { VectorAccess.loadEvenAndOddLanes($0.baseAddress!) }
    for lane in 0..<16 {
      #expect(even[lane] == source[2 * lane], "even lane \(lane)")
      #expect(odd[lane] == source[2 * lane + 1], "odd lane \(lane)")
    }
  }
}
