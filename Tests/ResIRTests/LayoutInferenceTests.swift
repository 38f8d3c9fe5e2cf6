import ResIR
import ResTestSupport
import Testing

@Suite struct LayoutInferenceTests {
  @Test func transpose() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,C,H,W]")
    #expect(b.type(try b.value(.transpose(perm: [0, 2, 3, 1]), [x])) == "f32[N,H,W,C]")
    #expect(
      errorMessage { _ = try b.value(.transpose(perm: [0, 2, 1]), [x]) }
        == "perm [0,2,1] is not a permutation of the input's 4 axes")
    #expect(
      errorMessage { _ = try b.value(.transpose(perm: [0, 1, 1, 2]), [x]) }
        == "perm [0,1,1,2] is not a permutation of the input's 4 axes")
  }

  @Test func concat() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,H,W]", name: "a")
    let y = b.input("f32[N,32,H,W]", name: "b")
    let z = b.input("f32[?,32,H,28]", name: "c")
    #expect(b.type(try b.value(.concat(axis: 1), [x, y, z])) == "f32[N,128,H,28]")
    let sized = b.input("f32[1,C,H,W]", name: "d")
    #expect(b.type(try b.value(.concat(axis: 1), [x, sized])) == "f32[1,?,H,W]")
    #expect(b.type(try b.value(.concat(axis: 0), [x, x])) == "f32[?,64,H,W]")
  }

  @Test func concatErrors() {
    let b = GraphBuilder()
    let x = b.input("f32[1,64,8,8]", name: "a")
    let y = b.input("f32[1,32,4,4]", name: "b")
    let flat = b.input("f32[1,64]", name: "c")
    let ints = b.input("i64[1,64,8,8]", name: "d")
    #expect(
      errorMessage { _ = try b.value(.concat(axis: 1), [x, y]) }
        == "operand 2 [1,32,4,4] differs from operand 1 [1,64,8,8] on axis 2")
    #expect(
      errorMessage { _ = try b.value(.concat(axis: 1), [x, flat]) } == "operand 2 has rank 2 but operand 1 has rank 4")
    #expect(
      errorMessage { _ = try b.value(.concat(axis: 1), [x, ints]) } == "operand 2 is int64 but operand 1 is float")
    #expect(errorMessage { _ = try b.value(.concat(axis: 4), [x, x]) } == "axis 4 is out of range for rank 4")
  }

  @Test func split() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,S,2304]")
    let results = try b.node(.split(axis: 2, sizes: [768, 768, 768]), [x])
    #expect(results.map(b.type) == ["f32[N,S,768]", "f32[N,S,768]", "f32[N,S,768]"])
    let symbolic = try b.node(.split(axis: 0, sizes: [1, 3]), [x])
    #expect(symbolic.map(b.type) == ["f32[1,S,2304]", "f32[3,S,2304]"])
    #expect(
      errorMessage { _ = try b.node(.split(axis: 2, sizes: [1000, 1000]), [x]) }
        == "split sizes [1000,1000] sum to 2000 but axis 2 has 2304")
    #expect(
      errorMessage { _ = try b.node(.split(axis: 2, sizes: [2305, -1]), [x]) }
        == "split sizes [2305,-1] must not be negative")
    #expect(
      errorMessage { _ = try b.node(.split(axis: 2, sizes: [Int.max, Int.max]), [x]) }
        == "split sizes [\(Int.max),\(Int.max)] sum to more than Int.max but axis 2 has 2304")
  }

  @Test func squeeze() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,1,64,1]")
    #expect(b.type(try b.value(.squeeze(axes: [1, 3]), [x])) == "f32[N,64]")
    #expect(b.type(try b.value(.squeeze(axes: [0]), [x])) == "f32[1,64,1]")
    let known = b.input("f32[1,3,1]", name: "k")
    #expect(b.type(try b.value(.squeeze(axes: nil), [known])) == "f32[3]")
    #expect(errorMessage { _ = try b.value(.squeeze(axes: [2]), [x]) } == "cannot squeeze axis 2 of size 64")
    #expect(
      errorMessage { _ = try b.value(.squeeze(axes: nil), [x]) }
        == "Squeeze without axes needs every dimension known, but axis 0 of [N,1,64,1] is not")
    #expect(errorMessage { _ = try b.value(.squeeze(axes: [4]), [x]) } == "axes [4] include 4, out of range for rank 4")
  }

  @Test func unsqueeze() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,64]")
    #expect(b.type(try b.value(.unsqueeze(axes: [2, 3]), [x])) == "f32[N,64,1,1]")
    #expect(b.type(try b.value(.unsqueeze(axes: [0, 2]), [x])) == "f32[1,N,1,64]")
    #expect(
      errorMessage { _ = try b.value(.unsqueeze(axes: [3]), [x]) } == "axes [3] include 3, out of range for rank 3")
    #expect(errorMessage { _ = try b.value(.unsqueeze(axes: [1, 1]), [x]) } == "axes [1,1] repeat axis 1")
  }

  @Test func pad() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,16,32,32]")
    #expect(b.type(try b.value(.pad(mode: .constant, pads: [0, 8, 0, 0, 0, 8, 0, 0]), [x])) == "f32[N,32,32,32]")
    #expect(b.type(try b.value(.pad(mode: .reflect, pads: [0, 0, 1, 1, 0, 0, 1, 1]), [x])) == "f32[N,16,34,34]")
    #expect(b.type(try b.value(.pad(mode: .constant, pads: [0, 0, -2, 0, 0, 0, 0, -2]), [x])) == "f32[N,16,30,30]")
    #expect(b.type(try b.value(.pad(mode: .edge, pads: [1, 0, 0, 0, 0, 0, 0, 0]), [x])) == "f32[?,16,32,32]")
    let value = b.filled("f32[]", 1, name: "v")
    #expect(
      b.type(try b.value(.pad(mode: .constant, pads: [0, 0, 0, 0, 0, 0, 0, 0]), [x, value])) == "f32[N,16,32,32]")
  }

  @Test func padErrors() {
    let b = GraphBuilder()
    let x = b.input("f32[N,16,32,32]")
    #expect(
      errorMessage { _ = try b.value(.pad(mode: .constant, pads: [0, 0, 0, 0]), [x]) }
        == "pads [0,0,0,0] has 4 entries, expected 8 (begins, then ends)")
    #expect(
      errorMessage { _ = try b.value(.pad(mode: .constant, pads: [0, 0, -20, 0, 0, 0, -20, 0]), [x]) }
        == "pads -20 and -20 on axis 2 of size 32 leave a negative size")
    let wrongValue = b.filled("i64[]", name: "v")
    #expect(
      errorMessage { _ = try b.value(.pad(mode: .constant, pads: [0, 0, 0, 0, 0, 0, 0, 0]), [x, wrongValue]) }
        == "operand 2 is int64 but operand 1 is float")
    #expect(
      errorMessage { _ = try b.value(.pad(mode: .constant, pads: [0, 0, Int.max, 0, 0, 0, 1, 0]), [x]) }
        == "padding axis 2 overflows a 64-bit integer")
  }
}
