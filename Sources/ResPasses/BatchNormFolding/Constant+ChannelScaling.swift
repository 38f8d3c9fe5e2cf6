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
    let storage = ComputedBytes(count: bytes.count)
    let count = bytes.count / 4
    let block = inner * dims[axis]
    bytes.withUnsafeBytes { source in
      let target = storage.memory.bindMemory(to: Float.self)
      // Runs of `inner` elements share a factor: no division per element.
      var start = 0
      while start < count {
        for (channel, factor) in factors.enumerated() {
          let run = start + channel * inner
          for i in run..<(run + inner) {
            target[i] = Float(Double(source.loadUnaligned(fromByteOffset: i * 4, as: Float.self)) * factor)
          }
        }
        start += block
      }
    }
    return Constant(
      dtype: dtype, dims: dims, bytes: TensorBytes(borrowing: UnsafeRawBufferPointer(rebasing: storage.memory[0..<bytes.count]), owner: storage))
  }

  /// The position of the first element that is infinite or NaN, if any: a fold whose result does not fit the
  /// dtype (an f16 weight scaled past 65504) must be declined, not written as `inf`.
  var firstNonFiniteIndex: Int? {
    guard dtype.isFloatingPoint else { return nil }
    guard dtype == .float32 else { return doubles().firstIndex { !$0.isFinite } }
    return bytes.withUnsafeBytes { raw in
      (0..<(raw.count / 4)).first { !raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self).isFinite }
    }
  }
}

/// Bytes a pass computed, owned by the `TensorBytes` that borrows them: written once, right after allocation,
/// then never changed.
private final class ComputedBytes: @unchecked Sendable {
  let memory: UnsafeMutableRawBufferPointer

  init(count: Int) {
    memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: TensorBytes.alignment)
  }

  deinit {
    memory.deallocate()
  }
}
