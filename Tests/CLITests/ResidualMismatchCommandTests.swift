import Foundation
import ResTestSupport
import Testing

/// `--residual-mismatch` on the command line, with `fixtures/malformed/residual_mismatch.onnx`
/// (`Add(Conv(x) [1,8,4,4], x [1,4,7,7])`): the default stops with one error line naming the file, the node,
/// both shapes and the option, writing nothing; `zero-pad` compiles, lists the inserted projection in the
/// summary as a change to the model, and the imported dump shows it by name.
@Suite struct ResidualMismatchCommandTests {
  let model = RepoPaths.fixtures + "/malformed/residual_mismatch.onnx"

  @Test func theDefaultStopsNamingTheRepair() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan"])
      #expect(result.status == 1)
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.count == 1, "stderr: \(result.stderr)")
      let expectedStart =
        "error: \(model): node 'block.add' (Add): operands [1,8,4,4] and [1,4,7,7] cannot broadcast (invalid ONNX); "
        + "if operand 2 is a residual skip path, --residual-mismatch zero-pad repairs it"
      #expect(result.stderr.hasPrefix(expectedStart), "stderr: \(result.stderr)")
      #expect(result.stdout.isEmpty)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "no plan may be written")
    }
  }

  @Test func zeroPadCompilesAndReportsTheChange() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run(
        [model, "-o", "\(folder)/p.resplan", "--residual-mismatch", "zero-pad", "--dump", "imported",
         "--dump-dir", folder])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.contains("model changes: 1"), "stdout: \(result.stdout)")
      #expect(result.stdout.contains("inserted Conv 'block.add.projection' on operand 2"))
      #expect(result.stderr.isEmpty)
      #expect(FileManager.default.fileExists(atPath: "\(folder)/p.resplan"))
      let dump = try String(contentsOfFile: "\(folder)/imported.ir", encoding: .utf8)
      #expect(dump.contains(#"Conv "block.add.projection" (%x, @block.add.projection.weight)"#), "dump: \(dump)")
      #expect(dump.contains(#"Add "block.add" (%main, %block.add.projection)"#), "dump: \(dump)")
    }
  }

  /// `check`, `run` and `bench` read a model with the same option: the repaired model runs and matches the
  /// reference evaluator on the same repaired graph; without the option each stops with the same error.
  @Test(arguments: [["check"], ["bench", "--iterations", "1", "--warmup", "0"]])
  func theOtherCommandsTakeTheOption(_ command: [String]) throws {
    let repaired = try ProcessRunner.run(command + [model, "--residual-mismatch", "zero-pad"])
    #expect(repaired.status == 0, "stderr: \(repaired.stderr)")
    let refused = try ProcessRunner.run(command + [model])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("--residual-mismatch zero-pad repairs it"))
  }

  @Test func theOptionNamesItsValues() throws {
    let result = try ProcessRunner.run([model, "--residual-mismatch", "pad"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("error") && result.stderr.contains("zero-pad"), "stderr: \(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  private func withScratchFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }
}
