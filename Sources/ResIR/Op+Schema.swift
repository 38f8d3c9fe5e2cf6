/// The facts about each op that do not depend on its attribute values: its ONNX name and how many operands
/// and results a node of it has. The verifier checks nodes against these; dumps print `onnxName`.
extension Op {
  /// The ONNX op type this op corresponds to (`Conv`, `Add`...), used by dumps and error messages. The fused
  /// forms without an ONNX op have names of their own in the same style (`ScaleShift`, `GatedSkip`).
  public var onnxName: String {
    switch self {
    case .conv: "Conv"
    case .gemm: "Gemm"
    case .matMul: "MatMul"
    case .batchNormalization: "BatchNormalization"
    case .layerNormalization: "LayerNormalization"
    case .scaleShift: "ScaleShift"
    case .lrn: "LRN"
    case .unary(let u): u.onnxName
    case .clip: "Clip"
    case .binary(let b): b.onnxName
    case .variadic(let v): v.onnxName
    case .where: "Where"
    case .gatedSkip: "GatedSkip"
    case .cast: "Cast"
    case .maxPool: "MaxPool"
    case .averagePool: "AveragePool"
    case .globalAveragePool: "GlobalAveragePool"
    case .reduceMean: "ReduceMean"
    case .reduce(let kind, _, _): kind.onnxName
    case .softmax: "Softmax"
    case .flatten: "Flatten"
    case .reshape: "Reshape"
    case .transpose: "Transpose"
    case .concat: "Concat"
    case .split: "Split"
    case .slice: "Slice"
    case .squeeze: "Squeeze"
    case .unsqueeze: "Unsqueeze"
    case .gather: "Gather"
    case .shape: "Shape"
    case .expand: "Expand"
    case .constantOfShape: "ConstantOfShape"
    case .pad: "Pad"
    case .range: "Range"
    case .gatherElements: "GatherElements"
    case .cumSum: "CumSum"
    case .trilu: "Trilu"
    case .resize: "Resize"
    case .argReduce(let a): a.onnxName
    case .topK: "TopK"
    case .scatterND: "ScatterND"
    case .identity: "Identity"
    case .dropout: "Dropout"
    case .lstm: "LSTM"
    case .gru: "GRU"
    case .rnn: "RNN"
    }
  }

  /// How many operand slots a node of this op has: `required` leading slots must be present, up to
  /// `maximum` may be (`nil` means any number, for variadic ops). Optional slots are `nil` in `Node.inputs`.
  public var operandArity: (required: Int, maximum: Int?) {
    switch self {
    case .conv(let a): (2, a.prologue != nil ? 6 : a.epilogue.residual ? 4 : 3)
    case .gemm(let a): (2, a.epilogue.residual ? 4 : 3)
    case .matMul(let e): (2, e.residual ? 4 : 3)
    case .batchNormalization: (5, 5)
    case .layerNormalization(let a): (2, a.residual ? 4 : 3)
    case .scaleShift(_, let e): (3, e.residual ? 4 : 3)
    case .lrn, .unary, .cast, .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten,
      .transpose, .split, .squeeze, .unsqueeze, .shape, .identity, .dropout, .cumSum, .trilu, .resize, .argReduce,
      .topK:
      (1, 1)
    case .clip: (1, 3)
    case .binary: (2, 2)
    case .variadic, .concat: (1, nil)
    case .where, .gatedSkip, .range, .scatterND: (3, 3)
    case .reshape, .gather, .expand, .gatherElements: (2, 2)
    case .slice: (3, 5)
    case .constantOfShape: (1, 1)
    case .pad: (1, 2)
    case .lstm: (3, 8)
    case .gru, .rnn: (3, 6)
    }
  }

  /// How many results a node of this op produces.
  public var resultCount: Int {
    switch self {
    case .split(_, let sizes): sizes.count
    case .layerNormalization, .lstm: 3
    case .dropout, .gru, .rnn, .topK: 2
    case .conv, .gemm, .matMul, .batchNormalization, .scaleShift, .lrn, .unary, .clip, .binary, .variadic, .where,
      .gatedSkip, .cast, .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten,
      .reshape, .transpose, .concat, .slice, .squeeze, .unsqueeze, .gather, .shape, .expand, .constantOfShape, .pad,
      .range, .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .identity:
      1
    }
  }

  /// The epilogue, for the ops that carry one.
  public var epilogue: Epilogue? {
    switch self {
    case .conv(let a): a.epilogue
    case .gemm(let a): a.epilogue
    case .matMul(let e): e
    case .scaleShift(_, let e): e
    case .batchNormalization, .layerNormalization, .lrn, .unary, .clip, .binary, .variadic, .where, .gatedSkip, .cast,
      .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten, .reshape, .transpose,
      .concat, .split, .slice, .squeeze, .unsqueeze, .gather, .shape, .expand, .constantOfShape, .pad, .range,
      .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK, .identity, .dropout, .lstm, .gru,
      .rnn:
      nil
    }
  }

  /// Whether operand slot `residualSlot` holds a residual the op adds: its epilogue's, or the one a
  /// LayerNormalization adds to X before normalizing (not an epilogue, but the same slot).
  public var addsResidual: Bool {
    if case .layerNormalization(let a) = self { return a.residual }
    return epilogue?.residual ?? false
  }

  /// The operand slot that holds the residual when `epilogue.residual` is set.
  public static let residualSlot = 3

  /// A convolution's prologue, when it has one (nil for every other op).
  public var prologue: ConvPrologue? {
    if case .conv(let a) = self { return a.prologue }
    return nil
  }

  /// The operand slots of a conv prologue's per-input-channel scale and shift, after the residual slot (which
  /// stays empty, `_`, when the epilogue adds no residual).
  public static let inputScaleSlot = 4
  public static let inputShiftSlot = 5
}

extension UnaryOp {
  public var onnxName: String {
    switch self {
    case .relu: "Relu"
    case .sigmoid: "Sigmoid"
    case .tanh: "Tanh"
    case .erf: "Erf"
    case .sqrt: "Sqrt"
    case .hardSwish: "HardSwish"
    case .leakyRelu: "LeakyRelu"
    case .hardSigmoid: "HardSigmoid"
    case .gelu: "Gelu"
    case .abs: "Abs"
    case .neg: "Neg"
    case .exp: "Exp"
    case .log: "Log"
    case .ceil: "Ceil"
    case .floor: "Floor"
    case .round: "Round"
    case .reciprocal: "Reciprocal"
    case .sin: "Sin"
    case .cos: "Cos"
    case .softplus: "Softplus"
    case .mish: "Mish"
    case .elu: "Elu"
    }
  }
}

extension BinaryOp {
  public var onnxName: String {
    switch self {
    case .add: "Add"
    case .sub: "Sub"
    case .mul: "Mul"
    case .div: "Div"
    case .pow: "Pow"
    case .mod: "Mod"
    case .equal: "Equal"
    case .compare(let comparison): comparison.onnxName
    case .prelu: "PRelu"
    }
  }
}

extension VariadicOp {
  public var onnxName: String {
    switch self {
    case .sum: "Sum"
    case .max: "Max"
    case .min: "Min"
    }
  }
}

extension Comparison {
  public var onnxName: String {
    switch self {
    case .less: "Less"
    case .lessOrEqual: "LessOrEqual"
    case .greater: "Greater"
    case .greaterOrEqual: "GreaterOrEqual"
    }
  }
}
