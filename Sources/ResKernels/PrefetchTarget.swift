import ResCPU

/// Which cache a GEMM kernel's read hints for a later tile's B panel fill, chosen by how far ahead that tile
/// is. A panel read by the very next tile (a batch-1 product streaming its weights, a few rows per panel)
/// belongs in the first-level cache: hinted into the second only, those GEMMs ran 10 % slower. A panel read a
/// whole tile of hundreds of multiply-adds later (channels-last Winograd: 64 KB of transformed weights per
/// tile of 16 rows, from memory) does not fit beside the working set there, and each first-level hint holds
/// a miss buffer for the whole trip from memory: hinted into the second-level cache, four 512→512 3x3 layers
/// at 7x7 went from 8.7–9.5 to 6.3–7.1 ms and ResNet-18 from 24.3 to 21.5 ms (Zen 4, one thread).
public enum PrefetchTarget: Sendable {
  case firstLevel
  case secondLevel

  @inline(__always)
  func fetch(_ address: UnsafePointer<Float>) {
    switch self {
    case .firstLevel: rescpu_prefetch_for_read(address)
    case .secondLevel: rescpu_prefetch_to_l2(address)
    }
  }
}
