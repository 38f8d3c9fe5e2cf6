import ResIR

/// Checks computed tensors against the graph's static types: the dtype always, each dimension where the type
/// knows it, and symbolic dimensions for consistency (the first tensor to reach a symbol binds it, and every
/// later `N` must have the same size). A disagreement means shape inference, the verifier or a pass is wrong
/// about the graph, which is exactly what an oracle run should catch.
struct TypeConformance {
  /// Each symbol's size, and the value that bound it (for messages).
  private var symbols: [String: (size: Int, boundBy: String)] = [:]

  /// Fails with a message naming `what` (`result 'y'`, `input 'x'`) when `tensor` does not have `type`.
  mutating func check(_ tensor: ReferenceTensor, against type: TensorType, what: String) throws(EvaluationFailure) {
    let actual = "\(tensor.dtype.rawValue)\(ShapeArithmetic.describe(tensor.shape))"
    guard tensor.dtype == type.dtype, tensor.shape.count == type.rank else {
      throw EvaluationFailure("\(what) is \(actual), but its type is \(type)")
    }
    for (dim, size) in zip(type.shape, tensor.shape) {
      switch dim {
      case .known(let expected):
        guard size == expected else { throw EvaluationFailure("\(what) is \(actual), but its type is \(type)") }
      case .symbol(let name):
        if let bound = symbols[name] {
          guard bound.size == size else {
            throw EvaluationFailure(
              "\(what) is \(actual), but its type is \(type), and \(name) = \(bound.size) (from \(bound.boundBy))")
          }
        } else {
          symbols[name] = (size, what)
        }
      case .unknown:
        break
      }
    }
  }
}
