import ResPlan
import Testing

@testable import ResRuntime

/// Hand-built metadata with one inconsistency each: every one is a clear error naming what is wrong.
@Suite struct PlanValidationTests {
  /// Applies `edit` to a valid plan and expects loading to fail with a message containing `fragment`.
  static func expectRejected(
    _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ edit: (inout PlanBuilder) -> Void
  ) {
    var builder = SamplePlans.convolutionalClassifier()
    edit(&builder)
    do {
      _ = try builder.plan()
      Issue.record("the plan loaded; expected '\(fragment)'", sourceLocation: sourceLocation)
    } catch {
      #expect(error.kind == .invalidPlan, sourceLocation: sourceLocation)
      #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
      #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
    }
  }

  @Test func theSamplePlanIsValid() throws {
    let plan = try SamplePlans.convolutionalClassifier().plan()
    #expect(plan.stepCount == 6)
  }

  @Test func bufferInconsistencies() {
    Self.expectRejected("unknown element type") { $0.metadata.buffers[0].dtype = .unspecified }
    Self.expectRejected("unknown element type") { $0.metadata.buffers[0].dtype = .UNRECOGNIZED(42) }
    Self.expectRejected("negative size -1 (a symbolic dimension") { $0.metadata.buffers[0].shape[0] = -1 }
    Self.expectRejected("rank 17") { $0.metadata.buffers[0].shape = [Int64](repeating: 1, count: 17) }
    Self.expectRejected("element count overflows") { $0.metadata.buffers[0].shape = [1 << 40, 1 << 40] }
    Self.expectRejected("byte size overflows") { $0.metadata.buffers[0].shape = [1 << 62] }
    Self.expectRejected("is not a multiple of the element width") { $0.metadata.buffers[0].arenaOffset = 2 }
    Self.expectRejected("exceed arena_bytes") { $0.metadata.buffers[0].arenaOffset = $0.metadata.arenaBytes }
    Self.expectRejected("exceed arena_bytes") { $0.metadata.arenaBytes = 100 }
    Self.expectRejected("arena offset (18446744073709551615) is out of range") { $0.metadata.buffers[0].arenaOffset = .max }
    Self.expectRejected("arena range overflows") { $0.metadata.buffers[0].arenaOffset = UInt64(Int.max - 11) }
    Self.expectRejected("not a multiple of 64") { $0.metadata.buffers[1].constantOffset = 4 }
    Self.expectRejected("exceed the") { $0.metadata.buffers[1].constantOffset = 1 << 20 }
    Self.expectRejected("neither an arena offset nor a constant offset") { $0.metadata.buffers[0].storage = nil }
    Self.expectRejected("buffer 0 'im\\u{a}age\\u{1b}[31m' has an unknown element type") {
      $0.metadata.buffers[0].name = "im\nage\u{1b}[31m"
      $0.metadata.buffers[0].dtype = .unspecified
    }
  }

  @Test func bindingInconsistencies() {
    Self.expectRejected("empty name") { $0.metadata.inputs[0].name = "" }
    Self.expectRejected("'probabilities' appears twice") { $0.metadata.outputs[1].name = "probabilities" }
    Self.expectRejected("bound to buffer 99") { $0.metadata.inputs[0].buffer = 99 }
    Self.expectRejected("bound to buffer 4294967295") { $0.metadata.outputs[0].buffer = .max }
    Self.expectRejected("is bound to a constant") { $0.metadata.inputs[0].buffer = 1 }
    Self.expectRejected("share arena bytes") { builder in
      let second = builder.view("second", of: 0, .f32, [4])
      builder.input("second", second)
    }
  }

