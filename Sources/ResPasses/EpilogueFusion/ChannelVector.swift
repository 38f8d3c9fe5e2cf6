import ResIR

/// The values of a constant that varies along one axis of an op's result at most — the axis a bias runs
/// along — as a bias needs them: one value per channel, or a single value for every channel.
///
/// Numpy broadcasting aligns shapes at their *last* axes, so for a Conv result `[N,C,H,W]` the constants
/// `[C,1,1]` and `[1,C,1,1]` run along the channels, but `[C]` runs along the width: it is a bias only of a
/// Gemm or MatMul, whose bias axis is the last one. The arithmetic is in Double, rounded once when the folded
/// bias becomes a constant of the model's type.
struct ChannelVector {
  /// One value (the same for every channel) or one per channel.
  var values: [Double]

  init(values: [Double]) {
    self.values = values
  }

  /// Reads `constant`, an operand broadcast onto a result of rank `resultRank`, as a vector along `axis`.
  /// `role` names the constant in the reason when it is not one ("the constant", "the Gemm's C").
  init(_ constant: Constant, resultRank: Int, axis: Int, role: String) throws(FusionDecline) {
    let dims = constant.dims
    guard dims.count <= resultRank else {
      throw FusionDecline("\(role) \(constant.type) has a higher rank than the result")
    }
    let offset = resultRank - dims.count
    for (index, size) in dims.enumerated() where size != 1 && offset + index != axis {
      throw FusionDecline(
        "\(role) \(constant.type) varies along axis \(offset + index) of the result, not only along the bias "
          + "axis \(axis)")
    }
    guard constant.elementCount > 0 else { throw FusionDecline("\(role) \(constant.type) is empty") }
    values = constant.doubles()
  }

  /// Whether this is one value for every channel.
  var isUniform: Bool { values.count == 1 }

  /// `self + scale · other`, element by element, a single value standing for every channel.
  func adding(_ other: ChannelVector, scaledBy scale: Double) throws(FusionDecline) -> ChannelVector {
    let count = max(values.count, other.values.count)
    guard !values.isEmpty, !other.values.isEmpty else { throw FusionDecline("the bias is empty") }
    guard isUniform || other.isUniform || values.count == other.values.count else {
      throw FusionDecline("the bias has \(other.values.count) values but the constant has \(values.count)")
    }
    return ChannelVector(
      values: (0..<count).map { i in
        values[isUniform ? 0 : i] + scale * other.values[other.isUniform ? 0 : i]
      })
  }

  /// The most channels a uniform value is expanded to: far beyond any real layer, and a bound on what a model
  /// that declares an absurd channel count can make the compiler allocate.
  static let maximumChannels = 1 << 24

  /// One value per channel for `channels` channels (a Conv bias is always `[M]`).
  func expanded(to channels: Int) throws(FusionDecline) -> ChannelVector {
    if isUniform {
      guard channels <= Self.maximumChannels else {
        throw FusionDecline("\(channels) channels is more than a folded bias may have (\(Self.maximumChannels))")
      }
      return ChannelVector(values: Array(repeating: values[0], count: channels))
    }
    guard values.count == channels else {
      throw FusionDecline("the bias has \(values.count) values for \(channels) channels")
    }
    return self
  }
}
