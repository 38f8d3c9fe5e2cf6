import ResIR
import ResPlan

/// Elementwise ops: unary functions, Clip, binary arithmetic and Equal, variadic Sum/Max/Min, Where, Cast, and
/// the fused GatedSkip.
///
/// These keep their element type (the `unary`, `binary`, `where` and `cast` kernels read it from the buffers),
/// so f16 stays f16; GatedSkip's kernel is f32, with other float types converted around it. Broadcasting is
/// the kernels' business: they broadcast inputs to the output's shape.
extension GraphLowering {
  mutating func lowerUnary(_ node: Node, _ op: UnaryOp) throws(ModelError) {
    let x = try required(node, 0, "X")
    if !dtype(of: x).isFloatingPoint, [.relu, .abs, .neg].contains(op) {
      return try lowerIntegerUnary(node, op, x)
    }
    guard dtype(of: x).isFloatingPoint else {
      throw ModelError(
        node,
        "\(op.onnxName) on \(dtype(of: x).onnxName) data is not supported: the unary kernel takes float types only")
    }
    try emit(node, .unary, .unary(Self.unaryParams(op)), inputs: [.value(x)], outputs: [.value(try result(node))])
  }

  /// Relu, Abs and Neg of integers, which the unary kernel (floats only) does not take, as integer binary
  /// steps: `max(x, 0)`, `max(x, 0 − x)` and `0 − x`, wrapping as the reference evaluator does.
  private mutating func lowerIntegerUnary(_ node: Node, _ op: UnaryOp, _ x: ValueID) throws(ModelError) {
    let zero = StepOperand.tensor(derivedConstant("\(node.name).zero", ConstantConversion.scalar(0, dtype(of: x))))
    let y = try result(node)
    switch op {
    case .relu:
      try emit(node, .binary, Self.binary(.max), inputs: [.value(x), zero], outputs: [.value(y)])
    case .neg:
      try emit(node, .binary, Self.binary(.sub), inputs: [zero, .value(x)], outputs: [.value(y)])
    default:
      let negated = try temporary("\(node.name).negated", dtype(of: x), try dims(of: x))
      try emit(node, .binary, Self.binary(.sub), inputs: [zero, .value(x)], outputs: [.tensor(negated)])
      try emit(node, .binary, Self.binary(.max), inputs: [.value(x), .tensor(negated)], outputs: [.value(y)])
    }
  }

  /// Clip with constant (or absent) bounds on floats is one unary CLIP step; without bounds it is a view.
  /// Bounds computed at run time, or integer data (the unary kernel is for floats), become binary MAX then MIN.
  mutating func lowerClip(_ node: Node) throws(ModelError) {
    let x = try required(node, 0, "input")
    let y = try result(node)
    let (low, high) = (node.input(1), node.input(2))
    guard low != nil || high != nil else {
      try bindView(y, to: try operandTensor(node, 0))
      return
    }
    let lowBound = low.flatMap { graph.constant($0)?.scalar }
    let highBound = high.flatMap { graph.constant($0)?.scalar }
    if dtype(of: x).isFloatingPoint, low == nil || lowBound != nil, high == nil || highBound != nil {
      var params = Rescompile_Plan_UnaryParams()
      params.kind = .clip
      params.alpha = lowBound.map { Float($0) } ?? -.infinity
      params.beta = highBound.map { Float($0) } ?? .infinity
      try emit(node, .unary, .unary(params), inputs: [.value(x)], outputs: [.value(y)])
      return
    }
    var current = StepOperand.value(x)
    if let low {
      let target: StepResult
      if high == nil {
        target = .value(y)
      } else {
        target = .tensor(try temporary("\(node.name).lower_clipped", dtype(of: x), try dims(of: x)))
      }
      try emit(node, .binary, Self.binary(.max), inputs: [current, .value(low, as: dtype(of: x))], outputs: [target])
      if case .tensor(let tensor) = target { current = .tensor(tensor) }
    }
    if let high {
      try emit(
        node, .binary, Self.binary(.min), inputs: [current, .value(high, as: dtype(of: x))], outputs: [.value(y)])
    }
  }

  /// Binary arithmetic and Equal. Pow alone may mix element types (a float base, an integer exponent): the
  /// exponent is converted to the base's type, which is what the binary kernel reads.
  mutating func lowerBinary(_ node: Node, _ op: BinaryOp) throws(ModelError) {
    let a = try required(node, 0, "A")
    let b = try required(node, 1, "B")
    try emit(
      node, .binary, Self.binary(Self.binaryKind(op)), inputs: [.value(a), .value(b, as: dtype(of: a))],
      outputs: [.value(try result(node))])
  }

