#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Synchronization

/// Immutable raw bytes of a constant tensor, shared by reference.
///
/// The bytes either live in memory this object allocated (copied from a protobuf field, or computed by a pass)
/// or inside a region some other object owns (a memory-mapped model file), which `owner` keeps alive. That
/// second form is what lets a 100 MB ResNet-50 import without copying its weights. A third form is only
/// described, as a `ChannelScaling` of other bytes (a batch-norm-folded weight): its bytes are computed the
/// first time someone reads them, which the plan writer never does (it packs from the description). The bytes
/// never change once readable, which is why sharing across threads is sound.
public final class TensorBytes: @unchecked Sendable {
  private let base: UnsafeRawBufferPointer
  private let owner: AnyObject?
  private let ownsAllocation: Bool
  /// What the bytes are, when they are described rather than stored.
  public let scaling: ChannelScaling?
  /// The described bytes, once computed.
  private let computed = Mutex<PageBackedMemory?>(nil)

  /// The alignment of allocations made here: enough for any SIMD load the kernels may use.
  public static let alignment = 64

  private init(base: UnsafeRawBufferPointer, owner: AnyObject?, ownsAllocation: Bool) {
    self.base = base
    self.owner = owner
    self.ownsAllocation = ownsAllocation
    scaling = nil
  }

  /// The bytes of `scaling`, computed when first read.
  public init(scaling: ChannelScaling) {
    base = UnsafeRawBufferPointer(start: nil, count: 0)
    owner = nil
    ownsAllocation = false
    self.scaling = scaling
  }

  /// Copies `bytes` into a new aligned allocation.
  public convenience init(copying bytes: UnsafeRawBufferPointer) {
    let storage = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(bytes.count, 1), alignment: TensorBytes.alignment)
    if let src = bytes.baseAddress, bytes.count > 0 {
      storage.baseAddress!.copyMemory(from: src, byteCount: bytes.count)
    }
    let used = UnsafeRawBufferPointer(start: storage.baseAddress, count: bytes.count)
    self.init(base: used, owner: nil, ownsAllocation: true)
  }

  /// `byteCount` bytes in a new aligned allocation, written by `fill` (which must write every byte): a pass
  /// that computes a large constant writes it in place instead of through an array and a copy.
  public convenience init(byteCount: Int, filling fill: (UnsafeMutableRawBufferPointer) -> Void) {
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(byteCount, 1), alignment: TensorBytes.alignment)
    let used = UnsafeMutableRawBufferPointer(start: storage.baseAddress, count: byteCount)
    fill(used)
    self.init(base: UnsafeRawBufferPointer(used), owner: nil, ownsAllocation: true)
  }

  /// Copies the bytes of an array of trivial scalars (in the host's byte order, little-endian on every
  /// platform rescompile supports, which is also ONNX's and the plan's byte order).
  public convenience init<T: BitwiseCopyable>(copyingScalars scalars: [T]) {
    let copy = scalars.withUnsafeBytes { TensorBytes(copying: $0) }
    self.init(base: copy.base, owner: copy, ownsAllocation: false)
  }

  /// Refers to `bytes` without copying; `owner` must keep them valid and unchanged for its lifetime.
  public convenience init(borrowing bytes: UnsafeRawBufferPointer, owner: AnyObject) {
    self.init(base: bytes, owner: owner, ownsAllocation: false)
  }

  deinit {
    if ownsAllocation, let p = base.baseAddress {
      UnsafeMutableRawPointer(mutating: p).deallocate()
    }
  }

  public var count: Int { scaling.map { $0.source.count } ?? base.count }

  public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    guard let scaling else { return try body(base) }
    return try body(computedBytes(scaling))
  }

  /// The bytes of `scaling`, computed by the first caller while later ones wait; they stay until deinit.
  private func computedBytes(_ scaling: ChannelScaling) -> UnsafeRawBufferPointer {
    computed.withLock { memory in
      let storage = memory ?? PageBackedMemory(byteCount: scaling.source.count)
      if memory == nil, let target = storage.memory.baseAddress {
        scaling.write(into: target.bindMemory(to: Float.self, capacity: scaling.elementCount))
        memory = storage
      }
      return UnsafeRawBufferPointer(rebasing: storage.memory[0..<scaling.source.count])
    }
  }

  /// Bytes `range`, for `body` only: a described tensor's range is computed (its whole elements) into a
  /// scratch buffer unless its whole bytes already were.
  private func withBytes<R>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    guard let scaling, computed.withLock({ $0 == nil }) else {
      return withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
    let elements = (range.lowerBound / 4)..<((range.upperBound + 3) / 4)
    return withUnsafeTemporaryAllocation(of: Float.self, capacity: elements.count) { scratch in
      guard let target = scratch.baseAddress else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
      scaling.write(elements: elements, into: target)
      let skipped = range.lowerBound - elements.lowerBound * 4
      return body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(scratch)[skipped..<(skipped + range.count)]))
    }
  }

  /// The first `byteCount` bytes (all of them when there are fewer); for described bytes only those are
  /// computed. Lets a caller that looks for identical tensors among many of one size bucket them by their
  /// beginnings first.
  public func prefix(_ byteCount: Int) -> [UInt8] {
    withBytes(in: 0..<min(byteCount, count)) { Array($0) }
  }

  /// `memcmp`'s order of two tensors' bytes (negative, zero, positive; a prefix orders first), compared a
  /// block at a time and stopping at the first block that differs: telling two different weights apart reads
  /// (or, for described bytes, computes) only their first bytes.
  public static func order(_ a: TensorBytes, _ b: TensorBytes) -> Int {
    let common = min(a.count, b.count)
    var start = 0
    while start < common {
      let range = start..<min(start + comparisonBlock, common)
      let order = a.withBytes(in: range) { x in
        b.withBytes(in: range) { y in
          guard let p = x.baseAddress, let q = y.baseAddress else { return Int32(0) }
          return memcmp(p, q, range.count)
        }
      }
      if order != 0 { return Int(order) }
      start = range.upperBound
    }
    return a.count - b.count
  }

  /// Bytes compared at a time by `order`: a multiple of 4 (whole f32 elements), small enough for the stack.
  private static let comparisonBlock = 16 << 10
}
