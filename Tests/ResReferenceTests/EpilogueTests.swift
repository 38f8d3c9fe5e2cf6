import ResIR
import ResReference
import Testing

/// Every epilogue activation, fused into a convolution with a residual, agrees with the unfused graph
/// Conv → Add → activation op(s). The unfused graph rounds to float32 after each op while the fused one rounds
/// once, hence the small tolerance.
@Suite struct EpilogueTests {
  /// The activation as the epilogue spells it, and the ops that compute it unfused from `%s`, ending in `%y`.
  @Test(arguments: [
    ("relu", #"%y = Relu "act" (%s) : f32[1,2,3,3]"#),
    ("clip(min=-0.5, max=1.5)", #"%y = Clip "act" (%s, @lo, @hi) : f32[1,2,3,3]"#),
    ("leaky_relu(alpha=0.125)", #"%y = LeakyRelu "act" (%s) {alpha=0.125} : f32[1,2,3,3]"#),
    ("sigmoid", #"%y = Sigmoid "act" (%s) : f32[1,2,3,3]"#),
    ("tanh", #"%y = Tanh "act" (%s) : f32[1,2,3,3]"#),
    ("hard_sigmoid(alpha=0.25, beta=0.5)", #"%y = HardSigmoid "act" (%s) {alpha=0.25, beta=0.5} : f32[1,2,3,3]"#),
    ("hard_swish", #"%y = HardSwish "act" (%s) : f32[1,2,3,3]"#),
    (
      "silu",
      #"%g = Sigmoid "gate" (%s) : f32[1,2,3,3]"# + "\n" + #"  %y = Mul "act" (%s, %g) : f32[1,2,3,3]"#
    ),
    ("gelu(approximate=none)", #"%y = Gelu "act" (%s) {approximate=none} : f32[1,2,3,3]"#),
    ("gelu(approximate=tanh)", #"%y = Gelu "act" (%s) {approximate=tanh} : f32[1,2,3,3]"#),
    (
      "requantize(scale=-0.5, min=-0.5, max=1.5)",
      #"%m = Mul "scaled" (%s, @lo) : f32[1,2,3,3]"# + "\n" + #"  %l = Round "level" (%m) : f32[1,2,3,3]"# + "\n"
        + #"  %y = Clip "act" (%l, @lo, @hi) : f32[1,2,3,3]"#
    ),
  ])
  func fusedMatchesUnfused(activation: String, unfused: String) throws {
    let header = """
        input %x: f32[1,2,3,3]
        input %r: f32[1,2,3,3]
        const @w: f32[2,2,1,1] = [0.5, 0.25, -1, 0.75]
        const @b: f32[2] = [0.5, -0.75]
        const @lo: f32[] = [-0.5]
        const @hi: f32[] = [1.5]
      """
    let convAttributes = "{dilations=[1,1], group=1, kernel_shape=[1,1], pads=[0,0,0,0], strides=[1,1]}"
    let fused = { (epilogue: String) in
      """
      graph "fused" {
      \(header)
        %y = Conv "conv" (%x, @w, @b, %r) \(convAttributes) epilogue(\(epilogue)) : f32[1,2,3,3]
        return %y
      }
      """
    }
    let separate = """
      graph "separate" {
      \(header)
        %c = Conv "conv" (%x, @w, @b) \(convAttributes) : f32[1,2,3,3]
        %s = Add "add" (%c, %r) : f32[1,2,3,3]
        \(unfused)
        return %y
      }
      """
    let inputs = ["x": ramp([1, 2, 3, 3], start: -2, step: 0.25), "r": ramp([1, 2, 3, 3], start: 1, step: -0.25)]
    let expected = try #require(try Reference.run(separate, inputs).first)
    expectClose(try Reference.run(fused("residual %r, \(activation)"), inputs).first, expected, rtol: 1e-6, atol: 1e-7)
    // The activation matters: the result differs from the plain sum somewhere.
    let sum = try Reference.run(fused("residual %r"), inputs).first
    #expect(sum != expected)
  }
}
