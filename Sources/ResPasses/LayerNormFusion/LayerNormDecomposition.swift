import ResIR

/// The normalizing core of a LayerNorm written out as elementary ops, found from the value it produces:
/// `(x − mean(x)) / √(mean((x − mean(x))²) + ε)` over trailing axes, as exporters write LayerNorm for opsets
/// without LayerNormalization (PyTorch before opset 17):
/// ```
/// %mu = ReduceMean (%x) {axes=[2], keepdims=1}
/// %d  = Sub (%x, %mu)
/// %sq = Pow (%d, @two)          // or Mul (%d, %d)
/// %v  = ReduceMean (%sq) {axes=[2], keepdims=1}
/// %ve = Add (%v, @eps)          // either operand order
/// %s  = Sqrt (%ve)
/// %n  = Div (%d, %s)            // or Mul (%d, Div (@one, %s)), either operand order
/// ```
/// Both means must reduce the same axes, which must be the input's last ones (LayerNormalization normalizes
/// from `axis` to the end), and keep their dimensions so the Sub and Div broadcast them back.
struct LayerNormDecomposition {
  /// The input being normalized.
  var x: ValueID
  /// The first normalized axis.
  var axis: Int
  var epsilon: Double
  /// Every node of the core, the one producing the normalized value included.
  var nodes: [NodeID]
  /// The centred value `x − mean(x)`, and how many reads of it the core makes (2, or 3 when squared as a
  /// product of itself).
  var centred: ValueID
  var centredReads: Int

  /// The core producing `normalized`, or nil when `normalized` is not computed that way.
  init?(normalizing normalized: ValueID, in view: GraphView) {
    guard let quotient = view.producer(of: normalized),
      let (centred, root, divisorNodes) = Self.quotient(quotient, in: view),
      let sqrt = view.producer(of: root), sqrt.op == .unary(.sqrt),
      let shifted = view.producer(of: sqrt.input(0)), case .binary(.add) = shifted.op,
      let (variance, epsilon) = Self.termAndScalar(shifted, in: view),
      let varianceMean = view.producer(of: variance), case .reduceMean(let axes, true) = varianceMean.op,
      let square = view.producer(of: varianceMean.input(0)),
      let squareReads = Self.squareReads(square, of: centred, in: view),
      let difference = view.producer(of: centred), case .binary(.sub) = difference.op,
      let x = difference.input(0), let mean = view.producer(of: difference.input(1)),
      case .reduceMean(let meanAxes, true) = mean.op, mean.input(0) == x, meanAxes?.sorted() == axes?.sorted(),
      let axis = Self.firstTrailingAxis(axes, rank: view.type(of: x).rank)
    else { return nil }
    self.x = x
    self.axis = axis
    self.epsilon = epsilon
    self.centred = centred
    centredReads = 1 + squareReads
    nodes = [mean.id, difference.id, square.id, varianceMean.id, shifted.id, sqrt.id] + divisorNodes + [quotient.id]
  }

  /// `d / s` or `d · (1 / s)` in either operand order: the centred value d, the root s, and the nodes between
  /// the quotient and s (the reciprocal's Div).
  private static func quotient(_ node: Node, in view: GraphView) -> (ValueID, ValueID, [NodeID])? {
    guard case .binary(let op) = node.op, let a = node.input(0), let b = node.input(1) else { return nil }
    switch op {
    case .div: return (a, b, [])
    case .mul:
      for (centred, other) in [(a, b), (b, a)] {
        guard let reciprocal = view.producer(of: other), case .binary(.div) = reciprocal.op,
          view.constant(reciprocal.input(0))?.scalar == 1, let root = reciprocal.input(1)
        else { continue }
        return (centred, root, [reciprocal.id])
      }
      return nil
    case .add, .sub, .pow, .mod, .equal, .compare, .prelu: return nil
    }
  }

  /// The non-constant operand of an Add and the one-element constant added to it.
  private static func termAndScalar(_ add: Node, in view: GraphView) -> (ValueID, Double)? {
    guard let a = add.input(0), let b = add.input(1) else { return nil }
    if let scalar = view.constant(b)?.scalar { return (a, scalar) }
    if let scalar = view.constant(a)?.scalar { return (b, scalar) }
    return nil
  }

  /// How many times `square` reads `centred` when it computes its square (`Pow(d, 2)` once, `Mul(d, d)`
  /// twice), or nil when it computes something else.
  private static func squareReads(_ square: Node, of centred: ValueID, in view: GraphView) -> Int? {
    guard case .binary(let op) = square.op, square.input(0) == centred else { return nil }
    switch op {
    case .pow: return view.constant(square.input(1))?.scalar == 2 ? 1 : nil
    case .mul: return square.input(1) == centred ? 2 : nil
    case .add, .sub, .div, .mod, .equal, .compare, .prelu: return nil
    }
  }

  /// The first axis when `axes` (nil: all) are exactly the last axes of a rank-`rank` tensor, else nil.
  private static func firstTrailingAxis(_ axes: [Int]?, rank: Int) -> Int? {
    guard let axes else { return rank > 0 ? 0 : nil }
    let sorted = axes.sorted()
    guard let first = sorted.first, sorted == Array(first..<rank) else { return nil }
    return first
  }

  /// Why the core's nodes cannot be replaced, or nil: each intermediate must be read only inside the core,
  /// and be no graph output. `normalizedIsInterior` says whether the normalized value itself disappears.
  func decline(in view: GraphView, normalizedIsInterior: Bool) -> String? {
    let xType = view.type(of: x)
    guard xType.dtype.isFloatingPoint else { return "the normalized input is \(xType.dtype.rawValue), not a float" }
    for id in nodes {
      guard let node = view.node(id) else { continue }
      let value = node.outputs[0]
      if value == view.node(nodes[nodes.count - 1])?.outputs[0], !normalizedIsInterior { continue }
      guard view.type(of: value).dtype == xType.dtype else {
        return "'\(view.graph[value].name)' is \(view.type(of: value).dtype.rawValue), not \(xType.dtype.rawValue)"
      }
      let reads = value == centred ? centredReads : 1
      if let reason = view.intermediateDecline(value, readers: reads) { return "the LayerNorm's intermediate \(reason)" }
    }
    return nil
  }
}
