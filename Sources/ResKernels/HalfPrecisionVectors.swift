/// `HalfPrecision`'s conversions sixteen elements at a time, bit for bit the same (NaN payloads, signed zeros,
/// subnormals, ties to even), and the loops over whole buffers that `cast` and the float16 elementwise steps
/// use.
///
/// Why: a float16 model widens every op's operands to float32 and rounds its result back (`cast` steps around
/// each op). One element at a time through the branches of `HalfPrecision`, those casts were 63 % of a
/// float16 ResNet-18's time (40 of 64 ms on the development machine); sixteen at a time they stream at memory
/// speed. Where the build has the conversion instructions (`BuildISA.hasHalfConversion`: x86 F16C, arm64)
/// they do the work through `Float16` vectors, outside Apple's platforms (`Float16` is missing on macOS x86-64
/// and needs an availability check per call on the others); elsewhere the `portable` forms do it in integer
/// and float vector arithmetic, which builds everywhere, at about two cycles an element each way on Zen 3,
/// where the instructions leave a cast bound by memory.
extension HalfPrecision {
  /// The float32 values of sixteen float16 bit patterns. Exact: float32 holds every float16.
  @inline(__always)
  public static func floats(fromBits halves: SIMD16<UInt16>) -> SIMD16<Float> {
    #if !canImport(Darwin) && (arch(arm64) || arch(x86_64))  // `Float16` without availability checks
      if BuildISA.hasHalfConversion { return SIMD16<Float>(unsafeBitCast(halves, to: SIMD16<Float16>.self)) }
    #endif
    return portableFloats(fromBits: halves)
  }

  /// The float16 bit patterns of sixteen float32 values, rounded to nearest, ties to even.
  @inline(__always)
  public static func bits(from values: SIMD16<Float>) -> SIMD16<UInt16> {
    #if !canImport(Darwin) && (arch(arm64) || arch(x86_64))  // `Float16` without availability checks
      if BuildISA.hasHalfConversion { return unsafeBitCast(SIMD16<Float16>(values), to: SIMD16<UInt16>.self) }
    #endif
    return portableBits(from: values)
  }

  /// Sixteen float32 values rounded to the nearest float16 value and kept as float32: `floats(fromBits:
  /// bits(from:))`, bit for bit.
  @inline(__always)
  public static func roundedToHalf(_ values: SIMD16<Float>) -> SIMD16<Float> {
    #if !canImport(Darwin) && (arch(arm64) || arch(x86_64))  // `Float16` without availability checks
      if BuildISA.hasHalfConversion { return SIMD16<Float>(SIMD16<Float16>(values)) }
    #endif
    return portableRoundedToHalf(values)
  }

  /// `floats(fromBits:)` without the instructions.
  @inline(__always)
  public static func portableFloats(fromBits halves: SIMD16<UInt16>) -> SIMD16<Float> {
    let bits = SIMD16<UInt32>(truncatingIfNeeded: halves)
    let sign = (bits & 0x8000) &<< 16
    let magnitude = (bits & 0x7FFF) &<< 13
    // The half's exponent and mantissa fields read as a float's are the value times 2⁻¹¹², subnormals included
    // (they land among float32's subnormals); one multiplication by 2¹¹² is exact.
    let finite = unsafeBitCast(unsafeBitCast(magnitude, to: SIMD16<Float>.self) * 0x1p112, to: SIMD16<UInt32>.self)
    // Infinities and NaNs (exponent all ones): float32's all-ones exponent, the mantissa kept, NaNs quiet.
    let quiet = select(below(magnitude, 0x0F80_0001), SIMD16(repeating: 0), SIMD16(repeating: 0x0040_0000))
    let result = select(below(magnitude, 0x0F80_0000), finite, magnitude | 0x7F80_0000 | quiet)
    return unsafeBitCast(result | sign, to: SIMD16<Float>.self)
  }

  /// `bits(from:)` without the instructions.
  @inline(__always)
  public static func portableBits(from values: SIMD16<Float>) -> SIMD16<UInt16> {
    let raw = unsafeBitCast(values, to: SIMD16<UInt32>.self)
    let sign = (raw &>> 16) & 0x8000
    let magnitude = raw & 0x7FFF_FFFF
    // Normal halves: the exponent rebiased, the 13 dropped bits rounded to nearest even by adding just under
    // half of them plus the kept bit's parity (a carry rounds up into the exponent, up to infinity).
    let odd = (magnitude &>> 13) & 1
    let normal = (magnitude &+ rebias &+ 0xFFF &+ odd) &>> 13
    // Below float16's smallest normal: added to ½, whose ulp is float16's smallest subnormal, the value is
    // rounded to a multiple of it by the float addition itself; what is left above ½ is the subnormal's bits.
    let half = SIMD16<UInt32>(repeating: subnormalMagic)
    let absolute = unsafeBitCast(magnitude, to: SIMD16<Float>.self)
    let sum = unsafeBitCast(absolute + unsafeBitCast(half, to: SIMD16<Float>.self), to: SIMD16<UInt32>.self)
    let finite = select(below(magnitude, smallestNormal), sum &- half, normal)
    // From 2¹⁶ (beyond the largest half even after rounding) and infinity: infinity. NaN: a quiet NaN with the
    // mantissa's top bits.
    let nan = 0x7E00 | ((magnitude & 0x007F_FFFF) &>> 13)
    let huge = select(below(magnitude, 0x7F80_0001), SIMD16(repeating: 0x7C00), nan)
    let result = select(below(magnitude, overflow), finite, huge)
    return SIMD16<UInt16>(truncatingIfNeeded: result | sign)
  }

