/// Integer arithmetic on untrusted plan values that reports overflow as an error instead of trapping.
///
/// Every size, offset and index a plan carries goes through these before it is used, so a hostile value such
/// as a dimension of 2⁶² fails validation with a message rather than crashing the process.
enum CheckedMath {
  static func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(RuntimeError) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    if overflow { throw .invalidPlan("\(what()) overflows") }
    return sum
  }

  static func multiply(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(RuntimeError) -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    if overflow { throw .invalidPlan("\(what()) overflows") }
    return product
  }

  static func product(_ values: [Int], _ what: @autoclosure () -> String) throws(RuntimeError) -> Int {
    var result = 1
    for value in values { result = try multiply(result, value, what()) }
    return result
  }

  /// A plan integer as `Int` (always fits on 64-bit platforms; checked for 32-bit ones).
  static func int(_ value: Int64, _ what: @autoclosure () -> String) throws(RuntimeError) -> Int {
    guard let result = Int(exactly: value) else { throw .invalidPlan("\(what()) (\(value)) is out of range") }
    return result
  }

  static func int(_ value: UInt64, _ what: @autoclosure () -> String) throws(RuntimeError) -> Int {
    guard let result = Int(exactly: value) else { throw .invalidPlan("\(what()) (\(value)) is out of range") }
    return result
  }
}
