import Foundation
import ResIR
import Testing

@testable import ResONNX

/// `ONNXImportOptions.residualMismatch = .zeroPad`: the importer puts the projection on the skip operand of an
/// Add or Sum whose operands cannot broadcast, names it after the node, records the change, and refuses with
/// the reason when the mismatch is not one a zero-pad projection repairs. Operands that broadcast are left
/// alone, and without the option the same models are errors.
@Suite struct ResidualProjectionImportTests {
  /// `y = op(a, b)` over two graph inputs.
  private func model(_ a: [TestModel.DimSpec], _ b: [TestModel.DimSpec], op: String = "Add") -> TestModel {
    var model = TestModel()
    model.input("a", .float, a)
    model.input("b", .float, b)
    model.node(op, ["a", "b"], ["y"], name: "block.add")
    model.output("y")
    return model
  }

  private func importZeroPad(_ model: TestModel) throws(ModelError) -> ImportedModel {
    try ONNXImporter.importModel(
      bytes: model.bytes, baseDirectory: nil, options: ONNXImportOptions(residualMismatch: .zeroPad))
  }

  @Test(arguments: [
    ("Add", [1, 8, 4, 4], [1, 4, 8, 8], 1, [2, 2], "f32[1,8,4,4]"),
    ("Add", [1, 4, 8, 8], [1, 8, 4, 4], 0, [2, 2], "f32[1,8,4,4]"),
    ("Sum", [1, 8, 4, 4], [1, 4, 7, 7], 1, [2, 2], "f32[1,8,4,4]"),
    ("Add", [1, 8, 4, 4], [1, 8, 8, 8], 1, [2, 2], "f32[1,8,4,4]"),
    ("Add", [1, 8, 6, 6], [1, 4, 6, 6], 1, [1, 1], "f32[1,8,6,6]"),
  ] as [(String, [Int], [Int], Int, [Int], String)])
  func projectsTheSkipOperand(
    _ op: String, _ a: [Int], _ b: [Int], _ skipSlot: Int, _ strides: [Int], _ result: String
  ) throws {
    let imported = try importZeroPad(model(a.map { .value($0) }, b.map { .value($0) }, op: op))
    let graph = imported.graph
    try Verifier.verify(graph)
    #expect(graph.nodes.map(\.name) == ["block.add.projection", "block.add"])
    let projection = graph.nodes[0]
    guard case .conv(let attributes) = projection.op else {
      Issue.record("the projection is \(projection.op.onnxName)")
      return
    }
    #expect(attributes.strides == strides && attributes.kernelShape == [1, 1])
    #expect(projection.input(0) == graph.inputs[skipSlot])
    #expect(graph.nodes[1].inputs[skipSlot] == projection.outputs[0])
    #expect(graph.nodes[1].inputs[1 - skipSlot] == graph.inputs[1 - skipSlot])
    #expect(graph.type(of: graph.outputs[0]).description == result)
    #expect(imported.modelChanges.count == 1)
    let change = "inserted Conv 'block.add.projection' on operand \(skipSlot + 1)"
    #expect(imported.modelChanges.first?.contains(change) == true)
  }

  @Test func operandsThatBroadcastAreLeftAlone() throws {
    let imported = try importZeroPad(model([1, 8, 4, 4], [1, 8, 1, 1]))
    #expect(imported.graph.nodes.map(\.name) == ["block.add"])
    #expect(imported.modelChanges.isEmpty)
  }

  @Test func generatedNamesAvoidTheModelsNames() throws {
    var model = TestModel()
    model.input("a", .float, [1, 8, 4, 4])
    model.input("block.add.projection", .float, [1, 4, 8, 8])
    model.node("Add", ["a", "block.add.projection"], ["y"], name: "block.add")
    model.output("y")
    let graph = try importZeroPad(model).graph
    try Verifier.verify(graph)
    let names = graph.nodes[0].outputs.map { graph[$0].name }
    #expect(names == ["block.add.projection_1"])
  }

  @Test(arguments: [
    ([1, 16, 8, 8], [1, 8, 4, 4], "channels shrink from 16 to 8"),
    ([1, 4, 7, 7], [1, 8, 5, 5], "no integer stride"),
    ([1, 4, 8, 4], [1, 8, 4, 8], "neither operand's spatial size"),
  ] as [([Int], [Int], String)])
  func refusesWithTheReason(_ a: [Int], _ b: [Int], _ reason: String) {
    let mismatched = model(a.map { .value($0) }, b.map { .value($0) })
    for error in [mismatched.importError(), Self.error { () throws(ModelError) in _ = try importZeroPad(mismatched) }] {
      #expect(error?.node == "block.add" && error?.opType == "Add")
      #expect(error?.message.contains("--residual-mismatch zero-pad cannot repair it: \(reason)") == true,
        "\(error?.message ?? "no error")")
    }
  }

  @Test func withoutTheOptionTheMismatchIsAnError() {
    let error = model([1, 8, 4, 4], [1, 4, 8, 8]).importError()
    #expect(error?.message.contains("--residual-mismatch zero-pad repairs it") == true)
  }

  private static func error(_ body: () throws(ModelError) -> Void) -> ModelError? {
    do {
      try body()
      return nil
    } catch {
      return error
    }
  }
}
