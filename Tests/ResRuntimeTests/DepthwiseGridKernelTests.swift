import ResKernels
import Testing

/// `DepthwiseGridMicrokernel` against naive loops: grids of every length around the 16- and 64-position
/// vector blocks, 1, 9 and 25 taps at scattered offsets (`run` reading consecutive floats, `runEvenLanes`
/// every other one), and `finish` with every epilogue combination on rows narrower and wider than a vector. Run from KernelGridTests, as the registry's `depthwiseGrid`.
enum DepthwiseGridKernelTests {
  static func checkGrid() {
    for tapCount in [1, 9, 25] {
      sumsMatchNaiveLoops(tapCount: tapCount)
      evenLaneSumsMatchNaiveLoops(tapCount: tapCount)
    }
    for activation in [PointwiseFunction.identity, .relu, .clip(min: -0.25, max: 0.5), .hardSwish] {
      finishAppliesTheEpilogueAndPacksTheRows(activation: activation)
    }
  }

  private static func sumsMatchNaiveLoops(tapCount: Int) {
    var random = SeededGenerator(seed: UInt64(tapCount))
    let taps = (0..<tapCount).map { tap in (tap * 7) % 23 + tap / 3 }
    let weights = random.floats(tapCount)
    for count in Array(1...70) + [127, 128, 129, 200] {
      let input = random.floats(count + 16 + (taps.max() ?? 0))
      var sums = [Float](repeating: .nan, count: count + 16)
      input.withUnsafeBufferPointer { source in
        taps.withUnsafeBufferPointer { offsets in
          weights.withUnsafeBufferPointer { weightList in
            sums.withUnsafeMutableBufferPointer { result in
              DepthwiseGridMicrokernel.run(
                input: source.baseAddress!, taps: offsets.baseAddress!, weights: weightList.baseAddress!,
                tapCount: tapCount, bias: 0.375, sums: result.baseAddress!, count: count)
            }
          }
        }
      }
      for q in 0..<count {
        let expected = (0..<tapCount).reduce(0.375) { $0 + Double(weights[$1]) * Double(input[q + taps[$1]]) }
        #expect(abs(Double(sums[q]) - expected) <= 1e-5 * Double(tapCount), "position \(q) of \(count)")
      }
      let rounded = (count + 15) / 16 * 16
      #expect(sums[rounded...].allSatisfy { $0.isNaN }, "nothing past the last vector is written (\(count))")
    }
  }

  /// `runEvenLanes`: position `q` reads `input[2q + tap]`; every other input cell is NaN.
  private static func evenLaneSumsMatchNaiveLoops(tapCount: Int) {
    var random = SeededGenerator(seed: UInt64(100 + tapCount))
    let taps = (0..<tapCount).map { tap in (tap * 5) % 17 + 2 * (tap / 4) }
    let weights = random.floats(tapCount)
    for count in Array(1...70) + [127, 128, 129] {
      let rounded = (count + 15) / 16 * 16
      var input = random.floats(2 * rounded + 32 + (taps.max() ?? 0))
      let read = Set(taps.flatMap { tap in (0..<count).map { 2 * $0 + tap } })
      for cell in input.indices where !read.contains(cell) { input[cell] = .nan }
      var sums = [Float](repeating: .nan, count: rounded + 16)
      input.withUnsafeBufferPointer { source in
        taps.withUnsafeBufferPointer { offsets in
          weights.withUnsafeBufferPointer { weightList in
            sums.withUnsafeMutableBufferPointer { result in
              DepthwiseGridMicrokernel.runEvenLanes(
                input: source.baseAddress!, taps: offsets.baseAddress!, weights: weightList.baseAddress!,
                tapCount: tapCount, bias: -0.25, sums: result.baseAddress!, count: count)
            }
          }
        }
      }
      for q in 0..<count {
        let expected = (0..<tapCount).reduce(-0.25) { $0 + Double(weights[$1]) * Double(input[2 * q + taps[$1]]) }
        #expect(abs(Double(sums[q]) - expected) <= 1e-5 * Double(tapCount), "position \(q) of \(count)")
      }
      #expect(sums[rounded...].allSatisfy { $0.isNaN }, "nothing past the last vector is written (\(count))")
    }
  }

  private static func finishAppliesTheEpilogueAndPacksTheRows(activation: PointwiseFunction) {
    var random = SeededGenerator(seed: 77)
    for (rows, columns, pitch) in [(1, 1, 3), (7, 7, 9), (4, 4, 5), (4, 16, 18), (3, 21, 23), (2, 33, 33), (14, 14, 16)] {
      let count = (rows - 1) * pitch + columns
      let grid = random.floats(count + 16)
      let residual = random.floats(rows * columns + 16)
      for withResidual in [false, true] {
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: count + 32)
        defer { sums.deallocate() }
        let aligned = sums + (16 - (Int(bitPattern: sums) / 4) % 16) % 16
        aligned.update(from: grid, count: count + 16)
        var output = [Float](repeating: .nan, count: rows * columns + 5)
        residual.withUnsafeBufferPointer { skip in
          output.withUnsafeMutableBufferPointer { destination in
            DepthwiseGridMicrokernel.finish(
              sums: aligned, count: count, pitch: pitch, rows: rows, columns: columns,
              output: destination.baseAddress!, residual: withResidual ? skip.baseAddress! : nil,
              activation: activation)
          }
        }
        for row in 0..<rows {
          for column in 0..<columns {
            let value = Double(grid[row * pitch + column]) + (withResidual ? Double(residual[row * columns + column]) : 0)
            let expected = NaiveMath.pointwise(activation, value)
            #expect(
              NaiveMath.close(output[row * columns + column], expected, absolute: 1e-6),
              "\(rows)x\(columns) pitch \(pitch) at (\(row), \(column))")
          }
        }
        #expect(output[(rows * columns)...].allSatisfy { $0.isNaN }, "nothing past the output plane is written")
      }
    }
  }
}
