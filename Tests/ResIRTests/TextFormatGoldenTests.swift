import ResIR
import Testing

/// The exact printed form of a fused ResNet basic block: the layout other tests and golden pass files rely on.
@Suite struct TextFormatGoldenTests {
  static let resnetBlock = """
    graph "resnet_block" {
      input %x: f32[N,4,8,8]
      const @w1: f32[4,4,3,3] fingerprint 09e65090a8d50adf
      const @b1: f32[4] = [0.5,-0.5,0.25,0.0]
      const @w2: f32[4,4,3,3] fingerprint c5df79689a8e7e91
      const @b2: f32[4] = [0.0,0.125,1.0,-1.0]
      const @shape: i64[2] = [0,-1]
      const @fc.weight: f32[10,4] fingerprint 31cf03d4e62801cd
      %h = Conv "conv1" (%x, @w1, @b1) {dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]} epilogue(relu) : f32[N,4,8,8]
      %y = Conv "conv2" (%h, @w2, @b2, %x) {dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]} epilogue(residual %x, relu) : f32[N,4,8,8]
      %pooled = GlobalAveragePool "pool" (%y) : f32[N,4,1,1]
      %flat = Reshape "flatten" (%pooled, @shape) {allowzero=0} : f32[N,4]
      %logits = Gemm "fc" (%flat, @fc.weight, _) {alpha=1.0, beta=1.0, transA=0, transB=1} : f32[N,10]
      return %logits
    }

    """

  /// The example in `TextFormat`'s documentation, verbatim: it must stay valid text that prints back as is.
  static let documentationExample = """
    graph "block" {
      input %x: f32[N,64,56,56]
      const @w1: f32[64,64,3,3] fingerprint 3d1f0a9b55c2e871
      const @b1: f32[64] fingerprint 0c44d2a3e9b1f650
      const @shape: i64[2] = [1,-1]
      %y1 = Conv "conv1" (%x, @w1, @b1) {dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]} epilogue(relu) : f32[N,64,56,56]
      %y2 = Conv "conv2" (%y1, @w1, @b1, %x) {dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]} epilogue(residual %x, relu) : f32[N,64,56,56]
      %a, %b = Split "split" (%y2) {axis=1, split=[32,32]} : f32[N,32,56,56], f32[N,32,56,56]
      %flat = Reshape "flat" (%a, @shape) {allowzero=0} : f32[1,?]
      return %flat, %b
    }

    """

  @Test func documentationExampleRoundTrips() throws {
    #expect(TextFormat.print(try TextFormat.parse(Self.documentationExample)) == Self.documentationExample)
  }

  @Test func resnetBlockPrintsExactly() {
    #expect(TextFormat.print(DumpSampleGraphs.resnetBlock()) == Self.resnetBlock)
  }

  @Test func resnetBlockParsesToTheSameGraph() throws {
    let parsed = try TextFormat.parse(Self.resnetBlock)
    GraphEquivalence.expectEquivalent(DumpSampleGraphs.resnetBlock(), parsed)
    // The weights are synthesized stand-ins, but they keep the printed fingerprint.
    let w1ID = try #require(parsed.nodes[0].inputs[1])
    let w1 = try #require(parsed.constant(w1ID))
    #expect(Fingerprint.hex(w1.fingerprint) == "09e65090a8d50adf")
  }
}
