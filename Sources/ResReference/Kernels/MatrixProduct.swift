/// The matrix product loop shared by Conv, Gemm and MatMul, and the broadcast bias Gemm and MatMul add.
enum MatrixProduct {
  /// `output[i, j] += Σₖ A(i, k)·B(k, j)`, where `A(i, k) = a[aOffset + i·aStrides.row + k·aStrides.column]`
  /// (a transposed operand just swaps its strides), likewise for B, and `output` is the row-major `[m, n]`
  /// block at `outputOffset`.
  ///
  /// The `k` loop sits outside the `j` loop so that the innermost loop walks a row of the output (and a row of
  /// an untransposed B): long, contiguous, and written with pointers so a debug build stays usable.
  static func accumulate(
    _ a: [Double], _ aStrides: (row: Int, column: Int), _ b: [Double], _ bStrides: (row: Int, column: Int),
    into output: inout [Double], outputOffset: Int, m: Int, k: Int, n: Int, aOffset: Int = 0, bOffset: Int = 0
  ) {
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        output.withUnsafeMutableBufferPointer { y in
          guard let a = a.baseAddress, let b = b.baseAddress, let y = y.baseAddress else { return }
          for i in 0..<m {
            let outputRow = y + outputOffset + i * n
            for p in 0..<k {
              let left = a[aOffset + i * aStrides.row + p * aStrides.column]
              var source = b + bOffset + p * bStrides.row
              var target = outputRow
              let end = outputRow + n
              while target < end {
                target.pointee += left * source.pointee
                target += 1
                source += bStrides.column
              }
            }
          }
        }
      }
    }
  }

  /// The integer counterpart of `accumulate` for int32/int64 MatMul and Gemm: exact products and sums that wrap
  /// around like numpy's integer `dot`. Shape arithmetic is small, so plain array loops suffice.
  static func accumulateIntegers(
    _ a: [Int64], _ aStrides: (row: Int, column: Int), _ b: [Int64], _ bStrides: (row: Int, column: Int),
    into output: inout [Int64], outputOffset: Int, m: Int, k: Int, n: Int, aOffset: Int = 0, bOffset: Int = 0
  ) {
    for i in 0..<m {
      for p in 0..<k {
        let left = a[aOffset + i * aStrides.row + p * aStrides.column]
        for j in 0..<n {
          let right = b[bOffset + p * bStrides.row + j * bStrides.column]
          output[outputOffset + i * n + j] &+= left &* right
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
