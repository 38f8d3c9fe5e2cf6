import ResIR
import ResTestSupport
import Testing

@Suite struct DenseInferenceTests {
  private func matMul(_ a: String, _ b: String, bias: String? = nil) throws -> String {
    let builder = GraphBuilder()
    let x = builder.input(a, name: "a")
    let y = builder.input(b, name: "b")
    let bias = bias.map { builder.input($0, name: "bias") }
    return builder.type(try builder.value(.matMul(.none), [x, y, bias]))
  }

  private func gemm(_ a: String, _ b: String, c: String? = nil, _ attributes: GemmAttributes = GemmAttributes())
    throws -> String
  {
    let builder = GraphBuilder()
    let x = builder.input(a, name: "a")
    let y = builder.input(b, name: "b")
    let c = c.map { builder.input($0, name: "c") }
    return builder.type(try builder.value(.gemm(attributes), [x, y, c]))
  }

  @Test func matMulNumpyRules() throws {
    #expect(try matMul("f32[N,128,64]", "f32[64,256]") == "f32[N,128,256]")
    #expect(try matMul("f32[2,1,3,4]", "f32[5,4,6]") == "f32[2,5,3,6]")
    #expect(try matMul("f32[N,H,S,D]", "f32[N,H,D,S]") == "f32[N,H,S,S]")
  }

  @Test func matMulPromotesVectors() throws {
    #expect(try matMul("f32[4]", "f32[4,5]") == "f32[5]")
    #expect(try matMul("f32[N,3,4]", "f32[4]") == "f32[N,3]")
    #expect(try matMul("f32[4]", "f32[4]") == "f32[]")
  }

  @Test func matMulErrors() {
    #expect(
      errorMessage { _ = try matMul("f32[2,3]", "f32[4,5]") }
        == "inner dimensions differ: A [2,3] has K = 3, B [4,5] has K = 4")
    #expect(
      errorMessage { _ = try matMul("f32[2,3,4]", "f32[5,4,6]") }
        == "batch dimensions [2] and [5] cannot broadcast")
    #expect(errorMessage { _ = try matMul("f32[]", "f32[4]") } == "A has rank 0, expected at least 1")
    #expect(errorMessage { _ = try matMul("f32[2,3]", "f16[3,4]") } == "operand 2 is float16 but operand 1 is float")
    #expect(
      errorMessage { _ = try matMul("bool[2,3]", "bool[3,4]") }
        == "A is bool but must be float16, float, double, int64 or int32")
  }

  @Test func matMulFusedBiasMustProvablyBroadcast() throws {
    #expect(try matMul("f32[N,8,64]", "f32[64,32]", bias: "f32[32]") == "f32[N,8,32]")
    #expect(
      errorMessage { _ = try matMul("f32[N,8,64]", "f32[64,32]", bias: "f32[16]") }
        == "bias [16] does not provably broadcast to the output [N,8,32]")
    #expect(
      errorMessage { _ = try matMul("f32[N,8,64]", "f32[64,32]", bias: "f32[M,1,32]") }
        == "bias [M,1,32] does not provably broadcast to the output [N,8,32]")
  }

  @Test func gemmTransposes() throws {
    #expect(try gemm("f32[N,512]", "f32[1000,512]", c: "f32[1000]", GemmAttributes(transB: true)) == "f32[N,1000]")
    #expect(try gemm("f32[512,N]", "f32[512,10]", GemmAttributes(transA: true)) == "f32[N,10]")
    #expect(try gemm("f32[3,4]", "f32[4,5]", c: "f32[3,1]") == "f32[3,5]")
    #expect(try gemm("f32[3,4]", "f32[4,5]", c: "f32[]") == "f32[3,5]")
  }

  @Test func gemmErrors() {
    #expect(
      errorMessage { _ = try gemm("f32[3,4]", "f32[5,4]") }
        == "inner dimensions differ: A [3,4] gives K = 4, B [5,4] gives K = 5")
    #expect(
      errorMessage { _ = try gemm("f32[3,4]", "f32[4,5]", c: "f32[4]") }
        == "C [4] does not broadcast to the output [3,5]")
    #expect(
      errorMessage { _ = try gemm("f32[3,4]", "f32[4,5]", c: "f32[1,3,5]") }
        == "C [1,3,5] does not broadcast to the output [3,5]")
    #expect(errorMessage { _ = try gemm("f32[2,3,4]", "f32[4,5]") } == "A has rank 3, expected 2")
    #expect(
      errorMessage { _ = try gemm("f32[3,4]", "f32[4,5]", c: "i64[5]") } == "operand 3 is int64 but operand 1 is float")
  }
}

