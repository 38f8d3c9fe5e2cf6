import ResCompiler
import ResReference
import ResTestSupport
import Testing

@testable import ResRuntime

/// Image stems that read row-major and write channels-last (`ChannelsLastGridConvolution`) against the
/// reference evaluator and, bit for bit, against the row-major grid method, which sums the same products in
/// the same order: output channel counts that leave every kernel's edge (1 to 100: on AVX-512 builds the
/// 64-, 32- and 16-channel tiles and their partial last panels), 3x3, 5x5 and 7x7 windows at stride 1 and 2
/// with symmetric and asymmetric padding, rows of positions that are not a multiple of six, two images, a
/// residual, and one and three threads. The layout is forced so that the stem alone is channels-last (a
/// reorder back follows it).
@Suite struct ChannelsLastGridExecutionTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var channels = 3
    var outputs: Int
    var kernel: Int
    var stride: Int
    var pads: [Int]
    var size = 19
    var batch = 1
    var residual = false

    var testDescription: String {
      "\(channels)→\(outputs) \(kernel)x\(kernel)/\(stride) pads \(pads) \(size)x\(size) batch \(batch)"
        + (residual ? " + residual" : "")
    }
  }

  static let cases: [Case] = [
    Case(outputs: 1, kernel: 3, stride: 2, pads: [1, 1, 1, 1]),
    Case(outputs: 16, kernel: 3, stride: 2, pads: [1, 1, 1, 1], size: 32),
    Case(outputs: 24, kernel: 3, stride: 1, pads: [1, 1, 1, 1]),
    Case(outputs: 32, kernel: 3, stride: 2, pads: [0, 0, 1, 1], size: 23),
    Case(channels: 2, outputs: 40, kernel: 5, stride: 1, pads: [2, 1, 2, 1], batch: 2),
    Case(outputs: 64, kernel: 7, stride: 2, pads: [3, 3, 3, 3], size: 30),
    Case(channels: 4, outputs: 72, kernel: 3, stride: 2, pads: [1, 1, 1, 1], batch: 2),
    Case(outputs: 100, kernel: 3, stride: 1, pads: [1, 1, 1, 1], size: 13, residual: true),
  ]

  static func graph(_ spec: Case) throws -> Graph {
    var random = SeededGenerator(seed: UInt64(spec.outputs * 31 + spec.kernel))
    let b = GraphBuilder()
    let image = b.input("f32[\(spec.batch),\(spec.channels),\(spec.size),\(spec.size)]")
    let depth = spec.channels * spec.kernel * spec.kernel
    let weights = b.graph.addConstant(
      name: "w",
      Constant(
        floats: random.floats(spec.outputs * depth).map { $0 / Float(depth).squareRoot() },
        dims: [spec.outputs, spec.channels, spec.kernel, spec.kernel]))
    let bias = b.graph.addConstant(name: "b", Constant(floats: random.floats(spec.outputs), dims: [spec.outputs]))
    let outputSize = (spec.size + spec.pads[0] + spec.pads[2] - spec.kernel) / spec.stride + 1
    var operands = [image, weights, bias]
    if spec.residual {
      operands.append(b.input("f32[\(spec.batch),\(spec.outputs),\(outputSize),\(outputSize)]", name: "skip"))
    }
    let attributes = ConvAttributes(
      kernelShape: [spec.kernel, spec.kernel], strides: [spec.stride, spec.stride], dilations: [1, 1],
      padding: .explicit(spec.pads), group: 1,
      epilogue: Epilogue(residual: spec.residual, activation: .clip(min: 0, max: 6)))
    let stem = try b.value(.conv(attributes), operands, name: "stem")
    b.graph.outputs = [stem]
    return b.graph
  }

  @Test(arguments: cases)
  func matchesTheReferenceAndTheRowMajorGridBitForBit(_ spec: Case) throws {
    let graph = try Self.graph(spec)
    let forced = CodegenOptions(activationLayout: .channelsLast)
    let plan = try Plan(bytes: try PlanGenerator.generate(graph, options: forced).bytes)
    let stem = try #require(plan.program.steps.first)
    #expect(!stem.inputs[0].isChannelsLast && stem.outputs[0].isChannelsLast, "\(spec.testDescription)")
    let inputs = try SeededInputs.make(for: graph, seed: UInt64(spec.outputs))
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let rowMajor = try PlanExecution.run(graph, options: CodegenOptions(activationLayout: .rowMajor), inputs: inputs)
    for threads in [1, 3] {
      let channelsLast = try PlanExecution.run(graph, options: forced, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(channelsLast, expected, rtol: 1e-4, atol: 1e-5) == nil, "\(threads) threads")
      #expect(
        Self.differingElements(channelsLast, rowMajor) == 0, "\(threads) threads: not the row-major grid's bits")
    }
  }

  /// A 1-D stem (a signal's three channels) takes the same path: its window is a row of one. (The row-major
  /// plan may run it by another method, so only within rounding of it.)
  @Test func oneDimensionalStem() throws {
    var random = SeededGenerator(seed: 5)
    let b = GraphBuilder()
    let signal = b.input("f32[2,3,50]")
    let weights = b.graph.addConstant(name: "w", Constant(floats: random.floats(24 * 3 * 5), dims: [24, 3, 5]))
    let attributes = ConvAttributes(
      kernelShape: [5], strides: [2], dilations: [1], padding: .explicit([2, 1]), group: 1,
      epilogue: Epilogue(activation: .relu))
    let stem = try b.value(.conv(attributes), [signal, weights], name: "stem")
    b.graph.outputs = [stem]
    let forced = CodegenOptions(activationLayout: .channelsLast)
    let plan = try Plan(bytes: try PlanGenerator.generate(b.graph, options: forced).bytes)
    let first = try #require(plan.program.steps.first)
    #expect(!first.inputs[0].isChannelsLast && first.outputs[0].isChannelsLast)
    let inputs = try SeededInputs.make(for: b.graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    let rowMajor = try PlanExecution.run(b.graph, options: CodegenOptions(activationLayout: .rowMajor), inputs: inputs)
    let channelsLast = try PlanExecution.run(b.graph, options: forced, inputs: inputs, threads: 2)
    #expect(PlanExecution.mismatch(channelsLast, expected, rtol: 1e-4, atol: 1e-5) == nil)
    #expect(PlanExecution.mismatch(channelsLast, rowMajor, rtol: 1e-5, atol: 1e-6) == nil)
  }

  /// Elements whose bits differ between two runs' outputs (all of them when the shapes differ).
  static func differingElements(_ a: [ReferenceTensor], _ b: [ReferenceTensor]) -> Int {
    guard a.count == b.count else { return Int.max }
    return zip(a, b).reduce(0) { total, pair in
      guard pair.0.shape == pair.1.shape else { return Int.max }
      return total + zip(pair.0.doubles, pair.1.doubles).count { $0.bitPattern != $1.bitPattern }
    }
  }
}
