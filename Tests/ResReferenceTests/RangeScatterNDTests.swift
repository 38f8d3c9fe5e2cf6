import ResIR
import ResReference
import Testing

/// Range and ScatterND against values worked out by hand (and checked with numpy / onnxruntime).
@Suite struct RangeScatterNDTests {
  private func range(_ dtype: String, _ start: String, _ limit: String, _ delta: String, output: String) throws
    -> ReferenceTensor?
  {
    try Reference.run(
      """
      graph "range" {
        const @s: \(dtype)[] = [\(start)]
        const @l: \(dtype)[] = [\(limit)]
        const @d: \(dtype)[] = [\(delta)]
        %y = Range "r" (@s, @l, @d) : \(output)
        return %y
      }
      """
    ).first
  }

  @Test func integerRanges() throws {
    #expect(try range("i64", "0", "10", "3", output: "i64[4]") == tensor(.int64, [4], [0, 3, 6, 9]))
    #expect(try range("i32", "10", "4", "-2", output: "i32[3]") == tensor(.int32, [3], [10, 8, 6]))
    #expect(try range("i64", "5", "5", "1", output: "i64[0]") == tensor(.int64, [0], []))
    #expect(try range("i64", "5", "0", "1", output: "i64[0]") == tensor(.int64, [0], []))
  }

  @Test func floatRangeUsesStartPlusIndexTimesDelta() throws {
    let y = try range("f32", "1", "2", "0.25", output: "f32[4]")
    #expect(y == f32([4], [1, 1.25, 1.5, 1.75]))
    let fractional = try range("f32", "0", "1", "0.3", output: "f32[4]")
    expectClose(fractional, f32([4], [0, 0.3, 0.6, 0.9]))
  }

  @Test func zeroDeltaFails() throws {
    try expectFailure(
      """
      graph "range" {
        const @s: i64[] = [0]
        const @d: i64[] = [0]
        %y = Range "r" (@s, @s, @d) : i64[?]
        return %y
      }
      """, node: "r", opType: "Range", mentioning: "delta is 0")
  }

  /// Bounds a hostile model could hold: each is one error naming the node, never a trap or a huge allocation.
  @Test(arguments: [
    ("i64", "0", "1000000000000", "1", "the range has 1000000000000 elements"),
    ("i64", "0", "-9223372036854775808", "-1", "the range has 9.22e+18 elements"),
    ("f32", "0", "inf", "1", "must be finite"), ("f32", "nan", "3", "1", "must be finite"),
    ("f32", "0", "1e30", "1e-30", "the range has 1e+60 elements"),
  ])
  func hostileBoundsFailCleanly(dtype: String, start: String, limit: String, delta: String, fragment: String) throws {
    try expectFailure(
      """
      graph "range" {
        const @s: \(dtype)[] = [\(start)]
        const @l: \(dtype)[] = [\(limit)]
        const @d: \(dtype)[] = [\(delta)]
        %y = Range "r" (@s, @l, @d) : \(dtype)[?]
        return %y
      }
      """, node: "r", opType: "Range", mentioning: fragment)
  }

  private func scatter(_ reduction: String, indices: String, updates: String, updatesShape: String) throws
    -> ReferenceTensor?
  {
    try Reference.run(
      """
      graph "scatter" {
        input %x: f32[4,2]
        const @i: i64[\(indices.split(separator: ";")[0])] = [\(indices.split(separator: ";")[1])]
        const @u: f32[\(updatesShape)] = [\(updates)]
        %y = ScatterND "s" (%x, @i, @u) {reduction=\(reduction)} : f32[4,2]
        return %y
      }
      """, ["x": ramp([4, 2])]
    ).first
  }

  /// Rows 1 and -1 (= 3) of [[0,1],[2,3],[4,5],[6,7]], or single elements with 2-long tuples.
  @Test(arguments: [
    ("none", [0.0, 1, 10, 20, 4, 5, 30, 40]), ("add", [0.0, 1, 12, 23, 4, 5, 36, 47]),
    ("mul", [0.0, 1, 20, 60, 4, 5, 180, 280]), ("max", [0.0, 1, 10, 20, 4, 5, 30, 40]),
    ("min", [0.0, 1, 2, 3, 4, 5, 6, 7]),
  ])
  func rowsWithEachReduction(reduction: String, expected: [Double]) throws {
    let y = try scatter(reduction, indices: "2,1;1, -1", updates: "10, 20, 30, 40", updatesShape: "2,2")
    #expect(y == f32([4, 2], expected))
  }

  @Test func elementTuplesApplyInOrder() throws {
    // (0,1) twice: without a reduction the later update wins; with add both count.
    let last = try scatter("none", indices: "3,2;0, 1, 2, 0, 0, 1", updates: "100, 200, 300", updatesShape: "3")
    #expect(last == f32([4, 2], [0, 300, 2, 3, 200, 5, 6, 7]))
    let summed = try scatter("add", indices: "3,2;0, 1, 2, 0, 0, 1", updates: "100, 200, 300", updatesShape: "3")
    #expect(summed == f32([4, 2], [0, 401, 2, 3, 204, 5, 6, 7]))
  }

  @Test func outOfRangeIndexFails() throws {
    try expectFailure(
      """
      graph "scatter" {
        input %x: f32[4,2]
        const @i: i64[1,1] = [4]
        const @u: f32[1,2] = [1, 2]
        %y = ScatterND "s" (%x, @i, @u) {reduction=none} : f32[4,2]
        return %y
      }
      """, ["x": ramp([4, 2])], node: "s", opType: "ScatterND",
      mentioning: "index 4 is out of range for axis 0 of size 4")
  }
}
