import ResPlan
import Testing

@testable import ResRuntime

/// Convolutions whose output is their residual's own bytes (an in-place epilogue, as the compiler emits it
/// when the residual dies at that step): the same bits as with a separate output, whichever method runs.
/// The channels-last GEMM over one reduction block reads each residual element before storing over it
/// (`ResidualInPlace.direct`); every other method first copies the residual to the shared scratch
/// (`ResidualInPlace.copied`), because it stores partial sums or transformed tiles first. Any other operand
/// sharing Y's bytes is refused.
@Suite struct ResidualInPlaceTests {
  struct Case: CustomStringConvertible, Sendable {
    var channels: Int
    var outputs: Int
    var kernel: Int
    var channelsLast: Bool
    var expected: ResidualInPlace
    var description: String { "\(channels)->\(outputs) k\(kernel) channels-last \(channelsLast)" }
  }

  static let height = 7
  static let width = 9

  static let cases = [
    // One reduction block (up to `ResidentWeightsGemm.maximumDepth` steps): stored over the residual directly.
    Case(channels: 48, outputs: 80, kernel: 1, channelsLast: true, expected: .direct),
    Case(channels: 128, outputs: 64, kernel: 1, channelsLast: true, expected: .direct),
    // Two blocks of the resident-weights GEMM: partial sums first.
    Case(
      channels: ResidentWeightsGemm.maximumDepth + 88, outputs: 70, kernel: 1, channelsLast: true,
      expected: .copied(offset: 0)),
    // Channels-last Winograd stores each tile once, adding the residual as it goes.
    Case(channels: 32, outputs: 32, kernel: 3, channelsLast: true, expected: .direct),
    // The indirect GEMM over several blocks of input channels (a 5x5 window is no Winograd shape); a row-major
    // direct convolution and pointwise GEMM.
    Case(channels: 300, outputs: 32, kernel: 5, channelsLast: true, expected: .copied(offset: 0)),
    Case(channels: 24, outputs: 40, kernel: 3, channelsLast: false, expected: .copied(offset: 0)),
    Case(channels: 24, outputs: 40, kernel: 1, channelsLast: false, expected: .copied(offset: 0)),
  ]

  /// x, skip (row-major inputs) → [reorders] → conv(x, w, bias, residual: skip) + relu → y. With `inPlace`,
  /// the convolution's output is a view of the residual's buffer.
  static func plan(_ shape: Case, inPlace: Bool) -> PlanBuilder {
    var random = SeededGenerator(seed: UInt64(shape.channels * 7 + shape.kernel))
    var builder = PlanBuilder()
    let xShape = [1, shape.channels, height, width]
    let yShape = [1, shape.outputs, height, width]
    let x = builder.arena("x", .f32, xShape)
    let skip = builder.arena("skip", .f32, yShape)
    let w = builder.constant(
      "w", [shape.outputs, shape.channels, shape.kernel, shape.kernel],
      floats: random.floats(shape.outputs * shape.channels * shape.kernel * shape.kernel))
    let bias = builder.constant("bias", [shape.outputs], floats: random.floats(shape.outputs))
    var (convX, residual) = (x, skip)
    if shape.channelsLast {
      convX = builder.arena("x.nhwc", .f32, xShape)
      residual = builder.arena("skip.nhwc", .f32, yShape)
      for buffer in [convX, residual] { builder.metadata.buffers[Int(buffer)].layout = .channelsLast }
      builder.step(.f32Reorder, inputs: [x], outputs: [convX], .reorder(Rescompile_Plan_ReorderParams()))
      builder.step(.f32Reorder, inputs: [skip], outputs: [residual], .reorder(Rescompile_Plan_ReorderParams()))
    }
    let sum = inPlace ? builder.view("sum", of: residual, .f32, yShape) : builder.arena("sum", .f32, yShape)
    if shape.channelsLast { builder.metadata.buffers[Int(sum)].layout = .channelsLast }
    var params = Rescompile_Plan_ConvParams()
    let pad = Int64(shape.kernel / 2)
    params.kernelShape = [Int64(shape.kernel), Int64(shape.kernel)]
    params.strides = [1, 1]
    params.dilations = [1, 1]
    params.pads = [pad, pad, pad, pad]
    params.group = 1
    params.epilogue.hasBias_p = true
    params.epilogue.hasResidual_p = true
    params.epilogue.activation.kind = .relu
    builder.step(.f32ConvNCHWGeneric, inputs: [convX, w, bias, residual], outputs: [sum], .conv(params), name: "conv")
    var y = sum
    if shape.channelsLast {
      y = builder.arena("y", .f32, yShape)
      builder.step(.f32Reorder, inputs: [sum], outputs: [y], .reorder(Rescompile_Plan_ReorderParams()))
    }
    builder.input("x", x)
    builder.input("skip", skip)
    builder.output("y", y)
    return builder
  }

