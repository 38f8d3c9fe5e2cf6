import Foundation
import ResTestSupport
import Testing

/// The optimizer's instrumentation on the command line: `--dump optimized`, `--dump blocks`, `--print-after`,
/// `--print-after-all`, `--stats`, `--explain`, `--verify-each`. Every run writes its plan into a scratch
/// folder.
@Suite struct InstrumentationCommandTests {
  let model = RepoPaths.fixtureModel("resnet_basic")
  let bottleneck = RepoPaths.fixtureModel("resnet_bottleneck")

  @Test func dumpsTheOptimizedGraphInEachFormat() throws {
    try withScratchFolder { folder in
      let text = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--dump", "optimized"])
      #expect(text.status == 0, "stderr: \(text.stderr)")
      #expect(text.stdout.contains("epilogue(residual "))
      #expect(!text.stdout.contains("= BatchNormalization ") && !text.stdout.contains("= Relu "))
      #expect(text.stderr.contains("optimized: 29 passes, 19 rewrites, nodes 31 → 12"))

      let json = try ProcessRunner.run(
        [model, "-o", "\(folder)/p.resplan", "--dump", "optimized", "--dump-format", "json"])
      let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
      let ops = try #require(object?["nodes"] as? [[String: Any]]).compactMap { $0["op"] as? String }
      #expect(ops.filter { $0 == "Conv" }.count == 9)
      #expect(!ops.contains("BatchNormalization") && !ops.contains("Add") && !ops.contains("Relu"))

      let dot = try ProcessRunner.run(
        [model, "-o", "\(folder)/p.resplan", "--dump", "optimized", "--dump-format", "dot"])
      #expect(dot.stdout.hasPrefix("digraph") && dot.stdout.contains("style=dashed"))
    }
  }

  @Test func dumpsResidualBlocksWithTheirPlanSteps() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([bottleneck, "-o", "\(folder)/p.resplan", "--dump", "blocks"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(
        result.stdout.split(separator: "\n").dropFirst().map(String.init) == [
          "stem      conv3x3+relu → maxpool3x3/2   (2 steps)",
          "blocks.0  conv1x1+relu → conv3x3+relu → conv1x1 ⊕ conv1x1 → relu   (4 steps)",
          "blocks.1  conv1x1+relu → conv3x3+relu → conv1x1 ⊕ identity → relu   (3 steps)",
          "blocks.2  conv1x1+relu → conv3x3/2+relu → conv1x1 ⊕ conv1x1/2 → relu   (4 steps)",
          "head      globalavgpool → flatten → gemm   (2 steps)",
        ])
      #expect(result.stdout.hasPrefix("// main_graph: 3 blocks with skips"))
    }
  }

