import ResIR
import ResReference
import Testing

/// Unary, Clip, Binary, Variadic, Where and Cast. Float functions against onnxruntime; integer arithmetic and
/// conversions by hand (their rules are the point of the tests).
@Suite struct ElementwiseTests {
  private static let samples: [Double] = [-3, -1.5, -0.5, 0, 0.25, 1, 2.5, 4]

  /// `%y = <op> "op" (%x) {attributes}` on the eight samples.
  private func unary(_ op: String, _ attributes: String = "") throws -> ReferenceTensor? {
    let braces = attributes.isEmpty ? "" : " {\(attributes)}"
    return try Reference.run(
      """
      graph "unary" {
        input %x: f32[8]
        %y = \(op) "op" (%x)\(braces) : f32[8]
        return %y
      }
      """, ["x": f32([8], Self.samples)]
    ).first
  }

  @Test(arguments: [
    ("Relu", "", [0.0, 0, 0, 0, 0.25, 1, 2.5, 4]),
    ("Sigmoid", "", [0.047425866, 0.18242556, 0.3775407, 0.5, 0.56217647, 0.7310586, 0.9241418, 0.98201376]),
    ("Tanh", "", [-0.9950547, -0.9051482, -0.46211717, 0.0, 0.24491866, 0.7615942, 0.98661435, 0.9993292]),
    ("Erf", "", [-0.9999779, -0.96610516, -0.5204999, 0.0, 0.2763264, 0.8427008, 0.9995931, 1.0]),
    ("Sqrt", "", [.nan, .nan, .nan, 0.0, 0.5, 1.0, 1.5811388, 2.0]),
    ("HardSwish", "", [-0.0, -0.375, -0.20833333, 0.0, 0.13541667, 0.6666667, 2.2916667, 4.0]),
    ("LeakyRelu", "alpha=0.1", [-0.3, -0.15, -0.05, 0.0, 0.25, 1.0, 2.5, 4.0]),
    ("HardSigmoid", "alpha=0.3, beta=0.4", [0.0, 0.0, 0.25, 0.4, 0.47500002, 0.70000005, 1.0, 1.0]),
    (
      "Gelu", "approximate=none",
      [-0.0040496886, -0.100210816, -0.15426877, 0, 0.14967658, 0.8413447, 2.484476, 3.9998732]
    ),
    ("Gelu", "approximate=tanh", [-0.0036375225, -0.10042843, -0.154286, 0, 0.14967535, 0.841192, 2.4849157, 3.99993]),
  ])
  func unaryOps(op: String, attributes: String, expected: [Double]) throws {
    expectClose(try unary(op, attributes), f32([8], expected), rtol: 1e-5)
  }

  @Test func reluKeepsIntegers() throws {
    let y = try Reference.run(
      """
      graph "relu" {
        input %x: i32[4]
        %y = Relu "r" (%x) : i32[4]
        return %y
      }
      """, ["x": tensor(.int32, [4], [-5, 0, 3, -1])])
    #expect(y.first == tensor(.int32, [4], [0, 0, 3, 0]))
  }

  /// Absent bounds are no bounds; a lower bound above the upper gives the upper bound everywhere (ONNX).
  @Test(arguments: [
    ("@lo, @hi", [-1.0, -1, -0.5, 0, 0.25, 1, 2, 2]),
    ("@lo, _", [-1.0, -1, -0.5, 0, 0.25, 1, 2.5, 4]),
    ("_, @hi", [-3.0, -1.5, -0.5, 0, 0.25, 1, 2, 2]),
    ("_, _", samples),
    ("@hi, @lo", [-1.0, -1, -1, -1, -1, -1, -1, -1]),
  ])
  func clip(bounds: String, expected: [Double]) throws {
    let y = try Reference.run(
      """
      graph "clip" {
        input %x: f32[8]
        const @lo: f32[] = [-1]
        const @hi: f32[] = [2]
        %y = Clip "c" (%x, \(bounds)) : f32[8]
        return %y
      }
      """, ["x": f32([8], Self.samples)])
    expectClose(y.first, f32([8], expected))
  }

