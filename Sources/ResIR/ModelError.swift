/// A problem with a model, reported to the user as one line.
///
/// Every error names where it is (`node`, with its op type) so the command line can print
/// `error: model.onnx: node 'layer1.0.conv1' (Conv): weight has rank 3, expected 4` without guessing.
/// Graph-level problems (a truncated file, a cycle) leave `node` empty.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
  public var node: String?
  public var opType: String?
  public var message: String

  public init(node: String? = nil, opType: String? = nil, _ message: String) {
    self.node = node
    self.opType = opType
    self.message = message
  }

  public init(_ node: Node, _ message: String) {
    self.init(node: node.name, opType: node.op.onnxName, message)
  }

  /// `node 'x' (Conv): message`, or just `message` for graph-level problems.
  public var description: String {
    guard let node else { return message }
    let op = opType.map { " (\($0))" } ?? ""
    return "node '\(node)'\(op): \(message)"
  }
}
