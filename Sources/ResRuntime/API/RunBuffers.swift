/// The raw bytes of a run's input tensors and of its fresh output arrays, valid for one call of `body`.
///
/// Swift lends an array's memory only inside a closure, so pinning n tensors nests n closures, each a stack
/// level of about a dozen frames. The first `nestedLimit` tensors are pinned that way, which costs nothing; the
/// rest are copied into (inputs) or out of (outputs) one scratch allocation, so that a model with thousands of
/// inputs or outputs runs instead of overflowing the stack (5,000 outputs did, in `rescompile check`).
enum RunBuffers {
  static let nestedLimit = 64

  /// Calls `body` with the bytes of every tensor, in order.
  static func withBytes(
    of tensors: ArraySlice<Tensor>, collected: [UnsafeRawBufferPointer] = [],
    _ body: ([UnsafeRawBufferPointer]) throws(RuntimeError) -> Void
  ) throws(RuntimeError) {
    guard let first = tensors.first else { return try body(collected) }
    guard collected.count < nestedLimit else { return try withCopies(of: tensors, after: collected, body) }
    try first.withUnsafeBytes { (bytes) throws(RuntimeError) in
      try withBytes(of: tensors.dropFirst(), collected: collected + [bytes], body)
    }
  }

  /// Creates a zero-filled array for each output description, calls `body` with all of their bytes, then
  /// hands the arrays back in `arrays`, in order.
  static func withZeroArrays(
    _ specs: inout ArraySlice<TensorDescription>, _ arrays: inout [any TensorArray],
    collected: [UnsafeMutableRawBufferPointer] = [],
    _ body: ([UnsafeMutableRawBufferPointer]) throws(RuntimeError) -> Void
  ) throws(RuntimeError) {
    guard let spec = specs.popFirst() else { return try body(collected) }
    var array = spec.elementType.zeroArray(count: spec.shape.reduce(1, *))
    guard collected.count < nestedLimit else {
      arrays = [array] + specs.map { $0.elementType.zeroArray(count: $0.shape.reduce(1, *)) }
      specs = specs.suffix(0)
      return try withCopies(of: &arrays, after: collected, body)
    }
    try array.withMutableBytes { (bytes) throws(RuntimeError) in
      try withZeroArrays(&specs, &arrays, collected: collected + [bytes], body)
    }
    arrays.insert(array, at: 0)
  }

  /// `body` with `collected` followed by copies of `tensors`' bytes.
  private static func withCopies(
    of tensors: ArraySlice<Tensor>, after collected: [UnsafeRawBufferPointer],
    _ body: ([UnsafeRawBufferPointer]) throws(RuntimeError) -> Void
  ) throws(RuntimeError) {
    let sizes = tensors.map { $0.withUnsafeBytes { $0.count } }
    let scratch = Scratch(sizes)
    defer { scratch.deallocate() }
    for (tensor, slice) in zip(tensors, scratch.slices) {
      tensor.withUnsafeBytes { bytes in slice.copyMemory(from: bytes) }
    }
    try body(collected + scratch.slices.map { UnsafeRawBufferPointer($0) })
  }

  /// `body` with `collected` followed by zeroed scratch bytes for each of `arrays`, copied into them after.
  private static func withCopies(
    of arrays: inout [any TensorArray], after collected: [UnsafeMutableRawBufferPointer],
    _ body: ([UnsafeMutableRawBufferPointer]) throws(RuntimeError) -> Void
  ) throws(RuntimeError) {
    let scratch = Scratch(arrays.map { $0.withBytes { $0.count } })
    defer { scratch.deallocate() }
    try body(collected + scratch.slices)
    for index in arrays.indices {
      arrays[index].withMutableBytes { bytes in bytes.copyMemory(from: UnsafeRawBufferPointer(scratch.slices[index])) }
    }
  }

  /// One zeroed allocation cut into 64-byte aligned slices of the given sizes.
  private struct Scratch {
    let memory: UnsafeMutableRawBufferPointer
    let slices: [UnsafeMutableRawBufferPointer]

    init(_ sizes: [Int]) {
      let alignment = 64
      let offsets = sizes.reduce(into: [0]) { $0.append($0[$0.count - 1] + ($1 + alignment - 1) / alignment * alignment) }
      memory = .allocate(byteCount: max(offsets[offsets.count - 1], 1), alignment: alignment)
      memory.initializeMemory(as: UInt8.self, repeating: 0)
      let memory = memory
      slices = sizes.indices.map { UnsafeMutableRawBufferPointer(rebasing: memory[offsets[$0]..<(offsets[$0] + sizes[$0])]) }
    }

    func deallocate() { memory.deallocate() }
  }
}
