/// Immutable raw bytes of a constant tensor, shared by reference.
///
/// The bytes either live in memory this object allocated (copied from a protobuf field, or computed by a pass)
/// or inside a region some other object owns (a memory-mapped model file), which `owner` keeps alive. That
/// second form is what lets a 100 MB ResNet-50 import without copying its weights. The bytes are never
/// mutated after creation, which is why sharing across threads is sound.
public final class TensorBytes: @unchecked Sendable {
  private let base: UnsafeRawBufferPointer
  private let owner: AnyObject?
  private let ownsAllocation: Bool

  /// The alignment of allocations made here: enough for any SIMD load the kernels may use.
  public static let alignment = 64

  private init(base: UnsafeRawBufferPointer, owner: AnyObject?, ownsAllocation: Bool) {
    self.base = base
    self.owner = owner
    self.ownsAllocation = ownsAllocation
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

  public var count: Int { base.count }

  public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try body(base)
  }
}
