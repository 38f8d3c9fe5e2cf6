import ResCodegen
import ResIR
import ResONNX
import ResPlan
import ResTestSupport
import Testing

/// Concat operands computed straight into their slab of the output: which operands are (and their producers
/// then write inside the Concat's buffer, with no copy step), which are not and why (`ConcatAliasing`).
/// `ConcatGraphs` holds the graphs; the end-to-end tests run the same ones.
@Suite struct ConcatAliasingTests {
  /// Compiles `graph` (checked like every test plan) and returns it with what became of each Concat operand.
  private func compiled(_ graph: Graph, options: CodegenOptions = CodegenOptions()) throws -> (
    generated: GeneratedPlan, plan: DecodedPlan
  ) {
    let generated = try PlanGenerator.generate(graph, options: options)
    let plan = try DecodedPlan(generated.bytes)
    #expect(PlanValidation.problems(plan) == [])
    #expect(MemoryPlanner.conflicts(generated.arena.requests, offsets: generated.arena.plan.offsets).isEmpty)
    return (generated, plan)
  }

  private func reasons(_ report: ConcatReport, _ concat: String) -> [ConcatCopyReason?] {
    report.operands(of: concat).map(\.copyReason)
  }

  @Test func producersWriteIntoTheirSlabsAndTheCopiesDisappear() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.producersIntoSlabs())
    #expect(plan.kernels == ["unary", "unary", "unary"])
    #expect(reasons(generated.concats, "cat") == [nil, nil])
    let cat = plan.steps[2].inputs[0]
    #expect(plan.shape(cat) == [1, 4, 3, 3])
    #expect(offset(plan.steps[0].outputs[0], plan) == offset(cat, plan))
    #expect(offset(plan.steps[1].outputs[0], plan) == offset(cat, plan) + 2 * 9 * 4)
    #expect(generated.concats.aliasedBytes == 144 && generated.concats.copiedBytes == 0)
    #expect(plan.metadata.concatAliasedBytes == 144 && plan.metadata.concatCopiedBytes == 0)
    #expect(generated.summary.concatAliasedBytes == 144 && generated.summary.concatCopiedBytes == 0)
  }

  /// At batch 2 each operand is two separate pieces of the output: strided copies stay.
  @Test func aBatchLargerThanOneAlongTheChannelAxisIsCopied() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.batchOfTwo())
    let reason = ConcatCopyReason.slabNotContiguous(axis: 1, outputDims: [2, 4, 3, 3])
    #expect(reasons(generated.concats, "cat") == [reason, reason])
    #expect(plan.steps(.copy).map(\.copy.dstStrides) == [[36, 9, 3, 1], [36, 9, 3, 1]])
    #expect(generated.concats.copiedBytes == 288 && generated.concats.aliasedBytes == 0)
  }

  /// The input is copied into its slab, a tensor of its own inside the Concat's buffer; the ReLU writes the
  /// other slab directly.
  @Test func aGraphInputOperandIsCopiedIntoItsSlab() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.graphInputOperand())
    #expect(reasons(generated.concats, "cat") == [.graphInput, nil])
    #expect(plan.kernels == ["unary", "copy", "unary"])
    let copy = plan.steps[1]
    let cat = plan.steps[2].inputs[0]
    #expect(copy.copy.dstOffset == 0 && copy.copy.dstStrides == [18, 9, 3, 1])
    #expect(plan.shape(copy.outputs[0]) == [1, 2, 3, 3] && offset(copy.outputs[0], plan) == offset(cat, plan))
    #expect(offset(plan.steps[0].outputs[0], plan) == offset(cat, plan) + 72)
    #expect(generated.concats.copiedBytes == 72 && generated.concats.aliasedBytes == 72)
  }

  @Test func anOperandOfTwoConcatsLivesInTheFirstAndIsCopiedIntoTheSecond() throws {
    let graph = try ConcatGraphs.operandInTwoConcats()
    let (generated, _) = try compiled(graph)
    let first = try #require(graph.nodes.first { $0.name == "cat1" }).outputs[0]
    #expect(reasons(generated.concats, "cat1") == [nil, nil])
    #expect(reasons(generated.concats, "cat2") == [nil, .placedInAnotherConcat(graph[first].name)])
  }

  @Test func aGraphOutputOperandIsCopied() throws {
    let (generated, _) = try compiled(try ConcatGraphs.graphOutputOperand())
    #expect(reasons(generated.concats, "cat") == [.graphOutput, nil])
  }

  @Test func aConstantOperandIsCopied() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.constantOperand())
    #expect(reasons(generated.concats, "cat") == [nil, .constant])
    let copy = try #require(plan.steps(.copy).first)
    #expect(plan.isConstant(copy.inputs[0]))
  }

  /// `cat(a, a)`: the second slot's copy reads the first slot and writes its own slab, not the whole output
  /// (which would overlap what it reads).
  @Test func aRepeatedOperandIsCopiedFromItsFirstSlot() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.repeatedOperand())
    #expect(reasons(generated.concats, "cat") == [nil, .repeatedOperand])
    let copy = try #require(plan.steps(.copy).first)
    let source = try #require(PlanValidation.arenaRange(plan.buffer(copy.inputs[0])))
    let target = try #require(PlanValidation.arenaRange(plan.buffer(copy.outputs[0])))
    #expect(!source.overlaps(target) && target.lowerBound == source.upperBound)
  }

  /// An output Concat keeps its strided copies so the runtime can write it straight into the caller's memory.
  @Test func aConcatThatIsAGraphOutputKeepsItsCopies() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.concatIsGraphOutput())
    #expect(reasons(generated.concats, "cat") == [.concatIsGraphOutput, .concatIsGraphOutput])
    let output = plan.metadata.outputs[0].buffer
    #expect(plan.steps(.copy).map(\.outputs) == [[output], [output]])
  }

  @Test func aliasingCanBeTurnedOff() throws {
    let (generated, plan) = try compiled(
      try ConcatGraphs.producersIntoSlabs(), options: CodegenOptions(concatAliasing: false))
    #expect(reasons(generated.concats, "cat") == [.aliasingDisabled, .aliasingDisabled])
    #expect(plan.steps(.copy).count == 2)
    #expect(generated.listing().contains("\"cat\" operand 1 'b.2' (72 bytes): copied: concat aliasing is turned off"))
  }

  /// `cat(cat(cat(x0, x1), x2), x3)`: every Concat sits at the start of the next, every feature map in its
  /// slab of the last one.
  @Test func nestedConcatsOfADenseBlockNest() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.nestedDenseBlock())
    #expect(plan.steps(.copy).isEmpty && generated.concats.copiedBytes == 0)
    #expect(generated.concats.operands.allSatisfy(\.isAliased) && generated.concats.operands.count == 6)
    try expectFeatureMapsLaidOutInOrder(plan, block: "y")
  }

  /// torchvision's form: each layer's Concat of every feature so far is a prefix of the block's Concat, and
  /// each feature map is written once, by its producer, into the block's buffer.
  @Test func flatConcatsOfADenseBlockAreEachAPrefixOfTheBlocks() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.flatDenseBlock())
    #expect(plan.steps(.copy).isEmpty && generated.concats.copiedBytes == 0)
    #expect(generated.concats.operands.allSatisfy(\.isAliased) && generated.concats.operands.count == 10)
    let block = try expectFeatureMapsLaidOutInOrder(plan, block: "y")
    for layer in 1...3 {
      let mean = try #require(plan.steps.first { $0.name == "layer\(layer).mean" })
      #expect(offset(mean.inputs[0], plan) == block, "layer \(layer)'s Concat starts the block's")
      #expect(plan.shape(mean.inputs[0]) == [1, 1 + layer, 3, 3])
    }
  }

  /// `cat(b, c)` after `cat(a, b, c)` is the part of the first that holds b and c.
  @Test func aConcatOfAnotherConcatsPartIsAViewOfIt() throws {
    let (generated, plan) = try compiled(try ConcatGraphs.concatOfAnotherConcatsPart())
    #expect(plan.steps(.copy).isEmpty && generated.concats.operands.allSatisfy(\.isAliased))
    let whole = try #require(plan.steps.first { $0.name == "y1" }).inputs[0]
    let part = try #require(plan.steps.first { $0.name == "y2" }).inputs[0]
    #expect(offset(part, plan) == offset(whole, plan) + 72 && plan.shape(part) == [1, 4, 3, 3])
  }

  @Test func theDenseNetFixtureConcatenatesWithoutCopies() throws {
    let graph = try ONNXImporter.importModel(at: RepoPaths.fixtureModel("densenet")).graph
    let (aliased, plan) = try compiled(graph)
    let (copied, _) = try compiled(graph, options: CodegenOptions(concatAliasing: false))
    #expect(plan.steps(.copy).isEmpty)
    #expect(aliased.concats.copiedBytes == 0 && aliased.concats.aliasedBytes == copied.concats.copiedBytes)
    #expect(aliased.summary.stepCount == copied.summary.stepCount - 18)
    #expect(aliased.summary.arenaBytes < copied.summary.arenaBytes)
    #expect(try PlanGenerator.generate(graph).bytes == aliased.bytes)
  }

  // MARK: - Helpers

  private func offset(_ buffer: UInt32, _ plan: DecodedPlan) -> UInt64 {
    plan.buffer(buffer).arenaOffset
  }

  /// Checks that x0, x1... (the steps named so) write consecutive slabs of the buffer step `block` reads, and
  /// returns that buffer's offset.
  @discardableResult
  private func expectFeatureMapsLaidOutInOrder(_ plan: DecodedPlan, block: String) throws -> UInt64 {
    let blockBuffer = try #require(plan.steps.first { $0.name == block }).inputs[0]
    var expected = offset(blockBuffer, plan)
    for feature in 0...3 {
      let step = try #require(plan.steps.first { $0.name == "x\(feature)" })
      #expect(offset(step.outputs[0], plan) == expected, "x\(feature)")
      expected += PlanValidation.byteCount(plan.buffer(step.outputs[0]))
    }
    #expect(expected == offset(blockBuffer, plan) + PlanValidation.byteCount(plan.buffer(blockBuffer)))
    return offset(blockBuffer, plan)
  }
}
