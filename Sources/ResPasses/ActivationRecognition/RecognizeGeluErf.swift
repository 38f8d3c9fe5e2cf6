import ResIR

/// Replaces GELU's exact form, `x · 0.5 · (1 + erf(x / √2))`, by one `Gelu` node (which the activation fusion
/// can then move into the producing MatMul's epilogue).
///
/// ## Before (as PyTorch exports `nn.GELU()`)
/// ```
/// %d = Div "div" (%x, @sqrt2) : f32[1,16,64]
/// %e = Erf "erf" (%d) : f32[1,16,64]
/// %a = Add "add" (%e, @one) : f32[1,16,64]
/// %m = Mul "mul" (%x, %a) : f32[1,16,64]
/// %y = Mul "mul_1" (%m, @half) : f32[1,16,64]
/// ```
/// ## After
/// ```
/// %y = Gelu "mul_1" (%x) {approximate=none} : f32[1,16,64]
/// ```
/// The argument may also be written `x · (1/√2)`; the products `0.5 · x · (1 + erf)` in any grouping and
/// operand order (ConstantTolerance says how close the constants must be). Declines when an intermediate
/// value is read outside the decomposition or is a graph output.
public struct RecognizeGeluErf: RewritePattern {
  public init() {}
  public let name = "recognize-gelu-erf"

  public func match(_ node: Node, in view: GraphView) -> MatchResult<GeluDecomposition> {
    guard case .binary(.mul) = node.op else { return .notApplicable }
    for onePlus in GeluDecomposition.onePlusFactors(.erf, of: node, in: view) {
      guard let (x, argument) = erfArgument(onePlus.function.input(0), in: view),
        let decomposition = GeluDecomposition(root: node, x: x, onePlus: onePlus, inner: [argument], in: view)
      else { continue }
      if let reason = decomposition.decline(in: view) { return .declined(reason) }
      return .matched(decomposition)
    }
    return .notApplicable
  }

  public func rewrite(_ match: GeluDecomposition, in graph: inout Graph) {
    match.rewrite(.none, in: &graph)
  }

  /// `x / √2`, `x · (1/√2)` or `(1/√2) · x`: GELU's input and the node computing the argument.
  private func erfArgument(_ argument: ValueID?, in view: GraphView) -> (ValueID, NodeID)? {
    guard let node = view.producer(of: argument), case .binary(let op) = node.op,
      let a = node.input(0), let b = node.input(1)
    else { return nil }
    let dtype = view.type(of: a).dtype
    func near(_ value: ValueID, _ expected: Double) -> Bool {
      view.constant(value)?.scalar.map { ConstantTolerance.matches($0, expected, dtype: dtype) } ?? false
    }
    switch op {
    case .div where near(b, 2.0.squareRoot()): return (a, node.id)
    case .mul where near(b, 0.5.squareRoot()): return (a, node.id)
    case .mul where near(a, 0.5.squareRoot()): return (b, node.id)
    case .add, .sub, .mul, .div, .pow, .mod, .equal, .compare, .prelu: return nil
    }
  }
}