  /// At -O0 the same blocks show their BatchNorms, Adds and ReLUs, one step each.
  @Test func blocksBeforeOptimization() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([bottleneck, "-o", "\(folder)/p.resplan", "-O0", "--dump", "blocks"])
      #expect(
        result.stdout.contains(
          "blocks.1  conv1x1 → bn → relu → conv3x3 → bn → relu → conv1x1 → bn ⊕ identity → relu   "
            + "(10 steps)"))
      #expect(result.stdout.contains("⊕ (conv1x1/2 → bn) → relu   (12 steps)"))
    }
  }

  /// The JSON form has the text form's units, in order, with the same lines and step counts, and the
  /// block structure as node names.
  @Test func dumpsResidualBlocksAsJSON() throws {
    try withScratchFolder { folder in
      let text = try ProcessRunner.run([bottleneck, "-o", "\(folder)/p.resplan", "--dump", "blocks"])
      let result = try ProcessRunner.run(
        [bottleneck, "-o", "\(folder)/p.resplan", "--dump", "blocks", "--dump-format", "json"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let document = try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      #expect(document["graph"] as? String == "main_graph")
      #expect(document["counts"] as? String == "steps")
      let units = try #require(document["units"] as? [[String: Any]])
      let lines = units.map { unit in
        let steps = unit["steps"] as? Int ?? -1
        return "\(unit["label"] as? String ?? "?")  \(unit["text"] as? String ?? "?")   (\(steps) steps)"
      }
      let textLines = text.stdout.split(separator: "\n").dropFirst().map { line in
        let label = line.prefix { $0 != " " }
        return "\(label)  \(line.dropFirst(label.count).drop { $0 == " " })"
      }
      #expect(lines == textLines)
      let blocks = units.filter { $0["kind"] as? String == "block" }
      #expect(blocks.count == 3)
      let identity = try #require(blocks.first { $0["label"] as? String == "blocks.1" })
      #expect((identity["skips"] as? [[String: Any]])?.first?["kind"] as? String == "identity")
      let join = try #require(identity["join"] as? [String: Any])
      #expect(join["kind"] as? String == "epilogue" && join["on_skip"] as? Bool == false)
      #expect((join["node"] as? String)?.hasPrefix("/blocks/blocks.1/expand") == true)
    }
  }

  @Test func planDumpIsTextOnlyAndBlocksHaveNoDOT() throws {
    let plan = try ProcessRunner.run([model, "--dump", "plan", "--dump-format", "json"])
    #expect(plan.status == 64)
    #expect(plan.stderr.contains("--dump plan has no json form"))
    let blocks = try ProcessRunner.run([model, "--dump", "blocks", "--dump-format", "dot"])
    #expect(blocks.status == 64)
    #expect(blocks.stderr.contains("--dump blocks has no dot form"))
  }

  @Test func printsTheIRAfterOnePassOnStandardError() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--print-after", "fuse-epilogue"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let header = "// after pass 23/29 fuse-epilogue: 10 applied, 0 declined\n"
      #expect(result.stderr.hasPrefix(header + "graph \"main_graph\" {"))
      #expect(result.stderr.components(separatedBy: "// after pass").count == 2)
      #expect(result.stdout.contains("steps out:"))
    }
  }

  /// Every pass's IR in its own file, numbered by pipeline position; the BatchNorms are gone from the file
  /// after batchnorm-folding on.
  @Test func printsTheIRAfterEveryPassIntoTheDumpFolder() throws {
    try withScratchFolder { folder in
      let dir = "\(folder)/dumps"
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--print-after-all", "--dump-dir", dir])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stderr.isEmpty)
      let names = [
        "eliminate-identity", "sum-of-two-as-add", "fold-constants", "merge-identical-constants",
        "eliminate-common-subexpressions", "sink-transposes", "fold-pad-into-conv", "recognize-prelu",
        "dead-code-before-fusion", "simplify-quantization", "recognize-global-average-pool", "recognize-option-a-shortcut", "batchnorm-folding", "fold-channel-scale",
        "hoist-pool-before-pointwise-conv", "batchnorm-to-scale-shift", "recognize-gelu", "recognize-hard-swish", "recognize-mish",
        "recognize-layernorm", "fuse-add-layernorm", "fuse-gated-skip", "fuse-epilogue",
        "fold-scale-into-projection", "fold-scale-shift-into-conv", "fuse-input-scale-shift", "widen-narrow-groups",
        "trim-padded-taps", "dead-code",
      ]
      let files = names.enumerated().map { "after-" + String(format: "%02d", $0.offset + 1) + "-\($0.element).ir" }
      #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == files)
      let beforeFolding = try String(contentsOfFile: "\(dir)/\(files[11])", encoding: .utf8)
      let afterFolding = try String(contentsOfFile: "\(dir)/\(files[12])", encoding: .utf8)
      #expect(beforeFolding.contains("= BatchNormalization "))
      #expect(!afterFolding.contains("= BatchNormalization "))
    }
  }

  @Test(arguments: [["--print-after", "no-such-pass"], ["-O1", "--print-after", "fuse-epilogue"]])
  func printAfterAPassThatDoesNotRunIsAUsageError(_ arguments: [String]) throws {
    let result = try ProcessRunner.run([model] + arguments)
    #expect(result.status == 64)
    #expect(result.stderr.contains("no such pass runs"))
  }

  @Test func statsCountRewritesPerPassAndPatternAndOpsBeforeAndAfter() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--stats"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
      for line in [
        "import + verify:", "optimize:", "generate plan:", "peak resident memory:", "passes: 29 ran, 19 rewrites",
        "13 batchnorm-folding 9 applied 0 declined nodes 31 → 22", "fold-batchnorm 9 applied 0 declined",
        "fuse-residual-add 3 applied 0 declined", "ops (imported → optimized):", "BatchNormalization 9 → 0",
        "Conv 9 → 9", "Relu 7 → 0",
      ] {
        #expect(lines.contains { $0.contains(line) }, "'\(line)' missing from:\n\(result.stdout)")
      }
    }
  }

  @Test func explainsEveryCandidate() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--explain"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(result.stdout.contains("pass 13/29 batchnorm-folding: 9 applied, 0 declined\n"))
      #expect(result.stdout.contains("  applied   fuse-residual-add  '/blocks/blocks.0/Add'\n"))
      #expect(result.stderr.contains("steps out:"))
    }
  }

  /// The JSON form is one document, byte-identical across runs.
  @Test func explainsAsDeterministicJSON() throws {
    try withScratchFolder { folder in
      let corners = RepoPaths.fixtureModel("fusion_corners")
      let runs = try (0..<2).map { _ in
        try ProcessRunner.run([corners, "-o", "\(folder)/p.resplan", "--explain-format", "json"])
      }
      #expect(runs[0].status == 0, "stderr: \(runs[0].stderr)")
      #expect(runs[0].stdout == runs[1].stdout)
      let object = try JSONSerialization.jsonObject(with: Data(runs[0].stdout.utf8)) as? [String: Any]
      let decisions = try #require(object?["decisions"] as? [[String: Any]])
      #expect(decisions.contains { $0["outcome"] as? String == "declined" && $0["reason"] is String })
    }
  }

  /// A dump folder that does not exist yet is created with its parents at the first dump; one that is a file
  /// ends the run with one error line naming it, before any plan is written.
  @Test func createsTheDumpFolderOrSaysWhyNot() throws {
    try withScratchFolder { folder in
      let nested = "\(folder)/new/dumps"
      let made = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--dump", "imported", "--dump-dir", nested])
      #expect(made.status == 0, "stderr: \(made.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: nested) == ["imported.ir"])

      let file = "\(folder)/taken"
      #expect(FileManager.default.createFile(atPath: file, contents: Data()))
      let refused = try ProcessRunner.run([model, "-o", "\(folder)/q.resplan", "--dump", "imported", "--dump-dir", file])
      #expect(refused.status == 1)
      #expect(refused.stderr.split(separator: "\n").count == 1)
      #expect(refused.stderr.hasPrefix("error: \(file): cannot create the folder \(file)"), "got: \(refused.stderr)")
      #expect(!FileManager.default.fileExists(atPath: "\(folder)/q.resplan"))
    }
  }

  @Test func twoJSONDocumentsNeedADumpFolder() throws {
    let refused = try ProcessRunner.run([model, "--explain-format", "json", "--dump", "optimized"])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("--dump-dir"))
    try withScratchFolder { folder in
      let result = try ProcessRunner.run(
        [model, "-o", "\(folder)/p.resplan", "--explain-format", "json", "--dump", "optimized", "--dump-format",
         "json", "--dump-dir", folder])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [
        "explain.json", "optimized.json", "p.resplan",
      ])
      #expect(result.stdout.contains("steps out:"))
    }
  }

  @Test func verifiesEachPassAgainstTheReferenceEvaluator() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run([model, "-o", "\(folder)/p.resplan", "--verify-each"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let lines = result.stdout.split(separator: "\n").map(String.init)
      #expect(lines.first?.hasPrefix("verify-each: reference evaluator on seeded inputs") == true)
      #expect(lines.contains { $0.hasPrefix("  1/29 eliminate-identity") && $0.hasSuffix("(unchanged)") })
      let folding = try #require(lines.first { $0.hasPrefix("  13/29 batchnorm-folding") })
      #expect(folding.contains("output") && !folding.contains("OUT OF TOLERANCE"))
      #expect(lines.filter { $0.range(of: #"^ +\d+/29 "#, options: .regularExpression) != nil }.count == 29)
    }
  }

  /// With no tolerance at all, folding BatchNorm's reordered rounding is caught, the pass is named, and no
  /// plan is written.
  @Test func aPassBeyondTheToleranceFailsNamingIt() throws {
    try withScratchFolder { folder in
      let result = try ProcessRunner.run(
        [model, "-o", "\(folder)/p.resplan", "--verify-each", "--rtol", "0", "--atol", "0"])
      #expect(result.status == 1)
      #expect(result.stderr.hasPrefix("error: \(model): --verify-each: pass 'batchnorm-folding' moved output 'output'"))
      #expect(result.stderr.split(separator: "\n").count == 1)
      #expect(result.stdout.contains("OUT OF TOLERANCE"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
  }

  @Test func toleranceWithoutVerifyEachIsAUsageError() throws {
    let result = try ProcessRunner.run([model, "--rtol", "0.1"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--verify-each"))
  }

  @Test func helpDocumentsTheInstrumentation() throws {
    let result = try ProcessRunner.run(["compile", "--help"])
    for flag in [
      "--dump optimized", "--dump blocks", "--explain-format", "--print-after-all", "--print-after <PASS>",
      "--verify-each", "--rtol", "--atol", "--stats",
    ] {
      #expect(result.stdout.contains(flag), "'\(flag)' missing from help")
    }
  }

  private func withScratchFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-cli-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }
}
