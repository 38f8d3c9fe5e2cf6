import ResKernels
import Testing

/// `DepthwiseChannelMicrokernel` and `ChannelBlockTranspose` against naive loops. Run from KernelGridTests,
/// as the registry's `depthwiseChannels`: rows of every length around the kernel's six-output step, 1, 9 and
/// 25 taps at scattered offsets and column strides 1 to 3; transposes of every channel count up to a block
/// and plane sizes around the 4-position step, into padded blocks with the rows placed off the origin.
enum DepthwiseChannelKernelTests {
  static func check() {
    for tapCount in [1, 9, 25] {
      for columnStride in 1...3 {
        rowMatchesNaiveLoops(tapCount: tapCount, columnStride: columnStride)
      }
    }
    for channels in 1...16 {
      for (positions, width) in [(1, 1), (3, 3), (4, 2), (7, 7), (12, 5), (17, 17), (49, 7), (58, 6)] {
        toPositionsPlacesEveryChannel(channels: channels, positions: positions, width: width)
        toChannelsWritesOnlyTheBlocksChannels(channels: channels, positions: positions)
      }
    }
  }

  /// Output `w` lane `c` is `bias[c] + Σₜ weights[t][c] · input[w·stride·16 + taps[t] + c]`, and nothing past
  /// the last output is written.
  private static func rowMatchesNaiveLoops(tapCount: Int, columnStride: Int) {
    var random = SeededGenerator(seed: UInt64(tapCount * 10 + columnStride))
    let taps = (0..<tapCount).map { tap in 16 * ((tap * 7) % 23 + tap / 3) }
    let weights = random.floats(16 * tapCount)
    let bias = SIMD16<Float>(random.floats(16))
    let stride = 16 * columnStride
    for columns in 1...20 {
      let input = random.floats(columns * stride + (taps.max() ?? 0) + 16)
      var output = [Float](repeating: .nan, count: 16 * columns + 16)
      input.withUnsafeBufferPointer { source in
        taps.withUnsafeBufferPointer { offsets in
          weights.withUnsafeBufferPointer { weightList in
            output.withUnsafeMutableBufferPointer { result in
              DepthwiseChannelMicrokernel.runRow(
                input: source.baseAddress!, columnStride: stride, taps: offsets.baseAddress!,
                weights: weightList.baseAddress!, tapCount: tapCount, bias: bias, output: result.baseAddress!,
                columns: columns)
            }
          }
        }
      }
      for column in 0..<columns {
        for lane in 0..<16 {
          let expected = (0..<tapCount).reduce(Double(bias[lane])) {
            $0 + Double(weights[16 * $1 + lane]) * Double(input[column * stride + taps[$1] + lane])
          }
          let actual = Double(output[16 * column + lane])
          #expect(abs(actual - expected) <= 1e-5 * Double(tapCount), "output \(column) lane \(lane) of \(columns)")
        }
      }
      #expect(output[(16 * columns)...].allSatisfy { $0.isNaN }, "nothing past output \(columns) is written")
    }
  }

  /// Every source cell lands in its slot's lane, lanes past `channels` are zero, and the block's other cells
  /// (its padding) are left alone.
  private static func toPositionsPlacesEveryChannel(channels: Int, positions: Int, width: Int) {
    var random = SeededGenerator(seed: UInt64(channels * 100 + positions))
    let channelStride = positions + 3
    let source = random.floats(channels * channelStride)
    let rows = (positions + width - 1) / width
    let (pitch, rowOffset, columnOffset) = (width + 3, 2, 1)
    var block = [Float](repeating: .nan, count: (rows + 3) * pitch * 16)
    source.withUnsafeBufferPointer { planes in
      block.withUnsafeMutableBufferPointer { destination in
        ChannelBlockTranspose.toPositions(
          planes.baseAddress!, channelStride: channelStride, channels: channels, positions: positions, width: width,
          into: destination.baseAddress!, pitch: pitch, rowOffset: rowOffset, columnOffset: columnOffset)
      }
    }
    var written = Set<Int>()
    for position in 0..<positions {
      let slot = ((rowOffset + position / width) * pitch + columnOffset + position % width) * 16
      for lane in 0..<16 {
        let expected = lane < channels ? source[lane * channelStride + position] : 0
        #expect(block[slot + lane] == expected, "position \(position) lane \(lane), \(channels) channels")
        written.insert(slot + lane)
      }
    }
    #expect(block.indices.allSatisfy { written.contains($0) || block[$0].isNaN }, "only the slots are written")
  }

  /// Channel `c`'s plane gets lane `c` of every position; planes past `channels` and the gaps between planes
  /// are left alone.
  private static func toChannelsWritesOnlyTheBlocksChannels(channels: Int, positions: Int) {
    var random = SeededGenerator(seed: UInt64(channels * 1000 + positions))
    let block = random.floats(16 * positions)
    let channelStride = positions + 5
    var planes = [Float](repeating: .nan, count: 16 * channelStride)
    block.withUnsafeBufferPointer { source in
      planes.withUnsafeMutableBufferPointer { destination in
        ChannelBlockTranspose.toChannels(
          source.baseAddress!, positions: positions, channels: channels, into: destination.baseAddress!,
          channelStride: channelStride)
      }
    }
    for channel in 0..<16 {
      for offset in 0..<channelStride {
        let value = planes[channel * channelStride + offset]
        if channel < channels, offset < positions {
          #expect(value == block[16 * offset + channel], "channel \(channel) position \(offset)")
        } else {
          #expect(value.isNaN, "channel \(channel) cell \(offset) is not the block's")
        }
      }
    }
  }
}
