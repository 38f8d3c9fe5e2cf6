import ResIR
import ResReference
import Testing

/// Conv against values computed by onnxruntime (inputs are the same ramps), plus hand-checkable cases.
@Suite struct ConvolutionTests {
  /// A one-node Conv graph; `weights` are given as a second input so the test states them exactly.
  private func conv(
    _ x: String, _ w: String, _ attributes: String, _ result: String, bias: String? = nil
  ) -> String {
    let biasInput = bias.map { "  input %b: \($0)\n" } ?? ""
    let operands = bias == nil ? "%x, %w" : "%x, %w, %b"
    return """
      graph "conv" {
        input %x: \(x)
        input %w: \(w)
      \(biasInput)  %y = Conv "c" (\(operands)) {\(attributes)} : \(result)
        return %y
      }
      """
  }

  @Test func paddedThreeByThree() throws {
    let text = conv(
      "f32[1,1,4,4]", "f32[1,1,3,3]", "dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]",
      "f32[1,1,4,4]")
    let y = try Reference.run(text, ["x": ramp([1, 1, 4, 4]), "w": ramp([1, 1, 3, 3], start: -1, step: 0.25)])
    // Top-left by hand: taps (1,1),(1,2),(2,1),(2,2) of w = 0, 0.25, 0.75, 1 over x = 0, 1, 4, 5 → 8.25.
    expectClose(
      y.first,
      f32(
        [1, 1, 4, 4],
        [8.25, 12.25, 14.5, 7.75, 15.75, 19.5, 19.5, 7.5, 18.75, 19.5, 19.5, 4.5, -7.25, -19.25, -21.5, -21.75]))
  }

  @Test func groupsDilationsStridesAndAsymmetricPads() throws {
    let text = conv(
      "f32[1,4,5,5]", "f32[4,2,2,2]",
      "dilations=[2,2], group=2, kernel_shape=[2,2], pads=[1,0,2,1], strides=[2,1]", "f32[1,4,3,4]", bias: "f32[4]")
    let y = try Reference.run(
      text,
      [
        "x": ramp([1, 4, 5, 5], step: 0.1), "w": ramp([4, 2, 2, 2], start: -0.5, step: 0.05),
        "b": f32([4], [0.5, -1, 2, 0.25]),
      ])
    expectClose(
      y.first,
      f32(
        [1, 4, 3, 4],
        [
          -1.025, -1.135, -1.245, -0.48000002, -4.3900003, -4.65, -4.9100003, -2.4700003, -3.265, -3.4150002, -3.565,
          -1.69, 0.43499994, 0.4849999, 0.5350001, -0.33999997, 1.6300001, 1.69, 1.75, 0.110000014, -0.20499998,
          -0.19499993, -0.185, -0.75, 16.895, 17.105, 17.314999, 9.300001, 31.149998, 31.53, 31.91, 16.19,
          15.8550005, 16.025, 16.195, 8.690001, 26.104998, 26.475, 26.845, 13.190001, 52.920002, 53.620003,
          54.319996, 26.52, 26.664999, 26.995, 27.324999, 13.38,
        ]), rtol: 1e-5, atol: 1e-5)
  }

  /// SAME padding is computed from the actual input: 6x5 input, 3x2 kernel, stride 2 → output 3x3 with total
  /// pads 1 (rows) and 1 (columns), at the end for SAME_UPPER and at the beginning for SAME_LOWER.
  @Test(arguments: [
    ("SAME_UPPER", [157.0, 199, 101, 367, 409, 191, 241, 261, 111]),
    ("SAME_LOWER", [30.0, 83, 119, 140, 283, 325, 260, 493, 535]),
  ])
  func samePadding(mode: String, expected: [Double]) throws {
    let text = conv(
      "f32[1,1,6,5]", "f32[1,1,3,2]",
      "auto_pad=\(mode), dilations=[1,1], group=1, kernel_shape=[3,2], strides=[2,2]", "f32[1,1,3,3]")
    let y = try Reference.run(text, ["x": ramp([1, 1, 6, 5]), "w": ramp([1, 1, 3, 2], start: 1)])
    expectClose(y.first, f32([1, 1, 3, 3], expected))
  }

  @Test func oneDimensional() throws {
    let text = conv(
      "f32[1,2,7]", "f32[3,2,3]", "dilations=[2], group=1, kernel_shape=[3], pads=[1,2], strides=[2]", "f32[1,3,3]")
    let y = try Reference.run(
      text, ["x": ramp([1, 2, 7], start: 1, step: 0.5), "w": ramp([3, 2, 3], start: -1, step: 0.125)])
    expectClose(
      y.first, f32([1, 3, 3], [-7.9375, -15.0625, -12.8125, 3.3125, 4.0625, 1.4375, 14.5625, 23.1875, 15.6875]))
  }

