import Foundation

/// Numbers in reports, formatted the same way everywhere and independent of the locale.
enum NumberText {
  /// `4.567 ms` (three decimals: small plans run in well under a millisecond).
  static func milliseconds(_ value: Double) -> String {
    String(format: "%.3f ms", value)
  }

  static func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return milliseconds(Double(seconds) * 1000 + Double(attoseconds) / 1e15)
  }

  /// `2.4e-07`: an error size, two significant digits.
  static func error(_ value: Double) -> String {
    value.isFinite ? String(format: "%.2g", value) : "\(value)"
  }

  /// An element value in a preview: up to six significant digits.
  static func element(_ value: Double) -> String {
    value.isFinite ? String(format: "%.6g", value) : "\(value)"
  }
}
