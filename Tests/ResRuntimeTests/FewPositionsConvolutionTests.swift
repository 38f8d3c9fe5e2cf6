import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// `ConvMethod.fewPositions` (row-major convolutions with 1 to 16 output positions, computed channels-last
/// between two transposes) against naive loops: one position read and written in place (a squeeze-and-
/// excitation block), a DPN's 2x2 stage with the pre-activation prologue and a residual, padded and strided
/// windows, groups, 1-D, a batch of two, on one thread and on three (bit-identical); and the geometries that
/// must not take it.
@Suite struct FewPositionsConvolutionTests {
  struct Case: CustomStringConvertible, Sendable {
    var batch = 1
    var channels: Int
    var outputChannels: Int
    var spatial: [Int]
    var kernel: [Int]
    var strides: [Int]? = nil
    var pads: [Int]? = nil
    var group = 1
    var bias = true
    var residual = false
    var prologue: Rescompile_Plan_Activation.Kind? = nil
    var epilogue: Rescompile_Plan_Activation.Kind = .none

    var description: String {
      "N\(batch) C\(channels) M\(outputChannels) in\(spatial) k\(kernel) s\(strides ?? []) p\(pads ?? []) g\(group) "
        + "bias \(bias) residual \(residual) prologue \(prologue.map { "\($0)" } ?? "-") epilogue \(epilogue)"
    }

    var rank: Int { spatial.count }
    var stridesOrOnes: [Int] { strides ?? [Int](repeating: 1, count: rank) }
    var padsOrZeros: [Int] { pads ?? [Int](repeating: 0, count: 2 * rank) }
    var output: [Int] {
      (0..<rank).map { (spatial[$0] + padsOrZeros[$0] + padsOrZeros[$0 + rank] - kernel[$0]) / stridesOrOnes[$0] + 1 }
    }

    var shape: ConvShape {
      let lead = 3 - rank
      func padded(_ values: [Int], _ fill: Int) -> [Int] { [Int](repeating: fill, count: lead) + values }
      return ConvShape(
        input: padded(spatial, 1), output: padded(output, 1), kernel: padded(kernel, 1),
        strides: padded(stridesOrOnes, 1), dilations: [1, 1, 1], padsBegin: padded(Array(padsOrZeros.prefix(rank)), 0),
        padsEnd: padded(Array(padsOrZeros.suffix(rank)), 0), groups: group, channelsPerGroup: channels / group,
        outputChannelsPerGroup: outputChannels / group)
    }
  }

  static let cases: [Case] = [
    // Squeeze-and-excitation: one position in and out, read and written in place, with and without residual.
    Case(channels: 40, outputChannels: 10, spatial: [1, 1], kernel: [1, 1], epilogue: .relu),
    Case(channels: 10, outputChannels: 40, spatial: [1, 1], kernel: [1, 1], residual: true, epilogue: .sigmoid),
    Case(batch: 2, channels: 33, outputChannels: 17, spatial: [1, 1], kernel: [1, 1], prologue: .relu),
    // A DPN's last stage: 2x2 positions, the pre-activation prologue, a residual after the transpose back.
    Case(channels: 96, outputChannels: 40, spatial: [2, 2], kernel: [1, 1], residual: true, prologue: .relu, epilogue: .relu),
    Case(batch: 2, channels: 24, outputChannels: 70, spatial: [3, 5], kernel: [1, 1], prologue: .clip),
    // A DPN's 4x4 stage: 16 positions, a whole vector of them, with the prologue.
    Case(channels: 48, outputChannels: 40, spatial: [4, 4], kernel: [1, 1], residual: true, prologue: .relu),
    // Strided 1x1 from 4x4 to 2x2 with the prologue (the runtime transposes all 16 input positions).
    Case(channels: 20, outputChannels: 36, spatial: [4, 4], kernel: [1, 1], strides: [2, 2], prologue: .relu),
    // Padded 3x3 windows over a few positions, grouped; a 7x7 valid window onto one position.
    Case(channels: 16, outputChannels: 32, spatial: [3, 3], kernel: [3, 3], pads: [1, 1, 1, 1], group: 2, residual: true),
    Case(channels: 8, outputChannels: 18, spatial: [7, 7], kernel: [7, 7], bias: false, epilogue: .relu),
    // 1-D.
    Case(channels: 12, outputChannels: 20, spatial: [9], kernel: [3], pads: [1, 1], epilogue: .leakyRelu),
  ]

