import Foundation
import ResIR
import Testing

@testable import ResONNX

/// ONNX's own backend node tests (`../shared/onnx-node`): every test whose operators and element types are
/// all in scope must import, and the types inference gives the graph outputs must be those of the expected
/// outputs; the few that exercise training or MaxPool's indices must fail with the right error.
///
/// Inputs that feed shape, axes and pads operands are bound from the test's own input data, as the
/// execution harness will do (rescompile compiles static-shape programs).
@Suite struct ONNXNodeTests {
  /// Where the node tests live, relative to this package's root; `RESCOMPILE_ONNX_NODE_TESTS` overrides it.
  static var root: String {
    if let override = ProcessInfo.processInfo.environment["RESCOMPILE_ONNX_NODE_TESTS"] { return override }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/onnx-node").path
  }

  static let supportedElementTypes: Set<String> = [
    "float", "float16", "double", "int64", "int32", "int8", "uint8", "bool", "",
  ]

  /// Node tests that must be rejected, and the error each must give.
  static let expectedErrors: [String: String] = [
    "test_batchnorm_epsilon_training_mode": "training mode is not supported (training_mode=1)",
    "test_batchnorm_example_training_mode": "training mode is not supported (training_mode=1)",
    "test_training_dropout": "training mode is not supported (training_mode is true)",
    "test_training_dropout_default": "training mode is not supported (training_mode is true)",
    "test_training_dropout_default_mask": "training mode is not supported (training_mode is true)",
    "test_training_dropout_mask": "training mode is not supported (training_mode is true)",
    "test_training_dropout_zero_ratio": "training mode is not supported (training_mode is true)",
    "test_training_dropout_zero_ratio_mask": "training mode is not supported (training_mode is true)",
    "test_maxpool_with_argmax_2d_precomputed_pads": "the Indices output ('z') is not supported",
    "test_maxpool_with_argmax_2d_precomputed_strides": "the Indices output ('z') is not supported",
  ]

  /// The node tests in scope, read from INDEX.tsv.
  static func inScope() throws -> [String] {
    let index = try String(contentsOfFile: root + "/INDEX.tsv", encoding: .utf8)
    let lines = index.split(separator: "\n").map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    let header = try #require(lines.first)
    func column(_ name: String) throws -> Int {
      try #require(header.firstIndex(of: name), "INDEX.tsv has no column \(name)")
    }
    let (test, ops, inputs, outputs, subgraph, functions) = (
      try column("test"), try column("op_types"), try column("input_dtypes"), try column("output_dtypes"),
      try column("has_subgraph"), try column("n_local_functions")
    )
    let supported = Set(OpSupport.firstOpset.keys)
    return lines.dropFirst().filter { row in
      row.count == header.count && row[subgraph] == "0" && row[functions] == "0"
        && Set(row[ops].split(separator: ",").map(String.init)).isSubset(of: supported)
        && Set(row[inputs].split(separator: ",", omittingEmptySubsequences: false).map(String.init))
          .isSubset(of: supportedElementTypes)
        && Set(row[outputs].split(separator: ",", omittingEmptySubsequences: false).map(String.init))
          .isSubset(of: supportedElementTypes)
    }.map { $0[test] }
  }

  static func tensor(at path: String) throws -> Onnx_TensorProto {
    try Onnx_TensorProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  static func constant(at path: String) throws -> Constant {
    let decoder = TensorDecoder(file: nil, externalData: ExternalData(baseDirectory: nil))
    return try decoder.constant(from: try tensor(at: path), error: { ModelError("\(path): \($0)") })
  }

  /// Imports one node test, binding its shape operand inputs; returns the problems found.
  static func check(_ name: String) throws -> [String] {
    let folder = root + "/" + name
    let modelPath = folder + "/model.onnx"
    let loaded = try LoadedModel.load(path: modelPath)
    let initializers = Set(loaded.model.graph.initializer.map(\.name))
    let inputNames = loaded.model.graph.input.map(\.name).filter { !initializers.contains($0) }
    var bindings: [String: Constant] = [:]
    for bound in try ONNXImporter.shapeOperandInputs(at: modelPath) {
      let position = try #require(inputNames.firstIndex(of: bound))
      bindings[bound] = try constant(at: folder + "/test_data_set_0/input_\(position).pb")
    }
    let imported: ImportedModel
    do {
      imported = try ONNXImporter.importModel(at: modelPath, options: ONNXImportOptions(inputBindings: bindings))
    } catch {
      guard let expected = expectedErrors[name] else { return ["import failed: \(error)"] }
      return error.message == expected ? [] : ["expected error '\(expected)', got '\(error)'"]
    }
    if let expected = expectedErrors[name] { return ["imported, but expected the error '\(expected)'"] }
    var problems: [String] = []
    for (position, output) in imported.graph.outputs.enumerated() {
      let reference = try tensor(at: folder + "/test_data_set_0/output_\(position).pb")
      let expected = TensorType(
        ONNXDataType.dtype(code: Int(reference.dataType)) ?? .float32, dims: reference.dims.map { Int($0) })
      let inferred = imported.graph.type(of: output)
      if inferred != expected {
        problems.append("output \(position) ('\(imported.graph[output].name)') is \(inferred), expected \(expected)")
      }
    }
    return problems
  }

  @Test func nodeTestsInScopeImportWithTheExpectedOutputTypes() throws {
    #expect(
      FileManager.default.fileExists(atPath: Self.root + "/INDEX.tsv"), "ONNX node tests not found at \(Self.root)")
    let tests = try Self.inScope()
    #expect(tests.count > 300, "only \(tests.count) node tests in scope: is INDEX.tsv complete?")
    var failures: [String] = []
    for name in tests {
      failures += try Self.check(name).map { "\(name): \($0)" }
    }
    #expect(
      failures.isEmpty, "\(failures.count) of \(tests.count) node tests failed:\n\(failures.joined(separator: "\n"))")
  }

  @Test(arguments: [
    "test_conv_with_strides_padding", "test_batchnorm_epsilon", "test_lstm_defaults", "test_gemm_default_scalar_bias",
  ])
  func namedNodeTestsImport(name: String) throws {
    #expect(try Self.check(name) == [])
  }
}
