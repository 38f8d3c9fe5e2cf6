/// The graph as JSON, for scripts (DESIGN.md §8: `--dump-format json`).
///
/// The layout is a contract:
/// ```
/// { "name", "inputs": [{name, dtype, shape}], "outputs": [{name, dtype, shape}],
///   "constants": [{name, dtype, shape, fingerprint, values?}],
///   "nodes": [{name, op, inputs, outputs, output_types: [{dtype, shape}], attributes: {...}, prologue?,
///              epilogue?}] }
/// ```
/// `op` is the ONNX op type. Node `inputs` are value names, `null` for an absent optional operand. Shapes list
/// known dimensions as numbers, symbolic ones as strings, unknown ones as `null`. `attributes` uses the text
/// form's names and kinds, keys sorted: integers and floats as numbers (ONNX's 0/1 for booleans; `nan`/`inf`
/// as strings), lists as arrays, enumerated choices as strings, ConstantOfShape's `value` as
/// `{dtype, value}`, activation lists as `[{kind, ...parameters}]`. `epilogue` appears only on nodes with
/// something fused: `{"residual": "skip" (null if the slot is empty), "activation": {"kind": "relu"}}`, each
/// key only when used. `prologue` appears only on a Conv that transforms its input:
/// `{"scale": "bn.scale", "shift": "bn.shift", "activation": {"kind": "relu"}}`, the activation only when set.
/// Constants of at most 16 elements also list their `values`. A graph the optimizer changed
/// the meaning of (an inserted projection) carries a final `"model_changes": ["..."]`, present only then.
///
/// Output is pretty-printed with two-space indentation, keys in the fixed order above, and the same bytes
/// on every run and platform.
public enum JSONDump {
  public static func render(_ graph: Graph, modelChanges: [String] = []) -> String {
    var members: [JSONValue.Member] = [
      .init("name", .string(graph.name)),
      .init("inputs", .array(graph.inputs.map { typedValue($0, graph) })),
      .init("outputs", .array(graph.outputs.map { typedValue($0, graph) })),
      .init("constants", .array(graph.liveConstants().compactMap { constant($0, graph) })),
      .init("nodes", .array(graph.nodes.map { node($0, graph) })),
    ]
    if !modelChanges.isEmpty {
      members.append(.init("model_changes", .array(modelChanges.map(JSONValue.string))))
    }
    return JSONValue.object(members).rendered()
  }

  private static func typedValue(_ value: ValueID, _ graph: Graph) -> JSONValue {
    .object([.init("name", .string(graph[value].name))] + typeMembers(graph.type(of: value)))
  }

  private static func typeMembers(_ type: TensorType) -> [JSONValue.Member] {
    [.init("dtype", .string(type.dtype.rawValue)), .init("shape", .array(type.shape.map(dim)))]
  }

  private static func dim(_ dim: Dim) -> JSONValue {
    switch dim {
    case .known(let v): .int(v)
    case .symbol(let s): .string(s)
    case .unknown: .null
    }
  }

  private static func constant(_ value: ValueID, _ graph: Graph) -> JSONValue? {
    guard let constant = graph.constant(value) else { return nil }
    var members = [JSONValue.Member("name", .string(graph[value].name))] + typeMembers(constant.type)
    members.append(.init("fingerprint", .string(Fingerprint.hex(constant.fingerprint))))
    if let elements = ConstantLiteral.elements(of: constant) {
      members.append(.init("values", .array(elements.map(number))))
    }
    return .object(members)
  }

  /// A number spelled by the text form: a JSON number, or a string for `nan` and the infinities.
  private static func number(_ text: String) -> JSONValue {
    Double(text)?.isFinite == true ? .number(text) : .string(text)
  }

  private static func node(_ node: Node, _ graph: Graph) -> JSONValue {
    var members: [JSONValue.Member] = [
      .init("name", .string(node.name)),
      .init("op", .string(node.op.onnxName)),
      .init("inputs", .array(node.inputs.map { $0.map { .string(graph[$0].name) } ?? .null })),
      .init("outputs", .array(node.outputs.map { .string(graph[$0].name) })),
      .init("output_types", .array(node.outputs.map { .object(typeMembers(graph.type(of: $0))) })),
      .init("attributes", .object(node.op.namedAttributes.map { .init($0.name, attribute($0.value)) })),
    ]
    if let prologue = node.op.prologue {
      members.append(.init("prologue", self.prologue(prologue, of: node, graph)))
    }
    if let epilogue = node.op.epilogue, !epilogue.isEmpty {
      members.append(.init("epilogue", self.epilogue(epilogue, of: node, graph)))
    }
    return .object(members)
  }

  private static func attribute(_ value: AttributeValue) -> JSONValue {
    switch value {
    case .int(let v): .int(v)
    case .float(let v): .float(v)
    case .ints(let v): .array(v.map(JSONValue.int))
    case .floats(let v): .array(v.map(JSONValue.float))
    case .word(let w): .string(w)
    case .scalar(let s):
      .object([.init("dtype", .string(s.dtype.rawValue)), .init("value", number(TextSpelling.scalar(s)))])
    case .calls(let calls): .array(calls.map(call))
    }
  }

  /// `{"kind": "clip", "min": 0.0, "max": 6.0}`.
  private static func call(_ call: AttributeCall) -> JSONValue {
    .object([.init("kind", .string(call.name))] + call.parameters.map { .init($0.name, attribute($0.value)) })
  }

  /// `{"scale": "bn.scale", "shift": "bn.shift", "activation": {"kind": "relu"}}`: the operands of slots 4 and 5
  /// by name, as the epilogue names its residual.
  private static func prologue(_ prologue: ConvPrologue, of node: Node, _ graph: Graph) -> JSONValue {
    var members: [JSONValue.Member] = [
      .init("scale", node.input(Op.inputScaleSlot).map { .string(graph[$0].name) } ?? .null),
      .init("shift", node.input(Op.inputShiftSlot).map { .string(graph[$0].name) } ?? .null),
    ]
    if let activation = prologue.activation {
      members.append(.init("activation", call(activation.call)))
    }
    return .object(members)
  }

  private static func epilogue(_ epilogue: Epilogue, of node: Node, _ graph: Graph) -> JSONValue {
    var members: [JSONValue.Member] = []
    if epilogue.residual {
      members.append(.init("residual", node.input(Op.residualSlot).map { .string(graph[$0].name) } ?? .null))
    }
    if let activation = epilogue.activation {
      members.append(.init("activation", call(activation.call)))
    }
    return .object(members)
  }
}