  @Test(arguments: cases)
  func matchesNaiveLoops(_ spec: Case) throws {
    #expect(ConvMethod.choose(spec.shape, weightsAreConstant: true) == .fewPositions, "\(spec)")
    var random = SeededGenerator(seed: UInt64(spec.channels * 31 + spec.outputChannels))
    let xShape = [spec.batch, spec.channels] + spec.spatial
    let wShape = [spec.outputChannels, spec.channels / spec.group] + spec.kernel
    let yShape = [spec.batch, spec.outputChannels] + spec.output
    let x = random.floats(xShape.reduce(1, *))
    let w = random.floats(wShape.reduce(1, *))
    let b = random.floats(spec.outputChannels)
    let r = random.floats(yShape.reduce(1, *))
    let scale = random.floats(spec.channels)
    let shift = random.floats(spec.channels)

    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = spec.kernel.map(Int64.init)
    params.strides = spec.stridesOrOnes.map(Int64.init)
    params.pads = spec.padsOrZeros.map(Int64.init)
    params.group = Int64(spec.group)
    params.epilogue.hasBias_p = spec.bias
    params.epilogue.hasResidual_p = spec.residual
    params.epilogue.activation.kind = spec.epilogue
    params.epilogue.activation.alpha = 0.1
    var inputs = [StepOperand(xShape, floats: x), StepOperand(wShape, floats: w, constant: true)]
    if spec.bias { inputs.append(StepOperand([spec.outputChannels], floats: b, constant: true)) }
    if spec.residual { inputs.append(StepOperand(yShape, floats: r)) }
    var transformed = x
    if let kind = spec.prologue {
      params.prologue.activation.kind = kind
      params.prologue.activation.alpha = kind == .clip ? -0.5 : 0.2
      params.prologue.activation.beta = 0.6
      inputs += [
        StepOperand([spec.channels], floats: scale, constant: true),
        StepOperand([spec.channels], floats: shift, constant: true),
      ]
      let function = testFunction(params.prologue.activation)
      let plane = spec.spatial.reduce(1, *)
      transformed = x.indices.map { index in
        let c = index / plane % spec.channels
        return Float(NaiveMath.pointwise(function, Double(x[index]) * Double(scale[c]) + Double(shift[c])))
      }
    }
    let expected = NaiveConvolution(
      x: transformed, xShape: xShape, w: w, wShape: wShape, bias: spec.bias ? b : nil,
      residual: spec.residual ? r : nil, strides: spec.stridesOrOnes, dilations: [Int](repeating: 1, count: spec.rank),
      pads: spec.padsOrZeros, group: spec.group, outputShape: yShape
    ).compute().map { NaiveMath.pointwise(testFunction(params.epilogue.activation), $0) }
    let single = try StepHarness.run(.f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, yShape)])
    expectClose(single[0], expected, absolute: 1e-5 * Double(wShape.dropFirst().reduce(1, *) + 1), relative: 1e-4, "\(spec)")
    let threaded = try StepHarness.run(
      .f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, yShape)], threads: 3)
    #expect(threaded[0] == single[0], "\(spec): three threads must give bit-identical results")
  }

  /// More than 16 output positions (a 4x5 plane) keep the row-major methods; a depthwise layer has its own method; weights
  /// computed at run time cannot be packed; an input plane larger than `fewPositionsMaximumInputPlane` (a
  /// strided 1x1 over 32x32) would spend more on its transpose than it saves.
  @Test func doesNotFireWhereTheRowMajorMethodsServe() {
    let cases: [(Case, Bool)] = [
      (Case(channels: 16, outputChannels: 16, spatial: [4, 5], kernel: [1, 1]), true),
      (Case(channels: 16, outputChannels: 16, spatial: [2, 2], kernel: [3, 3], pads: [1, 1, 1, 1], group: 16), true),
      (Case(channels: 16, outputChannels: 16, spatial: [2, 2], kernel: [1, 1]), false),
      (Case(channels: 16, outputChannels: 16, spatial: [32, 32], kernel: [1, 1], strides: [16, 16]), true),
    ]
    for (spec, constantWeights) in cases {
      #expect(ConvMethod.choose(spec.shape, weightsAreConstant: constantWeights) != .fewPositions, "\(spec)")
    }
  }
}
