import ResIR

/// Hand-built graphs for the dump tests: every op, every activation, odd names, a ResNet-like block.
///
/// Types are plausible but not checked against shape inference: the text form takes result types as given,
/// and these graphs exist to exercise spelling, not semantics.
enum DumpSampleGraphs {
  /// The ONNX op types `everyOp()` must contain: one entry per `Op` case and per `UnaryOp`, `BinaryOp` and
  /// `VariadicOp` case (the fused forms without an ONNX op under their own names).
  static let everyOpType: Set<String> = [
    "Conv", "Gemm", "MatMul", "BatchNormalization", "LayerNormalization", "LRN", "Relu", "Sigmoid", "Tanh", "Erf",
    "Sqrt", "HardSwish", "LeakyRelu", "HardSigmoid", "Gelu", "Clip", "Add", "Sub", "Mul", "Div", "Pow", "Mod",
    "Equal", "Sum", "Max", "Min", "Where", "Cast", "MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean",
    "Softmax", "Flatten", "Reshape", "Transpose", "Concat", "Split", "Slice", "Squeeze", "Unsqueeze", "Gather",
    "Shape", "Expand", "ConstantOfShape", "Pad", "Identity", "Dropout", "LSTM", "GRU", "ScaleShift", "GatedSkip",
    "Range", "ScatterND", "GatherElements", "CumSum", "Trilu", "ReduceSum", "Less", "LessOrEqual", "Greater",
    "GreaterOrEqual", "Abs", "Neg", "Exp", "Log", "Ceil", "Floor", "Round", "Reciprocal", "Sin", "Cos", "Softplus",
    "Elu", "Resize", "ReduceMax", "ReduceMin", "ReduceProd", "ArgMax", "ArgMin", "TopK",
  ]

  static func f32(_ dims: Dim...) -> TensorType { TensorType(.float32, dims) }

  /// Deterministic weights whose fingerprint is fixed by their contents.
  static func weights(_ dims: [Int], salt: Int = 0) -> Constant {
    let count = dims.reduce(1, *)
    return Constant(floats: (0..<count).map { Float(($0 + salt) % 13) * 0.125 - 0.75 }, dims: dims)
  }

