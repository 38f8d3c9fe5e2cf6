import ResPlan

/// Why a plan cannot be loaded or run. Every message is one line that names what was wrong and where: the
/// plan step (index, name, kernel), the buffer, the input by name with the expected and actual shape.
public struct RuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable {
    /// The file could not be opened or read.
    case io
    /// The file is not a well-formed plan: truncated, corrupted, inconsistent or hostile.
    case invalidPlan
    /// The plan needs CPU features this machine lacks.
    case unsupportedCPU
    /// The caller's inputs or output buffers do not match the plan.
    case invalidInput
    /// A value found while running is out of range (a Gather index, a sequence length).
    case execution
    /// Memory for the arena or scratch could not be allocated.
    case resources
  }

  public var kind: Kind
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }

  static func invalidPlan(_ message: String) -> RuntimeError { RuntimeError(.invalidPlan, message) }
  static func invalidInput(_ message: String) -> RuntimeError { RuntimeError(.invalidInput, message) }

  init(_ error: PlanError) {
    self.init(.invalidPlan, error.message)
  }
}
