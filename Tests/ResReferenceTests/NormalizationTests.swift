import ResIR
import ResReference
import Testing

/// BatchNormalization, LayerNormalization and LRN against onnxruntime (LRN with an even size, which
/// onnxruntime rejects, against the ONNX formula evaluated in numpy).
@Suite struct NormalizationTests {
  @Test func batchNormalizationPerChannel() throws {
    let y = try Reference.run(
      """
      graph "bn" {
        input %x: f32[2,3,2,2]
        const @scale: f32[3] = [1, 0.5, -2]
        const @bias: f32[3] = [0, 1, -1]
        const @mean: f32[3] = [0.5, -0.25, 1]
        const @var: f32[3] = [1, 0.25, 4]
        %y = BatchNormalization "bn" (%x, @scale, @bias, @mean, @var) {epsilon=0.001} : f32[2,3,2,2]
        return %y
      }
      """, ["x": ramp([2, 3, 2, 2], start: -2, step: 0.25)])
    expectClose(
      y.first,
      f32(
        [2, 3, 2, 2],
        [
          -2.498751, -2.2488759, -1.9990008, -1.7491257, 0.25149542, 0.50099695, 0.7504984, 0.99999994,
          -0.00012493134, -0.2500937, -0.50006247, -0.75003123, 0.4997502, 0.74962527, 0.99950045, 1.2493756,
          3.2455134, 3.4950151, 3.7445166, 3.994018, -2.9997501, -3.249719, -3.4996877, -3.7496564,
        ]), rtol: 1e-5)
  }

  /// Axis 1 of a rank-3 input: each batch entry is one group. Mean and InvStdDev keep the reduced axes as 1
  /// and are float32.
  @Test func layerNormalizationResults() throws {
    let results = try Reference.run(
      """
      graph "ln" {
        input %x: f32[2,2,3]
        input %scale: f32[2,3]
        input %bias: f32[3]
        %y, %mean, %inv = LayerNormalization "ln" (%x, %scale, %bias) {axis=1, epsilon=1e-05} : f32[2,2,3], f32[2,1,1], f32[2,1,1]
        return %y, %mean, %inv
      }
      """,
      [
        "x": ramp([2, 2, 3], start: -1, step: 0.375), "scale": ramp([2, 3], start: 0.5, step: 0.25),
        "bias": ramp([3], start: -0.5, step: 0.5),
      ])
    try #require(results.count == 3)
    let row = [-1.2319162, -0.65872455, 0.20723355, -0.13404194, 1.3174491, 3.0617065]
    expectClose(results[0], f32([2, 2, 3], row + row), rtol: 1e-5)
    expectClose(results[1], f32([2, 1, 1], [-0.0625, 2.1875]))
    expectClose(results[2], f32([2, 1, 1], [1.561421, 1.561421]), rtol: 1e-5)
  }

  @Test func layerNormalizationLastAxisWithoutBias() throws {
    let y = try Reference.run(
      """
      graph "ln" {
        input %x: f32[2,3]
        const @scale: f32[3] = [1, 2, 3]
        %y, %mean, %inv = LayerNormalization "ln" (%x, @scale, _) {axis=1, epsilon=0.001} : f32[2,3], f32[2,1], f32[2,1]
        return %y
      }
      """, ["x": f32([2, 3], [0, 0.225, 0.9, 2.025, 3.6, 5.625])])
    expectClose(
      y.first, f32([2, 3], [-0.9772454, -0.78179634, 4.10443, -1.1703997, -0.20354791, 3.816521]), rtol: 1e-5)
  }