  @Test func threeDimensionalWithBias() throws {
    let text = conv(
      "f32[1,1,3,4,4]", "f32[2,1,2,2,2]",
      "dilations=[1,1,1], group=1, kernel_shape=[2,2,2], pads=[0,1,0,0,0,1], strides=[1,1,1]", "f32[1,2,2,4,4]",
      bias: "f32[2]")
    let y = try Reference.run(
      text,
      [
        "x": ramp([1, 1, 3, 4, 4], step: 0.25), "w": ramp([2, 1, 2, 2, 2], start: -1, step: 0.25),
        "b": f32([2], [1, -2]),
      ])
    expectClose(
      y.first,
      f32(
        [1, 2, 2, 4, 4],
        [
          6.125, 6.25, 6.375, 3.0, 7.5, 7.25, 7.0, 2.25, 6.5, 6.25, 6.0, 1.25, 5.5, 5.25, 5.0, 0.25, 8.125, 8.25,
          8.375, 3.0, 3.5, 3.25, 3.0, -1.75, 2.5, 2.25, 2.0, -2.75, 1.5, 1.25, 1.0, -3.75, 20.125, 22.25, 24.375,
          11.0, 46.5, 50.25, 54.0, 25.25, 61.5, 65.25, 69.0, 32.25, 76.5, 80.25, 84.0, 39.25, 54.125, 56.25, 58.375,
          27.0, 106.5, 110.25, 114.0, 53.25, 121.5, 125.25, 129.0, 60.25, 136.5, 140.25, 144.0, 67.25,
        ]))
  }

  @Test func depthwiseWithBatch() throws {
    let text = conv(
      "f32[2,3,3,3]", "f32[3,1,2,2]", "dilations=[1,1], group=3, kernel_shape=[2,2], pads=[0,0,0,0], strides=[1,1]",
      "f32[2,3,2,2]")
    let y = try Reference.run(
      text, ["x": ramp([2, 3, 3, 3], start: -4, step: 0.5), "w": ramp([3, 1, 2, 2], start: 1, step: -0.5)])
    expectClose(
      y.first,
      f32(
        [2, 3, 2, 2],
        [
          -4.75, -4.25, -3.25, -2.75, -12.25, -15.75, -22.75, -26.25, -91.75, -99.25, -114.25, -121.75, 8.75, 9.25,
          10.25, 10.75, -106.75, -110.25, -117.25, -120.75, -294.25, -301.75, -316.75, -324.25,
        ]))
  }

  /// Bias, then the residual, then the activation: onnxruntime's Conv → Add → Relu gives these values; putting
  /// the ReLU before the residual would leave channel 1 positive.
  @Test func epilogueAddsBiasThenResidualThenActivation() throws {
    let text = """
      graph "fused" {
        input %x: f32[1,2,3,3]
        input %r: f32[1,2,3,3]
        const @w: f32[2,2,1,1] = [0.5, 0.25, -1, 0.75]
        const @b: f32[2] = [0.5, -0.75]
        %y = Conv "c" (%x, @w, @b, %r) {dilations=[1,1], group=1, kernel_shape=[1,1], pads=[0,0,0,0], strides=[1,1]} epilogue(residual %r, relu) : f32[1,2,3,3]
        return %y
      }
      """
    let y = try Reference.run(
      text, ["x": ramp([1, 2, 3, 3], start: -2, step: 0.25), "r": ramp([1, 2, 3, 3], start: 1, step: -0.25)])
    expectClose(
      y.first,
      f32(
        [1, 2, 3, 3],
        [0.5625, 0.5, 0.4375, 0.375, 0.3125, 0.25, 0.1875, 0.125, 0.0625, 0.1875, 0, 0, 0, 0, 0, 0, 0, 0]))
  }

  @Test func channelMismatchNamesTheNode() throws {
    let text = conv(
      "f32[1,3,4,4]", "f32[2,2,3,3]", "dilations=[1,1], group=1, kernel_shape=[3,3], pads=[1,1,1,1], strides=[1,1]",
      "f32[1,2,4,4]")
    try expectFailure(
      text, ["x": ramp([1, 3, 4, 4]), "w": ramp([2, 2, 3, 3])], node: "c", opType: "Conv",
      mentioning: "do not fit group 1")
  }

  @Test func windowLargerThanInputIsAnError() throws {
    let text = conv(
      "f32[1,1,2,2]", "f32[1,1,3,3]", "dilations=[1,1], group=1, kernel_shape=[3,3], pads=[0,0,0,0], strides=[1,1]",
      "f32[1,1,1,1]")
    try expectFailure(
      text, ["x": ramp([1, 1, 2, 2]), "w": ramp([1, 1, 3, 3])], node: "c", opType: "Conv",
      mentioning: "more than the padded input size")
  }
}
