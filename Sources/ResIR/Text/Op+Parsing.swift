/// Rebuilds an `Op` from its ONNX op type and the attributes written in the text form: the inverse of
/// `Op.namedAttributes`.
///
/// Every attribute the printer shows is required here (optional ones are exactly those the printer leaves
/// out when absent), so a parsed op is never silently filled with defaults the printed text did not state.
extension Op {
  init(
    parsing opType: String, at position: SourcePosition, attributes: [ParsedAttribute], epilogue: Epilogue
  ) throws(TextParseError) {
    var reader = try AttributeReader(owner: opType, noun: "attribute", at: position, attributes)
    guard let op = try Op.parseAnyFamily(opType, &reader, epilogue) else {
      throw TextParseError(at: position, "unknown op '\(opType)'")
    }
    try reader.finish()
    self = op
  }

  /// Asks each family of ops in turn; `nil` when no family knows `opType`.
  private static func parseAnyFamily(_ opType: String, _ r: inout AttributeReader, _ epilogue: Epilogue)
    throws(TextParseError) -> Op?
  {
    if let op = try parseDense(opType, &r, epilogue) { return op }
    if let op = try parseNormalization(opType, &r, epilogue) { return op }
    if let op = try parseElementwise(opType, &r) { return op }
    if let op = try parsePooling(opType, &r) { return op }
    if let op = try parseDataMovement(opType, &r) { return op }
    return try parseRecurrent(opType, &r)
  }

  private static func parseDense(_ opType: String, _ r: inout AttributeReader, _ epilogue: Epilogue)
    throws(TextParseError) -> Op?
  {
    switch opType {
    case "Conv":
      .conv(
        ConvAttributes(
          kernelShape: try r.ints("kernel_shape"), strides: try r.ints("strides"),
          dilations: try r.ints("dilations"), padding: try r.padding(), group: try r.int("group"),
          epilogue: epilogue, exactSums: try r.optionalFlag("exact_sums")))
    case "Gemm":
      .gemm(
        GemmAttributes(
          alpha: try r.float("alpha"), beta: try r.float("beta"), transA: try r.flag("transA"),
          transB: try r.flag("transB"), epilogue: epilogue))
    case "MatMul": .matMul(epilogue)
    default: nil
    }
  }

  private static func parseNormalization(_ opType: String, _ r: inout AttributeReader, _ epilogue: Epilogue)
    throws(TextParseError) -> Op?
  {
    switch opType {
    case "BatchNormalization": .batchNormalization(epsilon: try r.float("epsilon"))
    case "LayerNormalization":
      .layerNormalization(
        LayerNormAttributes(
          axis: try r.int("axis"), epsilon: try r.float("epsilon"), residual: try r.optionalFlag("residual")))
    case "ScaleShift": .scaleShift(axis: try r.int("axis"), epilogue: epilogue)
    case "LRN":
      .lrn(
        LRNAttributes(
          size: try r.int("size"), alpha: try r.float("alpha"), beta: try r.float("beta"),
          bias: try r.float("bias")))
    default: nil
    }
  }

  private static func parseElementwise(_ opType: String, _ r: inout AttributeReader) throws(TextParseError) -> Op? {
    switch opType {
    case "Relu": .unary(.relu)
    case "Sigmoid": .unary(.sigmoid)
    case "Tanh": .unary(.tanh)
    case "Erf": .unary(.erf)
    case "Sqrt": .unary(.sqrt)
    case "Abs": .unary(.abs)
    case "Neg": .unary(.neg)
    case "Exp": .unary(.exp)
    case "Log": .unary(.log)
    case "Ceil": .unary(.ceil)
    case "Floor": .unary(.floor)
    case "Round": .unary(.round)
    case "Reciprocal": .unary(.reciprocal)
    case "Sin": .unary(.sin)
    case "Cos": .unary(.cos)
    case "Softplus": .unary(.softplus)
    case "Mish": .unary(.mish)
    case "Elu": .unary(.elu(alpha: try r.float("alpha")))
    case "HardSwish": .unary(.hardSwish)
    case "LeakyRelu": .unary(.leakyRelu(alpha: try r.float("alpha")))
    case "HardSigmoid": .unary(.hardSigmoid(alpha: try r.float("alpha"), beta: try r.float("beta")))
    case "Gelu": .unary(.gelu(try r.choice("approximate", GeluApproximation.self)))
    case "Clip": .clip
    case "Add": .binary(.add)
    case "Sub": .binary(.sub)
    case "Mul": .binary(.mul)
    case "Div": .binary(.div)
    case "Pow": .binary(.pow)
    case "PRelu": .binary(.prelu)
    case "Mod": .binary(.mod(fmod: try r.flag("fmod")))
    case "Equal": .binary(.equal)
    case "Less": .binary(.compare(.less))
    case "LessOrEqual": .binary(.compare(.lessOrEqual))
    case "Greater": .binary(.compare(.greater))
    case "GreaterOrEqual": .binary(.compare(.greaterOrEqual))
    case "Sum": .variadic(.sum)
    case "Max": .variadic(.max)
    case "Min": .variadic(.min)
    case "Where": .where
    case "GatedSkip": .gatedSkip
    case "Cast": .cast(to: try r.choice("to", DType.self))
    default: nil
    }
  }