  /// All ones in the lanes where `value < bound`, zeros elsewhere; both below 2³¹. A subtraction's sign spread
  /// by an arithmetic shift: `SIMDMask` selects with `replace(with:where:)` compiled to a loop over the lanes
  /// here, a third of a float16 ResNet-18's time.
  @inline(__always)
  private static func below(_ value: SIMD16<UInt32>, _ bound: UInt32) -> SIMD16<UInt32> {
    SIMD16<UInt32>(truncatingIfNeeded: SIMD16<Int32>(truncatingIfNeeded: value &- bound) &>> 31)
  }

  /// `whereSet`'s lanes where `mask` is all ones, `otherwise`'s where it is zero.
  @inline(__always)
  private static func select(
    _ mask: SIMD16<UInt32>, _ whereSet: SIMD16<UInt32>, _ otherwise: SIMD16<UInt32>
  ) -> SIMD16<UInt32> {
    (whereSet & mask) | (otherwise & ~mask)
  }

  /// Adds float16's exponent bias and removes float32's (`(15 − 127) << 23`, wrapping).
  private static let rebias = UInt32(bitPattern: Int32(15 - 127) << 23)
  /// ½ as float32 bits: `((127 − 15) + (23 − 10) + 1) << 23`.
  private static let subnormalMagic: UInt32 = 126 << 23
  /// float32 bits of 2⁻¹⁴, float16's smallest normal.
  private static let smallestNormal: UInt32 = 113 << 23
  /// float32 bits of 2¹⁶.
  private static let overflow: UInt32 = 143 << 23

  /// Converts `count` float16 values at `source` to float32 at `destination`.
  public static func widen(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int) {
    var index = 0
    while index + 16 <= count {
      let halves = source.loadUnaligned(fromByteOffset: index &* 2, as: SIMD16<UInt16>.self)
      destination.storeBytes(of: floats(fromBits: halves), toByteOffset: index &* 4, as: SIMD16<Float>.self)
      index &+= 16
    }
    while index < count {
      let bits = source.load(fromByteOffset: index &* 2, as: UInt16.self)
      destination.storeBytes(of: float(fromBits: bits), toByteOffset: index &* 4, as: Float.self)
      index &+= 1
    }
  }

  /// Rounds `count` float32 values at `source` to float16 at `destination`.
  public static func narrow(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int) {
    var index = 0
    while index + 16 <= count {
      let values = source.loadUnaligned(fromByteOffset: index &* 4, as: SIMD16<Float>.self)
      destination.storeBytes(of: bits(from: values), toByteOffset: index &* 2, as: SIMD16<UInt16>.self)
      index &+= 16
    }
    while index < count {
      let value = source.load(fromByteOffset: index &* 4, as: Float.self)
      destination.storeBytes(of: bits(from: value), toByteOffset: index &* 2, as: UInt16.self)
      index &+= 1
    }
  }

  /// Rounds `count` float32 values at `source` to float16 and stores them widened back, as float32, at
  /// `destination` (which may be `source`): what `narrow` then `widen` give, bit for bit (`roundedToHalf`).
  public static func round(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int) {
    var index = 0
    while index + 16 <= count {
      let values = source.loadUnaligned(fromByteOffset: index &* 4, as: SIMD16<Float>.self)
      destination.storeBytes(of: roundedToHalf(values), toByteOffset: index &* 4, as: SIMD16<Float>.self)
      index &+= 16
    }
    guard index < count else { return }
    var tail = SIMD16<Float>()
    for lane in 0..<(count &- index) {
      tail[lane] = source.load(fromByteOffset: (index &+ lane) &* 4, as: Float.self)
    }
    let rounded = roundedToHalf(tail)
    for lane in 0..<(count &- index) {
      destination.storeBytes(of: rounded[lane], toByteOffset: (index &+ lane) &* 4, as: Float.self)
    }
  }

  /// `roundedToHalf` without the instructions, and without building the float16 fields.
  ///
  /// Why: a float16 model computing in float16 rounds every kernel's result (`cast` with `round_to_float16`);
  /// through the two portable conversions that cost about four cycles an element, as much as the two casts it
  /// replaces, while this is a handful of vector operations (a float16 MobileNetV2's 55 roundings: 5.26 → 1.65
  /// ms).
  @inline(__always)
  public static func portableRoundedToHalf(_ values: SIMD16<Float>) -> SIMD16<Float> {
    let raw = unsafeBitCast(values, to: SIMD16<UInt32>.self)
    let sign = raw & 0x8000_0000
    let magnitude = raw & 0x7FFF_FFFF
    // Normal halves: the 13 bits float16 lacks rounded to nearest even in place (`bits(from:)`'s addition
    // without the rebias); a carry moves into the exponent.
    let odd = (magnitude &>> 13) & 1
    let normal = (magnitude &+ 0xFFF &+ odd) & ~0x1FFF
    // Below float16's smallest normal: a multiple of its smallest subnormal 2⁻²⁴, the ulp of ½, by the float
    // addition's own rounding; taking ½ away again is exact.
    let absolute = unsafeBitCast(magnitude, to: SIMD16<Float>.self)
    let subnormal = unsafeBitCast((absolute + 0.5) - 0.5, to: SIMD16<UInt32>.self)
    let finite = select(below(magnitude, smallestNormal), subnormal, normal)
    // What rounds to 2¹⁶ or beyond is infinity, infinity stays; NaN becomes the quiet NaN with the mantissa's top
    // ten bits that `bits(from:)` and `floats(fromBits:)` make of it.
    let nan = (magnitude & 0x007F_E000) | 0x7FC0_0000
    let huge = select(below(magnitude, 0x7F80_0001), SIMD16(repeating: 0x7F80_0000), nan)
    let result = select(below(finite, overflow), finite, huge)
    return unsafeBitCast(result | sign, to: SIMD16<Float>.self)
  }
}
