/// Sebastiano Vigna's SplitMix64: a tiny, fast, seedable generator whose sequence is the same on every
/// platform and Swift version (unlike `SystemRandomNumberGenerator`), which is what synthesized weights and
/// seeded test inputs need.
package struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  package init(seed: UInt64) {
    state = seed
  }

  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [-1, 1) with 24 random bits: exactly representable, so the value does not depend on rounding.
  package mutating func nextSignedUnitFloat() -> Float {
    Float(next() >> 40) / Float(1 << 23) - 1
  }
}
