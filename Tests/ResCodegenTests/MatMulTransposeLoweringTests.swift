import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// Which Transposes a MatMul step reads or writes in place (`MatMulTransposes`): the attention's head split
/// and merge do, with the perms in the step's parameters and no copy step; a Transpose anything else reads, a
/// graph output, a MatMul result with a second reader, or a merge that moves the last axis stays a copy.
@Suite struct MatMulTransposeLoweringTests {
  /// One attention head's product: `scores = Q·Kᵀ` with Q and K split into heads, then `context = scores·V`
  /// merged back, the Transposes given.
  private struct Attention {
    let builder = GraphBuilder()
    var query: ValueID
    var keyT: ValueID
    var scores: ValueID
    var merged: ValueID

    init(mergePerm: [Int] = [1, 0, 2], extraReaders: Bool = false) throws {
      let b = builder
      let q = b.input("f32[6,2,4]", name: "q")
      let k = b.input("f32[6,2,4]", name: "k")
      let v = b.input("f32[2,6,4]", name: "v")
      query = try b.value(.transpose(perm: [1, 0, 2]), [q], name: "query.heads")
      keyT = try b.value(.transpose(perm: [1, 2, 0]), [k], name: "key.heads")
      scores = try b.value(.matMul(.none), [query, keyT], name: "scores")
      let context = try b.value(.matMul(.none), [scores, v], name: "context")
      merged = try b.value(.transpose(perm: mergePerm), [context], name: "merge")
    }
  }

  @Test func headSplitAndMergeAreReadAndWrittenInPlace() throws {
    let attention = try Attention()
    let (_, plan) = try compile(attention.builder, outputs: [attention.merged])
    #expect(plan.kernels == [KernelID.f32MatMulGeneric.rawValue, KernelID.f32MatMulGeneric.rawValue])
    let scores = plan.steps[0].matmul
    #expect(scores.aPerm == [1, 0, 2] && scores.bPerm == [1, 2, 0] && scores.yPerm.isEmpty)
    #expect(plan.steps[0].inputs == [plan.metadata.inputs[0].buffer, plan.metadata.inputs[1].buffer])
    let context = plan.steps[1].matmul
    #expect(context.aPerm.isEmpty && context.bPerm.isEmpty && context.yPerm == [1, 0, 2])
    #expect(plan.steps[1].outputs == [plan.metadata.outputs[0].buffer])
    #expect(plan.shape(plan.steps[1].outputs[0]) == [6, 2, 4])
  }

  @Test func switchedOffEveryTransposeIsACopy() throws {
    let attention = try Attention()
    let (_, plan) = try compile(
      attention.builder, outputs: [attention.merged], options: CodegenOptions(transposedMatMulOperands: false))
    #expect(plan.steps(.copy).count == 3)
    #expect(plan.steps(.f32MatMulGeneric).allSatisfy { $0.matmul.aPerm.isEmpty && $0.matmul.bPerm.isEmpty })
    #expect(plan.steps(.f32MatMulGeneric).allSatisfy { $0.matmul.yPerm.isEmpty })
  }

  @Test func transposesOthersReadStayCopies() throws {
    let attention = try Attention()
    let b = attention.builder
    // The query heads are also read by a Relu, the transposed keys are a graph output, and the scores are read
    // by a Transpose as well as by the context MatMul.
    let relu = try b.value(.unary(.relu), [attention.query], name: "other")
    let scoresT = try b.value(.transpose(perm: [0, 2, 1]), [attention.scores], name: "scores.t")
    let (_, plan) = try compile(b, outputs: [attention.merged, relu, attention.keyT, scoresT])
    let scores = try #require(plan.steps(.f32MatMulGeneric).first)
    #expect(scores.matmul.aPerm.isEmpty && scores.matmul.bPerm.isEmpty)
    #expect(scores.matmul.yPerm.isEmpty)
    #expect(plan.steps(.copy).count == 3)
  }

  @Test func aMergeThatMovesTheLastAxisStaysACopy() throws {
    let attention = try Attention(mergePerm: [1, 2, 0])
    let (_, plan) = try compile(attention.builder, outputs: [attention.merged])
    #expect(plan.steps(.copy).count == 1)
    #expect(plan.steps(.f32MatMulGeneric).allSatisfy { $0.matmul.yPerm.isEmpty })
  }
}