  @Test func stepInconsistencies() {
    Self.expectRejected("unknown kernel 'f32_conv_winograd'") { $0.metadata.steps[0].kernel = "f32_conv_winograd" }
    Self.expectRejected("input buffer 1000 does not exist") { $0.metadata.steps[0].inputs[0] = 1000 }
    Self.expectRejected("output buffer 4294967295 does not exist") { $0.metadata.steps[0].outputs[0] = .max }
    Self.expectRejected("which is a constant") { $0.metadata.steps[0].outputs[0] = 1 }
    Self.expectRejected("has 17 inputs") { $0.metadata.steps[4].inputs = [UInt32](repeating: 0, count: 17) }
    Self.expectRejected("do not belong to this kernel (ConvParams)") { $0.metadata.steps[0].kernel = "f32_softmax" }
    Self.expectRejected("do not belong to this kernel (none given)") { $0.metadata.steps[3].params = nil }
    Self.expectRejected("plan step 0 'conv' (f32_conv_nchw_generic): has 2 inputs, expected 3") {
      $0.metadata.steps[0].inputs.removeLast()
    }
    Self.expectRejected("output buffer 3 'features' f32[1,4,8,8] overlaps input buffer 0 'image'") {
      $0.metadata.buffers[3].arenaOffset = 0
    }
    Self.expectRejected("outputs buffer") { builder in
      var norm = Rescompile_Plan_LayerNormParams()
      norm.axis = 1
      norm.writesStatistics = true
      let x = builder.arena("x", .f32, [2, 3])
      let scale = builder.constant("scale", [3], floats: [1, 1, 1])
      let y = builder.arena("y", .f32, [2, 3])
      let mean = builder.arena("mean", .f32, [2, 1])
      let shared = builder.view("shared", of: mean, .f32, [2, 1])
      builder.step(.f32LayerNorm, inputs: [x, scale], outputs: [y, mean, shared], .layerNorm(norm))
    }
    Self.expectRejected("does not take element type") { builder in
      var params = Rescompile_Plan_BinaryParams()
      params.kind = .add
      let flags = builder.arena("flags", .bool, [3])
      builder.step(.binary, inputs: [flags, flags], outputs: [builder.arena("sum", .bool, [3])], .binary(params))
    }
    Self.expectRejected("binary kind 99 is unknown") { builder in
      var params = Rescompile_Plan_BinaryParams()
      params.kind = .UNRECOGNIZED(99)
      let x = builder.arena("x", .f32, [3])
      builder.step(.binary, inputs: [x, x], outputs: [builder.arena("y", .f32, [3])], .binary(params))
    }
    Self.expectRejected("activation kind 77 is unknown") { $0.metadata.steps[0].conv.epilogue.activation.kind = .UNRECOGNIZED(77) }
  }

  /// An elementwise step may write exactly over one of its inputs (in place); other kernels may not.
  @Test func inPlaceElementwiseIsAllowed() throws {
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, [4])
    builder.input("x", x)
    let y = builder.arena("y", .f32, [4])
    builder.output("y", y)
    var params = Rescompile_Plan_UnaryParams()
    params.kind = .relu
    builder.step(.unary, inputs: [x], outputs: [y], .unary(params))
    var add = Rescompile_Plan_BinaryParams()
    add.kind = .add
    builder.step(.binary, inputs: [y, x], outputs: [y], .binary(add))
    let runner = try Runner(try builder.plan())
    let input: [Float] = [-1, 2, -3, 4]
    let result = try runner.run(["x": try Tensor(input, shape: [4])])
    #expect(result["y"]?.floats == [-1, 4, -3, 8])
  }

  /// A plan whose arena the machine cannot provide fails when a runner is made, with a resource error.
  @Test func impossibleArenaIsAnError() throws {
    var builder = SamplePlans.convolutionalClassifier()
    builder.metadata.arenaBytes = 1 << 60
    let plan = try builder.plan()
    do {
      _ = try Runner(plan)
      Issue.record("an arena of 2^60 bytes was allocated")
    } catch {
      #expect(error.kind == .resources)
      #expect(error.message.contains("activation arena"))
    }
  }
}
