import ResIR
import ResRuntime

extension Runner {
  /// Runs the plan on IR constants (inputs read from `.pb` or `.npy` files) and returns every output in the
  /// plan's output order, which is the graph's: `output_K.pb` is the K-th.
  public func run(constants inputs: [String: Constant]) throws(RuntimeError) -> [(name: String, value: Constant)] {
    var tensors: [String: Tensor] = [:]
    for name in inputs.keys.sorted() {
      if let constant = inputs[name] { tensors[name] = try Tensor(constant) }
    }
    let outputs = try run(tensors)
    return plan.outputs.compactMap { description in
      outputs[description.name].map { (name: description.name, value: Constant($0)) }
    }
  }
}
