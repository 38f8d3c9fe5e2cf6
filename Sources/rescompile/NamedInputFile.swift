import ArgumentParser

/// `-i NAME=FILE`: the graph input NAME, read from FILE (`.npy` or `.pb`).
struct NamedInputFile: ExpressibleByArgument, Sendable {
  var name: String
  var path: String

  init?(argument: String) {
    let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
    name = String(parts[0])
    path = String(parts[1])
  }

  static var defaultValueDescription: String { "NAME=FILE" }
}
