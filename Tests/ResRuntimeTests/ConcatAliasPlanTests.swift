import Foundation
import ResPlan
import Testing

@testable import ResRuntime

/// Plans whose Concat operands are computed straight into their part of the Concat's buffer (buffers at an
/// offset inside another, as the compiler's concat aliasing writes them). The runtime needs nothing new for
/// them, and a plan stays untrusted: an alias outside the arena, misaligned, or overlapping what its step reads
/// is refused.
@Suite struct ConcatAliasPlanTests {
  /// `y = tanh(cat(relu(x), sigmoid(x)))` for `x` of 5 floats, relu and sigmoid writing the two halves of `cat`
  /// (buffers 2 and 3, inside buffer 1); the second half starts 20 bytes in, not on a 64-byte boundary.
  static func slabPlan(secondSlabOffset: Int = 5 * 4) -> PlanBuilder {
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, [1, 5])
    builder.input("x", x)
    let cat = builder.arena("cat", .f32, [2, 5])
    let first = builder.view("cat[0]", of: cat, .f32, [1, 5])
    let second = builder.view("cat[1]", of: cat, .f32, [1, 5], byteOffset: secondSlabOffset)
    let y = builder.arena("y", .f32, [2, 5])
    builder.output("y", y)
    builder.step(.unary, inputs: [x], outputs: [first], .unary(unary(.relu)), name: "relu")
    builder.step(.unary, inputs: [x], outputs: [second], .unary(unary(.sigmoid)), name: "sigmoid")
    builder.step(.unary, inputs: [cat], outputs: [y], .unary(unary(.tanh)), name: "tanh")
    return builder
  }

  static func unary(_ kind: Rescompile_Plan_UnaryParams.Kind) -> Rescompile_Plan_UnaryParams {
    var params = Rescompile_Plan_UnaryParams()
    params.kind = kind
    return params
  }

  @Test func producersWriteIntoTheConcatsBuffer() throws {
    let input: [Float] = [-2, -0.5, 0, 0.5, 2]
    let result = try Runner(try Self.slabPlan().plan()).run(["x": try Tensor(input, shape: [1, 5])])
    let concatenated = input.map { max($0, 0) } + input.map { 1 / (1 + exp(-$0)) }
    let expected = concatenated.map { tanh($0) }
    let actual = try #require(result["y"]).floats
    #expect(zip(actual, expected).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(actual) vs \(expected)")
  }

  @Test func anAliasPastTheEndOfTheArenaIsRefused() {
    var builder = Self.slabPlan()
    builder.metadata.buffers[3].arenaOffset = builder.metadata.arenaBytes - 8
    expectRefused(builder, "exceed arena_bytes")
  }

  @Test func aMisalignedAliasIsRefused() {
    expectRefused(Self.slabPlan(secondSlabOffset: 18), "is not a multiple of the element width")
  }

  /// A producer may not write its slab over what it reads (here relu reads the Concat's buffer itself).
  @Test func anAliasOverlappingItsStepsInputIsRefused() {
    var builder = Self.slabPlan()
    builder.metadata.steps[0].inputs = [1]
    expectRefused(builder, "overlaps input")
  }

  /// A graph output whose bytes other buffers share is computed in the arena and copied out, still correct.
  @Test func aConcatBoundAsAnOutputIsCopiedOutCorrectly() throws {
    var builder = Self.slabPlan()
    builder.output("cat", 1)
    let plan = try builder.plan()
    #expect(plan.program.inPlace.outputWritable == [true, false])
    let input: [Float] = [-1, 0, 1, 2, 3]
    let result = try Runner(plan).run(["x": try Tensor(input, shape: [1, 5])])
    let expected = input.map { max($0, 0) } + input.map { 1 / (1 + exp(-$0)) }
    let actual = try #require(result["cat"]).floats
    #expect(zip(actual, expected).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(actual) vs \(expected)")
  }

  private func expectRefused(
    _ builder: PlanBuilder, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      _ = try builder.plan()
      Issue.record("the plan loaded; expected '\(fragment)'", sourceLocation: sourceLocation)
    } catch {
      #expect(error.kind == .invalidPlan, sourceLocation: sourceLocation)
      #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
    }
  }
}
