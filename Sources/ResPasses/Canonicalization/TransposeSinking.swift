import ResIR

/// How a node that reads transposed tensors computes on the tensors before their Transpose, for
/// `SinkTranspose`: `op(Transpose(x, perm), …) = Transpose(op′(x, …), perm)` when `op` does not care where
/// its axes are (elementwise ops, with constant operands permuted to match) or names them (Pad's pads, a
/// reduction's axes with `keepdims`, Concat's axis), which are renumbered.
///
/// `perm` is a Transpose's: result axis `i` is input axis `perm[i]`.
struct TransposeSinking {
  /// The perm every transposed operand was transposed by; the node's new result is transposed by it.
  let perm: [Int]
  /// The node's op on the untransposed operands.
  let op: Op
  let operands: [Operand]
  /// The node's result type before the Transpose that will follow it.
  let innerType: TensorType

  enum Operand {
    case value(ValueID?)
    /// A constant operand permuted into the untransposed axis order.
    case constant(name: String, Constant)
  }

  /// Nil when `node` cannot compute on untransposed operands: an op that is not listed, a transposed
  /// operand whose perm differs from the first one's, an operand that is neither transposed, one element,
  /// nor a constant, or a constant that cannot be permuted exactly.
  init?(_ node: Node, in view: GraphView) {
    guard node.outputs.count == 1, let perm = Self.firstPerm(of: node, in: view) else { return nil }
    let rank = perm.count
    let resultType = view.type(of: node.outputs[0])
    guard resultType.rank == rank else { return nil }
    let inverse = Self.inverse(perm)
    guard let (op, operands) = Self.rewritten(node, perm: perm, inverse: inverse, in: view) else { return nil }
    self.perm = perm
    self.op = op
    self.operands = operands
    innerType = TensorType(resultType.dtype, inverse.map { resultType.shape[$0] })
  }

  /// The op kinds `init` can rewrite (whether it does depends on the operands).
  static func passes(_ op: Op) -> Bool {
    switch op {
    case .unary, .cast, .clip, .binary, .pad, .concat, .reduceMean(_, keepDims: true), .reduce(_, _, keepDims: true):
      true
    default: false
    }
  }

  /// `perm`'s inverse: `inverse[perm[i]] = i`.
  static func inverse(_ perm: [Int]) -> [Int] {
    var inverse = [Int](repeating: 0, count: perm.count)
    for (i, axis) in perm.enumerated() { inverse[axis] = i }
    return inverse
  }

  /// The perm of the Transpose that computes `value`, if one does.
  static func perm(of value: ValueID?, in view: GraphView) -> [Int]? {
    guard let producer = view.producer(of: value), case .transpose(let perm) = producer.op else { return nil }
    return perm
  }

  private static func firstPerm(of node: Node, in view: GraphView) -> [Int]? {
    node.inputs.lazy.compactMap { perm(of: $0, in: view) }.first
  }

  /// The op and operands on untransposed tensors, op by op.
  private static func rewritten(_ node: Node, perm: [Int], inverse: [Int], in view: GraphView) -> (Op, [Operand])? {
    let untransposed = { (slot: Int) -> ValueID? in
      guard Self.perm(of: node.input(slot), in: view) == perm else { return nil }
      return view.producer(of: node.input(slot))?.input(0)
    }
    switch node.op {
    case .unary, .cast:
      guard let x = untransposed(0), node.inputs.count == 1 else { return nil }
      return (node.op, [.value(x)])
    case .clip:
      guard let x = untransposed(0) else { return nil }
      let bounds = node.inputs.dropFirst()
      guard bounds.allSatisfy({ $0.map { isOneElement($0, rank: perm.count, in: view) } ?? true }) else { return nil }
      return (node.op, [.value(x)] + bounds.map { .value($0) })
    case .binary:
      var operands: [Operand] = []
      for slot in node.inputs.indices {
        guard let operand = elementwiseOperand(node, slot: slot, untransposed: untransposed(slot), inverse: inverse, in: view)
        else { return nil }
        operands.append(operand)
      }
      return (node.op, operands)
    case .pad(let mode, let pads) where pads.count == 2 * perm.count:
      guard let x = untransposed(0) else { return nil }
      let rank = perm.count
      let permuted = inverse.map { pads[$0] } + inverse.map { pads[rank + $0] }
      return (.pad(mode: mode, pads: permuted), [.value(x)] + node.inputs.dropFirst().map { .value($0) })
    case .reduceMean(let axes, keepDims: true):
      guard let x = untransposed(0), node.inputs.count == 1 else { return nil }
      return (.reduceMean(axes: axes.map { renumbered($0, perm) }, keepDims: true), [.value(x)])
    case .reduce(let kind, let axes, keepDims: true):
      guard let x = untransposed(0), node.inputs.count == 1 else { return nil }
      return (.reduce(kind, axes: axes.map { renumbered($0, perm) }, keepDims: true), [.value(x)])
    case .concat(let axis):
      let inputs = node.inputs.indices.map { untransposed($0) }
      guard !inputs.isEmpty, inputs.allSatisfy({ $0 != nil }), (0..<perm.count).contains(axis) else { return nil }
      return (.concat(axis: perm[axis]), inputs.map { .value($0) })
    default:
      return nil
    }
  }