  /// Sum, Max and Min of n operands: a chain of n − 1 binary steps, each intermediate shaped by the
  /// broadcast of the operands so far. One operand is a view of it.
  mutating func lowerVariadic(_ node: Node, _ op: VariadicOp) throws(ModelError) {
    let operands = node.presentInputs
    let y = try result(node)
    guard let first = operands.first else { throw ModelError(node, "has no operands") }
    guard operands.count > 1 else {
      try bindView(y, to: try operandTensor(node, 0))
      return
    }
    let kind: Rescompile_Plan_BinaryParams.Kind =
      switch op {
      case .sum: .add
      case .max: .max
      case .min: .min
      }
    var accumulated = StepOperand.value(first)
    var accumulatedDims = try dims(of: first)
    for (index, operand) in operands.enumerated().dropFirst() {
      guard index < operands.count - 1 else {
        try emit(node, .binary, Self.binary(kind), inputs: [accumulated, .value(operand)], outputs: [.value(y)])
        break
      }
      accumulatedDims = StaticBroadcast.shape(accumulatedDims, try dims(of: operand))
      let partial = try temporary("\(node.name).partial\(index)", dtype(of: y), accumulatedDims)
      try emit(node, .binary, Self.binary(kind), inputs: [accumulated, .value(operand)], outputs: [.tensor(partial)])
      accumulated = .tensor(partial)
    }
  }

  mutating func lowerWhere(_ node: Node) throws(ModelError) {
    let inputs: [StepOperand] = [
      .value(try required(node, 0, "condition")), .value(try required(node, 1, "X")),
      .value(try required(node, 2, "Y")),
    ]
    try emit(
      node, .whereSelect, .where(Rescompile_Plan_WhereParams()), inputs: inputs, outputs: [.value(try result(node))])
  }

  /// GatedSkip `T·H + (1 − T)·X` is one `f32_gated_skip` step, which broadcasts T, H and X to the output as
  /// the binary kernel does.
  mutating func lowerGatedSkip(_ node: Node) throws(ModelError) {
    let gate = try required(node, 0, "T")
    try requireFloatCompute(node, gate)
    let inputs: [StepOperand] = [
      .float32(gate), .float32(try required(node, 1, "H")), .float32(try required(node, 2, "X")),
    ]
    try emit(
      node, .f32GatedSkip, .gatedSkip(Rescompile_Plan_GatedSkipParams()), inputs: inputs,
      outputs: [.float32(try result(node))])
  }

  /// Cast to another type is a `cast` step; to the same type it is a view.
  mutating func lowerCast(_ node: Node, to dtype: DType) throws(ModelError) {
    let x = try required(node, 0, "input")
    let y = try result(node)
    guard self.dtype(of: x) != dtype else {
      try bindView(y, to: try operandTensor(node, 0))
      return
    }
    try emit(node, .cast, .cast(Rescompile_Plan_CastParams()), inputs: [.value(x)], outputs: [.value(y)])
  }

  // MARK: - Parameters

  static func binary(_ kind: Rescompile_Plan_BinaryParams.Kind) -> Rescompile_Plan_Step.OneOf_Params {
    var params = Rescompile_Plan_BinaryParams()
    params.kind = kind
    return .binary(params)
  }

  static func unary(_ kind: Rescompile_Plan_UnaryParams.Kind) -> Rescompile_Plan_Step.OneOf_Params {
    var params = Rescompile_Plan_UnaryParams()
    params.kind = kind
    return .unary(params)
  }

  static func binaryKind(_ op: BinaryOp) -> Rescompile_Plan_BinaryParams.Kind {
    switch op {
    case .add: .add
    case .sub: .sub
    case .mul: .mul
    case .div: .div
    case .pow: .pow
    case .mod(let fmod): fmod ? .fmod : .mod
    case .equal: .equal
    case .compare(.less): .less
    case .compare(.lessOrEqual): .lessOrEqual
    case .compare(.greater): .greater
    case .compare(.greaterOrEqual): .greaterOrEqual
    case .prelu: .prelu
    }
  }

  static func unaryParams(_ op: UnaryOp) -> Rescompile_Plan_UnaryParams {
    var params = Rescompile_Plan_UnaryParams()
    switch op {
    case .relu: params.kind = .relu
    case .sigmoid: params.kind = .sigmoid
    case .tanh: params.kind = .tanh
    case .erf: params.kind = .erf
    case .sqrt: params.kind = .sqrt
    case .hardSwish: params.kind = .hardSwish
    case .leakyRelu(let alpha):
      params.kind = .leakyRelu
      params.alpha = alpha
    case .hardSigmoid(let alpha, let beta):
      params.kind = .hardSigmoid
      params.alpha = alpha
      params.beta = beta
    case .gelu(.none): params.kind = .gelu
    case .gelu(.tanh): params.kind = .geluTanh
    case .abs: params.kind = .abs
    case .neg: params.kind = .neg
    case .exp: params.kind = .exp
    case .log: params.kind = .log
    case .ceil: params.kind = .ceil
    case .floor: params.kind = .floor
    case .round: params.kind = .round
    case .reciprocal: params.kind = .reciprocal
    case .sin: params.kind = .sin
    case .cos: params.kind = .cos
    case .softplus: params.kind = .softplus
    case .mish: params.kind = .mish
    case .elu(let alpha):
      params.kind = .elu
      params.alpha = alpha
    }
    return params
  }
}
