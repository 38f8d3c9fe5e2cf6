/// A Concat as lowering left it: one strided copy step per non-empty operand into the output. `ConcatAliasing`
/// then removes the copies of the operands it places inside the output, and turns the remaining ones into plain
/// copies into their slabs.
struct PendingConcat: Sendable {
  struct Operand: Sendable {
    /// The operand's slot in the Concat node.
    var slot: Int
    var tensor: TensorID
    /// Where the operand's first element goes in the output, in elements (row-major).
    var elementOffset: Int
    /// The index of its copy step in the builder's steps.
    var step: Int
  }

  /// The Concat node's name.
  var name: String
  var output: TensorID
  /// The output's arena region.
  var outputRegion: Int
  var axis: Int
  /// The non-empty operands, in slot order.
  var operands: [Operand]
}
