import Foundation
import ResIR

/// ONNX Range: `output[i] = start + i·delta` for `i` in `0..<max(⌈(limit − start) / delta⌉, 0)`, in the
/// operands' type.
///
/// Integer ranges are exact in Int64 (and wrap to the type, as the elements of any integer op do); float ranges
/// take each element as `start + i·delta` in Double, rounded once to the type, which is the specification's
/// formula rather than onnxruntime's running sum (the two agree wherever the steps are exact, as in every
/// range a shape computation makes).
enum ArithmeticRange {
  static func evaluate(_ operands: NodeOperands) throws(EvaluationFailure) -> ReferenceTensor {
    let start = try operands.required(0, "start")
    let limit = try operands.required(1, "limit")
    let delta = try operands.required(2, "delta")
    try limit.requireDType("limit", start.dtype)
    try delta.requireDType("delta", start.dtype)
    if start.dtype.isFloatingPoint {
      return try floatRange(
        start.scalarValue("start"), limit.scalarValue("limit"), delta.scalarValue("delta"), dtype: start.dtype)
    }
    return try integerRange(
      start.integerScalar("start"), limit.integerScalar("limit"), delta.integerScalar("delta"), dtype: start.dtype)
  }

  private static func floatRange(_ start: Double, _ limit: Double, _ delta: Double, dtype: DType)
    throws(EvaluationFailure) -> ReferenceTensor
  {
    guard delta != 0 else { throw EvaluationFailure("delta is 0: the range would never reach its limit") }
    guard start.isFinite, limit.isFinite, delta.isFinite else {
      throw EvaluationFailure("start \(start), limit \(limit) and delta \(delta) must be finite")
    }
    let count = try elementCount(((limit - start) / delta).rounded(.up))
    return ReferenceTensor(dtype: dtype, shape: [count], doubles: (0..<count).map { start + Double($0) * delta })
  }

  private static func integerRange(_ start: Int64, _ limit: Int64, _ delta: Int64, dtype: DType)
    throws(EvaluationFailure) -> ReferenceTensor
  {
    guard delta != 0 else { throw EvaluationFailure("delta is 0: the range would never reach its limit") }
    let count = try elementCount(Double(ceilingQuotient(limit, start, delta)))
    return ReferenceTensor(
      dtype: dtype, shape: [count], integers: (0..<count).map { start &+ Int64($0) &* delta })
  }

  /// `⌈(limit − start) / delta⌉` exactly; through Double only when the span overflows Int64.
  private static func ceilingQuotient(_ limit: Int64, _ start: Int64, _ delta: Int64) -> Double {
    let (span, overflow) = limit.subtractingReportingOverflow(start)
    let (quotient, divisionOverflow) = span.dividedReportingOverflow(by: delta)
    guard !overflow, !divisionOverflow else { return ((Double(limit) - Double(start)) / Double(delta)).rounded(.up) }
    let remainder = span - quotient * delta
    return Double(quotient) + (remainder != 0 && (remainder > 0) == (delta > 0) ? 1 : 0)
  }

  /// The count from ONNX's formula, clamped at zero and checked against the largest tensor the evaluator builds.
  /// Shape inference's bound (`RangeLength.maximum`), for a length known only here.
  static let maximumElementCount = RangeLength.maximum

  private static func elementCount(_ count: Double) throws(EvaluationFailure) -> Int {
    guard count > 0 else { return 0 }
    guard count <= Double(maximumElementCount) else {
      let spelled = count < 1e18 ? String(Int64(count)) : String(format: "%.3g", count)
      throw EvaluationFailure("the range has \(spelled) elements, more than \(maximumElementCount)")
    }
    return Int(count)
  }
}
