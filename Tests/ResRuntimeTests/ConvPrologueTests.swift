import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// A convolution's input prologue, `act(x·scale[c] + shift[c])`, against naive loops: the B-panel packing
/// that applies it (full and partial panels, contiguous and strided columns, the 16-lane path and another
/// width), whole pointwise and subsampled convolutions on odd sizes, and the plans the runtime must refuse.
@Suite struct ConvPrologueTests {
  static let activations: [PointwiseFunction] = [.identity, .relu, .clip(min: -0.25, max: 0.5), .sigmoid]

  @Test(arguments: activations)
  func packingAppliesTheTransformPerRow(_ activation: PointwiseFunction) {
    var random = SeededGenerator(seed: 11)
    for width in [16, 6] {
      for columns in [1, 5, 6, 15, 16] where columns <= width {
        for depth in [1, 7, 33] {
          for columnStride in [1, 3] {
            let depthStride = columns * columnStride + 2
            let source = random.floats(depth * depthStride + 1)
            let (scale, shift) = (random.floats(depth), random.floats(depth))
            var panel = [Float](repeating: .nan, count: depth * width + 4)
            source.withUnsafeBufferPointer { input in
              scale.withUnsafeBufferPointer { s in
                shift.withUnsafeBufferPointer { t in
                  panel.withUnsafeMutableBufferPointer { output in
                    PanelPacking.packColumns(
                      input.baseAddress!, depthStride: depthStride, columnStride: columnStride, columns: columns,
                      depth: depth, width: width,
                      transform: ChannelTransform(scale: s.baseAddress!, shift: t.baseAddress!, activation: activation),
                      into: output.baseAddress!)
                  }
                }
              }
            }
            let label = "\(activation) width \(width) columns \(columns) depth \(depth) stride \(columnStride)"
            for k in 0..<depth {
              for j in 0..<width {
                let value = panel[k * width + j]
                guard j < columns else {
                  #expect(value == 0, "\(label): padding lane (\(k), \(j)) is \(value)")
                  continue
                }
                let x = Double(source[k * depthStride + j * columnStride])
                let expected = NaiveMath.pointwise(activation, x * Double(scale[k]) + Double(shift[k]))
                #expect(NaiveMath.close(value, expected, absolute: 1e-6), "\(label): (\(k), \(j)) is \(value), expected \(expected)")
              }
            }
            #expect(panel[(depth * width)...].allSatisfy { $0.isNaN }, "\(label): nothing past the panel is written")
          }
        }
      }
    }
  }

  /// `PanelPacking.packPlaneRows` (A's rows packed from X's channel planes, `ChannelsLastPointwise`): every
  /// value transformed by its step's channel, full and partial panels of 6, 8 and 16 rows, padding lanes 0
  /// whatever the transform makes of a zero, nothing written past the last panel.
  @Test(arguments: [nil] + activations.map { Optional($0) })
  func planeRowPackingAppliesTheTransformPerStep(_ activation: PointwiseFunction?) {
    var random = SeededGenerator(seed: 12)
    for width in [6, 8, 16] {
      for rows in [1, 5, 6, 7, 13, 16, 40] {
        for depth in [1, 7, 33] {
          let depthStride = rows + 3
          let source = random.floats((depth - 1) * depthStride + rows)
          let (scale, shift) = (random.floats(depth), random.floats(depth).map { $0 + 0.5 })
          let panels = (rows + width - 1) / width
          var packed = [Float](repeating: .nan, count: panels * depth * width + 4)
          source.withUnsafeBufferPointer { input in
            scale.withUnsafeBufferPointer { s in
              shift.withUnsafeBufferPointer { t in
                packed.withUnsafeMutableBufferPointer { output in
                  PanelPacking.packPlaneRows(
                    input.baseAddress!, depthStride: depthStride, rows: rows, depth: depth, width: width,
                    transform: activation.map {
                      ChannelTransform(scale: s.baseAddress!, shift: t.baseAddress!, activation: $0)
                    }, into: output.baseAddress!)
                }
              }
            }
          }
          let label = "\(activation.map { "\($0)" } ?? "no transform") width \(width) rows \(rows) depth \(depth)"
          for panel in 0..<panels {
            for k in 0..<depth {
              for lane in 0..<width {
                let value = packed[(panel * depth + k) * width + lane]
                let row = panel * width + lane
                guard row < rows else {
                  #expect(value == 0, "\(label): padding (\(row), \(k)) is \(value)")
                  continue
                }
                let x = Double(source[k * depthStride + row])
                let expected = activation.map { NaiveMath.pointwise($0, x * Double(scale[k]) + Double(shift[k])) } ?? x
                #expect(NaiveMath.close(value, expected, absolute: 1e-6), "\(label): (\(row), \(k)) is \(value), expected \(expected)")
              }
            }
          }
          #expect(packed[(panels * depth * width)...].allSatisfy { $0.isNaN }, "\(label): nothing past the panels is written")
        }
      }
    }
  }