@Suite struct EpilogueInferenceTests {
  private let residualConv = convAttributes(
    kernel: [3, 3], pads: [1, 1, 1, 1], epilogue: Epilogue(residual: true, activation: .relu))

  @Test func residualWithExactlyTheOutputType() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,56,56]")
    let w = b.input("f32[64,64,3,3]", name: "w")
    #expect(b.type(try b.value(.conv(residualConv), [x, w, nil, x])) == "f32[N,64,56,56]")
  }

  @Test func broadcastOperandIsNotAResidual() {
    let b = GraphBuilder()
    let x = b.input("f32[1,64,56,56]")
    let w = b.input("f32[64,64,3,3]", name: "w")
    let perChannel = b.input("f32[1,64,1,1]", name: "r")
    #expect(
      errorMessage { _ = try b.value(.conv(residualConv), [x, w, nil, perChannel]) }
        == "residual f32[1,64,1,1] does not provably match the output f32[1,64,56,56]")
  }

  @Test func differentSymbolsAreNotProvablyEqual() {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,56,56]")
    let w = b.input("f32[64,64,3,3]", name: "w")
    let other = b.input("f32[M,64,56,56]", name: "r")
    #expect(
      errorMessage { _ = try b.value(.conv(residualConv), [x, w, nil, other]) }
        == "residual f32[M,64,56,56] does not provably match the output f32[N,64,56,56]")
  }

  @Test func residualOnGemmAndMatMul() throws {
    let b = GraphBuilder()
    let a = b.input("f32[N,64]", name: "a")
    let w = b.input("f32[64,64]", name: "w")
    let gemm = GemmAttributes(epilogue: Epilogue(residual: true))
    #expect(b.type(try b.value(.gemm(gemm), [a, w, nil, a])) == "f32[N,64]")
    #expect(
      b.type(try b.value(.matMul(Epilogue(residual: true, activation: .gelu(.none))), [a, w, nil, a])) == "f32[N,64]")
    let wide = b.input("f32[N,128]", name: "wide")
    #expect(
      errorMessage { _ = try b.value(.matMul(Epilogue(residual: true)), [a, w, nil, wide]) }
        == "residual f32[N,128] does not provably match the output f32[N,64]")
  }

  @Test func residualSlotMustBePresent() {
    let b = GraphBuilder()
    let x = b.input("f32[1,64,8,8]")
    let w = b.input("f32[64,64,3,3]", name: "w")
    #expect(
      errorMessage { _ = try b.value(.conv(residualConv), [x, w]) }
        == "epilogue adds a residual but operand 4 is absent")
  }

  @Test func activationSanity() {
    let b = GraphBuilder()
    let x = b.input("f32[1,8,4,4]")
    let w = b.input("f32[8,8,1,1]", name: "w")
    let inverted = convAttributes(kernel: [1, 1], epilogue: Epilogue(activation: .clip(min: 6, max: 0)))
    #expect(
      errorMessage { _ = try b.value(.conv(inverted), [x, w]) } == "epilogue clip has min 6.0 greater than max 0.0")
    let a = b.input("i64[4,4]", name: "a")
    #expect(
      errorMessage { _ = try b.value(.matMul(Epilogue(activation: .relu)), [a, a]) }
        == "epilogue activation needs a float output, got int64")
  }
}
