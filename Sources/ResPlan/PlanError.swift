/// Why a plan file cannot be used. Plans are untrusted input: every rejection says what was wrong and where,
/// in one line, and never after touching memory out of bounds.
public struct PlanError: Error, Sendable, Hashable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }
}