  /// The statistics of an f16 input are still f32 (ONNX's default stash_type).
  @Test func layerNormalizationStatisticsAreFloat32() throws {
    let results = try Reference.run(
      """
      graph "ln" {
        input %x: f16[1,4]
        const @scale: f16[4] = [1, 1, 1, 1]
        %y, %mean, %inv = LayerNormalization "ln" (%x, @scale, _) {axis=1, epsilon=0.0} : f16[1,4], f32[1,1], f32[1,1]
        return %y, %mean, %inv
      }
      """, ["x": ReferenceTensor(dtype: .float16, shape: [1, 4], doubles: [1, 2, 3, 4])])
    try #require(results.count == 3)
    // Mean 2.5, variance 1.25: (x − 2.5)/√1.25 rounded to f16.
    let deviation = 1.25.squareRoot()
    expectClose(
      results[0],
      ReferenceTensor(dtype: .float16, shape: [1, 4], doubles: [-1.5, -0.5, 0.5, 1.5].map { $0 / deviation }))
    expectClose(results[1], f32([1, 1], [2.5]))
    expectClose(results[2], f32([1, 1], [1 / deviation]))
  }

  /// Odd size: the window is centred. Even size: it reaches one channel further up than down
  /// (c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉).
  @Test(arguments: [
    (
      "size=3, alpha=0.5, beta=0.75, bias=2.0",
      [
        -0.91581285, -0.773889, -0.45790642, -0.25467682, 0.0, 0.25467682, 0.45790642, 0.5914814, 0.91581285,
        0.99480516,
      ]
    ),
    (
      "size=4, alpha=0.1, beta=0.5, bias=1.0",
      [-1.8856181, -1.4509525, -0.93250483, -0.47140452, 0.0, 0.45175394, 0.94280905, 1.3587325, 1.8856181, 2.2703831]
    ),
  ])
  func localResponseNormalization(attributes: String, expected: [Double]) throws {
    let y = try Reference.run(
      """
      graph "lrn" {
        input %x: f32[1,5,2,1]
        %y = LRN "lrn" (%x) {\(attributes)} : f32[1,5,2,1]
        return %y
      }
      """, ["x": ramp([1, 5, 2, 1], start: -2, step: 0.5)])
    expectClose(y.first, f32([1, 5, 2, 1], expected), rtol: 1e-5)
  }

  /// ONNX lets the parameters have another float type than X; the result keeps X's.
  @Test func batchNormalizationWithFloat32ParametersOnFloat16() throws {
    let y = try Reference.run(
      """
      graph "bn" {
        input %x: f16[1,2,1,2]
        const @scale: f32[2] = [2, 0.5]
        const @bias: f32[2] = [1, -1]
        const @mean: f32[2] = [0, 1]
        const @var: f32[2] = [1, 4]
        %y = BatchNormalization "bn" (%x, @scale, @bias, @mean, @var) {epsilon=0.0} : f16[1,2,1,2]
        return %y
      }
      """, ["x": ReferenceTensor(dtype: .float16, shape: [1, 2, 1, 2], doubles: [1, 2, 3, 5])])
    #expect(y.first == ReferenceTensor(dtype: .float16, shape: [1, 2, 1, 2], doubles: [3, 5, -0.5, 0]))
  }

  /// Scale must broadcast onto the normalized axes, not merely onto X.
  @Test func layerNormalizationScaleMustFitTheNormalizedShape() throws {
    try expectFailure(
      """
      graph "ln" {
        input %x: f32[2,3]
        input %scale: f32[2,3]
        %y, %mean, %inv = LayerNormalization "ln" (%x, %scale, _) {axis=1, epsilon=1e-05} : f32[2,3], f32[2,1], f32[2,1]
        return %y
      }
      """, ["x": ramp([2, 3]), "scale": ramp([2, 3])], node: "ln", opType: "LayerNormalization",
      mentioning: "does not broadcast to the normalized shape [3]")
  }

  @Test func batchNormalizationParametersMustHaveOneValuePerChannel() throws {
    try expectFailure(
      """
      graph "bn" {
        input %x: f32[1,3,2,2]
        const @p: f32[2] = [1, 1]
        %y = BatchNormalization "bn1" (%x, @p, @p, @p, @p) {epsilon=1e-05} : f32[1,3,2,2]
        return %y
      }
      """, ["x": ramp([1, 3, 2, 2])], node: "bn1", opType: "BatchNormalization", mentioning: "scale must have shape [3]"
    )
  }
}
