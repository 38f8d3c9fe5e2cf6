import ResKernels
import Testing

/// `ChannelsLastDepthwiseMicrokernel` against a naive loop. Run from KernelGridTests, as the registry's
/// `channelsLastDepthwise`: channel counts below, at and past one and two blocks of 16 lanes, every segment
/// length from 1 to 13 (each mix of the kernel's 6-, 4-, 2- and 1-position steps), no tap to 9 taps at
/// scattered offsets with their own weight rows, position strides 1 to 3; then bias, residual and each
/// activation. Input positions are padded with NaN cells and the listed weight rows lie between NaN rows
/// (their own padding past the channels is zero, as the tile requires), so a kernel that read the wrong cell
/// or row would carry a NaN out; the output is checked for writes outside the segment.
enum ChannelsLastDepthwiseKernelTests {
  static func check() {
    var random = SeededGenerator(seed: 31)
    for channels in [1, 7, 16, 17, 40] {
      for tapCount in [0, 1, 9] {
        for stride in 1...3 {
          for positions in 1...13 {
            let spec = Case(
              channels: channels, tapCount: tapCount, stride: stride, positions: positions, bias: false,
              residual: false, activation: .identity)
            checkTile(spec, &random)
          }
        }
      }
    }
    for (index, activation) in MicrokernelRegistry.epilogueTestFunctions.enumerated() {
      for (channels, positions) in [(5, 1), (16, 7), (35, 13)] {
        let spec = Case(
          channels: channels, tapCount: 9, stride: index % 3 + 1, positions: positions, bias: index % 3 != 2,
          residual: index % 2 == 0, activation: activation)
        checkTile(spec, &random)
      }
    }
  }

  private struct Case {
    var channels: Int
    var tapCount: Int
    var stride: Int
    var positions: Int
    var bias: Bool
    var residual: Bool
    var activation: PointwiseFunction
  }

  private static let name = Microkernel.channelsLastDepthwise.name

  private static func checkTile(_ spec: Case, _ random: inout SeededGenerator) {
    let channels = spec.channels
    // Input positions `pitch` floats apart: the channels, then NaN cells no tap reads.
    let pitch = channels + 3
    let tapPositions = (0..<spec.tapCount).map { tap in (tap * 5) % 11 + tap / 4 }
    let taps = tapPositions.map { $0 * pitch }
    // Each tap reads its own weight row, out of order, between NaN rows no tap lists.
    let tapWeights = (0..<spec.tapCount).map { (spec.tapCount - 1 - $0) * 2 + 1 }
    let weightStride = (channels + 15) / 16 * 16 + 16
    var weights = [Float](repeating: .nan, count: (2 * spec.tapCount + 1) * weightStride)
    let values = random.floats(channels * spec.tapCount)
    for (tap, row) in tapWeights.enumerated() {
      for lane in 0..<weightStride {
        weights[row * weightStride + lane] = lane < channels ? values[tap * channels + lane] : 0
      }
    }
    let positionStride = spec.stride * pitch
    let inputPositions = (spec.positions - 1) * spec.stride + (tapPositions.max() ?? 0) + 1
    var input = random.floats(inputPositions * pitch)
    for position in 0..<inputPositions {
      for cell in channels..<pitch { input[position * pitch + cell] = .nan }
    }
    // The output and residual between NaN guards of one position on each side.
    let guardCells = channels
    let initial = random.floats((spec.positions + 2) * channels)
    let bias = random.floats(channels)
    let residual = random.floats((spec.positions + 2) * channels)
    var output = initial
    run(spec, input, positionStride: positionStride, taps, tapWeights, weights, weightStride: weightStride,
      output: &output, at: guardCells, bias: bias, residual: residual)
    var mismatch: String?
    for index in output.indices where mismatch == nil {
      let cell = index - guardCells
      guard cell >= 0, cell < spec.positions * channels else {
        if output[index].bitPattern != initial[index].bitPattern { mismatch = "wrote outside the segment at \(index)" }
        continue
      }
      let (position, channel) = (cell / channels, cell % channels)
      var sum = spec.bias ? Double(bias[channel]) : 0
      for tap in 0..<spec.tapCount {
        let weight = weights[tapWeights[tap] * weightStride + channel]
        sum += Double(weight) * Double(input[position * positionStride + taps[tap] + channel])
      }
      if spec.residual { sum += Double(residual[index]) }
      sum = NaiveMath.pointwise(spec.activation, sum)
      if !NaiveMath.close(output[index], sum, absolute: 2e-6 * Double(spec.tapCount + 2), relative: 1e-4) {
        mismatch = "position \(position) channel \(channel): \(output[index]) vs \(sum)"
      }
    }
    #expect(mismatch == nil, "\(name) \(spec): \(mismatch ?? "")")
  }

  private static func run(
    _ spec: Case, _ input: [Float], positionStride: Int, _ taps: [Int], _ tapWeights: [Int], _ weights: [Float],
    weightStride: Int, output: inout [Float], at first: Int, bias: [Float], residual: [Float]
  ) {
    // One more entry than taps, so that the lists are never empty (the kernel reads `tapCount` of them).
    let storedTaps = taps + [0]
    let storedTapWeights = tapWeights + [0]
    input.withUnsafeBufferPointer { inputPointer in
      storedTaps.withUnsafeBufferPointer { tapPointer in
        storedTapWeights.withUnsafeBufferPointer { tapWeightPointer in
          weights.withUnsafeBufferPointer { weightPointer in
            bias.withUnsafeBufferPointer { biasPointer in
              residual.withUnsafeBufferPointer { residualPointer in
                output.withUnsafeMutableBufferPointer { outputPointer in
                  ChannelsLastDepthwiseMicrokernel.run(
                    ChannelsLastDepthwiseTile(
                      input: inputPointer.baseAddress!, positionStride: positionStride, taps: tapPointer.baseAddress!,
                      tapWeights: tapWeightPointer.baseAddress!, tapCount: spec.tapCount,
                      weights: weightPointer.baseAddress!, weightStride: weightStride, channels: spec.channels,
                      positions: spec.positions, output: outputPointer.baseAddress! + first,
                      bias: spec.bias ? biasPointer.baseAddress : nil,
                      residual: spec.residual ? residualPointer.baseAddress! + first : nil,
                      activation: spec.activation))
                }
              }
            }
          }
        }
      }
    }
  }
}
