import ResCompiler
import ResTestSupport
import Testing

/// `ResidualBlocks` and `BlockRendering` on small graphs written in the IR's text form, one per shape of skip:
/// what counts as a block, where it starts, which path is the skip, and how it reads.
@Suite struct ResidualBlocksTests {
  private static let conv3x3 = "{dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]}"
  private static let conv1x1s2 = "{dilations=[1,1], group=1, kernel_shape=[1,1], pads=[0,0,0,0], strides=[2,2]}"
  private static let conv3x3s2 = "{dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[2,2]}"

  private func graph(_ body: String, inputs: String = "input %x: f32[1,4,8,8]") throws -> Graph {
    let weight = "const @w: f32[4,4,3,3] fingerprint 00000000000000a1"
    return try TextFormat.parse("graph \"g\" {\n  \(inputs)\n  \(weight)\n\(body)\n}\n")
  }

  private func lines(_ graph: Graph) -> [String] {
    Array(BlockRendering.render(graph).split(separator: "\n").dropFirst().map(String.init))
  }

  /// The imported form: conv → relu → conv, Add of the input, ReLU after the Add (taken into the block).
  @Test func identityBlockBeforeFusion() throws {
    let g = try graph(
      """
        %a = Conv "/layer1/layer1.0/conv1/Conv" (%x, @w) \(Self.conv3x3) : f32[1,4,8,8]
        %r = Relu "/layer1/layer1.0/relu/Relu" (%a) : f32[1,4,8,8]
        %b = Conv "/layer1/layer1.0/conv2/Conv" (%r, @w) \(Self.conv3x3) : f32[1,4,8,8]
        %s = Add "/layer1/layer1.0/Add" (%b, %x) : f32[1,4,8,8]
        %y = Relu "/layer1/layer1.0/relu_1/Relu" (%s) : f32[1,4,8,8]
        return %y
      """)
    let blocks = ResidualBlocks(g).blocks
    try #require(blocks.count == 1)
    #expect(blocks[0].label == "layer1.0")
    #expect(blocks[0].joinKind == .add)
    #expect(blocks[0].skips == [.identity])
    #expect(blocks[0].trailing.count == 1)
    #expect(g[blocks[0].source].name == "x")
    #expect(lines(g) == ["layer1.0  conv3x3 → relu → conv3x3 ⊕ identity → relu   (5 nodes)"])
  }

  /// The fused form where the projection conv carries the residual epilogue (fusion may pick either conv of
  /// an Add of two): the join is on the skip, and the chain still reads main path first.
  @Test func projectionThatCarriesTheResidual() throws {
    let g = try graph(
      """
        const @p: f32[4,4,1,1] fingerprint 00000000000000b2
        %a = Conv "/layer2/layer2.0/conv1/Conv" (%x, @w) \(Self.conv3x3s2) epilogue(relu) : f32[1,4,4,4]
        %b = Conv "/layer2/layer2.0/conv2/Conv" (%a, @w) \(Self.conv3x3) : f32[1,4,4,4]
        %y = Conv "/layer2/layer2.0/downsample/Conv" (%x, @p, _, %b) \(Self.conv1x1s2) epilogue(residual %b, relu) : f32[1,4,4,4]
        return %y
      """)
    let block = try #require(ResidualBlocks(g).blocks.first)
    #expect(block.joinKind == .epilogue)
    #expect(block.joinIsOnSkip)
    #expect(block.mainPath.count == 2)
    #expect(lines(g) == ["layer2.0  conv3x3/2+relu → conv3x3 ⊕ conv1x1/2 → relu   (3 nodes)"])
  }

  /// The same block with the main path's last conv carrying the residual.
  @Test func mainPathThatCarriesTheResidual() throws {
    let g = try graph(
      """
        const @p: f32[4,4,1,1] fingerprint 00000000000000b2
        %a = Conv "/layer2/layer2.0/conv1/Conv" (%x, @w) \(Self.conv3x3s2) epilogue(relu) : f32[1,4,4,4]
        %s = Conv "/layer2/layer2.0/downsample/Conv" (%x, @p) \(Self.conv1x1s2) : f32[1,4,4,4]
        %y = Conv "/layer2/layer2.0/conv2/Conv" (%a, @w, _, %s) \(Self.conv3x3) epilogue(residual %s, relu) : f32[1,4,4,4]
        return %y
      """)
    let block = try #require(ResidualBlocks(g).blocks.first)
    #expect(!block.joinIsOnSkip)
    #expect(lines(g) == ["layer2.0  conv3x3/2+relu → conv3x3 ⊕ conv1x1/2 → relu   (3 nodes)"])
  }

