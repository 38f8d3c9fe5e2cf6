import ResIR

/// Replaces every node whose results can be known before run time by constants (`ConstantFolding`, shared
/// with the code generator): nodes of constants, and the shape arithmetic PyTorch exports around `Shape`.
///
/// ## Before
/// ```
/// input %x: f32[1,8,4]
/// const @zero: i64[] = [0]
/// const @rest: i64[1] = [-1]
/// %s = Shape "shape" (%x) {start=0} : i64[3]
/// %b = Gather "gather" (%s, @zero) {axis=0} : i64[]
/// %u = Unsqueeze "unsqueeze" (%b) {axes=[0]} : i64[1]
/// %t = Concat "concat" (%u, @rest) {axis=0} : i64[2]
/// %y = Reshape "reshape" (%x, %t) {allowzero=0} : f32[1,32]
/// ```
/// ## After
/// ```
/// const @t.1: i64[2] = [1,-1]
/// %y = Reshape "reshape" (%x, @t.1) {allowzero=0} : f32[1,32]
/// ```
/// A folded result is a new constant named after the result it replaces (the value table keeps the old name,
/// so the constant's is that name made unique: `t.1`).
///
/// Declines, each with its reason in `--explain`:
/// - a value that depends on a symbolic dimension (`Shape` of `f32[N,8,4]`, or the batch `N` gathered from
///   it) or that is only partly known (`Concat` of the batch and `-1`): it is only known at run time, and a
///   dynamic model must stay dynamic. Pieces that are known (`Gather` of the static axes of that `Shape`) are
///   folded;
/// - a result larger than its largest operand and than the folding limit (2^20 elements): the plan would store
///   a large constant that one step computes from a small one;
/// - a node whose result is a graph output: the output's name is the plan's API, and a folded constant is a
///   new value (the code generator folds it anyway, keeping the name beside the plan).
/// A node with an operand that is neither a constant nor known is not a candidate and is not listed.
public struct FoldConstants: GraphPass {
  public let name = "fold-constants"
  public let elementLimit: Int

  /// Results up to this many elements are folded; a result no larger than its largest operand always is.
  public static let defaultElementLimit = ConstantFolding.defaultElementLimit

  public init(elementLimit: Int = FoldConstants.defaultElementLimit) {
    self.elementLimit = elementLimit
  }

  public func run(on graph: inout Graph, context: inout PassContext) throws(ModelError) {
    let folding = ConstantFolding(purpose: .optimization, elementLimit: elementLimit)
    for outcome in try folding.run(&graph) {
      switch outcome {
      case .folded(let node):
        context.recordApplied(name, node: node, "its results are constants now")
      case .declined(let node, let reason):
        context.recordDeclined(name, node: node, reason: reason)
      }
    }
  }
}
