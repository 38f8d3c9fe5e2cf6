import Dispatch
import ResIR

extension Constant {
  /// Every element as a `Double`, multiplied by `factors[c]` where `c` is the element's index along `axis`.
  ///
  /// BatchNormalization folding scales a weight per output channel: axis 0 of a convolution's
  /// `[M, C/group, k...]` weight (grouped and depthwise ones included: the group only splits the input
  /// channels), the column axis of a matrix weight.
  /// - Precondition: `factors.count == dims[axis]`.
  func doubles(scaledAlong axis: Int, by factors: [Double]) -> [Double] {
    precondition(dims.indices.contains(axis) && factors.count == dims[axis], "one factor per index of the axis")
    let inner = max(dims[(axis + 1)...].reduce(1, *), 1)
    var values = doubles()
    for i in values.indices {
      values[i] *= factors[(i / inner) % dims[axis]]
    }
    return values
  }

  /// The constant with `doubles(scaledAlong:by:)` as its values, in its own dtype. An f32 weight (nearly every
  /// model's) is scaled element by element into its new bytes, rounding each product exactly as the
  /// conversion through doubles does, without two arrays of doubles per weight: that conversion was a quarter
  /// of the time to compile a ResNet-50.
  func scaled(along axis: Int, by factors: [Double]) -> Constant {
    guard dtype == .float32 else {
      return Constant(dtype: dtype, dims: dims, doubles: doubles(scaledAlong: axis, by: factors))
    }
    precondition(dims.indices.contains(axis) && factors.count == dims[axis], "one factor per index of the axis")
    let inner = max(dims[(axis + 1)...].reduce(1, *), 1)
    let storage = PageBackedMemory(byteCount: bytes.count)
    let count = bytes.count / 4
    bytes.withUnsafeBytes { source in
      guard let sourceBase = source.baseAddress, let targetBase = storage.memory.baseAddress else { return }
      let target = targetBase.bindMemory(to: Float.self, capacity: count)
      // Run r (elements r·inner ..< (r+1)·inner) has channel r mod dims[axis]: no division per element, and a
      // loop without overflow checks the compiler vectorizes (the scalar loop was a tenth of a ResNet-50's
      // compile time). A large weight is split in two halves of runs on two threads; each element's value is
      // the same whichever thread computes it.
      let runs = count / inner
      let parts = runs >= 2 && count >= Self.parallelElementCount ? 2 : 1
      let buffers = ScalingBuffers(source: sourceBase, target: target)
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        for run in (runs * part / parts)..<(runs * (part + 1) / parts) {
          let first = run * inner
          Self.scale(
            buffers.source + first * 4, by: factors[run % factors.count], count: inner, into: buffers.target + first)
        }
      }
    }
    return Constant(
      dtype: dtype, dims: dims, bytes: TensorBytes(borrowing: UnsafeRawBufferPointer(rebasing: storage.memory[0..<bytes.count]), owner: storage))
  }

  /// Weights from this many elements (1 MB of f32) are scaled on two threads; smaller ones are not worth
  /// the handoff.
  private static let parallelElementCount = 1 << 18

  /// `target[i] = Float(Double(source[i]) · factor)` for `count` floats read unaligned from `source`.
  private static func scale(
    _ source: UnsafeRawPointer, by factor: Double, count: Int, into target: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<count {
      target[i] = Float(Double(source.loadUnaligned(fromByteOffset: i &* 4, as: Float.self)) * factor)
    }
  }

  /// The position of the first element that is infinite or NaN, if any: a fold whose result does not fit the
  /// dtype (an f16 weight scaled past 65504) must be declined, not written as `inf`.
  var firstNonFiniteIndex: Int? {
    guard dtype.isFloatingPoint else { return nil }
    guard dtype == .float32 else { return doubles().firstIndex { !$0.isFinite } }
    return bytes.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return nil }
      let count = raw.count / 4
      // Blocks are screened with a branch-free test the compiler vectorizes; only a block that holds a
      // non-finite element is searched one element at a time.
      let block = 4096
      for start in stride(from: 0, to: count, by: block) {
        let end = min(start + block, count)
        guard Self.hasNonFinite(base + start * 4, count: end - start) else { continue }
        return (start..<end).first { !raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self).isFinite }
      }
      return nil
    }
  }

  /// Whether any of `count` floats at `floats` (unaligned) has an all-ones exponent (infinite or NaN): adding
  /// one to such an exponent field carries into bit 31, for no other value.
  private static func hasNonFinite(_ floats: UnsafeRawPointer, count: Int) -> Bool {
    var carry: UInt32 = 0
    for i in 0..<count {
      let bits = floats.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self)
      carry |= (bits & 0x7F80_0000) &+ 0x0080_0000
    }
    return carry & 0x8000_0000 != 0
  }
}

/// The source and target of one scaling, shared by the threads that each write their own runs of the target.
private struct ScalingBuffers: @unchecked Sendable {
  let source: UnsafeRawPointer
  let target: UnsafeMutablePointer<Float>
}
