import Foundation
import ResIR

/// What a fuzz run found: how mutants ended, per mutation and per kind of rejection, the slowest mutant, and
/// every problem (a mutant that imported but does not verify, an error that is not one line). Printed sorted,
/// so the same seed prints the same counts.
struct FuzzReport {
  /// Where a mutant came from, to reproduce it (`RESCOMPILE_FUZZ_START` and a count of 1).
  struct Origin {
    var iteration: Int
    var model: String
    var mutation: ModelMutator.Kind

    var description: String { "iteration \(iteration) (\(model), \(mutation.rawValue))" }
  }

  private(set) var mutants = 0
  private(set) var imported = 0
  private var rejections: [String: Int] = [:]
  private var perMutation: [String: (mutants: Int, imported: Int)] = [:]
  private(set) var slowest: (duration: Duration, origin: Origin)?
  /// Time spent importing, verifying and printing mutants (not making them).
  private var importing = Duration.zero
  private(set) var problems: [String] = []

  mutating func record(_ origin: Origin, error: ModelError?, duration: Duration) {
    mutants += 1
    var tally = perMutation[origin.mutation.rawValue] ?? (0, 0)
    tally.mutants += 1
    if let error {
      rejections[Self.kind(of: error), default: 0] += 1
      if error.message.isEmpty || error.description.contains("\n") {
        problems.append("\(origin.description): the error is not one line: \(error.description.debugDescription)")
      }
    } else {
      imported += 1
      tally.imported += 1
    }
    perMutation[origin.mutation.rawValue] = tally
    importing += duration
    if duration > slowest?.duration ?? .zero { slowest = (duration, origin) }
  }

  mutating func recordProblem(_ origin: Origin, _ problem: String) {
    problems.append("\(origin.description): \(problem)")
  }

  /// The kind of check that refused a mutant: the protobuf decoder, the operator list, a node's conversion
  /// or shape inference (by op type), or a graph-level check.
  static func kind(of error: ModelError) -> String {
    if error.message.hasPrefix("not an ONNX model") || error.message == "file is empty" {
      return "malformed protobuf"
    }
    if error.message.hasPrefix("unsupported operators") { return "unsupported operators" }
    if error.message.contains("opset") && error.node == nil { return "opset" }
    if let opType = error.opType { return "node: \(opType)" }
    if error.message.hasPrefix("initializer") { return "initializer" }
    if error.message.hasPrefix("graph input") || error.message.hasPrefix("graph output") {
      return "graph inputs and outputs"
    }
    return "graph: other"
  }

  var text: String {
    var lines = [
      "mutants: \(mutants), imported (and verified): \(imported), rejected: \(mutants - imported)"
    ]
    lines.append("time in the importer: \(importing.formatted)")
    if let slowest {
      lines.append("slowest mutant: \(slowest.duration.formatted) at \(slowest.origin.description)")
    }
    lines.append("by mutation (mutants / imported):")
    lines += perMutation.keys.sorted().map { key in
      let tally = perMutation[key] ?? (0, 0)
      return "  \(key): \(tally.mutants) / \(tally.imported)"
    }
    lines.append("rejected by kind:")
    lines += rejections.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "  \($0.key): \($0.value)" }
    return lines.joined(separator: "\n")
  }
}

extension Duration {
  /// `12.345 ms`.
  fileprivate var formatted: String {
    let milliseconds = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    return String(format: "%.3f ms", milliseconds)
  }
}
