import ResIR

/// Which values the graph's outputs need at run time, found by one backward sweep over the nodes (a loop, so
/// a 10,000-node chain costs no stack).
///
/// A node is lowered only if one of its results is needed; a result nobody reads is not computed unless its
/// node computes it anyway (an LSTM's Y_c). Operands an op reads only when compiling (Reshape's shape, Slice's
/// bounds) do not make their producers live: a plan with static shapes never computes them. (Compile-time
/// evaluation, which must fold them so that their readers fold too, counts every operand: `ConstantFolding`.)
struct Liveness: Sendable {
  private var live: [Bool]

  init(_ graph: Graph) {
    live = Array(repeating: false, count: graph.values.count)
    for output in graph.outputs { live[output.index] = true }
    for node in graph.nodes.reversed() where node.outputs.contains(where: { live[$0.index] }) {
      for (slot, input) in node.inputs.enumerated() {
        guard let input, node.op.readsAtRunTime(slot: slot) else { continue }
        live[input.index] = true
      }
    }
  }

  func isLive(_ value: ValueID) -> Bool { live[value.index] }
  func isLive(_ node: Node) -> Bool { node.outputs.contains { live[$0.index] } }
}

extension Op {
  /// Whether the plan reads operand `slot` when it runs, rather than only its static shape or constant value
  /// when compiling.
  func readsAtRunTime(slot: Int) -> Bool {
    switch self {
    // The data; the rest are shapes and bounds, known when compiling.
    case .reshape, .expand, .slice: slot == 0
    // Only the data's static shape; a Range's bounds, which fix its length and values when compiling.
    case .shape, .constantOfShape, .range: false
    case .conv, .gemm, .matMul, .batchNormalization, .layerNormalization, .scaleShift, .lrn, .unary, .clip, .binary,
      .variadic, .where, .gatedSkip, .cast, .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce,
      .softmax, .flatten, .transpose, .concat, .split, .squeeze, .unsqueeze, .gather, .pad, .scatterND, .gatherElements,
      .cumSum, .trilu, .resize, .argReduce, .topK, .identity, .dropout, .lstm, .gru, .rnn:
      true
    }
  }
}
