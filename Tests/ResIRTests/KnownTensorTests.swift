import ResIR
import ResTestSupport
import Testing

/// Known values of small tensors of any rank: the data movement and arithmetic that exporters use to compute
/// pads and slice bounds from constants (PyTorch's `F.pad`, ONNX's CenterCropPad expansion).
@Suite struct KnownTensorTests {
  @Test func transposeOfAMatrix() throws {
    let b = GraphBuilder()
    let matrix = b.int64s([1, 2, 3, 4, 5, 6], dims: [2, 3])
    let transposed = try b.value(.transpose(perm: [1, 0]), [matrix])
    #expect(b.type(transposed) == "i64[3,2]")
    #expect(b.elements(transposed) == "[1,4,2,5,3,6]")
    let cube = b.int64s((0..<12).map { Int64($0) }, dims: [2, 3, 2])
    let rotated = try b.value(.transpose(perm: [2, 0, 1]), [cube])
    #expect(b.type(rotated) == "i64[2,2,3]")
    #expect(b.elements(rotated) == "[0,2,4,6,8,10,1,3,5,7,9,11]")
  }

  @Test func negativeStepSliceOnTheFirstAxisOfAMatrix() throws {
    let b = GraphBuilder()
    let rows = b.int64s([1, 2, 3, 4, 5, 6, 7, 8], dims: [4, 2])
    let reversed = try b.value(
      .slice, [rows, b.int64s([-1]), b.int64s([-.max]), b.int64s([0]), b.int64s([-1])])
    #expect(b.type(reversed) == "i64[4,2]")
    #expect(b.elements(reversed) == "[7,8,5,6,3,4,1,2]")
    let everyOther = try b.value(
      .slice, [rows, b.int64s([3, 1]), b.int64s([.min, .max]), b.int64s([0, -1]), b.int64s([-2, 1])])
    #expect(b.type(everyOther) == "i64[2,1]")
    #expect(b.elements(everyOther) == "[8,4]")
  }

  @Test func maxAndMinOnVectors() throws {
    let b = GraphBuilder()
    let x = b.input("f32[20,8,3]")
    let sizes = try b.value(.gather(axis: 0), [try b.value(.shape(start: 0, end: nil), [x]), b.int64s([0, 1])])
    let target = b.int64s([10, 10], name: "target")
    #expect(b.elements(try b.value(.variadic(.max), [sizes, target])) == "[20,10]")
    #expect(b.elements(try b.value(.variadic(.min), [sizes, target, b.int64s([9])])) == "[9,8]")
    let symbolic = try b.value(.shape(start: 0, end: nil), [b.input("f32[N,4]", name: "y")])
    #expect(b.elements(try b.value(.variadic(.max), [symbolic, b.int64s([1, 5])])) == "[?,5]")
    #expect(b.elements(try b.value(.variadic(.max), [symbolic, symbolic])) == "[N,4]")
  }

  /// `F.pad(x, (0, 0, 0, 0, 8, 8))` on an NCHW tensor, as torch.onnx exports it at opset 17.
  @Test func pytorchPadChain() throws {
    let b = GraphBuilder()
    let zeros = try b.value(.constantOfShape(ScalarValue(dtype: .int64, value: 0)), [b.int64s([2])])
    let flat = try b.value(.concat(axis: 0), [b.int64s([0, 0, 0, 0, 8, 8]), zeros])
    let pairs = try b.value(.reshape(allowZero: false), [flat, b.int64s([-1, 2])])
    #expect(b.type(pairs) == "i64[4,2]")
    let reversed = try b.value(
      .slice, [pairs, b.int64s([-1]), b.int64s([-.max]), b.int64s([0]), b.int64s([-1])])
    #expect(b.elements(reversed) == "[0,0,8,8,0,0,0,0]")
    let beginsThenEnds = try b.value(.transpose(perm: [1, 0]), [reversed])
    let pads = try b.value(
      .cast(to: .int64), [try b.value(.reshape(allowZero: false), [beginsThenEnds, b.int64s([-1])])])
    #expect(b.type(pads) == "i64[8]")
    #expect(b.elements(pads) == "[0,8,0,0,0,8,0,0]")
  }

