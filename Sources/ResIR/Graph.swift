/// A dataflow graph in SSA form: values, and nodes in topological order.
///
/// A value type: passes take a graph and return a new one, and copies are cheap because constants are
/// shared by reference. Values are never renumbered; a value that no node uses any more simply stays in the
/// table (dead code elimination drops nodes, and printing only shows what is reachable from the nodes and
/// the graph's inputs and outputs).
public struct Graph: Sendable {
  public var name: String
  public private(set) var values: [Value] = []
  /// Topological order: every operand is a graph input, a constant, or a result of an earlier node.
  public var nodes: [Node] = []
  public var inputs: [ValueID] = []
  public var outputs: [ValueID] = []
  private var nodeCount = 0
  private var usedNames: Set<String> = []
  /// The edits recorded since `startRecordingEdits`, or nil when not recording (GraphEdit.swift).
  var editLog: [GraphEdit]?

  public init(name: String) {
    self.name = name
  }

  public subscript(value: ValueID) -> Value {
    get { values[value.index] }
  }

  /// The type of a value.
  public func type(of value: ValueID) -> TensorType { values[value.index].type }

  /// The constant behind a value, if it is one.
  public func constant(_ value: ValueID) -> Constant? { values[value.index].constant }

  /// Changes a value's type (shape inference refines types in place).
  public mutating func setType(_ type: TensorType, of value: ValueID) {
    values[value.index].type = type
  }

  // MARK: - Adding values

  /// Declares a graph input.
  public mutating func addInput(name: String, type: TensorType) -> ValueID {
    let id = addValue(Value(name: uniqueName(name), type: type, definition: .graphInput))
    inputs.append(id)
    return id
  }

  /// Adds a constant to the pool.
  public mutating func addConstant(name: String, _ constant: Constant) -> ValueID {
    addValue(Value(name: uniqueName(name), type: constant.type, definition: .constant(constant)))
  }

  /// Appends a node computing `op` on `inputs`, creating one result value per entry of `results`.
  /// Returns the node's ID; its results are `nodes.last!.outputs`.
  @discardableResult
  public mutating func appendNode(
    name: String, op: Op, inputs: [ValueID?], results: [(name: String, type: TensorType)]
  ) -> NodeID {
    let node = makeNode(name: name, op: op, inputs: inputs, results: results)
    record(.inserted(node.id, position: nodes.count))
    nodes.append(node)
    return node.id
  }

  /// Creates a node and its result values without placing it; the caller inserts it into `nodes` where
  /// topological order allows (passes that splice nodes in use this).
  public mutating func makeNode(
    name: String, op: Op, inputs: [ValueID?], results: [(name: String, type: TensorType)]
  ) -> Node {
    let outputs = results.map {
      addValue(Value(name: uniqueName($0.name), type: $0.type, definition: .nodeResult))
    }
    let id = NodeID(nodeCount)
    nodeCount += 1
    return Node(id: id, name: name, op: op, inputs: inputs, outputs: outputs)
  }

  private mutating func addValue(_ value: Value) -> ValueID {
    values.append(value)
    return ValueID(values.count - 1)
  }

  /// `base` if no value has that name yet, else `base.1`, `base.2`...: names stay unique so dumps are
  /// unambiguous and parse back.
  public mutating func uniqueName(_ base: String) -> String {
    var candidate = base.isEmpty ? "v" : base
    var suffix = 1
    while usedNames.contains(candidate) {
      candidate = "\(base.isEmpty ? "v" : base).\(suffix)"
      suffix += 1
    }
    usedNames.insert(candidate)
    return candidate
  }

  /// Gives `value` a fresh name made from `base` and frees its old one for a value created after: a pass that
  /// puts a new value where a graph output was hands it the output's name (callers bind outputs by name).
  public mutating func rename(_ value: ValueID, to base: String) {
    usedNames.remove(values[value.index].name)
    values[value.index].name = uniqueName(base)
  }

  // MARK: - Derived facts

  /// For each value produced by a node, that node's position in `nodes`.
  public func producers() -> [ValueID: Int] {
    var map: [ValueID: Int] = [:]
    for (position, node) in nodes.enumerated() {
      for output in node.outputs { map[output] = position }
    }
    return map
  }

  /// The constant values that some node, or the graph's outputs, refer to; in ID order.
  public func liveConstants() -> [ValueID] {
    var seen = Set<ValueID>()
    for node in nodes { for v in node.presentInputs where constant(v) != nil { seen.insert(v) } }
    for v in outputs where constant(v) != nil { seen.insert(v) }
    return seen.sorted()
  }
}
