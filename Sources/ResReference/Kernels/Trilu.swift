import ResIR

/// ONNX Trilu: over the last two axes (rows i, columns j), keeps the elements with `j − i ≥ k` (`upper`) or
/// `j − i ≤ k` (lower) and zeroes the rest; any leading axes are a batch of matrices.
enum Trilu {
  static func evaluate(_ operands: NodeOperands, upper: Bool, k: Int) throws(EvaluationFailure) -> ReferenceTensor {
    let x = try operands.required(0, "input")
    guard x.rank >= 2 else { throw EvaluationFailure("input has rank \(x.rank), expected at least 2") }
    let (rows, columns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
    func kept(_ index: Int) -> Bool {
      let within = index % max(rows * columns, 1)
      let offset = within % max(columns, 1) - within / max(columns, 1)
      return upper ? offset >= k : offset <= k
    }
    switch x.storage {
    case .floating(let values):
      let result = values.indices.map { kept($0) ? values[$0] : 0 }
      return ReferenceTensor(dtype: x.dtype, shape: x.shape, storage: .floating(result))
    case .integral(let values):
      let result = values.indices.map { kept($0) ? values[$0] : 0 }
      return ReferenceTensor(dtype: x.dtype, shape: x.shape, storage: .integral(result))
    }
  }
}
