import Dispatch
import ResCodegen
import ResPlan
import Synchronization
import Testing

/// A checksum mixed behind two threads that complete payloads in any order equals `PlanChecksum.of` the
/// finished section: gaps between payloads and zeros after the last one included, with payload ends that
/// fall inside a 32-byte block.
@Suite struct TrailingChecksumTests {
  /// A section of `length` bytes with payloads ending at `ends` (each starting at the first multiple of 64
  /// after the previous one, like `ConstantSection`), their bytes distinct.
  private static func section(length: Int, ends: [Int]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: length)
    var start = 0
    for (index, end) in ends.enumerated() {
      for position in start..<end { bytes[position] = UInt8(truncatingIfNeeded: position &* 31 &+ index &+ 1) }
      start = (end + 63) / 64 * 64
    }
    return bytes
  }

  private static let ends = [1, 100, 4_097, 4_200, 70_001, 70_020, 200_000]
  private static let length = 200_123

  /// Each payload's bytes land in the section just before it is reported complete, so mixing any byte
  /// early would mix a zero.
  @Test(arguments: [[0, 1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0], [3, 0, 6, 1, 5, 2, 4]])
  func anyCompletionOrderGivesTheWholeSectionsChecksum(order: [Int]) {
    let finished = Self.section(length: Self.length, ends: Self.ends)
    let starts = [0] + Self.ends.dropLast().map { ($0 + 63) / 64 * 64 }
    let section = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.length, alignment: 64)
    defer { section.deallocate() }
    section.initializeMemory(as: UInt8.self, repeating: 0)
    let checksum = TrailingChecksum(of: UnsafeRawBufferPointer(section), payloadEnds: Self.ends)
    for index in order {
      for position in starts[index]..<Self.ends[index] { section[position] = finished[position] }
      checksum.payloadCompleted(index)
    }
    #expect(checksum.finish() == PlanChecksum.of(finished))
  }

  @Test func twoThreadsCompletingAtOnceGiveTheWholeSectionsChecksum() {
    let ends = (1...2_000).map { $0 * 1_000 - $0 % 7 }
    let bytes = Self.section(length: 2_000_000 + 5, ends: ends)
    let expected = PlanChecksum.of(bytes)
    bytes.withUnsafeBytes { section in
      let checksum = TrailingChecksum(of: section, payloadEnds: ends)
      let next = Atomic<Int>(0)
      DispatchQueue.concurrentPerform(iterations: 2) { _ in
        while true {
          let claimed = next.add(1, ordering: .relaxed).oldValue
          guard claimed < ends.count else { return }
          checksum.payloadCompleted(claimed)
        }
      }
      #expect(checksum.finish() == expected)
    }
  }

  @Test func aSectionWithoutPayloadsIsAllZeros() {
    let zeros = [UInt8](repeating: 0, count: 777)
    let checksum = zeros.withUnsafeBytes { TrailingChecksum(of: $0, payloadEnds: []) }
    #expect(checksum.finish() == PlanChecksum.of(zeros))
  }
}
