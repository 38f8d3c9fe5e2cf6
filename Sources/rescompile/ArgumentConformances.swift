import ArgumentParser
import ResCompiler

// The façade's option enums become argument values here rather than in ResCompiler, so the library does not
// depend on swift-argument-parser.
extension DumpStage: ExpressibleByArgument {}
extension DumpFormat: ExpressibleByArgument {}
extension ResidualMismatchPolicy: ExpressibleByArgument {}
extension ActivationLayoutPolicy: ExpressibleByArgument {}
extension WinogradTilePolicy: ExpressibleByArgument {}
extension WinogradReach: ExpressibleByArgument {}
extension Float16Compute: ExpressibleByArgument {}

extension OptimizationLevel: ExpressibleByArgument {
  /// `-O0`, `-O1`, `-O2` (the value after the joined `-O`).
  public init?(argument: String) {
    guard let number = Int(argument), let level = OptimizationLevel(rawValue: number) else { return nil }
    self = level
  }

  public static var allValueStrings: [String] { allCases.map { String($0.rawValue) } }
  public var defaultValueDescription: String { String(rawValue) }
}