  /// Every `Op` case, every attribute with a non-default value somewhere, every `Activation` in an
  /// epilogue, every `RecurrentActivation`, absent optional operands, multi-result ops, symbolic and unknown
  /// dimensions.
  static func everyOp() -> Graph {
    var g = Graph(name: "every op")
    let x = g.addInput(name: "x", type: f32(.symbol("N"), 8, 16, 16))
    let seq = g.addInput(name: "seq", type: f32(5, .symbol("batch"), 4))
    let w = g.addConstant(name: "w", weights([8, 4, 3, 3]))
    let b = g.addConstant(name: "b", Constant(floats: [0.5, -0.25, 0, 1, 2, 3, 4, 5], dims: [8]))
    let shape = g.addConstant(name: "shape", Constant(int64s: [1, -1], dims: [2]))
    let t = f32(.symbol("N"), 8, 16, 16)

    func node(_ name: String, _ op: Op, _ inputs: [ValueID?], _ types: [TensorType]) -> [ValueID] {
      let results = types.enumerated().map { (name: "\(name)_out\($0.offset)", type: $0.element) }
      g.appendNode(name: name, op: op, inputs: inputs, results: results)
      return g.nodes.last?.outputs ?? []
    }

    // Convolutions: explicit, SAME_UPPER and SAME_LOWER padding, groups, dilations, every epilogue activation.
    let conv = ConvAttributes(
      kernelShape: [3, 3], strides: [2, 1], dilations: [1, 2], padding: .explicit([1, 2, 1, 2]), group: 2,
      epilogue: Epilogue(residual: true, activation: .relu))
    let c0 = node("conv0", .conv(conv), [x, w, b, x], [t])[0]
    var sameUpper = conv
    sameUpper.padding = .sameUpper
    sameUpper.epilogue = Epilogue(activation: .clip(min: 0, max: 6))
    let c1 = node("conv1", .conv(sameUpper), [c0, w, nil], [f32(.symbol("N"), 8, .unknown, 16)])[0]
    var sameLower = conv
    sameLower.padding = .sameLower
    sameLower.epilogue = Epilogue(residual: true, activation: nil)
    let c2 = node("conv2", .conv(sameLower), [c1, w, nil, c0], [t])[0]
    var lastConv = c2
    let activations: [Activation] = [
      .leakyRelu(alpha: 0.01), .sigmoid, .tanh, .hardSigmoid(alpha: 0.2, beta: 0.5), .hardSwish, .silu,
      .gelu(.none), .gelu(.tanh), .requantize(scale: 0.0038, min: -135, max: .infinity),
    ]
    for (i, activation) in activations.enumerated() {
      var a = conv
      a.epilogue = Epilogue(activation: activation)
      lastConv = node("act\(i)", .conv(a), [lastConv, w, b], [t])[0]
    }

    // Dense layers.
    let m = g.addInput(name: "m", type: f32(.symbol("N"), 64))
    let wm = g.addConstant(name: "wm", weights([64, 64], salt: 3))
    let gemm = GemmAttributes(
      alpha: 0.5, beta: 2, transA: true, transB: true, epilogue: Epilogue(residual: true, activation: .silu))
    let g0 = node("gemm", .gemm(gemm), [m, wm, nil, m], [f32(.symbol("N"), 64)])[0]
    let g1 = node("gemm_plain", .gemm(GemmAttributes()), [g0, wm], [f32(.symbol("N"), 64)])[0]
    let mm = node(
      "matmul", .matMul(Epilogue(residual: true, activation: .gelu(.tanh))), [g1, wm, nil, g0], [f32(.symbol("N"), 64)])[
        0]
    _ = node("matmul_plain", .matMul(.none), [mm, wm], [f32(.symbol("N"), 64)])

    // Normalization.
    let bn = node("bn", .batchNormalization(epsilon: 1e-5), [lastConv, b, b, b, b], [t])[0]
    let ln = node(
      "ln", .layerNormalization(LayerNormAttributes(axis: 3, epsilon: 1e-6)), [bn, b, nil],
      [t, f32(.symbol("N"), 8, 16, 1), f32(.symbol("N"), 8, 16, 1)])
    let lrn = node("lrn", .lrn(LRNAttributes(size: 5, alpha: 1e-4, beta: 0.75, bias: 2)), [ln[0]], [t])[0]

    // Fused forms: a LayerNormalization adding a residual, ScaleShift with and without an epilogue.
    let lnResidual = node(
      "ln_residual", .layerNormalization(LayerNormAttributes(axis: 3, epsilon: 1e-6, residual: true)),
      [lrn, b, nil, bn], [t, f32(.symbol("N"), 8, 16, 1), f32(.symbol("N"), 8, 16, 1)])[0]
    let affine = node(
      "scale_shift", .scaleShift(axis: 1, epilogue: Epilogue(residual: true, activation: .hardSwish)),
      [lnResidual, b, b, lrn], [t])[0]
    _ = node("scale_shift_plain", .scaleShift(axis: 1, epilogue: .none), [affine, b, b], [t])

    // Elementwise.
    let unaries: [UnaryOp] = [
      .relu, .sigmoid, .tanh, .erf, .sqrt, .hardSwish, .leakyRelu(alpha: 0.1), .hardSigmoid(alpha: 0.3, beta: 0.6),
      .gelu(.none), .gelu(.tanh),
    ]
    var u = lrn
    for (i, unary) in unaries.enumerated() { u = node("unary\(i)", .unary(unary), [u], [t])[0] }
    let lo = g.addConstant(name: "lo", Constant(floats: [-1.5], dims: []))
    let hi = g.addConstant(name: "hi", Constant(floats: [.infinity], dims: []))
    let clipped = node("clip_max_only", .clip, [u, nil, hi], [t])[0]
    let clipped2 = node("clip_both", .clip, [clipped, lo, hi], [t])[0]
    let binaries: [BinaryOp] = [.add, .sub, .mul, .div, .pow, .mod(fmod: true), .mod(fmod: false)]
    var e = clipped2
    for (i, binary) in binaries.enumerated() { e = node("binary\(i)", .binary(binary), [e, clipped], [t])[0] }
    let mask = node("equal", .binary(.equal), [e, clipped], [TensorType(.bool, t.shape)])[0]
    var v = e
    for op in VariadicOp.allCases { v = node("variadic_\(op.rawValue)", .variadic(op), [v, e, clipped2], [t])[0] }
    let selected = node("where", .where, [mask, v, e], [t])[0]
    _ = node("gated_skip", .gatedSkip, [clipped, selected, affine], [t])
    let half = node("cast", .cast(to: .float16), [selected], [TensorType(.float16, t.shape)])[0]

    // Pooling and reductions.
    let pool = PoolAttributes(
      kernelShape: [3, 3], strides: [2, 2], dilations: [1, 1], padding: .explicit([1, 1, 1, 1]), ceilMode: true,
      countIncludePad: false)
    var maxPoolWithFlag = pool
    maxPoolWithFlag.countIncludePad = true
    maxPoolWithFlag.padding = .sameUpper
    let p0 = node("maxpool", .maxPool(pool), [selected], [f32(.symbol("N"), 8, 8, 8)])[0]
    let p1 = node("maxpool_flag", .maxPool(maxPoolWithFlag), [selected], [f32(.symbol("N"), 8, 8, 8)])[0]
    var avg = pool
    avg.countIncludePad = true
    avg.padding = .sameLower
    let p2 = node("avgpool", .averagePool(avg), [p0], [f32(.symbol("N"), 8, 4, 4)])[0]
    _ = node("gap", .globalAveragePool, [p2], [f32(.symbol("N"), 8, 1, 1)])
    let r0 = node("reduce_all", .reduceMean(axes: nil, keepDims: false), [p1], [f32()])[0]
    _ = node("reduce_hw", .reduceMean(axes: [2, 3], keepDims: true), [p1], [f32(.symbol("N"), 8, 1, 1)])
    for kind in ReduceKind.allCases {
      _ = node("reduce_\(kind.rawValue)", .reduce(kind, axes: [1], keepDims: false), [p1], [f32(.symbol("N"), 16, 16)])
    }

    // Masks, positions and indexing: Swin's and the HuggingFace exports' ops.
    let start = g.addConstant(name: "start", Constant(int64s: [0], dims: []))
    let limit = g.addConstant(name: "limit", Constant(int64s: [6], dims: []))
    let step = g.addConstant(name: "step", Constant(int64s: [2], dims: []))
    let positions = node("range", .range, [start, limit, step], [TensorType(.int64, dims: [3])])[0]
    let rows = g.addConstant(name: "rows", Constant(int64s: [1, 0], dims: [2, 1]))
    let square = g.addInput(name: "square", type: f32(4, 4))
    let updates = g.addConstant(name: "updates", weights([2, 4], salt: 6))
    let scattered = node("scatter", .scatterND(.add), [square, rows, updates], [f32(4, 4)])[0]
    let picks = g.addConstant(name: "picks", Constant(int64s: [0, 3, 1, 2, 2, 1, 3, 0], dims: [2, 4]))
    _ = node("gather_elements", .gatherElements(axis: 0), [scattered, picks], [f32(2, 4)])
    _ = node("cumsum", .cumSum(axis: 0, exclusive: true, reverse: true), [positions], [TensorType(.int64, dims: [3])])
    _ = node("trilu", .trilu(upper: false, k: -1), [square], [f32(4, 4)])
    for comparison in Comparison.allCases {
      let mask = TensorType(.bool, dims: [4, 4])
      _ = node(comparison.rawValue, .binary(.compare(comparison)), [square, scattered], [mask])
    }
    let mathUnaries: [UnaryOp] = [
      .abs, .neg, .exp, .log, .ceil, .floor, .round, .reciprocal, .sin, .cos, .softplus, .elu(alpha: 0.5),
    ]
    for (i, op) in mathUnaries.enumerated() { _ = node("math\(i)", .unary(op), [square], [f32(4, 4)]) }
    let resize = ResizeAttributes(
      mode: .linear, coordinates: .pytorchHalfPixel, nearestRounding: .roundPreferCeil, scales: [1, 2.5],
      sizes: [-1, 10])
    _ = node("resize", .resize(resize), [square], [f32(4, 10)])
    let cubic = ResizeAttributes(
      mode: .cubic, coordinates: .halfPixel, nearestRounding: .floor, scales: [0.5, 1], sizes: [2, -1],
      cubicCoefficient: -0.5, excludeOutside: true)
    _ = node("resize_cubic", .resize(cubic), [square], [f32(2, 4)])
    for max in [true, false] {
      let arg = ArgReduceAttributes(max: max, axis: 1, keepDims: !max, selectLastIndex: max)
      _ = node(arg.onnxName, .argReduce(arg), [square], [TensorType(.int64, dims: max ? [4] : [4, 1])])
    }
    for largest in [true, false] {
      let top = TopKAttributes(k: largest ? 3 : 0, axis: largest ? 1 : 0, largest: largest)
      let dims = largest ? [4, 3] : [0, 4]
      let results = [TensorType(.float32, dims: dims), TensorType(.int64, dims: dims)]
      _ = node(largest ? "topk_largest" : "topk_smallest", .topK(top), [square], results)
    }
    _ = node("softmax", .softmax(axis: -1, coerced2D: true), [p1], [f32(.symbol("N"), 8, 8, 8)])
    _ = node("softmax13", .softmax(axis: 1, coerced2D: false), [p1], [f32(.symbol("N"), 8, 8, 8)])

    // Shapes and data movement.
    let flat = node("flatten", .flatten(axis: 2), [p1], [f32(.symbol("N"), 64)])[0]
    let reshaped = node("reshape", .reshape(allowZero: true), [flat, shape], [f32(1, .unknown)])[0]
    let transposed = node("transpose", .transpose(perm: [0, 3, 1, 2]), [p1], [f32(.symbol("N"), 8, 8, 8)])[0]
    let concatenated = node("concat", .concat(axis: 1), [transposed, p1, p0], [f32(.symbol("N"), 24, 8, 8)])[0]
    let parts = node(
      "split", .split(axis: 1, sizes: [8, 8, 8]), [concatenated],
      [f32(.symbol("N"), 8, 8, 8), f32(.symbol("N"), 8, 8, 8), f32(.symbol("N"), 8, 8, 8)])
    let starts = g.addConstant(name: "starts", Constant(int64s: [0], dims: [1]))
    let ends = g.addConstant(name: "ends", Constant(int64s: [Int64.max], dims: [1]))
    let steps = g.addConstant(name: "steps", Constant(int64s: [2], dims: [1]))
    let sliced = node("slice", .slice, [parts[0], starts, ends, nil, steps], [f32(.symbol("N"), 4, 8, 8)])[0]
    let squeezed = node("squeeze_all", .squeeze(axes: nil), [r0], [f32()])[0]
    _ = node("squeeze_axes", .squeeze(axes: [0]), [reshaped], [f32(.unknown)])
    let unsqueezed = node("unsqueeze", .unsqueeze(axes: [0, 2]), [squeezed], [f32(1, 1)])[0]
    let indices = g.addConstant(name: "indices", Constant(int64s: [2, 0, 1], dims: [3]))
    _ = node("gather", .gather(axis: -2), [sliced, indices], [f32(.symbol("N"), 4, 3, 8)])
    let shapeOf = node("shape", .shape(start: 0, end: nil), [sliced], [TensorType(.int64, dims: [4])])[0]
    _ = node("shape_sliced", .shape(start: 1, end: -1), [sliced], [TensorType(.int64, dims: [2])])
    _ = node("expand", .expand, [unsqueezed, shapeOf], [f32(.symbol("N"), 4, 8, 8)])
    _ = node(
      "fill_int", .constantOfShape(ScalarValue(dtype: .int64, value: 7)), [shapeOf],
      [TensorType(.int64, [.unknown, 4])])
    _ = node("fill_float", .constantOfShape(ScalarValue(dtype: .float32, value: -0.5)), [shapeOf], [f32(.unknown)])
    let padded = node(
      "pad", .pad(mode: .reflect, pads: [0, 0, 1, 1, 0, 0, 1, 1]), [sliced, nil], [f32(.symbol("N"), 4, 10, 10)])[0]
    let fillValue = g.addConstant(name: "pad_value", Constant(floats: [0.25], dims: []))
    _ = node(
      "pad_constant", .pad(mode: .constant, pads: [0, 0, 0, 0, 0, 0, 2, 2]), [padded, fillValue],
      [f32(.symbol("N"), 4, 10, 12)])
    _ = node("pad_edge", .pad(mode: .edge, pads: [0, 0, 0, 0, 0, 0, 0, 0]), [padded], [f32(.symbol("N"), 4, 10, 10)])
    _ = node("pad_wrap", .pad(mode: .wrap, pads: [0, 0, 0, 0, 0, 0, 0, 0]), [padded], [f32(.symbol("N"), 4, 10, 10)])
    let same = node("identity", .identity, [half], [TensorType(.float16, t.shape)])[0]
    let dropped = node("dropout", .dropout, [same], [TensorType(.float16, t.shape), TensorType(.bool, t.shape)])

    // Recurrent layers: every gate function, both layouts, clip, the LSTM- and GRU-only flags on both.
    let lstmW = g.addConstant(name: "lstm_w", weights([2, 32, 4], salt: 1))
    let lstmR = g.addConstant(name: "lstm_r", weights([2, 32, 8], salt: 2))
    let lstm = RecurrentAttributes(
      hiddenSize: 8, direction: .bidirectional,
      activations: [
        .sigmoid, .tanh, .relu, .hardSigmoid(alpha: 0.2, beta: 0.5), .leakyRelu(alpha: 0.02),
        .thresholdedRelu(alpha: 1.5),
      ],
      clip: 3, inputForget: true, linearBeforeReset: true, batchMajor: true)
    let h = node(
      "lstm", .lstm(lstm), [seq, lstmW, lstmR, nil, nil, nil, nil, nil],
      [f32(5, 2, .symbol("batch"), 8), f32(2, .symbol("batch"), 8), f32(2, .symbol("batch"), 8)])
    let gruW = g.addConstant(name: "gru_w", weights([1, 24, 4], salt: 4))
    let gruR = g.addConstant(name: "gru_r", weights([1, 24, 8], salt: 5))
    let gru = RecurrentAttributes(
      hiddenSize: 8, direction: .forward,
      activations: [.scaledTanh(alpha: 1.5, beta: 0.5), .affine(alpha: 2, beta: -1)],
      clip: nil, inputForget: true, linearBeforeReset: true, batchMajor: false)
    _ = node(
      "gru", .gru(gru), [seq, gruW, gruR, nil, nil, h[1]],
      [f32(5, 1, .symbol("batch"), 8), f32(1, .symbol("batch"), 8)])
    let gru2 = RecurrentAttributes(
      hiddenSize: 8, direction: .reverse, activations: [.elu(alpha: 0.9), .softsign, .softplus, .tanh],
      clip: 0.5)
    _ = node(
      "gru_reverse", .gru(gru2), [seq, gruW, gruR], [f32(5, 1, .symbol("batch"), 8), f32(1, .symbol("batch"), 8)])

    g.outputs = [dropped[0], h[0], reshaped, shape]
    // A dead constant: left in the value table, never printed.
    _ = g.addConstant(name: "dead", weights([4]))
    return g
  }

