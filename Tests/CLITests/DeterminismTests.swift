import Foundation
import ResTestSupport
import Testing

/// Compiling the same model twice, in two processes (so that hashing differs between them), writes the same
/// plan bytes and the same dumps and reports. Every committed fixture, at -O2.
@Suite struct DeterminismTests {
  @Test func theManifestListsFixtures() {
    #expect(FixtureEntry.all().count > 20)
  }

  @Test(arguments: FixtureEntry.all())
  func compilingTwiceGivesIdenticalPlansAndDumps(_ fixture: FixtureEntry) throws {
    try withScratchFolder { folder in
      for run in ["a", "b"] {
        let dir = "\(folder)/\(run)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let result = try ProcessRunner.run(
          [fixture.modelPath, "-o", "\(dir)/plan.resplan", "-O2", "--dump", "optimized", "--dump", "blocks",
           "--dump", "plan", "--explain", "--dump-dir", dir] + fixture.dimArguments)
        #expect(result.status == 0, "\(fixture.name): \(result.stderr)")
      }
      let files = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/a").sorted()
      #expect(files == ["blocks.txt", "explain.txt", "optimized.ir", "plan.resplan", "plan.txt"])
      for file in files {
        let first = FileManager.default.contents(atPath: "\(folder)/a/\(file)")
        let second = FileManager.default.contents(atPath: "\(folder)/b/\(file)")
        #expect(first != nil && first == second, "\(fixture.name): \(file) differs")
      }
    }
  }

  /// The JSON forms, across processes, on one CNN and one transformer.
  @Test(arguments: ["resnet_bottleneck", "transformer_pre_ln"])
  func jsonDumpsAreIdenticalAcrossRuns(_ name: String) throws {
    try withScratchFolder { folder in
      let outputs = try ["a", "b"].map { run in
        let dir = "\(folder)/\(run)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let result = try ProcessRunner.run(
          [RepoPaths.fixtureModel(name), "-o", "\(dir)/plan.resplan", "--dump", "optimized", "--dump-format", "json",
           "--explain-format", "json", "--dump-dir", dir])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try ["optimized.json", "explain.json"].map {
          try String(contentsOfFile: "\(dir)/\($0)", encoding: .utf8)
        }
      }
      #expect(outputs[0] == outputs[1])
    }
  }

  private func withScratchFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-det-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }
}
