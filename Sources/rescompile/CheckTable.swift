import ResCompiler

/// The per-output lines of `check`, columns aligned:
/// `  test_data_set_0  output  f32[1,10]  max abs error 2.4e-07  max rel error 1.1e-05  PASS`.
enum CheckTable {
  static func rows(_ results: [CheckReport.OutputResult]) -> [String] {
    let cells = results.map { result -> [String] in
      let comparison = result.comparison
      if let mismatch = comparison.structuralMismatch {
        return [result.dataSet, VisibleText.of(result.output), result.type, mismatch, "", "FAIL"]
      }
      let verdict =
        comparison.passed
        ? "PASS"
        : "FAIL (\(comparison.mismatchCount) of \(comparison.elementCount) elements, worst at index "
          + "\(comparison.worstIndex.map(String.init) ?? "?"))"
      return [
        result.dataSet, VisibleText.of(result.output), result.type,
        "max abs error " + NumberText.error(comparison.maxAbsoluteError),
        "max rel error " + NumberText.error(comparison.maxRelativeError), verdict,
      ]
    }
    let widths = (0..<6).map { column in cells.map { $0[column].count }.max() ?? 0 }
    return cells.map { row in
      let padded = row.enumerated().map { (column: Int, cell: String) -> String in
        column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
      }
      return "  " + padded.joined(separator: "  ")
    }
  }
}
