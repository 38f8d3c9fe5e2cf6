import Foundation
import ResCompiler
import ResONNX
import ResRuntime
import ResTestSupport
import Testing

/// DESIGN.md §6, layer 4: every committed fixture compiled at -O2 and run by the runtime computes the outputs
/// onnxruntime stored in its `test_data_set_0`, within rtol 1e-3 / atol 1e-4. This covers every fusion the
/// optimizer makes (BatchNorm folding, ScaleShift, epilogues) down to the kernels that execute them.
@Suite struct FixtureEndToEndTests {
  static let (rtol, atol) = (1e-3, 1e-4)

  struct Fixture: Sendable, CustomTestStringConvertible {
    var name: String
    var bindings: [String: Int]
    var testDescription: String { name }
    var folder: String { RepoPaths.fixtures + "/models/" + name }
  }

  /// The manifest's fixtures; symbolic input dimensions bound from the shapes of the fixture's test data.
  static let fixtures: [Fixture] = {
    guard let data = FileManager.default.contents(atPath: RepoPaths.fixtures + "/MANIFEST.json"),
      let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let entries = manifest["fixtures"] as? [[String: Any]]
    else { return [] }
    return entries.compactMap { entry in
      guard let name = entry["name"] as? String else { return nil }
      var bindings: [String: Int] = [:]
      let declared = entry["inputs"] as? [[String: Any]] ?? []
      let concrete = (entry["test_data"] as? [String: Any])?["inputs"] as? [[String: Any]] ?? []
      for (input, values) in zip(declared, concrete) {
        let sizes = values["shape"] as? [Int] ?? []
        for case (let symbol as String, let size) in zip(input["shape"] as? [Any] ?? [], sizes) {
          bindings[symbol] = size
        }
      }
      return Fixture(name: name, bindings: bindings)
    }
  }()

  @Test func theManifestListsTheFixtures() {
    #expect(Self.fixtures.count >= 20)
  }

  @Test(arguments: fixtures)
  func optimizedPlanMatchesOnnxruntime(_ fixture: Fixture) throws {
    let model = try LoadedModel(contentsOf: fixture.folder + "/model.onnx")
    let compiled = try model.compile(options: CompileOptions(dimensionBindings: fixture.bindings, optimization: .full))
    let plan = try Plan(bytes: compiled.bytes)
    var inputs: [String: Tensor] = [:]
    for (position, description) in plan.inputs.enumerated() {
      inputs[description.name] = try Self.tensor(
        ONNXTensorFile.read(at: fixture.folder + "/test_data_set_0/input_\(position).pb").value)
    }
    let outputs = try Runner(plan).run(inputs)
    for (position, description) in plan.outputs.enumerated() {
      let expected = try ONNXTensorFile.read(at: fixture.folder + "/test_data_set_0/output_\(position).pb").value
      let actual = try #require(outputs[description.name], "\(fixture.name): no output '\(description.name)'")
      #expect(actual.shape == expected.dims, "\(fixture.name): output '\(description.name)'")
      let worst = Self.worstViolation(actual: actual.floats.map(Double.init), expected: expected.doubles())
      #expect(worst == nil, "\(fixture.name) output '\(description.name)': \(worst ?? "")")
    }
    print("end-to-end \(fixture.name): \(plan.stepCount) steps at -O2 match onnxruntime")
  }

  /// A runtime tensor holding `constant`'s bytes.
  static func tensor(_ constant: Constant) throws -> Tensor {
    let elementType = try #require(ElementType(rawValue: constant.dtype.rawValue))
    let bytes = constant.bytes.withUnsafeBytes { Array($0) }
    return try Tensor(bytes: bytes, elementType: elementType, shape: constant.dims)
  }

  /// The element furthest outside `|a − e| ≤ atol + rtol·|e|`, described, or nil when all are within.
  static func worstViolation(actual: [Double], expected: [Double]) -> String? {
    guard actual.count == expected.count else { return "\(actual.count) values, expected \(expected.count)" }
    var worst: (index: Int, excess: Double)?
    for (index, (a, e)) in zip(actual, expected).enumerated() {
      let excess = a.isNaN ? Double.infinity : abs(a - e) - (atol + rtol * abs(e))
      if excess > max(worst?.excess ?? 0, 0) { worst = (index, excess) }
    }
    return worst.map { "element \($0.index) is \(actual[$0.index]), expected \(expected[$0.index])" }
  }
}