  /// Reduction axes of the transposed tensor as axes of the untransposed one, in order.
  private static func renumbered(_ axes: [Int], _ perm: [Int]) -> [Int] {
    axes.map { perm[$0 < 0 ? $0 + perm.count : $0] }.sorted()
  }

  /// An operand of an elementwise op: transposed (read before its Transpose), one element (the same in any
  /// axis order), a tensor the graph already transposes the other way (a tf2onnx model's NHWC input, which
  /// its first Conv reads through a Transpose and the residual Add at the end reads as it is), or a constant
  /// permuted into the untransposed order.
  private static func elementwiseOperand(
    _ node: Node, slot: Int, untransposed: ValueID?, inverse: [Int], in view: GraphView
  ) -> Operand? {
    if let untransposed { return .value(untransposed) }
    guard let value = node.input(slot) else { return nil }
    if isOneElement(value, rank: inverse.count, in: view) { return .value(value) }
    if let transposedBack = transposed(value, by: inverse, before: node, in: view) { return .value(transposedBack) }
    guard let constant = view.constant(value), let permuted = permuted(constant, inverse: inverse) else { return nil }
    return .constant(name: view.graph[value].name + ".untransposed", permuted)
  }

  /// The result of a Transpose of `value` by `perm` that the graph already computes before `node`, if any.
  private static func transposed(_ value: ValueID, by perm: [Int], before node: Node, in view: GraphView) -> ValueID? {
    guard let position = view.position(of: node.id) else { return nil }
    for use in view.uses(of: value) {
      guard case .operand(let id, 0) = use, let reader = view.node(id), reader.op == .transpose(perm: perm),
        let readerPosition = view.position(of: id), readerPosition < position
      else { continue }
      return reader.outputs[0]
    }
    return nil
  }

  /// Whether `value` has one element and at most `rank` axes: it broadcasts the same in any axis order.
  private static func isOneElement(_ value: ValueID, rank: Int, in view: GraphView) -> Bool {
    let type = view.type(of: value)
    return type.rank <= rank && type.knownDims?.allSatisfy({ $0 == 1 }) == true
  }

  /// `constant`, aligned to `inverse.count` axes as broadcasting aligns it (from the right), in the axis order
  /// `inverse` gives. Where at most one axis is longer than 1 the bytes stay as they are; otherwise the
  /// elements are moved, for float types only (their values pass through `Double` exactly).
  static func permuted(_ constant: Constant, inverse: [Int]) -> Constant? {
    let rank = inverse.count
    guard constant.dims.count <= rank else { return nil }
    let aligned = [Int](repeating: 1, count: rank - constant.dims.count) + constant.dims
    let dims = inverse.map { aligned[$0] }
    if aligned.filter({ $0 != 1 }).count <= 1 {
      return Constant(dtype: constant.dtype, dims: dims, bytes: constant.bytes)
    }
    guard constant.dtype.isFloatingPoint else { return nil }
    let values = constant.doubles()
    let sourceStrides = strides(aligned)
    let targetStrides = strides(dims)
    var moved = [Double](repeating: 0, count: values.count)
    for target in moved.indices {
      var source = 0
      for axis in 0..<rank {
        let index = (target / targetStrides[axis]) % dims[axis]
        source += index * sourceStrides[inverse[axis]]
      }
      moved[target] = values[source]
    }
    return Constant(dtype: constant.dtype, dims: dims, doubles: moved)
  }

  private static func strides(_ dims: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: dims.count)
    for axis in dims.indices.dropLast().reversed() { strides[axis] = strides[axis + 1] * dims[axis + 1] }
    return strides
  }
}

extension Op {
  /// Whether a Transpose can move below this op (`TransposeSinking.passes`).
  var passesTransposes: Bool { TransposeSinking.passes(self) }
}
