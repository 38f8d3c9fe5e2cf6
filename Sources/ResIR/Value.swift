/// A tensor-valued SSA value: a graph input, a constant, or a node result.
public struct Value: Sendable {
  /// Unique within the graph; the ONNX tensor name where there was one.
  public var name: String
  public var type: TensorType
  public var definition: Definition

  public enum Definition: Sendable {
    case graphInput
    case constant(Constant)
    /// Produced by a node; which one is derived (`Graph.producers()`), not stored, so that rewrites cannot
    /// leave it stale.
    case nodeResult
  }

  public init(name: String, type: TensorType, definition: Definition) {
    self.name = name
    self.type = type
    self.definition = definition
  }

  /// The constant, when this value is one.
  public var constant: Constant? {
    if case .constant(let c) = definition { return c }
    return nil
  }
}
