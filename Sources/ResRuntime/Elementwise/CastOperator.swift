import ResKernels
import ResPlan

/// `cast`: converts every element between any two element types with the rules of `ScalarValue.write`;
/// float16 ⇄ float32, which a float16 model does around every op, sixteen elements at a time
/// (`HalfPrecision.widen`, `narrow`: the same bits). With `round_to_float16`, f32 to f32 through float16's
/// rounding (`HalfPrecision.round`): the pair of casts between two f32 kernels of a model computing in
/// float16, in one pass over float32 values that may be stored in place.
struct CastOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  let roundsToFloat16: Bool

  init(_ params: Rescompile_Plan_CastParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    roundsToFloat16 = params.roundToFloat16
    x = roundsToFloat16 ? try operands.input(0, "X", .f32) : operands.inputs[0]
    y = operands.outputs[0]
    try operands.requireShape(y, "Y", x.shape)
    if roundsToFloat16 { try operands.requireSameType(y, "Y", as: x) }
  }

  func run(_ context: RunContext) {
    let input = UnsafeRawPointer(context.raw(x))
    let output = context.raw(y)
    let count = x.count
    let workers = context.workers(elements: count, tasks: count / 16)
    let ranges = RunContext.ranges(of: count, parts: RunContext.streamingPieces(workers: workers), granule: 16)
    let (from, to) = (x.elementType, y.elementType)
    let roundsToFloat16 = roundsToFloat16
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      let range = ranges[task]
      switch (from, to) {
      case (.f32, .f32) where roundsToFloat16:
        HalfPrecision.round(input + range.lowerBound * 4, into: output + range.lowerBound * 4, count: range.count)
      case (.f16, .f32):
        HalfPrecision.widen(input + range.lowerBound * 2, into: output + range.lowerBound * 4, count: range.count)
      case (.f32, .f16):
        HalfPrecision.narrow(input + range.lowerBound * 4, into: output + range.lowerBound * 2, count: range.count)
      case (.f32, .f64):
        CastOperator.convert(input, Float.self, output, Double.self, range) { Double($0) }
      case (.f64, .f32):
        CastOperator.convert(input, Double.self, output, Float.self, range) { Float($0) }
      default:
        for index in range {
          ScalarValue.read(from, input, index).write(to, output, index)
        }
      }
    }
  }

  /// `y[i] = conversion(x[i])` over `range` as one typed loop the compiler vectorizes: float32 ⇄ float64, which
  /// a quantized model's float64 sums do around every residual Add (through `ScalarValue` an element took a
  /// few nanoseconds; the conversions are the same IEEE roundings).
  @inline(__always)
  private static func convert<Source, Target>(
    _ input: UnsafeRawPointer, _: Source.Type, _ output: UnsafeMutableRawPointer, _: Target.Type,
    _ range: Range<Int>, _ conversion: (Source) -> Target
  ) {
    let source = input.assumingMemoryBound(to: Source.self) + range.lowerBound
    let target = output.assumingMemoryBound(to: Target.self) + range.lowerBound
    for offset in 0..<range.count { target[offset] = conversion(source[offset]) }
  }
}
