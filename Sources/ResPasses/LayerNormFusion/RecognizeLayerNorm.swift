import ResIR

/// Replaces a LayerNorm written out as elementary ops by one LayerNormalization node: exporters targeting an
/// opset before 17 (which has no LayerNormalization) write PyTorch's `nn.LayerNorm` as nine nodes, which would
/// otherwise run as nine steps each reading and writing the whole activation; recognized, the post-LN residual
/// Add before it also fuses (`fuse-add-layernorm` runs next).
///
/// ## Before (PyTorch, opset 16)
/// ```
/// %mu = ReduceMean "mean" (%x) {axes=[2], keepdims=1} : f32[1,4,8]
/// %d = Sub "sub" (%x, %mu) : f32[1,4,8]
/// %sq = Pow "pow" (%d, @two) : f32[1,4,8]
/// %v = ReduceMean "var" (%sq) {axes=[2], keepdims=1} : f32[1,4,1]
/// %ve = Add "add" (%v, @eps) : f32[1,4,1]
/// %s = Sqrt "sqrt" (%ve) : f32[1,4,1]
/// %n = Div "div" (%d, %s) : f32[1,4,8]
/// %m = Mul "mul" (%n, @gamma) : f32[1,4,8]
/// %y = Add "add_1" (%m, @beta) : f32[1,4,8]
/// ```
/// ## After
/// ```
/// %y, %mean, %inv = LayerNormalization "add_1" (%x, @gamma, @beta) {axis=2, epsilon=1e-05} : ...
/// ```
/// The core is `LayerNormDecomposition` (its variants: a square as a product, a reciprocal then a product);
/// the scale and shift are optional, each a constant that broadcasts over the normalized axes only (a missing
/// scale becomes a one-element 1). Declines when an intermediate is read elsewhere or is a graph output, when
/// a scale or shift varies along an axis that is not normalized, or when the result is not the input's type.
public struct RecognizeLayerNorm: RewritePattern {
  public init() {}
  public let name = "recognize-layernorm"

  /// A constant scale or shift operand.
  struct Parameter {
    var value: ValueID
    var constant: Constant
  }

  public struct Match {
    var root: Node
    var core: LayerNormDecomposition
    var scale: Parameter?
    var shift: Parameter?
    /// The affine tail's nodes other than the root.
    var tail: [NodeID]
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard let candidate = Self.candidate(at: node, in: view) else { return .notApplicable }
    if let consumer = Self.onlyConsumer(of: node, in: view), let outer = Self.candidate(at: consumer, in: view),
      outer.core.nodes == candidate.core.nodes, Self.decline(outer, in: view) == nil
    {
      return .notApplicable  // the scale or shift after this node belongs to the LayerNorm too
    }
    if let reason = Self.decline(candidate, in: view) { return .declined(reason) }
    return .matched(candidate)
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    let root = match.root
    let xType = graph.type(of: match.core.x)
    let normalizedRank = xType.rank - match.core.axis
    let scale =
      match.scale.map { operand(of: $0, normalizedRank: normalizedRank, in: &graph) }
      ?? graph.addConstant(name: "\(root.name)_scale", Constant(dtype: xType.dtype, dims: [1], doubles: [1]))
    var inputs: [ValueID?] = [scale]
    if let shift = match.shift { inputs.append(operand(of: shift, normalizedRank: normalizedRank, in: &graph)) }
    let statistics = TensorType(
      .float32, Array(xType.shape[..<match.core.axis]) + Array(repeating: .known(1), count: xType.rank - match.core.axis))
    var normalization = graph.makeNode(
      name: root.name,
      op: .layerNormalization(LayerNormAttributes(axis: match.core.axis, epsilon: Float(match.core.epsilon))),
      inputs: [match.core.x] + inputs,
      results: [("\(root.name)_mean", statistics), ("\(root.name)_inv_std_dev", statistics)])
    normalization.outputs.insert(root.outputs[0], at: 0)
    graph.insert(normalization, before: root.id)
    graph.removeNodes(Set(match.core.nodes + match.tail + [root.id]))
  }

