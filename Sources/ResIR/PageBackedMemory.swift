#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A large block of memory a compiler phase fills once, such as a batch-norm-folded weight or the scratch the
/// plan writer packs weights in: on Linux its own mapping, aligned to and advised for transparent huge pages.
///
/// Faulting fresh memory in, one 4 KB page at a time, is what such a block costs most: touching ResNet-50's
/// 100 MB of folded weights took ~55 ms in 4 KB pages and ~20 ms in 2 MB pages on the development machine.
/// Blocks under a huge page, and systems without them, use an ordinary aligned allocation.
package final class PageBackedMemory: @unchecked Sendable {
  /// `byteCount` bytes (at least one), 64-byte aligned, uninitialized.
  package let memory: UnsafeMutableRawBufferPointer
  /// The whole mapping when the block has its own, to unmap.
  private let mapping: UnsafeMutableRawBufferPointer?

  private static let hugePage = 2 << 20

  package init(byteCount: Int) {
    let count = max(byteCount, 1)
    if let mapping = Self.hugePageMapping(count) {
      let offset = (Self.hugePage - Int(bitPattern: mapping.baseAddress) % Self.hugePage) % Self.hugePage
      memory = UnsafeMutableRawBufferPointer(rebasing: mapping[offset..<(offset + count)])
      self.mapping = mapping
    } else {
      memory = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: TensorBytes.alignment)
      mapping = nil
    }
  }

  deinit {
    if let mapping {
      munmap(mapping.baseAddress, mapping.count)
    } else {
      memory.deallocate()
    }
  }

  /// A private anonymous mapping with room for `count` bytes from a huge page boundary, advised to use huge
  /// pages; nil for blocks smaller than a huge page, on other systems, or when the mapping fails.
  private static func hugePageMapping(_ count: Int) -> UnsafeMutableRawBufferPointer? {
    #if os(Linux)
      guard count >= hugePage else { return nil }
      let (length, overflow) = count.addingReportingOverflow(hugePage)
      guard !overflow, let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
        address != MAP_FAILED
      else { return nil }
      let mapping = UnsafeMutableRawBufferPointer(start: address, count: length)
      let offset = (hugePage - Int(bitPattern: address) % hugePage) % hugePage
      _ = madvise(address + offset, length - offset, MADV_HUGEPAGE)
      return mapping
    #else
      return nil
    #endif
  }
}
