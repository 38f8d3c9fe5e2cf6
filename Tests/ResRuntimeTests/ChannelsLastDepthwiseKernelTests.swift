import ResKernels
import Testing

/// `ChannelsLastDepthwiseMicrokernel` against a naive loop. Run from KernelGridTests, as the registry's
/// `channelsLastDepthwise`: channel counts below, at and past one and two blocks of 16 lanes, every segment
/// length from 1 to 13 (each mix of the kernel's 6-, 4-, 2- and 1-position steps), no tap to 9 taps at
/// scattered offsets with their own weight rows, position strides 1 to 3; then bias, residual and each
/// activation. Input positions are padded with NaN cells and the listed weight rows lie between NaN rows
/// (their own padding past the channels is zero, as the tile requires), so a kernel that read the wrong cell
/// or row would carry a NaN out; the output is checked for writes outside the segment. Windows whose taps are
/// rows of consecutive positions also run the sliding path (`rowTaps` 3, 5, 7), which must give the bits of
/// the listed taps.
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
    // Rows of taps the kernel slides along (`rowTaps`): two or three kernel rows of 3, 5 or 7 consecutive
    // positions at the position stride, each row's weights consecutive rows; the result must be the same bits
    // as the same taps listed without `rowTaps`.
    // Their own generator, so that the cases above keep their inputs.
    var slidingRandom = SeededGenerator(seed: 37)
    for width in [3, 5, 7] {
      for rows in [2, 3] {
        for channels in [16, 17, 32, 40, 48, 64, 72] {
          for positions in [6, 7, 8, 13] {
            let spec = Case(
              channels: channels, tapCount: rows * width, stride: 1, positions: positions, bias: positions != 7,
              residual: positions == 13, activation: .relu, rowTaps: width)
            checkTile(spec, &slidingRandom)
          }
        }
      }
    }
    // Rows read at stride 2 (each row's taps one position apart, the positions two): the row kernels that know
    // which loads of a row read the same input (5 and 7 taps), and 3 taps, which run as listed.
    for width in [3, 5, 7] {
      for (channels, positions) in [(40, 13), (16, 6), (17, 8)] {
        let spec = Case(
          channels: channels, tapCount: 2 * width, stride: 2, positions: positions, bias: true,
          residual: positions == 13, activation: .relu, rowTaps: width, tapStride: 1)
        checkTile(spec, &slidingRandom)
      }
    }
    // Every epilogue on the row kernels: the clips store each group from the registers (`GroupStore`), the
    // other activations through `finishSix`; channel counts of whole pairs, a pair and a block, an overlapped
    // last block and a partial one.
    var epilogueRandom = SeededGenerator(seed: 41)
    for (index, activation) in MicrokernelRegistry.epilogueTestFunctions.enumerated() {
      for (channels, positions) in [(32, 13), (48, 12), (40, 7), (17, 6)] {
        let spec = Case(
          channels: channels, tapCount: 9, stride: 1, positions: positions, bias: index % 3 != 2,
          residual: index % 2 == 0, activation: activation, rowTaps: 3)
        checkTile(spec, &epilogueRandom)
      }
    }
    // The residual in place (the output's own bytes): a last partial block must not run as a whole block
    // overlapping the one before it, whose channels would then add their already stored results.
    for (channels, positions, rowTaps) in [(40, 13, 3), (40, 5, 0), (17, 7, 3)] {
      checkResidualInPlace(channels: channels, positions: positions, rowTaps: rowTaps, &slidingRandom)
    }
    // Rows of consecutive positions that are not evenly spaced (a 3-D window's rows cross a depth slice):
    // the kernel must take the listed taps, not extrapolate the first two rows' spacing.
    for (width, channels) in [(3, 40), (5, 17), (7, 16)] {
      let spec = Case(
        channels: channels, tapCount: 3 * width, stride: 1, positions: 13, bias: true, residual: false,
        activation: .relu, rowTaps: width, unevenRows: true)
      checkTile(spec, &slidingRandom)
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
    /// Taps per kernel row when they are rows of consecutive positions (`ChannelsLastDepthwiseTile.rowTaps`).
    var rowTaps = 0
    /// Sliding rows whose starts are not evenly spaced (1, 3 and 9 positions in), and whose weight rows are
    /// not either.
    var unevenRows = false
    /// Positions between a sliding row's taps (the position stride when nil).
    var tapStride: Int? = nil
  }

  private static let name = Microkernel.channelsLastDepthwise.name

  private static func checkTile(_ spec: Case, _ random: inout SeededGenerator) {
    let channels = spec.channels
    // Input positions `pitch` floats apart: the channels, then NaN cells no tap reads.
    let pitch = channels + 3
    let sliding = spec.rowTaps > 0
    // Sliding rows: kernel row r starts 2·r + 1 positions in (rows overlap and skip around), its taps one
    // position stride apart; otherwise scattered taps.
    let tapPositions = (0..<spec.tapCount).map { tap in
      sliding
        ? rowStart(tap / spec.rowTaps, spec) + tap % spec.rowTaps * (spec.tapStride ?? spec.stride)
        : (tap * 5) % 11 + tap / 4
    }
    let taps = tapPositions.map { $0 * pitch }
    // Each tap reads its own weight row, out of order, between NaN rows no tap lists; sliding rows keep each
    // kernel row's weights consecutive, the kernel rows in reverse order.
    let tapWeights = (0..<spec.tapCount).map { tap in
      sliding
        ? weightRowStart(tap / spec.rowTaps, spec) + tap % spec.rowTaps + 1
        : (spec.tapCount - 1 - tap) * 2 + 1
    }
    let weightStride = (channels + 15) / 16 * 16 + 16
    let weightRows = sliding ? (spec.tapCount / spec.rowTaps) * (spec.rowTaps + 3) + 1 : 2 * spec.tapCount + 1
    var weights = [Float](repeating: .nan, count: weightRows * weightStride)
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
    if sliding {
      var listed = initial
      var plain = spec
      plain.rowTaps = 0
      run(plain, input, positionStride: positionStride, taps, tapWeights, weights, weightStride: weightStride,
        output: &listed, at: guardCells, bias: bias, residual: residual)
      if !output.elementsEqual(listed, by: { $0.bitPattern == $1.bitPattern }) {
        mismatch = "sliding along rows of \(spec.rowTaps) taps differs from the listed taps"
      }
    }
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

  /// The position kernel row `row` starts at: 2·row + 1 (rows overlap and skip around), or 1, 3, 9 for
  /// uneven rows.
  private static func rowStart(_ row: Int, _ spec: Case) -> Int {
    spec.unevenRows ? row * row * 2 + 1 : row * 2 + 1
  }

  /// The weight row kernel row `row`'s first tap reads: the kernel rows in reverse order, `rowTaps + 1` rows
  /// apart, or with one more row of gap before the last for uneven rows.
  private static func weightRowStart(_ row: Int, _ spec: Case) -> Int {
    let reversed = spec.tapCount / spec.rowTaps - 1 - row
    return reversed * (spec.rowTaps + 1) + (spec.unevenRows && reversed > 1 ? spec.rowTaps : 0)
  }

  /// One row of `positions` positions, 3×3 taps (listed, or as rows of 3 when `rowTaps` is 3), the residual
  /// read from the output buffer itself, against a naive loop over the residual's initial values.
  private static func checkResidualInPlace(
    channels: Int, positions: Int, rowTaps: Int, _ random: inout SeededGenerator
  ) {
    let pitch = channels
    let rowWidth = positions + 2
    let taps = (0..<9).map { ($0 / 3 * rowWidth + $0 % 3) * pitch }
    let tapWeights = Array(0..<9)
    let weightStride = (channels + 15) / 16 * 16
    var weights = [Float](repeating: 0, count: 9 * weightStride)
    let values = random.floats(9 * channels)
    for tap in 0..<9 {
      for channel in 0..<channels { weights[tap * weightStride + channel] = values[tap * channels + channel] }
    }
    let input = random.floats(3 * rowWidth * pitch)
    let initial = random.floats(positions * channels)
    var output = initial
    input.withUnsafeBufferPointer { inputPointer in
      (taps + [0]).withUnsafeBufferPointer { tapPointer in
        (tapWeights + [0]).withUnsafeBufferPointer { tapWeightPointer in
          weights.withUnsafeBufferPointer { weightPointer in
            output.withUnsafeMutableBufferPointer { outputPointer in
              ChannelsLastDepthwiseMicrokernel.run(
                ChannelsLastDepthwiseTile(
                  input: inputPointer.baseAddress!, positionStride: pitch, taps: tapPointer.baseAddress!,
                  tapWeights: tapWeightPointer.baseAddress!, tapCount: 9, weights: weightPointer.baseAddress!,
                  weightStride: weightStride, channels: channels, positions: positions,
                  output: outputPointer.baseAddress!, bias: nil, residual: UnsafePointer(outputPointer.baseAddress!),
                  activation: .identity, rowTaps: rowTaps))
            }
          }
        }
      }
    }
    var mismatch: String?
    for position in 0..<positions {
      for channel in 0..<channels where mismatch == nil {
        var sum = Double(initial[position * channels + channel])
        for tap in 0..<9 {
          sum += Double(weights[tap * weightStride + channel]) * Double(input[position * pitch + taps[tap] + channel])
        }
        if !NaiveMath.close(output[position * channels + channel], sum, absolute: 2e-5, relative: 1e-4) {
          mismatch = "position \(position) channel \(channel): \(output[position * channels + channel]) vs \(sum)"
        }
      }
    }
    #expect(mismatch == nil, "\(name) residual in place, \(channels) channels, rowTaps \(rowTaps): \(mismatch ?? "")")
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
                      activation: spec.activation, rowTaps: spec.rowTaps))
                }
              }
            }
          }
        }
      }
    }
  }
}