  /// `%y = <op> "op" (%a, %b) : <result>` for two inputs of the given types.
  private func binary(_ op: String, _ a: ReferenceTensor, _ b: ReferenceTensor, result: String, attributes: String = "")
    throws -> ReferenceTensor?
  {
    func type(_ t: ReferenceTensor) -> String {
      "\(t.dtype.rawValue)[\(t.shape.map(String.init).joined(separator: ","))]"
    }
    let braces = attributes.isEmpty ? "" : " {\(attributes)}"
    return try Reference.run(
      """
      graph "binary" {
        input %a: \(type(a))
        input %b: \(type(b))
        %y = \(op) "op" (%a, %b)\(braces) : \(result)
        return %y
      }
      """, ["a": a, "b": b]
    ).first
  }

  @Test func arithmeticBroadcasts() throws {
    let a = f32([2, 1], [1, 2])
    let b = f32([1, 3], [10, 20, 30])
    expectClose(try binary("Add", a, b, result: "f32[2,3]"), f32([2, 3], [11, 21, 31, 12, 22, 32]))
    expectClose(try binary("Sub", a, b, result: "f32[2,3]"), f32([2, 3], [-9, -19, -29, -8, -18, -28]))
    expectClose(try binary("Mul", a, b, result: "f32[2,3]"), f32([2, 3], [10, 20, 30, 20, 40, 60]))
    let c = ramp([2, 3], start: -1, step: 0.75)
    let d = f32([3], [2, -0.5, 4])
    expectClose(try binary("Div", c, d, result: "f32[2,3]"), f32([2, 3], [-0.5, 0.5, 0.125, 0.625, -4.0, 0.6875]))
    expectClose(
      try binary("Pow", c, d, result: "f32[2,3]"), f32([2, 3], [1.0, .nan, 0.0625, 1.5625, 0.70710677, 57.191406]),
      rtol: 1e-6)
  }

  @Test func incompatibleShapesNameTheNode() throws {
    let error = try Reference.error(
      """
      graph "add" {
        input %a: f32[2,3]
        input %b: f32[2]
        %y = Add "residual add" (%a, %b) : f32[2,3]
        return %y
      }
      """, ["a": ramp([2, 3]), "b": ramp([2])])
    #expect(error?.description == "node 'residual add' (Add): shapes [2,3] and [2] do not broadcast")
  }

  private static let dividends: [Int64] = [7, -7, 7, -7, 5, -5]
  private static let divisors: [Int64] = [3, 3, -3, -3, 5, 2]

  /// Integer Div truncates toward zero (ONNX's reference implementation), Mod takes the divisor's sign unless
  /// `fmod=1`, which takes the dividend's.
  @Test(arguments: [
    ("Div", "", [2, -2, -2, 2, 1, -2] as [Int64]),
    ("Mod", "fmod=0", [1, 2, -2, -1, 0, 1]),
    ("Mod", "fmod=1", [1, -1, 1, -1, 0, -1]),
  ])
  func integerDivisionAndModulo(op: String, attributes: String, expected: [Int64]) throws {
    let y = try binary(
      op, tensor(.int64, [6], Self.dividends), tensor(.int64, [6], Self.divisors), result: "i64[6]",
      attributes: attributes)
    #expect(y == tensor(.int64, [6], expected))
  }

  @Test func floatModulo() throws {
    let a = f32([4], [5.5, -5.5, 5.5, -5.5])
    let b = f32([4], [2, 2, -2, -2])
    expectClose(try binary("Mod", a, b, result: "f32[4]", attributes: "fmod=1"), f32([4], [1.5, -1.5, 1.5, -1.5]))
    expectClose(try binary("Mod", a, b, result: "f32[4]", attributes: "fmod=0"), f32([4], [1.5, 0.5, -0.5, -1.5]))
  }

  @Test(arguments: ["Div", "Mod"])
  func integerDivisionByZeroIsAnError(op: String) throws {
    let attributes = op == "Mod" ? " {fmod=0}" : ""
    try expectFailure(
      """
      graph "div" {
        input %a: i32[2]
        input %b: i32[2]
        %y = \(op) "d" (%a, %b)\(attributes) : i32[2]
        return %y
      }
      """, ["a": tensor(.int32, [2], [1, 2]), "b": tensor(.int32, [2], [1, 0])], node: "d", opType: op,
      mentioning: "by zero")
  }

  /// Integer arithmetic wraps at the operands' width, as numpy and C do.
  @Test func integerArithmeticWraps() throws {
    let bytes = try binary("Sub", tensor(.uint8, [2], [3, 200]), tensor(.uint8, [2], [5, 100]), result: "u8[2]")
    #expect(bytes == tensor(.uint8, [2], [254, 100]))
    let small = try binary("Add", tensor(.int8, [1], [127]), tensor(.int8, [1], [1]), result: "i8[1]")
    #expect(small == tensor(.int8, [1], [-128]))
  }

