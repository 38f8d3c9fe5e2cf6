/// Integer arithmetic on untrusted sizes that reports overflow instead of trapping.
enum CheckedArithmetic {
  /// The sum of `values`, or `nil` when it overflows `Int`.
  static func sum(_ values: [Int]) -> Int? {
    var total = 0
    for value in values {
      let (next, overflow) = total.addingReportingOverflow(value)
      guard !overflow else { return nil }
      total = next
    }
    return total
  }
}
