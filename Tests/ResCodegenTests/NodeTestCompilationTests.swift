import Foundation
import ResCodegen
import ResIR
import ResONNX
import ResTestSupport
import Testing

/// ONNX's own backend node tests (`../shared/onnx-node`), compiled: every test the importer takes must compile
/// to a valid plan, or be refused with a `ModelError` for a documented reason. Inputs that feed shape, axes or
/// pads operands are bound at import from the test's data, as the execution harness does; the other inputs stay
/// graph inputs. Running the plans is the runtime's end-to-end test; this one checks lowering on hundreds of
/// small graphs with every attribute corner ONNX thought of.
@Suite struct NodeTestCompilationTests {
  /// Why codegen may refuse a model the importer took: the compute kernels are f32 only (integer pooling).
  static let acceptedRefusals = ["compute in float only"]

  @Test func everyImportableNodeTestCompiles() throws {
    let index = try String(contentsOfFile: RepoPaths.nodeTests + "/INDEX.tsv", encoding: .utf8)
    let names = index.split(separator: "\n").dropFirst().compactMap { $0.split(separator: "\t").first.map(String.init) }
    #expect(names.count > 1000, "INDEX.tsv lists only \(names.count) node tests")
    var compiled = 0
    var refused = 0
    for name in names {
      guard let graph = try? Self.importGraph(name) else { continue }
      let plan: GeneratedPlan
      do {
        plan = try PlanGenerator.generate(graph)
      } catch {
        #expect(Self.acceptedRefusals.contains { error.message.contains($0) }, "\(name): \(error)")
        refused += 1
        continue
      }
      #expect(PlanValidation.problems(try DecodedPlan(plan.bytes)) == [], "\(name)")
      compiled += 1
    }
    print("node tests: \(compiled) compiled, \(refused) refused for a documented reason")
    #expect(compiled >= 300)
  }

  /// Imports a node test with its shape-operand inputs bound to the test's data.
  static func importGraph(_ name: String) throws -> Graph {
    let folder = RepoPaths.nodeTests + "/" + name
    let model = folder + "/model.onnx"
    var bindings: [String: Constant] = [:]
    let bound = try ONNXImporter.shapeOperandInputs(at: model)
    if !bound.isEmpty {
      let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/test_data_set_0")
      for file in files where file.hasPrefix("input_") {
        let tensor = try ONNXTensorFile.read(at: folder + "/test_data_set_0/" + file)
        if bound.contains(tensor.name) { bindings[tensor.name] = tensor.value }
      }
    }
    return try ONNXImporter.importModel(at: model, options: ONNXImportOptions(inputBindings: bindings)).graph
  }
}
