import ResPlan

/// One step of the plan under construction: a kernel, its parameters, and the tensors it reads and writes.
struct PlanStep: Sendable {
  /// The IR node the step came from (several steps may share a node: casts, Concat's copies).
  var name: String
  var kernel: KernelID
  var inputs: [TensorID]
  var outputs: [TensorID]
  var params: Rescompile_Plan_Step.OneOf_Params
}
