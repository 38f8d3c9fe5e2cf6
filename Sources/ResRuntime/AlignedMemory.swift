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

  /// Nil when the system cannot provide `byteCount` bytes.
  init?(byteCount: Int) {
    var pointer: UnsafeMutableRawPointer?
    // posix_memalign(…, 0) may return NULL; ask for at least one line so `base` is always valid.
    let status = posix_memalign(&pointer, AlignedMemory.alignment, max(byteCount, AlignedMemory.alignment))
    guard status == 0, let pointer else { return nil }
    base = pointer
    self.byteCount = byteCount
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
