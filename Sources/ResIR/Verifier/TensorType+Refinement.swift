extension TensorType {
  /// Whether a recorded type is consistent with an inferred one: same element type and rank, and every
  /// dimension equal to the inferred one or more specific than it (a number or symbol where inference says
  /// unknown, a number where it says symbol).
  ///
  /// "More specific" is the order `reconciled(withDeclared:)` uses, so a type the importer refined from the
  /// model's declarations (`value_info`, graph outputs) verifies.
  public func refines(_ inferred: TensorType) -> Bool {
    dtype == inferred.dtype && rank == inferred.rank
      && zip(shape, inferred.shape).allSatisfy { recorded, inferred in
        switch (recorded, inferred) {
        case (_, .unknown), (.known, .symbol): true
        case (.known(let a), .known(let b)): a == b
        case (.symbol(let a), .symbol(let b)): a == b
        case (.symbol, .known), (.unknown, .known), (.unknown, .symbol): false
        }
      }
  }
}
