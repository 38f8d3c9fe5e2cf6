import ResPlan

/// `cum_sum`: the running sum of X along one axis, in X's type (f32, f64, i64, i32), one element after
/// another in axis order (or from the end with `reverse`); `exclusive` leaves each element out of its own sum.
/// The order of the additions is fixed, so the result is the reference evaluator's bit for bit.
struct CumSumOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  let exclusive: Bool
  let reverse: Bool
  /// Elements before the axis, along it, and after it.
  let outer: Int
  let axisSize: Int
  let inner: Int

  static let summableTypes: Set<ElementType> = [.f32, .f64, .i64, .i32]

  init(_ params: Rescompile_Plan_CumSumParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = try operands.input(0, "X", Self.summableTypes)
    y = operands.outputs[0]
    try operands.requireSameType(y, "Y", as: x)
    try operands.requireShape(y, "Y", x.shape)
    guard params.axis >= 0, params.axis < Int64(x.rank) else {
      throw operands.failure("axis \(params.axis) is out of range for X \(ShapeText.of(x.shape))")
    }
    let axis = Int(params.axis)
    exclusive = params.exclusive
    reverse = params.reverse
    outer = x.shape[..<axis].reduce(1, *)
    axisSize = x.shape[axis]
    inner = x.shape[(axis + 1)...].reduce(1, *)
  }

  func run(_ context: RunContext) throws(RuntimeError) {
    switch x.elementType {
    case .f32: scan(Float.self, context)
    case .f64: scan(Double.self, context)
    case .i64: scan(Int64.self, context)
    case .i32: scan(Int32.self, context)
    case .f16, .i8, .u8, .bool: preconditionFailure("init admits only \(Self.summableTypes)")
    }
  }

  private func scan<T: RunningSum>(_: T.Type, _ context: RunContext) {
    let source = UnsafeRawPointer(context.raw(x)).assumingMemoryBound(to: T.self)
    let target = context.raw(y).assumingMemoryBound(to: T.self)
    for block in 0..<outer {
      for lane in 0..<inner {
        var total = T.zero
        for step in 0..<axisSize {
          let index = (block * axisSize + (reverse ? axisSize - 1 - step : step)) * inner + lane
          let value = source[index]
          if exclusive {
            target[index] = total
            total = T.sum(total, value)
          } else {
            total = T.sum(total, value)
            target[index] = total
          }
        }
      }
    }
  }
}

/// Addition as CumSum needs it: IEEE for floats, wrapping for integers (an overflowing int sum wraps as the
/// reference evaluator's does, instead of trapping).
protocol RunningSum {
  static var zero: Self { get }
  static func sum(_ a: Self, _ b: Self) -> Self
}

extension Float: RunningSum {
  static func sum(_ a: Float, _ b: Float) -> Float { a + b }
}

extension Double: RunningSum {
  static func sum(_ a: Double, _ b: Double) -> Double { a + b }
}

extension Int64: RunningSum {
  static func sum(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
}

extension Int32: RunningSum {
  static func sum(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
}