  /// DenseNet: `cat(x, f(x))` is a block; the next layer's concat starts where the last one ended.
  @Test func denseConcatenations() throws {
    let g = try graph(
      """
        const @w8: f32[4,8,3,3] fingerprint 00000000000000c3
        %r = Relu "/features/layer1/Relu" (%x) : f32[1,4,8,8]
        %c = Conv "/features/layer1/conv/Conv" (%r, @w) \(Self.conv3x3) : f32[1,4,8,8]
        %cat = Concat "/features/layer1/Concat" (%x, %c) {axis=1} : f32[1,8,8,8]
        %c2 = Conv "/features/layer2/conv/Conv" (%cat, @w8) \(Self.conv3x3) : f32[1,4,8,8]
        %cat2 = Concat "/features/layer2/Concat" (%cat, %c2) {axis=1} : f32[1,12,8,8]
        return %cat2
      """)
    let blocks = ResidualBlocks(g).blocks
    #expect(blocks.map(\.joinKind) == [.concat, .concat])
    #expect(lines(g) == [
      "layer1  relu → conv3x3 ‖ identity   (3 nodes)",
      "layer2  conv3x3 ‖ identity   (2 nodes)",
    ])
  }

  /// Concatenating two things computed from the same input (attention heads) is no skip.
  @Test func concatenationWithoutTheInputIsNoBlock() throws {
    let g = try graph(
      """
        %a = Conv "a" (%x, @w) \(Self.conv3x3) : f32[1,4,8,8]
        %b = Relu "b" (%x) : f32[1,4,8,8]
        %cat = Concat "cat" (%a, %b) {axis=1} : f32[1,8,8,8]
        return %cat
      """)
    #expect(ResidualBlocks(g).blocks.isEmpty)
  }

  /// An Add of a broadcast operand (a per-channel scale computed from the input) is no skip, and neither is
  /// an Add of two graph inputs (nothing forks).
  @Test func broadcastsAndUnrelatedInputsAreNoBlocks() throws {
    let g = try graph(
      """
        %m = ReduceMean "pool" (%x) {axes=[2,3], keepdims=1} : f32[1,4,1,1]
        %s = Add "scale" (%x, %m) : f32[1,4,8,8]
        %t = Add "sum" (%s, %z) : f32[1,4,8,8]
        return %t
      """, inputs: "input %x: f32[1,4,8,8]\n  input %z: f32[1,4,8,8]")
    #expect(ResidualBlocks(g).blocks.isEmpty)
    #expect(ResidualBlocks(g).units.count == 1)
  }

  /// Highway `T·H + (1−T)·x`: both branches read the gate T, but the block starts at x and shows the gate.
  @Test func highwayGate() throws {
    let g = try graph(
      """
        const @wh: f32[8,8] fingerprint 00000000000000d1
        const @wt: f32[8,8] fingerprint 00000000000000d2
        const @one: f32[] = [1.0]
        %h0 = MatMul "/layers.0/transform/MatMul" (%x, @wh) : f32[1,8]
        %h = Relu "/layers.0/transform/Relu" (%h0) : f32[1,8]
        %t0 = MatMul "/layers.0/gate/MatMul" (%x, @wt) : f32[1,8]
        %t = Sigmoid "/layers.0/gate/Sigmoid" (%t0) : f32[1,8]
        %th = Mul "/layers.0/Mul" (%t, %h) : f32[1,8]
        %c = Sub "/layers.0/Sub" (@one, %t) : f32[1,8]
        %cx = Mul "/layers.0/Mul_1" (%c, %x) : f32[1,8]
        %y = Add "/layers.0/Add" (%th, %cx) : f32[1,8]
        return %y
      """, inputs: "input %x: f32[1,8]")
    let block = try #require(ResidualBlocks(g).blocks.first)
    #expect(g[block.source].name == "x")
    #expect(block.gate.count == 2)
    #expect(lines(g) == ["layers.0  matmul → relu → mul ⊕ (sub → mul)   [gate: matmul → sigmoid]   (8 nodes)"])
  }

  /// A block inside a block: each keeps its nodes, and the outer one names the inner one it reads.
  @Test func nestedBlocks() throws {
    let g = try graph(
      """
        %a = Conv "/outer/a/Conv" (%x, @w) \(Self.conv3x3) : f32[1,4,8,8]
        %b = Conv "/outer/inner/b/Conv" (%a, @w) \(Self.conv3x3) : f32[1,4,8,8]
        %c = Add "/outer/inner/Add" (%b, %a) : f32[1,4,8,8]
        %d = Conv "/outer/d/Conv" (%c, @w) \(Self.conv3x3) : f32[1,4,8,8]
        %e = Add "/outer/Add" (%d, %x) : f32[1,4,8,8]
        return %e
      """)
    let structure = ResidualBlocks(g)
    #expect(structure.blocks.map(\.nodes.count) == [3, 2])
    #expect(lines(g) == [
      "outer  ⟨inner⟩ → conv3x3 ⊕ identity   (3 nodes; 1 beside the main path)",
      "inner  conv3x3 ⊕ identity   (2 nodes)",
    ])
  }

  /// Graph walks are loops: 10,000 nodes of residual blocks neither overflow the stack nor take long.
  @Test func longChainOfBlocks() throws {
    let builder = GraphBuilder()
    var x = builder.input("f32[1,8]")
    for index in 0..<5_000 {
      let r = try builder.value(.unary(.relu), [x], name: "/blocks/blocks.\(index)/Relu")
      x = try builder.value(.binary(.add), [r, x], name: "/blocks/blocks.\(index)/Add")
    }
    builder.graph.outputs = [x]
    let blocks = ResidualBlocks(builder.graph).blocks
    #expect(blocks.count == 5_000)
    #expect(blocks.last?.label == "blocks.4999")
  }
}
