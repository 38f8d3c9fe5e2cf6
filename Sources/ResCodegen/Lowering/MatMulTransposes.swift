import ResIR

/// The Transposes a MatMul step reads or writes through strides instead of a copy step (`MatMulParams.a_perm`,
/// `b_perm`, `y_perm` in plan.proto).
///
/// A transformer's attention splits Q, K and V into heads (`Reshape → Transpose`, K to `Kᵀ`) and merges the
/// heads back (`Transpose → Reshape`); four copies per layer that move every activation of the layer once
/// more. Found once before lowering, from the graph:
/// - **read**: a Transpose of a computed f32 tensor whose result only MatMuls read, each as A or B with both
///   operands of rank 2 or more, and which is not a graph output. It emits no step; its readers read its input
///   with its `perm`.
/// - **written**: a MatMul (f32, both operands of rank 2 or more) whose result is read by exactly one node, a
///   Transpose keeping the last axis last that is not read in place itself, and is not a graph output. The
///   Transpose emits no step; the MatMul writes the Transpose's result with `y_perm`, the Transpose's perm.
struct MatMulTransposes {
  /// By the result of each Transpose read in place: its input and perm.
  private var reads: [ValueID: (source: ValueID, perm: [Int])] = [:]
  /// By the result of each MatMul that writes through a Transpose: the Transpose's result and perm.
  private var writes: [ValueID: (target: ValueID, perm: [Int])] = [:]
  /// The Transposes that emit no step.
  private var absorbed: Set<NodeID> = []

  /// Nothing absorbed: every Transpose is a copy step.
  init() {}

  init(_ graph: Graph, liveness: Liveness) {
    let uses = UseList(graph)
    let producers = graph.producers()
    let positions = graph.nodePositions()
    for node in graph.nodes where liveness.isLive(node) {
      guard case .transpose(let perm) = node.op, let input = node.input(0) else { continue }
      let order = perm.isEmpty ? Array((0..<graph.type(of: input).rank).reversed()) : perm
      if Self.isReadInPlace(node, in: graph, uses: uses, positions: positions) {
        reads[node.outputs[0]] = (input, order)
        absorbed.insert(node.id)
      } else if let matMul = producers[input].map({ graph.nodes[$0] }),
        Self.writesThrough(matMul, transpose: node, order: order, in: graph, uses: uses)
      {
        writes[input] = (node.outputs[0], order)
        absorbed.insert(node.id)
      }
    }
  }

  /// Whether `node` (a Transpose) emits no step.
  func isAbsorbed(_ node: Node) -> Bool { absorbed.contains(node.id) }

  /// The tensor a MatMul reads for `operand` and the perm it reads it with (nil: as it is).
  func read(_ operand: ValueID) -> (source: ValueID, perm: [Int]?) {
    guard let read = reads[operand] else { return (operand, nil) }
    return (read.source, read.perm)
  }

  /// The value a MatMul writes for its `result` and the perm it writes it with (nil: as it is).
  func write(_ result: ValueID) -> (target: ValueID, perm: [Int]?) {
    guard let write = writes[result] else { return (result, nil) }
    return (write.target, write.perm)
  }

  private static func isReadInPlace(_ transpose: Node, in graph: Graph, uses: UseList, positions: [NodeID: Int])
    -> Bool
  {
    guard let input = transpose.input(0), graph.constant(input) == nil, graph.type(of: input).dtype == .float32
    else { return false }
    let result = transpose.outputs[0]
    guard !uses.isGraphOutput(result), !uses[result].isEmpty else { return false }
    return uses[result].allSatisfy { use in
      guard case .operand(let id, let slot) = use, slot <= 1, let position = positions[id] else { return false }
      return isMatrixProduct(graph.nodes[position], in: graph)
    }
  }

  private static func writesThrough(_ matMul: Node, transpose: Node, order: [Int], in graph: Graph, uses: UseList)
    -> Bool
  {
    let result = matMul.outputs[0]
    guard isMatrixProduct(matMul, in: graph), graph.type(of: result).dtype == .float32, !uses.isGraphOutput(result),
      uses[result].count == 1, order.last == order.count - 1
    else { return false }
    guard case .operand(let id, 0) = uses[result][0] else { return false }
    return id == transpose.id
  }

  /// A MatMul of two operands of rank 2 or more: the only form whose operands and result the step reads and
  /// writes transposed.
  private static func isMatrixProduct(_ node: Node, in graph: Graph) -> Bool {
    guard case .matMul = node.op, let a = node.input(0), let b = node.input(1) else { return false }
    return graph.type(of: a).rank >= 2 && graph.type(of: b).rank >= 2
  }
}
