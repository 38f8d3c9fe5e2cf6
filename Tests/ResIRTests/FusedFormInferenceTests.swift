import ResIR
import ResTestSupport
import Testing

/// Inference, validation and verifier rules of the three fused forms the optimizer produces: ScaleShift,
/// LayerNormalization with a residual, and GatedSkip.
@Suite struct FusedFormInferenceTests {
  // MARK: ScaleShift

  @Test func scaleShiftKeepsXsType() throws {
    let b = GraphBuilder()
    let x = b.input("f16[N,64,H,W]")
    let c = b.input("f16[64]", name: "c")
    #expect(b.type(try b.value(.scaleShift(axis: 1, epilogue: .none), [x, c, c])) == "f16[N,64,H,W]")
    let fused = Epilogue(residual: true, activation: .relu)
    #expect(b.type(try b.value(.scaleShift(axis: 1, epilogue: fused), [x, c, c, x])) == "f16[N,64,H,W]")
    let lastAxis = b.input("f16[W]", name: "w")
    #expect(b.type(try b.value(.scaleShift(axis: 3, epilogue: .none), [x, lastAxis, lastAxis])) == "f16[N,64,H,W]")
  }

  @Test func scaleShiftErrors() {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,8,8]")
    let c = b.input("f32[64]", name: "c")
    let short = b.input("f32[32]", name: "short")
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: .none), [x, c, short]) }
        == "shift has 32 elements but X has 64 along axis 1")
    let matrix = b.input("f32[64,1]", name: "matrix")
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: .none), [x, matrix, c]) }
        == "scale has rank 2, expected 1 (C)")
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 4, epilogue: .none), [x, c, c]) }
        == "axis 4 is out of range for rank 4")
    let half = b.input("f16[64]", name: "half")
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: .none), [x, half, c]) }
        == "operand 2 is float16 but operand 1 is float")
    let ints = b.input("i32[N,64,8,8]", name: "ints")
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: .none), [ints, c, c]) }
        == "X is int32 but must be float16, float or double")
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: .none), [x, c]) }
        == "has 2 operands, at least 3 required")
  }

  @Test func scaleShiftEpilogueIsCheckedLikeConvs() {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,8,8]")
    let c = b.input("f32[64]", name: "c")
    let residual = Epilogue(residual: true)
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: residual), [x, c, c]) }
        == "epilogue adds a residual but operand 4 is absent")
    let broadcast = b.input("f32[1,64,1,1]", name: "broadcast")
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: residual), [x, c, c, broadcast]) }
        == "residual f32[1,64,1,1] does not provably match the output f32[N,64,8,8]")
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: .none), [x, c, c, x]) }
        == "has 4 operands, at most 3 allowed")
    let inverted = Epilogue(activation: .clip(min: 6, max: 0))
    #expect(
      errorMessage { _ = try b.value(.scaleShift(axis: 1, epilogue: inverted), [x, c, c]) }
        == "epilogue clip has min 6.0 greater than max 0.0")
  }

  // MARK: LayerNormalization with a residual

  @Test func layerNormalizationWithResidual() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,S,768]")
    let skip = b.input("f32[N,S,768]", name: "skip")
    let scale = b.input("f32[768]", name: "scale")
    let attributes = LayerNormAttributes(axis: 2, epsilon: 1e-5, residual: true)
    let results = try b.node(.layerNormalization(attributes), [x, scale, nil, skip])
    #expect(results.map(b.type) == ["f32[N,S,768]", "f32[N,S,1]", "f32[N,S,1]"])
    #expect(Op.layerNormalization(attributes).addsResidual)
    #expect(Op.layerNormalization(attributes).epilogue == nil)
    #expect(Op.layerNormalization(attributes).operandArity.maximum == 4)
  }

  @Test func layerNormalizationResidualErrors() {
    let b = GraphBuilder()
    let x = b.input("f32[N,S,768]")
    let scale = b.input("f32[768]", name: "scale")
    let residual = LayerNormAttributes(axis: 2, epsilon: 1e-5, residual: true)
    #expect(
      errorMessage { _ = try b.node(.layerNormalization(residual), [x, scale]) }
        == "adds a residual but operand 4 is absent")
    let broadcast = b.input("f32[1,1,768]", name: "broadcast")
    #expect(
      errorMessage { _ = try b.node(.layerNormalization(residual), [x, scale, nil, broadcast]) }
        == "residual f32[1,1,768] does not provably match X f32[N,S,768]")
    let otherBatch = b.input("f32[M,S,768]", name: "other")
    #expect(
      errorMessage { _ = try b.node(.layerNormalization(residual), [x, scale, nil, otherBatch]) }
        == "residual f32[M,S,768] does not provably match X f32[N,S,768]")
    let half = b.input("f16[N,S,768]", name: "half")
    #expect(
      errorMessage { _ = try b.node(.layerNormalization(residual), [x, scale, nil, half]) }
        == "residual f16[N,S,768] does not provably match X f32[N,S,768]")
    let plain = LayerNormAttributes(axis: 2, epsilon: 1e-5)
    #expect(
      errorMessage { _ = try b.node(.layerNormalization(plain), [x, scale, nil, x]) }
        == "has 4 operands, at most 3 allowed")
  }

  // MARK: GatedSkip

  @Test func gatedSkipBroadcastsItsOperands() throws {
    let b = GraphBuilder()
    let t = b.input("f32[N,64]", name: "t")
    let h = b.input("f32[N,64]", name: "h")
    let x = b.input("f32[N,64]", name: "x")
    #expect(b.type(try b.value(.gatedSkip, [t, h, x])) == "f32[N,64]")
    let gate = b.input("f32[N,C,1,1]", name: "gate")
    let image = b.input("f32[N,C,H,W]", name: "image")
    let bias = b.input("f32[W]", name: "bias")
    #expect(b.type(try b.value(.gatedSkip, [gate, image, bias])) == "f32[N,C,H,W]")
  }

  @Test func gatedSkipErrors() {
    let b = GraphBuilder()
    let t = b.input("f32[N,64]", name: "t")
    let wide = b.input("f32[N,128]", name: "wide")
    #expect(
      errorMessage { _ = try b.value(.gatedSkip, [t, t, wide]) }
        == "operands [N,64], [N,64] and [N,128] cannot broadcast")
    let half = b.input("f16[N,64]", name: "half")
    #expect(errorMessage { _ = try b.value(.gatedSkip, [t, half, t]) } == "operand 2 is float16 but operand 1 is float")
    let ints = b.input("i64[N,64]", name: "ints")
    #expect(
      errorMessage { _ = try b.value(.gatedSkip, [ints, ints, ints]) }
        == "T is int64 but must be float16, float or double")
    #expect(errorMessage { _ = try b.value(.gatedSkip, [t, t]) } == "has 2 operands, at least 3 required")
  }

  // MARK: Verifier

  /// The verifier re-infers every fused node: a residual slot emptied by a broken rewrite, or a recorded type
  /// that inference does not give, names the node.
  @Test func verifierChecksTheFusedForms() throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,4,3]")
    let c = b.constant("f32[4]", [1, 2, 3, 4], name: "c")
    let shifted = try b.value(
      .scaleShift(axis: 1, epilogue: Epilogue(residual: true, activation: .relu)), [x, c, c, x], name: "affine")
    let scale = b.constant("f32[3]", [1, 1, 1], name: "scale")
    let normalized = try b.node(
      .layerNormalization(LayerNormAttributes(axis: 2, epsilon: 1e-5, residual: true)), [shifted, scale, nil, x],
      name: "ln")
    let gated = try b.value(.gatedSkip, [x, normalized[0], shifted], name: "gate")
    b.graph.outputs = [gated]
    try Verifier.verify(b.graph)

    var graph = b.graph
    graph.nodes[1].inputs[3] = nil
    #expect(
      modelError { try Verifier.verify(graph) }?.description
        == "node 'ln' (LayerNormalization): adds a residual but operand 4 is absent")
    graph = b.graph
    graph.setType(TensorType.spelled("f32[2,4,1]"), of: gated)
    #expect(
      errorMessage { try Verifier.verify(graph) }
        == "result '\(graph[gated].name)' is recorded as f32[2,4,1] but inference gives f32[2,4,3]")
    graph = b.graph
    graph.nodes[0].inputs[3] = c
    #expect(
      errorMessage { try Verifier.verify(graph) } == "residual f32[4] does not provably match the output f32[2,4,3]")
  }
}
