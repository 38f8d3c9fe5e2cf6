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

  /// A requantizing epilogue on exact sums gives every level onnxruntime's requantization does: the float32
  /// product of the integer sum and the scale, rounded half to even, clamped. Integer biases (the quantized
  /// bias) keep the sums exact; the scale puts many products near a tie, where a rounded sum would show.
  @Test(arguments: [(3, 1), (1, 1), (3, 2)])
  func requantizingEpilogueMatchesIntegerArithmetic(kernel: Int, stride: Int) throws {
    let (channels, outputs, side) = (24, 40, 10)
    var random = SeededGenerator(seed: 78)
    let x = (0..<(channels * side * side)).map { _ in Double(Int(random.next() % 256) - 128) }
    let w = (0..<(outputs * channels * kernel * kernel)).map { _ in Double(Int(random.next() % 256) - 128) }
    let bias = (0..<outputs).map { _ in Double(Int(random.next() % 2001) - 1000) }
    let (scale, low, high): (Float, Float, Float) = (0.000_25, -135, 120)
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [Int64(kernel), Int64(kernel)]
    params.strides = [Int64(stride), Int64(stride)]
    params.pads = Array(repeating: Int64(kernel / 2), count: 4)
    params.group = 1
    params.exactSums = true
    params.epilogue.hasBias_p = true
    params.epilogue.activation.kind = .requantize
    params.epilogue.activation.scale = scale
    (params.epilogue.activation.alpha, params.epilogue.activation.beta) = (low, high)
    let outSide = (side + 2 * (kernel / 2) - kernel) / stride + 1
    let y = try StepHarness.run(
      .f32ConvNCHWGeneric, .conv(params),
      inputs: [
        StepOperand([1, channels, side, side], x),
        StepOperand([outputs, channels, kernel, kernel], w, constant: true),
        StepOperand([outputs], bias, constant: true),
      ],
      outputs: [(.f32, [1, outputs, outSide, outSide])])[0]
    let sums = Self.integerConvolution(
      x, w, channels: channels, outputs: outputs, side: side, kernel: kernel, stride: stride)
    let plane = outSide * outSide
    let expected = sums.enumerated().map { index, sum in
      let level = (Float(sum + bias[index / plane]) * scale).rounded(.toNearestOrEven)
      return Double(min(max(level, low), high))
    }
    #expect(y == expected)
    #expect(Set(expected).count > 40, "the scale spreads the sums over many levels")
  }

  /// The convolution in integers: square `kernel`, padded by `kernel / 2` on every side, `stride`.
  private static func integerConvolution(
    _ x: [Double], _ w: [Double], channels: Int, outputs: Int, side: Int, kernel: Int = 3, stride: Int = 1
  ) -> [Double] {
    let pad = kernel / 2
    let outSide = (side + 2 * pad - kernel) / stride + 1
    var y = [Double](repeating: 0, count: outputs * outSide * outSide)
    for o in 0..<outputs {
      for row in 0..<outSide {
        for column in 0..<outSide {
          var sum = 0
          for c in 0..<channels {
            for kr in 0..<kernel {
              for kc in 0..<kernel {
                let (r, q) = (row * stride + kr - pad, column * stride + kc - pad)
                guard (0..<side).contains(r), (0..<side).contains(q) else { continue }
                sum += Int(x[(c * side + r) * side + q]) * Int(w[((o * channels + c) * kernel + kr) * kernel + kc])
              }
            }
          }
          y[(o * outSide + row) * outSide + column] = Double(sum)
        }
      }
    }
    return y
  }
}
