import ResKernels
import Testing

/// `ChannelsLastDepthwisePlaneMicrokernel` against a naive loop. Run from KernelGridTests, as the registry's
/// `channelsLastDepthwisePlane`: the specialized windows (3×3 and 5×5 at column stride 1 and 2) and others
/// (2×3, 7×7, dilated columns, stride 3), output widths from 1 to 13 (each mix of the 6-, 4-, 2- and
/// 1-position steps), a whole block and a partial one, then bias, residual and each activation. The padded
/// plane's cells past the window's reach and the weight rows' padding are NaN, so a kernel that read outside
/// its windows would carry a NaN out; the output, one position wider than the block on each side, is checked
/// for writes outside the block's lanes and positions.
enum ChannelsLastDepthwisePlaneKernelTests {
  struct Case {
    var kernel: (height: Int, width: Int)
    var strides: (y: Int, x: Int)
    var dilations: (y: Int, x: Int)
    var output: (height: Int, width: Int)
    var lanes: Int
    var bias = false
    var residual = false
    var activation = PointwiseFunction.identity
  }

  static func check() {
    var random = SeededGenerator(seed: 41)
    let windows: [(kernel: (Int, Int), strides: (Int, Int), dilations: (Int, Int))] = [
      ((3, 3), (1, 1), (1, 1)), ((3, 3), (2, 2), (1, 1)), ((5, 5), (1, 1), (1, 1)), ((5, 5), (1, 2), (1, 1)),
      ((2, 3), (2, 1), (1, 1)), ((7, 7), (1, 1), (1, 1)), ((3, 3), (1, 1), (2, 2)), ((3, 3), (3, 3), (1, 1)),
    ]
    for window in windows {
      for width in 1...13 {
        for lanes in [16, 5] {
          checkTile(
            Case(kernel: window.kernel, strides: window.strides, dilations: window.dilations, output: (2, width),
              lanes: lanes), &random)
        }
      }
    }
    for (index, activation) in MicrokernelRegistry.epilogueTestFunctions.enumerated() {
      let window = windows[index % windows.count]
      checkTile(
        Case(kernel: window.kernel, strides: window.strides, dilations: window.dilations, output: (3, 7),
          lanes: index % 2 == 0 ? 16 : 11, bias: index % 3 != 2, residual: index % 2 == 0, activation: activation),
        &random)
    }
    // The activations a whole block applies in registers (`RegisterActivation`), with and without bias and
    // residual, on every window; their own generator, so that the cases above keep their inputs.
    var registerRandom = SeededGenerator(seed: 43)
    for activation in [PointwiseFunction.hardSwish, .silu, .clip(min: -0.25, max: 0.5), .relu, .identity] {
      for (index, window) in windows.enumerated() {
        checkTile(
          Case(kernel: window.kernel, strides: window.strides, dilations: window.dilations, output: (3, 13),
            lanes: 16, bias: index % 2 == 0, residual: index % 3 == 0, activation: activation),
          &registerRandom)
      }
    }
  }

  private static let name = Microkernel.channelsLastDepthwisePlane.name
  private static let lanes = ChannelsLastDepthwisePlaneMicrokernel.lanes

  private static func checkTile(_ spec: Case, _ random: inout SeededGenerator) {
    // The plane the windows reach, plus a NaN column and row past it.
    let reachHeight = (spec.output.height - 1) * spec.strides.y + (spec.kernel.height - 1) * spec.dilations.y + 1
    let reachWidth = (spec.output.width - 1) * spec.strides.x + (spec.kernel.width - 1) * spec.dilations.x + 1
    let planeWidth = reachWidth + 1
    var plane = [Float](repeating: .nan, count: (reachHeight + 1) * planeWidth * lanes)
    let values = random.floats(reachHeight * reachWidth * lanes)
    for row in 0..<reachHeight {
      for column in 0..<reachWidth {
        for lane in 0..<lanes {
          plane[(row * planeWidth + column) * lanes + lane] = values[(row * reachWidth + column) * lanes + lane]
        }
      }
    }
    // Weight rows `weightStride` floats apart, NaN between them.
    let taps = spec.kernel.height * spec.kernel.width
    let weightStride = lanes + 16
    var weights = [Float](repeating: .nan, count: taps * weightStride)
    let weightValues = random.floats(taps * lanes)
    for tap in 0..<taps {
      for lane in 0..<lanes { weights[tap * weightStride + lane] = weightValues[tap * lanes + lane] }
    }
    // Output positions `outputStride` floats apart, a guard position on each side.
    let outputStride = spec.lanes + 3
    let positions = spec.output.height * spec.output.width
    let initial = random.floats((positions + 2) * outputStride)
    let residual = random.floats((positions + 2) * outputStride)
    let bias = random.floats(lanes)
    var output = initial
    plane.withUnsafeBufferPointer { planePointer in
      weights.withUnsafeBufferPointer { weightPointer in
        bias.withUnsafeBufferPointer { biasPointer in
          residual.withUnsafeBufferPointer { residualPointer in
            output.withUnsafeMutableBufferPointer { outputPointer in
              ChannelsLastDepthwisePlaneMicrokernel.run(
                ChannelsLastDepthwisePlaneTile(
                  plane: planePointer.baseAddress!, planeWidth: planeWidth, weights: weightPointer.baseAddress!,
                  weightStride: weightStride, kernel: spec.kernel, strides: spec.strides, dilations: spec.dilations,
                  outputSize: spec.output, output: outputPointer.baseAddress! + outputStride,
                  outputStride: outputStride, lanes: spec.lanes, bias: spec.bias ? biasPointer.baseAddress : nil,
                  residual: spec.residual ? residualPointer.baseAddress! + outputStride : nil,
                  activation: spec.activation))
            }
          }
        }
      }
    }
    var mismatch: String?
    for index in output.indices where mismatch == nil {
      let cell = index - outputStride
      let (position, lane) = (cell / outputStride, cell % outputStride)
      guard cell >= 0, position < positions, lane < spec.lanes else {
        if output[index].bitPattern != initial[index].bitPattern { mismatch = "wrote outside the block at \(index)" }
        continue
      }
      let (y, x) = (position / spec.output.width, position % spec.output.width)
      var sum = spec.bias ? Double(bias[lane]) : 0
      for ky in 0..<spec.kernel.height {
        for kx in 0..<spec.kernel.width {
          let row = y * spec.strides.y + ky * spec.dilations.y
          let column = x * spec.strides.x + kx * spec.dilations.x
          sum += Double(weights[(ky * spec.kernel.width + kx) * weightStride + lane])
            * Double(plane[(row * planeWidth + column) * lanes + lane])
        }
      }
      if spec.residual { sum += Double(residual[index]) }
      sum = NaiveMath.pointwise(spec.activation, sum)
      if !NaiveMath.close(output[index], sum, absolute: 2e-6 * Double(taps + 2), relative: 1e-4) {
        mismatch = "position \(position) lane \(lane): \(output[index]) vs \(sum)"
      }
    }
    #expect(mismatch == nil, "\(name) \(spec): \(mismatch ?? "")")
  }
}
