import ResIR
import ResTestSupport
import Testing

/// Known-value arithmetic on hostile numbers: every elementwise op and cast, on every pair of boundary values,
/// must give a value or "unknown", never trap. (A power that lands exactly on Int.min once did.)
@Suite struct KnownArithmeticRobustnessTests {
  static let boundaries: [Int64] = [
    .min, .min + 1, -(1 << 53) - 1, -(1 << 53), -(1 << 31), -(1 << 21), -1024, -3, -2, -1, 0, 1, 2, 3, 1024,
    1 << 21, 1 << 31, 1 << 53, (1 << 53) + 1, .max - 1, .max,
  ]

  static let binaryOps: [BinaryOp] = [.add, .sub, .mul, .div, .pow, .mod(fmod: false), .mod(fmod: true), .equal]

  @Test func everyOpOnEveryPairOfBoundaryValues() throws {
    let b = GraphBuilder()
    let count = Self.boundaries.count
    // Every value against every value: a column of all values against a row of all values, broadcast.
    let column = b.int64s(Self.boundaries, dims: [count, 1], name: "column")
    let row = b.int64s(Self.boundaries, dims: [1, count], name: "row")
    var results: [ValueID] = []
    for (index, slice) in stride(from: 0, to: count, by: 3).enumerated() {
      let rows = try b.value(
        .slice, [column, b.int64s([Int64(slice)]), b.int64s([Int64(slice + 3)]), b.int64s([0])], name: "rows\(index)")
      for op in Self.binaryOps {
        results.append(try b.value(.binary(op), [rows, row]))
      }
      for op in VariadicOp.allCases where op != .sum {
        results.append(try b.value(.variadic(op), [rows, row, rows]))
      }
    }
    for dtype in DType.allCases {
      let cast = try b.value(.cast(to: dtype), [row])
      results.append(try b.value(.cast(to: .int64), [cast]))
    }
    // Nothing trapped; and the arithmetic really ran: every result knows at least its small-number cases.
    for result in results {
      #expect(b.elements(result) != nil, "\(b.graph[result].name) \(b.type(result)) is entirely unknown")
    }
    #expect(b.elements(try b.value(.binary(.add), [b.int64s([.max]), b.int64s([1])])) == nil)
  }
}
