/// A problem with a model, reported to the user as one line.
///
/// Every error names where it is (`node`, with its op type) so the command line can print
/// `error: model.onnx: node 'layer1.0.conv1' (Conv): weight has rank 3, expected 4` without guessing.
/// Graph-level problems (a truncated file, a cycle) leave `node` empty.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
  public var node: String?
  public var opType: String?
  public var message: String

  /// Invisible characters in any part (a newline in a node name or op type read from a damaged file) are
  /// written as `\u{hex}`, so that the error stays one visible line.
  public init(node: String? = nil, opType: String? = nil, _ message: String) {
    self.node = node.map(ModelError.oneLine)
    self.opType = opType.map(ModelError.oneLine)
    self.message = ModelError.oneLine(message)
  }

  public init(_ node: Node, _ message: String) {
    self.init(node: node.name, opType: node.op.onnxName, message)
  }

  /// `text` with every character that would break the line or hide in a terminal (controls, format
  /// characters, line separators) written as `\u{hex}`.
  static func oneLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: TextSpelling.needsEscape) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
      if TextSpelling.needsEscape(scalar) {
        out += "\\u{" + String(scalar.value, radix: 16) + "}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// `node 'x' (Conv): message`, or just `message` for graph-level problems.
  public var description: String {
    guard let node else { return message }
    let op = opType.map { " (\($0))" } ?? ""
    return "node '\(node)'\(op): \(message)"
  }
}
