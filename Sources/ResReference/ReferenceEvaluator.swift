import ResIR

/// A naive, obviously correct evaluator of rescompile's IR: the oracle for every optimization and kernel
/// test, shipped so that users can check a compiled model too.
///
/// Semantics are ONNX's at the newest opset. Every reduction (convolution, matrix products, pooling, means,
/// softmax sums, normalization statistics) accumulates in `Double`, and each op's results are rounded once to
/// their dtype, so the evaluator behaves like an exact-accumulation float32 implementation rather than a
/// float64 one. Shapes come from the data, never from shape inference; each result is then checked against
/// its value's static type, so a disagreement between the data and the graph's types is reported, naming the
/// node. Data-dependent failures (a Gather index out of range, an integer division by zero) are
/// `ModelError`s naming the node, never traps.
public enum ReferenceEvaluator {
  /// Evaluates the graph on `inputs` (by graph input name) and returns the graph outputs in order.
  public static func evaluate(_ graph: Graph, inputs: [String: ReferenceTensor]) throws(ModelError)
    -> [ReferenceTensor]
  {
    var run = try EvaluationRun(graph, inputs: inputs, keepsEverything: false)
    try run.run()
    return try run.outputs()
  }

  /// Same, but returns every value computed, graph inputs and node results (for per-pass drift checks and
  /// debugging). Nothing is freed early, so this holds every activation of the network at once.
  public static func evaluateAll(_ graph: Graph, inputs: [String: ReferenceTensor]) throws(ModelError)
    -> [ValueID: ReferenceTensor]
  {
    var run = try EvaluationRun(graph, inputs: inputs, keepsEverything: true)
    try run.run()
    return run.computedValues()
  }
}
