import ResIR

/// The projection a scalar factor folds into, and what it becomes.
struct ScaleFoldTarget {
  let projection: NodeID
  /// The projection's op after the fold: a Gemm with `alpha` and `beta` scaled, a MatMul unchanged.
  let op: Op
  /// A MatMul's constant operand (slot 0 or 1), scaled.
  let weight: (slot: Int, name: String, constant: Constant)?
  /// A MatMul's constant bias (slot 2), scaled.
  let bias: (name: String, constant: Constant)?
}

/// Finds where a scalar factor applied to a value can be applied instead: walks from the value to its producers
/// through ops that commute with the factor, to the first projection with constant weights.
///
/// Passed through: Reshape, Flatten, Squeeze, Unsqueeze, Transpose and Identity (they only move elements), and
/// a MatMul of two computed operands with an empty epilogue (`(cA)·B = c(A·B)`; A's path is tried first, then
/// B's). The walk ends at a MatMul with a constant operand (its weight and its bias are scaled) or a Gemm
/// (its `alpha` and `beta` are), either with no residual or activation in its epilogue. Every value on the path
/// must be read once, by the path's next node, and not be a graph output. The walk uses an explicit stack,
/// never recursion.
enum ScaleFoldPath {
  static func target(scaling value: ValueID, by factor: Double, in view: GraphView) throws(FoldDecline)
    -> ScaleFoldTarget
  {
    var pending = [value]
    var firstDecline: FoldDecline?
    while let current = pending.popLast() {
      do throws(FoldDecline) {
        switch try step(from: current, by: factor, in: view) {
        case .found(let target): return target
        case .continue(let operands): pending.append(contentsOf: operands.reversed())
        }
      } catch {
        if firstDecline == nil { firstDecline = error }
      }
    }
    throw firstDecline ?? FoldDecline("no projection computes '\(view.graph[value].name)'")
  }

  private enum Step {
    case found(ScaleFoldTarget)
    /// The operands to try next, in order.
    case `continue`([ValueID])
  }

  /// One node up from `value`.
  private static func step(from value: ValueID, by factor: Double, in view: GraphView) throws(FoldDecline) -> Step {
    let name = view.graph[value].name
    if view.isGraphOutput(value) { throw FoldDecline("'\(name)' is a graph output, which must keep its values") }
    let readers = view.useCount(of: value)
    guard readers == 1 else { throw FoldDecline("'\(name)' has \(readers) readers; the others must not see it scaled") }
    guard let node = view.producer(of: value) else { throw FoldDecline("'\(name)' is not computed by a projection") }
    let label = "\(node.op.onnxName) \"\(node.name)\""
    switch node.op {
    case .reshape, .flatten, .squeeze, .unsqueeze, .transpose, .identity:
      guard let input = node.input(0) else { throw FoldDecline("\(label) has no input") }
      return .continue([input])
    case .matMul(let epilogue):
      try requireLinear(epilogue, label)
      if let target = try matMulTarget(node, by: factor, in: view) { return .found(target) }
      guard node.input(2) == nil, let a = node.input(0), let b = node.input(1) else {
        throw FoldDecline("\(label) adds a bias to the product of two computed operands")
      }
      return .continue([a, b])
    case .gemm(var attributes):
      try requireLinear(attributes.epilogue, label)
      attributes.alpha = try scaled(attributes.alpha, by: factor, "alpha of \(label)")
      attributes.beta = try scaled(attributes.beta, by: factor, "beta of \(label)")
      return .found(ScaleFoldTarget(projection: node.id, op: .gemm(attributes), weight: nil, bias: nil))
    case .conv, .batchNormalization, .layerNormalization, .scaleShift, .lrn, .unary, .clip, .binary, .variadic, .where,
      .gatedSkip, .cast, .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce, .softmax, .concat, .split,
      .slice, .gather, .shape, .expand, .constantOfShape, .pad, .range, .scatterND, .gatherElements, .cumSum, .trilu,
      .resize, .argReduce, .topK, .dropout, .lstm, .gru, .rnn:
      throw FoldDecline("'\(name)' is computed by \(label), which the factor does not pass through")
    }
  }

  /// A residual or an activation in the epilogue is applied after the product: the factor cannot move inside.
  private static func requireLinear(_ epilogue: Epilogue, _ label: String) throws(FoldDecline) {
    if let activation = epilogue.activation {
      throw FoldDecline("\(label) applies \(activation) in its epilogue, which a factor does not pass through")
    }
    guard !epilogue.residual else {
      throw FoldDecline("\(label) adds a residual in its epilogue, which the factor would have to scale")
    }
  }

  /// A MatMul with a constant operand (B preferred): that operand and its bias, scaled. Nil when both operands
  /// are computed.
  private static func matMulTarget(_ node: Node, by factor: Double, in view: GraphView) throws(FoldDecline)
    -> ScaleFoldTarget?
  {
    guard let slot = [1, 0].first(where: { view.constant(node.input($0)) != nil }), let weight = node.input(slot),
      let constant = view.constant(weight)
    else { return nil }
    let scaledWeight = try scaled(constant, by: factor, "'\(view.graph[weight].name)'")
    var bias: (name: String, constant: Constant)?
    if let biasValue = node.input(2) {
      guard let biasConstant = view.constant(biasValue) else {
        throw FoldDecline("the bias '\(view.graph[biasValue].name)' of MatMul \"\(node.name)\" is computed")
      }
      let name = view.graph[biasValue].name
      bias = ("\(name).scaled", try scaled(biasConstant, by: factor, "'\(name)'"))
    }
    return ScaleFoldTarget(
      projection: node.id, op: node.op, weight: (slot, "\(view.graph[weight].name).scaled", scaledWeight), bias: bias)
  }

  /// `constant` times `factor`, declined unless every product is exact in the constant's dtype.
  private static func scaled(_ constant: Constant, by factor: Double, _ label: String) throws(FoldDecline) -> Constant {
    guard constant.dtype.isFloatingPoint else { throw FoldDecline("\(label) is \(constant.dtype.rawValue), not a float") }
    let values = constant.doubles()
    let products = values.map { $0 * factor }
    let result = Constant(dtype: constant.dtype, dims: constant.dims, doubles: products)
    guard result.doubles() == products else {
      throw FoldDecline("\(label) scaled by \(factor) would round (a value leaves the type's normal range)")
    }
    return result
  }

  private static func scaled(_ value: Float, by factor: Double, _ label: String) throws(FoldDecline) -> Float {
    let product = Double(value) * factor
    guard Double(Float(product)) == product else {
      throw FoldDecline("the \(label) scaled by \(factor) would round")
    }
    return Float(product)
  }
}