  struct Case: CustomStringConvertible, Sendable {
    var batch = 1
    var channels: Int
    var outputChannels: Int
    var spatial: [Int]
    var kernel: [Int]? = nil
    var strides: [Int]? = nil
    var group = 1
    var bias = false
    var residual = false
    var prologue: Rescompile_Plan_Activation.Kind = .relu
    var epilogue: Rescompile_Plan_Activation.Kind = .none

    var description: String {
      "N\(batch) C\(channels) M\(outputChannels) in\(spatial) k\(kernel ?? []) s\(strides ?? []) g\(group) bias \(bias) "
        + "residual \(residual) prologue \(prologue) epilogue \(epilogue)"
    }
  }

  static let cases: [Case] = [
    // Pointwise: positions that leave a partial 16-column panel, rows that leave a partial 6-row panel.
    Case(channels: 5, outputChannels: 13, spatial: [7, 9], bias: true),
    Case(batch: 2, channels: 3, outputChannels: 7, spatial: [5, 5], residual: true, prologue: .none, epilogue: .relu),
    // K = 300 crosses the 256 reduction block: the transform's rows must follow the block's first channel.
    Case(channels: 300, outputChannels: 8, spatial: [3, 7], bias: true, prologue: .clip),
    // Enough positions that three threads split the columns.
    Case(channels: 24, outputChannels: 20, spatial: [20, 21], bias: true, epilogue: .relu),
    // More row tiles than column tiles (DenseNet's 14x14 and 7x7 blocks): on three threads the GEMM is cut
    // along rows and B is packed once, with the prologue, by all the workers (one problem; two images × two
    // groups, whose panels the workers' ranges cross).
    Case(channels: 64, outputChannels: 96, spatial: [7, 7], bias: true),
    Case(batch: 2, channels: 96, outputChannels: 120, spatial: [5, 9], group: 2, residual: true, prologue: .clip),
    // Groups: each group's rows start at its first input channel.
    Case(channels: 6, outputChannels: 4, spatial: [4, 5], group: 2, prologue: .leakyRelu),
    // 1-D and 3-D pointwise.
    Case(channels: 4, outputChannels: 6, spatial: [19], prologue: .sigmoid),
    Case(channels: 3, outputChannels: 5, spatial: [2, 3, 5], bias: true),
    // Subsampled: strided 1x1 convolutions (DenseNet's transitions would be, a ResNet v2 projection is).
    Case(channels: 12, outputChannels: 10, spatial: [9, 7], strides: [2, 2], bias: true, residual: true),
    Case(batch: 2, channels: 5, outputChannels: 3, spatial: [5, 70], strides: [1, 2], prologue: .none),
    Case(channels: 4, outputChannels: 7, spatial: [4, 5, 9], strides: [3, 2, 3], prologue: .clip),
    // Subsampled patch embeddings: each channel's prologue applies to all of its taps' rows, in one group and two.
    Case(channels: 3, outputChannels: 96, spatial: [18, 21], kernel: [4, 4], strides: [4, 4], bias: true),
    Case(batch: 2, channels: 6, outputChannels: 192, spatial: [9, 8], kernel: [2, 2], strides: [3, 2], group: 2, residual: true, prologue: .clip),
    Case(channels: 2, outputChannels: 96, spatial: [9, 80], kernel: [1, 8], strides: [1, 8], bias: true, prologue: .leakyRelu),
  ]

