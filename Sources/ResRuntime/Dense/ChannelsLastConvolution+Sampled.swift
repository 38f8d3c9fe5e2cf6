/// `ChannelsLastConvolution.Strategy.sampledGemm`: a strided, unpadded 1×1 convolution (a ResNet downsample)
/// reads every `stride`-th input position. Through the indirect kernel each six-position tile loaded six row
/// pointers per call and ran its reduction alone, at 78–84 % of the FMA peak on ResNet-50's three 1×1/2
/// layers, where the stride-1 1×1s run at about 92 % on the in-place GEMM. So each task first copies the
/// input positions its output positions read into a contiguous matrix (one row of the group's channels per
/// output position: 0.8 MB at most in ResNet-50, one sequential pass), then runs that GEMM on it as a stride-1
/// 1×1 runs on X. Every output is summed by the same chains as before whatever the split, so results stay
/// bit-identical for any worker count.
extension ChannelsLastConvolution {
  /// Floats of a worker's scratch before its sampled matrix: `GemmDriver`'s, rounded up to a cache line.
  var sampledFloatsOffset: Int { (GemmDriver.scratchFloats(packsA: false) + 15) / 16 * 16 }

  /// Floats of the sampled matrix: at most every output position of one image, one group's input channels each
  /// (`Blocking.sampledInputBytes` bounds it).
  var sampledFloats: Int { RunContext.work(axes.outputPlane, channelsPerGroup) }

  /// The task's output positions × output channels from a copy of the positions they read.
  func runSampledGemm(_ task: GemmTask, _ operands: Operands, scratch: UnsafeMutablePointer<Float>) {
    var problem = origin(task, operands)
    let sampled = scratch + sampledFloatsOffset
    copyPositions(task.rows, of: problem.input, into: sampled)
    // The copy's row 0 is the task's first position: the output and residual start there too.
    problem.outputOffset += task.rows.lowerBound * groups * outputChannelsPerGroup
    multiply(
      problem, operands, a: sampled, aRowStride: channelsPerGroup, rows: 0..<task.rows.count, columns: task.columns,
      scratch: scratch)
  }

  /// Copies, for each output position in `positions`, the group's `channelsPerGroup` values at the input
  /// position it reads (`input` at the image's position 0 and the group's first channel) into consecutive rows
  /// of `destination`.
  private func copyPositions(
    _ positions: Range<Int>, of input: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>
  ) {
    let (outputHeight, outputWidth) = (axes.output[1], axes.output[2])
    let (inputHeight, inputWidth) = (axes.input[1], axes.input[2])
    let pixel = groups * channelsPerGroup
    var row = destination
    for position in positions {
      let depth = position / (outputHeight * outputWidth) * axes.strides[0]
      let height = position / outputWidth % outputHeight * axes.strides[1]
      let width = position % outputWidth * axes.strides[2]
      row.update(from: input + ((depth * inputHeight + height) * inputWidth + width) * pixel, count: channelsPerGroup)
      row += channelsPerGroup
    }
  }
}
