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
  /// model's) is not computed here: its bytes are a `ChannelScaling` of these, rounding each product exactly as
  /// the conversion through doubles does, computed only if something reads them. The plan writer scales while
  /// it packs, so ResNet-50's 100 MB of folded weights are never written out (that was a quarter of its
  /// compile time).
  func scaled(along axis: Int, by factors: [Double]) -> Constant {
    guard dtype == .float32, bytes.count > 0 else {
      return Constant(dtype: dtype, dims: dims, doubles: doubles(scaledAlong: axis, by: factors))
    }
    precondition(dims.indices.contains(axis) && factors.count == dims[axis], "one factor per index of the axis")
    let inner = max(dims[(axis + 1)...].reduce(1, *), 1)
    let scaling = ChannelScaling(source: bytes, inner: inner, factors: factors)
    return Constant(dtype: dtype, dims: dims, bytes: TensorBytes(scaling: scaling))
  }

  /// The position of the first element that is infinite or NaN, if any: a fold whose result does not fit the
  /// dtype (an f16 weight scaled past 65504) must be declined, not written as `inf`.
  var firstNonFiniteIndex: Int? {
    guard dtype.isFloatingPoint else { return nil }
    if let scaling = bytes.scaling { return scaling.firstNonFiniteIndex }
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
