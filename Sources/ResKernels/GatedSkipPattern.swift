/// How one operand of an elementwise row is read: a contiguous run as long as the row, or one value repeated
/// along it (numpy broadcasting reduced to the innermost axis).
public enum RowOperand: String, Sendable, Hashable, CaseIterable {
  case vector = "v"
  case scalar = "s"
}

/// How the three operands of one row of a gated skip are read (`vvv`: all contiguous; `svv`: one gate value per
/// row, as when T is a per-channel gate).
public struct GatedSkipPattern: Sendable, Hashable {
  public var gate: RowOperand
  public var transformed: RowOperand
  public var skipped: RowOperand

  public init(gate: RowOperand, transformed: RowOperand, skipped: RowOperand) {
    self.gate = gate
    self.transformed = transformed
    self.skipped = skipped
  }

  /// `vvv`, `svs`...: gate, transformed, skipped.
  public var name: String { gate.rawValue + transformed.rawValue + skipped.rawValue }

  /// Every combination, in a fixed order.
  public static let all: [GatedSkipPattern] = RowOperand.allCases.flatMap { gate in
    RowOperand.allCases.flatMap { transformed in
      RowOperand.allCases.map { GatedSkipPattern(gate: gate, transformed: transformed, skipped: $0) }
    }
  }
}
