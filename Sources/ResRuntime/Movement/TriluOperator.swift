import ResPlan

/// `trilu`: X with each matrix over the last two axes (row i, column j) kept where `j − i ≥ k` (upper) or
/// `j − i ≤ k` (lower) and zero bytes elsewhere; any type, only the element width matters.
struct TriluOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  let upper: Bool
  let k: Int
  let rows: Int
  let columns: Int

  init(_ params: Rescompile_Plan_TriluParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = operands.inputs[0]
    y = operands.outputs[0]
    try operands.requireSameType(y, "Y", as: x)
    try operands.requireShape(y, "Y", x.shape)
    guard x.rank >= 2 else { throw operands.failure("X has rank \(x.rank), expected at least 2") }
    // Any diagonal beyond the matrix keeps all or nothing; clamping keeps `j − i` comparisons in range.
    let limit = Int64(max(x.shape[x.rank - 1], x.shape[x.rank - 2]) + 1)
    k = Int(min(max(params.k, -limit), limit))
    upper = params.upper
    rows = x.shape[x.rank - 2]
    columns = x.shape[x.rank - 1]
  }

  func run(_ context: RunContext) throws(RuntimeError) {
    let width = x.elementType.byteWidth
    let source = UnsafeRawPointer(context.raw(x))
    let target = context.raw(y)
    let matrices = rows * columns == 0 ? 0 : x.count / (rows * columns)
    for matrix in 0..<matrices {
      for row in 0..<rows {
        let start = (matrix * rows + row) * columns * width
        let kept = keptColumns(row: row)
        target.advanced(by: start).initializeMemory(as: UInt8.self, repeating: 0, count: columns * width)
        if !kept.isEmpty {
          (target + start + kept.lowerBound * width).copyMemory(
            from: source + start + kept.lowerBound * width, byteCount: kept.count * width)
        }
      }
    }
  }

  /// The columns of `row` the triangle keeps: `j ≥ row + k` (upper) or `j ≤ row + k` (lower).
  private func keptColumns(row: Int) -> Range<Int> {
    let diagonal = row + k
    if upper { return min(max(diagonal, 0), columns)..<columns }
    return 0..<min(max(diagonal + 1, 0), columns)
  }
}