  private static func parsePooling(_ opType: String, _ r: inout AttributeReader) throws(TextParseError) -> Op? {
    switch opType {
    case "MaxPool": .maxPool(try r.pool(countIncludePad: try r.optionalFlag("count_include_pad")))
    case "AveragePool": .averagePool(try r.pool(countIncludePad: try r.flag("count_include_pad")))
    case "GlobalAveragePool": .globalAveragePool
    case "ReduceMean": .reduceMean(axes: try r.optionalInts("axes"), keepDims: try r.flag("keepdims"))
    case "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd":
      .reduce(
        ReduceKind.allCases.first { $0.onnxName == opType } ?? .sum, axes: try r.optionalInts("axes"),
        keepDims: try r.flag("keepdims"))
    case "Softmax": .softmax(axis: try r.int("axis"), coerced2D: try r.flag("coerced_2d"))
    default: nil
    }
  }

  private static func parseDataMovement(_ opType: String, _ r: inout AttributeReader) throws(TextParseError) -> Op? {
    switch opType {
    case "Flatten": .flatten(axis: try r.int("axis"))
    case "Reshape": .reshape(allowZero: try r.flag("allowzero"))
    case "Transpose": .transpose(perm: try r.ints("perm"))
    case "Concat": .concat(axis: try r.int("axis"))
    case "Split": .split(axis: try r.int("axis"), sizes: try r.ints("split"))
    case "Slice": .slice
    case "Squeeze": .squeeze(axes: try r.optionalInts("axes"))
    case "Unsqueeze": .unsqueeze(axes: try r.ints("axes"))
    case "Gather": .gather(axis: try r.int("axis"))
    case "Shape": .shape(start: try r.int("start"), end: try r.optionalInt("end"))
    case "Expand": .expand
    case "ConstantOfShape": .constantOfShape(try r.typedScalar("value"))
    case "Pad": .pad(mode: try r.choice("mode", PadMode.self), pads: try r.ints("pads"))
    case "Range": .range
    case "GatherElements": .gatherElements(axis: try r.int("axis"))
    case "CumSum": .cumSum(axis: try r.int("axis"), exclusive: try r.flag("exclusive"), reverse: try r.flag("reverse"))
    case "Trilu": .trilu(upper: try r.flag("upper"), k: try r.int("k"))
    case "ArgMax", "ArgMin":
      .argReduce(
        ArgReduceAttributes(
          max: opType == "ArgMax", axis: try r.int("axis"), keepDims: try r.flag("keepdims"),
          selectLastIndex: try r.flag("select_last_index")))
    case "TopK":
      .topK(TopKAttributes(k: try r.int("k"), axis: try r.int("axis"), largest: try r.flag("largest")))
    case "Resize":
      .resize(
        ResizeAttributes(
          mode: try r.choice("mode", ResizeMode.self),
          coordinates: try r.choice("coordinate_transformation_mode", ResizeCoordinates.self),
          nearestRounding: try r.choice("nearest_mode", NearestRounding.self), scales: try r.floats("scales"),
          sizes: try r.ints("sizes"), cubicCoefficient: try r.optionalFloat("cubic_coeff_a") ?? -0.75,
          excludeOutside: try r.optionalFlag("exclude_outside")))
    case "ScatterND": .scatterND(try r.choice("reduction", ScatterReduction.self))
    case "Identity": .identity
    case "Dropout": .dropout
    default: nil
    }
  }

  private static func parseRecurrent(_ opType: String, _ r: inout AttributeReader) throws(TextParseError) -> Op? {
    switch opType {
    case "LSTM":
      .lstm(
        try r.recurrent(
          inputForget: try r.flag("input_forget"), linearBeforeReset: try r.optionalFlag("linear_before_reset")))
    case "GRU":
      .gru(
        try r.recurrent(
          inputForget: try r.optionalFlag("input_forget"), linearBeforeReset: try r.flag("linear_before_reset")))
    case "RNN":
      .rnn(
        try r.recurrent(
          inputForget: try r.optionalFlag("input_forget"), linearBeforeReset: try r.optionalFlag("linear_before_reset")))
    default: nil
    }
  }
}

// MARK: - Attribute groups shared by several ops

extension AttributeReader {
  /// `pads=[...]` or `auto_pad=SAME_UPPER|SAME_LOWER`, exactly one of them.
  mutating func padding() throws(TextParseError) -> Padding {
    let pads = take("pads")
    let autoPad = take("auto_pad")
    switch (pads, autoPad) {
    case (let pads?, nil):
      return .explicit(try pads.integers(describe("pads")))
    case (nil, let autoPad?):
      guard case .word(let word, _) = autoPad, word == AutoPadSpelling.sameUpper || word == AutoPadSpelling.sameLower
      else {
        throw TextParseError(
          at: autoPad.position,
          "\(describe("auto_pad")) must be \(AutoPadSpelling.sameUpper) or \(AutoPadSpelling.sameLower)")
      }
      return word == AutoPadSpelling.sameUpper ? .sameUpper : .sameLower
    case (_?, let autoPad?):
      throw TextParseError(at: autoPad.position, "give either 'pads' or 'auto_pad', not both")
    case (nil, nil):
      throw missing("pads")
    }
  }

  mutating func pool(countIncludePad: Bool) throws(TextParseError) -> PoolAttributes {
    PoolAttributes(
      kernelShape: try ints("kernel_shape"), strides: try ints("strides"), dilations: try ints("dilations"),
      padding: try padding(), ceilMode: try flag("ceil_mode"), countIncludePad: countIncludePad)
  }

  mutating func recurrent(inputForget: Bool, linearBeforeReset: Bool) throws(TextParseError) -> RecurrentAttributes {
    var activations: [RecurrentActivation] = []
    for call in try calls("activations") {
      activations.append(try RecurrentActivation(parsing: call))
    }
    return RecurrentAttributes(
      hiddenSize: try int("hidden_size"), direction: try choice("direction", RecurrentDirection.self),
      activations: activations, clip: try optionalFloat("clip"), inputForget: inputForget,
      linearBeforeReset: linearBeforeReset, batchMajor: try flag("layout"))
  }
}
