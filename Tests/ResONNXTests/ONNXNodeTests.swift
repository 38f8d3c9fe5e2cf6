import Foundation
import ResIR
import ResTestSupport
import Testing

@testable import ResONNX

/// ONNX's own backend node tests (`../shared/onnx-node`): every test whose operators and element types are
/// all in scope must import and verify, and the types inference gives the graph outputs must be those of the
/// expected outputs; the few that exercise training or MaxPool's indices must fail with the right error.
/// Tests outside the scope must be refused with a ModelError when only their element types are out of scope.
/// The run prints a report: counts per op family and every excluded test with its reasons.
///
/// Inputs that feed shape, axes and pads operands are bound from the test's own input data, as the
/// execution harness will do (rescompile compiles static-shape programs).
@Suite struct ONNXNodeTests {
  /// Where the node tests live (`../shared/onnx-node` next to the checkout); `RESCOMPILE_ONNX_NODE_TESTS`
  /// overrides it.
  static var root: String {
    ProcessInfo.processInfo.environment["RESCOMPILE_ONNX_NODE_TESTS"] ?? RepoPaths.nodeTests
  }

  /// Node tests that must be rejected, and the error each must give.
  static let expectedErrors: [String: String] = [
    "test_batchnorm_epsilon_training_mode":
      "training mode is not supported (statistics output 'output_mean' is used)",
    "test_batchnorm_example_training_mode":
      "training mode is not supported (statistics output 'output_mean' is used)",
    "test_training_dropout": "training mode is not supported (training_mode is true)",
    "test_training_dropout_default": "training mode is not supported (training_mode is true)",
    "test_training_dropout_default_mask": "training mode is not supported (training_mode is true)",
    "test_training_dropout_mask": "training mode is not supported (training_mode is true)",
    "test_training_dropout_zero_ratio": "training mode is not supported (training_mode is true)",
    "test_training_dropout_zero_ratio_mask": "training mode is not supported (training_mode is true)",
    "test_maxpool_with_argmax_2d_precomputed_pads": "the Indices output ('z') is not supported",
    "test_maxpool_with_argmax_2d_precomputed_strides": "the Indices output ('z') is not supported",
    "test_resize_downsample_scales_cubic_antialias": "antialias=1 is not supported",
    "test_resize_downsample_sizes_cubic_antialias": "antialias=1 is not supported",
    "test_resize_downsample_scales_linear_antialias": "antialias=1 is not supported",
    "test_resize_downsample_sizes_linear_antialias": "antialias=1 is not supported",
    "test_resize_tf_crop_and_resize": Self.cropRefusal,
    "test_resize_tf_crop_and_resize_axes_2_3": Self.cropRefusal,
    "test_resize_tf_crop_and_resize_axes_3_2": Self.cropRefusal,
    "test_resize_tf_crop_and_resize_extrapolation_value": Self.cropRefusal,
    "test_attention_4d_causal_nonpad_attn_mask_composition": "nonpad_kv_seqlen is not supported",
    "test_attention_4d_causal_nonpad_batch_prefill": "nonpad_kv_seqlen is not supported",
    "test_attention_4d_causal_nonpad_continued_prefill": "nonpad_kv_seqlen is not supported",
    "test_attention_4d_causal_nonpad_negative_offset_structural_empty": "nonpad_kv_seqlen is not supported",
    "test_attention_4d_diff_heads_mask4d_padded_kv": "nonpad_kv_seqlen is not supported",
    "test_attention_4d_gqa_causal_nonpad_decode": "nonpad_kv_seqlen is not supported",
    "test_attention_4d_gqa_causal_nonpad_decode_fp16": "nonpad_kv_seqlen is not supported",
    "test_dequantizelinear_blocked": "blocked quantization (block_size) is not supported",
    "test_quantizelinear_blocked_asymmetric": "blocked quantization (block_size) is not supported",
    "test_einsum_batch_diagonal":
      "Einsum '...ii ->...i': a label repeated within one operand (a diagonal) is not supported: 'i' in operand 1",
    "test_einsum_sum":
      "Einsum 'ij->i': a sum over a label of only one operand is not supported: 'j' of operand 1 is not in the output",
  ]

  /// Resize's coordinate mode that is not supported; antialiasing is refused too.
  static let cropRefusal =
    "coordinate_transformation_mode 'tf_crop_and_resize' is not supported (half_pixel, half_pixel_symmetric, "
    + "pytorch_half_pixel, align_corners and asymmetric are)"

