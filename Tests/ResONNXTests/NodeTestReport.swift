/// What the ONNX node-test run found, printed when it ends: counts per op family, then every excluded test
/// with its reasons. Everything is sorted, so two runs over the same tests print the same text.
struct NodeTestReport {
  /// How one test ended.
  enum Outcome {
    /// Imported and verified, and its outputs have the reference outputs' types.
    case imported
    /// A test of something the importer must refuse (training mode, MaxPool's indices), refused as expected.
    case rejectedAsExpected
    case failed([String])
    /// Outside the importer's scope, for these reasons.
    case excluded([String])
  }

  /// Counts for one op family.
  struct Tally {
    var tests = 0
    var imported = 0
    var rejectedAsExpected = 0
    var failed = 0
    var excluded = 0

    var inScope: Int { tests - excluded }

    mutating func count(_ outcome: Outcome) {
      tests += 1
      switch outcome {
      case .imported: imported += 1
      case .rejectedAsExpected: rejectedAsExpected += 1
      case .failed: failed += 1
      case .excluded: excluded += 1
      }
    }
  }

  private var tallies: [String: Tally] = [:]
  private var total = Tally()
  private var exclusions: [(test: String, reasons: [String])] = []
  /// `test: problem`, one line per problem.
  private(set) var failures: [String] = []

  mutating func record(_ entry: NodeTestIndex.Entry, _ outcome: Outcome) {
    tallies[entry.family, default: Tally()].count(outcome)
    total.count(outcome)
    switch outcome {
    case .imported, .rejectedAsExpected: break
    case .failed(let problems): failures += problems.map { "\(entry.name): \($0)" }
    case .excluded(let reasons): exclusions.append((entry.name, reasons))
    }
  }

  var inScope: Int { total.inScope }

  var text: String {
    let headings = [
      "op family", "tests", "in scope", "imported, types match", "expected rejections", "failed", "excluded",
    ]
    let rows = tallies.keys.sorted().map { family in Self.cells(family, tallies[family] ?? Tally()) }
    var lines = [
      "ONNX node tests: \(total.tests) tests, \(total.inScope) in scope: \(total.imported) imported with the "
        + "reference output types, \(total.rejectedAsExpected) rejected as expected, \(total.failed) failed; "
        + "\(total.excluded) excluded."
    ]
    lines += Self.table([headings] + rows + [Self.cells("total", total)])
    lines.append("Excluded node tests (\(exclusions.count)):")
    lines += exclusions.sorted { $0.test < $1.test }.map { "  \($0.test): \($0.reasons.joined(separator: "; "))" }
    return lines.joined(separator: "\n")
  }

  private static func cells(_ family: String, _ tally: Tally) -> [String] {
    [family]
      + [tally.tests, tally.inScope, tally.imported, tally.rejectedAsExpected, tally.failed, tally.excluded]
      .map(String.init)
  }

  /// Rows as columns: the first left-aligned, the numbers right-aligned.
  private static func table(_ rows: [[String]]) -> [String] {
    let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return column == 0 ? cell + padding : padding + cell
      }.joined(separator: "  ")
    }
  }
}
