import ResIR

extension BatchNormStatistics {
  /// Reads the parameters of `node`, a BatchNormalization with no op before it to take its channel count from:
  /// the channels are those of its input (axis 1) when known, else the length of its scale. Each parameter
  /// must be a constant of that many elements.
  init(unfolded node: Node, input: TensorType, epsilon: Float, in view: GraphView) throws(FoldDecline) {
    let scaleLength = view.constant(node.input(1))?.elementCount ?? 0
    let channels = input.rank > 1 ? input.shape[1].value ?? scaleLength : scaleLength
    var vectors: [[Double]] = []
    for (slot, role) in [(1, "scale"), (2, "bias"), (3, "mean"), (4, "variance")] {
      guard let constant = view.constant(node.input(slot)) else {
        throw FoldDecline("BatchNormalization's \(role) is not a constant")
      }
      guard constant.elementCount == channels else {
        throw FoldDecline(
          "BatchNormalization's \(role) has \(constant.elementCount) elements but its input has \(channels) channels")
      }
      vectors.append(constant.doubles())
    }
    scale = vectors[0]
    bias = vectors[1]
    mean = vectors[2]
    variance = vectors[3]
    self.epsilon = Double(epsilon)
  }

  /// The per-channel affine map of the normalization: `scale = γ/√(σ² + ε)` and `shift = β − μ·scale`, in
  /// Double (declining where `σ² + ε ≤ 0`, as `channelScale` does).
  func affineMap() throws(FoldDecline) -> (scale: [Double], shift: [Double]) {
    let factors = try channelScale()
    let shift = factors.indices.map { c in bias[c] - mean[c] * factors[c] }
    return (factors, shift)
  }
}