  @Test(arguments: cases)
  func theResidualsOwnBytesGiveTheSameBits(_ shape: Case) throws {
    var random = SeededGenerator(seed: 11)
    let feeds = [
      "x": try Tensor(random.floats(shape.channels * Self.height * Self.width), shape: [1, shape.channels, 7, 9]),
      "skip": try Tensor(random.floats(shape.outputs * Self.height * Self.width), shape: [1, shape.outputs, 7, 9]),
    ]
    let separate = try Self.plan(shape, inPlace: false).plan()
    let inPlace = try Self.plan(shape, inPlace: true).plan()
    let conv = try #require(
      inPlace.program.steps.lazy.compactMap { $0.operation as? ConvOperator }.first)
    switch (conv.residualInPlace, shape.expected) {
    case (.direct, .direct), (.copied, .copied): break
    default: Issue.record("\(shape): placement \(String(describing: conv.residualInPlace))")
    }
    for threads in [1, 3] {
      let expected = try Runner(separate, threads: threads).run(feeds)
      let actual = try Runner(inPlace, threads: threads).run(feeds)
      let (a, b) = (try #require(actual["y"]).scalars(as: Float.self), try #require(expected["y"]).scalars(as: Float.self))
      let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
      #expect(a.count == b.count && differing == 0, "\(shape), \(threads) threads: \(differing) elements differ")
    }
  }

  /// A residual overlapping Y without being exactly Y's bytes (here 64 bytes on) is refused when the plan
  /// loads: each tile would read residual elements another tile had already overwritten.
  @Test func aResidualPartlyOverlappingYIsRefused() {
    var builder = Self.plan(
      Case(channels: 48, outputs: 80, kernel: 1, channelsLast: true, expected: .direct), inPlace: true)
    let conv = builder.metadata.steps.firstIndex { $0.name == "conv" }!
    let y = builder.metadata.steps[conv].outputs[0]
    builder.metadata.buffers[Int(y)].arenaOffset += 64
    do {
      _ = try builder.plan()
      Issue.record("the plan loaded")
    } catch {
      #expect(error.description.contains("overlaps"), "\(error.description)")
    }
  }

  /// X sharing Y's bytes (same element count, so the validator's exact-overlap rule lets it through) is
  /// refused by the convolution: only its residual may be overwritten.
  @Test func anInputOtherThanTheResidualIsRefused() {
    var builder = Self.plan(
      Case(channels: 40, outputs: 40, kernel: 1, channelsLast: false, expected: .direct), inPlace: false)
    let conv = builder.metadata.steps.count - 1
    let y = builder.metadata.steps[conv].outputs[0]
    builder.metadata.buffers[Int(y)].arenaOffset = builder.metadata.buffers[0].arenaOffset
    do {
      _ = try builder.plan()
      Issue.record("the plan loaded")
    } catch {
      #expect(error.description.contains("shares bytes with Y"), "\(error.description)")
    }
  }
}
