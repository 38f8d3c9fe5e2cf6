import ResKernels
import Testing

@testable import ResRuntime

/// `DirectConvolution`'s loops around its kernel with cache blocks far smaller than the real ones, so that
/// small convolutions go through every combination the large layers of a network do: input channels summed
/// in several blocks through partial sums, several blocks of positions, the work split into tasks along
/// positions or output channels.
@Suite struct DirectConvolutionTests {
  struct Case: CustomStringConvertible, Sendable {
    var channels: Int
    var outputChannels: Int
    var spatial: [Int]
    var strides: [Int]
    var pads: [Int]
    var groups = 1
    var blocking: DirectConvolution.Blocking
    var workers: Int

    var description: String {
      "C\(channels) M\(outputChannels) in\(spatial) s\(strides) p\(pads) g\(groups) "
        + "blocks \(blocking.blockReductionSteps)/\(blocking.inputBlockBytes)/\(blocking.partialSumBytes) "
        + "workers \(workers)"
    }
  }

  static let tiny = DirectConvolution.Blocking(
    unblockedReductionSteps: 20, blockReductionSteps: 18, inputBlockBytes: 600, partialSumBytes: 3000)
  static let cases: [Case] = [
    Case(channels: 7, outputChannels: 21, spatial: [9, 13], strides: [1, 1], pads: [1, 1, 1, 1], blocking: tiny, workers: 1),
    Case(channels: 7, outputChannels: 21, spatial: [9, 13], strides: [1, 1], pads: [1, 1, 1, 1], blocking: tiny, workers: 3),
    Case(channels: 5, outputChannels: 40, spatial: [11, 6], strides: [2, 2], pads: [1, 0, 1, 2], blocking: tiny, workers: 2),
    Case(channels: 8, outputChannels: 12, spatial: [7, 9], strides: [1, 2], pads: [0, 1, 2, 1], groups: 2, blocking: tiny, workers: 1),
    Case(channels: 7, outputChannels: 21, spatial: [9, 13], strides: [1, 1], pads: [1, 1, 1, 1], blocking: .standard, workers: 1),
  ]

  @Test(arguments: cases)
  func matchesNaiveConvolution(_ spec: Case) throws {
    var random = SeededGenerator(seed: UInt64(spec.channels * 17 + spec.outputChannels))
    let operands = StepOperands(
      site: StepSite(index: 0, name: "test", kernel: "test"), inputs: [], outputs: [],
      constants: UnsafeRawBufferPointer(start: nil, count: 0))
    var axes = try WindowAxes(
      input: spec.spatial, kernelShape: [3, 3], defaultKernel: nil, strides: spec.strides.map(Int64.init),
      dilations: [], pads: spec.pads.map(Int64.init), operands: operands)
    let output = try (1..<3).map { axis in try #require(axes.floorOutput(axis: axis)) }
    try axes.setOutput(output, operands)
    let channelsPerGroup = spec.channels / spec.groups
    let x = random.floats(spec.channels * axes.inputPlane)
    let w = random.floats(spec.outputChannels * channelsPerGroup * 9)
    let bias = random.floats(spec.outputChannels)
    let residual = random.floats(spec.outputChannels * axes.outputPlane)
    let rows = spec.outputChannels / spec.groups
    let depth = channelsPerGroup * 9
    var panels: [PackedPanels] = []
    try w.withUnsafeBufferPointer { weights in
      for group in 0..<spec.groups {
        panels.append(
          try PackedPanels(
            weights.baseAddress! + group * rows * depth, rowStride: depth, depthStride: 1, rows: rows, depth: depth,
            width: DirectConvolution.kernel.lanes))
      }
    }
    let direct = try DirectConvolution(
      weights: panels, input: PaddedInput(axes, site: operands.site), groups: spec.groups,
      channelsPerGroup: channelsPerGroup, outputChannelsPerGroup: rows, blocking: spec.blocking)
    #expect(spec.blocking.blockReductionSteps > 100 || direct.channelBlock < channelsPerGroup, "channels not blocked")
    var y = [Float](repeating: .nan, count: spec.outputChannels * axes.outputPlane)
    run(direct, x, &y, bias: bias, residual: residual, workers: spec.workers)
    let expected = NaiveConvolution(
      x: x, xShape: [1, spec.channels] + spec.spatial, w: w, wShape: [spec.outputChannels, channelsPerGroup, 3, 3],
      bias: bias, residual: residual, strides: spec.strides, dilations: [1, 1], pads: spec.pads, group: spec.groups,
      outputShape: [1, spec.outputChannels] + output
    ).compute().map { max($0, 0) }
    expectClose(y.map(Double.init), expected, absolute: 1e-5 * Double(channelsPerGroup * 9 + 1), relative: 1e-4, "\(spec)")
  }

  /// One image through `direct` with bias, residual and ReLU, on a run context of its own.
  private func run(
    _ direct: DirectConvolution, _ x: [Float], _ y: inout [Float], bias: [Float], residual: [Float], workers: Int
  ) {
    let perWorker = max(direct.partialSumFloats, 1)
    var shared = [Float](repeating: 0, count: max(direct.groups * direct.channelsPerGroup * direct.input.plane, 1))
    var scratch = [Float](repeating: 0, count: perWorker * workers)
    let addresses: [UnsafeMutableRawPointer] = []
    addresses.withUnsafeBufferPointer { table in
      shared.withUnsafeMutableBytes { sharedBytes in
        scratch.withUnsafeMutableBytes { scratchBytes in
          x.withUnsafeBufferPointer { input in
            bias.withUnsafeBufferPointer { biasPointer in
              residual.withUnsafeBufferPointer { residualPointer in
                y.withUnsafeMutableBufferPointer { output in
                  let context = RunContext(
                    addresses: table, scratch: scratchBytes.baseAddress!, scratchStride: perWorker * 4,
                    sharedScratch: sharedBytes.baseAddress!, threads: workers, pool: nil)
                  direct.run(
                    context, image: input.baseAddress!, output: output.baseAddress!,
                    epilogue: DirectConvolution.ImageEpilogue(
                      bias: biasPointer.baseAddress, residual: residualPointer.baseAddress, activation: .relu),
                    workers: workers)
                }
              }
            }
          }
        }
      }
    }
  }
}
