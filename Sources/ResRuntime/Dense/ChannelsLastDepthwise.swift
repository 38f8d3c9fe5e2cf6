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
  static let planeKernel = ChannelsLastDepthwisePlaneMicrokernel.self

  let windows: ChannelsLastWindows
  /// The padded plane of one block of 16 channels when the step runs block by block on the plane kernel
  /// (`ChannelsLastDepthwisePlaneMicrokernel`); nil when it runs row by row on the row kernel.
  let plane: PaddedPlane?
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

  /// A block's input plane with the padding written out: `height × width` positions of 16 floats.
  struct PaddedPlane {
    let height: Int
    let width: Int
    var floats: Int { height * width * ChannelsLastDepthwisePlaneMicrokernel.lanes }
  }

  /// Padded planes of at most this many positions (64 KB a block, in the second-level cache) run block by
  /// block. MobileNetV2's 3×3 layers, one thread: 14×14 on 384 and 576 channels 0.019 → 0.017 and 0.029 →
  /// 0.025 ms, 28×28 on 192 channels (900 positions padded) 0.034 → 0.031; at 56×56 (3,364) the plane
  /// leaves the cache and the row kernel was faster, 0.086 against 0.099.
  static let planeMaximumPositions = 1024

  /// Multiply-adds per copied position below which the copy costs more than the border windows save
  /// (MobileNetV2's 576 channels at stride 2, 14→7: 1.7, 10 → 14 µs; MNASNet's 5×5 window on 3×3: 4.6,
  /// 7 → 9 µs), while a 7×7 plane under a 3×3 window (5.4) gained 18 → 15 µs.
  static let planeMinimumTapsPerCopy = 5

  /// Nil when `multiplier` is not 1. `weights` is the ONNX constant `[C, 1, kD, kH, kW]` (any of the
  /// leading kernel sizes 1) in row-major order, read only here. `planes` chooses between the row kernel and
  /// padded planes.
  init?(
    weights source: UnsafePointer<Float>, axes: WindowAxes, channels: Int, multiplier: Int, site: StepSite,
    planes: PlaneChoice = .whenFaster
  ) throws(RuntimeError) {
    guard multiplier == 1 else { return nil }
    windows = try ChannelsLastWindows(axes: axes, channels: channels, site: site)
    plane = planes == .never ? nil : Self.paddedPlane(axes, requiringGain: planes == .whenFaster)
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

  /// Whether a step runs on padded planes: where it measured faster (the default), wherever it can (a 2-D
  /// window whose padded plane has at most `planeMaximumPositions` positions), or never. Tests run both ways.
  enum PlaneChoice {
    case whenFaster
    case always
    case never
  }

  /// The padded plane of a 2-D window of at most `planeMaximumPositions` positions (and, when `requiringGain`,
  /// at least `planeMinimumTapsPerCopy` multiply-adds per copied position), or nil.
  private static func paddedPlane(_ axes: WindowAxes, requiringGain: Bool) -> PaddedPlane? {
    guard axes.input[0] == 1, axes.kernel[0] == 1, axes.output[0] == 1 else { return nil }
    // Each size bounded before it is added or multiplied, so a hostile plan's sizes cannot overflow.
    let sizes = [axes.input[1], axes.input[2], axes.padsBegin[1], axes.padsEnd[1], axes.padsBegin[2], axes.padsEnd[2]]
    guard sizes.allSatisfy({ $0 <= planeMaximumPositions }) else { return nil }
    let height = axes.input[1] + axes.padsBegin[1] + axes.padsEnd[1]
    let width = axes.input[2] + axes.padsBegin[2] + axes.padsEnd[2]
    guard height * width <= planeMaximumPositions else { return nil }
    // The output plane is at most the padded one, and each window side at most the padded side.
    if requiringGain, axes.outputPlane * axes.kernelVolume < planeMinimumTapsPerCopy * height * width { return nil }
    return PaddedPlane(height: height, width: width)
  }

  /// The tap lists, or the padded plane, of one worker.
  func scratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    let lists = try CheckedMath.multiply(windows.tapListInts, MemoryLayout<Int>.stride, "\(site): depthwise tap lists")
    return max(lists, (plane?.floats ?? 0) * 4)
  }

  /// Multiply–adds of a run over `batch` images, for `RunContext.workers(work:tasks:)`, and the number of
  /// independent rows it can be split into.
  func work(batch: Int) -> Int { RunContext.work(batch, axes.outputPlane, channels, axes.kernelVolume) }
  func rows(batch: Int) -> Int { windows.rows(batch: batch) }

  private var blocks: Int { (channels + Self.kernel.lanes - 1) / Self.kernel.lanes }

  /// Convolves `batch` images, their output rows split over `workers` in contiguous ranges, or on one
  /// worker, where the step has padded planes, block by block.
  func run(_ context: RunContext, _ operands: Operands, batch: Int, workers: Int) {
    // On several workers the rows stay on the row kernel: split by channel blocks, each worker wrote (and
    // the next step then read) every position of half the channels, so the steps before and after, split
    // by positions, found half their data in the other core's cache (MobileNetV2's 14×14 and 28×28 layers
    // on two threads 0.022 → 0.031 and 0.031 → 0.052 ms).
    if let plane, workers == 1 {
      runPlanes(context, operands, plane, batch: batch)
      return
    }
    let rowCount = windows.rows(batch: batch)
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

  /// Image by image, block by block of 16 channels: the block's padded plane copied into the scratch, then
  /// every output position of the block.
  private func runPlanes(_ context: RunContext, _ operands: Operands, _ plane: PaddedPlane, batch: Int) {
    let weights = UnsafePointer(self.weights.floats(count: axes.kernelVolume * weightStride))
    let lanes = Self.planeKernel.lanes
    let copy = context.scratchFloats(worker: 0)
    for task in 0..<(batch * blocks) {
      let image = task / blocks
      // The last block whole, overlapping the one before it, unless the residual is the output itself
      // (`ChannelsLastDepthwiseTile.overlappingLastBlock`).
      let overlaps = channels > lanes && operands.residual != UnsafePointer(operands.output)
      let channel = overlaps ? min(task % blocks * lanes, channels - lanes) : task % blocks * lanes
      let blockLanes = min(lanes, channels - channel)
      copyPlane(operands.input + image * windows.inputImage + channel, lanes: blockLanes, plane, into: copy)
      let output = image * windows.outputImage + channel
      Self.planeKernel.run(
        ChannelsLastDepthwisePlaneTile(
          plane: UnsafePointer(copy), planeWidth: plane.width, weights: weights + channel, weightStride: weightStride,
          kernel: (axes.kernel[1], axes.kernel[2]), strides: (axes.strides[1], axes.strides[2]),
          dilations: (axes.dilations[1], axes.dilations[2]), outputSize: (axes.output[1], axes.output[2]),
          output: operands.output + output, outputStride: channels, lanes: blockLanes,
          bias: operands.bias.map { $0 + channel }, residual: operands.residual.map { $0 + output },
          activation: operands.activation))
    }
  }

  /// Copies `lanes` channels of one image from `input` (at the block's first channel) into `copy` as a padded
  /// plane: zeros in the padding and in the lanes past `lanes`.
  private func copyPlane(
    _ input: UnsafePointer<Float>, lanes: Int, _ plane: PaddedPlane, into copy: UnsafeMutablePointer<Float>
  ) {
    let width = Self.planeKernel.lanes
    let (rows, columns) = (axes.input[1], axes.input[2])
    let (top, left) = (axes.padsBegin[1], axes.padsBegin[2])
    let zero = SIMD16<Float>()
    for row in 0..<plane.height {
      let target = copy + row * plane.width * width
      let sourceRow = row - top
      guard sourceRow >= 0, sourceRow < rows else {
        for column in 0..<plane.width { VectorAccess.store(zero, target + column * width) }
        continue
      }
      for column in 0..<left { VectorAccess.store(zero, target + column * width) }
      let source = input + sourceRow * columns * channels
      if lanes == width {
        for column in 0..<columns {
          VectorAccess.store(VectorAccess.load(source + column * channels), target + (left + column) * width)
        }
      } else {
        for column in 0..<columns {
          VectorAccess.store(
            VectorAccess.loadPartialInRegisters(source + column * channels, lanes), target + (left + column) * width)
        }
      }
      for column in (left + columns)..<plane.width { VectorAccess.store(zero, target + column * width) }
    }
  }
}
