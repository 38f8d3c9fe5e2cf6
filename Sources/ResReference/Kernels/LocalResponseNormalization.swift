import ResIR

/// ONNX LRN: each element is divided by `(bias + alpha/size · Σ x²)^beta`, the sum running over the
/// channels `c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉` that exist, at the same batch and spatial position.
enum LocalResponseNormalization {
  static func evaluate(_ operands: NodeOperands, _ attributes: LRNAttributes) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let x = try operands.required(0, "X")
    let input = try x.floatValues("X")
    try x.requireRank("X", 2...Int.max)
    guard (1...WindowGeometry.maximumAttribute).contains(attributes.size) else {
      throw EvaluationFailure("size must be between 1 and 2^30, not \(attributes.size)")
    }
    let (batch, channels) = (x.shape[0], x.shape[1])
    let plane = x.shape.dropFirst(2).reduce(1, *)
    let below = (attributes.size - 1) / 2
    let above = attributes.size - 1 - below
    let (alpha, beta, bias) = (Double(attributes.alpha), Double(attributes.beta), Double(attributes.bias))
    var output = input
    for n in 0..<batch {
      for c in 0..<channels {
        let neighbours = max(0, c - below)...min(channels - 1, c + above)
        for p in 0..<plane {
          let sumOfSquares = neighbours.reduce(0.0) { sum, neighbour in
            let value = input[(n * channels + neighbour) * plane + p]
            return sum + value * value
          }
          let i = (n * channels + c) * plane + p
          output[i] = input[i] / ScalarFunctions.pow(bias + alpha / Double(attributes.size) * sumOfSquares, beta)
        }
      }
    }
    return ReferenceTensor(dtype: x.dtype, shape: x.shape, doubles: output)
  }
}
