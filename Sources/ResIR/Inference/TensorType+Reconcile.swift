extension TensorType {
  /// Merges a type the model declares (ONNX value_info / graph output) into this inferred one: the more
  /// specific dim wins (known > symbol > unknown); different known dims, ranks or dtypes throw a ModelError
  /// with a message only (the caller adds the node).
  ///
  /// Two different symbols keep the inferred one: inferred symbols come from the graph inputs, and keeping
  /// them keeps equal sizes provably equal across the graph (what residual fusion checks).
  public func reconciled(withDeclared declared: TensorType) throws(ModelError) -> TensorType {
    guard dtype == declared.dtype else {
      throw ModelError(
        "declared type \(declared) has element type \(declared.dtype.onnxName), inferred \(self) has \(dtype.onnxName)")
    }
    guard rank == declared.rank else {
      throw ModelError("declared type \(declared) has rank \(declared.rank), inferred \(self) has rank \(rank)")
    }
    var merged: [Dim] = []
    for (axis, (inferred, stated)) in zip(shape, declared.shape).enumerated() {
      switch (inferred, stated) {
      case (.known(let a), .known(let b)) where a != b:
        throw ModelError("declared type \(declared) disagrees with inferred \(self) on axis \(axis)")
      case (.known, _), (.symbol, .symbol), (.symbol, .unknown), (.unknown, .unknown):
        merged.append(inferred)
      case (_, .known), (.unknown, .symbol):
        merged.append(stated)
      }
    }
    return TensorType(dtype, merged)
  }
}
