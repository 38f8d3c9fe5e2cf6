/// One operation in a graph.
public struct Node: Sendable, Hashable {
  public let id: NodeID
  /// The ONNX node name (or a generated one when the model left it empty); errors and dumps use it.
  public var name: String
  public var op: Op
  /// Operand slots in the op's order; `nil` marks an absent optional operand (ONNX's empty input name).
  public var inputs: [ValueID?]
  public var outputs: [ValueID]

  public init(id: NodeID, name: String, op: Op, inputs: [ValueID?], outputs: [ValueID]) {
    self.id = id
    self.name = name
    self.op = op
    self.inputs = inputs
    self.outputs = outputs
  }

  /// The operand in `slot`, if present.
  public func input(_ slot: Int) -> ValueID? {
    slot < inputs.count ? inputs[slot] : nil
  }

  /// The operands that are present, in slot order.
  public var presentInputs: [ValueID] { inputs.compactMap { $0 } }
}
