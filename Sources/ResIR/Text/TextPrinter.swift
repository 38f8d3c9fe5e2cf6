/// Writes a graph in the text form described on `TextFormat`.
///
/// One line per declaration, in the graph's own orders (inputs, live constants by ID, nodes, outputs), and
/// nothing that depends on memory addresses, hashing or time, so the same graph always prints the same bytes.
struct TextPrinter {
  private let graph: Graph

  init(_ graph: Graph) {
    self.graph = graph
  }

  func render() -> String {
    var lines = ["graph \(TextSpelling.quoted(graph.name)) {"]
    for input in graph.inputs {
      lines.append("  input \(TextSpelling.reference(graph, input)): \(TextSpelling.type(graph.type(of: input)))")
    }
    for value in graph.liveConstants() {
      if let constant = graph.constant(value) { lines.append("  " + declaration(of: constant, value)) }
    }
    for node in graph.nodes {
      lines.append("  " + nodeStatement(node))
    }
    let outputs = graph.outputs.map { TextSpelling.reference(graph, $0) }.joined(separator: ", ")
    lines.append(outputs.isEmpty ? "  return" : "  return \(outputs)")
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// `const @w: f32[64,3,7,7] fingerprint 0123456789abcdef` or `const @shape: i64[2] = [1,-1]`.
  /// The type is the constant's own, the one its bytes have.
  private func declaration(of constant: Constant, _ value: ValueID) -> String {
    let head = "const \(TextSpelling.reference(graph, value)): \(TextSpelling.type(constant.type))"
    if let literal = ConstantLiteral.text(of: constant) { return "\(head) = \(literal)" }
    return "\(head) fingerprint \(Fingerprint.hex(constant.fingerprint))"
  }

  /// `%y = Conv "conv1" (%x, @w, _) {group=1, ...} epilogue(relu) : f32[1,64,56,56]`.
  private func nodeStatement(_ node: Node) -> String {
    var text = ""
    if !node.outputs.isEmpty {
      text += node.outputs.map { TextSpelling.reference(graph, $0) }.joined(separator: ", ") + " = "
    }
    text += "\(node.op.onnxName) \(TextSpelling.quoted(node.name)) (\(TextPrinter.operands(node, graph)))"
    let attributes = node.op.namedAttributes
    if !attributes.isEmpty {
      text += " {" + attributes.map { "\($0.name)=\($0.value.text)" }.joined(separator: ", ") + "}"
    }
    if let prologue = TextPrinter.prologue(of: node) { text += " " + prologue }
    if let epilogue = TextPrinter.epilogue(of: node, graph) { text += " " + epilogue }
    if !node.outputs.isEmpty {
      text += " : " + node.outputs.map { TextSpelling.type(graph.type(of: $0)) }.joined(separator: ", ")
    }
    return text
  }

  /// `%x, @w, _`: every operand slot, `_` for an absent optional one.
  static func operands(_ node: Node, _ graph: Graph) -> String {
    node.inputs.map { $0.map { TextSpelling.reference(graph, $0) } ?? "_" }.joined(separator: ", ")
  }

  /// `prologue(scale_shift, relu)` or `prologue(scale_shift)` for a conv that transforms its input, `nil`
  /// otherwise. The scale and shift themselves are operand slots 4 and 5; the clause says in what order the
  /// prologue applies them and the activation.
  static func prologue(of node: Node) -> String? {
    guard let prologue = node.op.prologue else { return nil }
    let parts = ["scale_shift"] + (prologue.activation.map { [$0.call.text] } ?? [])
    return "prologue(" + parts.joined(separator: ", ") + ")"
  }

  /// `epilogue(residual %skip, relu)`, or `nil` when the node has nothing fused into it. The residual names
  /// the value in the residual operand slot (`_` if that slot is empty) so the fusion reads on its own line.
  static func epilogue(of node: Node, _ graph: Graph) -> String? {
    guard let epilogue = node.op.epilogue, !epilogue.isEmpty else { return nil }
    var parts: [String] = []
    if epilogue.residual {
      let residual = node.input(Op.residualSlot).map { TextSpelling.reference(graph, $0) } ?? "_"
      parts.append("residual \(residual)")
    }
    if let activation = epilogue.activation { parts.append(activation.call.text) }
    return "epilogue(" + parts.joined(separator: ", ") + ")"
  }
}
