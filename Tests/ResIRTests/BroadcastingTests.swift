import ResIR
import ResTestSupport
import Testing

/// One row of the broadcasting table: two operand types and the result (or nil when they must not broadcast).
struct BroadcastCase: Sendable, CustomTestStringConvertible {
  let a: String
  let b: String
  let result: String?
  var testDescription: String { "\(a) + \(b)" }
}

@Suite struct BroadcastingTests {
  static let table: [BroadcastCase] = [
    BroadcastCase(a: "f32[3]", b: "f32[3]", result: "f32[3]"),
    BroadcastCase(a: "f32[1]", b: "f32[7]", result: "f32[7]"),
    BroadcastCase(a: "f32[7]", b: "f32[1]", result: "f32[7]"),
    BroadcastCase(a: "f32[1]", b: "f32[N]", result: "f32[N]"),
    BroadcastCase(a: "f32[N]", b: "f32[1]", result: "f32[N]"),
    BroadcastCase(a: "f32[1]", b: "f32[?]", result: "f32[?]"),
    BroadcastCase(a: "f32[N]", b: "f32[N]", result: "f32[N]"),
    BroadcastCase(a: "f32[N]", b: "f32[64]", result: "f32[64]"),
    BroadcastCase(a: "f32[64]", b: "f32[N]", result: "f32[64]"),
    BroadcastCase(a: "f32[N]", b: "f32[M]", result: "f32[?]"),
    BroadcastCase(a: "f32[N]", b: "f32[?]", result: "f32[?]"),
    BroadcastCase(a: "f32[?]", b: "f32[5]", result: "f32[5]"),
    BroadcastCase(a: "f32[?]", b: "f32[?]", result: "f32[?]"),
    BroadcastCase(a: "f32[0]", b: "f32[1]", result: "f32[0]"),
    BroadcastCase(a: "f32[N,1,1]", b: "f32[64,1]", result: "f32[N,64,1]"),
    BroadcastCase(a: "f32[]", b: "f32[2,3]", result: "f32[2,3]"),
    BroadcastCase(a: "f32[1,64,1,1]", b: "f32[N,64,56,56]", result: "f32[N,64,56,56]"),
    BroadcastCase(a: "f32[3]", b: "f32[4]", result: nil),
    BroadcastCase(a: "f32[2,3]", b: "f32[3,2]", result: nil),
  ]

  @Test(arguments: table)
  func add(_ row: BroadcastCase) throws {
    let b = GraphBuilder()
    let x = b.input(row.a, name: "a")
    let y = b.input(row.b, name: "b")
    if let result = row.result {
      #expect(b.type(try b.value(.binary(.add), [x, y])) == result)
    } else {
      #expect(errorMessage { _ = try b.value(.binary(.add), [x, y]) } != nil)
    }
  }

  /// `TensorType.broadcasting` (what a pass uses before fusing elementwise nodes) agrees with the Add
  /// inference on every row, and refuses mixed element types.
  @Test(arguments: table)
  func broadcastingAgreesWithInference(_ row: BroadcastCase) {
    let types = [TensorType.spelled(row.a), TensorType.spelled(row.b)]
    #expect(TensorType.broadcasting(types) == row.result.map(TensorType.spelled))
    #expect(TensorType.broadcasting([types[0], TensorType(.float16, types[1].shape)]) == nil)
  }

  @Test func mismatchNamesBothShapes() {
    let b = GraphBuilder()
    let x = b.input("f32[1,64,56,56]", name: "a")
    let y = b.input("f32[1,128,28,28]", name: "b")
    let error = modelError { _ = try b.value(.binary(.add), [x, y], name: "layer2.0.add") }
    #expect(error?.message.hasPrefix("operands [1,64,56,56] and [1,128,28,28] cannot broadcast") == true)
    #expect(
      error?.description.hasPrefix(
        "node 'layer2.0.add' (Add): operands [1,64,56,56] and [1,128,28,28] cannot broadcast") == true)
    let product = modelError { _ = try b.value(.binary(.mul), [x, y], name: "layer2.0.mul") }
    #expect(product?.message == "operands [1,64,56,56] and [1,128,28,28] cannot broadcast")
  }

  @Test func threeWayMismatchNamesEveryShape() {
    let b = GraphBuilder()
    let condition = b.input("bool[2]", name: "c")
    let x = b.input("f32[3]", name: "a")
    let y = b.input("f32[1]", name: "b")
    #expect(
      errorMessage { _ = try b.value(.where, [condition, x, y]) } == "operands [2], [3] and [1] cannot broadcast")
  }
}
