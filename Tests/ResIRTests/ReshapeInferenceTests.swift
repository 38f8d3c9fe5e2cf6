import ResIR
import ResTestSupport
import Testing

@Suite struct ReshapeInferenceTests {
  private func reshape(_ input: String, _ shape: [Int64], allowZero: Bool = false) throws -> String {
    let b = GraphBuilder()
    let x = b.input(input)
    let target = b.int64s(shape, name: "shape")
    return b.type(try b.value(.reshape(allowZero: allowZero), [x, target]))
  }

  @Test func flattenMultipliesMonomials() throws {
    let b = GraphBuilder()
    let pooled = b.input("f32[N,512,1,1]")
    #expect(b.type(try b.value(.flatten(axis: 1), [pooled])) == "f32[N,512]")
    let features = b.input("f32[N,64,7,7]", name: "f")
    #expect(b.type(try b.value(.flatten(axis: 2), [features])) == "f32[?,49]")
    #expect(b.type(try b.value(.flatten(axis: 0), [features])) == "f32[1,?]")
    #expect(b.type(try b.value(.flatten(axis: 4), [features])) == "f32[?,1]")
    let unknown = b.input("f32[2,?,3]", name: "u")
    #expect(b.type(try b.value(.flatten(axis: 1), [unknown])) == "f32[2,?]")
    #expect(
      errorMessage { _ = try b.value(.flatten(axis: 5), [features]) }
        == "axis 5 is out of range for rank 4 (Flatten allows 0...4)")
  }

  @Test func reshapeInfersMinusOneSymbolically() throws {
    #expect(try reshape("f32[N,64,7,7]", [-1, 3136]) == "f32[N,3136]")
    #expect(try reshape("f32[N,64,7,7]", [0, -1]) == "f32[N,3136]")
    #expect(try reshape("f32[N,S,768]", [0, 0, 12, 64]) == "f32[N,S,12,64]")
    #expect(try reshape("f32[N,S,12,64]", [0, 0, -1]) == "f32[N,S,768]")
    #expect(try reshape("f32[N,S,768]", [-1, 768]) == "f32[?,768]")
    #expect(try reshape("f32[2,3,4]", [4, -1]) == "f32[4,6]")
  }

  @Test func allowZeroMeansAnEmptyAxis() throws {
    #expect(try reshape("f32[0,3]", [0, 3], allowZero: true) == "f32[0,3]")
    #expect(try reshape("f32[2,3]", [0, 3]) == "f32[2,3]")
    #expect(
      errorMessage { _ = try reshape("f32[0,3]", [0, -1], allowZero: true) }
        == "shape [0,-1] has both -1 and 0 with allowzero=1")
  }

  @Test func reshapeErrors() {
    #expect(errorMessage { _ = try reshape("f32[2,3]", [-1, -1]) } == "shape [-1,-1] has more than one -1")
    #expect(errorMessage { _ = try reshape("f32[2,3]", [3, -2]) } == "shape [3,-2] has invalid element -2")
    #expect(
      errorMessage { _ = try reshape("f32[2,3]", [4, 2]) } == "cannot reshape [2,3] (6 elements) to [4,2] (8 elements)")
    #expect(errorMessage { _ = try reshape("f32[2,3]", [4, -1]) } == "cannot reshape [2,3] (6 elements) to [4,-1]")
    #expect(
      errorMessage { _ = try reshape("f32[6]", [1, 0, 6]) }
        == "shape [1,0,6] copies dimension 1, but the input has rank 1")
    #expect(
      errorMessage { _ = try reshape("f32[0,3]", [0, -1], allowZero: false) }
        == "cannot infer the -1 in [0,-1]: the other dimensions multiply to 0")
    #expect(
      errorMessage { _ = try reshape("f32[2]", [Int64.max, 4]) }
        == "result [\(Int64.max),4] has more elements than fit in a 64-bit integer")
  }

  @Test func shapeOperandOfUnknownContentStillGivesRank() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,64]")
    let target = b.input("i64[3]", name: "target")
    #expect(b.type(try b.value(.reshape(allowZero: false), [x, target])) == "f32[?,?,?]")
    let unranked = b.input("i64[K]", name: "k")
    #expect(
      errorMessage { _ = try b.value(.reshape(allowZero: false), [x, unranked]) }
        == "shape operand has length K; the result's rank must be known")
    let floats = b.input("f32[2]", name: "f")
    #expect(
      errorMessage { _ = try b.value(.reshape(allowZero: false), [x, floats]) } == "shape is float but must be int64")
  }
}
