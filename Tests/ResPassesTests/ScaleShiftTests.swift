import ResIR
import ResPasses
import ResReference
import ResTestSupport
import SwiftProtobuf
import Testing

@testable import ResONNX

/// What the golden files of `batchnorm-to-scale-shift` and `fold-scale-shift-into-conv` cannot express: that
/// each must-not-fire case declines for the reason it names, f16 models, the ONNX encodings of the parameters,
/// training mode, and where the two patterns sit in the pipeline. Tests are named after the pitfalls of
/// ../shared/reference/peer-pitfalls.md they cover.
@Suite struct ScaleShiftTests {
  static let goldenCases = GoldenCase.all().filter { $0.path.contains("/scale-shift/") }
  static let patterns = ["batchnorm-to-scale-shift", "fold-scale-shift-into-conv"]

  @Test func thereAreScaleShiftGoldenCases() {
    #expect(Self.goldenCases.count >= 30)
    #expect(Self.goldenCases.filter { $0.mustNotFire != nil }.count >= 15)
  }

  /// A must-not-fire case declines with exactly the reason its header states and nothing applies; every other
  /// case converts or folds something and leaves no BatchNormalization.
  @Test(arguments: goldenCases)
  func goldenCaseDecision(_ golden: GoldenCase) throws {
    let input = try TextFormat.parse(golden.input)
    let run = try PassRun(golden.passes, on: input)
    let reasons = run.context.decisions.filter { $0.outcome == .declined }.map(\.detail)
    if let reason = golden.mustNotFire {
      #expect(reasons.contains(reason), "declined for: \(reasons)")
      #expect(run.context.applied.isEmpty, "applied: \(run.context.applied)")
    } else {
      #expect(Self.patterns.contains { run.applied($0) > 0 }, "neither pattern applied")
      #expect(run.graph.count(of: "BatchNormalization") == 0)
    }
  }

  // MARK: - Pitfall 5: fp16

