import ResKernels
import Testing

/// The sixteen-at-a-time float16 conversions (`HalfPrecision.floats(fromBits:)`, `bits(from:)`, `widen`,
/// `narrow`, `round`) give exactly the bits of the one-at-a-time ones: every float16 pattern widened, and float32
/// patterns narrowed from a sweep of every 4,099th pattern (signs, subnormals, rounding ties, overflow, NaN
/// payloads all among them) plus the edges named below, through whole vectors and a scalar tail.
@Suite struct HalfPrecisionVectorTests {
  @Test func widensEveryHalfAsTheScalarDoes() {
    let halves = Array(UInt16.min...UInt16.max)
    var floats = [Float](repeating: 0, count: halves.count + 5)
    // A count that is not a multiple of 16 runs the scalar tail too.
    halves.withUnsafeBytes { source in
      floats.withUnsafeMutableBytes { destination in
        HalfPrecision.widen(source.baseAddress!, into: destination.baseAddress!, count: halves.count - 3)
      }
    }
    for (index, bits) in halves.enumerated().dropLast(3) {
      let expected = HalfPrecision.float(fromBits: bits).bitPattern
      #expect(floats[index].bitPattern == expected, "half \(bits)")
      if floats[index].bitPattern != expected { return }
    }
    #expect(floats.suffix(8).allSatisfy { $0 == 0 })
  }

  @Test func narrowsAsTheScalarDoes() {
    let values = Self.narrowingCases()
    var halves = [UInt16](repeating: 0, count: values.count)
    values.withUnsafeBytes { source in
      halves.withUnsafeMutableBytes { destination in
        HalfPrecision.narrow(source.baseAddress!, into: destination.baseAddress!, count: values.count)
      }
    }
    var mismatches = 0
    for (value, bits) in zip(values, halves) where bits != HalfPrecision.bits(from: value) {
      mismatches += 1
      if mismatches <= 5 {
        Issue.record("float bits \(String(value.bitPattern, radix: 16)): \(bits) != \(HalfPrecision.bits(from: value))")
      }
    }
    #expect(mismatches == 0)
    #expect(values.count % 16 != 0, "the scalar tail is covered")
  }

  /// `round` is a narrowing and a widening: into another buffer and in place (the way a plan runs it where its
  /// input dies), vectors and tail.
  @Test(arguments: [false, true])
  func roundsAsANarrowingAndAWideningDo(inPlace: Bool) {
    let values = Self.narrowingCases()
    var rounded = values
    if inPlace {
      rounded.withUnsafeMutableBytes { buffer in
        HalfPrecision.round(buffer.baseAddress!, into: buffer.baseAddress!, count: values.count)
      }
    } else {
      rounded = [Float](repeating: 0, count: values.count)
      values.withUnsafeBytes { source in
        rounded.withUnsafeMutableBytes { destination in
          HalfPrecision.round(source.baseAddress!, into: destination.baseAddress!, count: values.count)
        }
      }
    }
    var mismatches = 0
    for (value, result) in zip(values, rounded) {
      let expected = HalfPrecision.float(fromBits: HalfPrecision.bits(from: value))
      guard result.bitPattern != expected.bitPattern else { continue }
      mismatches += 1
      if mismatches <= 5 {
        Issue.record("float bits \(String(value.bitPattern, radix: 16)): \(result) != \(expected)")
      }
    }
    #expect(mismatches == 0)
    #expect(rounded.contains { $0 != 0 && $0.isFinite } && rounded.contains(where: \.isNaN))
  }

  /// The integer forms (`portable…`), which builds without the conversion instructions run and the loops above
  /// use there, against the scalar conversions, whatever this build has.
  @Test func thePortableFormsMatchTheScalar() {
    var mismatches: [String] = []
    let halves = Array(UInt16.min...UInt16.max)
    for start in stride(from: 0, to: halves.count, by: 16) {
      let vector = SIMD16<UInt16>(halves[start..<start + 16])
      let floats = HalfPrecision.portableFloats(fromBits: vector)
      for lane in 0..<16 where floats[lane].bitPattern != HalfPrecision.float(fromBits: vector[lane]).bitPattern {
        mismatches.append("half \(vector[lane])")
      }
    }
    let values = Self.narrowingCases()
    for start in stride(from: 0, to: values.count - 15, by: 16) {
      let vector = SIMD16<Float>(values[start..<start + 16])
      let (bits, rounded) = (HalfPrecision.portableBits(from: vector), HalfPrecision.portableRoundedToHalf(vector))
      for lane in 0..<16 {
        let expected = HalfPrecision.bits(from: vector[lane])
        if bits[lane] != expected || rounded[lane].bitPattern != HalfPrecision.float(fromBits: expected).bitPattern {
          mismatches.append("float bits \(String(vector[lane].bitPattern, radix: 16))")
        }
      }
    }
    #expect(mismatches.prefix(5) == [], "\(mismatches.count) mismatches")
  }

  /// A signaling NaN comes back quiet, its payload kept, as from the conversion instructions.
  @Test func signalingNaNsWidenQuiet() {
    #expect(HalfPrecision.float(fromBits: 0x7C01).bitPattern == 0x7FC0_2000)
    #expect(HalfPrecision.float(fromBits: 0xFC01).bitPattern == 0xFFC0_2000)
    #expect(HalfPrecision.float(fromBits: 0x7C00).bitPattern == 0x7F80_0000)
    #expect(HalfPrecision.bits(from: Float(bitPattern: 0x7F80_2000)) == 0x7E01)
  }

  /// Every 4,099th float32 pattern and the edges of float16's range and rounding, a count that leaves a tail.
  private static func narrowingCases() -> [Float] {
    var patterns = Array(stride(from: UInt32(0), to: UInt32.max - 4099, by: 4099))
    let edges: [Float] = [
      0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 65536, .infinity, -.infinity, .nan, -.nan,
      .leastNonzeroMagnitude, .leastNormalMagnitude, 5.960464477539063e-08, 2.980232238769531e-08,
      2.9802326e-08, 6.1035156e-05, 6.1035152e-05, 6.097555e-05, 1 + 1.0 / 2048, 1 + 3.0 / 2048, 1 + 1.0 / 1024,
      .greatestFiniteMagnitude, 3.0e-8, 0.1, 1e-7,
    ]
    patterns += edges.map(\.bitPattern) + [0x7F80_0001, 0x7FC0_1234, 0xFFBF_FFFF, 0x7F80_2000, 0x387F_F000, 0x387F_E000]
    return patterns.map { Float(bitPattern: $0) }
  }
}
