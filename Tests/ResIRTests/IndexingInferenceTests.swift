import ResIR
import ResTestSupport
import Testing

@Suite struct IndexingInferenceTests {
  @Test func gather() throws {
    let b = GraphBuilder()
    let table = b.input("f32[30522,768]", name: "table")
    let tokens = b.input("i64[N,S]", name: "tokens")
    #expect(b.type(try b.value(.gather(axis: 0), [table, tokens])) == "f32[N,S,768]")
    let hidden = b.input("f32[N,S,768]", name: "hidden")
    let first = b.filled("i64[]", 0, name: "first")
    #expect(b.type(try b.value(.gather(axis: 1), [hidden, first])) == "f32[N,768]")
    let last = b.filled("i32[]", -1, name: "last")
    #expect(b.type(try b.value(.gather(axis: 2), [hidden, last])) == "f32[N,S]")
  }

  @Test func gatherErrors() {
    let b = GraphBuilder()
    let data = b.input("f32[3,4]")
    let beyond = b.int64s([0, 3], name: "beyond")
    #expect(
      errorMessage { _ = try b.value(.gather(axis: 0), [data, beyond]) }
        == "index 3 is out of range for axis 0 of size 3")
    let below = b.int64s([-4], name: "below")
    #expect(
      errorMessage { _ = try b.value(.gather(axis: 0), [data, below]) }
        == "index -4 is out of range for axis 0 of size 3")
    let floats = b.filled("f32[1]", name: "floats")
    #expect(
      errorMessage { _ = try b.value(.gather(axis: 0), [data, floats]) }
        == "indices is float but must be int64 or int32")
    #expect(errorMessage { _ = try b.value(.gather(axis: 2), [data, beyond]) } == "axis 2 is out of range for rank 2")
  }

  @Test func shapeWithStartAndEnd() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,3,H,W]")
    let cases: [(start: Int, end: Int?, type: String, elements: String)] = [
      (0, nil, "i64[4]", "[N,3,H,W]"), (2, nil, "i64[2]", "[H,W]"), (-1, nil, "i64[1]", "[W]"),
      (0, -1, "i64[3]", "[N,3,H]"), (-10, 2, "i64[2]", "[N,3]"), (10, nil, "i64[0]", ""), (3, 1, "i64[0]", ""),
    ]
    for c in cases {
      let shape = try b.value(.shape(start: c.start, end: c.end), [x])
      #expect(b.type(shape) == c.type)
      #expect((b.elements(shape) ?? "") == (c.elements.isEmpty ? "" : c.elements))
    }
  }

  @Test func expand() throws {
    let b = GraphBuilder()
    let x = b.input("f32[3,1]")
    #expect(b.type(try b.value(.expand, [x, b.int64s([2, 1, 6])])) == "f32[2,3,6]")
    let scale = b.input("f32[1,64,1,1]", name: "scale")
    let unknown = b.input("i64[4]", name: "target")
    #expect(b.type(try b.value(.expand, [scale, unknown])) == "f32[?,64,?,?]")
    #expect(
      errorMessage { _ = try b.value(.expand, [x, b.int64s([4, 4])]) } == "operands [3,1] and [4,4] cannot broadcast")
    #expect(
      errorMessage { _ = try b.value(.expand, [x, b.int64s([-1, 1])]) } == "shape [-1,1] has negative element -1")
    #expect(
      errorMessage { _ = try b.value(.expand, [x, b.int64s([.max, 1, 4])]) }
        == "result [\(Int64.max),3,4] has more elements than fit in a 64-bit integer")
  }

  @Test func constantOfShape() throws {
    let b = GraphBuilder()
    let ones = ScalarValue(dtype: .int64, value: 1)
    #expect(b.type(try b.value(.constantOfShape(ones), [b.int64s([2, 3])])) == "i64[2,3]")
    #expect(b.type(try b.value(.constantOfShape(ScalarValue(dtype: .float32, value: 0)), [b.int64s([])])) == "f32[]")
    let dynamic = b.input("i64[2]", name: "dims")
    #expect(b.type(try b.value(.constantOfShape(ones), [dynamic])) == "i64[?,?]")
    #expect(
      errorMessage { _ = try b.value(.constantOfShape(ones), [b.int64s([2, -3])]) }
        == "input [2,-3] has negative element -3")
    #expect(
      errorMessage { _ = try b.value(.constantOfShape(ones), [b.int64s([.max, 4])]) }
        == "result [\(Int64.max),4] has more elements than fit in a 64-bit integer")
    let matrix = b.filled("i64[1,2]", 1, name: "matrix")
    #expect(errorMessage { _ = try b.value(.constantOfShape(ones), [matrix]) } == "input has rank 2, expected 1")
  }
}
