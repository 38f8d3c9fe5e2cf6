extension NodeContext {
  /// Flatten: `[d0..., d_axis...] → [d0·…, d_axis·…]`. Products are monomials, so `[N,512,1,1]` at axis 1
  /// flattens to `[N,512]`.
  func flatten(axis: Int) throws(ModelError) -> TensorType {
    let input = try operand(0)
    guard axis >= 0 && axis <= input.rank else {
      throw error("axis \(axis) is out of range for rank \(input.rank) (Flatten allows 0...\(input.rank))")
    }
    _ = try elementCount(input.shape, "input")
    let outer = try elementCount(Array(input.shape[..<axis]), "input")
    let inner = try elementCount(Array(input.shape[axis...]), "input")
    return TensorType(input.dtype, [outer?.dim ?? .unknown, inner?.dim ?? .unknown])
  }

  /// Reshape: the target comes from the shape operand's known elements (a constant, or a value propagated
  /// through a Shape chain). `0` copies the input's dimension unless `allowZero`; one `-1` is inferred by
  /// dividing element counts as monomials, so `[N,64,7,7]` reshaped to `[N,-1]` or `[-1,3136]` is
  /// `[N,3136]`. Unknown elements give unknown dimensions; the output rank is the shape operand's length.
  func reshape(allowZero: Bool) throws(ModelError) -> TensorType {
    let data = try operand(0)
    let length = try rankOneLength(slot: 1, "shape")
    let requested = elements(1) ?? [Monomial?](repeating: nil, count: length)
    var shape: [Dim] = []
    // Each target dimension as a monomial (nil when unknown); the -1 counts as 1 until it is inferred.
    var factors: [Monomial?] = []
    var inferredIndex: Int?
    for (index, element) in requested.enumerated() {
      switch element?.constant {
      case .some(-1):
        guard inferredIndex == nil else { throw error("shape \(reshapeText(requested)) has more than one -1") }
        inferredIndex = index
        shape.append(.unknown)
        factors.append(Monomial(1))
      case .some(0) where !allowZero:
        guard index < data.rank else {
          throw error("shape \(reshapeText(requested)) copies dimension \(index), but the input has rank \(data.rank)")
        }
        shape.append(data.shape[index])
        factors.append(Monomial(data.shape[index]))
      case .some(let value) where value < 0:
        throw error("shape \(reshapeText(requested)) has invalid element \(value)")
      case .some, .none:
        // A negative symbolic element (`-N`) is not a size; treat it as unknown.
        let factor = element.flatMap { $0.isProvablyNonNegative ? $0 : nil }
        shape.append(factor?.dim ?? .unknown)
        factors.append(factor)
      }
    }
    if allowZero, inferredIndex != nil, factors.contains(Monomial(0)) {
      throw error("shape \(reshapeText(requested)) has both -1 and 0 with allowzero=1")
    }
    let inputCount = try elementCount(data.shape, "input")
    var outputCount: Monomial? = Monomial(1)
    for factor in factors {
      outputCount = factor.flatMap { outputCount?.multiplied(by: $0) }
    }
    if let inferredIndex {
      shape[inferredIndex] = try inferredDimension(input: inputCount, rest: outputCount, data, requested)
    } else if let have = inputCount?.constant, let want = outputCount?.constant, have != want {
      throw error(
        "cannot reshape \(shapeText(data.shape)) (\(have) elements) to \(reshapeText(requested)) (\(want) elements)")
    }
    return TensorType(data.dtype, shape)
  }

  /// The `-1` dimension: input elements divided by the product of the other target dimensions.
  private func inferredDimension(
    input: Monomial?, rest: Monomial?, _ data: TensorType, _ requested: [Monomial?]
  ) throws(ModelError) -> Dim {
    guard let input, let rest else { return .unknown }
    if rest.coefficient == 0 {
      throw error("cannot infer the -1 in \(reshapeText(requested)): the other dimensions multiply to 0")
    }
    if let quotient = input.divided(exactlyBy: rest) { return quotient.dim }
    if input.constant != nil && rest.constant != nil {
      throw error("cannot reshape \(shapeText(data.shape)) (\(input) elements) to \(reshapeText(requested))")
    }
    return .unknown
  }

  /// `[N,-1]`, `[?,64]`: a requested shape as messages print it.
  private func reshapeText(_ elements: [Monomial?]) -> String {
    "[\(elements.map { $0?.description ?? "?" }.joined(separator: ","))]"
  }

  /// The length of a rank-1 int64 shape operand, which fixes the result's rank; it must be known.
  func rankOneLength(slot: Int, _ what: String) throws(ModelError) -> Int {
    let type = try operand(slot)
    try requireDType(type, .int64, what)
    try requireRank(type, 1, what)
    guard case .known(let length) = type.shape[0] else {
      throw error("\(what) operand has length \(type.shape[0]); the result's rank must be known")
    }
    return length
  }
}
