import ResIR

/// The four constant vectors of an inference-mode BatchNormalization and its epsilon, read in `Double`
/// whatever their dtype: `y = (x − mean) / √(variance + ε) · scale + bias` per channel is the affine map
/// `y = x·s + (bias − mean·s)` with `s = scale / √(variance + ε)`.
///
/// Computing `s` in `Double` is what lets an f16 network whose variances are stored in f32 above 65504 fold
/// without overflow; the folded result is converted to the weight's dtype only at the end.
struct BatchNormStatistics {
  let scale: [Double]
  let bias: [Double]
  let mean: [Double]
  let variance: [Double]
  let epsilon: Double

  /// The operand slots of BatchNormalization after X, with the names reasons use.
  private static let parameterSlots = [(1, "scale"), (2, "bias"), (3, "mean"), (4, "variance")]

  /// Reads the parameters of `node` (a BatchNormalization); each must be a constant of `channels` elements.
  init(_ node: Node, epsilon: Float, channels: Int, producer: String, in view: GraphView) throws(FoldDecline) {
    var vectors: [[Double]] = []
    for (slot, role) in Self.parameterSlots {
      guard let constant = view.constant(node.input(slot)) else {
        throw FoldDecline("BatchNormalization's \(role) is not a constant")
      }
      guard constant.elementCount == channels else {
        throw FoldDecline(
          "BatchNormalization's \(role) has \(constant.elementCount) elements but the \(producer) has "
            + "\(channels) output channels")
      }
      vectors.append(constant.doubles())
    }
    (scale, bias, mean, variance) = (vectors[0], vectors[1], vectors[2], vectors[3])
    self.epsilon = Double(epsilon)
  }

  /// The statistics of channel `channels[i]` at index `i`: one entry per output channel of a producer whose
  /// channels reach the BatchNormalization through movement ops (`ChannelPath`), several reading the same one.
  func gathered(_ channels: [Int]) -> BatchNormStatistics {
    BatchNormStatistics(
      scale: channels.map { scale[$0] }, bias: channels.map { bias[$0] }, mean: channels.map { mean[$0] },
      variance: channels.map { variance[$0] }, epsilon: epsilon)
  }

  private init(scale: [Double], bias: [Double], mean: [Double], variance: [Double], epsilon: Double) {
    (self.scale, self.bias, self.mean, self.variance, self.epsilon) = (scale, bias, mean, variance, epsilon)
  }

  /// `s = scale / √(variance + ε)` per channel. A channel with `variance + ε ≤ 0` (or NaN) has no finite
  /// scale: the unfolded op yields NaN or infinities there that a folded weight would not reproduce.
  func channelScale() throws(FoldDecline) -> [Double] {
    var factors: [Double] = []
    factors.reserveCapacity(variance.count)
    for (channel, v) in variance.enumerated() {
      guard v + epsilon > 0 else { throw FoldDecline("variance + epsilon is not positive for channel \(channel)") }
      factors.append(scale[channel] / (v + epsilon).squareRoot())
    }
    return factors
  }

  /// The bias of the folded op: `(b − mean)·s + bias`, given the producer's own bias `b` per channel.
  func foldedBias(producerBias: [Double], channelScale s: [Double]) -> [Double] {
    producerBias.indices.map { c in (producerBias[c] - mean[c]) * s[c] + bias[c] }
  }
}