  /// Names that need quoting or escaping everywhere: spaces, quotes, backslashes, control characters,
  /// non-ASCII, ONNX's `::`, an empty node name, symbolic dimensions that are not identifiers.
  static func oddNames() -> Graph {
    var g = Graph(name: "odd \"names\" \\ ünï\tcode")
    let x = g.addInput(
      name: "input with space \u{202E}", type: TensorType(.float32, [.symbol("batch size"), .symbol("?"), 3]))
    let c = g.addConstant(name: "onnx::Conv_5", Constant(floats: [1, 2, 3], dims: [3]))
    g.appendNode(
      name: "", op: .binary(.add), inputs: [x, c],
      results: [(name: "quote\"back\\slash", type: TensorType(.float32, [.symbol("batch size"), .symbol("?"), 3]))])
    let a = g.nodes[0].outputs[0]
    g.appendNode(
      name: "名前 \u{7}\n", op: .unary(.relu), inputs: [a],
      results: [(name: "日本語", type: TensorType(.float32, [.symbol("12"), .symbol(""), .unknown]))])
    g.appendNode(
      name: "/layer1/layer1.0/Relu", op: .identity, inputs: [g.nodes[1].outputs[0]],
      results: [(name: "/layer1/layer1.0/Relu_output_0", type: TensorType(.float32, [.symbol("unk__12"), 1, 1]))])
    g.outputs = [g.nodes[2].outputs[0], a]
    return g
  }

