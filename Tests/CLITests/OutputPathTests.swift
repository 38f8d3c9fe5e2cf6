import Foundation
import ResTestSupport
import Testing

/// What `-o` may replace (DESIGN.md §8, "nothing the user owns is overwritten or lost"): a regular file, or
/// the regular file a link leads to (the link kept); never a device, a FIFO or a directory (as root, `-o
/// /dev/null` once replaced /dev/null with a plan), and never the model's own external data file. And a
/// model whose plan the runtime would refuse writes no plan at all.
@Suite struct OutputPathTests {
  static let model = "\(RepoPaths.fixtures)/models/fusion_corners/model.onnx"

  @Test func aFIFOOrADirectoryIsNotReplaced() throws {
    try withScratchFolder { folder in
      let fifo = "\(folder)/fifo"
      #expect(mkfifo(fifo, 0o644) == 0)
      try FileManager.default.createDirectory(atPath: "\(folder)/dir", withIntermediateDirectories: false)
      for (target, kind) in [(fifo, "a FIFO"), ("\(folder)/dir", "a directory")] {
        let result = try ProcessRunner.run([Self.model, "-o", target], timeout: 60)
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(target): \(kind), not a regular file; refusing to replace it\n")
      }
      var status = stat()
      #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["dir", "fifo"])
    }
  }

  /// A plan into a folder that does not exist: `-o` does not create folders (as a C compiler's does not), and
  /// the one error line names that folder, not the temporary file the plan would have been written to first.
  @Test func aMissingFolderIsNamed() throws {
    try withScratchFolder { folder in
      let target = "\(folder)/missing/p.resplan"
      let result = try ProcessRunner.run([Self.model, "-o", target], timeout: 60)
      #expect(result.status == 1)
      #expect(result.stderr == "error: \(target): cannot create a file in \(folder)/missing: No such file or directory\n")
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
  }

  /// A link to a regular file: the file it leads to gets the plan, the link stays a link.
  @Test func aLinkKeepsLeadingToTheNewPlan() throws {
    try withScratchFolder { folder in
      let target = "\(folder)/real.resplan"
      #expect(FileManager.default.createFile(atPath: target, contents: Data("old".utf8)))
      try FileManager.default.createSymbolicLink(atPath: "\(folder)/link.resplan", withDestinationPath: target)
      let result = try ProcessRunner.run([Self.model, "-o", "\(folder)/link.resplan"], timeout: 60)
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/link.resplan") == target)
      #expect(try Data(contentsOf: URL(fileURLWithPath: target)).starts(with: Data("RESPLAN".utf8)))
    }
  }

  @Test func theModelsExternalDataIsNotReplaced() throws {
    try withScratchFolder { folder in
      let source = "\(RepoPaths.fixtures)/models/resnet_bottleneck_external_data"
      for file in ["model.onnx", "model.onnx.data"] {
        try FileManager.default.copyItem(atPath: "\(source)/\(file)", toPath: "\(folder)/\(file)")
      }
      let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/model.onnx.data"))
      let result = try ProcessRunner.run(["\(folder)/model.onnx", "-o", "\(folder)/model.onnx.data"], timeout: 60)
      #expect(result.status == 1)
      #expect(result.stderr.hasPrefix("error: \(folder)/model.onnx.data: "))
      #expect(result.stderr.contains("external data"))
      #expect(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/model.onnx.data")) == data)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["model.onnx", "model.onnx.data"])
    }
  }

  /// A Conv whose strides the runtime refuses (2^31 − 1: the importer's bound is 2^31, the runtime's 2^30)
  /// used to compile into a plan no program could load; now the compile loads the plan before it replaces
  /// anything, and fails with the runtime's reason.
  @Test func aPlanTheRuntimeWouldRefuseIsNotWritten() throws {
    try withScratchFolder { folder in
      let model = "\(RepoPaths.fixtures)/malformed/strides_beyond_runtime.onnx"
      let result = try ProcessRunner.run([model, "-o", "\(folder)/out.resplan"], timeout: 60)
      #expect(result.status == 1)
      let line = result.stderr
      #expect(line.hasPrefix("error: \(folder)/out.resplan: the plan compiled from \(model) would not load"), "\(line)")
      #expect(line.contains("'conv_far'") && line.contains("strides"), "\(line)")
      #expect(line.split(separator: "\n").count == 1)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
  }

  /// Usage errors keep the one-line contract: `error:` and status 64, no usage text.
  @Test func usageErrorsAreOneLine() throws {
    for arguments in [
      [String](), ["bench", Self.model, "--threads", "-1"], [Self.model, "--no-such-option"],
    ] {
      let result = try ProcessRunner.run(arguments, timeout: 60)
      #expect(result.status == 64, "\(arguments): \(result.stderr)")
      #expect(result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
  }

  private func withScratchFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-out-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }
}
