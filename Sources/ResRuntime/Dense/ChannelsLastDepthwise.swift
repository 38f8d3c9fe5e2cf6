import ResKernels

/// A depthwise convolution over channels-last tensors: X `[N, D, H, W, C]`, Y and the residual
/// `[N, D', H', W', C]` (leading spatial axes of size 1 for 1-D and 2-D windows), with `groups == C` and one
/// input channel per group. **Channel multiplier 1 only**: output channel `c` reads input channel `c` alone
/// (MobileNet, EfficientNet, ConvNeXt); `init` returns nil for a multiplier above 1, which stays on
/// `DepthwiseConvolution`.
///
/// The channels ride the vector lanes (`ChannelsLastDepthwiseMicrokernel`), so every stride and dilation
/// reads plain vectors straight from X: no padded plane copies, no stride phases, no transposes, which is
/// where the NCHW method's stride-2 layers lost their time. Windows that cross the border list only their
/// taps inside the input (`ChannelsLastWindows`). The weights are rearranged once, at load, into one row per
/// tap padded to the lane width.
///
/// A class: a run's parallel loop captures the method, and a struct holding the window tables' arrays was
/// copied, every array retained and released, for each step of each run (1 % of MobileNetV2's time); the
/// other channels-last methods are classes for the same reason.
final class ChannelsLastDepthwise: Sendable {
  static let kernel = ChannelsLastDepthwiseMicrokernel.self

  let windows: ChannelsLastWindows
  /// `kernelVolume` rows of `weightStride` floats: row `t` holds tap `t` of every channel, zeros past C.
  let weights: AlignedMemory
  let weightStride: Int

  var axes: WindowAxes { windows.axes }
  var channels: Int { windows.channels }

  /// The operands of a run over the whole batch, each at image 0, channel 0.
  struct Operands {
    var input: UnsafePointer<Float>
    var output: UnsafeMutablePointer<Float>
    /// `channels` floats, or nil for no bias.
    var bias: UnsafePointer<Float>?
    /// Laid out as the output, or nil.
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
  }

  /// Pieces per worker when a run is split: with more pieces than workers the caller takes over the rows of
  /// a helper that starts late (the shared machine often deschedules the second thread for a while), as
  /// `DepthwiseConvolution` does with its channels.
  static let piecesPerWorker = 4

  /// Nil when `multiplier` is not 1. `weights` is the ONNX constant `[C, 1, kD, kH, kW]` (any of the
  /// leading kernel sizes 1) in row-major order, read only here.
  init?(
    weights source: UnsafePointer<Float>, axes: WindowAxes, channels: Int, multiplier: Int, site: StepSite
  ) throws(RuntimeError) {
    guard multiplier == 1 else { return nil }
    windows = try ChannelsLastWindows(axes: axes, channels: channels, site: site)
    let lanes = Self.kernel.lanes
    let blocks = channels / lanes + (channels % lanes == 0 ? 0 : 1)
    weightStride = try CheckedMath.multiply(blocks, lanes, "\(site): padded channels")
    let floats = try CheckedMath.multiply(axes.kernelVolume, weightStride, "\(site): depthwise weights")
    let bytes = try CheckedMath.multiply(floats, 4, "\(site): depthwise weight bytes")
    weights = try AlignedMemory.allocate(bytes, for: "\(site): depthwise weights").zeroed()
    let rows = weights.floats(count: floats)
    for channel in 0..<channels {
      for tap in 0..<axes.kernelVolume {
        rows[tap * weightStride + channel] = source[channel * axes.kernelVolume + tap]
      }
    }
  }

  /// The tap lists of one worker.
  func scratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    try CheckedMath.multiply(windows.tapListInts, MemoryLayout<Int>.stride, "\(site): depthwise tap lists")
  }

  /// Multiply–adds of a run over `batch` images, for `RunContext.workers(work:tasks:)`, and the number of
  /// independent rows it can be split into.
  func work(batch: Int) -> Int { RunContext.work(batch, axes.outputPlane, channels, axes.kernelVolume) }
  func rows(batch: Int) -> Int { windows.rows(batch: batch) }

  /// Convolves `batch` images, their output rows split over `workers` in contiguous ranges.
  func run(_ context: RunContext, _ operands: Operands, batch: Int, workers: Int) {
    let rowCount = rows(batch: batch)
    let parts = workers > 1 ? workers * Self.piecesPerWorker : 1
    let ranges = RunContext.ranges(of: rowCount, parts: parts, granule: 1)
    let weights = UnsafePointer(self.weights.floats(count: axes.kernelVolume * weightStride))
    // An interior segment lists every column tap of each row it reads, in rows of the kernel's width
    // (`ChannelsLastDepthwiseTile.rowTaps`; the kernel checks that they are evenly spaced).
    context.parallelFor(tasks: ranges.count, workers: workers) { task, worker in
      let lists = UnsafeMutableRawPointer(context.scratchFloats(worker: worker))
        .bindMemory(to: Int.self, capacity: windows.tapListInts)
      for row in ranges[task] {
        windows.forEachSegment(row: row, lists: lists) { segment, taps, tapWeights in
          Self.kernel.run(
            ChannelsLastDepthwiseTile(
              input: operands.input + segment.inputOffset, positionStride: axes.strides[2] * channels, taps: taps,
              tapWeights: tapWeights, tapCount: segment.tapCount, weights: weights, weightStride: weightStride,
              channels: channels, positions: segment.positions, output: operands.output + segment.outputOffset,
              bias: operands.bias, residual: operands.residual.map { $0 + segment.outputOffset },
              activation: operands.activation,
              rowTaps: segment.positions > 1 ? axes.kernel[2] : 0))
        }
      }
    }
  }
}