  /// ONNX's CenterCropPad expansion: pads from the input's shape and the target shape.
  @Test func centerCropPads() throws {
    let b = GraphBuilder()
    let x = b.input("f32[3,20,8]")
    let target = b.int64s([10, 12], name: "target")
    let two = b.int64s([2], name: "two")
    let sizes = try b.value(.gather(axis: 0), [try b.value(.shape(start: 0, end: nil), [x]), b.int64s([1, 2])])
    let padded = try b.value(.variadic(.max), [sizes, target])
    let amount = try b.value(.binary(.sub), [padded, sizes])
    let left = try b.value(.binary(.div), [amount, two])
    let right = try b.value(.binary(.sub), [amount, left])
    #expect(b.elements(try b.value(.concat(axis: 0), [left, right])) == "[0,2,0,2]")
  }

  @Test func gatherOnAnyAxis() throws {
    let b = GraphBuilder()
    let matrix = b.int64s([1, 2, 3, 4, 5, 6], dims: [2, 3])
    let columns = try b.value(.gather(axis: 1), [matrix, b.int64s([2, -3])])
    #expect(b.type(columns) == "i64[2,2]")
    #expect(b.elements(columns) == "[3,1,6,4]")
    let rows = try b.value(.gather(axis: 0), [matrix, b.int64s([1, 0, 1, 1], dims: [2, 2])])
    #expect(b.type(rows) == "i64[2,2,3]")
    #expect(b.elements(rows) == "[4,5,6,1,2,3,4,5,6,4,5,6]")
  }

  @Test func concatOnAnyAxisKeepsUnknownPieces() throws {
    let b = GraphBuilder()
    let known = b.int64s([1, 2, 3, 4], dims: [2, 2])
    let unknown = b.input("i64[2,1]", name: "u")
    let joined = try b.value(.concat(axis: 1), [known, unknown, known])
    #expect(b.type(joined) == "i64[2,5]")
    #expect(b.elements(joined) == "[1,2,?,1,2,3,4,?,3,4]")
  }

  @Test func splitExpandAndReshapes() throws {
    let b = GraphBuilder()
    let vector = b.int64s([1, 2, 3, 4, 5, 6])
    let pieces = try b.node(.split(axis: 0, sizes: [2, 4]), [vector])
    #expect(b.elements(pieces[0]) == "[1,2]")
    #expect(b.elements(pieces[1]) == "[3,4,5,6]")
    let columns = try b.node(.split(axis: 1, sizes: [1, 2]), [b.int64s([1, 2, 3, 4, 5, 6], dims: [2, 3])])
    #expect(b.elements(columns[1]) == "[2,3,5,6]")
    let expanded = try b.value(.expand, [b.int64s([7, 8], dims: [2, 1]), b.int64s([2, 3])])
    #expect(b.elements(expanded) == "[7,7,7,8,8,8]")
    let unsqueezed = try b.value(.unsqueeze(axes: [0]), [expanded])
    #expect(b.type(unsqueezed) == "i64[1,2,3]")
    #expect(b.elements(try b.value(.flatten(axis: 2), [unsqueezed])) == "[7,7,7,8,8,8]")
    #expect(b.elements(try b.value(.squeeze(axes: [0]), [unsqueezed])) == "[7,7,7,8,8,8]")
  }

  @Test func equalAndWhereBroadcast() throws {
    let b = GraphBuilder()
    let matrix = b.int64s([1, -1, 3, -1], dims: [2, 2])
    let isMinusOne = try b.value(.binary(.equal), [matrix, b.int64s([-1])])
    #expect(b.elements(isMinusOne) == "[0,1,0,1]")
    let unknown = b.input("i64[2]", name: "u")
    // Where picks the known branch wherever the condition says so, even when the other branch is unknown.
    let chosen = try b.value(.where, [isMinusOne, b.int64s([0, 9]), unknown])
    #expect(b.type(chosen) == "i64[2,2]")
    #expect(b.elements(chosen) == "[?,9,?,9]")
  }