  static func tensor(at path: String) throws -> Onnx_TensorProto {
    try Onnx_TensorProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  static func constant(at path: String) throws -> Constant {
    let decoder = TensorDecoder(file: nil, externalData: ExternalData(baseDirectory: nil))
    return try decoder.constant(from: try tensor(at: path), error: { ModelError("\(path): \($0)") })
  }

  /// Imports one node test in scope, binding its shape operand inputs, and verifies the graph.
  static func outcome(_ name: String) throws -> NodeTestReport.Outcome {
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
      guard let expected = expectedErrors[name] else { return .failed(["import failed: \(error)"]) }
      return error.message == expected ? .rejectedAsExpected : .failed(["expected error '\(expected)', got '\(error)'"])
    }
    if let expected = expectedErrors[name] { return .failed(["imported, but expected the error '\(expected)'"]) }
    var problems: [String] = []
    do {
      try Verifier.verify(imported.graph)
    } catch {
      problems.append("verifier: \(error)")
    }
    for (position, output) in imported.graph.outputs.enumerated() {
      let reference = try tensor(at: folder + "/test_data_set_0/output_\(position).pb")
      let expected = TensorType(
        ONNXDataType.dtype(code: Int(reference.dataType)) ?? .float32, dims: reference.dims.map { Int($0) })
      let inferred = imported.graph.type(of: output)
      if inferred != expected {
        problems.append("output \(position) ('\(imported.graph[output].name)') is \(inferred), expected \(expected)")
      }
    }
    return problems.isEmpty ? .imported : .failed(problems)
  }

  /// A test excluded only for its element types uses supported operators on types the IR does not have:
  /// the importer must refuse it with an error that says so (an element type, or a sequence or optional
  /// where a tensor belongs), never import it or crash. Returns the problem, if any.
  static func refusal(ofUnsupportedTypes entry: NodeTestIndex.Entry) -> String? {
    do {
      _ = try ONNXImporter.importModel(at: root + "/" + entry.name + "/model.onnx")
      return "imported, but its element types (\(entry.unsupportedElementTypes ?? "")) are not supported"
    } catch {
      let saysWhy = error.message.contains("is not supported") || error.message.contains("is not a tensor")
      return saysWhy ? nil : "refused for another reason: \(error)"
    }
  }

  @Test func nodeTestsInScopeImportWithTheExpectedOutputTypes() throws {
    let index = try NodeTestIndex(folder: Self.root)
    var report = NodeTestReport()
    var acceptedUnsupportedTypes: [String] = []
    for entry in index.entries.sorted(by: { $0.name < $1.name }) {
      let reasons = entry.exclusionReasons
      guard !reasons.isEmpty else {
        report.record(entry, try Self.outcome(entry.name))
        continue
      }
      report.record(entry, .excluded(reasons))
      if reasons.count == 1, entry.unsupportedElementTypes != nil, let problem = Self.refusal(ofUnsupportedTypes: entry)
      {
        acceptedUnsupportedTypes.append("\(entry.name): \(problem)")
      }
    }
    print(report.text)
    #expect(report.inScope > 300, "only \(report.inScope) node tests in scope: is INDEX.tsv complete?")
    #expect(
      report.failures.isEmpty,
      "\(report.failures.count) node test problems:\n\(report.failures.joined(separator: "\n"))")
    #expect(acceptedUnsupportedTypes.isEmpty, "\(acceptedUnsupportedTypes.joined(separator: "\n"))")
  }

  @Test func missingNodeTestsAreAnErrorSayingWhere() throws {
    let folder = try TemporaryFolder()
    let error = try #require(throws: NodeTestIndex.IndexError.self) {
      try NodeTestIndex(folder: folder.path + "/onnx-node")
    }
    #expect(error.description.contains("ONNX's backend node tests are missing: \(folder.path)/onnx-node/INDEX.tsv"))
    #expect(error.description.contains("RESCOMPILE_ONNX_NODE_TESTS"))
  }

  @Test(arguments: [
    "test_conv_with_strides_padding", "test_batchnorm_epsilon", "test_lstm_defaults", "test_gemm_default_scalar_bias",
  ])
  func namedNodeTestsImport(name: String) throws {
    let outcome = try Self.outcome(name)
    guard case .imported = outcome else {
      Issue.record("\(name): \(outcome)")
      return
    }
  }
}
