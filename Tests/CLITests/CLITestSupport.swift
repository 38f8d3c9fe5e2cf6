import Foundation
import ResTestSupport
import Testing

/// Scratch folders and fixture plans for the subcommand tests: every file a test writes goes into a fresh
/// folder that is removed afterwards, never next to the committed fixtures.
enum CLIScratch {
  static func withFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-cli-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }

  /// Compiles fixture `name` with `rescompile` into `folder/NAME.resplan` and returns the path.
  static func plan(_ name: String, in folder: String, options: [String] = []) throws -> String {
    let path = "\(folder)/\(name).resplan"
    let result = try ProcessRunner.run([RepoPaths.fixtureModel(name), "-o", path] + options)
    try #require(result.status == 0, "compiling \(name): \(result.stderr)")
    return path
  }

  static func testData(_ name: String) -> String { "\(RepoPaths.fixtures)/models/\(name)/test_data_set_0" }

  /// A version 1.0 `.npy` file of little-endian f32 values.
  static func writeNPY(_ values: [Float], shape: [Int], to path: String) throws {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    bytes += Array(header.utf8)
    values.withUnsafeBytes { bytes += $0 }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// The one line a failed command prints on stderr, checked against the error contract.
  static func expectOneErrorLine(
    _ result: ProcessResult, status: Int32 = 1, naming prefix: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(!result.killedBySignal, sourceLocation: sourceLocation)
    #expect(result.status == status, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("rescompile: note:") }
    #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(lines.first?.hasPrefix("error: \(prefix)") == true, "\(result.stderr)", sourceLocation: sourceLocation)
  }
}
