import ResIR

/// Makes a caller's tensor safe to compute with. `ReferenceTensor`'s fields are public, so a tensor may
/// arrive with too few values for its shape, float storage under an integer dtype, or an int8 holding 300:
/// those are errors. Float values that the dtype cannot hold exactly are rounded to it, as the initializers
/// round them.
enum InputValidation {
  static func normalized(_ tensor: ReferenceTensor, what: String) throws(EvaluationFailure) -> ReferenceTensor {
    let shape = ShapeArithmetic.describe(tensor.shape)
    guard let count = ShapeArithmetic.product(tensor.shape), count == tensor.elementCount else {
      throw EvaluationFailure("\(what) holds \(tensor.elementCount) values for shape \(shape)")
    }
    switch tensor.storage {
    case .floating(let values):
      guard tensor.dtype.isFloatingPoint else {
        throw EvaluationFailure("\(what) is \(tensor.dtype.rawValue) but stores floating-point values")
      }
      return ReferenceTensor(
        dtype: tensor.dtype, shape: tensor.shape,
        storage: .floating(ElementConversion.rounded(values, to: tensor.dtype)))
    case .integral(let values):
      guard !tensor.dtype.isFloatingPoint else {
        throw EvaluationFailure("\(what) is \(tensor.dtype.rawValue) but stores integers")
      }
      let range = ElementConversion.integerRange(tensor.dtype)
      if let outlier = values.first(where: { !range.contains($0) }) {
        throw EvaluationFailure("\(what) holds \(outlier), which \(tensor.dtype.rawValue) cannot represent")
      }
      return tensor
    }
  }
}
