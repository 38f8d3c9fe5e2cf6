/// The short spelling of one node in `--dump blocks`: `conv3x3/2`, `dwconv3x3`, `bn`, `relu6`, `matmul`, and
/// `[scaleshift+relu]conv1x1` for a convolution whose input prologue applies a pre-activation BN and ReLU.
///
/// Short because a block reads as a chain (`conv1x1+relu → conv3x3+relu → conv1x1 ⊕ identity → relu`); the
/// kernel size and stride stay because they are what tells a bottleneck's layers apart.
enum BlockGlyph {
  /// The op without its epilogue, and the epilogue's activation if it has one.
  static func spell(_ node: Node, in graph: Graph) -> (op: String, activation: String?) {
    (base(node, graph), node.op.epilogue?.activation.map(spell))
  }

  /// `conv3x3+relu`: the op with its fused activation, for nodes that do not close a block.
  static func spellWithActivation(_ node: Node, in graph: Graph) -> String {
    let (op, activation) = spell(node, in: graph)
    return activation.map { "\(op)+\($0)" } ?? op
  }

  private static func base(_ node: Node, _ graph: Graph) -> String {
    switch node.op {
    case .conv(let attributes): convolution(attributes, node, graph)
    case .gemm: "gemm"
    case .matMul: "matmul"
    case .batchNormalization: "bn"
    case .layerNormalization: "layernorm"
    case .scaleShift: "scaleshift"
    case .gatedSkip: "gatedskip"
    case .lrn: "lrn"
    case .unary(let unary): spell(unary)
    case .clip: clip(node, graph)
    case .binary(let binary): binary.onnxName.lowercased()
    case .variadic(let variadic): variadic.onnxName.lowercased()
    case .where: "where"
    case .cast: "cast"
    case .maxPool(let attributes): "maxpool" + window(attributes.kernelShape, attributes.strides)
    case .averagePool(let attributes): "avgpool" + window(attributes.kernelShape, attributes.strides)
    case .globalAveragePool: "globalavgpool"
    case .reduceMean: "reducemean"
    case .reduce(let kind, _, _): kind.onnxName.lowercased()
    case .softmax: "softmax"
    case .flatten: "flatten"
    case .reshape: "reshape"
    case .transpose: "transpose"
    case .concat: "concat"
    case .split: "split"
    case .slice: "slice"
    case .squeeze: "squeeze"
    case .unsqueeze: "unsqueeze"
    case .gather: "gather"
    case .shape: "shape"
    case .expand: "expand"
    case .constantOfShape: "constantofshape"
    case .pad: "pad"
    case .range: "range"
    case .scatterND: "scatternd"
    case .gatherElements: "gatherelements"
    case .cumSum: "cumsum"
    case .trilu: "trilu"
    case .resize: "resize"
    case .argReduce(let a): a.onnxName.lowercased()
    case .topK: "topk"
    case .identity: "identity"
    case .dropout: "dropout"
    case .lstm: "lstm"
    case .gru: "gru"
    case .rnn: "rnn"
    }
  }

  /// `conv3x3`, `conv1x1/2` (stride 2), `dwconv3x3` (one input channel per group), `gconv3x3` (grouped);
  /// a prologue in brackets before it (`[scaleshift+relu]conv1x1`), since it is applied first.
  private static func convolution(_ attributes: ConvAttributes, _ node: Node, _ graph: Graph) -> String {
    var kind = "conv"
    if attributes.group > 1 {
      let perGroup = node.input(1).flatMap { graph.type(of: $0).shape.dropFirst().first?.value }
      kind = perGroup == 1 ? "dwconv" : "gconv"
    }
    let prologue = attributes.prologue.map { "[scaleshift" + ($0.activation.map { "+" + spell($0) } ?? "") + "]" }
    return (prologue ?? "") + kind + window(attributes.kernelShape, attributes.strides)
  }

  /// `3x3`, with `/2` for a stride of 2 (`/2x1` when the strides differ).
  private static func window(_ kernel: [Int], _ strides: [Int]) -> String {
    let size = kernel.map(String.init).joined(separator: "x")
    guard strides.contains(where: { $0 != 1 }) else { return size }
    let stride = Set(strides).count == 1 ? String(strides[0]) : strides.map(String.init).joined(separator: "x")
    return "\(size)/\(stride)"
  }

  private static func spell(_ unary: UnaryOp) -> String {
    switch unary {
    case .relu: "relu"
    case .sigmoid: "sigmoid"
    case .tanh: "tanh"
    case .erf: "erf"
    case .sqrt: "sqrt"
    case .hardSwish: "hardswish"
    case .leakyRelu: "leakyrelu"
    case .hardSigmoid: "hardsigmoid"
    case .gelu: "gelu"
    case .abs: "abs"
    case .neg: "neg"
    case .exp: "exp"
    case .log: "log"
    case .ceil: "ceil"
    case .floor: "floor"
    case .round: "round"
    case .reciprocal: "reciprocal"
    case .sin: "sin"
    case .cos: "cos"
    case .softplus: "softplus"
    case .mish: "mish"
    case .elu: "elu"
    }
  }

  static func spell(_ activation: Activation) -> String {
    switch activation {
    case .relu: "relu"
    case .clip(let min, let max): min == 0 && max == 6 ? "relu6" : "clip"
    case .leakyRelu: "leakyrelu"
    case .sigmoid: "sigmoid"
    case .tanh: "tanh"
    case .hardSigmoid: "hardsigmoid"
    case .hardSwish: "hardswish"
    case .silu: "silu"
    case .mish: "mish"
    case .elu: "elu"
    case .gelu: "gelu"
    case .requantize: "requantize"
    }
  }

  /// A Clip node with constant bounds 0 and 6 is ReLU6, MobileNetV2's activation.
  private static func clip(_ node: Node, _ graph: Graph) -> String {
    let bound = { (slot: Int) in node.input(slot).flatMap(graph.constant).flatMap { $0.scalar } }
    return bound(1) == 0 && bound(2) == 6 ? "relu6" : "clip"
  }
}
