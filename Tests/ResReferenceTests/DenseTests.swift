import ResIR
import ResReference
import Testing

/// Gemm and MatMul against onnxruntime's values for the same ramp inputs.
@Suite struct DenseTests {
  @Test func gemmWithTransposesAlphaBetaAndBroadcastC() throws {
    let y = try Reference.run(
      """
      graph "gemm" {
        input %a: f32[3,2]
        input %b: f32[4,3]
        const @c: f32[2,1] = [1, -2]
        %y = Gemm "g" (%a, %b, @c) {alpha=0.5, beta=2.0, transA=1, transB=1} : f32[2,4]
        return %y
      }
      """, ["a": ramp([3, 2], start: -1, step: 0.5), "b": ramp([4, 3], start: 0.5, step: -0.25)])
    expectClose(y.first, f32([2, 4], [1.75, 1.75, 1.75, 1.75, -4.0625, -4.625, -5.1875, -5.75]))
  }

  /// Gemm's epilogue: C (its bias), then the residual, then the activation, as Gemm → Add → Sigmoid.
  @Test func gemmEpilogue() throws {
    let y = try Reference.run(
      """
      graph "gemm" {
        input %a: f32[2,3]
        input %b: f32[3,2]
        input %r: f32[2,2]
        const @c: f32[2] = [0.5, -0.5]
        %y = Gemm "g" (%a, %b, @c, %r) {alpha=1.0, beta=1.0, transA=0, transB=0} epilogue(residual %r, sigmoid) : f32[2,2]
        return %y
      }
      """,
      [
        "a": ramp([2, 3], start: -1, step: 0.5), "b": ramp([3, 2], start: 0.25, step: 0.5),
        "r": ramp([2, 2], start: 1, step: -1),
      ])
    expectClose(y.first, f32([2, 2], [0.65135485, 0.106690586, 0.9859364, 0.97702265]))
  }

  @Test func matMulBroadcastsBatchAxes() throws {
    let y = try Reference.run(
      """
      graph "mm" {
        input %a: f32[2,1,2,3]
        input %b: f32[3,3,2]
        %y = MatMul "m" (%a, %b) : f32[2,3,2,2]
        return %y
      }
      """, ["a": ramp([2, 1, 2, 3], start: -1, step: 0.25), "b": ramp([3, 3, 2], start: 1, step: -0.25)])
    expectClose(
      y.first,
      f32(
        [2, 3, 2, 2],
        [
          -1.375, -0.8125, -0.25, -0.25, 2.0, 2.5625, -0.25, -0.25, 5.375, 5.9375, -0.25, -0.25, 0.875, 0.3125, 2.0,
          0.875, -2.5, -3.0625, -4.75, -5.875, -5.875, -6.4375, -11.5, -12.625,
        ]))
  }

  /// numpy's vector rules: a 1-D A is a row whose axis disappears, a 1-D B a column; two vectors give a scalar.
  /// A is the ramp 1, 2, 3…; B a ramp with the given start and step.
  @Test(arguments: [
    ([3], [2, 3, 2], (0.0, 0.5), [2, 2], [8.0, 11, 26, 29]),
    ([2, 2, 3], [3], (0.0, 0.5), [2, 2], [4.0, 8.5, 13, 17.5]),
    ([3], [3], (2.0, -1.0), [], [4.0]),
  ])
  func matMulVectors(aShape: [Int], bShape: [Int], bRamp: (Double, Double), outputShape: [Int], expected: [Double])
    throws
  {
    func spelled(_ shape: [Int]) -> String { "f32[\(shape.map(String.init).joined(separator: ","))]" }
    let text = """
      graph "mm" {
        input %a: \(spelled(aShape))
        input %b: \(spelled(bShape))
        %y = MatMul "m" (%a, %b) : \(spelled(outputShape))
        return %y
      }
      """
    let y = try Reference.run(text, ["a": ramp(aShape, start: 1), "b": ramp(bShape, start: bRamp.0, step: bRamp.1)])
    expectClose(y.first, f32(outputShape, expected))
  }

  /// Integer products are exact; integer Gemm with a non-unit alpha converts `alpha·AB` back like Cast.
  @Test func integerMatMulAndGemm() throws {
    let results = try Reference.run(
      """
      graph "int" {
        input %a: i64[2,2]
        input %b: i64[2,2]
        %p = MatMul "m" (%a, %b) : i64[2,2]
        %g = Gemm "g" (%a, %b, _) {alpha=0.5, beta=1.0, transA=0, transB=0} : i64[2,2]
        return %p, %g
      }
      """, ["a": tensor(.int64, [2, 2], [1, 2, 3, 4]), "b": tensor(.int64, [2, 2], [5, 6, 7, 8])])
    #expect(results == [tensor(.int64, [2, 2], [19, 22, 43, 50]), tensor(.int64, [2, 2], [9, 11, 21, 25])])
  }

  /// The fused MatMul: bias (broadcast), residual, GELU (tanh), as MatMul → Add → Add → Gelu in onnxruntime.
  @Test func matMulEpilogue() throws {
    let y = try Reference.run(
      """
      graph "mm" {
        input %a: f32[2,3]
        input %b: f32[3,4]
        input %r: f32[2,4]
        const @bias: f32[4] = [0.5, -0.5, 1, 0]
        %y = MatMul "m" (%a, %b, @bias, %r) epilogue(residual %r, gelu(approximate=tanh)) : f32[2,4]
        return %y
      }
      """,
      [
        "a": ramp([2, 3], start: -1, step: 0.5), "b": ramp([3, 4], start: -1, step: 0.25),
        "r": ramp([2, 4], start: 0.5, step: -0.25),
      ])
    expectClose(
      y.first,
      f32([2, 4], [1.9545977, 0.24230777, 1.1177142, -0.13269223, 0.841192, 0.345714, 2.4849157, 1.9545977]),
      rtol: 1e-5)
  }

  @Test func residualMustMatchTheOutputExactly() throws {
    try expectFailure(
      """
      graph "mm" {
        input %a: f32[2,3]
        input %b: f32[3,4]
        input %r: f32[1,4]
        %y = MatMul "m" (%a, %b, _, %r) epilogue(residual %r) : f32[2,4]
        return %y
      }
      """, ["a": ramp([2, 3]), "b": ramp([3, 4]), "r": ramp([1, 4])], node: "m", opType: "MatMul",
      mentioning: "a residual must match the output exactly")
  }

  @Test func innerDimensionsMustAgree() throws {
    try expectFailure(
      """
      graph "gemm" {
        input %a: f32[2,3]
        input %b: f32[2,4]
        %y = Gemm "fc" (%a, %b, _) {alpha=1.0, beta=1.0, transA=0, transB=0} : f32[2,4]
        return %y
      }
      """, ["a": ramp([2, 3]), "b": ramp([2, 4])], node: "fc", opType: "Gemm", mentioning: "do not multiply")
  }
}
