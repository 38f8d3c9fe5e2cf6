import ResIR
import ResONNX
import ResPasses
import ResReference
import ResTestSupport
import Testing

/// What the golden files of `fold-batchnorm` cannot express: the recorded decline reasons, fp16 models, the
/// identity of shared constants, the ONNX weight encodings and a missing epsilon attribute, the same network
/// at several opsets, and guards that only an unverified graph can reach. Tests are named after the pitfalls
/// of ../shared/reference/peer-pitfalls.md they cover.
@Suite struct FoldBatchNormTests {
  static let goldenCases = GoldenCase.all().filter { $0.path.contains("/batchnorm/") }
  static let conv3x3 = Op.conv(
    ConvAttributes(kernelShape: [3, 3], strides: [1, 1], dilations: [1, 1], padding: .explicit([1, 1, 1, 1]), group: 1))

  @Test func thereAreBatchNormGoldenCases() {
    #expect(Self.goldenCases.count >= 30)
    #expect(Self.goldenCases.filter { $0.mustNotFire != nil }.count >= 14)
  }

  /// A must-not-fire case declines with exactly the reason its header states; every other case folds every
  /// BatchNormalization it has and declines nothing.
  @Test(arguments: goldenCases)
  func goldenCaseDecision(_ golden: GoldenCase) throws {
    let input = try TextFormat.parse(golden.input)
    let run = try PassRun(["fold-batchnorm"], on: input)
    let reasons = run.declines(of: "fold-batchnorm").map(\.reason)
    if let reason = golden.mustNotFire {
      #expect(reasons == [reason])
      #expect(run.applied("fold-batchnorm") == 0)
    } else {
      #expect(reasons.isEmpty)
      #expect(run.applied("fold-batchnorm") == input.count(of: "BatchNormalization"))
      #expect(run.graph.count(of: "BatchNormalization") == 0)
    }
  }

  // MARK: - Pitfall 5: fp16