  /// An f16 network with f32 statistics whose variances f16 cannot hold: the scale and shift are computed in
  /// Double and stored in f16 (ScaleShift's operands have X's dtype), finite, and compute the normalization to
  /// f16 rounding.
  @Test func pitfall5_f16BatchNormWithVarianceAbove65504BecomesAnF16ScaleShift() throws {
    let variances: [Double] = [1e5, 7e4, 3e6]
    #expect(variances.allSatisfy { Float16($0).isInfinite }, "the test needs variances f16 cannot hold")
    let b = GraphBuilder(name: "f16")
    let x = b.input("f16[1,3,4,4]")
    let parameters = [
      b.constant("f32[3]", [300, -200, 1000], name: "gamma"), b.constant("f32[3]", [0.5, -0.25, 1], name: "beta"),
      b.constant("f32[3]", [0.1, -0.2, 0.3], name: "mean"), b.constant("f32[3]", variances, name: "var"),
    ]
    b.graph.outputs = [try b.value(.batchNormalization(epsilon: 1e-5), [x] + parameters, name: "bn")]

    let run = try PassRun(["batchnorm-to-scale-shift"], on: b.graph)
    let node = try #require(run.graph.nodes.first)
    #expect(node.op == .scaleShift(axis: 1, epilogue: .none))
    for slot in [1, 2] {
      let vector = try #require(node.input(slot).flatMap(run.graph.constant))
      #expect(vector.dtype == .float16)
      #expect(vector.doubles().allSatisfy { $0.isFinite }, "slot \(slot) holds \(vector.doubles())")
    }
    let inputs = try SeededInputs.make(for: b.graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(run.graph, inputs: inputs)
    let comparison = ToleranceComparison(actual: actual[0], expected: expected[0], rtol: 1e-2, atol: 1e-2)
    #expect(comparison.passed, "\(comparison)")
  }

  // MARK: - Pitfall 8: parameter encodings

  /// BatchNormalization parameters given as initializers, as `Constant` nodes or as `Identity` of an
  /// initializer optimize at -O2 to the same graph: one ScaleShift with the ReLU fused.
  @Test func pitfall8_everyParameterEncodingBecomesTheSameScaleShift() throws {
    let printed = try WeightFormTests.Form.allCases.map { form in
      let imported = try ONNXImporter.importModel(bytes: try Self.addBatchNormRelu(form), baseDirectory: nil).graph
      let run = try PassRun(Pipeline.passes(for: .full).map(\.name), on: imported)
      try expectSameNumbers(imported, run.graph)
      return TextFormat.print(run.graph)
    }
    let fused = #"ScaleShift "bn" (%s, @bn.scale, @bn.shift) {axis=1} epilogue(relu)"#
    #expect(printed[0].contains(fused), "\(printed[0])")
    #expect(!printed[0].contains("BatchNormalization") && !printed[0].contains("Relu \""))
    for (form, text) in zip(WeightFormTests.Form.allCases, printed).dropFirst() {
      #expect(text == printed[0], "\(form) optimizes differently:\n\(text)")
    }
  }

  /// `y = Relu(BatchNormalization(Add(x, r)))` with the four parameters given in `form`.
  static func addBatchNormRelu(_ form: WeightFormTests.Form) throws -> [UInt8] {
    var model = Onnx_ModelProto()
    model.irVersion = 8
    var opset = Onnx_OperatorSetIdProto()
    opset.version = 17
    model.opsetImport = [opset]
    model.graph.name = "add_bn_relu"
    model.graph.input = [WeightFormTests.valueInfo("x", [1, 3, 4, 4]), WeightFormTests.valueInfo("r", [1, 3, 4, 4])]
    model.graph.output = [WeightFormTests.valueInfo("y", [1, 3, 4, 4])]
    let values: [(String, [Float])] = [
      ("gamma", [1.5, -0.75, 0.5]), ("beta", [0.25, -0.5, 1]), ("mean", [0.1, -0.2, 0.3]), ("var", [0.5, 2, 0.05]),
    ]
    let tensors = values.map { WeightFormTests.tensor($0.0, dims: [3], $0.1) }
    var parameterNames = values.map(\.0)
    switch form {
    case .initializer:
      model.graph.initializer = tensors
    case .constantNode:
      model.graph.node = tensors.map(WeightFormTests.constantNode)
    case .identityOfInitializer:
      model.graph.initializer = tensors
      model.graph.node = parameterNames.map { WeightFormTests.node("Identity", [$0], [$0 + "_read"]) }
      parameterNames = parameterNames.map { $0 + "_read" }
    }
    model.graph.node.append(WeightFormTests.node("Add", ["x", "r"], ["s"]))
    var batchNorm = WeightFormTests.node("BatchNormalization", ["s"] + parameterNames, ["n"])
    batchNorm.name = "bn"
    model.graph.node.append(batchNorm)
    model.graph.node.append(WeightFormTests.node("Relu", ["n"], ["y"]))
    return try model.serializedBytes()
  }

  // MARK: - Training mode

  /// `training_mode=1` computes batch statistics, which no inference rewrite reproduces: the importer writes
  /// out the statistics instead, so there is no BatchNormalization left to fold or convert.
  @Test func trainingModeBecomesBatchStatistics() throws {
    #expect(try ConvBatchNormONNX(opset: 15).imported().count(of: "BatchNormalization") == 1)
    let training = try ConvBatchNormONNX(opset: 15, trainingMode: true).imported()
    #expect(training.count(of: "BatchNormalization") == 0)
    #expect(training.count(of: "ReduceMean") == 2)
  }

  // MARK: - Pipeline

  /// BN folding first (so only unfoldable BNs convert), then the conversion, then epilogue fusion (which gives
  /// the ScaleShift its ReLU), then the fold into convs (which needs the epilogue decided), then cleanup; all at
  /// -O2 only, and each pattern also runs alone by name.
  @Test func pipelineOrderAndLevels() throws {
    let order = Pipeline.entries.map(\.pass.name)
    let positions = try ["batchnorm-folding", "batchnorm-to-scale-shift", "fuse-epilogue", "fold-scale-shift-into-conv"]
      .map { name in try #require(order.firstIndex(of: name), "\(name) is not in the pipeline") }
    #expect(positions == positions.sorted())
    #expect(order.last == "dead-code")
    let basic = Pipeline.passes(for: .basic).map(\.name)
    let full = Pipeline.passes(for: .full).map(\.name)
    for name in Self.patterns {
      #expect(!basic.contains(name) && full.contains(name))
      #expect(Pipeline.pass(named: name)?.name == name)
      #expect(Pipeline.allNames.contains(name))
    }
  }

  /// Both graphs computed by the reference evaluator on the same seeded inputs agree to float32 rounding.
  private func expectSameNumbers(_ before: Graph, _ after: Graph) throws {
    let inputs = try SeededInputs.make(for: before, seed: 13)
    let expected = try ReferenceEvaluator.evaluate(before, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(after, inputs: inputs)
    #expect(actual.count == expected.count)
    for (a, e) in zip(actual, expected) {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: 1e-5, atol: 1e-6)
      #expect(comparison.passed, "\(comparison)")
    }
  }
}