  @Test(arguments: cases)
  func convolutionMatchesNaiveLoops(_ spec: Case) throws {
    var random = SeededGenerator(seed: UInt64(spec.channels * 17 + spec.outputChannels + spec.spatial.count))
    let rank = spec.spatial.count
    let strides = spec.strides ?? [Int](repeating: 1, count: rank)
    let kernel = spec.kernel ?? [Int](repeating: 1, count: rank)
    let output = (0..<rank).map { (spec.spatial[$0] - kernel[$0]) / strides[$0] + 1 }
    let xShape = [spec.batch, spec.channels] + spec.spatial
    let wShape = [spec.outputChannels, spec.channels / spec.group] + kernel
    let yShape = [spec.batch, spec.outputChannels] + output
    let x = random.floats(xShape.reduce(1, *))
    let w = random.floats(wShape.reduce(1, *))
    let b = random.floats(spec.outputChannels)
    let r = random.floats(yShape.reduce(1, *))
    let scale = random.floats(spec.channels)
    let shift = random.floats(spec.channels)

    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = kernel.map(Int64.init)
    params.strides = strides.map(Int64.init)
    params.group = Int64(spec.group)
    params.epilogue.hasBias_p = spec.bias
    params.epilogue.hasResidual_p = spec.residual
    params.epilogue.activation.kind = spec.epilogue
    params.prologue.activation.kind = spec.prologue
    params.prologue.activation.alpha = spec.prologue == .clip ? -0.5 : 0.2
    params.prologue.activation.beta = 0.6
    var inputs = [StepOperand(xShape, floats: x), StepOperand(wShape, floats: w, constant: true)]
    if spec.bias { inputs.append(StepOperand([spec.outputChannels], floats: b, constant: true)) }
    if spec.residual { inputs.append(StepOperand(yShape, floats: r)) }
    inputs += [
      StepOperand([spec.channels], floats: scale, constant: true),
      StepOperand([spec.channels], floats: shift, constant: true),
    ]

    let prologue = testFunction(params.prologue.activation)
    let plane = spec.spatial.reduce(1, *)
    let transformed = x.indices.map { index in
      let c = index / plane % spec.channels
      return Float(NaiveMath.pointwise(prologue, Double(x[index]) * Double(scale[c]) + Double(shift[c])))
    }
    let expected = NaiveConvolution(
      x: transformed, xShape: xShape, w: w, wShape: wShape, bias: spec.bias ? b : nil,
      residual: spec.residual ? r : nil, strides: strides, dilations: [Int](repeating: 1, count: rank),
      pads: [Int](repeating: 0, count: 2 * rank), group: spec.group, outputShape: yShape
    ).compute().map { NaiveMath.pointwise(testFunction(params.epilogue.activation), $0) }
    let single = try StepHarness.run(.f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, yShape)])
    expectClose(
      single[0], expected, absolute: 1e-5 * Double(wShape.dropFirst().reduce(1, *) + 1), relative: 1e-4, "\(spec)")
    let threaded = try StepHarness.run(
      .f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, yShape)], threads: 3)
    #expect(threaded[0] == single[0], "three threads must give bit-identical results")
  }

  /// A prologue on a convolution the runtime computes any other way than as a GEMM over X's channels (here
  /// a padded 3x3, im2col or direct, and a depthwise 1x1) is refused when the plan loads, naming the step.
  @Test func refusesAPrologueOtherMethodsCannotApply() {
    for (kernel, pads, group, channels) in [([3, 3], [1, 1, 1, 1], 1, 4), ([1, 1], [1, 1, 1, 1], 1, 4), ([1, 1], [0, 0, 0, 0], 4, 4)] {
      var params = Rescompile_Plan_ConvParams()
      params.kernelShape = kernel.map(Int64.init)
      params.pads = pads.map(Int64.init)
      params.group = Int64(group)
      params.prologue.activation.kind = .relu
      let outputSize = 5 + pads[0] + pads[2] - kernel[0] + 1
      let x = StepOperand([1, channels, 5, 5], [Double](repeating: 0, count: channels * 25))
      let w = StepOperand(
        [8, channels / group] + kernel, [Double](repeating: 1, count: 8 * channels / group * kernel[0] * kernel[1]),
        constant: true)
      let scale = StepOperand([channels], [Double](repeating: 1, count: channels), constant: true)
      #expect(
        StepHarness.rejects(
          .f32ConvNCHWGeneric, .conv(params), inputs: [x, w, scale, scale],
          outputs: [(.f32, [1, 8, outputSize, outputSize])], containing: "prologue"),
        "kernel \(kernel) pads \(pads) group \(group)")
    }
  }

  @Test func refusesMissingOrMisshapedPrologueOperands() {
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [1, 1]
    params.prologue.activation.kind = .relu
    let x = StepOperand([1, 4, 3, 3], [Double](repeating: 0, count: 36))
    let w = StepOperand([2, 4, 1, 1], [Double](repeating: 1, count: 8), constant: true)
    let scale = StepOperand([4], [Double](repeating: 1, count: 4), constant: true)
    let wrong = StepOperand([3], [Double](repeating: 1, count: 3), constant: true)
    let y: [(ElementType, [Int])] = [(.f32, [1, 2, 3, 3])]
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w, scale], outputs: y, containing: "inputs"))
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w, scale, wrong], outputs: y, containing: "input shift"))
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w, wrong, scale], outputs: y, containing: "input scale"))
  }
}
