/// What lowering produced: the plan's tensors and steps, and which tensors the graph's inputs and outputs are.
struct LoweredPlan: Sendable {
  /// A graph input or output name bound to the tensor that holds it.
  struct Binding: Sendable {
    var name: String
    var tensor: TensorID
  }

  var builder: PlanBuilder
  var inputs: [Binding]
  var outputs: [Binding]
}
