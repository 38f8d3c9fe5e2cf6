import Foundation
import ResCompiler
import ResReference
import ResRuntime
import ResTestSupport
import Testing

/// The residual mismatch of `fixtures/malformed/residual_mismatch.onnx` through the library: a downsampling
/// block without its shortcut, `Add(Conv(x) [1,8,4,4], x [1,4,7,7])`. By default it is an error naming the
/// node, both shapes and the option; with `ImportOptions(residualMismatch: .zeroPad)` the skip gets the
/// option-A projection, reported as a model change, and the outputs (reference evaluator and compiled plan)
/// are the main path plus ResNet's option A computed naively here: `x[:, c, 2h, 2w]` for the first 4
/// channels and 0 for the other 4 — the odd 7 sampled at 0, 2, 4, 6 (ceil semantics).
@Suite struct ResidualMismatchTests {
  let model = RepoPaths.fixtures + "/malformed/residual_mismatch.onnx"

  @Test func theDefaultIsAnErrorNamingTheNodeTheShapesAndTheOption() {
    #expect {
      _ = try LoadedModel(contentsOf: model)
    } throws: { error in
      guard let error = error as? ModelError else { return false }
      return error.node == "block.add" && error.opType == "Add"
        && error.message.hasPrefix("operands [1,8,4,4] and [1,4,7,7] cannot broadcast (invalid ONNX)")
        && error.message.contains("--residual-mismatch zero-pad") && error.message.contains("operand 2")
    }
  }

  @Test func zeroPadInsertsTheProjectionAndReportsIt() throws {
    let loaded = try LoadedModel(contentsOf: model, options: ImportOptions(residualMismatch: .zeroPad))
    #expect(loaded.modelChanges.count == 1)
    let change = try #require(loaded.modelChanges.first)
    for fragment in ["'block.add' (Add)", "'block.add.projection'", "operand 2", "strides [2,2]", "[8,4,1,1]"] {
      #expect(change.contains(fragment), "'\(fragment)' missing from: \(change)")
    }
    let projection = try #require(loaded.graph.nodes.first { $0.name == "block.add.projection" })
    guard case .conv(let attributes) = projection.op else {
      Issue.record("the projection is \(projection.op.onnxName), not a Conv")
      return
    }
    #expect(attributes.kernelShape == [1, 1] && attributes.strides == [2, 2] && attributes.group == 1)
    #expect(projection.input(2) == nil, "the projection has no bias")
    let weightValue = try #require(projection.input(1))
    let weight = try #require(loaded.graph.constant(weightValue))
    #expect(weight.dims == [8, 4, 1, 1])
    #expect(weight.doubles() == (0..<32).map { ($0 / 4 < 4 && $0 / 4 == $0 % 4) ? 1 : 0 })
    let optimized = try loaded.optimized()
    #expect(optimized.record.modelChanges == loaded.modelChanges)
  }

  @Test func theRepairComputesOptionA() throws {
    let loaded = try LoadedModel(contentsOf: model, options: ImportOptions(residualMismatch: .zeroPad))
    let x = (0..<196).map { Double(($0 * 37) % 23) / 8 - 1.25 }
    let input = ReferenceTensor(dtype: .float32, shape: [1, 4, 7, 7], doubles: x)
    let all = try ReferenceEvaluator.evaluateAll(loaded.graph, inputs: ["x": input])
    let conv = try #require(loaded.graph.nodes.first { $0.name == "block.conv" })
    let main = try #require(all[conv.outputs[0]]).doubles
    let expected = (0..<128).map { index -> Double in
      let (c, h, w) = (index / 16, index / 4 % 4, index % 4)
      return main[index] + (c < 4 ? x[c * 49 + 2 * h * 7 + 2 * w] : 0)
    }
    let reference = try #require(try ReferenceEvaluator.evaluate(loaded.graph, inputs: ["x": input]).first)
    #expect(reference.shape == [1, 8, 4, 4])
    #expect(maximumDifference(reference.doubles, expected) < 1e-6)

    let plan = try Plan(bytes: try loaded.compile().bytes)
    let outputs = try Runner(plan).run(["x": try Tensor(x.map(Float.init), shape: [1, 4, 7, 7])])
    let compiled = try #require(outputs["y"]).floats.map(Double.init)
    #expect(maximumDifference(compiled, expected) < 1e-5)
  }

  private func maximumDifference(_ a: [Double], _ b: [Double]) -> Double {
    a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
  }
}
