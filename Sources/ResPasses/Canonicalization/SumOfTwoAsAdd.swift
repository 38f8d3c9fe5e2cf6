import ResIR

/// A Sum of exactly two operands becomes the Add it is, so every pattern written for Add sees it: Caffe2's
/// exports (the ONNX model zoo's `*-caffe2-*` ResNets) join each residual with `Sum`, and their residual adds
/// and the ReLUs after them fused into nothing (two elementwise steps per block instead of an epilogue).
///
/// ## Before
/// ```
/// %s = Sum "res" (%x, %h) : f32[1,64,56,56]
/// ```
/// ## After
/// ```
/// %s = Add "res" (%x, %h) : f32[1,64,56,56]
/// ```
/// Exact: ONNX's Sum of two tensors is their elementwise sum under the same multidirectional broadcasting as
/// Add (from opset 8; before it, Sum required equal shapes, one case of it), one rounding either way. The node
/// keeps its name, so dumps and `--explain` still point at the model's Sum.
///
/// Not rewritten: a Sum of one operand or of three and more, which no single Add computes.
public struct SumOfTwoAsAdd: RewritePattern {
  public init() {}
  public let name = "sum-of-two-as-add"

  public func match(_ node: Node, in view: GraphView) -> MatchResult<NodeID> {
    guard node.op == .variadic(.sum), node.inputs.count == 2, node.inputs.allSatisfy({ $0 != nil }) else {
      return .notApplicable
    }
    return .matched(node.id)
  }

  public func rewrite(_ match: NodeID, in graph: inout Graph) {
    _ = graph.updateNode(match) { node in node.op = .binary(.add) }
  }
}
