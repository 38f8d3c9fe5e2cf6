/// What `ConcatAliasing` decided for each Concat operand: computed straight into its slab of the output
/// (aliased), or copied there by a step, and why. The plan listing prints it; tests read it.
package struct ConcatReport: Sendable, Hashable {
  /// One non-empty operand of one Concat.
  package struct Operand: Sendable, Hashable {
    /// The Concat node's name.
    package var concat: String
    /// The operand's slot in the Concat.
    package var slot: Int
    /// The operand's name (its plan tensor's).
    package var name: String
    package var bytes: Int
    /// nil when the operand is aliased; otherwise why it is copied.
    package var copyReason: ConcatCopyReason?

    package var isAliased: Bool { copyReason == nil }
  }

  /// In plan order: Concats in the order they run, operands in slot order.
  package var operands: [Operand] = []

  package var aliasedBytes: Int { operands.filter(\.isAliased).reduce(0) { $0 + $1.bytes } }
  package var copiedBytes: Int { operands.filter { !$0.isAliased }.reduce(0) { $0 + $1.bytes } }

  /// The decisions about one Concat's operands.
  package func operands(of concat: String) -> [Operand] {
    operands.filter { $0.concat == concat }
  }

  /// `"cat" operand 1 'x' (48 bytes): copied: it is a graph input...`, one line per operand.
  package var lines: [String] {
    operands.map { operand in
      let decision = operand.copyReason.map { "copied: \($0)" } ?? "aliased"
      return "\"\(operand.concat)\" operand \(operand.slot) '\(operand.name)' (\(operand.bytes) bytes): \(decision)"
    }
  }
}

/// Why a Concat operand cannot be computed straight into its slab of the output.
package enum ConcatCopyReason: Sendable, Hashable, CustomStringConvertible {
  /// `CodegenOptions.concatAliasing` is off.
  case aliasingDisabled
  /// A dimension before the axis is not 1, so each operand's part of the output is several separate pieces.
  case slabNotContiguous(axis: Int, outputDims: [Int])
  /// The Concat's output is stored channels-last (a Concat inside a channels-last region): along the channel
  /// axis each operand is a slice of every position, many separate pieces.
  case channelsLast
  /// The Concat's output is a graph output: the runtime computes outputs straight into the caller's memory,
  /// which it cannot do for a buffer that other buffers share.
  case concatIsGraphOutput
  /// The operand lives in the constant section.
  case constant
  /// The operand's bytes are the caller's input.
  case graphInput
  /// The operand's bytes are a graph output (the same reason as `concatIsGraphOutput`, from the other side).
  case graphOutput
  /// An earlier slot of the same Concat already holds the operand's bytes.
  case repeatedOperand
  /// The operand's bytes already live inside another Concat's output, named here (a tensor has one place in
  /// the arena).
  case placedInAnotherConcat(String)

  package var description: String {
    switch self {
    case .aliasingDisabled: "concat aliasing is turned off"
    case .slabNotContiguous(let axis, let dims):
      "along axis \(axis) of [\(dims.map(String.init).joined(separator: ","))] each operand's part of the output "
        + "is several separate pieces (a dimension before the axis is not 1)"
    case .channelsLast:
      "the output is stored channels-last, where each operand's part is a slice of every position"
    case .concatIsGraphOutput:
      "the concat's output is a graph output, which the runtime writes straight into the caller's memory"
    case .constant: "it is a constant"
    case .graphInput: "it is a graph input (the caller's data)"
    case .graphOutput: "it is a graph output, which the runtime writes straight into the caller's memory"
    case .repeatedOperand: "an earlier operand of this concat already holds the same bytes"
    case .placedInAnotherConcat(let name): "it already lives in '\(name)', another concat's output"
    }
  }
}