  /// Variances above 65504 do not exist in f16, so a fold computed in the model's precision would divide by
  /// infinity (or produce it); computed in Double, the folded f16 weights are finite and compute what the
  /// unfolded network computes, to f16 rounding.
  @Test func pitfall5_f16ModelWithVarianceAbove65504FoldsWithoutInf() throws {
    let variances: [Double] = [1e5, 7e4, 3e6]
    #expect(variances.allSatisfy { Float16($0).isInfinite }, "the test needs variances f16 cannot hold")
    let b = GraphBuilder(name: "f16")
    let x = b.input("f16[1,2,5,5]")
    let w = b.constant("f16[3,2,3,3]", (0..<54).map { Double($0 % 7) * 0.25 - 0.75 }, name: "w")
    let parameters = [
      b.constant("f32[3]", [300, -200, 1000], name: "gamma"), b.constant("f32[3]", [0.5, -0.25, 1], name: "beta"),
      b.constant("f32[3]", [0.1, -0.2, 0.3], name: "mean"), b.constant("f32[3]", variances, name: "var"),
    ]
    let c = try b.value(Self.conv3x3, [x, w, nil], name: "conv")
    b.graph.outputs = [try b.value(.batchNormalization(epsilon: 1e-5), [c] + parameters, name: "bn")]

    let run = try PassRun(["fold-batchnorm"], on: b.graph)
    #expect(run.applied("fold-batchnorm") == 1)
    let conv = try #require(run.graph.nodes.first)
    for slot in [1, 2] {
      let folded = try #require(conv.input(slot).flatMap(run.graph.constant))
      #expect(folded.dtype == .float16)
      #expect(folded.doubles().allSatisfy { $0.isFinite }, "slot \(slot) holds \(folded.doubles())")
    }
    let inputs = try SeededInputs.make(for: b.graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(run.graph, inputs: inputs)
    #expect(expected[0].doubles.allSatisfy { $0.isFinite })
    let comparison = ToleranceComparison(actual: actual[0], expected: expected[0], rtol: 1e-2, atol: 1e-2)
    #expect(comparison.passed, "\(comparison)")
  }

  // MARK: - Pitfall 9: shared weights

  /// Two convolutions read one weight; only the first is followed by a BatchNormalization. The second still
  /// reads the very same constant object with the same bytes; the first reads a new one.
  @Test func pitfall9_sharedWeightIsNeverMutated() throws {
    let b = GraphBuilder(name: "shared")
    let x = b.input("f32[1,2,5,5]")
    let w = b.constant("f32[3,2,3,3]", (0..<54).map { Double($0 % 5) * 0.5 - 1 }, name: "w")
    let parameters = ["gamma", "beta", "mean", "var"].map { b.constant("f32[3]", [0.5, 1.5, 2], name: $0) }
    let c1 = try b.value(Self.conv3x3, [x, w, nil], name: "conv1")
    let y1 = try b.value(.batchNormalization(epsilon: 1e-5), [c1] + parameters, name: "bn")
    let y2 = try b.value(Self.conv3x3, [x, w, nil], name: "conv2")
    b.graph.outputs = [y1, y2]
    let original = try #require(b.graph.constant(w))
    let fingerprint = original.fingerprint

    let run = try PassRun(["fold-batchnorm"], on: b.graph)
    let conv1 = try #require(run.graph.nodes.first { $0.name == "conv1" })
    let conv2 = try #require(run.graph.nodes.first { $0.name == "conv2" })
    #expect(conv2.input(1) == w)
    #expect(run.graph.constant(w) === original)
    #expect(original.fingerprint == fingerprint)
    let folded = try #require(conv1.input(1))
    #expect(folded != w)
    #expect(run.graph.constant(folded) !== original)
    #expect(run.graph[folded].name == "w.bn_folded")
  }

  // MARK: - Pitfall 8: weight encodings

  /// A weight stored as an initializer, as a Constant node, or as an Identity of an initializer folds to the
  /// same bytes; the Identity form folds without canonicalization first (the pattern looks through Identity).
  @Test(arguments: ConvBatchNormONNX.WeightEncoding.allCases)
  func pitfall8_everyWeightEncodingFolds(_ encoding: ConvBatchNormONNX.WeightEncoding) throws {
    let imported = try ConvBatchNormONNX(encoding: encoding).imported()
    #expect(imported.count(of: "Identity") == (encoding == .identityOfInitializer ? 1 : 0))
    let run = try PassRun(["fold-batchnorm", "dead-code"], on: imported)
    #expect(run.graph.nodes.map(\.op.onnxName) == ["Conv"])
    let reference = try PassRun(["fold-batchnorm"], on: try ConvBatchNormONNX(encoding: .initializer).imported())
    let folded = try #require(run.graph.nodes.first?.input(1).flatMap(run.graph.constant))
    let expected = try #require(reference.graph.nodes.first?.input(1).flatMap(reference.graph.constant))
    #expect(folded.fingerprint == expected.fingerprint)
    try expectSameNumbers(imported, run.graph)
  }

  // MARK: - Pitfall 4: epsilon

  /// A BatchNormalization without `epsilon` folds with ONNX's default 1e-5, which matters here because the
  /// variances are of the same size: the folded bias is `beta − mean·s` with `s = scale/√(var + 1e-5)`.
  @Test func pitfall4_absentEpsilonFoldsWithTheDefault() throws {
    let model = ConvBatchNormONNX(epsilon: nil, scale: [0.01, -0.02, 0.005], variance: [1e-5, 2e-5, 5e-6])
    let imported = try model.imported()
    #expect(imported.nodes.map(\.op).contains(.batchNormalization(epsilon: 1e-5)))
    let run = try PassRun(["fold-batchnorm"], on: imported)
    let bias = try #require(run.graph.nodes.first?.input(2).flatMap(run.graph.constant)).doubles()
    let epsilon = Double(Float(1e-5))
    let (beta, mean): ([Double], [Double]) = ([0.25, -0.5, 1], [0.1, -0.2, 0.3])
    for c in 0..<3 {
      let s = Double(model.scale[c]) / (Double(model.variance[c]) + epsilon).squareRoot()
      let withoutEpsilon = Double(model.scale[c]) / Double(model.variance[c]).squareRoot()
      #expect(abs(bias[c] - (beta[c] - Double(Float(mean[c])) * s)) < 1e-6)
      #expect(abs(bias[c] - (beta[c] - Double(Float(mean[c])) * withoutEpsilon)) > 1e-3)
    }
    try expectSameNumbers(imported, run.graph)
  }

  // MARK: - Pitfall 6: opsets

  /// The same ResNet exported at opsets 9, 11, 13 and 17 (BatchNormalization-9, -9, -9 and -15 with
  /// training_mode) optimizes to the same graph, byte for byte in the text form.
  @Test func pitfall6_sameNetworkAtEveryOpsetFoldsToTheSameGraph() throws {
    let opsets = [9, 11, 13, 17]
    let printed = try opsets.map { opset in
      let imported = try ONNXImporter.importModel(at: RepoPaths.fixtureModel("resnet_basic_opset\(opset)")).graph
      let run = try PassRun(["canonicalize", "batchnorm-folding", "dead-code"], on: imported)
      #expect(imported.count(of: "BatchNormalization") == 9)
      #expect(run.graph.count(of: "BatchNormalization") == 0)
      return TextFormat.print(run.graph)
    }
    for (opset, text) in zip(opsets, printed).dropFirst() {
      #expect(text == printed[0], "opset \(opset) optimizes differently from opset \(opsets[0])")
    }
  }

  // MARK: - Guards a verified graph cannot reach

  /// The verifier rejects BatchNormalization on integers and parameter vectors of the wrong length, so no
  /// golden file can hold them; the pattern must still decline rather than trap on such a graph.
  @Test func guardsHoldOnUnverifiedGraphs() throws {
    var integer = Graph(name: "integer")
    let a = integer.addInput(name: "a", type: TensorType(.int64, dims: [2, 3]))
    let b = integer.addConstant(name: "b", Constant(int64s: [Int64](repeating: 1, count: 12), dims: [3, 4]))
    integer.appendNode(
      name: "fc", op: .gemm(GemmAttributes()), inputs: [a, b, nil], results: [("g", TensorType(.int64, dims: [2, 4]))])
    let integerReason = try decline(afterNormalizing: integer.nodes[0].outputs[0], channels: 4, in: &integer)
    #expect(integerReason == "the Gemm's weight is i64, not a float type")

    var mismatched = Graph(name: "mismatched")
    let x = mismatched.addInput(name: "x", type: TensorType(.float32, dims: [1, 2, 3, 3]))
    let w = mismatched.addConstant(name: "w", Constant(floats: [Float](repeating: 1, count: 8), dims: [4, 2, 1, 1]))
    let conv1x1 = Op.conv(
      ConvAttributes(kernelShape: [1, 1], strides: [1, 1], dilations: [1, 1], padding: .explicit([0, 0, 0, 0]), group: 1))
    mismatched.appendNode(
      name: "conv", op: conv1x1, inputs: [x, w, nil], results: [("c", TensorType(.float32, dims: [1, 4, 3, 3]))])
    let mismatchReason = try decline(afterNormalizing: mismatched.nodes[0].outputs[0], channels: 3, in: &mismatched)
    #expect(mismatchReason == "BatchNormalization's scale has 3 elements but the Conv has 4 output channels")
  }

  /// Appends a BatchNormalization of `value` with `channels`-element parameters and returns the reason
  /// `fold-batchnorm` gives for it.
  private func decline(afterNormalizing value: ValueID, channels: Int, in graph: inout Graph) throws -> String? {
    let ones = Constant(floats: [Float](repeating: 1, count: channels), dims: [channels])
    let parameters = (0..<4).map { _ in graph.addConstant(name: "p", ones) }
    let type = graph.type(of: value)
    graph.appendNode(
      name: "bn", op: .batchNormalization(epsilon: 1e-5), inputs: [value] + parameters,
      results: [("y", TensorType(.float32, type.shape))])
    let batchNorm = try #require(graph.nodes.last)
    guard case .declined(let reason) = FoldBatchNorm().match(batchNorm, in: GraphView(graph)) else { return nil }
    return reason
  }

  /// Both graphs computed by the reference evaluator on the same seeded inputs agree to float32 rounding.
  private func expectSameNumbers(_ before: Graph, _ after: Graph) throws {
    let inputs = try SeededInputs.make(for: before, seed: 11)
    let expected = try ReferenceEvaluator.evaluate(before, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(after, inputs: inputs)
    for (a, e) in zip(actual, expected) {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: 1e-5, atol: 1e-6)
      #expect(comparison.passed, "\(comparison)")
    }
  }
}
