import ResIR

/// What the Erf and Tanh forms of GELU share: the outermost product `0.5 · x · (1 + F(…))`, with F the Erf or
/// the Tanh, found at its root Mul in any grouping and operand order (`(x · (1 + F)) · 0.5` as PyTorch
/// exports it, `(0.5 · x) · (1 + F)`, …), and the check that the nodes it replaces are read by nothing else.
public struct GeluDecomposition {
  /// The root Mul: its result becomes the Gelu node's.
  var root: Node
  /// GELU's input.
  var x: ValueID
  /// Every node the Gelu node replaces, the root excluded.
  var interior: [NodeID]

  /// The candidate `1 + F(argument)` factors of `root`'s product, F being `function`: the F node and the Add.
  static func onePlusFactors(_ function: UnaryOp, of root: Node, in view: GraphView) -> [(add: Node, function: Node)] {
    guard let product = ProductTerms(of: root.outputs[0], in: view) else { return [] }
    return product.factors.compactMap { factor in
      guard let add = view.producer(of: factor), case .binary(.add) = add.op else { return nil }
      for (functionSlot, oneSlot) in [(0, 1), (1, 0)] {
        guard let one = view.constant(add.input(oneSlot))?.scalar, one == 1,
          let node = view.producer(of: add.input(functionSlot)), node.op == .unary(function)
        else { continue }
        return (add, node)
      }
      return nil
    }
  }

  /// The decomposition rooted at `root` once `x` is known, if `root` computes `0.5 · x · onePlus`.
  /// `inner` lists the nodes below the `1 + F(…)` Add that the form-specific match read.
  init?(root: Node, x: ValueID, onePlus: (add: Node, function: Node), inner: [NodeID], in view: GraphView) {
    let dtype = view.type(of: x).dtype
    guard let product = ProductTerms(of: root.outputs[0], stoppingAt: [x, onePlus.add.outputs[0]], in: view),
      product.hasFactors([x, onePlus.add.outputs[0]]),
      ConstantTolerance.matches(product.coefficient, 0.5, dtype: dtype)
    else { return nil }
    self.root = root
    self.x = x
    interior = product.nodes.filter { $0 != root.id } + [onePlus.add.id, onePlus.function.id] + inner
  }

  /// Why the nodes cannot be replaced by one Gelu, or nil: every interior result must be read only inside the
  /// decomposition and not be a graph output, and the result must have x's type (constants that broadcast x
  /// to a larger shape are not GELU).
  func decline(in view: GraphView) -> String? {
    let xType = view.type(of: x)
    guard xType.dtype.isFloatingPoint else { return "GELU's input is \(xType.dtype.rawValue), not a float" }
    guard view.type(of: root.outputs[0]).provablyEquals(xType) else {
      return "the decomposition's result \(view.type(of: root.outputs[0])) is not GELU's input type \(xType)"
    }
    for id in interior {
      guard let node = view.node(id) else { continue }
      if let reason = view.intermediateDecline(node.outputs[0]) { return "the GELU's intermediate \(reason)" }
    }
    return nil
  }

  /// Replaces the root by `Gelu(x)` and removes the interior nodes.
  func rewrite(_ approximation: GeluApproximation, in graph: inout Graph) {
    graph.updateNode(root.id) { node in
      node.op = .unary(.gelu(approximation))
      node.inputs = [x]
    }
    graph.removeNodes(Set(interior))
  }
}
