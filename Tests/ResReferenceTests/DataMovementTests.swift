import ResIR
import ResReference
import Testing

/// The shape and data-movement ops, all by hand.
@Suite struct DataMovementTests {
  /// Runs `%y = <node> : <output>` on input `%x` (any extra declarations before the node go in `extra`).
  private func single(_ node: String, output: String, _ x: ReferenceTensor, extra: String = "") throws
    -> ReferenceTensor?
  {
    let type = "\(x.dtype.rawValue)[\(x.shape.map(String.init).joined(separator: ","))]"
    return try Reference.run(
      """
      graph "data" {
        input %x: \(type)
      \(extra)
        %y = \(node) : \(output)
        return %y
      }
      """, ["x": x]
    ).first
  }

  @Test func flatten() throws {
    let x = ramp([2, 3, 4])
    #expect(try single(#"Flatten "f" (%x) {axis=2}"#, output: "f32[6,4]", x)?.shape == [6, 4])
    #expect(try single(#"Flatten "f" (%x) {axis=0}"#, output: "f32[1,24]", x)?.shape == [1, 24])
    #expect(try single(#"Flatten "f" (%x) {axis=-1}"#, output: "f32[6,4]", x)?.doubles == x.doubles)
  }

  @Test func reshapeCopiesZerosAndInfersMinusOne() throws {
    let x = ramp([2, 3, 4])
    let copyZero = try single(
      #"Reshape "r" (%x, @s) {allowzero=0}"#, output: "f32[4,3,2]", x, extra: "  const @s: i64[3] = [4, 0, -1]")
    #expect(copyZero == ramp([4, 3, 2]))
    let empty = try single(
      #"Reshape "r" (%x, @s) {allowzero=1}"#, output: "f32[0,5]", ramp([5, 0]),
      extra: "  const @s: i64[2] = [0, 5]")
    #expect(empty?.shape == [0, 5])
  }

  @Test func reshapeRejectsTwoInferredDimensions() throws {
    try expectFailure(
      """
      graph "r" {
        input %x: f32[2,3]
        const @s: i64[2] = [-1, -1]
        %y = Reshape "reshape" (%x, @s) {allowzero=0} : f32[?,?]
        return %y
      }
      """, ["x": ramp([2, 3])], node: "reshape", opType: "Reshape", mentioning: "more than one -1")
  }

  @Test func transpose() throws {
    let y = try single(#"Transpose "t" (%x) {perm=[2,0,1]}"#, output: "f32[4,2,3]", ramp([2, 3, 4]))
    // y[k,i,j] = x[i,j,k] = 12i + 4j + k.
    var expected: [Double] = []
    for k in 0..<4 {
      for i in 0..<2 {
        for j in 0..<3 { expected.append(Double(12 * i + 4 * j + k)) }
      }
    }
    #expect(y == f32([4, 2, 3], expected))
  }

  @Test func concatAndSplit() throws {
    let results = try Reference.run(
      """
      graph "cs" {
        input %a: i64[2,1]
        input %b: i64[2,2]
        %c = Concat "cat" (%a, %b) {axis=-1} : i64[2,3]
        %p, %q = Split "split" (%c) {axis=1, split=[2,1]} : i64[2,2], i64[2,1]
        return %c, %p, %q
      }
      """, ["a": tensor(.int64, [2, 1], [1, 4]), "b": tensor(.int64, [2, 2], [2, 3, 5, 6])])
    #expect(
      results == [
        tensor(.int64, [2, 3], [1, 2, 3, 4, 5, 6]), tensor(.int64, [2, 2], [1, 2, 4, 5]),
        tensor(.int64, [2, 1], [3, 6]),
      ])
  }

  /// Slice on 0…9 (or a 2-D ramp): negative starts, PyTorch's `Int64.max`/`Int64.min` ends, negative steps
  /// with clamping, and empty selections.
  @Test(
    arguments: [
      ([-3], [Int64.max], nil, nil, [10], [7.0, 8, 9]),
      ([-1], [Int64.min], nil, [-1], [10], [9.0, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
      ([8], [2], nil, [-3], [10], [8.0, 5]),
      ([100], [-100], nil, [-4], [10], [9.0, 5, 1]),
      ([20], [30], nil, nil, [10], []),
      ([1, -2], [Int64.max, 0], [0, -1], [1, -2], [3, 4], [6.0, 10]),
    ] as [([Int64], [Int64], [Int64]?, [Int64]?, [Int], [Double])])
  func slice(starts: [Int64], ends: [Int64], axes: [Int64]?, steps: [Int64]?, shape: [Int], expected: [Double]) throws {
    func constant(_ name: String, _ values: [Int64]?) -> String {
      guard let values else { return "" }
      return "  const @\(name): i64[\(values.count)] = [\(values.map(String.init).joined(separator: ","))]"
    }
    let declarations = [
      constant("starts", starts), constant("ends", ends), constant("axes", axes), constant("steps", steps),
    ]
    let operands = "%x, @starts, @ends, \(axes == nil ? "_" : "@axes"), \(steps == nil ? "_" : "@steps")"
    let y = try single(
      "Slice \"s\" (\(operands))", output: shape.count == 1 ? "f32[\(expected.count)]" : "f32[?,?]", ramp(shape),
      extra: declarations.filter { !$0.isEmpty }.joined(separator: "\n"))
    #expect(y?.doubles == expected)
  }

  @Test func sliceSelectsRowsAndColumns() throws {
    // Rows 1… of a 3x4 ramp, columns 3 and 1 (a negative step from −1 toward 0).
    let y = try single(
      #"Slice "s" (%x, @starts, @ends, @axes, @steps)"#, output: "f32[2,2]", ramp([3, 4]),
      extra: """
          const @starts: i64[2] = [1, -1]
          const @ends: i64[2] = [9223372036854775807, 0]
          const @axes: i64[2] = [0, 1]
          const @steps: i64[2] = [1, -2]
        """)
    #expect(y == f32([2, 2], [7, 5, 11, 9]))
  }

  @Test func squeezeAndUnsqueeze() throws {
    let x = ramp([1, 3, 1, 2])
    #expect(try single(#"Squeeze "s" (%x)"#, output: "f32[3,2]", x)?.shape == [3, 2])
    #expect(try single(#"Squeeze "s" (%x) {axes=[-2]}"#, output: "f32[1,3,2]", x)?.shape == [1, 3, 2])
    #expect(
      try single(#"Unsqueeze "u" (%x) {axes=[0,-1]}"#, output: "f32[1,1,3,1,2,1]", x)?.shape == [1, 1, 3, 1, 2, 1])
    try expectFailure(
      """
      graph "s" {
        input %x: f32[1,3]
        %y = Squeeze "sq" (%x) {axes=[1]} : f32[1]
        return %y
      }
      """, ["x": ramp([1, 3])], node: "sq", opType: "Squeeze", mentioning: "its size is not 1")
  }

  @Test func gatherWithNegativeIndices() throws {
    let rows = try single(
      #"Gather "g" (%x, @i) {axis=0}"#, output: "f32[1,2,2]", ramp([3, 2]), extra: "  const @i: i64[1,2] = [-1, 0]")
    #expect(rows == f32([1, 2, 2], [4, 5, 0, 1]))
    let column = try single(
      #"Gather "g" (%x, @i) {axis=1}"#, output: "f32[3]", ramp([3, 2]), extra: "  const @i: i32[] = [1]")
    #expect(column == f32([3], [1, 3, 5]))
  }

  @Test func gatherOutOfRangeNamesTheIndex() throws {
    try expectFailure(
      """
      graph "g" {
        input %x: f32[3,2]
        const @i: i64[2] = [0, 3]
        %y = Gather "embed" (%x, @i) {axis=0} : f32[2,2]
        return %y
      }
      """, ["x": ramp([3, 2])], node: "embed", opType: "Gather",
      mentioning: "index 3 is out of range for axis 0 of size 3")
  }

  @Test func shapeClampsItsBounds() throws {
    let x = ramp([2, 3, 4, 5])
    #expect(try single(#"Shape "s" (%x) {end=-1, start=1}"#, output: "i64[2]", x) == tensor(.int64, [2], [3, 4]))
    #expect(
      try single(#"Shape "s" (%x) {end=100, start=-10}"#, output: "i64[4]", x) == tensor(.int64, [4], [2, 3, 4, 5]))
    #expect(try single(#"Shape "s" (%x) {start=3}"#, output: "i64[1]", x) == tensor(.int64, [1], [5]))
  }

  @Test func expandBroadcastsBothWays() throws {
    let y = try single(
      #"Expand "e" (%x, @s)"#, output: "f32[2,3,4]", f32([3, 1], [1, 2, 3]), extra: "  const @s: i64[3] = [2, 1, 4]")
    #expect(y?.shape == [2, 3, 4])
    #expect(y?.doubles == Array([[Double]](repeating: [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], count: 2).joined()))
  }

  @Test func constantOfShape() throws {
    let y = try single(
      #"ConstantOfShape "c" (@s) {value=i64 7}"#, output: "i64[2,3]", ramp([1]), extra: "  const @s: i64[2] = [2, 3]")
    #expect(y == tensor(.int64, [2, 3], [7, 7, 7, 7, 7, 7]))
    let scalar = try single(
      #"ConstantOfShape "c" (@s) {value=f32 0.5}"#, output: "f32[]", ramp([1]), extra: "  const @s: i64[0] = []")
    #expect(scalar == f32([], [0.5]))
  }

  /// [[1,2,3],[4,5,6]] padded by one row before and two columns before, one after; numpy's np.pad results.
  @Test(arguments: [
    ("constant", [9.0, 9, 9, 9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 9, 4, 5, 6, 9]),
    ("edge", [1.0, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6]),
    ("reflect", [6.0, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5]),
    ("wrap", [5.0, 6, 4, 5, 6, 4, 2, 3, 1, 2, 3, 1, 5, 6, 4, 5, 6, 4]),
  ])
  func pad(mode: String, expected: [Double]) throws {
    let y = try single(
      "Pad \"p\" (%x, @v) {mode=\(mode), pads=[1,2,0,1]}", output: "f32[3,6]", ramp([2, 3], start: 1),
      extra: "  const @v: f32[] = [9]")
    #expect(y == f32([3, 6], expected))
  }

  @Test func negativePadsCrop() throws {
    let y = try single(
      #"Pad "p" (%x, _) {mode=constant, pads=[0,-1,0,0]}"#, output: "f32[2,2]", ramp([2, 3], start: 1))
    #expect(y == f32([2, 2], [2, 3, 5, 6]))
  }

  @Test func identityAndDropout() throws {
    let results = try Reference.run(
      """
      graph "id" {
        input %x: f32[2]
        %i = Identity "id" (%x) : f32[2]
        %d, %mask = Dropout "drop" (%i) : f32[2], bool[2]
        return %d, %mask
      }
      """, ["x": f32([2], [1.5, -2])])
    #expect(results == [f32([2], [1.5, -2]), tensor(.bool, [2], [1, 1])])
  }
}