  /// A ResNet basic block after fusion: two convs (the second with the skip connection fused), pooling, a
  /// classifier behind a Reshape with a small shape constant.
  static func resnetBlock() -> Graph {
    var g = Graph(name: "resnet_block")
    let x = g.addInput(name: "x", type: TensorType(.float32, [.symbol("N"), 4, 8, 8]))
    let w1 = g.addConstant(name: "w1", weights([4, 4, 3, 3]))
    let b1 = g.addConstant(name: "b1", Constant(floats: [0.5, -0.5, 0.25, 0], dims: [4]))
    let w2 = g.addConstant(name: "w2", weights([4, 4, 3, 3], salt: 1))
    let b2 = g.addConstant(name: "b2", Constant(floats: [0, 0.125, 1, -1], dims: [4]))
    let shape = g.addConstant(name: "shape", Constant(int64s: [0, -1], dims: [2]))
    let fc = g.addConstant(name: "fc.weight", weights([10, 4], salt: 2))
    let type = TensorType(.float32, [.symbol("N"), 4, 8, 8])
    func conv(_ epilogue: Epilogue) -> Op {
      .conv(
        ConvAttributes(
          kernelShape: [3, 3], strides: [1, 1], dilations: [1, 1], padding: .explicit([1, 1, 1, 1]), group: 1,
          epilogue: epilogue))
    }
    g.appendNode(name: "conv1", op: conv(Epilogue(activation: .relu)), inputs: [x, w1, b1], results: [("h", type)])
    let h = g.nodes[0].outputs[0]
    g.appendNode(
      name: "conv2", op: conv(Epilogue(residual: true, activation: .relu)), inputs: [h, w2, b2, x],
      results: [("y", type)])
    g.appendNode(
      name: "pool", op: .globalAveragePool, inputs: [g.nodes[1].outputs[0]],
      results: [("pooled", TensorType(.float32, [.symbol("N"), 4, 1, 1]))])
    g.appendNode(
      name: "flatten", op: .reshape(allowZero: false), inputs: [g.nodes[2].outputs[0], shape],
      results: [("flat", TensorType(.float32, [.symbol("N"), 4]))])
    g.appendNode(
      name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: [g.nodes[3].outputs[0], fc, nil],
      results: [("logits", TensorType(.float32, [.symbol("N"), 10]))])
    g.outputs = [g.nodes[4].outputs[0]]
    return g
  }

