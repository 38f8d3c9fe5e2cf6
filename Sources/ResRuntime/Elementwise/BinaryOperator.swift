import ResKernels
import ResPlan

/// `binary`: `Y = A ⊙ B` with numpy broadcasting to Y's shape. f32 addition, subtraction, multiplication,
/// division, maximum, minimum and PRelu run on the SIMD microkernels row by row, f16 ones too (widened and
/// rounded back in chunks); every other type and operation runs the scalar element rules of `BinaryElement`.
struct BinaryOperator: Operator {
  let a: PlanBuffer
  let b: PlanBuffer
  let y: PlanBuffer
  let kind: BinaryKind
  let layout: StridedWalk

  init(_ params: Rescompile_Plan_BinaryParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 2...2, outputs: 1...1)
    kind = try BinaryKind(params.kind, operands)
    a = operands.inputs[0]
    b = operands.inputs[1]
    y = operands.outputs[0]
    guard kind.accepts(a.elementType) else {
      throw operands.failure("\(kind.rawValue) does not take element type \(a.elementType.rawValue)")
    }
    try operands.requireSameType(b, "B", as: a)
    if kind.producesBool {
      _ = try operands.output(0, "Y", .bool)
    } else {
      try operands.requireSameType(y, "Y", as: a)
    }
    guard let shape = Broadcast.shape([a.shape, b.shape]) else {
      throw operands.failure("A \(ShapeText.of(a.shape)) and B \(ShapeText.of(b.shape)) do not broadcast")
    }
    try operands.requireShape(y, "Y", shape)
    let stored = try StorageShapes(operands: [a, b], output: y, operands)
    readsChannelsLast = stored.isChannelsLast
    layout = StridedWalk(
      broadcastingTo: stored.output,
      operandStrides: stored.operands.map { Broadcast.strides(of: $0, into: stored.output) ?? [] })
    periodicRows = PeriodicRows(layout)
  }

  /// The f32 microkernels' walk over rows too short for a vector, where one operand repeats its row.
  let periodicRows: PeriodicRows?

  /// Channels-last operands are walked in storage order (`StorageShapes`).
  let readsChannelsLast: Bool

  func run(_ context: RunContext) {
    if a.elementType == .f32, let operation = microkernelOperation {
      runFloat(operation, context)
      return
    }
    if a.elementType == .f64, let arithmetic = DoubleArithmetic(kind) {
      runDouble(arithmetic, context)
      return
    }
    if a.elementType == .f32, kind.producesBool {
      runFloatComparison(context)
      return
    }
    if a.elementType == .f32, kind == .pow {
      runFloatPower(context)
      return
    }
    if a.elementType == .f16, let operation = microkernelOperation {
      runHalf(operation, context)
      return
    }
    switch a.elementType {
    case .f32: runScalar(Float.self, context)
    case .f64: runScalar(Double.self, context)
    case .f16: runHalf(context)
    case .i64: runScalar(Int64.self, context)
    case .i32: runScalar(Int32.self, context)
    case .i8: runScalar(Int8.self, context)
    case .u8: runScalar(UInt8.self, context)
    case .bool: runScalar(BoolByte.self, context)
    }
  }

  private var microkernelOperation: BinaryOperation? {
    switch kind {
    case .add: .add
    case .sub: .sub
    case .mul: .mul
    case .div: .div
    case .max: .max
    case .min: .min
    case .prelu: .prelu
    case .pow, .mod, .fmod, .equal, .less, .lessOrEqual, .greater, .greaterOrEqual: nil
    }
  }

  private func runFloat(_ operation: BinaryOperation, _ context: RunContext) {
    if let periodicRows {
      runPeriodic(operation, periodicRows, context)
      return
    }
    let aBase = UnsafePointer(context.floats(a))
    let bBase = UnsafePointer(context.floats(b))
    let output = context.floats(y)
    let strides = layout.rowStrides
    layout.run(context, elements: y.count) { offsets, columns in
      let start = columns.lowerBound
      let aRow = aBase + offsets[0] + start * strides[0]
      let bRow = bBase + offsets[1] + start * strides[1]
      let yRow = output + offsets[3] + start
      switch (strides[0], strides[1]) {
      case (0, 0):
        // Both operands are constant along the row: compute once, then fill.
        BinaryMicrokernels.run(operation, .vectorVector, aRow, bRow, yRow, count: 1)
        yRow.update(repeating: yRow[0], count: columns.count)
      case (0, _): BinaryMicrokernels.run(operation, .scalarVector, aRow, bRow, yRow, count: columns.count)
      case (_, 0): BinaryMicrokernels.run(operation, .vectorScalar, aRow, bRow, yRow, count: columns.count)
      default: BinaryMicrokernels.run(operation, .vectorVector, aRow, bRow, yRow, count: columns.count)
      }
    }
  }

  /// `runFloat` over `PeriodicRows`: each merged row in chunks of whole periods, the repeating operand read
  /// from its row repeated, starting at the chunk's phase.
  private func runPeriodic(_ operation: BinaryOperation, _ periodic: PeriodicRows, _ context: RunContext) {
    let bases = (UnsafePointer(context.floats(a)), UnsafePointer(context.floats(b)))
    let output = context.floats(y)
    let span = periodic.patternFloats - periodic.period
    periodic.walk.run(context, elements: y.count) { offsets, columns in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: periodic.patternFloats) { buffer in
        let pattern = buffer.baseAddress!
        let aRow = bases.0 + offsets[0]
        let bRow = bases.1 + offsets[1]
        periodic.fillPattern(from: periodic.repeating == 0 ? aRow : bRow, into: pattern)
        var column = columns.lowerBound
        while column < columns.upperBound {
          let count = min(span, columns.upperBound - column)
          let repeated = UnsafePointer(pattern + column % periodic.period)
          let (left, right) = periodic.repeating == 0 ? (repeated, bRow + column) : (aRow + column, repeated)
          BinaryMicrokernels.run(operation, .vectorVector, left, right, output + offsets[3] + column, count: count)
          column += count
        }
      }
    }
  }

  /// f32 comparisons, the kind resolved once per row and each row a loop the compiler vectorizes (the generic
  /// path switched on the kind per element: PReLU's `x < 0` over 200,000 elements took 0.25 ms).
  private func runFloatComparison(_ context: RunContext) {
    let aBase = UnsafePointer(context.floats(a))
    let bBase = UnsafePointer(context.floats(b))
    let output = context.raw(y).bindMemory(to: UInt8.self, capacity: y.count)
    let strides = layout.rowStrides
    let kind = kind
    layout.run(context, elements: y.count) { offsets, columns in
      let aRow = aBase + offsets[0] + columns.lowerBound * strides[0]
      let bRow = bBase + offsets[1] + columns.lowerBound * strides[1]
      let yRow = output + offsets[3] + columns.lowerBound
      switch kind {
      case .less: Self.compare(aRow, strides[0], bRow, strides[1], yRow, columns.count, <)
      case .lessOrEqual: Self.compare(aRow, strides[0], bRow, strides[1], yRow, columns.count, <=)
      case .greater: Self.compare(aRow, strides[0], bRow, strides[1], yRow, columns.count, >)
      case .greaterOrEqual: Self.compare(aRow, strides[0], bRow, strides[1], yRow, columns.count, >=)
      default: Self.compare(aRow, strides[0], bRow, strides[1], yRow, columns.count, ==)
      }
    }
  }

  /// f32 Pow: a row whose exponent is the scalar 2 (a variance or an RMS norm's `x ** 2`: T5, LayerNorms
  /// written out) squares its bases in a loop the compiler vectorizes: `Float(pow(Double(x), 2))` is exactly
  /// `x · x` rounded once (the square of a float is exact in a double), so the bits are the same, at a tenth
  /// of the time (10 ns an element through `pow`). Other exponents keep the element rule.
  private func runFloatPower(_ context: RunContext) {
    let aBase = UnsafePointer(context.floats(a))
    let bBase = UnsafePointer(context.floats(b))
    let output = context.floats(y)
    let strides = layout.rowStrides
    layout.run(context, elements: y.count) { offsets, columns in
      let aRow = aBase + offsets[0] + columns.lowerBound * strides[0]
      let bRow = bBase + offsets[1] + columns.lowerBound * strides[1]
      let yRow = output + offsets[3] + columns.lowerBound
      if strides[1] == 0, bRow[0] == 2 {
        if strides[0] == 1 {
          for i in 0..<columns.count { yRow[i] = aRow[i] * aRow[i] }
        } else {
          for i in 0..<columns.count { yRow[i] = aRow[i * strides[0]] * aRow[i * strides[0]] }
        }
        return
      }
      for i in 0..<columns.count {
        yRow[i] = Float.combine(.pow, aRow[i * strides[0]], bRow[i * strides[1]])
      }
    }
  }

  /// `y[i] = test(a[i·aStride], b[i·bStride]) ? 1 : 0`, with the contiguous and scalar-operand rows as loops
  /// of their own so that each vectorizes.
  @inline(__always)
  private static func compare(
    _ a: UnsafePointer<Float>, _ aStride: Int, _ b: UnsafePointer<Float>, _ bStride: Int,
    _ y: UnsafeMutablePointer<UInt8>, _ count: Int, _ test: (Float, Float) -> Bool
  ) {
    switch (aStride, bStride) {
    case (1, 1): for i in 0..<count { y[i] = test(a[i], b[i]) ? 1 : 0 }
    case (1, 0):
      let right = b[0]
      for i in 0..<count { y[i] = test(a[i], right) ? 1 : 0 }
    case (0, 1):
      let left = a[0]
      for i in 0..<count { y[i] = test(left, b[i]) ? 1 : 0 }
    default: for i in 0..<count { y[i] = test(a[i * aStride], b[i * bStride]) ? 1 : 0 }
    }
  }

  /// float64 add, subtract, multiply and divide, the kind resolved once per row and each row a typed loop the
  /// compiler vectorizes: a quantized model computes its residual Adds in float64 (`runScalar` switched on the
  /// kind per element). The same IEEE operations as `Double.combine`.
  private func runDouble(_ arithmetic: DoubleArithmetic, _ context: RunContext) {
    let aBase = UnsafePointer(context.raw(a).assumingMemoryBound(to: Double.self))
    let bBase = UnsafePointer(context.raw(b).assumingMemoryBound(to: Double.self))
    let output = context.raw(y).assumingMemoryBound(to: Double.self)
    let strides = layout.rowStrides
    layout.run(context, elements: y.count) { offsets, columns in
      let start = columns.lowerBound
      let aRow = aBase + offsets[0] + start * strides[0]
      let bRow = bBase + offsets[1] + start * strides[1]
      arithmetic.run(aRow, strides[0], bRow, strides[1], output + offsets[3] + start, count: columns.count)
    }
  }

  private func runScalar<T: BinaryElement>(_: T.Type, _ context: RunContext) {
    let aBase = UnsafeRawPointer(context.raw(a))
    let bBase = UnsafeRawPointer(context.raw(b))
    let output = context.raw(y)
    let strides = layout.rowStrides
    let kind = kind
    let width = MemoryLayout<T>.stride
    layout.run(context, elements: y.count) { offsets, columns in
      for column in columns {
        let left = aBase.load(fromByteOffset: (offsets[0] + column * strides[0]) * width, as: T.self)
        let right = bBase.load(fromByteOffset: (offsets[1] + column * strides[1]) * width, as: T.self)
        let index = offsets[3] + column
        if kind.producesBool {
          output.storeBytes(of: T.test(kind, left, right) ? 1 : 0, toByteOffset: index, as: UInt8.self)
        } else {
          output.storeBytes(of: T.combine(kind, left, right), toByteOffset: index * width, as: T.self)
        }
      }
    }
  }

  /// f16 arithmetic on the f32 microkernels: each row in chunks widened into f32 scratch, combined, and
  /// rounded back, sixteen elements at a time (`HalfPrecision.widen`, `narrow`). The same values as the element
  /// rule below (the f32 result rounded once), which took 1.4 ms for a float16 ViT's 116,000-element
  /// attention scaling, twelve times per image.
  private func runHalf(_ operation: BinaryOperation, _ context: RunContext) {
    let bases = (UnsafeRawPointer(context.raw(a)), UnsafeRawPointer(context.raw(b)))
    let output = context.raw(y)
    let strides = layout.rowStrides
    let chunk = Self.halfChunk
    layout.run(context, elements: y.count) { offsets, columns in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * chunk) { scratch in
        let (left, right, result) = (scratch.baseAddress!, scratch.baseAddress! + chunk, scratch.baseAddress! + 2 * chunk)
        var column = columns.lowerBound
        while column < columns.upperBound {
          let count = min(chunk, columns.upperBound - column)
          Self.widen(bases.0, from: offsets[0] + column * strides[0], stride: strides[0], count: count, into: left)
          Self.widen(bases.1, from: offsets[1] + column * strides[1], stride: strides[1], count: count, into: right)
          switch (strides[0], strides[1]) {
          case (0, 0):
            BinaryMicrokernels.run(operation, .vectorVector, left, right, result, count: 1)
            result.update(repeating: result[0], count: count)
          case (0, _): BinaryMicrokernels.run(operation, .scalarVector, left, right, result, count: count)
          case (_, 0): BinaryMicrokernels.run(operation, .vectorScalar, left, right, result, count: count)
          default: BinaryMicrokernels.run(operation, .vectorVector, left, right, result, count: count)
          }
          HalfPrecision.narrow(result, into: output + (offsets[3] + column) * 2, count: count)
          column += count
        }
      }
    }
  }

  /// Elements per chunk of `runHalf`: three f32 scratch rows of it fit in the first-level cache.
  private static let halfChunk = 512

  /// `count` halves from element `first` of `base`, `stride` elements apart, as f32 at `destination`; a
  /// stride of 0 (an operand broadcast along the row) widens its one element.
  private static func widen(
    _ base: UnsafeRawPointer, from first: Int, stride: Int, count: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    switch stride {
    case 0:
      destination[0] = HalfPrecision.float(fromBits: base.load(fromByteOffset: first * 2, as: UInt16.self))
    case 1:
      HalfPrecision.widen(base + first * 2, into: UnsafeMutableRawPointer(destination), count: count)
    default:
      for index in 0..<count {
        let bits = base.load(fromByteOffset: (first + index * stride) * 2, as: UInt16.self)
        destination[index] = HalfPrecision.float(fromBits: bits)
      }
    }
  }

  /// f16 in f32 arithmetic, rounded back to f16 (numpy's float16 behaviour), one element at a time: the
  /// operations without an f32 microkernel (powers, remainders, comparisons).
  private func runHalf(_ context: RunContext) {
    let aBase = UnsafeRawPointer(context.raw(a))
    let bBase = UnsafeRawPointer(context.raw(b))
    let output = context.raw(y)
    let strides = layout.rowStrides
    let kind = kind
    layout.run(context, elements: y.count) { offsets, columns in
      for column in columns {
        let left = HalfPrecision.float(
          fromBits: aBase.load(fromByteOffset: (offsets[0] + column * strides[0]) * 2, as: UInt16.self))
        let right = HalfPrecision.float(
          fromBits: bBase.load(fromByteOffset: (offsets[1] + column * strides[1]) * 2, as: UInt16.self))
        let index = offsets[3] + column
        if kind.producesBool {
          output.storeBytes(of: kind.test(left, right) ? 1 : 0, toByteOffset: index, as: UInt8.self)
        } else {
          let value = HalfPrecision.bits(from: Float.combine(kind, left, right))
          output.storeBytes(of: value, toByteOffset: index * 2, as: UInt16.self)
        }
      }
    }
  }
}
