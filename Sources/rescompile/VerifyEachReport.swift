import Foundation
import ResCompiler

/// `--verify-each`: evaluates the model with the reference evaluator before the passes and after each one,
/// prints each pass's drift per output, and stops the compilation at the first pass that moves an output
/// beyond the tolerance, naming it.
///
/// A pass that left the graph exactly as it was (same text form, whose constants print by content
/// fingerprint) is not evaluated again: on a full-size model every evaluation takes seconds to minutes.
final class VerifyEachReport {
  private let drift: ReferenceDrift
  private let model: String
  private let stream: OutputStream
  private var previousText: String
  private var previousDrifts: [OutputDrift]

  /// Evaluates the unoptimized graph (the baseline) and prints the header.
  init(
    _ loaded: LoadedModel, dimensionBindings: [String: Int], tolerance: OutputTolerance,
    stream: OutputStream
  ) throws(ModelError) {
    model = loaded.path
    self.stream = stream
    do {
      drift = try ReferenceDrift(
        unoptimized: loaded.graph, dimensionBindings: dimensionBindings, tolerance: tolerance)
    } catch {
      throw ModelError("--verify-each: the reference evaluator cannot run the unoptimized model: \(error)")
    }
    previousText = TextFormat.print(loaded.graph)
    previousDrifts = drift.baselineDrift
    let dims = Self.symbolicDimensions(loaded.graph, dimensionBindings)
    stream.write(
      "verify-each: reference evaluator on seeded inputs (seed \(String(drift.seed, radix: 16))\(dims)), "
        + "drift from the unoptimized outputs, rtol \(tolerance.rtol), atol \(tolerance.atol)\n"
        + "  \(TextColumn.left("pass", width: 36)) \(TextColumn.left("output", width: 16)) "
        + "\(TextColumn.left("max abs", width: 10)) max rel\n")
  }

  /// Measures `graph` after `run`; prints a line per output; fails the run when an output left the tolerance.
  func check(_ run: PassRun, _ graph: Graph) throws(ModelError) {
    let text = TextFormat.print(graph)
    let unchanged = text == previousText
    let drifts: [OutputDrift]
    if unchanged {
      drifts = previousDrifts
    } else {
      do {
        drifts = try drift.measure(graph)
      } catch {
        throw ModelError("--verify-each: after pass '\(run.name)': \(error)")
      }
    }
    (previousText, previousDrifts) = (text, drifts)
    let pass = "\(run.index)/\(run.passCount) \(run.name)"
    for output in drifts {
      stream.write(line(pass: pass, output, unchanged: unchanged))
    }
    if let failed = drifts.first(where: { !$0.withinTolerance }) {
      Diagnostics.fail("\(model): --verify-each: pass '\(run.name)' \(failure(failed))")
    }
  }

  private func line(pass: String, _ drift: OutputDrift, unchanged: Bool) -> String {
    var columns = [TextColumn.left(pass, width: 36), TextColumn.left(drift.output, width: 16)]
    if let mismatch = drift.structuralMismatch {
      columns.append(mismatch)
    } else {
      columns += [
        TextColumn.left(Self.number(drift.maxAbsoluteError), width: 10),
        TextColumn.left(Self.number(drift.maxRelativeError), width: 10),
      ]
      if !drift.withinTolerance {
        columns.append("  OUT OF TOLERANCE")
      } else if unchanged {
        columns.append("  (unchanged)")
      }
    }
    let text = "  " + columns.joined(separator: " ")
    return String(text.reversed().drop { $0 == " " }.reversed()) + "\n"
  }

  private func failure(_ drift: OutputDrift) -> String {
    if let mismatch = drift.structuralMismatch { return "changed output '\(drift.output)': \(mismatch)" }
    let tolerance = self.drift.tolerance
    return "moved output '\(drift.output)' beyond the tolerance: \(drift.mismatchCount) of \(drift.elementCount) "
      + "elements differ, max abs \(Self.number(drift.maxAbsoluteError)), max rel "
      + "\(Self.number(drift.maxRelativeError)) (rtol \(tolerance.rtol), atol \(tolerance.atol))"
  }

  /// `2.4e-07`, `0`, `inf`.
  private static func number(_ value: Double) -> String {
    if value == 0 { return "0" }
    if !value.isFinite { return value.isNaN ? "nan" : "inf" }
    return String(format: "%.2g", value)
  }

  /// `; batch=1`: the values the seeded inputs gave the graph's symbolic dimensions.
  private static func symbolicDimensions(_ graph: Graph, _ bindings: [String: Int]) -> String {
    var symbols: [String] = []
    for input in graph.inputs {
      for case .symbol(let name) in graph.type(of: input).shape where !symbols.contains(name) { symbols.append(name) }
    }
    let pairs = symbols.sorted().map { "\($0)=\(bindings[$0] ?? 1)" }
    return pairs.isEmpty ? "" : "; " + pairs.joined(separator: ", ")
  }
}
