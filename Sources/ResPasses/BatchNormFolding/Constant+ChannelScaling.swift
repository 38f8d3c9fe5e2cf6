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

  /// The position of the first element that is infinite or NaN, if any: a fold whose result does not fit the
  /// dtype (an f16 weight scaled past 65504) must be declined, not written as `inf`.
  var firstNonFiniteIndex: Int? {
    guard dtype.isFloatingPoint else { return nil }
    return doubles().firstIndex { !$0.isFinite }
  }
}
