import ResIR
import ResTestSupport
import Testing

/// Range's length is a value (known only when its bounds are) and ScatterND's updates must fit the slices its
/// index tuples address: both are checked as the importer reads the node.
@Suite struct RangeScatterInferenceTests {
  @Test(arguments: [
    (0.0, 10.0, 2.0, "i64[5]", "[0,2,4,6,8]"), (10, 0, -3, "i64[4]", "[10,7,4,1]"), (5, 0, 1, "i64[0]", ""),
    (-2, 3, 5, "i64[1]", "[-2]"),
  ])
  func rangeOfConstants(start: Double, limit: Double, delta: Double, type: String, elements: String) throws {
    let b = GraphBuilder()
    let range = try b.value(
      .range,
      [b.filled("i64[]", start, name: "start"), b.filled("i64[]", limit, name: "limit"),
        b.filled("i64[]", delta, name: "delta")])
    #expect(b.type(range) == type)
    #expect((b.elements(range) ?? "") == elements)
  }

  @Test func floatRangeCountsFractionalSteps() throws {
    let b = GraphBuilder()
    let range = try b.value(
      .range,
      [b.filled("f32[]", 0, name: "start"), b.filled("f32[]", 1, name: "limit"), b.filled("f32[]", 0.3, name: "delta")])
    #expect(b.type(range) == "f32[4]")
  }

  @Test func rangeOfSymbolicAndUnknownLimits() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,3]")
    let shape = try b.value(.shape(start: 0, end: nil), [x], name: "shape")
    let n = try b.value(.gather(axis: 0), [shape, b.filled("i64[]", 0, name: "zero")], name: "n")
    let zero = b.filled("i64[]", 0, name: "start")
    let one = b.filled("i64[]", 1, name: "delta")
    #expect(b.type(try b.value(.range, [zero, n, one], name: "positions")) == "i64[N]")
    let limit = b.input("i64[]", name: "limit")
    #expect(b.type(try b.value(.range, [zero, limit, one], name: "unknown")) == "i64[?]")
    #expect(b.type(try b.value(.range, [zero, n, b.filled("i64[]", 2, name: "two")], name: "halves")) == "i64[?]")
  }

  @Test func rangeErrors() {
    let b = GraphBuilder()
    let zero = b.filled("i64[]", 0, name: "zero")
    let ten = b.filled("i64[]", 10, name: "ten")
    #expect(
      errorMessage { _ = try b.value(.range, [zero, ten, zero]) }
        == "delta is 0: the range would never reach its limit")
    #expect(
      errorMessage { _ = try b.value(.range, [zero, b.filled("i32[]", 10, name: "limit32"), ten]) }
        == "operand 2 is int32 but operand 1 is int64")
    #expect(
      errorMessage { _ = try b.value(.range, [zero, b.int64s([3, 4], name: "pair"), ten]) }
        == "limit must be a scalar, got shape [2]")
    let flag = b.filled("bool[]", 1, name: "flag")
    #expect(
      errorMessage { _ = try b.value(.range, [flag, flag, flag]) }
        == "start is bool but must be float16, float, double, int64 or int32")
  }

  @Test func scatterNDTypes() throws {
    let b = GraphBuilder()
    let data = b.input("f32[N,4,5]", name: "data")
    let rows = b.input("i64[2,2]", name: "rows")
    let rowUpdates = b.input("f32[2,5]", name: "rowUpdates")
    #expect(b.type(try b.value(.scatterND(.none), [data, rows, rowUpdates])) == "f32[N,4,5]")
    let elements = b.input("i64[3,3]", name: "elements")
    #expect(b.type(try b.value(.scatterND(.add), [data, elements, b.input("f32[3]", name: "values")])) == "f32[N,4,5]")
  }

  @Test func scatterNDErrors() {
    let b = GraphBuilder()
    let data = b.input("f32[4,5]", name: "data")
    let updates = b.input("f32[2,5]", name: "updates")
    #expect(
      errorMessage { _ = try b.value(.scatterND(.none), [data, b.input("i32[2,1]", name: "i32"), updates]) }
        == "indices is int32 but must be int64")
    #expect(
      errorMessage { _ = try b.value(.scatterND(.none), [data, b.input("i64[2,3]", name: "deep"), updates]) }
        == "indices [2,3] must end in a known length from 1 to data's rank 2")
    #expect(
      errorMessage { _ = try b.value(.scatterND(.none), [data, b.input("i64[3,1]", name: "three"), updates]) }
        == "updates has shape [2,5], expected [3,5]")
    #expect(
      errorMessage {
        _ = try b.value(.scatterND(.none), [data, b.int64s([1, 4], dims: [2, 1], name: "beyond"), updates])
      }
        == "index 4 is out of range for axis 0 of size 4")
    #expect(
      errorMessage {
        _ = try b.value(.scatterND(.max), [data, b.input("i64[2,1]", name: "ok"), b.input("f64[2,5]", name: "wide")])
      }
        == "updates is double but data is float")
  }
}
