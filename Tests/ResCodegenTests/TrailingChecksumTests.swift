import Dispatch
import ResCodegen
import ResPlan
import Synchronization
import Testing

/// A checksum mixed behind two threads that complete payloads (or runs of one) in any order equals
/// `PlanChecksum.of` the finished section: gaps between payloads and zeros after the last one included, with
/// payload ends that fall inside a 32-byte block.
@Suite struct TrailingChecksumTests {
  /// Payloads ending at `ends`, each starting at the first multiple of 64 after the previous one, like
  /// `ConstantSection`.
  private static func payloads(endingAt ends: [Int]) -> [Range<Int>] {
    zip([0] + ends.dropLast().map { ($0 + 63) / 64 * 64 }, ends).map { $0..<$1 }
  }

  /// A section of `length` bytes holding `payloads`, their bytes distinct and nonzero.
  private static func section(length: Int, payloads: [Range<Int>]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: length)
    for (index, payload) in payloads.enumerated() {
      for position in payload { bytes[position] = UInt8(truncatingIfNeeded: position &* 31 &+ index &+ 1) | 1 }
    }
    return bytes
  }

  private static let layout = payloads(endingAt: [1, 100, 4_097, 4_200, 70_001, 70_020, 200_000])
  private static let length = 200_123

  /// Each payload's bytes land in the section just before it is reported complete, so mixing any byte
  /// early would mix a zero.
  @Test(arguments: [[0, 1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0], [3, 0, 6, 1, 5, 2, 4]])
  func anyCompletionOrderGivesTheWholeSectionsChecksum(order: [Int]) {
    let finished = Self.section(length: Self.length, payloads: Self.layout)
    let section = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.length, alignment: 64)
    defer { section.deallocate() }
    section.initializeMemory(as: UInt8.self, repeating: 0)
    let checksum = TrailingChecksum(of: UnsafeRawBufferPointer(section), payloads: Self.layout)
    for index in order {
      for position in Self.layout[index] { section[position] = finished[position] }
      checksum.payloadCompleted(index)
    }
    #expect(checksum.finish() == PlanChecksum.of(finished))
  }

  /// A large payload written in runs, each reported as it lands: the checksum mixes into it only as far as
  /// the runs reach, whichever of its neighbours are complete.
  @Test func runsOfAPayloadAreMixedAsFarAsTheyReach() {
    let finished = Self.section(length: Self.length, payloads: Self.layout)
    let section = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.length, alignment: 64)
    defer { section.deallocate() }
    section.initializeMemory(as: UInt8.self, repeating: 0)
    let checksum = TrailingChecksum(of: UnsafeRawBufferPointer(section), payloads: Self.layout)
    func land(_ index: Int, _ range: Range<Int>) {
      for position in range { section[position] = finished[position] }
    }
    for index in [0, 1, 2, 3, 5] {
      land(index, Self.layout[index])
      checksum.payloadCompleted(index)
    }
    let large = Self.layout[4]
    for end in stride(from: large.lowerBound + 10_000, through: large.upperBound, by: 10_000) + [large.upperBound] {
      land(4, max(large.lowerBound, end - 10_000)..<end)
      checksum.payloadProgressed(4, finalBytes: end - large.lowerBound)
    }
    land(6, Self.layout[6])
    checksum.payloadProgressed(6, finalBytes: 5)
    checksum.payloadCompleted(6)
    #expect(checksum.finish() == PlanChecksum.of(finished))
  }

  @Test func twoThreadsCompletingAtOnceGiveTheWholeSectionsChecksum() {
    let layout = Self.payloads(endingAt: (1...2_000).map { $0 * 1_000 - $0 % 7 })
    let bytes = Self.section(length: 2_000_000 + 5, payloads: layout)
    let expected = PlanChecksum.of(bytes)
    bytes.withUnsafeBytes { section in
      let checksum = TrailingChecksum(of: section, payloads: layout)
      let next = Atomic<Int>(0)
      DispatchQueue.concurrentPerform(iterations: 2) { _ in
        while true {
          let claimed = next.add(1, ordering: .relaxed).oldValue
          guard claimed < layout.count else { return }
          checksum.payloadProgressed(claimed, finalBytes: layout[claimed].count / 2)
          checksum.payloadCompleted(claimed)
        }
      }
      #expect(checksum.finish() == expected)
    }
  }

  @Test func aSectionWithoutPayloadsIsAllZeros() {
    let zeros = [UInt8](repeating: 0, count: 777)
    let checksum = zeros.withUnsafeBytes { TrailingChecksum(of: $0, payloads: []) }
    #expect(checksum.finish() == PlanChecksum.of(zeros))
  }
}
