import Foundation
import ResIR
import ResReference
import ResTestSupport
import Testing

@testable import ResONNX

/// ONNX's own backend node tests (`../shared/onnx-node`), run through the reference evaluator: every test in
/// scope (its operators supported by the importer, its element types rescompile's) that imports must
/// reproduce the test's expected outputs under ONNX's backend-test tolerance (rtol 1e-3, atol 1e-7; integer
/// and bool outputs exactly). Pass counts per primary operator are printed.
///
/// Inputs that feed shape, axes or pads operands are bound at import from the test's own data, as the
/// execution harness will do. Tests the importer rejects (training mode, MaxPool's Indices) are counted, not
/// run: the importer's own tests check those errors.
@Suite struct ONNXNodeConformanceTests {
  static let supportedElementTypes: Set<String> = [
    "float", "float16", "double", "int64", "int32", "int8", "uint8", "bool", "",
  ]

  /// The ONNX backend tests' default tolerance (`onnx.backend.test.runner`).
  static let (rtol, atol) = (1e-3, 1e-7)

  /// The node tests in scope, with their primary operator, read from INDEX.tsv.
  static func inScope() throws -> [(test: String, op: String)] {
    let index = try String(contentsOfFile: RepoPaths.nodeTests + "/INDEX.tsv", encoding: .utf8)
    let rows = index.split(separator: "\n").map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    let header = try #require(rows.first)
    func column(_ name: String) throws -> Int {
      try #require(header.firstIndex(of: name), "INDEX.tsv has no column \(name)")
    }
    let (test, primary, ops, inputs, outputs, functions, opset) = (
      try column("test"), try column("primary_op"), try column("op_types_incl_subgraphs"),
      try column("input_dtypes"), try column("output_dtypes"), try column("n_local_functions"), try column("opset")
    )
    /// An operator counts from its first opset on (Scan-8's batched form is not on the list).
    func supported(_ op: String, at opset: Int?) -> Bool {
      OpSupport.firstOpset[op].map { $0 <= opset ?? $0 } ?? false
    }
    func types(_ cell: String) -> Set<String> {
      Set(cell.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }
    return rows.dropFirst().filter { row in
      row.count == header.count && row[functions] == "0"
        && row[ops].split(separator: ",").allSatisfy { supported(String($0), at: Int(row[opset])) }
        && types(row[inputs]).isSubset(of: supportedElementTypes)
        && types(row[outputs]).isSubset(of: supportedElementTypes)
    }.map { (test: $0[test], op: $0[primary]) }
  }

  enum Outcome: Equatable {
    case passed
    case notImported
    case failed(String)
  }

  /// Imports one node test (binding its shape operand inputs), evaluates it on `test_data_set_0` and compares.
  static func run(_ name: String) throws -> Outcome {
    let folder = RepoPaths.nodeTests + "/" + name
    let modelPath = folder + "/model.onnx"
    var data = try ONNXTestData.inputs(of: folder)
    var bindings: [String: Constant] = [:]
    // A model the importer refuses outright (an opset before 7) has no shape operands to find.
    guard let shapeOperands = try? ONNXImporter.shapeOperandInputs(at: modelPath) else { return .notImported }
    for bound in shapeOperands {
      guard let value = data.removeValue(forKey: bound) else { return .failed("bound input '\(bound)' has no data") }
      bindings[bound] = Constant(dtype: value.dtype, dims: value.shape, doubles: value.doubles)
    }
    guard
      let graph = try? ONNXImporter.importModel(at: modelPath, options: ONNXImportOptions(inputBindings: bindings))
        .graph
    else { return .notImported }
    let outputs: [ReferenceTensor]
    do {
      outputs = try ReferenceEvaluator.evaluate(graph, inputs: data)
    } catch {
      return .failed("\(error)")
    }
    let problems = try ONNXTestData.compare(outputs, withExpectedIn: folder, rtol: rtol, atol: atol)
    return problems.isEmpty ? .passed : .failed(problems.joined(separator: "; "))
  }

  @Test func inScopeNodeTestsReproduceTheirOutputs() throws {
    #expect(
      FileManager.default.fileExists(atPath: RepoPaths.nodeTests + "/INDEX.tsv"),
      "ONNX node tests not found at \(RepoPaths.nodeTests)")
    let tests = try Self.inScope()
    #expect(tests.count > 300, "only \(tests.count) node tests in scope: is INDEX.tsv complete?")
    var counts: [String: (passed: Int, run: Int)] = [:]
    var failures: [String] = []
    var notImported = 0
    for (test, op) in tests {
      let outcome = try Self.run(test)
      switch outcome {
      case .notImported:
        notImported += 1
        continue
      case .passed:
        counts[op, default: (0, 0)].passed += 1
      case .failed(let problem):
        failures.append("\(test): \(problem)")
      }
      counts[op, default: (0, 0)].run += 1
    }
    let table = counts.keys.sorted().map { "\($0) \(counts[$0]?.passed ?? 0)/\(counts[$0]?.run ?? 0)" }
    let passed = counts.values.reduce(0) { $0 + $1.passed }
    print(
      "ONNX node tests through the reference evaluator: \(passed) of \(tests.count - notImported) passed "
        + "(\(notImported) not imported). Per operator: \(table.joined(separator: ", "))")
    #expect(failures.isEmpty, "\(failures.count) node tests failed:\n\(failures.joined(separator: "\n"))")
  }
}
