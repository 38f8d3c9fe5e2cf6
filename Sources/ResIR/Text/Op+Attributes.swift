/// Every typed attribute of an op under its ONNX attribute name, for the dumps.
///
/// The epilogue is not among them: the text form, JSON and DOT each show it as its own clause. Names
/// without an ONNX counterpart (`coerced_2d`) follow ONNX's snake_case. Attributes that ONNX defines for only
/// one of two ops sharing an attribute struct (`count_include_pad` on MaxPool, `input_forget` on GRU,
/// `linear_before_reset` on LSTM) appear only when set, so the common case reads like ONNX and nothing is lost.
///
/// LayerNormalization's fused residual is `residual=1`, shown only when set, rather than an `epilogue(...)`
/// clause: an epilogue is applied after the op (Conv's `epilogue(residual %x)` reads `conv(...) + x`), while
/// this residual is added to X before normalizing, and the clause would make `LN(x) + r` of `LN(x + r)`. The
/// residual value itself is visible in operand slot 3, as Conv's is.
extension Op {
  /// Sorted by name, so every writer shows them in one stable order.
  var namedAttributes: [NamedAttribute] {
    unsortedAttributes.sorted { $0.name < $1.name }
  }

  private var unsortedAttributes: [NamedAttribute] {
    switch self {
    case .conv(let a):
      [
        NamedAttribute("kernel_shape", .ints(a.kernelShape)), NamedAttribute("strides", .ints(a.strides)),
        NamedAttribute("dilations", .ints(a.dilations)), NamedAttribute("group", .int(a.group)),
        Op.paddingAttribute(a.padding),
      ] + (a.exactSums ? [NamedAttribute("exact_sums", .flag(true))] : [])
    case .gemm(let a):
      [
        NamedAttribute("alpha", .float(a.alpha)), NamedAttribute("beta", .float(a.beta)),
        NamedAttribute("transA", .flag(a.transA)), NamedAttribute("transB", .flag(a.transB)),
      ]
    case .matMul, .clip, .variadic, .where, .gatedSkip, .globalAveragePool, .slice, .expand, .range, .identity,
      .dropout:
      []
    case .batchNormalization(let epsilon):
      [NamedAttribute("epsilon", .float(epsilon))]
    case .layerNormalization(let a):
      [NamedAttribute("axis", .int(a.axis)), NamedAttribute("epsilon", .float(a.epsilon))]
        + (a.residual ? [NamedAttribute("residual", .flag(true))] : [])
    case .scaleShift(let axis, _): [NamedAttribute("axis", .int(axis))]
    case .lrn(let a):
      [
        NamedAttribute("size", .int(a.size)), NamedAttribute("alpha", .float(a.alpha)),
        NamedAttribute("beta", .float(a.beta)), NamedAttribute("bias", .float(a.bias)),
      ]
    case .unary(let u): u.namedAttributes
    case .binary(let b): b.namedAttributes
    case .cast(let to): [NamedAttribute("to", .word(to.rawValue))]
    case .maxPool(let a): Op.poolAttributes(a, alwaysShowCountIncludePad: false)
    case .averagePool(let a): Op.poolAttributes(a, alwaysShowCountIncludePad: true)
    case .reduceMean(let axes, let keepDims), .reduce(_, let axes, let keepDims):
      [NamedAttribute("keepdims", .flag(keepDims))] + Op.optional("axes", axes.map { .ints($0) })
    case .softmax(let axis, let coerced2D):
      [NamedAttribute("axis", .int(axis)), NamedAttribute("coerced_2d", .flag(coerced2D))]
    case .flatten(let axis), .concat(let axis), .gather(let axis), .gatherElements(let axis):
      [NamedAttribute("axis", .int(axis))]
    case .reshape(let allowZero): [NamedAttribute("allowzero", .flag(allowZero))]
    case .transpose(let perm): [NamedAttribute("perm", .ints(perm))]
    case .split(let axis, let sizes):
      [NamedAttribute("axis", .int(axis)), NamedAttribute("split", .ints(sizes))]
    case .squeeze(let axes): Op.optional("axes", axes.map { .ints($0) })
    case .unsqueeze(let axes): [NamedAttribute("axes", .ints(axes))]
    case .shape(let start, let end):
      [NamedAttribute("start", .int(start))] + Op.optional("end", end.map { .int($0) })
    case .constantOfShape(let value): [NamedAttribute("value", .scalar(value))]
    case .pad(let mode, let pads):
      [NamedAttribute("mode", .word(mode.rawValue)), NamedAttribute("pads", .ints(pads))]
    case .scatterND(let reduction): [NamedAttribute("reduction", .word(reduction.rawValue))]
    case .argReduce(let a):
      [
        NamedAttribute("axis", .int(a.axis)), NamedAttribute("keepdims", .flag(a.keepDims)),
        NamedAttribute("select_last_index", .flag(a.selectLastIndex)),
      ]
    case .topK(let a):
      [
        NamedAttribute("axis", .int(a.axis)), NamedAttribute("k", .int(a.k)),
        NamedAttribute("largest", .flag(a.largest)),
      ]
    case .resize(let a):
      [
        NamedAttribute("mode", .word(a.mode.rawValue)),
        NamedAttribute("coordinate_transformation_mode", .word(a.coordinates.rawValue)),
        NamedAttribute("nearest_mode", .word(a.nearestRounding.rawValue)), NamedAttribute("scales", .floats(a.scales)),
        NamedAttribute("sizes", .ints(a.sizes)),
      ] + (a.mode == .cubic ? [NamedAttribute("cubic_coeff_a", .float(a.cubicCoefficient))] : [])
        + (a.excludeOutside ? [NamedAttribute("exclude_outside", .flag(true))] : [])
    case .cumSum(let axis, let exclusive, let reverse):
      [NamedAttribute("axis", .int(axis)), NamedAttribute("exclusive", .flag(exclusive)),
        NamedAttribute("reverse", .flag(reverse))]
    case .trilu(let upper, let k): [NamedAttribute("k", .int(k)), NamedAttribute("upper", .flag(upper))]
    case .lstm(let a): Op.recurrentAttributes(a, isLSTM: true, isGRU: false)
    case .gru(let a): Op.recurrentAttributes(a, isLSTM: false, isGRU: true)
    case .rnn(let a): Op.recurrentAttributes(a, isLSTM: false, isGRU: false)
    }
  }

