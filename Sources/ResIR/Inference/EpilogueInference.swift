extension NodeContext {
  /// Checks a fused epilogue against the op's output: a residual operand must provably have exactly the
  /// output's type (a broadcast operand is never a residual, and the kernel adds it tile by tile), and the
  /// activation must make sense for a float output.
  func checkEpilogue(_ epilogue: Epilogue, output: TensorType) throws(ModelError) {
    if epilogue.residual {
      let residual = try operand(Op.residualSlot)
      guard residual.provablyEquals(output) else {
        throw error("residual \(residual) does not provably match the output \(output)")
      }
    }
    guard let activation = epilogue.activation else { return }
    guard output.dtype.isFloatingPoint else {
      throw error("epilogue activation needs a float output, got \(output.dtype.onnxName)")
    }
    if case .clip(let low, let high) = activation, !(low <= high) {
      throw error("epilogue clip has min \(low) greater than max \(high)")
    }
  }
}