  @Test func integerPower() throws {
    let y = try binary(
      "Pow", tensor(.int64, [5], [3, -2, 2, -1, 5]), tensor(.int64, [5], [4, 3, -1, -3, 0]), result: "i64[5]")
    #expect(y == tensor(.int64, [5], [81, -8, 0, -1, 1]))
  }

  @Test func equalGivesBool() throws {
    let y = try binary("Equal", f32([3], [1, .nan, 2]), f32([1, 3], [1, .nan, 3]), result: "bool[1,3]")
    #expect(y == tensor(.bool, [1, 3], [1, 0, 0]))
  }

  @Test func variadicOpsBroadcastAndPropagateNaN() throws {
    let text = { (op: String) in
      """
      graph "variadic" {
        input %a: f32[2,1]
        input %b: f32[3]
        input %c: f32[]
        %y = \(op) "v" (%a, %b, %c) : f32[2,3]
        return %y
      }
      """
    }
    let inputs = ["a": f32([2, 1], [1, .nan]), "b": f32([3], [-1, 0.5, 4]), "c": f32([], [2])]
    expectClose(try Reference.run(text("Sum"), inputs).first, f32([2, 3], [2, 3.5, 7, .nan, .nan, .nan]))
    expectClose(try Reference.run(text("Max"), inputs).first, f32([2, 3], [2, 2, 4, .nan, .nan, .nan]))
    expectClose(try Reference.run(text("Min"), inputs).first, f32([2, 3], [-1, 0.5, 1, .nan, .nan, .nan]))
  }

  @Test func whereBroadcastsAllThreeOperands() throws {
    let y = try Reference.run(
      """
      graph "where" {
        input %c: bool[2,1]
        input %x: i64[1,3]
        input %y: i64[]
        %z = Where "w" (%c, %x, %y) : i64[2,3]
        return %z
      }
      """,
      ["c": tensor(.bool, [2, 1], [1, 0]), "x": tensor(.int64, [1, 3], [1, 2, 3]), "y": tensor(.int64, [], [-7])])
    #expect(y.first == tensor(.int64, [2, 3], [1, 2, 3, -7, -7, -7]))
  }

  /// `%y = Cast "cast" (%x) {to=…}` of `x`.
  private func cast(_ x: ReferenceTensor, to dtype: DType) throws -> ReferenceTensor? {
    try Reference.run(
      """
      graph "cast" {
        input %x: \(x.dtype.rawValue)[\(x.elementCount)]
        %y = Cast "cast" (%x) {to=\(dtype.rawValue)} : \(dtype.rawValue)[\(x.elementCount)]
        return %y
      }
      """, ["x": x]
    ).first
  }

  @Test func castFloatToIntegerTruncatesAndSaturates() throws {
    let y = try cast(f32([6], [2.7, -2.7, 1e10, -1e10, .nan, -0.5]), to: .int32)
    #expect(y == tensor(.int32, [6], [2, -2, Int64(Int32.max), Int64(Int32.min), 0, 0]))
  }

  @Test func castToBoolIsNonzero() throws {
    let y = try cast(f32([5], [0, -0.0, 0.5, .nan, -3]), to: .bool)
    #expect(y == tensor(.bool, [5], [0, 0, 1, 1, 1]))
  }

  @Test func castBetweenIntegersKeepsTheLowBits() throws {
    let y = try cast(tensor(.int64, [4], [300, -1, 255, 256]), to: .uint8)
    #expect(y == tensor(.uint8, [4], [44, 255, 255, 0]))
  }

  /// f16 rounds to nearest, ties to even, and overflows to infinity above 65504 (+ half an ulp).
  @Test func castToFloat16Rounds() throws {
    let y = try cast(f32([5], [1 + 0x1p-10, 1 + 0x1p-11, 1 + 0x1.8p-11, 70000, 65519]), to: .float16)
    #expect(y?.doubles.map { $0 } == [1 + 0x1p-10, 1, 1 + 0x1p-10, .infinity, 65504])
  }

  @Test func castFromBoolAndToFloat() throws {
    let y = try cast(tensor(.bool, [2], [1, 0]), to: .float32)
    #expect(y == f32([2], [1, 0]))
    let big = try cast(tensor(.int64, [1], [16_777_217]), to: .float32)
    #expect(big?.doubles == [16_777_216])
  }
}
