import ResIR
import ResPasses
import Testing

/// Where `fuse-add-layernorm` and `fuse-gated-skip` sit in the pipeline, and what the order buys: run before
/// `fuse-epilogue`, a post-LN residual Add goes into its LayerNorm, not into the producing MatMul.
@Suite struct FusedFormPipelineTests {
  static let order = Pipeline.entries.map(\.pass.name)

  @Test func bothRunAtO2BeforeEpilogueFusion() throws {
    let gelu = try #require(Self.order.firstIndex(of: "recognize-gelu"))
    let layerNorm = try #require(Self.order.firstIndex(of: "fuse-add-layernorm"))
    let gatedSkip = try #require(Self.order.firstIndex(of: "fuse-gated-skip"))
    let epilogue = try #require(Self.order.firstIndex(of: "fuse-epilogue"))
    #expect(gelu < layerNorm && layerNorm < epilogue)
    #expect(gelu < gatedSkip && gatedSkip < epilogue)
    let o1 = Pipeline.passes(for: .basic).map(\.name)
    let o2 = Pipeline.passes(for: .full).map(\.name)
    #expect(!o1.contains("fuse-add-layernorm") && !o1.contains("fuse-gated-skip"))
    #expect(o2.contains("fuse-add-layernorm") && o2.contains("fuse-gated-skip"))
  }

  @Test(arguments: ["fuse-add-layernorm", "fuse-gated-skip"])
  func patternRunsAloneByName(_ name: String) {
    #expect(Pipeline.pass(named: name)?.name == name)
    #expect(Pipeline.allNames.contains(name))
  }

  static let postLNBlock = """
    graph "post_ln" {
      input %x: f32[1,4,8]
      const @w: f32[8,8] fingerprint 00000000000000e2
      const @bias: f32[8] = [0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4]
      const @g: f32[8] = [1.0, 0.5, 2.0, 1.0, 1.0, 0.25, 1.5, 1.0]
      %mm = MatMul "out" (%x, @w) : f32[1,4,8]
      %o = Add "out.add" (@bias, %mm) : f32[1,4,8]
      %s = Add "residual" (%x, %o) : f32[1,4,8]
      %y, %mean, %inv = LayerNormalization "norm" (%s, @g) {axis=2, epsilon=1e-05} : f32[1,4,8], f32[1,4,1], f32[1,4,1]
      return %y
    }
    """

  /// The -O2 pipeline gives the LayerNorm the residual; with `fuse-add-layernorm` disabled, fuse-epilogue
  /// puts the same Add into the MatMul instead (which is why the order matters).
  @Test func theOrderDecidesWhoTakesThePostLNAdd() throws {
    let input = try TextFormat.parse(Self.postLNBlock)
    var graph = input
    var context = PassContext()
    try PassManager(passes: Pipeline.passes(for: .full), verifyEach: true).run(&graph, context: &context)
    #expect(graph.nodes.map(\.op.onnxName) == ["MatMul", "LayerNormalization"])
    #expect(graph.nodes[0].op == .matMul(.none) && graph.nodes[1].op.addsResidual)

    var without = input
    var disabled = PassContext(disabled: ["fuse-add-layernorm"])
    try PassManager(passes: Pipeline.passes(for: .full), verifyEach: true).run(&without, context: &disabled)
    #expect(without.nodes.map(\.op.onnxName) == ["MatMul", "LayerNormalization"])
    #expect(without.nodes[0].op == .matMul(Epilogue(residual: true)) && !without.nodes[1].op.addsResidual)
  }
}
