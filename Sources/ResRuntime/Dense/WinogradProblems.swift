import ResKernels

/// Where a Winograd convolution's run reads and writes: X, Y and the residual at image 0's first element
/// (row-major for `WinogradConvolution`, channels-last for `ChannelsLastWinograd`).
struct WinogradOperands {
  var input: UnsafePointer<Float>
  var output: UnsafeMutablePointer<Float>
  var bias: UnsafePointer<Float>?
  var residual: UnsafePointer<Float>?
  var activation: PointwiseFunction
  var batch: Int
  /// Room for every problem's transformed input (`WinogradProblems.sharedScratchBytes`), or nil when none was
  /// reserved.
  var sharedTransformed: UnsafeMutablePointer<Float>?
}

/// How the two Winograd convolutions (`WinogradConvolution` on row-major tensors, `ChannelsLastWinograd`)
/// spread their work over the workers. The work is a list of problems (image, group, block of tiles,
/// numbered in that order), each an input transform into a block's transformed input followed by the
/// products and the output transform (`multiplyAndFinish`) of some of its output channels.
///
/// When a problem's output channels are cut into parts (fewer problems than workers), the parts can share
/// one input transform instead of each transforming the whole block: with at most `winogradSharedProblemLimit`
/// problems the operator reserves every problem's transformed input in the shared scratch, the workers
/// first transform it together (each a range of the input channels), then run the parts. ResNet's 14×14 and
/// 7×7 layers are one block: on two threads both workers used to repeat the whole transform.
protocol WinogradProblems {
  /// Input channels of one group: what the input transform of a problem covers.
  var channelsPerGroup: Int { get }
  /// Floats of one problem's transformed input (and the offset of its products in a worker's scratch).
  var transformedFloats: Int { get }
  /// The multiple of channels a shared transform's ranges start on (whole vectors where channels are on the
  /// lanes).
  static var transformChannelGranule: Int { get }

  /// The input transform of `channels` of problem `problem` into `transformed`.
  func transformInput(
    problem: Int, _ operands: WinogradOperands, channels: Range<Int>, into transformed: UnsafeMutablePointer<Float>)

  /// Problem `problem`'s products for `outputChannels` of its group from its transformed input, transformed
  /// back into Y with the epilogue; the products go to `scratch` past one transformed input.
  func multiplyAndFinish(
    problem: Int, transformed: UnsafeMutablePointer<Float>, outputChannels: Range<Int>, _ operands: WinogradOperands,
    scratch: UnsafeMutablePointer<Float>)
}

/// Problems up to which a Winograd convolution keeps every problem's transformed input in its shared scratch.
let winogradSharedProblemLimit = 8

extension WinogradProblems {
  /// Shared scratch bytes for `problems` problems: every problem's transformed input when there are at most
  /// `winogradSharedProblemLimit` of them, else none.
  func sharedScratchBytes(problems: Int, site: StepSite) throws(RuntimeError) -> Int {
    guard problems <= winogradSharedProblemLimit else { return 0 }
    return try CheckedMath.product([problems, transformedFloats, 4], "\(site): Winograd shared scratch bytes")
  }

  /// Runs `problems` problems, each split into the output channel ranges `outputRanges`, over `workers`:
  /// sharing each problem's input transform among its parts where the operator reserved room for it,
  /// otherwise each task transforming its problem's block into its worker's scratch.
  func run(
    _ context: RunContext, _ operands: WinogradOperands, problems: Int, outputRanges: [Range<Int>], workers: Int
  ) {
    let parts = outputRanges.count
    if parts > 1, problems <= winogradSharedProblemLimit, let shared = operands.sharedTransformed {
      transformShared(context, operands, problems: problems, parts: parts, into: shared, workers: workers)
      context.parallelFor(tasks: problems * parts, workers: workers) { index, worker in
        let problem = index / parts
        multiplyAndFinish(
          problem: problem, transformed: shared + problem * transformedFloats, outputChannels: outputRanges[index % parts],
          operands, scratch: context.scratchFloats(worker: worker))
      }
      return
    }
    context.parallelFor(tasks: problems * parts, workers: workers) { index, worker in
      let problem = index / parts
      let scratch = context.scratchFloats(worker: worker)
      transformInput(problem: problem, operands, channels: 0..<channelsPerGroup, into: scratch)
      multiplyAndFinish(
        problem: problem, transformed: scratch, outputChannels: outputRanges[index % parts], operands,
        scratch: scratch)
    }
  }

  /// Every problem's input transform into `shared`, each problem's channels cut into `parts` ranges.
  private func transformShared(
    _ context: RunContext, _ operands: WinogradOperands, problems: Int, parts: Int,
    into shared: UnsafeMutablePointer<Float>, workers: Int
  ) {
    let channelRanges = RunContext.ranges(of: channelsPerGroup, parts: parts, granule: Self.transformChannelGranule)
    context.parallelFor(tasks: problems * channelRanges.count, workers: workers) { index, _ in
      let problem = index / channelRanges.count
      transformInput(
        problem: problem, operands, channels: channelRanges[index % channelRanges.count],
        into: shared + problem * transformedFloats)
    }
  }
}
