import ResIR
import ResReference
import ResRuntime

extension LoadedModel {
  /// `rescompile check` with reference data: compiles the model with `options` (symbolic dimensions that
  /// `options` leaves open bound from each data set's inputs), runs every data set, and compares every output
  /// with the stored one under `|actual − expected| ≤ atol + rtol·|expected|` (a tolerance not given is
  /// `OutputTolerance.defaults(for:)` the model's graph).
  ///
  /// A data set with an output beyond the tolerance is also run through the reference evaluator, whose
  /// distance from both sides goes with each failed output (`EvaluatorOpinion`): only then, since the evaluator
  /// is slow on large models and a passing check has nothing to arbitrate.
  ///
  /// Throws for anything that prevents the comparison (a model that does not compile, a data set whose file
  /// counts or shapes do not fit the model); a mismatch is a result, not an error.
  public func check(
    against dataSets: [TestDataSet], options: CompileOptions, rtol: Double? = nil, atol: Double? = nil,
    threads: Int = 1
  ) throws -> CheckReport {
    let tolerance = tolerance(rtol: rtol, atol: atol)
    var session = CheckSession(model: self, options: options, threads: threads)
    var results: [CheckReport.OutputResult] = []
    for dataSet in dataSets {
      let inputs = try dataSet.namedInputs(inputNames)
      let outputs = try session.run(inputs)
      guard dataSet.expectedOutputs.count == outputs.count else {
        throw ModelError(
          "'\(dataSet.folder)' holds \(dataSet.expectedOutputs.count) expected output(s) (output_K.pb), the model "
            + "has \(outputs.count): " + outputs.map(\.name).joined(separator: ", "))
      }
      var setResults = zip(outputs, dataSet.expectedOutputs).map { output, expected in
        Self.compare(output, ReferenceTensor(constant: expected), dataSet: dataSet.name, tolerance: tolerance)
      }
      if setResults.contains(where: { !$0.comparison.passed }) {
        let opinions = EvaluatorOpinion.of(
          graph, inputs: inputs, actual: outputs.map(\.value), expected: dataSet.expectedOutputs)
        for index in setResults.indices where !setResults[index].comparison.passed {
          setResults[index].evaluatorOpinion = opinions[index]
        }
      }
      results += setResults
    }
    return session.report(.testData(folders: dataSets.map(\.folder)), results, tolerance: tolerance)
  }

  /// `rescompile check` without reference data: seeded inputs through the reference evaluator on the imported
  /// graph (the oracle: no pass, no kernel) and through the compiled plan, every output compared.
  public func checkAgainstReference(
    seed: UInt64, options: CompileOptions, rtol: Double? = nil, atol: Double? = nil, threads: Int = 1
  ) throws -> CheckReport {
    let tolerance = tolerance(rtol: rtol, atol: atol)
    let seeded = try SeededInputs.make(for: graph, seed: seed, dimensionBindings: options.dimensionBindings)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: seeded)
    var session = CheckSession(model: self, options: options, threads: threads)
    let outputs = try session.run(seeded.mapValues { Constant($0) })
    let results = zip(outputs, expected).map { output, reference in
      Self.compare(output, reference, dataSet: "seeded inputs", tolerance: tolerance)
    }
    return session.report(.referenceEvaluator(seed: seed), results, tolerance: tolerance)
  }

  /// The tolerance `check` compares with: the values given, the others this model's defaults.
  private func tolerance(rtol: Double?, atol: Double?) -> OutputTolerance {
    let defaults = OutputTolerance.defaults(for: graph)
    return OutputTolerance(rtol: rtol ?? defaults.rtol, atol: atol ?? defaults.atol)
  }

  private static func compare(
    _ output: (name: String, value: Constant), _ expected: ReferenceTensor, dataSet: String, tolerance: OutputTolerance
  ) -> CheckReport.OutputResult {
    let comparison = ToleranceComparison(
      actual: ReferenceTensor(constant: output.value), expected: expected, rtol: tolerance.rtol, atol: tolerance.atol)
    let type = "\(expected.dtype.rawValue)[\(expected.shape.map(String.init).joined(separator: ","))]"
    return CheckReport.OutputResult(dataSet: dataSet, output: output.name, type: type, comparison: comparison)
  }
}

/// Compiles a model once per distinct set of dimension bindings and runs it, timing both.
private struct CheckSession {
  let model: LoadedModel
  let options: CompileOptions
  let threads: Int
  private var plans: [[String: Int]: Plan] = [:]
  private var compileTime = Duration.zero
  private var runTime = Duration.zero
  private var stepCount = 0
  private var fourByFourWinogradSteps = 0
  private let clock = ContinuousClock()

  init(model: LoadedModel, options: CompileOptions, threads: Int) {
    self.model = model
    self.options = options
    self.threads = threads
  }

  mutating func run(_ inputs: [String: Constant]) throws -> [(name: String, value: Constant)] {
    let bindings = try model.dimensionBindings(matching: inputs, explicit: options.dimensionBindings)
    let plan = try plan(for: bindings)
    let runner = try Runner(plan, threads: threads)
    let start = clock.now
    let outputs = try runner.run(constants: inputs)
    runTime += clock.now - start
    return outputs
  }

  private mutating func plan(for bindings: [String: Int]) throws -> Plan {
    if let plan = plans[bindings] { return plan }
    let start = clock.now
    var bound = options
    bound.dimensionBindings = bindings
    let plan = try model.compile(options: bound).loaded()
    compileTime += clock.now - start
    plans[bindings] = plan
    stepCount = plan.stepCount
    fourByFourWinogradSteps = plan.winogradOutputTiles.count { $0 == 4 }
    return plan
  }

  func report(
    _ reference: CheckReport.Reference, _ results: [CheckReport.OutputResult], tolerance: OutputTolerance
  ) -> CheckReport {
    CheckReport(
      reference: reference, results: results, tolerance: tolerance, compileTime: compileTime, runTime: runTime,
      stepCount: stepCount, fourByFourWinogradSteps: fourByFourWinogradSteps,
      float16Model: OutputTolerance.narrowestFloat(in: model.graph) == .float16)
  }
}
