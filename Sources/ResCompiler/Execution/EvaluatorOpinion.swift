import ResIR
import ResReference

/// Where the reference evaluator (ResReference: the imported graph, every op summed in double precision and
/// rounded to its element type, no pass, no kernel) puts an output that failed against stored reference data:
/// its distance from rescompile's output and from the stored one.
///
/// A failed check has two suspects. The stored outputs are another runtime's (onnxruntime's, as a rule), which
/// rounds too: on random graph seed 61191 (an instance normalization after a chain of convolutions, outputs of
/// scale 13) onnxruntime's stored output was 3.6e-4 from a float64 evaluation and rescompile's 7.8e-6, so the
/// check failed on the reference's rounding. On seed 60782 (Winograd F(4x4) before an attention block, scale
/// 265) it was the other way round. The evaluator's distances say which of the two a mismatch belongs to.
public struct EvaluatorOpinion: Sendable, Hashable {
  /// The largest `|evaluator − rescompile|` over the output's elements.
  public var distanceToActual: Double
  /// The largest `|evaluator − stored|`.
  public var distanceToExpected: Double

  public init(distanceToActual: Double, distanceToExpected: Double) {
    self.distanceToActual = distanceToActual
    self.distanceToExpected = distanceToExpected
  }

  /// The opinion on every output of one data set, in output order: `graph` evaluated on `inputs`, each output
  /// compared with rescompile's `actual` and the `expected` one. Nil where the evaluator cannot run the graph
  /// (it then has no opinion; the check's verdict stands as it is) or an output's shapes differ.
  static func of(
    _ graph: Graph, inputs: [String: Constant], actual: [Constant], expected: [Constant]
  ) -> [EvaluatorOpinion?] {
    let references = inputs.mapValues { ReferenceTensor(constant: $0) }
    guard let evaluated = try? ReferenceEvaluator.evaluate(graph, inputs: references),
      evaluated.count == actual.count, evaluated.count == expected.count
    else { return Array(repeating: nil, count: actual.count) }
    return evaluated.indices.map { index in
      let ours = distance(evaluated[index], ReferenceTensor(constant: actual[index]))
      let stored = distance(evaluated[index], ReferenceTensor(constant: expected[index]))
      guard let ours, let stored else { return nil }
      return EvaluatorOpinion(distanceToActual: ours, distanceToExpected: stored)
    }
  }

  /// The largest absolute difference of two tensors of one shape, nil for tensors of different shapes.
  private static func distance(_ evaluated: ReferenceTensor, _ other: ReferenceTensor) -> Double? {
    let comparison = ToleranceComparison(actual: other, expected: evaluated, rtol: 0, atol: 0)
    return comparison.structuralMismatch == nil ? comparison.maxAbsoluteError : nil
  }
}
