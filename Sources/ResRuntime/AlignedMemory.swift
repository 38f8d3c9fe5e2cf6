import Foundation

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A 64-byte aligned heap block that owns its memory: the arena, scratch space, prepacked weights, output
/// tensors.
///
/// Allocated with `posix_memalign`, which reports failure, instead of Swift's allocator, which traps: a plan
/// asking for an absurd arena must give an error, not kill the process.
final class AlignedMemory: @unchecked Sendable {
  static let alignment = 64

  let base: UnsafeMutableRawPointer
  let byteCount: Int

  /// Blocks of at least this many bytes start on a huge-page boundary and ask for huge pages.
  static let hugePageBytes = 1 << 21

  /// Nil when the system cannot provide `byteCount` bytes.
  init?(byteCount: Int) {
    var pointer: UnsafeMutableRawPointer?
    let huge = byteCount >= AlignedMemory.hugePageBytes
    // posix_memalign(…, 0) may return NULL; ask for at least one line so `base` is always valid.
    let status = posix_memalign(
      &pointer, huge ? AlignedMemory.hugePageBytes : AlignedMemory.alignment, max(byteCount, AlignedMemory.alignment))
    guard status == 0, let pointer else { return nil }
    base = pointer
    self.byteCount = byteCount
    if huge { AlignedMemory.adviseHugePages(pointer, byteCount) }
  }

  /// Asks Linux to back the block with 2 MB pages where it can (transparent huge pages are often enabled only
  /// for memory that asks, `madvise` in /sys/kernel/mm/transparent_hugepage/enabled). A run streams through
  /// the whole activation arena: 6 MB for MobileNetV2, 1,500 pages of 4 KB, more than the second-level TLB
  /// holds beside the weights, against three huge pages. MobileNetV2, alternating runs of the same plan on the
  /// Zen 4: 1–4 % faster (medians of 10–16 pairs; ResNet-50, whose time is its multiply-adds, unchanged).
  /// Advice only: where it is refused or unsupported the block stays on small pages.
  private static func adviseHugePages(_ base: UnsafeMutableRawPointer, _ byteCount: Int) {
    #if os(Linux)
      _ = madvise(base, byteCount, Int32(MADV_HUGEPAGE))
    #endif
  }

  /// Like `init?(byteCount:)`, with a `resources` error naming what the memory was for. Requests beyond the
  /// machine's physical memory are refused before asking the allocator: such a block could never be used,
  /// and some allocators (a sanitizer's, for one) abort on absurd sizes instead of failing.
  static func allocate(_ byteCount: Int, for purpose: String) throws(RuntimeError) -> AlignedMemory {
    let physical = ProcessInfo.processInfo.physicalMemory
    guard UInt64(byteCount) <= physical else {
      throw RuntimeError(
        .resources, "cannot allocate \(byteCount) bytes for \(purpose): the machine has \(physical) bytes of memory")
    }
    guard let memory = AlignedMemory(byteCount: byteCount) else {
      throw RuntimeError(.resources, "cannot allocate \(byteCount) bytes for \(purpose)")
    }
    return memory
  }

  /// The block with every byte zero.
  func zeroed() -> AlignedMemory {
    memset(base, 0, byteCount)
    return self
  }

  func floats(count: Int) -> UnsafeMutablePointer<Float> {
    base.bindMemory(to: Float.self, capacity: count)
  }

  deinit {
    free(base)
  }
}
