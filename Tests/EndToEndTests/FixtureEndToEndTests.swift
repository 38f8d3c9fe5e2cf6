import Foundation
import ResCompiler
import ResReference
import ResRuntime
import ResTestSupport
import Testing

/// DESIGN.md §6, layer 4: every fixture model (fixtures/MANIFEST.json) compiled at -O0 and at -O2, its plan
/// loaded and run by the runtime on `test_data_set_0`, every output compared with onnxruntime's stored output
/// under rtol 1e-3, atol 1e-4 (what `rescompile check` applies). Dynamic-batch fixtures are compiled for the
/// batch of their test data. One line per fixture and level gives the largest errors.
///
/// The steps are spelled out here (compile, load from bytes, run, compare) rather than going through
/// `LoadedModel.check`, so this suite is an oracle for `check` too.
@Suite struct FixtureEndToEndTests {
  static let (rtol, atol) = (1e-3, 1e-4)

  @Test func theManifestListsEveryFixtureFolder() throws {
    let folders = try FileManager.default.contentsOfDirectory(atPath: RepoPaths.fixtures + "/models").sorted()
    #expect(FixtureManifest.names.count >= 20, "fixtures/MANIFEST.json lists \(FixtureManifest.names.count)")
    #expect(FixtureManifest.names == folders)
  }

  @Test(arguments: FixtureManifest.names, [OptimizationLevel.none, .full])
  func matchesOnnxruntime(_ fixture: String, _ level: OptimizationLevel) throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel(fixture))
    let dataSet = try TestDataSet(folder: RepoPaths.fixtures + "/models/\(fixture)/test_data_set_0")
    let inputs = try dataSet.namedInputs(model.inputNames)
    let bindings = try model.dimensionBindings(matching: inputs)
    let compiled = try model.compile(options: CompileOptions(dimensionBindings: bindings, optimization: level))
    let outputs = try Runner(try Plan(bytes: compiled.bytes)).run(constants: inputs)

    try #require(outputs.count == dataSet.expectedOutputs.count && !outputs.isEmpty)
    #expect(outputs.map(\.name) == model.outputNames)
    var lines: [String] = []
    for (output, expected) in zip(outputs, dataSet.expectedOutputs) {
      let comparison = ToleranceComparison(
        actual: ReferenceTensor(constant: output.value), expected: ReferenceTensor(constant: expected),
        rtol: Self.rtol, atol: Self.atol)
      lines.append(
        "\(output.name): max abs error \(String(format: "%.2g", comparison.maxAbsoluteError)), "
          + "max rel error \(String(format: "%.2g", comparison.maxRelativeError))"
          + (comparison.passed ? "" : " FAILED"))
      #expect(comparison.passed, "\(fixture) -O\(level.rawValue) '\(output.name)': \(comparison)")
    }
    print("end-to-end \(fixture) -O\(level.rawValue) (\(compiled.summary.stepCount) steps): " + lines.joined(separator: "; "))
  }
}
