import ResIR
import ResReference
import Testing

/// Helpers shared by the reference evaluator's tests: graphs are written in the IR's text form, inputs are
/// small literal tensors, and results are compared with `ToleranceComparison`.
enum Reference {
  /// Parses `text` (a whole `graph "..." { ... }`) and evaluates it.
  static func run(_ text: String, _ inputs: [String: ReferenceTensor] = [:]) throws -> [ReferenceTensor] {
    try ReferenceEvaluator.evaluate(TextFormat.parse(text), inputs: inputs)
  }

  /// The error evaluating `text` throws, or nil if it succeeds.
  static func error(_ text: String, _ inputs: [String: ReferenceTensor] = [:]) throws -> ModelError? {
    let graph = try TextFormat.parse(text)
    do {
      _ = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
      return nil
    } catch {
      return error
    }
  }
}

/// An f32 tensor of the given values (rounded to float32).
func f32(_ shape: [Int], _ values: [Double]) -> ReferenceTensor {
  ReferenceTensor(dtype: .float32, shape: shape, doubles: values)
}

/// An f32 tensor holding `start, start + step, …` in row-major order (exact in float32 for small values).
func ramp(_ shape: [Int], start: Double = 0, step: Double = 1) -> ReferenceTensor {
  let count = shape.reduce(1, *)
  return f32(shape, (0..<count).map { start + Double($0) * step })
}

func tensor(_ dtype: DType, _ shape: [Int], _ values: [Int64]) -> ReferenceTensor {
  ReferenceTensor(dtype: dtype, shape: shape, integers: values)
}

/// Expects `actual` to match `expected` in dtype, shape and values under numpy's `isclose` rule.
func expectClose(
  _ actual: ReferenceTensor?, _ expected: ReferenceTensor, rtol: Double = 1e-6, atol: Double = 1e-6,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let actual else {
    Issue.record("no result", sourceLocation: sourceLocation)
    return
  }
  let comparison = ToleranceComparison(actual: actual, expected: expected, rtol: rtol, atol: atol)
  #expect(
    comparison.passed, "\(comparison)\nactual:   \(actual)\nexpected: \(expected)", sourceLocation: sourceLocation)
}

/// Expects the evaluation to fail with an error naming `node` and containing `fragment`.
func expectFailure(
  _ text: String, _ inputs: [String: ReferenceTensor] = [:], node: String, opType: String, mentioning fragment: String,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let error = try Reference.error(text, inputs)
  #expect(error?.node == node, "\(String(describing: error))", sourceLocation: sourceLocation)
  #expect(error?.opType == opType, "\(String(describing: error))", sourceLocation: sourceLocation)
  #expect(
    error?.message.contains(fragment) == true, "\(String(describing: error)) lacks '\(fragment)'",
    sourceLocation: sourceLocation)
}

/// Deterministic, varied f32 values: element `i` is `((i + offset)·multiplier mod modulus − modulus/2)·step`,
/// the same formula the scripts that computed the expected values used (integer arithmetic, then one
/// rounding to float32, so both sides get identical inputs).
func pattern(_ shape: [Int], step: Double, offset: Int = 0, multiplier: Int = 7, modulus: Int = 11) -> ReferenceTensor {
  let count = shape.reduce(1, *)
  return f32(shape, (0..<count).map { Double(((($0 + offset) * multiplier) % modulus) - modulus / 2) * step })
}
