import ResIR
import ResReference
import Testing

/// MaxPool, AveragePool and GlobalAveragePool. The 5x5 cases use the input 1…25 and onnxruntime's values.
@Suite struct PoolingTests {
  private static let grid = ramp([1, 1, 5, 5], start: 1)

  private func pool(_ op: String, _ attributes: String, output: String, _ x: ReferenceTensor = grid) throws
    -> ReferenceTensor?
  {
    let type = "\(x.dtype.rawValue)[\(x.shape.map(String.init).joined(separator: ","))]"
    return try Reference.run(
      """
      graph "pool" {
        input %x: \(type)
        %y = \(op) "p" (%x) {\(attributes)} : \(output)
        return %y
      }
      """, ["x": x]
    ).first
  }

  /// With ceil_mode the last window may hang over the end: it averages only what it covers.
  @Test func ceilModeWithoutPadding() throws {
    let window = "ceil_mode=1, dilations=[1,1], kernel_shape=[2,2], pads=[0,0,0,0], strides=[2,2]"
    expectClose(
      try pool("AveragePool", window + ", count_include_pad=0", output: "f32[1,1,3,3]"),
      f32([1, 1, 3, 3], [4, 6, 7.5, 14, 16, 17.5, 21.5, 23.5, 25]))
    expectClose(
      try pool("MaxPool", window, output: "f32[1,1,3,3]"), f32([1, 1, 3, 3], [7, 9, 10, 17, 19, 20, 22, 24, 25]))
  }

  /// count_include_pad counts padded cells inside the declared padding, never the overhang ceil_mode adds.
  @Test(arguments: [
    ("pads=[1,1,1,1]", 1, [1.7777778, 3.6666667, 3.1111112, 7.6666665, 13, 9.666667, 8.444445, 13.666667, 9.777778]),
    ("pads=[1,0,0,1]", 1, [3, 4.3333335, 2.5, 12, 14, 7.5, 19.5, 21.5, 11.25]),
    ("pads=[1,0,0,1]", 0, [4.5, 6.5, 7.5, 12, 14, 15, 19.5, 21.5, 22.5]),
  ])
  func averageWithPaddingAndCeilMode(pads: String, countIncludePad: Int, expected: [Double]) throws {
    let attributes =
      "ceil_mode=1, count_include_pad=\(countIncludePad), dilations=[1,1], kernel_shape=[3,3], \(pads), strides=[2,2]"
    expectClose(try pool("AveragePool", attributes, output: "f32[1,1,3,3]"), f32([1, 1, 3, 3], expected))
  }

  @Test func maxIgnoresPadding() throws {
    let attributes = "ceil_mode=1, dilations=[1,1], kernel_shape=[3,3], pads=[1,0,0,1], strides=[2,2]"
    expectClose(
      try pool("MaxPool", attributes, output: "f32[1,1,3,3]"),
      f32([1, 1, 3, 3], [8, 10, 10, 18, 20, 20, 23, 25, 25]))
  }

  @Test func dilatedWindows() throws {
    let window = "ceil_mode=1, dilations=[2,2], kernel_shape=[2,2], pads=[0,0,1,1], strides=[2,2]"
    expectClose(
      try pool("AveragePool", window + ", count_include_pad=1", output: "f32[1,1,3,3]"),
      f32([1, 1, 3, 3], [7, 9, 10, 17, 19, 20, 22, 24, 25]))
    expectClose(
      try pool("MaxPool", window, output: "f32[1,1,3,3]"), f32([1, 1, 3, 3], [13, 15, 15, 23, 25, 25, 23, 25, 25]))
  }

  /// 1-D SAME padding over 0…5 with a 3-wide window and stride 2: one pad cell, at the end (upper) or the
  /// beginning (lower).
  @Test func samePaddingOneDimensional() throws {
    let x = ramp([1, 1, 6])
    let same = { (mode: String) in
      "auto_pad=\(mode), ceil_mode=0, dilations=[1], kernel_shape=[3], strides=[2]"
    }
    expectClose(try pool("MaxPool", same("SAME_UPPER"), output: "f32[1,1,3]", x), f32([1, 1, 3], [2, 4, 5]))
    expectClose(try pool("MaxPool", same("SAME_LOWER"), output: "f32[1,1,3]", x), f32([1, 1, 3], [1, 3, 5]))
    expectClose(
      try pool("AveragePool", same("SAME_LOWER") + ", count_include_pad=0", output: "f32[1,1,3]", x),
      f32([1, 1, 3], [0.5, 2, 4]))
  }

  @Test func threeDimensionalAndEightBitMax() throws {
    let window = "ceil_mode=0, dilations=[1,1,1], kernel_shape=[2,2,2], pads=[0,0,0,0,0,0], strides=[1,1,1]"
    expectClose(
      try pool("MaxPool", window, output: "f32[1,1,1,1,1]", ramp([1, 1, 2, 2, 2])), f32([1, 1, 1, 1, 1], [7]))
    let bytes = tensor(.int8, [1, 1, 4], [-5, 3, -128, 100])
    let y = try pool(
      "MaxPool", "ceil_mode=0, dilations=[1], kernel_shape=[2], pads=[0,0], strides=[2]", output: "i8[1,1,2]", bytes)
    #expect(y == tensor(.int8, [1, 1, 2], [3, 100]))
  }

  @Test func globalAverage() throws {
    let y = try Reference.run(
      """
      graph "gap" {
        input %x: f32[1,2,2,2]
        %y = GlobalAveragePool "gap" (%x) : f32[1,2,1,1]
        return %y
      }
      """, ["x": ramp([1, 2, 2, 2])])
    expectClose(y.first, f32([1, 2, 1, 1], [1.5, 5.5]))
  }

  @Test func averagePoolRejectsIntegers() throws {
    try expectFailure(
      """
      graph "pool" {
        input %x: i64[1,1,4]
        %y = AveragePool "avg" (%x) {ceil_mode=0, count_include_pad=0, dilations=[1], kernel_shape=[2], pads=[0,0], strides=[2]} : i64[1,1,2]
        return %y
      }
      """, ["x": tensor(.int64, [1, 1, 4], [1, 2, 3, 4])], node: "avg", opType: "AveragePool",
      mentioning: "X must be a float tensor")
  }
}
