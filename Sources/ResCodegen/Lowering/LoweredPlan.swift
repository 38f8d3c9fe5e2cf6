/// What lowering produced: the plan's tensors and steps, and which tensors the graph's inputs and outputs are;
/// then, once `ConcatAliasing` has run, which regions live inside others.
struct LoweredPlan: Sendable {
  /// A graph input or output name bound to the tensor that holds it.
  struct Binding: Sendable {
    var name: String
    var tensor: TensorID
  }

  var builder: PlanBuilder
  var inputs: [Binding]
  var outputs: [Binding]
  /// The Concats with the copy steps lowering gave them.
  var concats: [PendingConcat]
  /// Regions placed inside other regions (Concat operands inside the Concat's output); all roots until
  /// `ConcatAliasing` runs.
  var nesting: RegionNesting

  init(builder: PlanBuilder, inputs: [Binding], outputs: [Binding], concats: [PendingConcat]) {
    self.builder = builder
    self.inputs = inputs
    self.outputs = outputs
    self.concats = concats
    nesting = RegionNesting(regionCount: builder.regionSizes.count)
  }

  /// Drops the marked steps (none of them a Concat's copy), keeping the Concats' step indices pointing at
  /// their copies.
  mutating func removeSteps(marked: [Bool]) {
    var removedBefore = [Int](repeating: 0, count: builder.steps.count + 1)
    for index in builder.steps.indices {
      removedBefore[index + 1] = removedBefore[index] + (index < marked.count && marked[index] ? 1 : 0)
    }
    builder.removeSteps(marked: marked)
    for concat in concats.indices {
      for operand in concats[concat].operands.indices {
        concats[concat].operands[operand].step -= removedBefore[concats[concat].operands[operand].step]
      }
    }
  }
}