  @Test func integerArithmetic() throws {
    let b = GraphBuilder()
    let dividends = b.int64s([7, -7, 7, -7], name: "a")
    let divisors = b.int64s([2, 2, -2, -2], name: "d")
    #expect(b.elements(try b.value(.binary(.div), [dividends, divisors])) == "[3,-3,-3,3]")
    #expect(b.elements(try b.value(.binary(.mod(fmod: false)), [dividends, divisors])) == "[1,1,-1,-1]")
    #expect(b.elements(try b.value(.binary(.mod(fmod: true)), [dividends, divisors])) == "[1,-1,1,-1]")
    #expect(b.elements(try b.value(.binary(.mod(fmod: false)), [dividends, b.int64s([0])])) == nil)
    #expect(b.elements(try b.value(.binary(.pow), [divisors, b.int64s([3])])) == "[8,8,-8,-8]")
    #expect(b.elements(try b.value(.binary(.pow), [b.int64s([-1, 0, 2]), b.int64s([.max, 0, 64])])) == "[-1,1,?]")
    // (-2²¹)³ is exactly Int.min: no overflow is reported, but its magnitude must not trap.
    #expect(b.elements(try b.value(.binary(.pow), [b.int64s([-(1 << 21)]), b.int64s([3])])) == nil)
    // Overflow wraps at run time; inference does not claim the wrapped value.
    let bytes = b.constant("i8[2]", [100, 1])
    #expect(b.elements(try b.value(.binary(.add), [bytes, b.constant("i8[]", [100])])) == "[?,101]")
    #expect(b.elements(try b.value(.binary(.mul), [b.int64s([.max]), b.int64s([2])])) == nil)
  }

  /// Float tensors are tracked in their whole-number elements and their fractions over powers of two (2.5
  /// prints as `?`: no dimension spells it), so Sum (float only in ONNX) and a Cast back to integers work on
  /// them; a tenth is not tracked.
  @Test func wholeNumberFloats() throws {
    let b = GraphBuilder()
    let floats = b.constant("f32[3]", [1, 2.5, 0.1], name: "f")
    #expect(b.elements(floats) == "[1,?,?]")
    let total = try b.value(.variadic(.sum), [floats, floats, b.constant("f32[]", [3])])
    #expect(b.elements(total) == "[5,8,?]")
    // Float division of known numbers is known: exactly, or as the float32 it rounds to (8 / 5 = 1.6000000238).
    let fifths = try b.value(.binary(.div), [total, b.constant("f32[]", [5])])
    #expect(b.elements(try b.value(.cast(to: .int64), [fifths])) == "[1,1,?]")
    let asIntegers = try b.value(.cast(to: .int64), [total])
    #expect(b.elements(asIntegers) == "[5,8,?]")
    let large = b.int64s([1 << 24, (1 << 24) + 1])
    #expect(b.elements(try b.value(.cast(to: .float32), [large])) == "[16777216,?]")
    #expect(b.elements(try b.value(.cast(to: .float16), [b.int64s([2048, 2049])])) == "[2048,?]")
    let symbolic = try b.value(.shape(start: 0, end: nil), [b.input("f32[N]")])
    #expect(b.elements(try b.value(.cast(to: .float32), [symbolic])) == nil)
  }

  /// The side of a square grid from its cell count, as DINOv2's position-embedding interpolation computes it
  /// (`Pow(N, 0.5)` or `Sqrt(N)`, then a Cast): known for perfect squares, unknown otherwise.
  @Test func squareRootsOfPerfectSquares() throws {
    let b = GraphBuilder()
    let counts = b.constant("f32[4]", [16, 1369, 15, 0], name: "n")
    let half = b.constant("f32[]", [0.5], name: "half")
    let sides = try b.value(.binary(.pow), [counts, half])
    #expect(b.elements(sides) == "[4,37,?,0]")
    #expect(b.elements(try b.value(.cast(to: .int64), [try b.value(.unary(.sqrt), [counts])])) == "[4,37,?,0]")
    let third = b.constant("f32[]", [0.25], name: "quarter")
    #expect(b.elements(try b.value(.binary(.pow), [counts, third])) == nil)
  }
}
