import ResKernels
import Testing

/// `ChannelsLastPoolMicrokernel` against naive loops. Run from KernelGridTests, as the registry's
/// `channelsLastPool` and `channelsLastGlobalAverage`.
enum ChannelsLastPoolKernelTests {
  /// `run`: channel counts below, at and past one and two blocks of 16 lanes, every segment length from 1
  /// to 9 (the 4-position step and the single positions after it), no tap to 9 taps at scattered offsets,
  /// position strides 1 and 2, maximum and mean. Input positions are padded with NaN cells no listed tap
  /// reads; the maximum also runs on inputs with NaN among the listed values, which must come out NaN, and on
  /// inputs with both infinities (the kernel's NaN check, a running sum, then turns NaN on windows without a
  /// NaN: they must still come out as the largest value). Both
  /// reductions are exact in the naive loop's order (a maximum; a float sum in tap order, divided once), so
  /// the results must match bit for bit.
  static func checkRows() {
    var random = SeededGenerator(seed: 37)
    let reductions: [ChannelsLastPoolTile.Reduction] = [.maximum, .mean(divisor: 9), .mean(divisor: 4)]
    for channels in [1, 7, 16, 17, 40] {
      for tapCount in [0, 1, 4, 9] {
        for stride in 1...2 {
          for positions in 1...9 {
            for (index, reduction) in reductions.enumerated() {
              let specials: [RowCase.Special] = index == 0 ? [.none, .nan, .infinities] : [.none]
              for special in specials {
                let spec = RowCase(
                  channels: channels, tapCount: tapCount, stride: stride, positions: positions, reduction: reduction,
                  special: special)
                checkRow(spec, &random)
              }
            }
          }
        }
      }
    }
  }

  private struct RowCase {
    var channels: Int
    var tapCount: Int
    var stride: Int
    var positions: Int
    var reduction: ChannelsLastPoolTile.Reduction
    /// Values planted among the listed inputs.
    var special: Special

    enum Special {
      case none
      /// Some listed values are NaN.
      case nan
      /// Some listed values are +∞ and some −∞, never NaN.
      case infinities
    }
  }

  private static let rowName = Microkernel.channelsLastPool.name

  private static func checkRow(_ spec: RowCase, _ random: inout SeededGenerator) {
    let channels = spec.channels
    let pitch = channels + 3
    let tapPositions = (0..<spec.tapCount).map { tap in (tap * 5) % 11 + tap / 4 }
    let taps = tapPositions.map { $0 * pitch }
    let positionStride = spec.stride * pitch
    let inputPositions = (spec.positions - 1) * spec.stride + (tapPositions.max() ?? 0) + 1
    var input = random.floats(inputPositions * pitch)
    for index in input.indices {
      if index % pitch >= channels {
        input[index] = .nan
        continue
      }
      switch spec.special {
      case .none: break
      case .nan: if index % 13 == 5 { input[index] = .nan }
      case .infinities: if index % 7 == 3 { input[index] = index % 2 == 0 ? .infinity : -.infinity }
      }
    }
    let initial = random.floats((spec.positions + 2) * channels)
    var output = initial
    let first = channels
    let storedTaps = taps + [0]
    input.withUnsafeBufferPointer { inputPointer in
      storedTaps.withUnsafeBufferPointer { tapPointer in
        output.withUnsafeMutableBufferPointer { outputPointer in
          ChannelsLastPoolMicrokernel.run(
            ChannelsLastPoolTile(
              input: inputPointer.baseAddress!, positionStride: positionStride, taps: tapPointer.baseAddress!,
              tapCount: spec.tapCount, channels: channels, positions: spec.positions,
              output: outputPointer.baseAddress! + first, reduction: spec.reduction))
        }
      }
    }
    var mismatch: String?
    for index in output.indices where mismatch == nil {
      let cell = index - first
      guard cell >= 0, cell < spec.positions * channels else {
        if output[index].bitPattern != initial[index].bitPattern { mismatch = "wrote outside the segment at \(index)" }
        continue
      }
      let (position, channel) = (cell / channels, cell % channels)
      let values = taps.map { input[position * positionStride + $0 + channel] }
      let expected = naiveReduction(values, spec.reduction)
      if output[index].bitPattern != expected.bitPattern {
        mismatch = "position \(position) channel \(channel): \(output[index]) vs \(expected)"
      }
    }
    #expect(mismatch == nil, "\(rowName) \(spec): \(mismatch ?? "")")
  }

  /// The largest value, NaN as soon as one value is NaN, −∞ for none; or the float sum in order over the
  /// divisor.
  private static func naiveReduction(_ values: [Float], _ reduction: ChannelsLastPoolTile.Reduction) -> Float {
    switch reduction {
    case .maximum:
      var result = -Float.infinity
      for value in values where value.isNaN || value > result { result = value }
      return result
    case .mean(let divisor):
      var sum: Float = 0
      for value in values { sum += value }
      return sum / divisor
    }
  }

  /// `globalAverage`: images of 1 to 49 positions, every channel count up to 16 from a first channel at and
  /// off a block boundary of a wider image; only channels `first ..< first + count` are written, each the
  /// double-precision mean in position order rounded once, bit for bit.
  static func checkGlobalAverage() {
    var random = SeededGenerator(seed: 41)
    let name = Microkernel.channelsLastGlobalAverage.name
    for positions in [1, 2, 7, 49] {
      for (channels, first) in [(16, 0), (40, 16), (40, 3), (21, 5)] {
        for count in 1...min(16, channels - first) {
          let input = random.floats(positions * channels)
          let initial = random.floats(channels)
          var output = initial
          input.withUnsafeBufferPointer { inputPointer in
            output.withUnsafeMutableBufferPointer { outputPointer in
              ChannelsLastPoolMicrokernel.globalAverage(
                inputPointer.baseAddress!, positions: positions, channels: channels, first: first, count: count,
                into: outputPointer.baseAddress!)
            }
          }
          let mismatch = output.indices.first { channel in
            guard channel >= first, channel < first + count else {
              return output[channel].bitPattern != initial[channel].bitPattern
            }
            var sum = 0.0
            for position in 0..<positions { sum += Double(input[position * channels + channel]) }
            return output[channel].bitPattern != Float(sum / Double(positions)).bitPattern
          }
          #expect(
            mismatch == nil,
            "\(name) \(positions) positions, channels \(first)..<\(first + count) of \(channels): channel \(mismatch ?? -1)")
        }
      }
    }
  }
}
