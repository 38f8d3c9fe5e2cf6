import ResKernels

/// Max, average and global average pooling over a channels-last X (`[N, D, H, W, C]`, leading spatial axes
/// of size 1 for 1-D and 2-D), with the semantics of `PoolOperator`: padding never wins a maximum and a NaN
/// in a window makes its maximum NaN; an average divides its window's sum (in tap order) by the cells inside
/// the input, or with `count_include_pad` by those inside the padded input (ceil-mode cells past the end
/// padding never count). Y is channels-last; a global average's Y is `[N, C]`, the same bytes as
/// `[N, C, 1, 1]` in either layout.
///
/// The channels ride the vector lanes (`ChannelsLastPoolMicrokernel`), so any window, stride and dilation
/// reads plain vectors from X in place; border windows list only their taps inside the input
/// (`ChannelsLastWindows`), with their own divisor.
struct ChannelsLastPooling: Sendable {
  static let kernel = ChannelsLastPoolMicrokernel.self

  let kind: PoolOperator.Kind
  let windows: ChannelsLastWindows
  let countIncludePad: Bool

  var axes: WindowAxes { windows.axes }
  var channels: Int { windows.channels }

  /// Pieces per worker when a run is split (of output rows, or of 16-channel blocks for a global average),
  /// so that the caller can take over the share of a helper that starts late.
  static let piecesPerWorker = 4

  /// `axes` as `PoolOperator` builds them (for a global average: the whole plane as the window, output 1).
  init(
    _ kind: PoolOperator.Kind, axes: WindowAxes, channels: Int, countIncludePad: Bool, site: StepSite
  ) throws(RuntimeError) {
    self.kind = kind
    self.countIncludePad = countIncludePad
    windows = try ChannelsLastWindows(axes: axes, channels: channels, site: site)
  }

  /// The tap lists of one worker (none for a global average).
  func scratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    if kind == .globalAverage { return 0 }
    return try CheckedMath.multiply(windows.tapListInts, MemoryLayout<Int>.stride, "\(site): pooling tap lists")
  }

  /// Element operations of a run over `batch` images, for `RunContext.workers(work:tasks:)`, and the number
  /// of independent pieces it can be split into.
  func work(batch: Int) -> Int {
    kind == .globalAverage
      ? RunContext.work(batch, axes.inputPlane, channels)
      : RunContext.work(batch, axes.outputPlane, channels, axes.kernelVolume)
  }
  func tasks(batch: Int) -> Int {
    kind == .globalAverage ? RunContext.work(batch, channelBlocks) : windows.rows(batch: batch)
  }

  private var channelBlocks: Int { (channels + Self.kernel.lanes - 1) / Self.kernel.lanes }

  /// Pools `batch` images of `input` into `output`, split over `workers` in contiguous ranges of output
  /// rows (of images' channel blocks for a global average).
  func run(
    _ context: RunContext, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
    workers: Int
  ) {
    let parts = workers > 1 ? workers * Self.piecesPerWorker : 1
    let ranges = RunContext.ranges(of: tasks(batch: batch), parts: parts, granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, worker in
      if kind == .globalAverage {
        for block in ranges[task] { runGlobalAverage(block: block, input, output) }
        return
      }
      let lists = UnsafeMutableRawPointer(context.scratchFloats(worker: worker))
        .bindMemory(to: Int.self, capacity: windows.tapListInts)
      for row in ranges[task] { runRow(row, input, output, lists: lists) }
    }
  }

  private func runRow(
    _ row: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    lists: UnsafeMutablePointer<Int>
  ) {
    windows.forEachSegment(row: row, lists: lists) { segment, taps, _ in
      let reduction: ChannelsLastPoolTile.Reduction
      switch kind {
      case .max: reduction = .maximum
      case .average: reduction = .mean(divisor: Float(countIncludePad ? segment.paddedCount : segment.validCount))
      case .globalAverage: return
      }
      Self.kernel.run(
        ChannelsLastPoolTile(
          input: input + segment.inputOffset, positionStride: axes.strides[2] * channels, taps: taps,
          tapCount: segment.tapCount, channels: channels, positions: segment.positions,
          output: output + segment.outputOffset, reduction: reduction))
    }
  }

  /// Channel block `block` (image-major) of a global average.
  private func runGlobalAverage(block: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
    let image = block / channelBlocks
    let first = block % channelBlocks * Self.kernel.lanes
    Self.kernel.globalAverage(
      input + image * windows.inputImage, positions: axes.inputPlane, channels: channels, first: first,
      count: min(Self.kernel.lanes, channels - first), into: output + image * channels)
  }
}
