import ResIR
import ResTestSupport
import Testing

/// The Shape → Gather → Unsqueeze → Concat → Reshape chains PyTorch exports for a dynamic batch.
@Suite struct KnownValueTests {
  @Test func viewBatchMinusOne() throws {
    // x.view(x.size(0), -1)
    let b = GraphBuilder()
    let x = b.input("f32[N,64,7,7]")
    let shape = try b.value(.shape(start: 0, end: nil), [x])
    let batch = try b.value(.gather(axis: 0), [shape, b.filled("i64[]", 0, name: "zero")])
    #expect(b.type(batch) == "i64[]")
    #expect(b.elements(batch) == "[N]")
    let unsqueezed = try b.value(.unsqueeze(axes: [0]), [batch])
    let target = try b.value(.concat(axis: 0), [unsqueezed, b.int64s([-1], name: "rest")])
    #expect(b.type(target) == "i64[2]")
    #expect(b.elements(target) == "[N,-1]")
    #expect(b.type(try b.value(.reshape(allowZero: false), [x, target])) == "f32[N,3136]")
  }

  /// "Same" padding's `ceil(H / stride)` on a static H: a float quotient over a power of two is an exact
  /// fraction (no dimension spells it, so it prints as `?`) that Ceil rounds up; Ceil, Floor and Round keep a
  /// known whole number, Neg and Abs negate and fold it.
  @Test func roundingAndSignOfKnownSizes() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,3,64,63]")
    let shape = try b.value(.cast(to: .float32), [try b.value(.shape(start: 2, end: nil), [x])])
    let halves = try b.value(.binary(.div), [shape, b.filled("f32[]", 2, name: "stride")])
    #expect(b.elements(halves) == "[32,?]")
    #expect(b.elements(try b.value(.unary(.ceil), [halves])) == "[32,32]")
    #expect(b.elements(try b.value(.unary(.floor), [halves])) == "[32,31]")
    #expect(b.elements(try b.value(.unary(.round), [halves])) == "[32,32]")
    let whole = try b.value(.unary(.floor), [shape])
    #expect(b.elements(whole) == "[64,63]")
    #expect(b.elements(try b.value(.unary(.neg), [whole])) == "[-64,-63]")
    let negated = try b.value(.unary(.neg), [try b.value(.cast(to: .int64), [whole])])
    #expect(b.elements(try b.value(.unary(.abs), [negated])) == "[64,63]")
    #expect(b.elements(try b.value(.unary(.exp), [whole])) == nil)
  }

  /// timm's dynamic "same" padding: the pad total clipped at 0, halved in float, cast to int64 (truncating)
  /// for one side, and the rest for the other. Halves are exact in every float type; thirds are not, so they
  /// stay unknown.
  @Test func halvedPadTotalsAreExactFractions() throws {
    let b = GraphBuilder()
    let total = b.constant("f32[3]", [-2, 3, 5], name: "total")
    let clipped = try b.value(.clip, [total, b.filled("f32[]", 0, name: "zero")])
    #expect(b.elements(clipped) == "[0,3,5]")
    let half = try b.value(.binary(.div), [clipped, b.filled("f32[]", 2, name: "two")])
    let begin = try b.value(.cast(to: .int64), [half])
    #expect(b.elements(begin) == "[0,1,2]")
    let end = try b.value(.binary(.sub), [clipped, try b.value(.cast(to: .float32), [begin])])
    #expect(b.elements(try b.value(.cast(to: .int64), [end])) == "[0,2,3]")
    let negativeHalf = try b.value(.unary(.neg), [half])
    #expect(b.elements(try b.value(.cast(to: .int64), [negativeHalf])) == "[0,-1,-2]")
    #expect(b.elements(try b.value(.unary(.floor), [negativeHalf])) == "[0,-2,-3]")
    let larger = try b.value(.binary(.compare(.greater)), [half, b.filled("f32[]", 1.5, name: "limit")])
    #expect(b.elements(try b.value(.cast(to: .int64), [larger])) == "[0,0,1]")
    // 5 / 3 is no binary fraction, but the float32 the division gives is, and its ceiling is 2 (Range's
    // expansion computes its trip count this way).
    let thirds = try b.value(.binary(.div), [clipped, b.filled("f32[]", 3, name: "three")])
    #expect(b.elements(try b.value(.unary(.ceil), [thirds])) == "[0,1,2]")
  }

  @Test func productOfSizes() throws {
    // x.reshape(x.size(0), x.size(1) * x.size(2) * x.size(3))
    let b = GraphBuilder()
    let x = b.input("f32[N,64,7,7]")
    let shape = try b.value(.shape(start: 0, end: nil), [x])
    func size(_ axis: Int64) throws -> ValueID {
      try b.value(.gather(axis: 0), [shape, b.int64s([axis], name: "i")])
    }
    let area = try b.value(.binary(.mul), [try size(2), try size(3)])
    let features = try b.value(.binary(.mul), [try size(1), area])
    #expect(b.elements(features) == "[3136]")
    let target = try b.value(.concat(axis: 0), [try size(0), features])
    #expect(b.type(try b.value(.reshape(allowZero: false), [x, target])) == "f32[N,3136]")
  }

  @Test func symbolicArithmetic() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,7,7]")
    let batch = try b.value(.shape(start: 0, end: 1), [x])
    let doubled = try b.value(.binary(.mul), [batch, b.int64s([2], name: "two")])
    #expect(b.elements(doubled) == "[?]")
    let halved = try b.value(.binary(.div), [doubled, b.int64s([2], name: "two")])
    #expect(b.elements(halved) == "[N]")
    let same = try b.value(.binary(.add), [try b.value(.binary(.sub), [batch, b.int64s([0])]), b.int64s([0])])
    #expect(b.elements(same) == "[N]")
    let unit = b.int64s([1], name: "one")
    let scaled = try b.value(.binary(.div), [try b.value(.binary(.mul), [batch, unit]), unit])
    #expect(b.elements(scaled) == "[N]")
    let tripled = try b.value(.binary(.add), [doubled, batch])
    let thirds = try b.value(.binary(.div), [tripled, b.int64s([3])])
    #expect(b.elements(thirds) == "[N]")
    // [2N, -1] is exact too: 3136N / 2N = 1568.
    let target = try b.value(.concat(axis: 0), [doubled, b.int64s([-1])])
    #expect(b.type(try b.value(.reshape(allowZero: false), [x, target])) == "f32[?,1568]")
    #expect(b.elements(try b.value(.binary(.div), [batch, b.int64s([2])])) == nil)
    #expect(b.elements(try b.value(.binary(.div), [b.int64s([7]), b.int64s([-2])])) == "[-3]")
    #expect(b.elements(try b.value(.binary(.div), [b.int64s([7]), b.int64s([0])])) == nil)
  }

  @Test func sliceCastSqueezeAndIdentity() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,S,768]")
    let shape = try b.value(.shape(start: 0, end: nil), [x])
    let leading = try b.value(.slice, [shape, b.int64s([0]), b.int64s([2])])
    #expect(b.elements(leading) == "[N,S]")
    let reversed = try b.value(.slice, [shape, b.int64s([-1]), b.int64s([.min]), b.int64s([0]), b.int64s([-1])])
    #expect(b.elements(reversed) == "[768,S,N]")
    let narrow = try b.value(.cast(to: .int32), [leading])
    #expect(b.elements(narrow) == "[N,S]")
    let wide = try b.value(.cast(to: .int64), [narrow])
    let last = try b.value(.gather(axis: 0), [wide, b.int64s([-1])])
    let scalar = try b.value(.squeeze(axes: [0]), [last])
    #expect(b.type(scalar) == "i64[]")
    #expect(b.elements(try b.value(.identity, [scalar])) == "[S]")
    #expect(b.elements(try b.value(.reshape(allowZero: false), [scalar, b.int64s([1])])) == "[S]")
    #expect(b.elements(try b.value(.cast(to: .float32), [leading])) == nil)
    #expect(b.elements(try b.value(.cast(to: .float32), [b.int64s([3, 7])])) == "[3,7]")
  }

  @Test func equalAndWhereWhenDecidable() throws {
    // The Expand pattern: where(shape == -1, ones, shape).
    let b = GraphBuilder()
    let x = b.input("f32[N,64]")
    let requested = try b.value(.concat(axis: 0), [try b.value(.shape(start: 0, end: 1), [x]), b.int64s([-1, 64])])
    let isMinusOne = try b.value(.binary(.equal), [requested, b.int64s([-1], name: "minus")])
    #expect(b.type(isMinusOne) == "bool[3]")
    #expect(b.elements(isMinusOne) == "[0,1,0]")
    let ones = try b.value(.constantOfShape(ScalarValue(dtype: .int64, value: 1)), [b.int64s([3])])
    #expect(b.elements(ones) == "[1,1,1]")
    let fixed = try b.value(.where, [isMinusOne, ones, requested])
    #expect(b.elements(fixed) == "[N,1,64]")
    let y = b.input("f32[64]", name: "y")
    #expect(b.type(try b.value(.expand, [y, fixed])) == "f32[N,1,64]")
    let other = b.input("f32[M]", name: "m")
    let undecided = try b.value(.binary(.equal), [try b.value(.shape(start: 0, end: nil), [other]), b.int64s([3])])
    #expect(b.elements(undecided) == nil)
  }

  @Test func partlyKnownConcat() throws {
    let b = GraphBuilder()
    let unknown = b.input("i64[1]", name: "u")
    let target = try b.value(.concat(axis: 0), [unknown, b.int64s([64])])
    #expect(b.elements(target) == "[?,64]")
    let x = b.input("f32[N,2,64]")
    #expect(b.type(try b.value(.reshape(allowZero: false), [x, target])) == "f32[?,64]")
  }

  @Test func constantsAndInputs() {
    let b = GraphBuilder()
    let vector = b.int64s([3, -1, 0])
    #expect(b.elements(vector) == "[3,-1,0]")
    #expect(b.elements(b.filled("i32[]", 7)) == "[7]")
    #expect(b.elements(b.filled("f32[2]", 1)) == "[1,1]")
    // Halves are known exactly but no dimension spells them; tenths are not known at all.
    #expect(b.elements(b.filled("f32[2]", 0.5)) == "[?,?]")
    #expect(b.elements(b.filled("f32[2]", 0.1)) == nil)
    #expect(b.elements(b.filled("i64[2,2]", 1)) == "[1,1,1,1]")
    #expect(b.elements(b.filled("i64[65]", 1)) == nil)
    #expect(b.elements(b.input("i64[2]")) == nil)
  }
}
