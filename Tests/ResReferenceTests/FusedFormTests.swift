import ResIR
import ResReference
import Testing

/// The fused forms the optimizer produces (ScaleShift, LayerNormalization with a residual, GatedSkip) agree
/// with the ONNX graphs they replace, so the reference evaluator can check the optimizer's rewrites.
@Suite struct FusedFormTests {
  // MARK: ScaleShift

  /// `relu(x·scale[c] + shift[c] + r)` along axis 1, against the same expression written with Mul, Add and
  /// Relu (which round after each op, hence the tolerance), and against values worked out by hand.
  @Test func scaleShiftMatchesMulAddRelu() throws {
    let header = """
        input %x: f32[2,3,2]
        input %r: f32[2,3,2]
        const @scale: f32[3] = [0.5, -2.0, 1.5]
        const @shift: f32[3] = [0.25, 1.0, -0.5]
        const @scale3: f32[3,1] = [0.5, -2.0, 1.5]
        const @shift3: f32[3,1] = [0.25, 1.0, -0.5]
      """
    let fused = """
      graph "fused" {
      \(header)
        %y = ScaleShift "bn" (%x, @scale, @shift, %r) {axis=1} epilogue(residual %r, relu) : f32[2,3,2]
        return %y
      }
      """
    let separate = """
      graph "separate" {
      \(header)
        %m = Mul "scale" (%x, @scale3) : f32[2,3,2]
        %a = Add "shift" (%m, @shift3) : f32[2,3,2]
        %s = Add "residual" (%a, %r) : f32[2,3,2]
        %y = Relu "relu" (%s) : f32[2,3,2]
        return %y
      }
      """
    let inputs = ["x": ramp([2, 3, 2], start: -3, step: 0.5), "r": ramp([2, 3, 2], start: 1, step: -0.25)]
    let result = try #require(try Reference.run(fused, inputs).first)
    expectClose(result, try #require(try Reference.run(separate, inputs).first), rtol: 1e-6, atol: 1e-7)
    // Element [0, 1, 0]: x = -2, r = 0.5 → -2·-2 + 1 + 0.5 = 5.5; element [0, 0, 0]: -3·0.5 + 0.25 + 1 < 0 → 0.
    #expect(result.doubles[2] == 5.5)
    #expect(result.doubles[0] == 0)
  }

  /// Without an epilogue the map is computed in Double and rounded once, also in f16.
  @Test func scaleShiftAlongTheLastAxisInHalfPrecision() throws {
    let text = """
      graph "affine" {
        input %x: f16[2,2]
        const @scale: f16[2] = [2.0, 0.5]
        const @shift: f16[2] = [1.0, -1.0]
        %y = ScaleShift "affine" (%x, @scale, @shift) {axis=1} : f16[2,2]
        return %y
      }
      """
    let x = ReferenceTensor(dtype: .float16, shape: [2, 2], doubles: [1, 2, -3, 4])
    let result = try #require(try Reference.run(text, ["x": x]).first)
    #expect(result.dtype == .float16)
    #expect(result.doubles == [3, 0, -5, 1])
  }

  // MARK: LayerNormalization with a residual

  /// `LN(x + r)` fused gives exactly what Add followed by LayerNormalization gives: the sum is rounded to X's
  /// type as the Add rounded it, so fusing changes no bit (f32 and f16, all three results).
  @Test(arguments: [DType.float32, .float16])
  func layerNormOfTheSumEqualsAddThenLayerNorm(_ dtype: DType) throws {
    let element = dtype == .float16 ? "f16" : "f32"
    let (t, s) = ("\(element)[2,5]", "\(element)[5]")
    let stats = "f32[2,1]"
    let header = """
        input %x: \(t)
        input %r: \(t)
        input %gamma: \(s)
        input %beta: \(s)
      """
    let fused = """
      graph "fused" {
      \(header)
        %y, %mean, %inv = LayerNormalization "ln" (%x, %gamma, %beta, %r) {axis=1, epsilon=1e-05, residual=1} : \(t), \(stats), \(stats)
        return %y, %mean, %inv
      }
      """
    let separate = """
      graph "separate" {
      \(header)
        %s = Add "add" (%x, %r) : \(t)
        %y, %mean, %inv = LayerNormalization "ln" (%s, %gamma, %beta) {axis=1, epsilon=1e-05} : \(t), \(stats), \(stats)
        return %y, %mean, %inv
      }
      """
    let inputs = [
      "x": ReferenceTensor(dtype: dtype, shape: [2, 5], doubles: (0..<10).map { Double($0) * 0.37 - 1.3 }),
      "r": ReferenceTensor(dtype: dtype, shape: [2, 5], doubles: (0..<10).map { 2.1 - Double($0 * $0) * 0.11 }),
      "gamma": ReferenceTensor(dtype: dtype, shape: [5], doubles: [1, 0.5, -1, 2, 0.25]),
      "beta": ReferenceTensor(dtype: dtype, shape: [5], doubles: [0, 0.5, -0.5, 1, 0.125]),
    ]
    let expected = try Reference.run(separate, inputs)
    let actual = try Reference.run(fused, inputs)
    #expect(actual == expected)
    // The residual matters.
    var withoutResidual = inputs
    withoutResidual["r"] = ReferenceTensor(dtype: dtype, shape: [2, 5], doubles: Array(repeating: 0, count: 10))
    #expect(try Reference.run(fused, withoutResidual) != expected)
  }

  // MARK: GatedSkip

  /// `T·H + (1 − T)·X` with T per row, H full and X broadcast along the rows, against Mul/Sub/Add.
  @Test func gatedSkipMatchesTheUnfusedHighway() throws {
    let header = """
        input %t: f32[3,1]
        input %h: f32[3,4]
        input %x: f32[4]
        const @one: f32[] = [1.0]
      """
    let fused = """
      graph "fused" {
      \(header)
        %y = GatedSkip "highway" (%t, %h, %x) : f32[3,4]
        return %y
      }
      """
    let separate = """
      graph "separate" {
      \(header)
        %th = Mul "th" (%t, %h) : f32[3,4]
        %carry = Sub "carry" (@one, %t) : f32[3,1]
        %cx = Mul "cx" (%carry, %x) : f32[3,4]
        %y = Add "sum" (%th, %cx) : f32[3,4]
        return %y
      }
      """
    let inputs = [
      "t": f32([3, 1], [0, 0.25, 1]), "h": ramp([3, 4], start: -2, step: 0.5), "x": f32([4], [10, 20, 30, 40]),
    ]
    let result = try #require(try Reference.run(fused, inputs).first)
    expectClose(result, try #require(try Reference.run(separate, inputs).first), rtol: 1e-6, atol: 1e-6)
    #expect(result.shape == [3, 4])
    // T = 0 carries X, T = 1 transforms: the gate is data, applied per row.
    #expect(Array(result.doubles[0..<4]) == [10, 20, 30, 40])
    #expect(Array(result.doubles[8..<12]) == [2, 2.5, 3, 3.5])
  }
}
