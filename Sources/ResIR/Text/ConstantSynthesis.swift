/// Stand-in weights for constants the text form shows only by fingerprint.
///
/// The text form is structural: it never carries a model's weights. Parsing a constant printed as
/// `fingerprint 0123456789abcdef` fills it with data drawn from SplitMix64 seeded with that fingerprint, so
/// the same text always yields the same bytes (a golden pass test can evaluate before and after and compare),
/// and the constant keeps the printed fingerprint so that printing it again shows the same line.
enum ConstantSynthesis {
  /// The largest constant the parser will synthesize. Far above any real weight tensor (ResNet-50's largest is
  /// 8 MB), it stops a mistyped dimension from asking for terabytes.
  static let maximumBytes = 1 << 30

  /// Floats uniform in [-1, 1); signed integers in [-8, 8]; `u8` in [0, 15]; `bool` 0 or 1.
  static func bytes(_ dtype: DType, count: Int, seed: UInt64) -> TensorBytes {
    var random = SplitMix64(seed: seed)
    switch dtype {
    case .float32:
      return TensorBytes(copyingScalars: (0..<count).map { _ in random.nextSignedUnitFloat() })
    case .float16:
      // 11 random bits: every value is exact in f16, so none rounds up to 1.
      return TensorBytes(
        copyingScalars: (0..<count).map { _ in Float16(Float(random.next() >> 53) / 1024 - 1).bitPattern })
    case .float64:
      return TensorBytes(copyingScalars: (0..<count).map { _ in Double(random.next() >> 11) / Double(1 << 52) - 1 })
    case .int64:
      return TensorBytes(copyingScalars: (0..<count).map { _ in Int64(smallSigned(&random)) })
    case .int32:
      return TensorBytes(copyingScalars: (0..<count).map { _ in Int32(smallSigned(&random)) })
    case .int8:
      return TensorBytes(copyingScalars: (0..<count).map { _ in Int8(smallSigned(&random)) })
    case .uint8:
      return TensorBytes(copyingScalars: (0..<count).map { _ in UInt8(random.next() % 16) })
    case .bool:
      return TensorBytes(copyingScalars: (0..<count).map { _ in UInt8(random.next() & 1) })
    }
  }

  private static func smallSigned(_ random: inout SplitMix64) -> Int {
    Int(random.next() % 17) - 8
  }
}