  /// `pads=[...]` for explicit padding, `auto_pad=SAME_UPPER` or `SAME_LOWER` for the symbolic forms.
  private static func paddingAttribute(_ padding: Padding) -> NamedAttribute {
    switch padding {
    case .explicit(let pads): NamedAttribute("pads", .ints(pads))
    case .sameUpper: NamedAttribute("auto_pad", .word(AutoPadSpelling.sameUpper))
    case .sameLower: NamedAttribute("auto_pad", .word(AutoPadSpelling.sameLower))
    }
  }

  private static func poolAttributes(_ a: PoolAttributes, alwaysShowCountIncludePad: Bool) -> [NamedAttribute] {
    [
      NamedAttribute("kernel_shape", .ints(a.kernelShape)), NamedAttribute("strides", .ints(a.strides)),
      NamedAttribute("dilations", .ints(a.dilations)), NamedAttribute("ceil_mode", .flag(a.ceilMode)),
      paddingAttribute(a.padding),
    ]
      + (alwaysShowCountIncludePad || a.countIncludePad
        ? [NamedAttribute("count_include_pad", .flag(a.countIncludePad))] : [])
  }

  /// The attributes every recurrent layer has, plus `input_forget` (LSTM) and `linear_before_reset` (GRU),
  /// each shown on its own op, and on another only when set (which the verifier rejects).
  private static func recurrentAttributes(_ a: RecurrentAttributes, isLSTM: Bool, isGRU: Bool) -> [NamedAttribute] {
    var list = [
      NamedAttribute("hidden_size", .int(a.hiddenSize)), NamedAttribute("direction", .word(a.direction.rawValue)),
      NamedAttribute("activations", .calls(a.activations.map(\.call))),
      NamedAttribute("layout", .flag(a.batchMajor)),
    ]
    list += optional("clip", a.clip.map { .float($0) })
    if isLSTM || a.inputForget { list.append(NamedAttribute("input_forget", .flag(a.inputForget))) }
    if isGRU || a.linearBeforeReset {
      list.append(NamedAttribute("linear_before_reset", .flag(a.linearBeforeReset)))
    }
    return list
  }

  /// An attribute that is shown only when present (`axes` of ReduceMean, `end` of Shape).
  private static func optional(_ name: String, _ value: AttributeValue?) -> [NamedAttribute] {
    value.map { [NamedAttribute(name, $0)] } ?? []
  }
}

extension UnaryOp {
  var namedAttributes: [NamedAttribute] {
    switch self {
    case .relu, .sigmoid, .tanh, .erf, .sqrt, .hardSwish, .abs, .neg, .exp, .log, .ceil, .floor, .round, .reciprocal,
      .sin, .cos, .softplus, .mish:
      []
    case .elu(let alpha): [NamedAttribute("alpha", .float(alpha))]
    case .leakyRelu(let alpha): [NamedAttribute("alpha", .float(alpha))]
    case .hardSigmoid(let alpha, let beta):
      [NamedAttribute("alpha", .float(alpha)), NamedAttribute("beta", .float(beta))]
    case .gelu(let approximation): [NamedAttribute("approximate", .word(approximation.rawValue))]
    }
  }
}

extension BinaryOp {
  var namedAttributes: [NamedAttribute] {
    switch self {
    case .add, .sub, .mul, .div, .pow, .equal, .compare, .prelu: []
    case .mod(let fmod): [NamedAttribute("fmod", .flag(fmod))]
    }
  }
}

/// ONNX's spellings of the symbolic padding modes.
enum AutoPadSpelling {
  static let sameUpper = "SAME_UPPER"
  static let sameLower = "SAME_LOWER"
}
