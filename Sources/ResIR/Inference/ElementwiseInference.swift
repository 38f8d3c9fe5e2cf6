extension NodeContext {
  /// The unary activations: same type out as in.
  func unary(_ op: UnaryOp) throws(ModelError) -> TensorType {
    let input = try operand(0)
    switch op {
    case .relu, .abs, .neg:
      try requireDType(input, .floatsAndSignedIntegers, "input")
    case .sigmoid, .tanh, .erf, .sqrt, .hardSwish, .leakyRelu, .hardSigmoid, .gelu, .exp, .log, .ceil, .floor, .round,
      .reciprocal, .sin, .cos, .softplus, .mish, .elu:
      try requireDType(input, .floats, "input")
    }
    return input
  }

  /// Clip: the bounds are optional scalars of the input's type.
  func clip() throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireDType(input, .numeric, "input")
    try requireSameDType([0, 1, 2])
    for (slot, name) in [(1, "min"), (2, "max")] {
      if let bound = optionalOperand(slot) { try requireScalar(bound, name) }
    }
    return input
  }

  /// Add, Sub, Mul, Div, Pow, Mod, Equal, the comparisons: multidirectional broadcasting. PRelu: the slope
  /// broadcasts to X.
  func binary(_ op: BinaryOp) throws(ModelError) -> TensorType {
    let a = try operand(0)
    let b = try operand(1)
    let dtype: DType
    switch op {
    case .add, .sub, .mul, .div:
      try requireDType(a, .numeric, "A")
      try requireSameDType([0, 1])
      dtype = a.dtype
    case .mod(let fmod):
      try requireDType(a, .numeric, "A")
      try requireSameDType([0, 1])
      if a.dtype.isFloatingPoint && !fmod { throw error("Mod of \(a.dtype.onnxName) operands requires fmod=1") }
      dtype = a.dtype
    case .pow:
      // ONNX lets the exponent have its own type.
      try requireDType(a, .floatsAndWideIntegers, "base")
      try requireDType(b, .numeric, "exponent")
      dtype = a.dtype
    case .equal:
      try requireSameDType([0, 1])
      dtype = .bool
    case .compare:
      try requireDType(a, .numeric, "A")
      try requireSameDType([0, 1])
      dtype = .bool
    case .prelu:
      // The slope broadcasts to X in one direction: the result is X's shape.
      try requireDType(a, .floats, "X")
      try requireSameDType([0, 1])
      if Broadcasting.conflictsUnidirectionally(b.shape, to: a.shape) {
        throw error("slope \(shapeText(b.shape)) does not broadcast to X \(shapeText(a.shape))")
      }
      dtype = a.dtype
    }
    if case .add = op { return TensorType(dtype, try residualBroadcast([a, b])) }
    return TensorType(dtype, try broadcastOperands([a.shape, b.shape]))
  }

  /// Sum, Max, Min: any number of operands of one type, broadcast together.
  func variadic(_ op: VariadicOp) throws(ModelError) -> TensorType {
    let first = try operand(0)
    switch op {
    case .sum: try requireDType(first, .floats, "operand 1")
    case .max, .min: try requireDType(first, .numeric, "operand 1")
    }
    try requireSameDTypeForAllOperands()
    if case .sum = op { return TensorType(first.dtype, try residualBroadcast(presentOperands)) }
    return TensorType(first.dtype, try broadcastOperands(presentOperands.map(\.shape)))
  }

  /// Where: a bool condition selects between X and Y; all three broadcast.
  func select() throws(ModelError) -> TensorType {
    let condition = try operand(0)
    let x = try operand(1)
    let y = try operand(2)
    try requireDType(condition, .bool, "condition")
    try requireSameDType([1, 2])
    return TensorType(x.dtype, try broadcastOperands([condition.shape, x.shape, y.shape]))
  }

  /// GatedSkip: `T·H + (1 − T)·X` on three operands of one float type, broadcast together.
  func gatedSkip() throws(ModelError) -> TensorType {
    let gate = try operand(0)
    let transformed = try operand(1)
    let skipped = try operand(2)
    try requireDType(gate, .floats, "T")
    try requireSameDType([0, 1, 2])
    return TensorType(gate.dtype, try broadcastOperands([gate.shape, transformed.shape, skipped.shape]))
  }

  /// Cast: same shape, new element type.
  func cast(to dtype: DType) throws(ModelError) -> TensorType {
    TensorType(dtype, try operand(0).shape)
  }

  /// Identity: the operand's type.
  func identity() throws(ModelError) -> TensorType {
    try operand(0)
  }

  /// Dropout in inference form: the data unchanged, and an all-true bool mask of its shape.
  func dropout() throws(ModelError) -> [TensorType] {
    let input = try operand(0)
    try requireDType(input, .floats, "data")
    return [input, TensorType(.bool, input.shape)]
  }

  /// Add and Sum: the broadcast shape, or an error that treats the operands as a residual connection whose
  /// skip path was never projected, naming the option that repairs it (`ResidualMismatch`).
  func residualBroadcast(_ operands: [TensorType]) throws(ModelError) -> [Dim] {
    if let mismatch = ResidualMismatch(operands: operands) { throw error(mismatch.message) }
    return try broadcastOperands(operands.map(\.shape))
  }

  /// The broadcast shape of the operands, or an error listing every shape.
  func broadcastOperands(_ shapes: [[Dim]]) throws(ModelError) -> [Dim] {
    guard let shape = Broadcasting.broadcast(shapes) else {
      let texts = shapes.map(shapeText)
      let listed =
        texts.count <= 2
        ? texts.joined(separator: " and ")
        : texts.dropLast().joined(separator: ", ") + " and " + (texts.last ?? "")
      throw error("operands \(listed) cannot broadcast")
    }
    return shape
  }
}
