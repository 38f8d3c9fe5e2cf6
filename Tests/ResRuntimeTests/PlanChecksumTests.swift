import ResPlan
import Testing

/// The plan writer checksums the constant section piece by piece as it streams it to the file, with gaps of
/// zeros it never writes: the accumulated checksum must equal the one-shot checksum the reader computes.
@Suite struct PlanChecksumTests {
  static func bytes(_ count: Int) -> [UInt8] {
    var random = SeededGenerator(seed: 77)
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
  }

  @Test(arguments: [0, 1, 31, 32, 33, 100, 1000])
  func piecesGiveTheChecksumOfTheWhole(length: Int) {
    let whole = Self.bytes(length)
    let expected = PlanChecksum.of(whole)
    for piece in [1, 5, 32, 64, 999] {
      var accumulator = PlanChecksum.Accumulator(length: length)
      whole.withUnsafeBytes { raw in
        for start in stride(from: 0, to: length, by: piece) {
          accumulator.add(UnsafeRawBufferPointer(rebasing: raw[start..<min(start + piece, length)]))
        }
      }
      #expect(accumulator.finish() == expected, "length \(length), pieces of \(piece)")
    }
  }

  @Test func zerosCountLikeZeroBytes() {
    var bytes = Self.bytes(200)
    bytes.replaceSubrange(40..<107, with: [UInt8](repeating: 0, count: 67))
    bytes.replaceSubrange(150..<200, with: [UInt8](repeating: 0, count: 50))
    var accumulator = PlanChecksum.Accumulator(length: 200)
    bytes.withUnsafeBytes { raw in
      accumulator.add(UnsafeRawBufferPointer(rebasing: raw[0..<40]))
      accumulator.addZeros(67)
      accumulator.add(UnsafeRawBufferPointer(rebasing: raw[107..<150]))
      accumulator.addZeros(50)
    }
    #expect(accumulator.finish() == PlanChecksum.of(bytes))
  }

  @Test func aChangedByteChangesTheChecksum() {
    var bytes = Self.bytes(96)
    let before = PlanChecksum.of(bytes)
    bytes[70] ^= 1
    #expect(PlanChecksum.of(bytes) != before)
  }
}