  /// The parameter as LayerNormalization's operand: the constant itself, or a copy without its leading 1s when
  /// it has more dimensions than are normalized (LayerNormalization broadcasts it to the normalized shape).
  private func operand(of parameter: Parameter, normalizedRank: Int, in graph: inout Graph) -> ValueID {
    let constant = parameter.constant
    guard constant.dims.count > normalizedRank else { return parameter.value }
    let trimmed = Constant(
      dtype: constant.dtype, dims: Array(constant.dims.suffix(normalizedRank)), bytes: constant.bytes)
    return graph.addConstant(name: graph[parameter.value].name, trimmed)
  }

  /// The LayerNorm ending at `node`, if `node` computes one: `n · γ + β`, `n + β`, `n · γ` or `n` itself, with
  /// n a `LayerNormDecomposition` and γ, β constants (either operand order).
  private static func candidate(at node: Node, in view: GraphView) -> Match? {
    guard case .binary(let op) = node.op, let a = node.input(0), let b = node.input(1) else { return nil }
    for (term, parameter) in [(a, b), (b, a)] {
      guard let constant = view.constant(parameter).map({ Parameter(value: parameter, constant: $0) }) else {
        continue
      }
      switch op {
      case .add:
        if let product = view.producer(of: term), case .binary(.mul) = product.op,
          let (normalized, scale) = scaled(product, in: view),
          let core = LayerNormDecomposition(normalizing: normalized, in: view)
        {
          return Match(root: node, core: core, scale: scale, shift: constant, tail: [product.id])
        }
        if let core = LayerNormDecomposition(normalizing: term, in: view) {
          return Match(root: node, core: core, scale: nil, shift: constant, tail: [])
        }
      case .mul:
        if let core = LayerNormDecomposition(normalizing: term, in: view) {
          return Match(root: node, core: core, scale: constant, shift: nil, tail: [])
        }
      case .sub, .div, .pow, .mod, .equal, .compare, .prelu: break
      }
    }
    guard let core = LayerNormDecomposition(normalizing: node.outputs[0], in: view) else { return nil }
    return Match(root: node, core: core, scale: nil, shift: nil, tail: [])
  }

  /// `n · γ` with γ constant, either order: n and γ.
  private static func scaled(_ product: Node, in view: GraphView) -> (ValueID, Parameter)? {
    guard let a = product.input(0), let b = product.input(1) else { return nil }
    if let scale = view.constant(b) { return (a, Parameter(value: b, constant: scale)) }
    if let scale = view.constant(a) { return (b, Parameter(value: a, constant: scale)) }
    return nil
  }

  private static func onlyConsumer(of node: Node, in view: GraphView) -> Node? {
    let value = node.outputs[0]
    guard view.useCount(of: value) == 1, !view.isGraphOutput(value) else { return nil }
    return view.consumers(of: value).first
  }

  /// Why `match` cannot become one LayerNormalization, or nil.
  private static func decline(_ match: Match, in view: GraphView) -> String? {
    let core = match.core
    if let reason = core.decline(in: view, normalizedIsInterior: match.root.id != core.nodes.last) { return reason }
    for id in match.tail {
      guard let node = view.node(id) else { continue }
      if let reason = view.intermediateDecline(node.outputs[0]) { return "the LayerNorm's intermediate \(reason)" }
    }
    let xType = view.type(of: core.x)
    guard view.type(of: match.root.outputs[0]).provablyEquals(xType) else {
      return "the result \(view.type(of: match.root.outputs[0])) is not the normalized input's type \(xType)"
    }
    for (role, parameter) in [("scale", match.scale), ("shift", match.shift)] {
      guard let parameter else { continue }
      if let reason = parameterDecline(parameter.constant, xType: xType, axis: core.axis) { return "the \(role) \(reason)" }
    }
    return nil
  }

  /// Why a scale or shift constant cannot be LayerNormalization's (which broadcasts it over the normalized
  /// axes only), or nil: it must have X's element type and vary along no axis before `axis`.
  private static func parameterDecline(_ parameter: Constant, xType: TensorType, axis: Int) -> String? {
    guard parameter.dtype == xType.dtype else { return "is \(parameter.dtype.rawValue), not \(xType.dtype.rawValue)" }
    let leading = parameter.dims.count - (xType.rank - axis)
    guard parameter.dims.count <= xType.rank, parameter.dims.prefix(max(0, leading)).allSatisfy({ $0 == 1 }) else {
      return "\(parameter.dims) varies along an axis that is not normalized"
    }
    return nil
  }
}
