import ResCompiler
import ResTestSupport
import Testing

/// What `LoadedModel.optimized(options:observe:)` records: one `PassRun` per pass that ran, whose decisions
/// make up the whole record, and `OptimizationStatistics` built from them (`--stats`).
@Suite struct OptimizationRecordTests {
  let model: LoadedModel

  init() throws {
    model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic"))
  }

  @Test func everyPassHasARunAndTheRunsMakeUpTheRecord() throws {
    let optimized = try model.optimized()
    let runs = optimized.passRuns
    #expect(runs.map(\.name) == Pipeline.passes(for: .full).map(\.name))
    #expect(runs.map(\.index) == Array(1...runs.count))
    #expect(runs.allSatisfy { $0.passCount == runs.count })
    #expect(runs.flatMap(\.decisions) == optimized.record.decisions)
    #expect(runs.reduce(0) { $0 + $1.appliedCount } == optimized.record.applied.values.reduce(0, +))
    #expect(runs.first?.nodesBefore == model.graph.nodes.count)
    #expect(runs.last?.nodesAfter == optimized.graph.nodes.count)
    for (before, after) in zip(runs, runs.dropFirst()) { #expect(before.nodesAfter == after.nodesBefore) }
    #expect(optimized.imported.nodes.count == model.graph.nodes.count)
  }

  /// Disabling a pass leaves the others' numbers (and so the `--dump-dir` file names) as they were.
  @Test func aDisabledPassKeepsTheOthersNumbers() throws {
    let all = try model.optimized().passRuns
    let without = try model.optimized(options: CompileOptions(disabledPasses: ["batchnorm-folding"])).passRuns
    #expect(without.map(\.name) == all.map(\.name).filter { $0 != "batchnorm-folding" })
    #expect(without.map(\.index) == all.filter { $0.name != "batchnorm-folding" }.map(\.index))
    #expect(without.first { $0.name == "fuse-epilogue" }?.paddedIndex == "23")
  }

  /// The observer sees each run as it finishes, with the graph that pass left.
  @Test func theObserverSeesEveryRunWithItsGraph() throws {
    var seen: [(run: PassRun, nodes: Int)] = []
    let optimized = try model.optimized { run, graph in seen.append((run, graph.nodes.count)) }
    #expect(seen.map(\.run) == optimized.passRuns)
    #expect(seen.map(\.nodes) == optimized.passRuns.map(\.nodesAfter))
  }

  @Test func statisticsCountPatternsPassesAndOps() throws {
    let statistics = OptimizationStatistics(try model.optimized())
    let patterns = statistics.patterns.map { "\($0.pattern) \($0.applied)/\($0.declined)" }
    #expect(patterns == ["fold-batchnorm 9/0", "fuse-activation 7/0", "fuse-residual-add 3/0"])
    #expect(statistics.totalApplied == 19)
    let ops = Dictionary(uniqueKeysWithValues: statistics.ops.map { ($0.op, "\($0.before)→\($0.after)") })
    #expect(ops == [
      "Add": "3→0", "BatchNormalization": "9→0", "Conv": "9→9", "Flatten": "1→1", "Gemm": "1→1",
      "GlobalAveragePool": "1→1", "Relu": "7→0",
    ])
    let folding = try #require(statistics.passes.first { $0.name == "batchnorm-folding" })
    #expect(folding.nodesBefore == 31 && folding.nodesAfter == 22 && folding.applied == 9)
  }

  /// Indices are zero-padded to the width of the pass count, so file names sort in pipeline order.
  @Test func paddedIndicesSortInPipelineOrder() throws {
    let runs = try model.optimized(options: CompileOptions(passes: Array(repeating: "dead-code", count: 10))).passRuns
    #expect(runs.map(\.paddedIndex) == ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"])
  }
}
