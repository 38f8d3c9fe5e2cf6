import ResIR
import ResTestSupport
import Testing

@Suite struct SliceInferenceTests {
  /// Slice of `input` with constant operands; `axes`/`steps` nil leave the slot absent.
  private func slice(_ input: String, _ starts: [Int64], _ ends: [Int64], axes: [Int64]? = nil, steps: [Int64]? = nil)
    throws -> String
  {
    let b = GraphBuilder()
    let x = b.input(input)
    let operands = [
      b.int64s(starts, name: "s"), b.int64s(ends, name: "e"), axes.map { b.int64s($0, name: "a") },
      steps.map { b.int64s($0, name: "t") },
    ]
    return b.type(try b.value(.slice, [x] + operands))
  }

  /// Each case checked against onnx.shape_inference.
  @Test func clampingRules() throws {
    #expect(try slice("f32[10,20]", [2], [-1]) == "f32[7,20]")
    #expect(try slice("f32[10,20]", [-100], [100], axes: [1]) == "f32[10,20]")
    #expect(try slice("f32[10,20]", [5], [2], axes: [0]) == "f32[0,20]")
    #expect(try slice("f32[10,20]", [1, 0], [.max, .max], axes: [-1, 0], steps: [2, 3]) == "f32[4,10]")
    #expect(try slice("f32[0,20]", [0], [5], axes: [0]) == "f32[0,20]")
  }

  @Test func negativeSteps() throws {
    #expect(try slice("f32[10,20]", [.max], [.min], axes: [1], steps: [-1]) == "f32[10,20]")
    #expect(try slice("f32[10,20]", [-1], [.min], axes: [0], steps: [-3]) == "f32[4,20]")
    #expect(try slice("f32[10,20]", [0], [.max], axes: [0], steps: [.min]) == "f32[0,20]")
    #expect(try slice("f32[10,20]", [9], [0], axes: [0], steps: [.min]) == "f32[1,20]")
  }

  @Test func symbolicAxes() throws {
    #expect(try slice("f32[N,S,768]", [0], [.max], axes: [1]) == "f32[N,S,768]")
    #expect(try slice("f32[N,S,768]", [1], [.max], axes: [1]) == "f32[N,?,768]")
    #expect(try slice("f32[N,S,768]", [.max], [.min], axes: [1], steps: [-1]) == "f32[N,S,768]")
    #expect(try slice("f32[N,S,768]", [0, 0], [.max, 384], axes: [1, 2]) == "f32[N,S,384]")
  }

  @Test func nonConstantBoundsMakeOnlyTheirAxesUnknown() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,S,768]")
    let start = b.input("i64[1]", name: "start")
    let end = b.int64s([10], name: "end")
    let axis = b.int64s([2], name: "axis")
    #expect(b.type(try b.value(.slice, [x, start, end, axis])) == "f32[N,S,?]")
    #expect(b.type(try b.value(.slice, [x, start, end])) == "f32[?,S,768]")
    let axes = b.input("i64[1]", name: "axes")
    #expect(b.type(try b.value(.slice, [x, end, end, axes])) == "f32[?,?,?]")
    let unsized = b.input("i64[K]", name: "unsized")
    #expect(b.type(try b.value(.slice, [x, unsized, unsized])) == "f32[?,?,?]")
  }

  @Test func sliceErrors() {
    #expect(errorMessage { _ = try slice("f32[10,20]", [0], [5], axes: [0], steps: [0]) } == "steps must not be 0")
    #expect(
      errorMessage { _ = try slice("f32[10,20]", [0], [5], axes: [2]) } == "axes [2] include 2, out of range for rank 2"
    )
    #expect(
      errorMessage { _ = try slice("f32[10,20]", [0, 0], [5, 5], axes: [1, -1]) } == "axes [1,1] repeat axis 1")
    #expect(errorMessage { _ = try slice("f32[10,20]", [0], [5, 5]) } == "ends has 2 elements but starts has 1")
    #expect(
      errorMessage { _ = try slice("f32[10,20]", [0, 0, 0], [5, 5, 5]) }
        == "starts has 3 elements but the data has rank 2")
    let b = GraphBuilder()
    let x = b.input("f32[10]")
    let floats = b.filled("f32[1]", name: "f")
    let narrow = b.filled("i32[1]", name: "n")
    let wide = b.int64s([4], name: "w")
    #expect(
      errorMessage { _ = try b.value(.slice, [x, floats, floats]) } == "starts is float but must be int64 or int32")
    #expect(errorMessage { _ = try b.value(.slice, [x, narrow, wide]) } == "operand 3 is int64 but operand 2 is int32")
  }
}
