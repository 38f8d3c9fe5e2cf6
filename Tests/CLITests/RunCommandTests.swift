import Foundation
import ResTestSupport
import Testing

/// `rescompile run` (DESIGN.md §8): ONNX's input_K.pb/output_K.pb layout, `-i NAME=FILE` with `.npy` and `.pb`,
/// models compiled in memory, atomic outputs that never replace an input, one error line for bad input.
@Suite struct RunCommandTests {
  let fixture = "highway_mlp"

  @Test func runsAPlanOnAnInputFolderAndWritesOutputK() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan(fixture, in: folder)
      let result = try ProcessRunner.run(
        ["run", plan, "--inputs", CLIScratch.testData(fixture), "--outputs", "\(folder)/out"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.contains("output: f32[1,10] ["), "\(result.stdout)")
      #expect(result.stdout.contains("(10 values)"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/out") == ["output_0.pb"])

      // The written output is onnxruntime's, as `check` on a data set made of the input and it shows.
      let data = "\(folder)/data"
      try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: CLIScratch.testData(fixture) + "/input_0.pb", toPath: data + "/input_0.pb")
      try FileManager.default.copyItem(atPath: "\(folder)/out/output_0.pb", toPath: data + "/output_0.pb")
      let check = try ProcessRunner.run(["check", RepoPaths.fixtureModel(fixture), "--data", data])
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      #expect(check.stdout.contains("PASS"))
    }
  }

  @Test func runsAModelInMemoryAtEveryLevel() throws {
    for level in ["-O0", "-O2"] {
      let result = try ProcessRunner.run(
        ["run", RepoPaths.fixtureModel(fixture), "--inputs", CLIScratch.testData(fixture), level])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.contains("compiled in memory at \(level)"), "\(result.stdout)")
      #expect(result.stdout.contains("output: f32[1,10] ["))
    }
  }

  /// `.npy` inputs give `NAME.npy` outputs; a dynamic-batch model takes its batch from the input.
  @Test func npyInputsGiveNpyOutputsAndBindTheBatch() throws {
    try CLIScratch.withFolder { folder in
      let input = "\(folder)/image.npy"
      try CLIScratch.writeNPY((0..<(2 * 3 * 32 * 32)).map { Float($0 % 7) / 7 }, shape: [2, 3, 32, 32], to: input)
      let result = try ProcessRunner.run(
        ["run", RepoPaths.fixtureModel("vit_tiny_dynamic_batch"), "-i", "input=\(input)", "--outputs", "\(folder)/out"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.contains("output: f32[2,10] ["), "\(result.stdout)")
      let written = try #require(FileManager.default.contents(atPath: "\(folder)/out/output.npy"))
      #expect(Array(written.prefix(6)) == [0x93] + Array("NUMPY".utf8))
      #expect(String(decoding: written.prefix(128), as: UTF8.self).contains("'shape': (2, 10)"))
    }
  }

  @Test func pbInputsGiveOutputKFiles() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan(fixture, in: folder)
      let result = try ProcessRunner.run(
        ["run", plan, "-i", "input=\(CLIScratch.testData(fixture))/input_0.pb", "--outputs", "\(folder)/out"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/out") == ["output_0.pb"])
    }
  }

  @Test func neverReplacesAnInputFile() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan(fixture, in: folder)
      try FileManager.default.createDirectory(atPath: "\(folder)/out", withIntermediateDirectories: true)
      let input = "\(folder)/out/output_0.pb"
      try FileManager.default.copyItem(atPath: CLIScratch.testData(fixture) + "/input_0.pb", toPath: input)
      let original = FileManager.default.contents(atPath: input)
      let result = try ProcessRunner.run(["run", plan, "-i", "input=\(input)", "--outputs", "\(folder)/out"])
      CLIScratch.expectOneErrorLine(result, naming: "\(folder)/out: ")
      #expect(result.stderr.contains("is the input file"))
      #expect(FileManager.default.contents(atPath: input) == original)
      #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/out") == ["output_0.pb"])
    }
  }

  @Test func theOutputFolderCannotBeTheInputFolder() throws {
    let data = CLIScratch.testData(fixture)
    let result = try ProcessRunner.run(["run", RepoPaths.fixtureModel(fixture), "--inputs", data, "--outputs", data])
    #expect(result.status == 64, "stderr: \(result.stderr)")
  }

  @Test(arguments: [[String](), ["--inputs", "x", "-i", "input=a.npy"], ["-i", "input=a.txt"], ["-i", "input"]])
  func inputsMustBeGivenOneWay(_ arguments: [String]) throws {
    let result = try ProcessRunner.run(["run", RepoPaths.fixtureModel(fixture)] + arguments)
    #expect(result.status == 64, "stderr: \(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  /// A plan is compiled already: `--dim`, `-O0` and the other compile options are refused for it rather than
  /// ignored (a plan ran at its own batch size after `--dim batch=8`), by `run` and by `bench`.
  @Test func compileOptionsAreRefusedForAPlan() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan(fixture, in: folder)
      for arguments in [
        ["run", plan, "--inputs", CLIScratch.testData(fixture), "--dim", "batch=2"],
        ["bench", plan, "-O0", "--iterations", "1"], ["bench", plan, "--layout", "row-major", "--iterations", "1"],
      ] {
        let result = try ProcessRunner.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("apply when compiling a model; \(plan) is a compiled plan"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
      }
      let plain = try ProcessRunner.run(["bench", plan, "--iterations", "1", "--warmup", "0"])
      #expect(plain.status == 0, "\(plain.stderr)")
    }
  }

  /// An input file that is a FIFO would block the read (and a link to a device never end): refused by name.
  @Test func anInputFileMustBeARegularFile() throws {
    try CLIScratch.withFolder { folder in
      let fifo = "\(folder)/input.npy"
      #expect(mkfifo(fifo, 0o644) == 0)
      let result = try ProcessRunner.run(["run", RepoPaths.fixtureModel(fixture), "-i", "input=\(fifo)"], timeout: 60)
      CLIScratch.expectOneErrorLine(result, naming: "\(fifo): ")
      #expect(result.stderr.contains("not a regular file"), "\(result.stderr)")
    }
  }

  @Test func aMissingInputFolderIsOneErrorLine() throws {
    let result = try ProcessRunner.run(["run", RepoPaths.fixtureModel(fixture), "--inputs", "/nonexistent/data"])
    CLIScratch.expectOneErrorLine(result, naming: "/nonexistent/data: ")
  }

  @Test func anInputTheModelLacksIsNamed() throws {
    let result = try ProcessRunner.run(
      ["run", RepoPaths.fixtureModel(fixture), "-i", "pixels=\(CLIScratch.testData(fixture))/input_0.pb"])
    CLIScratch.expectOneErrorLine(result, naming: "\(RepoPaths.fixtureModel(fixture)): ")
    #expect(result.stderr.contains("no input 'pixels'") && result.stderr.contains("input"))
  }

  @Test func aMissingPlanIsOneErrorLine() throws {
    let result = try ProcessRunner.run(["run", "/nonexistent/p.resplan", "--inputs", CLIScratch.testData(fixture)])
    CLIScratch.expectOneErrorLine(result, naming: "/nonexistent/p.resplan: ")
  }

  /// An input of the wrong shape for a plan: the runtime's message names the input and both shapes.
  @Test func aWrongShapeNamesTheInput() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan(fixture, in: folder)
      try CLIScratch.writeNPY([1, 2, 3], shape: [3], to: "\(folder)/x.npy")
      let result = try ProcessRunner.run(["run", plan, "-i", "input=\(folder)/x.npy", "--outputs", "\(folder)/out"])
      CLIScratch.expectOneErrorLine(result, naming: "\(plan): ")
      #expect(result.stderr.contains("'input'") && result.stderr.contains("[3]"))
      #expect(!FileManager.default.fileExists(atPath: "\(folder)/out"))
    }
  }

  @Test func helpShowsExamples() throws {
    let result = try ProcessRunner.run(["run", "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Examples:") && result.stdout.contains("--inputs") && result.stdout.contains("-i"))
  }
}
