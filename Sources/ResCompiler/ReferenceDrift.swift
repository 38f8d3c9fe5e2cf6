import ResReference

/// `--verify-each`: how far each pass moves the model's outputs, measured with the reference evaluator.
///
/// The unoptimized graph is evaluated once on seeded inputs (`SeededInputs`: symbolic dimensions take their
/// `--dim` value, else 1); `measure` evaluates a graph a pass left on the same inputs and compares every output
/// with the unoptimized one. Comparing with the start rather than with the previous pass makes drift
/// cumulative, which is what a user checking the final plan cares about, and names the first pass that
/// crosses the tolerance. The evaluator is naive (Double accumulation): on a full-size model each evaluation
/// takes a while, which is the price of an oracle that is obviously right.
public struct ReferenceDrift: Sendable {
  /// The seed of the generated inputs; fixed, so that runs are repeatable.
  public static let defaultSeed: UInt64 = 0x5EED_0001

  public let seed: UInt64
  public let tolerance: OutputTolerance
  private let inputs: [String: ReferenceTensor]
  private let baseline: [ReferenceTensor]
  private let outputNames: [String]

  /// Evaluates `graph` (the model before any pass) once: the baseline every later measurement compares with.
  public init(
    unoptimized graph: Graph, dimensionBindings: [String: Int] = [:], seed: UInt64 = defaultSeed,
    tolerance: OutputTolerance? = nil
  ) throws(ModelError) {
    self.seed = seed
    self.tolerance = tolerance ?? .defaults(for: graph)
    inputs = try SeededInputs.make(for: graph, seed: seed, dimensionBindings: dimensionBindings)
    baseline = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    outputNames = graph.outputs.map { graph[$0].name }
  }

  /// The unoptimized model's drift from itself (zero everywhere): what a pass that changes nothing keeps.
  public var baselineDrift: [OutputDrift] {
    zip(outputNames, baseline).map { name, tensor in
      OutputDrift(
        output: name, ToleranceComparison(actual: tensor, expected: tensor, rtol: tolerance.rtol, atol: tolerance.atol))
    }
  }

  /// The drift of each output of `graph` from the unoptimized model's, in output order.
  public func measure(_ graph: Graph) throws(ModelError) -> [OutputDrift] {
    let outputs = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    guard outputs.count == baseline.count else {
      let names = outputNames.joined(separator: ", ")
      return [OutputDrift(output: names, outputs: outputs.count, expected: baseline.count)]
    }
    return zip(outputNames, zip(outputs, baseline)).map { name, pair in
      OutputDrift(
        output: name,
        ToleranceComparison(actual: pair.0, expected: pair.1, rtol: tolerance.rtol, atol: tolerance.atol))
    }
  }
}

/// How far one graph output moved from the unoptimized model's.
public struct OutputDrift: Sendable, Hashable {
  public var output: String
  /// The largest `|optimized − unoptimized|` over the output's elements.
  public var maxAbsoluteError: Double
  /// The largest `|optimized − unoptimized| / |unoptimized|` (infinite where the unoptimized value is 0 and
  /// the optimized one is not).
  public var maxRelativeError: Double
  /// Elements outside the tolerance, of how many.
  public var mismatchCount: Int
  public var elementCount: Int
  /// Why the output cannot be compared element by element (its shape or type changed), if so.
  public var structuralMismatch: String?

  public var withinTolerance: Bool { structuralMismatch == nil && mismatchCount == 0 }

  init(output: String, _ comparison: ToleranceComparison) {
    self.output = output
    maxAbsoluteError = comparison.maxAbsoluteError
    maxRelativeError = comparison.maxRelativeError
    mismatchCount = comparison.mismatchCount
    elementCount = comparison.elementCount
    structuralMismatch = comparison.structuralMismatch
  }

  init(output: String, outputs: Int, expected: Int) {
    self.output = output
    (maxAbsoluteError, maxRelativeError, mismatchCount, elementCount) = (0, 0, 0, 0)
    structuralMismatch = "the graph has \(outputs) outputs, the unoptimized model \(expected)"
  }
}
