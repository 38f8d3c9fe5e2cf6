import ResIR

/// The sizes symbolic input dimensions take from the input tensors a model is given: shared by a model already
/// imported (`LoadedModel.dimensionBindings(matching:explicit:)`) and one whose import waits for them
/// (`DeferredModel`).
enum InputSizes {
  /// `explicit` (`--dim`), completed with the size each other symbolic dimension of `declared` has in
  /// `inputs`. Throws naming the input when a tensor's rank or a fixed dimension disagrees with its
  /// declaration, or when one symbol would take two sizes. Inputs missing from `inputs` are skipped (the
  /// runner reports them).
  static func bindings(
    declared: [(name: String, type: TensorType)], matching inputs: [String: Constant], explicit: [String: Int]
  ) throws(ModelError) -> [String: Int] {
    var bindings = explicit
    for (name, type) in declared {
      guard let tensor = inputs[name] else { continue }
      let shape = type.shape
      guard tensor.dims.count == shape.count else {
        throw ModelError("input '\(name)' has shape \(tensor.dims), the model declares \(type)")
      }
      for (axis, (dim, size)) in zip(shape, tensor.dims).enumerated() {
        switch dim {
        case .known(let expected) where expected != size:
          throw ModelError("input '\(name)' has shape \(tensor.dims), the model declares \(type)")
        case .symbol(let symbol):
          if let bound = bindings[symbol], bound != size {
            throw ModelError("input '\(name)' has \(size) in dimension \(axis) ('\(symbol)'), but '\(symbol)' is \(bound)")
          }
          bindings[symbol] = size
        case .known, .unknown: continue
        }
      }
    }
    return bindings
  }
}
