/// The graph as a Graphviz digraph, for looking at a network's shape (`--dump-format dot`).
///
/// One box per node (op type, node name, attributes, epilogue, and the constants it reads), an ellipse per
/// graph input and output, and an edge per non-constant operand labelled with the tensor's type. Constants
/// are not drawn as their own nodes: ResNet-50 has hundreds, and drawing them would bury the dataflow.
/// Graphviz identifiers are positional (`input0`, `node12`, `output0`), so names only ever appear inside
/// escaped labels and any name is safe. Nodes with something fused into them are shaded, and a fused
/// residual (skip) connection is drawn dashed, so the blocks of a residual network stand out.
public enum DOTDump {
  public static func render(_ graph: Graph) -> String {
    var lines = [
      "digraph \(quoted(graph.name)) {",
      "  node [fontname=\"Helvetica\", fontsize=10];",
      "  edge [fontname=\"Helvetica\", fontsize=9];",
    ]
    let sources = Sources(graph)
    for (index, input) in graph.inputs.enumerated() {
      let label = label([graph[input].name, TextSpelling.type(graph.type(of: input))])
      lines.append("  input\(index) [shape=ellipse, label=\(label)];")
    }
    for (position, node) in graph.nodes.enumerated() {
      let fused = node.op.addsResidual || node.op.prologue != nil || node.op.epilogue.map { !$0.isEmpty } ?? false
      let style = fused ? ", style=filled, fillcolor=\"lightblue\"" : ""
      lines.append("  node\(position) [shape=box\(style), label=\(label(nodeLines(node, graph)))];")
      for (slot, operand) in node.inputs.enumerated() {
        guard let operand, graph.constant(operand) == nil, let source = sources[operand] else { continue }
        let residual = slot == Op.residualSlot && node.op.addsResidual
        let type = quoted(TextSpelling.type(graph.type(of: operand)))
        lines.append("  \(source) -> node\(position) [label=\(type)\(residual ? ", style=dashed" : "")];")
      }
    }
    for (index, output) in graph.outputs.enumerated() {
      lines += outputLines(index, output, graph, sources)
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Op type, node name, attributes three to a line, prologue, epilogue, constants read.
  private static func nodeLines(_ node: Node, _ graph: Graph) -> [String] {
    var lines = [node.op.onnxName, node.name]
    let attributes = node.op.namedAttributes.map { "\($0.name)=\($0.value.text)" }
    for start in stride(from: 0, to: attributes.count, by: 3) {
      lines.append(attributes[start..<min(start + 3, attributes.count)].joined(separator: " "))
    }
    if let prologue = TextPrinter.prologue(of: node) { lines.append(prologue) }
    if let epilogue = TextPrinter.epilogue(of: node, graph) { lines.append(epilogue) }
    for operand in node.presentInputs {
      guard let constant = graph.constant(operand) else { continue }
      let values = ConstantLiteral.text(of: constant).map { " = \($0)" } ?? ""
      lines.append("\(TextSpelling.reference(graph, operand)) \(TextSpelling.type(constant.type))\(values)")
    }
    return lines
  }

  private static func outputLines(_ index: Int, _ output: ValueID, _ graph: Graph, _ sources: Sources) -> [String] {
    let type = TextSpelling.type(graph.type(of: output))
    let kind = graph.constant(output) == nil ? [] : ["constant"]
    var lines = ["  output\(index) [shape=ellipse, label=\(label([graph[output].name, type] + kind))];"]
    if let source = sources[output] {
      lines.append("  \(source) -> output\(index) [label=\(quoted(type))];")
    }
    return lines
  }

  /// Which Graphviz node draws each value: its producing node's box or its graph input's ellipse.
  private struct Sources {
    private let producers: [ValueID: Int]
    private var inputs: [ValueID: Int] = [:]

    init(_ graph: Graph) {
      producers = graph.producers()
      for (index, input) in graph.inputs.enumerated() where inputs[input] == nil {
        inputs[input] = index
      }
    }

    subscript(value: ValueID) -> String? {
      if let position = producers[value] { return "node\(position)" }
      return inputs[value].map { "input\($0)" }
    }
  }

  // MARK: - Escaping

  /// A multi-line label: each line escaped, joined with Graphviz's centered line break.
  private static func label(_ lines: [String]) -> String {
    "\"" + lines.map(escaped).joined(separator: "\\n") + "\""
  }

  private static func quoted(_ text: String) -> String {
    "\"" + escaped(text) + "\""
  }

  /// Quotes and backslashes escaped (so a name can never end the string or form a Graphviz escape such as
  /// `\l`); invisible characters shown as `\u{hex}` text.
  private static func escaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      default:
        if TextSpelling.needsEscape(scalar) {
          out += "\\\\u{" + String(scalar.value, radix: 16) + "}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}
