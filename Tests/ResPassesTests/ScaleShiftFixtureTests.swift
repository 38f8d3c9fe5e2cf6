import ResIR
import ResPasses
import ResReference
import Testing

/// Every committed fixture through the whole -O2 pipeline: the result verifies after each pass, computes what
/// the imported model computes on the fixture's test inputs, and keeps no BatchNormalization. Prints, per
/// fixture, what became of each BatchNormalization: folded into the Conv/Gemm/MatMul before it, a ScaleShift
/// (with the activation its epilogue took), a ScaleShift folded into the convolutions after it, or one that
/// became the input prologue of the 1x1 convolution reading it.
@Suite struct ScaleShiftFixtureTests {
  /// The optimized graph rounds the folded weights and the precomputed scale and shift to float32 once, where
  /// the imported graph rounds after each op; -O2 also fuses everything else, so this is the pipeline's drift.
  static let (rtol, atol) = (1e-4, 1e-5)

  @Test(arguments: FixtureModel.all())
  func everyBatchNormalizationIsHandledAtO2(_ fixture: FixtureModel) throws {
    let before = try fixture.imported()
    let run = try PassRun(Pipeline.passes(for: .full).map(\.name), on: before)
    let inputs = try fixture.testInputs(for: before)
    let expected = try ReferenceEvaluator.evaluate(before, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(run.graph, inputs: inputs)
    #expect(actual.count == expected.count)
    for (a, e) in zip(actual, expected) {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: Self.rtol, atol: Self.atol)
      #expect(comparison.passed, "\(fixture.name): \(comparison)")
    }
    let declines = run.declines(of: "batchnorm-to-scale-shift")
    #expect(run.graph.count(of: "BatchNormalization") == 0, "\(fixture.name): \(declines)")
    let fates = BatchNormFates(before: before, run: run)
    #expect(
      fates.total == before.count(of: "BatchNormalization"), "\(fixture.name): a BatchNormalization is unaccounted for")
    print("scale-shift \(fixture.name): \(fates)")
  }

  /// The pre-activation ResNet's seven BatchNormalizations: the four after the stem and the residual sums
  /// (whose results the next skip also reads) become ScaleShift+ReLU steps, the three after conv1 of each block
  /// fold into it.
  @Test func preactivationResNetBatchNormsAreHandledAsDocumented() throws {
    let fixture = try #require(FixtureModel.all().first { $0.name == "resnet_preact" })
    let before = try fixture.imported()
    let run = try PassRun(Pipeline.passes(for: .full).map(\.name), on: before)
    let fates = BatchNormFates(before: before, run: run)
    #expect(fates.foldedIntoProducer.count == 3)
    #expect(fates.scaleShifts.map(\.epilogue) == Array(repeating: "relu", count: 4))
    #expect(fates.foldedIntoConsumers.isEmpty)
    #expect(fates.prologues.isEmpty, "every ScaleShift+ReLU here feeds a 3x3 conv or a second reader")
    #expect(run.graph.count(of: "Relu") == 0)
  }

  /// DenseNet's norm1 after each Concat feeds only a 1x1 conv: each becomes that conv's input prologue. Stay
  /// ScaleShift+ReLU steps: the first layer's of each of the three blocks, which reads a convolution's result
  /// (the stem's: this fixture has no pooling after its stem; then each transition's, whose average pooling
  /// `hoist-pool-before-pointwise-conv` moved before its 1x1 conv), the two transitions' norms (read by that
  /// pooling now), and the last BN, before the global pooling.
  @Test func denseNetPreactivationsBecomePrologues() throws {
    let fixture = try #require(FixtureModel.all().first { $0.name == "densenet" })
    let before = try fixture.imported()
    let run = try PassRun(Pipeline.passes(for: .full).map(\.name), on: before)
    let fates = BatchNormFates(before: before, run: run)
    #expect(fates.prologues.count == 6)
    #expect(fates.scaleShifts.map(\.epilogue) == Array(repeating: "relu", count: 6))
    let prologueConvs = run.graph.nodes.filter { $0.op.prologue?.activation == .relu }
    #expect(prologueConvs.count == 6)
  }
}

/// What became of each BatchNormalization of a model after the -O2 pipeline, from the pass record (patterns
/// record the node they rewrote: the BatchNormalization, whose ScaleShift keeps its name) and the final graph.
struct BatchNormFates: CustomStringConvertible {
  /// BatchNormalizations folded by `fold-batchnorm`.
  var foldedIntoProducer: [String]
  /// ScaleShifts that remain, with what their epilogue applies ("none", "relu", "residual+relu"...).
  var scaleShifts: [(name: String, epilogue: String)]
  /// ScaleShifts folded into the weights of the convolutions reading them.
  var foldedIntoConsumers: [String]
  /// ScaleShifts that became the input prologue of the convolution reading them.
  var prologues: [String]

  init(before: Graph, run: PassRun) {
    let batchNorms = Set(before.nodes.filter { $0.op.onnxName == "BatchNormalization" }.map(\.name))
    func applied(_ pattern: String) -> [String] {
      run.context.decisions.filter { $0.pattern == pattern && $0.outcome == .applied && batchNorms.contains($0.node) }
        .map(\.node)
    }
    foldedIntoProducer = applied("fold-batchnorm")
    foldedIntoConsumers = applied("fold-scale-shift-into-conv")
    prologues = applied("fuse-input-scale-shift")
    scaleShifts = run.graph.nodes.compactMap { node in
      guard case .scaleShift(_, let epilogue) = node.op, batchNorms.contains(node.name) else { return nil }
      let parts = (epilogue.residual ? ["residual"] : []) + (epilogue.activation.map { ["\($0)"] } ?? [])
      return (node.name, parts.isEmpty ? "none" : parts.joined(separator: "+"))
    }
  }

  var total: Int { foldedIntoProducer.count + scaleShifts.count + foldedIntoConsumers.count + prologues.count }

  var description: String {
    let steps = scaleShifts.map { "\($0.name) [\($0.epilogue)]" }.joined(separator: ", ")
    let folded = foldedIntoConsumers.joined(separator: ", ")
    return "\(total) BatchNormalization: \(foldedIntoProducer.count) folded into their producer; "
      + "\(scaleShifts.count) ScaleShift steps\(steps.isEmpty ? "" : ": \(steps)"); "
      + "\(foldedIntoConsumers.count) ScaleShifts folded into the next convolutions"
      + (folded.isEmpty ? "" : ": \(folded)") + "; \(prologues.count) fused into a 1x1 convolution's input"
  }
}
