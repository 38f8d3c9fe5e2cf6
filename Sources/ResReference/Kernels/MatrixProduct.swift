/// The matrix product loop shared by Gemm and MatMul, and the broadcast bias they add.
enum MatrixProduct {
  /// `output[i, j] += Σₖ A(i, k)·B(k, j)`, where `A(i, k) = a[i·aStrides.row + k·aStrides.column]` (a transposed
  /// operand just swaps its strides) and `output` is the row-major `[m, n]` block at `outputOffset`.
  ///
  /// The `k` loop sits outside the `j` loop so that the innermost loop walks a row of B and a row of the
  /// output, both contiguous for an untransposed B.
  static func accumulate(
    _ a: [Double], _ aStrides: (row: Int, column: Int), _ b: [Double], _ bStrides: (row: Int, column: Int),
    into output: inout [Double], outputOffset: Int, m: Int, k: Int, n: Int,
    aOffset: Int = 0, bOffset: Int = 0
  ) {
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        output.withUnsafeMutableBufferPointer { y in
          for i in 0..<m {
            let outputRow = outputOffset + i * n
            for p in 0..<k {
              let left = a[aOffset + i * aStrides.row + p * aStrides.column]
              let rightRow = bOffset + p * bStrides.row
              for j in 0..<n {
                y[outputRow + j] += left * b[rightRow + j * bStrides.column]
              }
            }
          }
        }
      }
    }
  }

  /// `output += scale·bias`, with `bias` broadcast unidirectionally onto `shape`.
  static func addBroadcastBias(
    _ bias: ReferenceTensor, scale: Double, to output: inout [Double], shape: [Int], role: String
  ) throws(EvaluationFailure) {
    let values = try bias.floatValues(role)
    guard Broadcasting.isUnidirectional(bias.shape, to: shape) else {
      throw EvaluationFailure(
        "\(role) has shape \(ShapeArithmetic.describe(bias.shape)), which does not broadcast to the output "
          + "\(ShapeArithmetic.describe(shape))")
    }
    let source = Broadcasting.sourceIndices(bias.shape, to: shape)
    for i in output.indices { output[i] += scale * values[source[i]] }
  }
}
