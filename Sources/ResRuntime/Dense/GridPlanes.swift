import ResKernels

/// The input of the grid methods (`GridConvolution`, `ChannelsLastGridConvolution`): every input channel of
/// one image written, padded, into `DepthwiseGrid`'s stride-phase planes in the shared scratch, so that output
/// (h, w) has its window origin at grid position `h·phaseWidth + w` and each reduction step (input channel,
/// then tap in weight order) is one offset from it (`offsets`).
struct GridPlanes: Sendable {
  let input: PaddedInput
  let grid: DepthwiseGrid
  let channels: Int
  /// Floats of one input channel's phase planes.
  let channelFloats: Int
  /// One offset per reduction step from a grid position.
  let offsets: [Int]

  /// Nil when `input`'s geometry has no phase grid.
  init?(_ input: PaddedInput, channels: Int) {
    guard let grid = DepthwiseGrid(input) else { return nil }
    self.input = input
    self.grid = grid
    self.channels = channels
    let channelFloats = grid.planeFloats
    self.channelFloats = channelFloats
    offsets = (0..<channels).flatMap { channel in grid.taps.map { channel * channelFloats + $0 } }
  }

  /// Reduction steps: input channels × window taps.
  var depth: Int { channels * grid.taps.count }

  /// Bytes of the phase planes of every input channel and the room the last vector reads past them (shared).
  func sharedScratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    let planes = try CheckedMath.multiply(channels, channelFloats, "\(site): grid phase planes")
    return try CheckedMath.multiply(planes + DepthwiseConvolution.slack, 4, "\(site): grid phase plane bytes")
  }

  /// Writes one image's channels (row-major planes from `image`) into the shared scratch's phase planes,
  /// channels split over `workers`, with the slack the last channel's last vector reads zeroed; returns the
  /// planes.
  func prepare(_ context: RunContext, image: UnsafePointer<Float>, workers: Int) -> UnsafePointer<Float> {
    let planes = context.sharedScratch.bindMemory(
      to: Float.self, capacity: channels * channelFloats + DepthwiseConvolution.slack)
    VectorAccess.fill(planes + channels * channelFloats, floats: DepthwiseConvolution.slack, with: 0)
    context.parallelFor(tasks: channels, workers: workers) { channel, _ in
      grid.clear(planes + channel * channelFloats)
      grid.copyInterior(image + channel * input.axes.inputPlane, input, into: planes + channel * channelFloats)
    }
    return UnsafePointer(planes)
  }
}
