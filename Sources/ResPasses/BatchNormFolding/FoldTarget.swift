import ResIR

/// An op a BatchNormalization can fold into: one whose output is a constant weight (operand slot 1) applied
/// linearly to its input, plus a bias (slot 2) added per output channel. BatchNormalization normalizes axis 1
/// of its input; the target says which axis of its weight that is, and reads its bias per channel.
enum FoldTarget {
  case conv
  case gemm(GemmAttributes)
  case matMul

  /// The target for `op`, or nil when the op cannot absorb a per-channel affine map into its weights.
  init?(_ op: Op) {
    switch op {
    case .conv: self = .conv
    case .gemm(let attributes): self = .gemm(attributes)
    case .matMul: self = .matMul
    case .batchNormalization, .layerNormalization, .scaleShift, .lrn, .unary, .clip, .binary, .variadic, .where,
      .gatedSkip, .cast, .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten,
      .reshape, .transpose, .concat, .split, .slice, .squeeze, .unsqueeze, .gather, .shape, .expand, .constantOfShape,
      .pad, .range, .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK, .identity, .dropout,
      .lstm, .gru, .rnn:
      return nil
    }
  }

  /// The ONNX op type, for reasons.
  var opName: String {
    switch self {
    case .conv: "Conv"
    case .gemm: "Gemm"
    case .matMul: "MatMul"
    }
  }

  /// The name of the bias operand, for reasons: Gemm calls it C.
  private var biasRole: String {
    switch self {
    case .conv, .matMul: "bias"
    case .gemm: "C"
    }
  }

  /// The axis of the op's output that holds its output channels (one per weight channel): axis 1 of a
  /// Conv's `[N, M, ...]` and of a Gemm's `[M, N]`, and the last of a MatMul's, the weight's columns.
  func outputChannelAxis(rank: Int) -> Int {
    switch self {
    case .conv, .gemm: 1
    case .matMul: rank - 1
    }
  }

  /// The axis of `weight` that indexes the op's output channels, which BatchNormalization normalizes: axis 1
  /// of `output` when it reads the output directly, or whichever output channels `ChannelPath` mapped
  /// (`mapped`) when movement ops stand between them.
  ///
  /// A Conv weight is `[M, C/group, k...]` whatever the group: the output channels are axis 0. A Gemm weight
  /// is `[K, N]`, or `[N, K]` with transB. A MatMul weight `[K, N]` gives the last axis of the output, which
  /// a BatchNormalization reading the output directly normalizes only when the output is a matrix; through a
  /// Reshape (LeViT's BatchNorm1d over `[tokens, C]`, flattened from the MatMul's `[1, tokens, C]`) any rank.
  func channelAxis(of weight: Constant, output: TensorType, mapped: Bool = false) throws(FoldDecline) -> Int {
    switch self {
    case .conv:
      guard weight.dims.count >= 3 else {
        throw FoldDecline("the Conv's weight has rank \(weight.dims.count), not M, C/group, kernel...")
      }
      return 0
    case .gemm(let attributes):
      guard weight.dims.count == 2 else {
        throw FoldDecline("the Gemm's weight has rank \(weight.dims.count), not 2")
      }
      return attributes.transB ? 0 : 1
    case .matMul:
      guard weight.dims.count == 2 else {
        throw FoldDecline("the MatMul's weight has rank \(weight.dims.count), not 2")
      }
      guard output.rank == 2 || mapped else {
        throw FoldDecline(
          "the MatMul's output has rank \(output.rank): BatchNormalization normalizes its axis 1, "
            + "not the weight's columns")
      }
      return 1
    }
  }

  /// The bias `producer` adds to each of its `channels` output channels: zero when absent, Gemm's C already
  /// multiplied by beta. A bias that varies along another axis (a Gemm C of `[M, 1]`) has no per-channel form.
  func biasPerChannel(of producer: Node, channels: Int, in view: GraphView) throws(FoldDecline) -> [Double] {
    guard let operand = producer.input(2) else { return [Double](repeating: 0, count: channels) }
    guard let bias = view.constant(operand) else { throw FoldDecline("the \(opName)'s \(biasRole) is not a constant") }
    guard let values = Self.perChannel(bias, channels: channels) else {
      throw FoldDecline(
        "the \(opName)'s \(biasRole) is \(bias.type), not one value per output channel")
    }
    switch self {
    case .conv, .matMul: return values
    case .gemm(let attributes): return values.map { $0 * Double(attributes.beta) }
    }
  }

  /// The op after the fold has put the whole bias into slot 2: Gemm's beta is then 1.
  func foldedOp(_ op: Op) -> Op {
    guard case .gemm(var attributes) = op else { return op }
    attributes.beta = 1
    return .gemm(attributes)
  }

  /// The values of a bias that broadcasts along the last axis only (`[]`, `[1]`, `[N]`, `[1, N]`...), one per
  /// channel; nil when it varies along another axis or has neither 1 nor `channels` elements on the last.
  private static func perChannel(_ bias: Constant, channels: Int) -> [Double]? {
    guard bias.dims.dropLast().allSatisfy({ $0 == 1 }) else { return nil }
    let values = bias.doubles()
    switch bias.dims.last ?? 1 {
    case channels: return values
    case 1: return [Double](repeating: values.first ?? 0, count: channels)
    default: return nil
    }
  }
}
