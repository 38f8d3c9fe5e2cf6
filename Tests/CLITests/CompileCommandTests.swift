import Foundation
import ResTestSupport
import Testing

/// The command-line contract of `rescompile MODEL.onnx` (DESIGN.md §8) as a user sees it. Every run writes its
/// plan into a scratch folder (`-o`), never next to the committed fixtures.
@Suite struct CompileCommandTests {
  let model = RepoPaths.fixtureModel("resnet_basic")
  let dynamicModel = RepoPaths.fixtureModel("resnet_basic_dynamic_batch")

  @Test func compilesAndSummarizes() throws {
    try withScratchFolder { folder in
      // -O0: the plan's ops are the 31 imported nodes (the default, -O2, fuses most of them away).
      let result = try ProcessRunner.run([model, "-O0", "-o", "\(folder)/out.resplan"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.contains("nodes:"))
      #expect(result.stdout.contains("Conv×"))
      let lines = [
        "optimized: no passes ran", "ops in: 31", "steps out:", "constant bytes:", "arena bytes:", "planned", "naive",
        "time:",
      ]
      for line in lines {
        #expect(result.stdout.contains(line), "'\(line)' missing from:\n\(result.stdout)")
      }
      #expect(result.stderr.isEmpty)
      let plan = try #require(FileManager.default.contents(atPath: "\(folder)/out.resplan"))
      #expect(Array(plan.prefix(8)) == Array("RESPLAN\0".utf8))
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.resplan"])
    }
  }

  /// jax2onnx's form (fixtures/legacy): value_info that contradicts the ops compiles, each ignored declaration
  /// listed in the summary, with nothing on stderr (the model is valid; only its annotations are wrong).
  @Test func listsIgnoredDeclarations() throws {
    try withScratchFolder { folder in
      let model = RepoPaths.fixtures + "/legacy/jax2onnx_value_info_opset17/model.onnx"
      let result = try ProcessRunner.run([model, "-o", "\(folder)/out.resplan"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.contains("  ignored declarations: 4\n"), "stdout: \(result.stdout)")
      #expect(
        result.stdout.contains(
          "    node 'Conv_1' (Conv): value_info of 'c1' ignored: declared type f32[1,6,6,4] disagrees with "
            + "inferred f32[1,4,6,6] on axis 1\n"))
      #expect(result.stderr.isEmpty)
    }
  }

  /// PyTorch's Loop and If (fixtures/legacy): the summary says how each became straight-line code.
  @Test func listsResolvedControlFlow() throws {
    try withScratchFolder { folder in
      let model = RepoPaths.fixtures + "/legacy/torch_loop_and_if_opset17/model.onnx"
      let result = try ProcessRunner.run([model, "-o", "\(folder)/out.resplan"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let expected = """
          control flow: 3
            Loop 'for_loop': unrolled, 3 iterations
            If 'rank_test': condition known when compiling (true): then_branch imported
            If 'data_test': condition depends on the input values: both branches computed, Where selects

        """
      #expect(result.stdout.contains(expected), "stdout: \(result.stdout)")
    }
  }

  /// `--layout`: by default the ResNet's convolutions are channels-last (`nhwc` buffers; its stem reads the
  /// image row-major and writes channels-last, so nothing is reordered), `row-major` keeps ONNX's layout, and an
  /// unknown value is a usage error naming the choices.
  @Test func layoutOptionChoosesWhereActivationsAreChannelsLast() throws {
    try withScratchFolder { folder in
      let automatic = try ProcessRunner.run([model, "-o", "\(folder)/a.resplan", "--dump", "plan"])
      #expect(automatic.status == 0, "stderr: \(automatic.stderr)")
      #expect(automatic.stdout.contains(" nhwc ") && !automatic.stdout.contains("f32_reorder"))
      let rowMajor = try ProcessRunner.run([model, "-o", "\(folder)/r.resplan", "--dump", "plan", "--layout", "row-major"])
      #expect(rowMajor.status == 0, "stderr: \(rowMajor.stderr)")
      #expect(!rowMajor.stdout.contains(" nhwc ") && !rowMajor.stdout.contains("f32_reorder"))
      let unknown = try ProcessRunner.run([model, "-o", "\(folder)/u.resplan", "--layout", "nchw16c"])
      #expect(unknown.status != 0)
      #expect(unknown.stderr.contains("auto") && unknown.stderr.contains("row-major"), "\(unknown.stderr)")
      #expect(!FileManager.default.fileExists(atPath: "\(folder)/u.resplan"))
    }
  }

  /// `--winograd-tile`: by default the ResNet's 3x3 convolutions on its large planes are transformed for
  /// F(4x4); `2` transforms every one for F(2x2) and says so in `inspect`; an unknown tile is a usage error
  /// naming the choices, and writes nothing.
  @Test func winogradTileOptionChoosesTheTransform() throws {
    try withScratchFolder { folder in
      let automatic = try ProcessRunner.run([model, "-o", "\(folder)/a.resplan", "--dump", "plan"])
      #expect(automatic.status == 0, "stderr: \(automatic.stderr)")
      #expect(automatic.stdout.contains("packed(winograd F(4x4), "), "\(automatic.stdout)")
      let two = try ProcessRunner.run([model, "-o", "\(folder)/2.resplan", "--dump", "plan", "--winograd-tile", "2"])
      #expect(two.status == 0, "stderr: \(two.stderr)")
      #expect(two.stdout.contains("packed(winograd F(2x2), ") && !two.stdout.contains("F(4x4)"), "\(two.stdout)")
      let inspected = try ProcessRunner.run(["inspect", "\(folder)/2.resplan"])
      #expect(inspected.stdout.contains("winograd tile: 2"), "\(inspected.stdout)")
      let unknown = try ProcessRunner.run([model, "-o", "\(folder)/u.resplan", "--winograd-tile", "6"])
      #expect(unknown.status != 0)
      #expect(unknown.stderr.contains("auto") && unknown.stderr.contains("'6'"), "\(unknown.stderr)")
      #expect(!FileManager.default.fileExists(atPath: "\(folder)/u.resplan"))
    }
  }

  /// `--winograd-reach`: either reach compiles and is recorded in `inspect`; left out, nothing is recorded (the
  /// machine's); an unknown one is a usage error naming the choices, and writes nothing.
  @Test func winogradReachOptionIsRecorded() throws {
    try withScratchFolder { folder in
      for reach in ["broad", "narrow"] {
        let compiled = try ProcessRunner.run([model, "-o", "\(folder)/\(reach).resplan", "--winograd-reach", reach])
        #expect(compiled.status == 0, "stderr: \(compiled.stderr)")
        let inspected = try ProcessRunner.run(["inspect", "\(folder)/\(reach).resplan"])
        #expect(inspected.stdout.contains("winograd reach: \(reach)"), "\(inspected.stdout)")
      }
      let machine = try ProcessRunner.run([model, "-o", "\(folder)/m.resplan"])
      #expect(machine.status == 0, "stderr: \(machine.stderr)")
      let inspectedMachine = try ProcessRunner.run(["inspect", "\(folder)/m.resplan"])
      #expect(!inspectedMachine.stdout.contains("winograd reach"), "\(inspectedMachine.stdout)")
      let unknown = try ProcessRunner.run([model, "-o", "\(folder)/u.resplan", "--winograd-reach", "wide"])
      #expect(unknown.status != 0)
      #expect(unknown.stderr.contains("broad") && unknown.stderr.contains("'wide'"), "\(unknown.stderr)")
      #expect(!FileManager.default.fileExists(atPath: "\(folder)/u.resplan"))
    }
  }

  /// A model with Concats says how many of their bytes are copied and how many computed in place; one
  /// without says nothing about them.
  @Test func summarizesConcatBytes() throws {
    try withScratchFolder { folder in
      let dense = try ProcessRunner.run([RepoPaths.fixtureModel("densenet"), "-o", "\(folder)/dense.resplan"])
      #expect(dense.status == 0, "stderr: \(dense.stderr)")
      #expect(dense.stdout.contains("    concat bytes: 0 copied, 532992 computed in place\n"), "\(dense.stdout)")
      let plain = try ProcessRunner.run([model, "-o", "\(folder)/plain.resplan"])
      #expect(plain.status == 0 && !plain.stdout.contains("concat bytes"), "\(plain.stdout)")
    }
  }

  @Test func writesThePlanNextToTheModelByDefault() throws {
    try withScratchFolder { folder in
      let copy = "\(folder)/net.onnx"
      try FileManager.default.copyItem(atPath: model, toPath: copy)
      let result = try ProcessRunner.run([copy])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(FileManager.default.fileExists(atPath: "\(folder)/net.resplan"))
      #expect(result.stdout.contains("plan: \(folder)/net.resplan"))
    }
  }

  @Test func compilingTwiceWritesTheSameBytes() throws {
    try withScratchFolder { folder in
      for name in ["a", "b"] {
        let result = try ProcessRunner.run([model, "-o", "\(folder)/\(name).resplan"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
      }
      let first = FileManager.default.contents(atPath: "\(folder)/a.resplan")
      #expect(first != nil && first == FileManager.default.contents(atPath: "\(folder)/b.resplan"))
    }
  }

  /// `-o` naming the model, however spelled, is refused before anything is read or written.
  @Test func refusesToWriteOverTheModel() throws {
    try withScratchFolder { folder in
      try FileManager.default.createDirectory(atPath: "\(folder)/sub", withIntermediateDirectories: true)
      let copy = "\(folder)/net.onnx"
      try FileManager.default.copyItem(atPath: model, toPath: copy)
      let original = FileManager.default.contents(atPath: copy)
      for target in [copy, "\(folder)/sub/../net.onnx"] {
        let result = try ProcessRunner.run([copy, "-o", target])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("is the model itself"))
      }
      #expect(FileManager.default.contents(atPath: copy) == original)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["net.onnx", "sub"])
    }
  }

  /// A plan given where a model goes gets one line saying what it is and what to do with it, not a protobuf
  /// decoding error, and the plan is left as it was.
  @Test func aPlanIsNotAModel() throws {
    try withScratchFolder { folder in
      let plan = "\(folder)/p.resplan"
      #expect(try ProcessRunner.run([model, "-o", plan]).status == 0)
      let bytes = FileManager.default.contents(atPath: plan)
      let result = try ProcessRunner.run([plan, "-o", "\(folder)/again.resplan"])
      #expect(result.status == 1)
      #expect(result.stderr.hasPrefix("error: \(plan): is a compiled plan, not an ONNX model; run it with"))
      #expect(result.stderr.split(separator: "\n").count == 1)
      #expect(FileManager.default.contents(atPath: plan) == bytes)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["p.resplan"])
    }
  }

  /// A model that imports but cannot be compiled (here: an unbound dynamic batch) leaves an existing plan as it
  /// was and no temporary file behind.
  @Test func anErrorLeavesTheExistingPlanUntouched() throws {
    try withScratchFolder { folder in
      let target = "\(folder)/old.resplan"
      try Data("old plan".utf8).write(to: URL(fileURLWithPath: target))
      let result = try ProcessRunner.run([dynamicModel, "-o", target])
      #expect(result.status == 1)
      #expect(result.stderr.hasPrefix("error: \(dynamicModel): "))
      #expect(result.stderr.contains("'batch'") && result.stderr.contains("--dim batch=VALUE"))
      #expect(result.stderr.split(separator: "\n").count == 1)
      #expect(result.stdout.isEmpty)
      #expect(FileManager.default.contents(atPath: target) == Data("old plan".utf8))
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["old.resplan"])
    }
  }

  @Test func dimBindsASymbolicDimension() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([dynamicModel, "-o", "\(folder)/dyn.resplan", "--dim", "batch=3"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(FileManager.default.fileExists(atPath: "\(folder)/dyn.resplan"))
    }
  }

  @Test func aDimNoInputHasIsAModelError() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--dim", "batch=2"])
      #expect(result.status == 1)
      #expect(result.stderr.contains("'batch'"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
  }

  @Test(arguments: [["--dim", "batch"], ["--dim", "batch=0"], ["--dim", "batch=2", "--dim", "batch=3"]])
  func malformedDimsAreUsageErrors(_ arguments: [String]) throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([dynamicModel, "-o", "\(folder)/p.resplan"] + arguments)
      #expect(result.status == 64, "stderr: \(result.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
  }

  @Test func dumpsTextToStandardOutputAndTheSummaryToStandardError() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--dump", "imported"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.contains("Conv"))
      #expect(!result.stdout.contains("nodes:"))
      #expect(result.stderr.contains("nodes:"))
    }
  }

  @Test func dumpsThePlanListing() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--dump", "plan"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.hasPrefix("plan \"main_graph\""))
      #expect(result.stdout.contains("f32_conv_nchw_generic("))
      #expect(result.stderr.contains("steps out:"))
    }
  }

  @Test func thePlanDumpIsTextOnly() throws {
    let result = try ProcessRunner.run([model, "--dump", "plan", "--dump-format", "json"])
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
  }

  @Test func dumpsTheJSONContract() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run(
        [model, "-o", "\(folder)/p.resplan", "--dump", "imported", "--dump-format", "json"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
      let nodes = try #require(object?["nodes"] as? [[String: Any]])
      #expect(!nodes.isEmpty)
      for node in nodes {
        for key in ["name", "op", "inputs", "outputs", "attributes"] {
          #expect(node[key] != nil, "node lacks '\(key)': \(node)")
        }
      }
      #expect(nodes.contains { $0["op"] as? String == "Conv" })
    }
  }

  @Test func dumpsDOT() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run(
        [model, "-o", "\(folder)/p.resplan", "--dump", "imported", "--dump-format", "dot"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.hasPrefix("digraph"))
    }
  }

  @Test func writesDumpsIntoADirectory() throws {
    try withScratchFolder { folder in
      let dir = "\(folder)/dumps"
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      let result = try ProcessRunner.run(
        [model, "-o", "\(folder)/p.resplan", "--dump", "imported", "--dump", "plan", "--dump-dir", dir])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["imported.ir", "plan.txt"])
    }
  }

  @Test func dumpsAreDeterministic() throws {
    try withScratchFolder { folder in
      let first = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--dump", "imported", "--dump", "plan"])
      let second = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--dump", "imported", "--dump", "plan"])
      #expect(first.status == 0)
      #expect(first.stdout == second.stdout)
    }
  }

  @Test func helpShowsExamples() throws {
    let result = try ProcessRunner.run(["--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Examples:"))
    #expect(result.stdout.contains("--dump"))
    #expect(result.stdout.contains("--dim"))
  }

  @Test func badUsageUsesTheArgumentParsersStatus() throws {
    let result = try ProcessRunner.run([model, "--dump", "no-such-stage"])
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
  }

  @Test func missingFileIsOneErrorLine() throws {
    let result = try ProcessRunner.run(["/nonexistent/model.onnx"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("error: /nonexistent/model.onnx: "))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  @Test func aDirectoryIsNotAModel() throws {
    let result = try ProcessRunner.run([RepoPaths.fixtures])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("error: \(RepoPaths.fixtures): "))
  }

  @Test func anUnwritablePlanPathIsOneErrorLine() throws {
    let target = "/nonexistent-folder/p.resplan"
    let result = try ProcessRunner.run([model, "-o", target])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("error: \(target): "))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  private func withScratchFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-cli-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }
}
