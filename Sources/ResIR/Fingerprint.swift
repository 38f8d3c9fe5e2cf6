/// A 64-bit content hash of constant bytes, printed in dumps instead of the bytes themselves.
///
/// Not cryptographic: it only needs to make two different weight tensors look different in a diff and to be
/// identical across runs and machines. It reads eight bytes per step so that fingerprinting ResNet-50's
/// weights stays far below the import time budget.
public enum Fingerprint {
  public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let prime: UInt64 = 0x9E37_79B1_85EB_CA87
    var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
    let words = bytes.count / 8
    for i in 0..<words {
      let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
      h = (h ^ w) &* prime
      h ^= h >> 29
    }
    for i in (words * 8)..<bytes.count {
      h = (h ^ UInt64(bytes[i])) &* prime
    }
    h ^= h >> 32
    return h
  }

  /// Sixteen lowercase hex digits.
  public static func hex(_ value: UInt64) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }
}
