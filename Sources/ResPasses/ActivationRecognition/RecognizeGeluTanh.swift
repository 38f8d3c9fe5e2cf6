import ResIR

/// Replaces GELU's tanh approximation, `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`, by one
/// `Gelu(approximate=tanh)` node (which the activation fusion can then move into the producing op's epilogue).
///
/// ## Before (as `0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))`
/// exports)
/// ```
/// %p = Pow "pow" (%x, @three) : f32[1,16,64]
/// %c = Mul "cube" (%p, @k) : f32[1,16,64]
/// %s = Add "inner" (%x, %c) : f32[1,16,64]
/// %u = Mul "scale" (%s, @sqrt2pi) : f32[1,16,64]
/// %t = Tanh "tanh" (%u) : f32[1,16,64]
/// %a = Add "one" (%t, @one) : f32[1,16,64]
/// %h = Mul "half" (%x, @half) : f32[1,16,64]
/// %y = Mul "gelu" (%h, %a) : f32[1,16,64]
/// ```
/// ## After
/// ```
/// %y = Gelu "gelu" (%x) {approximate=tanh} : f32[1,16,64]
/// ```
/// `x³` may be `Pow(x, 3)` or a product of three `x`; every product in any grouping and operand order
/// (ConstantTolerance says how close the constants must be). Declines when an intermediate value is read
/// outside the decomposition or is a graph output.
public struct RecognizeGeluTanh: RewritePattern {
  public init() {}
  public let name = "recognize-gelu-tanh"

  static let sqrtTwoOverPi = (2 / Double.pi).squareRoot()
  static let cubicCoefficient = 0.044715

  public func match(_ node: Node, in view: GraphView) -> MatchResult<GeluDecomposition> {
    guard case .binary(.mul) = node.op else { return .notApplicable }
    for onePlus in GeluDecomposition.onePlusFactors(.tanh, of: node, in: view) {
      guard let (x, inner) = tanhArgument(onePlus.function.input(0), in: view),
        let decomposition = GeluDecomposition(root: node, x: x, onePlus: onePlus, inner: inner, in: view)
      else { continue }
      if let reason = decomposition.decline(in: view) { return .declined(reason) }
      return .matched(decomposition)
    }
    return .notApplicable
  }

  public func rewrite(_ match: GeluDecomposition, in graph: inout Graph) {
    match.rewrite(.tanh, in: &graph)
  }

  /// `√(2/π) · (x + 0.044715 · x³)`: GELU's input and the nodes computing the argument.
  private func tanhArgument(_ argument: ValueID?, in view: GraphView) -> (ValueID, [NodeID])? {
    guard let argument, let scaled = ProductTerms(of: argument, in: view), scaled.factors.count == 1,
      let sum = view.producer(of: scaled.factors[0]), case .binary(.add) = sum.op,
      let a = sum.input(0), let b = sum.input(1)
    else { return nil }
    let dtype = view.type(of: argument).dtype
    guard ConstantTolerance.matches(scaled.coefficient, Self.sqrtTwoOverPi, dtype: dtype) else { return nil }
    for (x, cubic) in [(a, b), (b, a)] {
      guard let cube = ProductTerms(of: cubic, stoppingAt: [x], in: view), cube.hasFactors([x, x, x]),
        ConstantTolerance.matches(cube.coefficient, Self.cubicCoefficient, dtype: dtype)
      else { continue }
      return (x, scaled.nodes + [sum.id] + cube.nodes)
    }
    return nil
  }
}
