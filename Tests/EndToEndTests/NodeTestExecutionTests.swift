import Foundation
import ResCompiler
import ResONNX
import ResReference
import ResRuntime
import ResTestSupport
import Testing

/// ONNX's own backend node tests (`../shared/onnx-node`) compiled at -O0 and run by the runtime: every test in
/// the importer's scope must reproduce its expected outputs under ONNX's backend-test tolerance (rtol 1e-3,
/// atol 1e-7; integer and bool outputs exactly), or be refused for a documented reason. Prints passes per
/// operator and every excluded or refused test with its reason.
///
/// Inputs that feed shape, axes or pads operands are bound at import from the test's own data (plans have
/// static shapes); the other inputs are fed to the runner.
@Suite struct NodeTestExecutionTests {
  /// `onnx.backend.test.runner`'s defaults.
  static let (rtol, atol) = (1e-3, 1e-7)

  /// What the importer refuses on purpose (its own tests check these errors).
  static let documentedImportRefusals = [
    "training mode is not supported", "output ('z') is not supported",
    "a label repeated within one operand (a diagonal) is not supported",
    "a sum over a label of only one operand is not supported",
    "antialias=1 is not supported",
    "coordinate_transformation_mode 'tf_crop_and_resize' is not supported",
    "nonpad_kv_seqlen is not supported",
    "blocked quantization (block_size) is not supported",
  ]
  /// What codegen refuses on purpose: the compute kernels are f32 only (integer pooling, for one).
  static let documentedCompileRefusals = ["compute in float only"]

  enum Outcome {
    case passed
    case refused(String)
    case failed(String)
  }

  static func run(_ name: String) throws -> Outcome {
    let folder = NodeTestCatalog.root + "/" + name
    let modelPath = folder + "/model.onnx"
    let dataSet = try TestDataSet(folder: folder + "/test_data_set_0")
    var inputs = try dataSet.namedInputs(try NodeTestCatalog.inputNames(ofModelAt: modelPath))
    var bindings: [String: Constant] = [:]
    for bound in try ONNXImporter.shapeOperandInputs(at: modelPath) {
      bindings[bound] = inputs.removeValue(forKey: bound)
    }
    let graph: Graph
    do {
      graph = try ONNXImporter.importModel(at: modelPath, options: ONNXImportOptions(inputBindings: bindings)).graph
    } catch {
      return refusal(error, documented: documentedImportRefusals, stage: "import")
    }
    let generated: GeneratedPlan
    do {
      generated = try PlanGenerator.generate(graph)
    } catch {
      return refusal(error, documented: documentedCompileRefusals, stage: "compile")
    }
    let outputs: [(name: String, value: Constant)]
    do {
      outputs = try Runner(try Plan(bytes: generated.bytes)).run(constants: inputs)
    } catch {
      return .failed("run: \(error)")
    }
    return compare(outputs, dataSet.expectedOutputs)
  }

  private static func refusal(_ error: ModelError, documented: [String], stage: String) -> Outcome {
    documented.contains { error.message.contains($0) } ? .refused("\(stage): \(error)") : .failed("\(stage): \(error)")
  }

  private static func compare(_ outputs: [(name: String, value: Constant)], _ expected: [Constant]) -> Outcome {
    guard outputs.count == expected.count else {
      return .failed("\(outputs.count) outputs, the test has \(expected.count)")
    }
    var problems: [String] = []
    for (position, (output, reference)) in zip(outputs, expected).enumerated() {
      let exact = !reference.dtype.isFloatingPoint
      let comparison = ToleranceComparison(
        actual: ReferenceTensor(constant: output.value), expected: ReferenceTensor(constant: reference),
        rtol: exact ? 0 : rtol, atol: exact ? 0 : atol)
      if !comparison.passed { problems.append("output \(position) '\(output.name)': \(comparison)") }
    }
    return problems.isEmpty ? .passed : .failed(problems.joined(separator: "; "))
  }

  @Test func inScopeNodeTestsRunThroughTheRuntime() throws {
    let catalog = try NodeTestCatalog()
    var counts: [String: (passed: Int, run: Int)] = [:]
    var excluded: [String] = []
    var refused: [String] = []
    var failures: [String] = []
    for entry in catalog.entries {
      guard entry.exclusionReasons.isEmpty else {
        excluded.append("  \(entry.name): \(entry.exclusionReasons.joined(separator: "; "))")
        continue
      }
      switch try Self.run(entry.name) {
      case .passed:
        counts[entry.family, default: (0, 0)].passed += 1
      case .refused(let reason):
        refused.append("  \(entry.name): \(reason)")
        continue
      case .failed(let problem):
        failures.append("\(entry.name): \(problem)")
      }
      counts[entry.family, default: (0, 0)].run += 1
    }
    let passed = counts.values.reduce(0) { $0 + $1.passed }
    let run = counts.values.reduce(0) { $0 + $1.run }
    let perOperator = counts.keys.sorted().map { "\($0) \(counts[$0]?.passed ?? 0)/\(counts[$0]?.run ?? 0)" }
    print(
      """
      ONNX node tests through the runtime (-O0, rtol \(Self.rtol), atol \(Self.atol)): \(passed) of \(run) run \
      passed; \(refused.count) refused for a documented reason; \(excluded.count) outside the scope.
      Per operator (passed/run): \(perOperator.joined(separator: ", "))
      Refused (\(refused.count)):
      \(refused.joined(separator: "\n"))
      Excluded (\(excluded.count)):
      \(excluded.joined(separator: "\n"))
      """)
    #expect(run > 300, "only \(run) node tests ran: is INDEX.tsv complete?")
    #expect(failures.isEmpty, "\(failures.count) node tests failed:\n\(failures.joined(separator: "\n"))")
  }
}
