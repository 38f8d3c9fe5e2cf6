import Foundation
import ResPlan
import Testing

@testable import ResRuntime

/// The public API: input checks with clear messages, zero-copy inputs and outputs, outputs into caller
/// buffers, tensors, and the plan summary `inspect` renders.
@Suite struct RunnerTests {
  static func reluPlan(shape: [Int] = [2, 3]) throws -> Plan {
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, shape)
    let y = builder.arena("y", .f32, shape)
    builder.input("x", x)
    builder.output("y", y)
    var params = Rescompile_Plan_UnaryParams()
    params.kind = .relu
    builder.step(.unary, inputs: [x], outputs: [y], .unary(params))
    return try builder.plan()
  }

  static func expectInvalidInput(
    _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
  ) {
    do {
      try body()
      Issue.record("expected an error containing '\(fragment)'", sourceLocation: sourceLocation)
    } catch let error as RuntimeError {
      #expect(error.kind == .invalidInput, sourceLocation: sourceLocation)
      #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func inputsAreCheckedByNameTypeAndShape() throws {
    let runner = try Runner(try Self.reluPlan(shape: [1, 3]))
    let good = try Tensor([1, 2, 3] as [Float], shape: [1, 3])
    Self.expectInvalidInput("missing input 'x' (x: f32[1,3])") { _ = try runner.run([:]) }
    Self.expectInvalidInput("'z' is not an input of this plan (its inputs: x: f32[1,3])") {
      _ = try runner.run(["x": good, "z": good])
    }
    Self.expectInvalidInput("input 'x' has element type i64, expected f32") {
      _ = try runner.run(["x": try Tensor([1, 2, 3] as [Int64], shape: [1, 3])])
    }
    Self.expectInvalidInput("input 'x' has shape [2,3], expected [1,3] (the plan was compiled for batch size 1") {
      _ = try runner.run(["x": try Tensor([Float](repeating: 0, count: 6), shape: [2, 3])])
    }
    Self.expectInvalidInput("input 'x' has shape [3], expected [1,3]") {
      _ = try runner.run(["x": try Tensor([1, 2, 3] as [Float], shape: [3])])
    }
    Self.expectInvalidInput("threads must be 1 to 256") { _ = try Runner(try Self.reluPlan(), threads: 0) }
  }

  @Test func outputsIntoCallerBuffers() throws {
    let plan = try Self.reluPlan()
    #expect(plan.program.inPlace.outputWritable == [true])
    #expect(plan.program.inPlace.inputViews[0] != nil)
    let runner = try Runner(plan)
    var output = [Float](repeating: .nan, count: 6)
    let input = try Tensor([-1, 2, -3, 4, -5, 6] as [Float], shape: [2, 3])
    try output.withUnsafeMutableBytes { bytes in try runner.run(["x": input], into: ["y": bytes]) }
    #expect(output == [0, 2, 0, 4, 0, 6])
    var short = [Float](repeating: 0, count: 5)
    Self.expectInvalidInput("has 20 bytes, expected 24 (y: f32[2,3])") {
      try short.withUnsafeMutableBytes { bytes in try runner.run(["x": input], into: ["y": bytes]) }
    }
    Self.expectInvalidInput("'w' is not an output of this plan") {
      try short.withUnsafeMutableBytes { bytes in try runner.run(["x": input], into: ["w": bytes]) }
    }
  }

  @Test func borrowedInputsAreReadInPlaceAndNeverWritten() throws {
    let plan = try Self.reluPlan()
    let runner = try Runner(plan)
    let values: [Float] = [-1, 2, -3, 4, -5, 6]
    try values.withUnsafeBufferPointer { buffer in
      let tensor = try Tensor(unsafeBorrowing: buffer, shape: [2, 3])
      #expect(try runner.run(["x": tensor])["y"]?.floats == [0, 2, 0, 4, 0, 6])
    }
    // A plan that writes over its input's bytes (in place) gets a copy, and the caller's array is untouched.
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, [4])
    builder.input("x", x)
    builder.output("x_relu", x)
    var params = Rescompile_Plan_UnaryParams()
    params.kind = .relu
    builder.step(.unary, inputs: [x], outputs: [x], .unary(params))
    let inPlace = try builder.plan()
    #expect(inPlace.program.inPlace.inputViews[0] == nil)
    let caller: [Float] = [-1, 1, -2, 2]
    let result = try Runner(inPlace).run(["x": try Tensor(caller, shape: [4])])
    #expect(result["x_relu"]?.floats == [0, 1, 0, 2])
    #expect(caller == [-1, 1, -2, 2])
  }

  @Test func viewsOfInputsFollowTheCallerMemory() throws {
    // y = relu(reshape(x)): the reshape is a view of the input's bytes, read from the caller's memory.
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, [2, 2])
    let flat = builder.view("flat", of: x, .f32, [4])
    let y = builder.arena("y", .f32, [4])
    builder.input("x", x)
    builder.output("y", y)
    builder.output("identity", flat)
    var params = Rescompile_Plan_UnaryParams()
    params.kind = .relu
    builder.step(.unary, inputs: [flat], outputs: [y], .unary(params))
    let plan = try builder.plan()
    let views = try #require(plan.program.inPlace.inputViews[0])
    #expect(views.map(\.buffer).sorted() == [0, 1])
    #expect(plan.program.inPlace.outputWritable == [true, false])
    let result = try Runner(plan).run(["x": try Tensor([-1, 2, 3, -4] as [Float], shape: [2, 2])])
    #expect(result["y"]?.floats == [0, 2, 3, 0])
    #expect(result["identity"]?.floats == [-1, 2, 3, -4])
  }

  @Test func tensorsShareArraysAndConvert() throws {
    let integers = try Tensor([1, -2, 3] as [Int64], shape: [3])
    #expect(integers.floats == [1, -2, 3])
    #expect(try integers.scalars(as: Int64.self) == [1, -2, 3])
    #expect(throws: RuntimeError.self) { try integers.scalars(as: Float.self) }
    #expect(throws: RuntimeError.self) { try Tensor([1, 2] as [Float], shape: [3]) }
    #expect(throws: RuntimeError.self) { try Tensor([1, 2] as [Float], shape: [-2, -1]) }
    let flags = try Tensor([true, false], shape: [2])
    #expect(flags.elementType == .bool)
    #expect(flags.floats == [1, 0])
    let half = try Tensor(bytes: [0x00, 0x3C, 0x00, 0xC0], elementType: .f16, shape: [2])
    #expect(half.floats == [1, -2])
    let sum = half.withUnsafeBytes { bytes in bytes.reduce(0) { $0 + Int($1) } }
    #expect(sum == 0x3C + 0xC0)
    let doubled = try Tensor(repeating: 2.5 as Double, shape: [2, 2])
    #expect(try doubled.withUnsafeBufferPointer(as: Double.self) { $0.reduce(0, +) } == 10)
  }

  @Test func planSummaryForInspect() throws {
    let plan = try SamplePlans.convolutionalClassifier().plan()
    #expect(plan.inputs == [TensorDescription(name: "image", elementType: .f32, shape: [1, 3, 8, 8])])
    #expect(plan.outputs.map(\.description) == ["probabilities: f32[1,10]", "padded: f32[2,5]"])
    #expect(plan.producer == "rescompile tests")
    #expect(plan.features.isEmpty)
    #expect(plan.stepCount == 6)
    #expect(plan.constantBytes > 0 && plan.constantBytes % 64 == 0)
    #expect(plan.summary.steps[0].inputs.map(\.name) == ["image", "conv.weight", "conv.bias"])
    #expect(plan.summary.steps[0].inputs[1].storage == .constant)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try #require(String(data: try encoder.encode(plan.summary), encoding: .utf8))
    for key in ["\"steps\"", "\"kernel\":\"f32_conv_nchw_generic\"", "\"inputs\"", "\"outputs\"", "\"arena_bytes\"", "\"constant_bytes\""] {
      #expect(json.contains(key), "\(key)")
    }
    let decoded = try JSONDecoder().decode(PlanSummary.self, from: Data(json.utf8))
    #expect(decoded == plan.summary)
  }

  @Test func resultsDoNotDependOnTheThreadCount() throws {
    let plan = try SamplePlans.convolutionalClassifier(channels: 20, size: 24, seed: 4).plan()
    var random = SeededGenerator(seed: 8)
    let input = ["image": try Tensor(random.floats(3 * 24 * 24), shape: [1, 3, 24, 24])]
    let one = try Runner(plan).run(input)
    for threads in [2, 3, 5] {
      let many = try Runner(plan, threads: threads).run(input)
      for name in ["probabilities", "padded"] {
        #expect(many[name]?.floats.map(\.bitPattern) == one[name]?.floats.map(\.bitPattern), "\(threads) threads, \(name)")
      }
    }
  }
}
