/// The 64-bit checksum a plan stores for its header, metadata and constant sections.
///
/// Not cryptographic: it catches truncation, bit rot and accidental edits, not an attacker (an attacker can
/// write any plan; the loader's validation, not the checksum, is what keeps a hostile plan from reading out of
/// bounds). Four independent lanes over 32-byte strides keep the multiplies pipelined, so checking a 100 MB
/// plan's constants costs milliseconds. Deterministic on every platform (explicit little-endian loads).
public enum PlanChecksum {
  private static let primes: (UInt64, UInt64, UInt64, UInt64) = (
    0x9E37_79B1_85EB_CA87, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63
  )

  public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var accumulator = Accumulator(length: bytes.count)
    accumulator.add(bytes)
    return accumulator.finish()
  }

  public static func of(_ bytes: [UInt8]) -> UInt64 {
    bytes.withUnsafeBytes { of($0) }
  }

  /// The first value of each lane for `length` bytes.
  static func initialLanes(length: Int) -> (UInt64, UInt64, UInt64, UInt64) {
    (primes.0, primes.1, primes.2, primes.3 ^ UInt64(length))
  }

  /// Mixes the whole 32-byte blocks of `bytes` (its count a multiple of 32) into `lanes`.
  static func mixBlocks(_ bytes: UnsafeRawBufferPointer, into lanes: inout (UInt64, UInt64, UInt64, UInt64)) {
    let stride = 32
    var local = lanes
    for block in 0..<(bytes.count / stride) {
      let base = block * stride
      local.0 = mix(local.0, word(bytes, base), primes.0)
      local.1 = mix(local.1, word(bytes, base + 8), primes.1)
      local.2 = mix(local.2, word(bytes, base + 16), primes.2)
      local.3 = mix(local.3, word(bytes, base + 24), primes.3)
    }
    lanes = local
  }

  /// The checksum from the lanes after every whole block and the bytes after the last one (fewer than 32).
  static func finalize(_ lanes: (UInt64, UInt64, UInt64, UInt64), tail: UnsafeRawBufferPointer) -> UInt64 {
    var h = lanes.0 ^ rotate(lanes.1, 17) ^ rotate(lanes.2, 31) ^ rotate(lanes.3, 47)
    for byte in tail {
      h = mix(h, UInt64(byte), primes.0)
    }
    h ^= h >> 33
    h = h &* primes.1
    h ^= h >> 29
    return h
  }

  @inline(__always)
  private static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  @inline(__always)
  private static func mix(_ lane: UInt64, _ value: UInt64, _ prime: UInt64) -> UInt64 {
    rotate((lane ^ value) &* prime, 31)
  }

  @inline(__always)
  private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }
}
