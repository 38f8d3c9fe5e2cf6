import ResIR
import ResTestSupport
import Testing

@Suite struct ElementwiseInferenceTests {
  @Test func unaryKeepsType() throws {
    let b = GraphBuilder()
    let x = b.input("f16[N,8]")
    let ops: [UnaryOp] = [
      .relu, .sigmoid, .tanh, .erf, .sqrt, .hardSwish, .leakyRelu(alpha: 0.1), .hardSigmoid(alpha: 0.2, beta: 0.5),
      .gelu(.tanh),
    ]
    for op in ops {
      #expect(b.type(try b.value(.unary(op), [x])) == "f16[N,8]")
    }
  }

  @Test func reluAcceptsIntegersButSigmoidDoesNot() throws {
    let b = GraphBuilder()
    let x = b.input("i32[4]")
    #expect(b.type(try b.value(.unary(.relu), [x])) == "i32[4]")
    #expect(
      errorMessage { _ = try b.value(.unary(.sigmoid), [x]) } == "input is int32 but must be float16, float or double")
    let flags = b.input("bool[4]", name: "flags")
    #expect(
      errorMessage { _ = try b.value(.unary(.relu), [flags]) }
        == "input is bool but must be float16, float, double, int64, int32 or int8")
  }

  @Test func clip() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,32,H,W]")
    let low = b.filled("f32[]", 0, name: "low")
    let high = b.filled("f32[1]", 6, name: "high")
    #expect(b.type(try b.value(.clip, [x, low, high])) == "f32[N,32,H,W]")
    #expect(b.type(try b.value(.clip, [x, nil, high])) == "f32[N,32,H,W]")
    let vector = b.filled("f32[2]", name: "vector")
    #expect(errorMessage { _ = try b.value(.clip, [x, vector]) } == "min must be a scalar, got shape [2]")
    let wide = b.filled("f64[]", name: "wide")
    #expect(errorMessage { _ = try b.value(.clip, [x, nil, wide]) } == "operand 3 is double but operand 1 is float")
  }

  @Test func binaryOps() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,1,64]", name: "a")
    let y = b.input("f32[8,1]", name: "b")
    for op in [BinaryOp.add, .sub, .mul, .div, .pow, .mod(fmod: true)] {
      #expect(b.type(try b.value(.binary(op), [x, y])) == "f32[N,8,64]")
    }
    #expect(b.type(try b.value(.binary(.equal), [x, y])) == "bool[N,8,64]")
  }

  @Test func binaryTypeRules() throws {
    let b = GraphBuilder()
    let floats = b.input("f32[4]", name: "a")
    let longs = b.input("i64[4]", name: "b")
    let flags = b.input("bool[4]", name: "c")
    #expect(
      errorMessage { _ = try b.value(.binary(.add), [floats, longs]) } == "operand 2 is int64 but operand 1 is float")
    #expect(b.type(try b.value(.binary(.pow), [floats, longs])) == "f32[4]")
    #expect(b.type(try b.value(.binary(.equal), [flags, flags])) == "bool[4]")
    #expect(
      errorMessage { _ = try b.value(.binary(.add), [flags, flags]) }
        == "A is bool but must be float16, float, double, int64, int32, int8 or uint8")
    #expect(
      errorMessage { _ = try b.value(.binary(.mod(fmod: false)), [floats, floats]) }
        == "Mod of float operands requires fmod=1")
    #expect(b.type(try b.value(.binary(.mod(fmod: false)), [longs, longs])) == "i64[4]")
  }

  @Test func variadic() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,1]", name: "a")
    let y = b.input("f32[1,5]", name: "b")
    let z = b.input("f32[5]", name: "c")
    #expect(b.type(try b.value(.variadic(.sum), [x, y, z])) == "f32[N,5]")
    #expect(b.type(try b.value(.variadic(.max), [x])) == "f32[N,1]")
    let longs = b.input("i64[5]", name: "d")
    #expect(b.type(try b.value(.variadic(.min), [longs, longs])) == "i64[5]")
    #expect(
      errorMessage { _ = try b.value(.variadic(.max), [x, longs]) } == "operand 2 is int64 but operand 1 is float")
    #expect(
      errorMessage { _ = try b.value(.variadic(.sum), [longs]) }
        == "operand 1 is int64 but must be float16, float or double")
  }

  @Test func whereBroadcastsThreeWays() throws {
    let b = GraphBuilder()
    let condition = b.input("bool[N,1,1]", name: "c")
    let x = b.input("f32[1,4,1]", name: "a")
    let y = b.input("f32[5]", name: "b")
    #expect(b.type(try b.value(.where, [condition, x, y])) == "f32[N,4,5]")
    #expect(errorMessage { _ = try b.value(.where, [x, x, y]) } == "condition is float but must be bool")
    let longs = b.input("i64[5]", name: "d")
    #expect(
      errorMessage { _ = try b.value(.where, [condition, x, longs]) } == "operand 3 is int64 but operand 2 is float")
  }

  @Test func hostileShapesAreErrorsNotTraps() {
    let b = GraphBuilder()
    let x = b.input("f32[\(Int.max),N,2]")
    #expect(
      errorMessage { _ = try b.value(.unary(.relu), [x]) }
        == "result [\(Int.max),N,2] has more elements than fit in a 64-bit integer")
    let split = b.input("f32[\(Int.max),2]", name: "s")
    #expect(
      errorMessage { _ = try b.node(.split(axis: 1, sizes: [1, 1]), [split]) } == nil)
    let wide = b.input("f32[\(Int.max / 2 + 1),4]", name: "w")
    #expect(
      errorMessage { _ = try b.node(.split(axis: 1, sizes: [2, 2]), [wide]) }
        == "result 1 [\(Int.max / 2 + 1),2] has more elements than fit in a 64-bit integer")
  }

  @Test func castIdentityDropout() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,16]")
    #expect(b.type(try b.value(.cast(to: .float16), [x])) == "f16[N,16]")
    #expect(b.type(try b.value(.identity, [x])) == "f32[N,16]")
    let results = try b.node(.dropout, [x])
    #expect(results.map(b.type) == ["f32[N,16]", "bool[N,16]"])
  }
}
