/// CPU features a plan's kernels may assume, as a bit set stored in the plan header.
///
/// A plan compiled for features the running CPU lacks must be refused with a clear message rather than die on
/// an illegal instruction (peer-pitfalls #29).
public struct CPUFeatures: OptionSet, Sendable, Hashable {
  public let rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  public static let sse41 = CPUFeatures(rawValue: 1 << 0)
  public static let avx2 = CPUFeatures(rawValue: 1 << 1)
  public static let fma = CPUFeatures(rawValue: 1 << 2)
  public static let avx512f = CPUFeatures(rawValue: 1 << 3)
  public static let neon = CPUFeatures(rawValue: 1 << 4)

  /// Every named feature with its spelling, in bit order (for messages and `inspect`).
  public static let named: [(name: String, feature: CPUFeatures)] = [
    ("sse4.1", .sse41), ("avx2", .avx2), ("fma", .fma), ("avx512f", .avx512f), ("neon", .neon),
  ]

  /// `avx2,fma`, or `none`.
  public var names: [String] {
    CPUFeatures.named.filter { contains($0.feature) }.map(\.name)
  }

  /// Bits no named feature uses: a plan from a newer compiler may set them, and this runtime cannot know
  /// whether the CPU has what they stand for.
  public var unknownBits: UInt64 {
    rawValue & ~CPUFeatures.named.reduce(0) { $0 | $1.feature.rawValue }
  }
}
