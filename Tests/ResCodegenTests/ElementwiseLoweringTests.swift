import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// Unary functions, Clip, binary ops, variadic chains, Where and Cast: element types kept, parameters mapped.
@Suite struct ElementwiseLoweringTests {
  @Test(arguments: [
    (UnaryOp.gelu(.none), Rescompile_Plan_UnaryParams.Kind.gelu), (.gelu(.tanh), .geluTanh), (.relu, .relu),
    (.erf, .erf), (.hardSwish, .hardSwish),
  ])
  func unaryKinds(_ op: UnaryOp, _ kind: Rescompile_Plan_UnaryParams.Kind) throws {
    let b = GraphBuilder()
    let y = try b.value(.unary(op), [b.input("f16[3,4]")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["unary"])
    #expect(plan.steps[0].unary.kind == kind)
    #expect(plan.output().dtype == .f16)
  }

  @Test func unaryParametersCarryAlphaAndBeta() throws {
    let b = GraphBuilder()
    let y = try b.value(.unary(.hardSigmoid(alpha: 0.25, beta: 0.5)), [b.input("f32[3]")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.steps[0].unary.kind == .hardSigmoid)
    #expect(plan.steps[0].unary.alpha == 0.25 && plan.steps[0].unary.beta == 0.5)
  }

  @Test func clipWithConstantBoundsIsOneUnaryStep() throws {
    let b = GraphBuilder()
    let y = try b.value(.clip, [b.input("f32[3,4]"), b.constant(.float32, [0], []), b.constant(.float32, [6], [])])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["unary"])
    #expect(plan.steps[0].unary.kind == .clip)
    #expect(plan.steps[0].unary.alpha == 0 && plan.steps[0].unary.beta == 6)
    #expect(plan.steps[0].inputs.count == 1)
  }

  @Test func clipWithOnlyAnUpperBoundLeavesTheLowerOpen() throws {
    let b = GraphBuilder()
    let y = try b.value(.clip, [b.input("f32[3]"), nil, b.constant(.float32, [1], [])])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.steps[0].unary.alpha == -.infinity && plan.steps[0].unary.beta == 1)
  }

  @Test func clipWithRunTimeBoundsIsMaxThenMin() throws {
    let b = GraphBuilder()
    let x = b.input("f32[3,4]")
    let low = b.input("f32[]", name: "low")
    let y = try b.value(.clip, [x, low, b.constant(.float32, [6], [])])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["binary", "binary"])
    #expect(plan.steps.map { $0.binary.kind } == [.max, .min])
    #expect(plan.steps[1].inputs[0] == plan.steps[0].outputs[0])
    #expect(plan.steps[1].outputs == [plan.metadata.outputs[0].buffer])
  }

  @Test func integerClipUsesBinarySteps() throws {
    let b = GraphBuilder()
    let y = try b.value(.clip, [b.input("i32[5]"), b.constant(.int32, [0], [])])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["binary"])
    #expect(plan.steps[0].binary.kind == .max)
  }

  @Test func clipWithoutBoundsIsAView() throws {
    let b = GraphBuilder()
    let y = try b.value(.clip, [b.input("f32[3]")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.steps.isEmpty)
    #expect(plan.output().arenaOffset == plan.buffer(plan.metadata.inputs[0].buffer).arenaOffset)
  }

  @Test(arguments: [
    (BinaryOp.add, Rescompile_Plan_BinaryParams.Kind.add), (.sub, .sub), (.mul, .mul), (.div, .div), (.pow, .pow),
    (.mod(fmod: true), .fmod),
  ])
  func binaryKinds(_ op: BinaryOp, _ kind: Rescompile_Plan_BinaryParams.Kind) throws {
    let b = GraphBuilder()
    let y = try b.value(.binary(op), [b.input("f32[2,3]"), b.input("f32[3]", name: "b")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["binary"])
    #expect(plan.steps[0].binary.kind == kind)
    #expect(plan.output().shape == [2, 3])
  }

  @Test func equalProducesBool() throws {
    let b = GraphBuilder()
    let y = try b.value(.binary(.equal), [b.input("i64[4]"), b.input("i64[4]", name: "b")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.steps[0].binary.kind == .equal)
    #expect(plan.output().dtype == .bool)
  }

  /// Pow alone mixes types; the binary kernel reads one, so the exponent is converted (here when compiling).
  @Test func powExponentIsConvertedToTheBaseType() throws {
    let b = GraphBuilder()
    let y = try b.value(.binary(.pow), [b.input("f32[4]"), b.constant(.int64, [2], [])])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["binary"])
    let exponent = plan.steps[0].inputs[1]
    #expect(plan.buffer(exponent).dtype == .f32 && plan.floats(exponent) == [2])
  }

  @Test func variadicSumIsAChainOfBinarySteps() throws {
    let b = GraphBuilder()
    let inputs = [b.input("f32[4]", name: "a"), b.input("f32[3,1]", name: "b"), b.input("f32[3,4]", name: "c")]
    let y = try b.value(.variadic(.sum), inputs)
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["binary", "binary"])
    #expect(plan.steps.allSatisfy { $0.binary.kind == .add })
    #expect(plan.shape(plan.steps[0].outputs[0]) == [3, 4])
    #expect(plan.steps[1].inputs[0] == plan.steps[0].outputs[0])
    #expect(plan.steps[1].outputs == [plan.metadata.outputs[0].buffer])
  }

  @Test(arguments: [(VariadicOp.max, Rescompile_Plan_BinaryParams.Kind.max), (.min, .min)])
  func variadicMaxAndMin(_ op: VariadicOp, _ kind: Rescompile_Plan_BinaryParams.Kind) throws {
    let b = GraphBuilder()
    let y = try b.value(.variadic(op), [b.input("f32[4]", name: "a"), b.input("f32[4]", name: "b")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.steps.map { $0.binary.kind } == [kind])
  }

  @Test func whereReadsConditionAndBothBranches() throws {
    let b = GraphBuilder()
    let y = try b.value(
      .where, [b.input("bool[4]", name: "c"), b.input("f32[4]", name: "x"), b.input("f32[1]", name: "y")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["where"])
    #expect(plan.steps[0].inputs == plan.metadata.inputs.map(\.buffer))
  }

  @Test func castToAnotherTypeIsAStepAndToTheSameTypeAView() throws {
    let b = GraphBuilder()
    let x = b.input("f32[4]")
    let converted = try b.value(.cast(to: .int32), [x], name: "to_int")
    let same = try b.value(.cast(to: .float32), [x], name: "to_float")
    let (_, plan) = try compile(b, outputs: [converted, same])
    #expect(plan.kernels == ["cast"])
    #expect(plan.output(0).dtype == .i32)
    #expect(plan.output(1).arenaOffset == plan.buffer(plan.metadata.inputs[0].buffer).arenaOffset)
  }
}
