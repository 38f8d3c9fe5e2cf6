import Foundation
import ResTestSupport
import Testing

/// Every way a model file can be bad (issue #2, "Bad input") gives one `error:` line on stderr naming the file,
/// the node or tensor, and the problem; exit status 1; nothing on stdout; no dump written; no crash or hang.
/// The files come from fixtures/make_malformed.py.
@Suite struct BadInputTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var file: String
    /// Fragments the error line must contain (node or tensor name, and words of the problem).
    var mentions: [String]
    var testDescription: String { file }
  }

  static let cases: [Case] = [
    Case(file: "empty.onnx", mentions: ["empty"]),
    Case(file: "truncated.onnx", mentions: ["not an ONNX model"]),
    Case(file: "random_bytes.onnx", mentions: ["not an ONNX model"]),
    Case(file: "not_a_model.onnx", mentions: ["not an ONNX model"]),
    Case(file: "undefined_tensor.onnx", mentions: ["add_ghost", "ghost"]),
    Case(file: "cycle.onnx", mentions: ["cycle"]),
    Case(file: "conv_weight_rank.onnx", mentions: ["conv_bad_weight", "Conv", "rank 3"]),
    Case(file: "mismatched_dtypes.onnx", mentions: ["add_mixed", "int64"]),
    Case(file: "huge_tensor.onnx", mentions: ["huge"]),
    Case(file: "unsupported_ops.onnx", mentions: ["NonZero", "nonzero_1", "Det", "det_1"]),
    Case(file: "opset_too_new.onnx", mentions: ["99"]),
    Case(
      file: "residual_mismatch.onnx",
      mentions: ["node 'block.add' (Add)", "[1,8,4,4] and [1,4,7,7]", "--residual-mismatch zero-pad"]),
    Case(file: "external_missing.onnx", mentions: ["'w'", "no_such_file.bin"]),
    Case(file: "resize_huge_scale.onnx", mentions: ["resize_huge", "resized length"]),
    Case(file: "range_too_long.onnx", mentions: ["range_long", "268435456 elements"]),
  ]

  @Test(arguments: cases)
  func rejectsCleanly(_ testCase: Case) throws {
    let model = "\(RepoPaths.fixtures)/malformed/\(testCase.file)"
    try expectCleanRejection(model: model, mentions: testCase.mentions)
  }

  /// External data that points outside the model's folder is refused before it is read, whichever way it
  /// points there. Each case runs in a scratch folder whose parent really holds the target file, so the
  /// refusal cannot be a "file not found" in disguise.
  @Test(arguments: ["external_dotdot.onnx", "external_absolute.onnx"])
  func refusesExternalDataOutsideTheModelFolder(_ file: String) throws {
    try withScratchFolder { folder in
      let model = try place(file, in: folder)
      try expectCleanRejection(model: model, mentions: ["'w'", "outside"])
    }
  }

  @Test func refusesExternalDataThroughASymlinkThatLeavesTheFolder() throws {
    try withScratchFolder { folder in
      let model = try place("external_symlink.onnx", in: folder)
      try FileManager.default.createSymbolicLink(
        atPath: "\(folder)/model/linked.bin", withDestinationPath: "\(folder)/outside.bin")
      try expectCleanRejection(model: model, mentions: ["'w'", "outside"])
    }
  }

  /// Control for the symlink case: the same model with a regular file imports, so the refusal above is about
  /// the link and nothing else.
  @Test func acceptsTheSameExternalDataInsideTheFolder() throws {
    try withScratchFolder { folder in
      let model = try place("external_symlink.onnx", in: folder)
      try FileManager.default.copyItem(atPath: "\(folder)/outside.bin", toPath: "\(folder)/model/linked.bin")
      let result = try ProcessRunner.run([model])
      #expect(result.status == 0, "stderr: \(result.stderr)")
    }
  }

  @Test func refusesExternalDataPastTheEndOfItsFile() throws {
    try withScratchFolder { folder in
      let model = try place("external_past_end.onnx", in: folder)
      try FileManager.default.copyItem(
        atPath: "\(RepoPaths.fixtures)/malformed/weights.bin", toPath: "\(folder)/model/weights.bin")
      try expectCleanRejection(model: model, mentions: ["'w'", "weights.bin"])
    }
  }

  // MARK: - Helpers

  /// Runs `rescompile MODEL --dump imported --dump-dir D` and checks the whole error contract.
  private func expectCleanRejection(model: String, mentions: [String]) throws {
    let dumpDir = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-dump-\(UUID())").path
    try FileManager.default.createDirectory(atPath: dumpDir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dumpDir) }

    let result = try ProcessRunner.run([model, "--dump", "imported", "--dump-dir", dumpDir], timeout: 20)
    let lines = result.stderr.split(separator: "\n")
    #expect(!result.killedBySignal, "crashed: \(result.stderr)")
    #expect(result.status == 1)
    #expect(lines.count == 1, "expected one line, got: \(result.stderr)")
    let line = String(lines.first ?? "")
    #expect(line.hasPrefix("error: \(model): "), "got: \(line)")
    for fragment in mentions {
      #expect(line.contains(fragment), "'\(fragment)' missing from: \(line)")
    }
    #expect(result.stdout.isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dumpDir).isEmpty, "partial output written")
    // A hang guard, not a benchmark: bad input is rejected in milliseconds; the bound absorbs a loaded CI box.
    #expect(result.seconds < 5)
  }

  /// `folder/model/FILE` (copied from fixtures/malformed) next to `folder/outside.bin` (64 bytes).
  private func place(_ file: String, in folder: String) throws -> String {
    try FileManager.default.createDirectory(atPath: "\(folder)/model", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: "\(RepoPaths.fixtures)/malformed/weights.bin", toPath: "\(folder)/outside.bin")
    let model = "\(folder)/model/\(file)"
    try FileManager.default.copyItem(atPath: "\(RepoPaths.fixtures)/malformed/\(file)", toPath: model)
    return model
  }

  private func withScratchFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }
}
