import ResPlan
import ResTestSupport
import Testing

@testable import ResRuntime

/// `ConvParams.exact_sums` (a quantized model's integer convolution): a 3x3 stride-1 geometry with Winograd
/// work must then sum the integer levels directly and come out exact, where Winograd's transforms round.
@Suite struct ExactSumsConvolutionTests {
  @Test(arguments: [false, true])
  func integerLevelsSumExactlyOnlyWhenFlagged(_ exactSums: Bool) throws {
    let (channels, outputs, side) = (32, 32, 12)
    var random = SeededGenerator(seed: 77)
    let x = (0..<(channels * side * side)).map { _ in Double(Int(random.next() % 256) - 128) }
    let w = (0..<(outputs * channels * 9)).map { _ in Double(Int(random.next() % 256) - 128) }
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [3, 3]
    params.pads = [1, 1, 1, 1]
    params.group = 1
    params.exactSums = exactSums
    let y = try StepHarness.run(
      .f32ConvNCHWGeneric, .conv(params),
      inputs: [StepOperand([1, channels, side, side], x), StepOperand([outputs, channels, 3, 3], w, constant: true)],
      outputs: [(.f32, [1, outputs, side, side])])[0]
    let expected = Self.integerConvolution(x, w, channels: channels, outputs: outputs, side: side)
    let exactCount = zip(y, expected).filter { $0 == $1 }.count
    if exactSums {
      #expect(exactCount == expected.count, "every sum of integer levels is exact")
    } else {
      #expect(exactCount < expected.count, "Winograd (the geometry's method) rounds some of these sums")
    }
  }

  /// The 3x3, pad-1 convolution in integers.
  private static func integerConvolution(_ x: [Double], _ w: [Double], channels: Int, outputs: Int, side: Int)
    -> [Double]
  {
    var y = [Double](repeating: 0, count: outputs * side * side)
    for o in 0..<outputs {
      for row in 0..<side {
        for column in 0..<side {
          var sum = 0
          for c in 0..<channels {
            for kr in 0..<3 {
              for kc in 0..<3 {
                let (r, q) = (row + kr - 1, column + kc - 1)
                guard (0..<side).contains(r), (0..<side).contains(q) else { continue }
                sum += Int(x[(c * side + r) * side + q]) * Int(w[((o * channels + c) * 3 + kr) * 3 + kc])
              }
            }
          }
          y[(o * side + row) * side + column] = Double(sum)
        }
      }
    }
    return y
  }
}
