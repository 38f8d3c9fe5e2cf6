import ResIR

/// Turns an inference BatchNormalization that no Conv/Gemm/MatMul absorbed — DenseNet's BN after Concat, a
/// pre-activation ResNet's BN after the residual Add, any BN whose producer's result has other readers — into
/// a `ScaleShift`: the normalization's affine map with its constants precomputed, and an epilogue that
/// `fuse-epilogue` can then give the following activation, so `BN → ReLU` becomes one step.
///
/// ## Before
/// ```
/// const @gamma: f32[3] = [1.5,-0.75,0.5]
/// const @beta: f32[3] = [0.25,-0.5,1.0]
/// const @mean: f32[3] = [0.1,-0.2,0.3]
/// const @var: f32[3] = [0.5,2.0,0.05]
/// %s = Add "add" (%c, %x) : f32[1,3,5,5]
/// %y = BatchNormalization "bn" (%s, @gamma, @beta, @mean, @var) {epsilon=1e-05} : f32[1,3,5,5]
/// ```
/// ## After
/// ```
/// const @bn.scale: f32[3] = [2.121299,-0.53032875,2.2358444]
/// const @bn.shift: f32[3] = [0.037870083,-0.60606575,0.32924667]
/// %s = Add "add" (%c, %x) : f32[1,3,5,5]
/// %y = ScaleShift "bn" (%s, @bn.scale, @bn.shift) {axis=1} : f32[1,3,5,5]
/// ```
/// `scale = γ/√(σ² + ε)` and `shift = β − μ·scale` per channel, ε read from the node, computed in Double
/// from parameters of any float type (given as initializers, `Constant` nodes or `Identity` of an
/// initializer: the view reads through all three) and rounded once into X's dtype, which ScaleShift's
/// operands must have. An f16 model whose scale or shift does not fit f16 keeps its BatchNormalization (the
/// decline names the channel) rather than computing with `inf`.
///
/// In the pipeline this runs after `batchnorm-folding`, so it sees only the BatchNormalizations that could not
/// be folded into their producer. When the producer's result has other readers (a pre-activation ResNet's
/// residual sum feeds this BN and the next block's skip), the normalization cannot enter the producer's
/// epilogue either: an epilogue ends with the activation and has no affine map after it, and the skip needs
/// the sum unnormalized. Such a BN stays a step of its own, ScaleShift with the ReLU fused: one pass over the
/// tensor where there were two. Run alone by name, the pattern converts every BatchNormalization it can.
///
/// Declined, each with its reason: a parameter that is not a constant or has the wrong length,
/// `σ² + ε ≤ 0` for some channel, a scale or shift that does not fit X's dtype.
public struct BatchNormToScaleShift: RewritePattern {
  public init() {}
  public let name = "batchnorm-to-scale-shift"

  public struct Match {
    let batchNorm: NodeID
    let scale: Constant
    let shift: Constant
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .batchNormalization(let epsilon) = node.op, let input = node.input(0) else { return .notApplicable }
    do throws(FoldDecline) {
      let dtype = view.type(of: input).dtype
      let statistics = try BatchNormStatistics(
        unfolded: node, input: view.type(of: input), epsilon: epsilon, in: view)
      let (scale, shift) = try statistics.affineMap()
      return .matched(
        Match(
          batchNorm: node.id,
          scale: try Self.vector(scale, dtype, role: "scale"),
          shift: try Self.vector(shift, dtype, role: "shift")))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    guard let node = graph.node(match.batchNorm) else { return }
    let scale = graph.addConstant(name: node.name + ".scale", match.scale)
    let shift = graph.addConstant(name: node.name + ".shift", match.shift)
    graph.updateNode(match.batchNorm) { batchNorm in
      batchNorm.op = .scaleShift(axis: 1, epilogue: .none)
      batchNorm.inputs = [batchNorm.inputs[0], scale, shift]
    }
  }

  /// `values` as a `[C]` constant of X's dtype; declines when a value does not fit it (f16 past 65504).
  private static func vector(_ values: [Double], _ dtype: DType, role: String) throws(FoldDecline) -> Constant {
    let constant = Constant(dtype: dtype, dims: [values.count], doubles: values)
    if let channel = constant.firstNonFiniteIndex {
      throw FoldDecline(
        "the \(role) of channel \(channel), \(values[channel]), does not fit X's dtype \(dtype.rawValue)")
    }
    return constant
  }
}
