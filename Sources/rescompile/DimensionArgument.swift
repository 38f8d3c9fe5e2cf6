import ArgumentParser

/// `--dim NAME=VALUE`: the value of a symbolic input dimension.
struct DimensionArgument: ExpressibleByArgument, Sendable {
  var name: String
  var value: Int

  init?(argument: String) {
    let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]), value > 0 else { return nil }
    name = String(parts[0])
    self.value = value
  }

  static var defaultValueDescription: String { "NAME=VALUE" }
}