  /// Graphs the verifier would reject but the dumps must still show faithfully (printing is how one debugs
  /// them): a residual epilogue with an empty residual slot, a node without results, one without operands.
  static func malformed() -> Graph {
    var g = Graph(name: "malformed")
    let x = g.addInput(name: "x", type: TensorType(.float32, dims: [2, 2]))
    g.appendNode(
      name: "mm", op: .matMul(Epilogue(residual: true)), inputs: [x, x],
      results: [("y", TensorType(.float32, dims: [2, 2]))])
    g.appendNode(name: "sink", op: .identity, inputs: [g.nodes[0].outputs[0]], results: [])
    g.appendNode(name: "nothing", op: .unary(.relu), inputs: [], results: [("z", TensorType(.float32, []))])
    g.outputs = [g.nodes[0].outputs[0], g.nodes[2].outputs[0], x]
    return g
  }

  /// `count` ReLUs in a row: for checking that nothing recurses over the node count.
  static func chain(_ count: Int) -> Graph {
    var g = Graph(name: "chain")
    var value = g.addInput(name: "x", type: TensorType(.float32, dims: [1, 8]))
    for i in 0..<count {
      g.appendNode(
        name: "relu\(i)", op: .unary(.relu), inputs: [value],
        results: [("r\(i)", TensorType(.float32, dims: [1, 8]))])
      value = g.nodes[g.nodes.count - 1].outputs[0]
    }
    g.outputs = [value]
    return g
  }
}
