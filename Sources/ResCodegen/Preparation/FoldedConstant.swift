import ResIR
import ResReference

/// The reference evaluator's result as a graph constant, exactly: floats hold values already rounded to their
/// type, integers are stored from their Int64 values (never through Double, which would lose int64 bits).
enum FoldedConstant {
  static func make(_ tensor: ReferenceTensor) -> Constant {
    switch tensor.storage {
    case .floating(let values):
      Constant(dtype: tensor.dtype, dims: tensor.shape, doubles: values)
    case .integral(let values):
      Constant(
        dtype: tensor.dtype, dims: tensor.shape,
        bytes: ConstantConversion.integerBytes(values.map { Int(truncatingIfNeeded: $0) }, as: tensor.dtype))
    }
  }
}
