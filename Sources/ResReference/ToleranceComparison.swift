import ResIR

/// How close an actual tensor is to an expected one, under numpy's `isclose` rule
/// `|actual − expected| ≤ atol + rtol·|expected|`, with NaN equal to NaN and an infinity equal only to the same
/// infinity.
///
/// The tests compare kernels and passes against the reference evaluator with it, and `rescompile check`
/// compares a compiled model's outputs with it, so both report errors the same way.
public struct ToleranceComparison: Sendable, Hashable {
  public let rtol: Double
  public let atol: Double
  /// Why the tensors cannot be compared element by element (different shapes or dtypes), if so.
  public let structuralMismatch: String?
  public let elementCount: Int
  /// How many elements fail the rule.
  public let mismatchCount: Int
  /// The largest `|actual − expected|` (infinite where exactly one of them is NaN or an infinity differs).
  public let maxAbsoluteError: Double
  /// The largest `|actual − expected| / |expected|` (infinite where the expected value is 0 and the actual
  /// is not).
  public let maxRelativeError: Double
  /// The element that exceeds its tolerance by the most, if any fails.
  public let worstIndex: Int?

  public var passed: Bool { structuralMismatch == nil && mismatchCount == 0 }

  public init(actual: ReferenceTensor, expected: ReferenceTensor, rtol: Double, atol: Double) {
    self.rtol = rtol
    self.atol = atol
    elementCount = expected.elementCount
    guard actual.dtype == expected.dtype, actual.shape == expected.shape,
      actual.elementCount == expected.elementCount
    else {
      structuralMismatch =
        "actual is \(actual.dtype.rawValue)\(ShapeArithmetic.describe(actual.shape)), expected "
        + "\(expected.dtype.rawValue)\(ShapeArithmetic.describe(expected.shape))"
      (mismatchCount, maxAbsoluteError, maxRelativeError, worstIndex) = (0, 0, 0, nil)
      return
    }
    structuralMismatch = nil
    var mismatches = 0
    var maxAbsolute = 0.0
    var maxRelative = 0.0
    var worst: (index: Int, excess: Double)?
    for (i, (a, e)) in zip(actual.doubles, expected.doubles).enumerated() {
      let (absolute, relative) = Self.errors(a, e)
      maxAbsolute = max(maxAbsolute, absolute)
      maxRelative = max(maxRelative, relative)
      // An exact match passes even where the allowance is NaN (two NaNs, two equal infinities).
      let excess = absolute == 0 ? 0 : absolute - (atol + rtol * abs(e))
      guard excess > 0 || excess.isNaN else { continue }
      mismatches += 1
      if worst == nil || excess > worst?.excess ?? 0 { worst = (i, excess) }
    }
    (mismatchCount, maxAbsoluteError, maxRelativeError, worstIndex) = (
      mismatches, maxAbsolute, maxRelative, worst?.index
    )
  }

  /// Absolute and relative error of one element; 0 for two NaNs and for equal values, including equal
  /// infinities.
  private static func errors(_ actual: Double, _ expected: Double) -> (absolute: Double, relative: Double) {
    if actual == expected || (actual.isNaN && expected.isNaN) { return (0, 0) }
    if actual.isNaN || expected.isNaN { return (.infinity, .infinity) }
    let absolute = abs(actual - expected)
    return (absolute, expected == 0 ? .infinity : absolute / abs(expected))
  }
}

extension ToleranceComparison: CustomStringConvertible {
  /// One line: `passed: max abs error 1.2e-07, max rel error 3.4e-07 (rtol 1e-05, atol 1e-06)`, or the
  /// mismatch count and the worst element when it failed.
  public var description: String {
    if let structuralMismatch { return "failed: \(structuralMismatch)" }
    let errors = "max abs error \(maxAbsoluteError), max rel error \(maxRelativeError) (rtol \(rtol), atol \(atol))"
    guard let worstIndex else { return "passed: \(errors)" }
    return "failed: \(mismatchCount) of \(elementCount) elements differ, worst at index \(worstIndex); \(errors)"
  }
}
