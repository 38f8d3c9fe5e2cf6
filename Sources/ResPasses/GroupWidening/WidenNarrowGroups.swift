import ResIR

/// Merges the groups of a grouped convolution whose groups are narrower than a vector, so that each merged
/// group has 16 output channels: its weight becomes block-diagonal, zero between the original groups.
///
/// ## Before
/// ```
/// %y = Conv "conv2" (%x, @w) {group=32, kernel_shape=[3,3], ...} : f32[1,128,24,24]   // @w: f32[128,4,3,3]
/// ```
/// ## After
/// ```
/// %y = Conv "conv2" (%x, @w.widened) {group=8, kernel_shape=[3,3], ...} : f32[1,128,24,24]   // f32[128,16,3,3]
/// ```
/// ResNeXt's 32 groups of 4 channels and RegNet's groups of 8 leave a 16-lane vector of output channels mostly
/// empty in every convolution kernel: ResNeXt-50's layer-1 3x3 ran at 7 GFLOP/s channels-last and 32
/// row-major. Four groups of 4 merged into one of 16 do four times the multiply-adds (the zeros) but run as
/// an ordinary 16-channel convolution, Winograd included: ResNeXt-50 at 96x96 12.8 → 10.5 ms, RegNetY-400MF
/// 2.4 → 2.1 ms (one thread).
///
/// -O2 only: the sums are the same numbers (each added zero product is exact), but a non-finite input value
/// now meets zero weights of the neighbouring groups, and `0 · ∞` is NaN where the grouped convolution gave
/// a finite value.
///
/// Declined, each with its reason: one input channel per group (depthwise and channel-multiplier layers have
/// kernels of their own); 16 or more output channels per group; a group width that does not divide 16, or a
/// group count that the merge factor does not divide; a computed or non-float weight; an input prologue.
public struct WidenNarrowGroups: RewritePattern {
  public init() {}
  public let name = "widen-narrow-groups"

  /// Output channels per merged group: one vector of the convolution kernels.
  static let lanes = 16

  public struct Match {
    var conv: NodeID
    var attributes: ConvAttributes
    var weightName: String
    var weight: Constant
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .conv(var attributes) = node.op, attributes.group > 1, let operand = node.input(1) else {
      return .notApplicable
    }
    guard attributes.prologue == nil else { return .declined("the Conv scales its input by a prologue") }
    guard let weight = view.constant(operand) else { return .declined("the weight is computed at run time") }
    guard weight.dtype.isFloatingPoint, weight.dims.count >= 3 else {
      return .declined("the weight is \(weight.type), not a float convolution weight")
    }
    let groups = attributes.group
    let (outputs, perGroupIn) = (weight.dims[0], weight.dims[1])
    guard outputs % groups == 0 else { return .notApplicable }
    let perGroupOut = outputs / groups
    guard perGroupIn > 1 else {
      return .declined("one input channel per group: the depthwise kernels take such a convolution")
    }
    guard perGroupOut < Self.lanes else {
      return .declined("\(perGroupOut) output channels per group already fill a vector")
    }
    guard Self.lanes % perGroupOut == 0 else {
      return .declined("\(perGroupOut) output channels per group do not divide \(Self.lanes)")
    }
    let factor = Self.lanes / perGroupOut
    guard groups % factor == 0 else {
      return .declined("\(groups) groups are not a multiple of the \(factor) merged into one")
    }
    attributes.group = groups / factor
    return .matched(
      Match(
        conv: node.id, attributes: attributes, weightName: view.graph[operand].name + ".widened",
        weight: Self.blockDiagonal(weight, perGroupOut: perGroupOut, factor: factor)))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    let weight = graph.addConstant(name: match.weightName, match.weight)
    _ = graph.updateNode(match.conv) { conv in
      conv.op = .conv(match.attributes)
      conv.inputs[1] = weight
    }
  }

  /// `[M, C/g, k...]` as `[M, factor·C/g, k...]`: output channel `o` of original group `q` keeps its filters
  /// at input slot `q mod factor` of its merged group, zeros elsewhere.
  static func blockDiagonal(_ weight: Constant, perGroupOut: Int, factor: Int) -> Constant {
    let dims = weight.dims
    let (outputs, perGroupIn) = (dims[0], dims[1])
    let window = dims.dropFirst(2).reduce(1, *)
    let filter = perGroupIn * window
    let values = weight.doubles()
    var widened = [Double](repeating: 0, count: outputs * factor * filter)
    for output in 0..<outputs {
      let slot = output / perGroupOut % factor
      let target = output * factor * filter + slot * filter
      for index in 0..<filter { widened[target + index] = values[output * filter + index] }
    }
    return Constant(dtype: weight.dtype, dims: [outputs, perGroupIn * factor] + dims.dropFirst(2), doubles: widened)
  }
}
