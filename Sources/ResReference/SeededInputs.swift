import ResIR

/// Deterministic random inputs for a graph: what `--verify-each`, golden pass tests and `rescompile check`
/// without data feed the reference evaluator to compare two versions of a graph.
///
/// Floats are uniform in [-1, 1) — well scaled for every activation; integers are small and non-negative
/// (0..<3), so inputs used as indices stay in range for any dimension of at least 3; booleans are random.
public enum SeededInputs {
  /// One tensor per graph input, by name. Symbolic dimensions take `dimensionBindings[symbol]`, else 1.
  /// Throws when an input has an unknown dimension (no size to generate).
  public static func make(
    for graph: Graph, seed: UInt64, dimensionBindings: [String: Int] = [:]
  ) throws(ModelError) -> [String: ReferenceTensor] {
    var generator = SplitMix64(seed: seed)
    var inputs: [String: ReferenceTensor] = [:]
    for input in graph.inputs {
      let value = graph[input]
      var shape: [Int] = []
      for dim in value.type.shape {
        switch dim {
        case .known(let size): shape.append(size)
        case .symbol(let name): shape.append(dimensionBindings[name] ?? 1)
        case .unknown: throw ModelError("graph input '\(value.name)' has an unknown dimension; cannot make data for it")
        }
      }
      guard let count = TensorType.checkedProduct(shape), count <= 1 << 26 else {
        throw ModelError("graph input '\(value.name)' is too large to generate (\(shape))")
      }
      inputs[value.name] = tensor(value.type.dtype, shape: shape, count: count, &generator)
    }
    return inputs
  }

  private static func tensor(_ dtype: DType, shape: [Int], count: Int, _ generator: inout SplitMix64)
    -> ReferenceTensor
  {
    if dtype.isFloatingPoint {
      let values = (0..<count).map { _ in Double(generator.next() >> 11) / Double(1 << 53) * 2 - 1 }
      return ReferenceTensor(dtype: dtype, shape: shape, doubles: values)
    }
    let bound: UInt64 = dtype == .bool ? 2 : 3
    return ReferenceTensor(dtype: dtype, shape: shape, integers: (0..<count).map { _ in Int64(generator.next() % bound) })
  }
}
