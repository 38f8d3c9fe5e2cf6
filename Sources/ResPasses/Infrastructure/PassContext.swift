import ResIR

/// What passes share while a pipeline runs: the user's switches, and the record of what happened.
public struct PassContext: Sendable {
  /// Pattern and pass names the user disabled (`--disable-pass NAME`).
  public var disabled: Set<String>
  /// Every decision a pass or pattern recorded, in order (`--explain`).
  public private(set) var decisions: [Decision] = []
  /// Model changes the user must know about (an inserted projection changes the model's meaning).
  public private(set) var modelChanges: [String] = []
  /// How often each pattern or pass applied (`--stats`).
  public private(set) var applied: [String: Int] = [:]
  /// The greedy driver's iteration cap for one pattern pass.
  public var iterationLimit: Int

  public init(disabled: Set<String> = [], iterationLimit: Int = 64) {
    self.disabled = disabled
    self.iterationLimit = iterationLimit
  }

  public func isEnabled(_ name: String) -> Bool { !disabled.contains(name) }

  public mutating func recordApplied(_ name: String, node: String, _ detail: String = "") {
    applied[name, default: 0] += 1
    decisions.append(Decision(pattern: name, node: node, outcome: .applied, detail: detail))
  }

  public mutating func recordDeclined(_ name: String, node: String, reason: String) {
    decisions.append(Decision(pattern: name, node: node, outcome: .declined, detail: reason))
  }

  public mutating func recordModelChange(_ description: String) {
    modelChanges.append(description)
  }
}

/// One line of `--explain`: a pattern considered a node and applied, or declined for a reason.
public struct Decision: Sendable, Hashable {
  public enum Outcome: String, Sendable, Hashable {
    case applied
    case declined
  }

  public var pattern: String
  public var node: String
  public var outcome: Outcome
  public var detail: String
}
