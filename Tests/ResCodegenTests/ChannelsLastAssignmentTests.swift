import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// Which values `ChannelsLastAssignment` stores channels-last, and where lowering puts the reorders: a region
/// of convolutions goes channels-last only when its convolutions are at least twice the reorders it needs, or
/// its convolutions that run much faster channels-last (Winograd, or the direct kernel's shapes) do enough
/// work per reordered element, and nothing else moves.
@Suite struct ChannelsLastAssignmentTests {
  static let same = Padding.explicit([1, 1, 1, 1])
  static let none = Padding.explicit([0, 0, 0, 0])

  /// `count` 3x3 convolutions of `channels` channels with ReLU, one after another from `x`.
  static func convolutions(_ b: GraphBuilder, from x: ValueID, count: Int, channels: Int = 8) throws -> [ValueID] {
    var results: [ValueID] = []
    var current = x
    for index in 0..<count {
      current = try b.value(
        .conv(convAttributes(kernel: [3, 3], padding: same, epilogue: Epilogue(activation: .relu))),
        [current, b.filled("f32[\(channels),\(channels),3,3]", 0.1, name: "w\(index)")], name: "conv\(index)")
      results.append(current)
    }
    return results
  }

  static func layouts(_ plan: DecodedPlan, _ kernel: KernelID) -> [Bool] {
    plan.steps(kernel).map { plan.buffer($0.outputs[0]).layout == .channelsLast }
  }

  /// A ResNet-shaped chain: the image reordered once, every convolution and the max pool channels-last, the
  /// global pooling reading channels-last and writing its one position row-major for the classifier.
  @Test func aChainEndingInGlobalPoolingIsChannelsLastWithOneReorder() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,8,12,12]")
    let convs = try Self.convolutions(b, from: x, count: 2)
    let pooled = try b.value(
      .maxPool(PoolAttributes(kernelShape: [2, 2], strides: [2, 2], dilations: [1, 1], padding: Self.none, ceilMode: false)),
      [convs[1]], name: "pool")
    let more = try Self.convolutions(b, from: pooled, count: 1)
    let global = try b.value(.globalAveragePool, [more[0]], name: "gap")
    let (_, plan) = try compile(b, outputs: [global])
    #expect(plan.kernels == ["f32_reorder", "f32_conv_nchw_generic", "f32_conv_nchw_generic", "f32_pool", "f32_conv_nchw_generic", "f32_pool"])
    #expect(plan.buffer(plan.steps[0].outputs[0]).layout == .channelsLast)
    #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [true, true, true])
    #expect(Self.layouts(plan, .f32Pool) == [true, false])
    #expect(plan.output().layout == .rowMajor)
  }

  /// A stem on an image's three channels starts the channels-last region without a reorder: it reads the
  /// image row-major (the grid method's phase planes) and writes channels-last (`ConvMethod.channelsLastGrid`).
  @Test func anImageStemReadsRowMajorAndWritesChannelsLast() throws {
    let b = GraphBuilder()
    let image = b.input("f32[1,3,32,32]")
    let stem = try b.value(
      .conv(convAttributes(kernel: [7, 7], padding: .explicit([3, 3, 3, 3]), strides: [2, 2])),
      [image, b.filled("f32[8,3,7,7]", 0.1)], name: "stem")
    let convs = try Self.convolutions(b, from: stem, count: 2)
    let global = try b.value(.globalAveragePool, [convs[1]], name: "gap")
    let (_, plan) = try compile(b, outputs: [global])
    #expect(plan.kernels == ["f32_conv_nchw_generic", "f32_conv_nchw_generic", "f32_conv_nchw_generic", "f32_pool"])
    #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [true, true, true])
    #expect(plan.buffer(plan.steps[0].inputs[0]).layout == .rowMajor)
  }

  /// A stem whose region would not pay (nothing channels-last after it) keeps the row-major grid method.
  @Test func aLoneImageStemStaysRowMajor() throws {
    let b = GraphBuilder()
    let image = b.input("f32[1,3,32,32]")
    let stem = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: Self.same, strides: [2, 2])),
      [image, b.filled("f32[8,3,3,3]", 0.1)], name: "stem")
    let (_, plan) = try compile(b, outputs: [stem])
    #expect(plan.kernels == ["f32_conv_nchw_generic"])
    #expect(plan.metadata.buffers.allSatisfy { $0.layout == .rowMajor })
  }

  /// Two convolutions between a graph input and a graph output would pay two reorders: they stay row-major,
  /// unless the policy is `channelsLast`, which takes every region with a convolution.
  @Test func twoConvolutionsBetweenAnInputAndAnOutputStayRowMajor() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,8,12,12]")
    let convs = try Self.convolutions(b, from: x, count: 2)
    let (_, plan) = try compile(b, outputs: [convs[1]])
    #expect(plan.kernels == ["f32_conv_nchw_generic", "f32_conv_nchw_generic"])
    #expect(plan.metadata.buffers.allSatisfy { $0.layout == .rowMajor })
    let (_, forced) = try compile(b, outputs: [convs[1]], options: CodegenOptions(activationLayout: .channelsLast))
    #expect(forced.kernels == ["f32_reorder", "f32_conv_nchw_generic", "f32_conv_nchw_generic", "f32_reorder"])
    #expect(Self.layouts(forced, .f32ConvNCHWGeneric) == [true, true])
  }

  /// Four convolutions pay for an input and an output reorder; a value also read outside the region (a second
  /// graph output) is reordered once, right where it is first read.
  @Test func valuesLeavingTheRegionAreReorderedOnce() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,8,12,12]")
    let convs = try Self.convolutions(b, from: x, count: 6)
    let (_, plan) = try compile(b, outputs: [convs[5], convs[2]])
    #expect(plan.steps(.f32Reorder).count == 3)
    #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [Bool](repeating: true, count: 6))
    #expect(plan.output(0).layout == .rowMajor && plan.output(1).layout == .rowMajor)
    let convolutions = plan.steps(.f32ConvNCHWGeneric)
    #expect(
      plan.steps(.f32Reorder).map(\.inputs[0])
        == [plan.metadata.inputs[0].buffer, convolutions[5].outputs[0], convolutions[2].outputs[0]])
  }

  /// Concats join the regions of the convolutions they gather (strided copies at channels-last strides): a
  /// dense block of four convolutions is one region, reordered once on the way in and once on the way out,
  /// every Concat's output channels-last and kept as copies (a channel slab of a channels-last tensor is not
  /// one range of bytes).
  @Test func concatenationsJoinDenseBlocksIntoOneRegion() throws {
    let b = GraphBuilder()
    var features = b.input("f32[1,8,12,12]")
    for layer in 0..<4 {
      let conv = try b.value(
        .conv(convAttributes(kernel: [3, 3], padding: Self.same, epilogue: Epilogue(activation: .relu))),
        [features, b.filled("f32[4,\(8 + 4 * layer),3,3]", 0.1, name: "w\(layer)")], name: "conv\(layer)")
      features = try b.value(.concat(axis: 1), [features, conv], name: "concat\(layer)")
    }
    let (_, plan) = try compile(b, outputs: [features])
    #expect(plan.steps(.f32Reorder).count == 2)
    #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [true, true, true, true])
    #expect(Self.layouts(plan, .copy) == [Bool](repeating: true, count: 8))
    #expect(plan.output(0).layout == .rowMajor)
  }

  /// `layers` DenseNet layers on `channels` channels growing by `growth`: a 1x1 bottleneck to `channels`
  /// channels with a batch-norm + ReLU prologue over the concatenation (or, with `lrnBetween`, without one,
  /// behind an LRN: a step with no channels-last variant), a 3x3 to `growth`, and the Concat.
  static func denseBlock(channels: Int, growth: Int, layers: Int = 2, lrnBetween: Bool = false) throws
    -> (GraphBuilder, ValueID)
  {
    let b = GraphBuilder()
    var features = b.input("f32[1,\(channels),12,12]")
    for layer in 0..<layers {
      let width = channels + growth * layer
      var bottleneck = convAttributes(kernel: [1, 1], padding: Self.none, epilogue: Epilogue(activation: .relu))
      let weights = b.filled("f32[\(channels),\(width),1,1]", 0.01, name: "w1x1\(layer)")
      let narrowed: ValueID
      if lrnBetween {
        let normalized = try b.value(
          .lrn(LRNAttributes(size: 3, alpha: 1e-4, beta: 0.75, bias: 1)), [features], name: "lrn\(layer)")
        narrowed = try b.value(.conv(bottleneck), [normalized, weights], name: "bottleneck\(layer)")
      } else {
        bottleneck.prologue = ConvPrologue(activation: .relu)
        narrowed = try b.value(
          .conv(bottleneck),
          [
            features, weights, nil, nil, b.filled("f32[\(width)]", 0.5, name: "scale\(layer)"),
            b.filled("f32[\(width)]", 0.1, name: "shift\(layer)"),
          ], name: "bottleneck\(layer)")
      }
      let conv = try b.value(
        .conv(convAttributes(kernel: [3, 3], padding: Self.same, epilogue: Epilogue(activation: .relu))),
        [narrowed, b.filled("f32[\(growth),\(channels),3,3]", 0.01, name: "w\(layer)")], name: "conv\(layer)")
      features = try b.value(.concat(axis: 1), [features, conv], name: "concat\(layer)")
    }
    return (b, features)
  }

  /// A DenseNet layer: its bottleneck 1x1 reads the row-major concatenation through its prologue and writes
  /// channels-last (`ConvMethod.channelsLastPointwise`), so the 3x3 after it needs no reorder in and the
  /// pair pays for the one reorder out (the 3x3's result, into the row-major Concat). The block joined
  /// through its Concats is not taken: its bottlenecks would read each channels-last concatenation row-major
  /// again. The Concats stay row-major and in place.
  @Test func aDenseLayerStartsItsRegionAtTheBottleneck() throws {
    for (channels, growth) in [(64, 32), (16, 16)] {
      let (b, features) = try Self.denseBlock(channels: channels, growth: growth)
      let (_, plan) = try compile(b, outputs: [features])
      #expect(plan.steps(.f32Reorder).count == 2, "\(channels) → \(growth)")
      #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [true, true, true, true], "\(channels) → \(growth)")
      let bottlenecks = plan.steps(.f32ConvNCHWGeneric).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
      #expect(bottlenecks.allSatisfy { plan.buffer($0.inputs[0]).layout == .rowMajor }, "\(channels) → \(growth)")
      #expect(bottlenecks.allSatisfy { plan.packing($0.inputs[1])?.width == 16 }, "the direct layout's panels")
      #expect(Self.layouts(plan, .copy).allSatisfy { !$0 }, "\(channels) → \(growth): the Concats stay row-major")
    }
  }

  /// A dense block whose joined region does not pay (each Concat read by a step with no channels-last
  /// variant, here an LRN) is decided again without its Concats: each layer's 1x1 and wide 3x3 (64 channels
  /// in, 32 out: Winograd, 192 multiply-adds per reordered element) go channels-last between two reorders,
  /// the Concats stay row-major and computed in place; with 16 channels in and out (72 per element) nothing
  /// is channels-last.
  @Test func aDenseBlockThatDoesNotPayAsOneRegionFallsBackToItsConvolutions() throws {
    for (channels, growth, pays) in [(64, 32, true), (16, 16, false)] {
      let (b, features) = try Self.denseBlock(channels: channels, growth: growth, lrnBetween: true)
      let (_, plan) = try compile(b, outputs: [features])
      #expect(plan.steps(.f32Reorder).count == (pays ? 4 : 0), "\(channels) → \(growth)")
      #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [pays, pays, pays, pays], "\(channels) → \(growth)")
      #expect(Self.layouts(plan, .copy).allSatisfy { !$0 }, "\(channels) → \(growth)")
    }
  }

  /// A 1x1 with a prologue reads row-major and writes channels-last only where a region after it pays: not
  /// alone before a graph output, and not strided (a ResNet v2 projection: no row-major-reading method).
  @Test func aBottleneckWithoutARegionAfterItOrStridedStaysRowMajor() throws {
    for (stride, followed) in [(1, false), (2, true)] {
      let b = GraphBuilder()
      let x = b.input("f32[1,32,12,12]")
      var attributes = convAttributes(kernel: [1, 1], padding: Self.none, strides: [stride, stride])
      attributes.prologue = ConvPrologue(activation: .relu)
      let narrowed = try b.value(
        .conv(attributes),
        [x, b.filled("f32[16,32,1,1]", 0.01), nil, nil, b.filled("f32[32]", 0.5), b.filled("f32[32]", 0.1)],
        name: "bottleneck")
      let result = followed ? try Self.convolutions(b, from: narrowed, count: 1, channels: 16)[0] : narrowed
      let (_, plan) = try compile(b, outputs: [result])
      #expect(plan.buffer(plan.steps(.f32ConvNCHWGeneric)[0].outputs[0]).layout == .rowMajor, "stride \(stride)")
      #expect(plan.steps(.f32Reorder).isEmpty, "stride \(stride)")
    }
  }

  /// A ScaleShift along the channels (RepVGG's identity-branch BatchNorm, with the convolutions' sum as its
  /// residual) computes channels-last inside the region: one reorder in, one out.
  @Test func scaleShiftStaysInTheRegion() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,16,12,12]")
    let convs = try Self.convolutions(b, from: x, count: 2, channels: 16)
    let affine = try b.value(
      .scaleShift(axis: 1, epilogue: Epilogue(residual: true, activation: .relu)),
      [convs[0], b.filled("f32[16]", 0.5, name: "scale"), b.filled("f32[16]", 0.1, name: "shift"), convs[1]],
      name: "identity")
    let last = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: Self.same)), [affine, b.filled("f32[16,16,3,3]", 0.1, name: "w")],
      name: "after")
    let (_, plan) = try compile(b, outputs: [last])
    #expect(plan.steps(.f32Reorder).count == 2)
    #expect(Self.layouts(plan, .f32ChannelAffine) == [true])
    #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [true, true, true])
  }

  /// A video network's 3-D tensors (`[N, D, H, W, C]`): its 3x3x3 convolutions, a ScaleShift and a Resize
  /// between them form one channels-last region, as on images; a lone 1x1x1 on a few positions does not pay
  /// for its reorders and stays row-major.
  @Test func threeDimensionalTensorsFormOneRegion() throws {
    let b = GraphBuilder()
    var current = b.input("f32[1,16,4,10,10]")
    for index in 0..<4 {
      if index == 1 {
        current = try b.value(
          .scaleShift(axis: 1, epilogue: .none),
          [current, b.filled("f32[16]", 0.5, name: "scale"), b.filled("f32[16]", 0.1, name: "shift")],
          name: "affine")
      }
      if index == 2 {
        let resize = ResizeAttributes(
          mode: .nearest, coordinates: .asymmetric, nearestRounding: .floor, scales: [1, 1, 1, 2, 2],
          sizes: [-1, -1, -1, 20, 20])
        current = try b.value(.resize(resize), [current], name: "upsample")
      }
      current = try b.value(
        .conv(
          convAttributes(
            kernel: [3, 3, 3], padding: .explicit([1, 1, 1, 1, 1, 1]), strides: [1, 1, 1],
            epilogue: Epilogue(activation: .relu))),
        [current, b.filled("f32[16,16,3,3,3]", 0.01, name: "w\(index)")], name: "conv\(index)")
    }
    let (_, plan) = try compile(b, outputs: [current])
    #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [true, true, true, true])
    #expect(Self.layouts(plan, .f32ChannelAffine) == [true])
    #expect(Self.layouts(plan, .resize) == [true])
    #expect(plan.steps(.f32Reorder).count == 2)

    let lone = GraphBuilder()
    let y = try lone.value(
      .conv(convAttributes(kernel: [1, 1, 1], padding: .explicit([0, 0, 0, 0, 0, 0]), strides: [1, 1, 1])),
      [lone.input("f32[1,8,2,3,3]"), lone.filled("f32[8,8,1,1,1]", 0.1, name: "w")], name: "pointwise")
    let (_, single) = try compile(lone, outputs: [y])
    #expect(Self.layouts(single, .f32ConvNCHWGeneric) == [false])
    #expect(single.steps(.f32Reorder).isEmpty)
  }

  /// Split and Slice along the channels stay in the region too (Res2Net's channel groups, a GhostNet module's
  /// trimmed Concat): one reorder in, one out, every copy channels-last (`ChannelsLastExecutionTests` runs such
  /// modules against the reference evaluator).
  @Test func splitAndSliceStayChannelsLast() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,16,12,12]")
    let convs = try Self.convolutions(b, from: x, count: 2, channels: 16)
    let halves = try b.node(.split(axis: 1, sizes: [8, 8]), [convs[1]], name: "split")
    let left = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: Self.same, epilogue: Epilogue(activation: .relu))),
      [halves[0], b.filled("f32[8,8,3,3]", 0.1, name: "wl")], name: "left")
    let right = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: Self.same, epilogue: Epilogue(activation: .relu))),
      [halves[1], b.filled("f32[8,8,3,3]", 0.2, name: "wr")], name: "right")
    let joined = try b.value(.concat(axis: 1), [left, right, convs[0]], name: "joined")
    let trimmed = try b.value(
      .slice, [joined, b.int64s([1], name: "starts"), b.int64s([13], name: "ends"), b.int64s([1], name: "axes")],
      name: "trimmed")
    let (_, plan) = try compile(b, outputs: [trimmed])
    #expect(plan.steps(.f32Reorder).count == 2)
    #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [true, true, true, true])
    #expect(Self.layouts(plan, .copy) == [Bool](repeating: true, count: 6))
  }

  /// A Resize of the positions joins the region of the convolutions around it (an HRNet fusion, a feature
  /// pyramid's top-down path); one that enlarges a region's last result stays row-major, so that the region
  /// reorders its small input rather than its large output (LR-ASPP's 8x upsampling to the graph output).
  @Test func upsamplingJoinsTheRegionUnlessItEndsIt() throws {
    func upsampled(_ b: GraphBuilder, _ x: ValueID) throws -> ValueID {
      let resize = ResizeAttributes(
        mode: .linear, coordinates: .halfPixel, nearestRounding: .floor, scales: [1, 1, 2, 2],
        sizes: [-1, -1, 24, 24])
      return try b.value(.resize(resize), [x], name: "upsample")
    }
    let inside = GraphBuilder()
    let convs = try Self.convolutions(inside, from: inside.input("f32[1,8,12,12]"), count: 2)
    let more = try Self.convolutions(inside, from: try upsampled(inside, convs[1]), count: 2)
    let (_, joined) = try compile(inside, outputs: [more[1]])
    #expect(Self.layouts(joined, .resize) == [true])
    #expect(joined.steps(.f32Reorder).count == 2)

    let edge = GraphBuilder()
    let last = try Self.convolutions(edge, from: edge.input("f32[1,8,12,12]"), count: 4)
    let (_, ending) = try compile(edge, outputs: [try upsampled(edge, last[3])])
    #expect(Self.layouts(ending, .resize) == [false])
    let reorders = ending.steps(.f32Reorder)
    #expect(reorders.count == 2 && reorders.allSatisfy { ending.shape($0.outputs[0]) == [1, 8, 12, 12] }, "\(ending.kernels)")
  }

  /// A lone convolution the row-major direct kernel would run (a 2x2 kernel, as a ConvTranspose's phase Conv;
  /// a 3x3 at stride 2) pays for its two reorders with enough input channels: 64 → 128 does 128 multiply-adds
  /// per reordered element or more. On an image's three channels, or with 16 output channels, it stays
  /// row-major, and a 1x1 (a pointwise GEMM in either layout) never counts.
  @Test func aLoneDirectConvolutionPaysWithEnoughChannels() throws {
    let cases: [(input: String, weight: String, kernel: [Int], strides: [Int], pays: Bool)] = [
      ("f32[1,64,20,20]", "f32[256,64,2,2]", [2, 2], [1, 1], true),
      ("f32[1,64,20,20]", "f32[128,64,3,3]", [3, 3], [2, 2], true),
      ("f32[1,3,20,20]", "f32[256,3,2,2]", [2, 2], [1, 1], false),
      ("f32[1,64,20,20]", "f32[16,64,3,3]", [3, 3], [2, 2], false),
      ("f32[1,64,20,20]", "f32[256,64,1,1]", [1, 1], [1, 1], false),
    ]
    for (input, weight, kernel, strides, pays) in cases {
      let b = GraphBuilder()
      let conv = try b.value(
        .conv(convAttributes(kernel: kernel, padding: Self.none, strides: strides)),
        [b.input(input), b.filled(weight, 0.01, name: "w")], name: "conv")
      let (_, plan) = try compile(b, outputs: [conv])
      #expect(plan.steps(.f32Reorder).count == (pays ? 2 : 0), "\(weight) stride \(strides)")
      #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [pays], "\(weight) stride \(strides)")
    }
  }

  /// A squeeze-and-excitation block (global pooling, two 1x1 convolutions on one position, a sigmoid, and the
  /// feature map times the `[1, C, 1, 1]` gate) keeps the chain around it one channels-last region: the Mul is
  /// a member and reads the row-major gate as it is stored, so the only reorder is the input's.
  @Test func aSqueezeExcitationGateKeepsTheRegionChannelsLast() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,8,12,12]")
    let convs = try Self.convolutions(b, from: x, count: 2)
    let pooled = try b.value(.globalAveragePool, [convs[1]], name: "squeeze")
    let reduced = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: Self.none, epilogue: Epilogue(activation: .relu))),
      [pooled, b.filled("f32[2,8,1,1]", 0.1, name: "reduce")], name: "reduce")
    let expanded = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: Self.none)), [reduced, b.filled("f32[8,2,1,1]", 0.1, name: "expand")],
      name: "expand")
    let gate = try b.value(.unary(.sigmoid), [expanded], name: "gate")
    let scaled = try b.value(.binary(.mul), [convs[1], gate], name: "excite")
    let more = try Self.convolutions(b, from: scaled, count: 2)
    let global = try b.value(.globalAveragePool, [more[1]], name: "gap")
    let (_, plan) = try compile(b, outputs: [global])
    #expect(plan.steps(.f32Reorder).count == 1)
    #expect(Self.layouts(plan, .binary) == [true])
    #expect(Self.layouts(plan, .f32ConvNCHWGeneric) == [true, true, false, false, true, true])
  }

  /// Convolutions without a channels-last method (weights computed at run time, a depthwise multiplier, a
  /// prologue) break a chain into regions too small to pay.
  @Test func convolutionsWithoutAChannelsLastMethodStayRowMajor() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,8,12,12]")
    let weights = b.input("f32[8,8,3,3]", name: "w")
    let first = try Self.convolutions(b, from: x, count: 2)
    let computed = try b.value(.conv(convAttributes(kernel: [3, 3], padding: Self.same)), [first[1], weights], name: "computed")
    let multiplied = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: Self.same, group: 8)), [computed, b.filled("f32[16,1,3,3]", 0.1)],
      name: "depthwise2x")
    let global = try b.value(.globalAveragePool, [multiplied], name: "gap")
    let (_, plan) = try compile(b, outputs: [global])
    #expect(plan.steps(.f32Reorder).isEmpty)
    #expect(plan.metadata.buffers.allSatisfy { $0.layout == .rowMajor })
  }

  @Test func theOptionTurnsTheLayoutOff() throws {
    let b = GraphBuilder()
    let convs = try Self.convolutions(b, from: b.input("f32[1,8,12,12]"), count: 3)
    let global = try b.value(.globalAveragePool, [convs[2]], name: "gap")
    let (_, on) = try compile(b, outputs: [global])
    #expect(on.steps(.f32Reorder).count == 1)
    let (_, off) = try compile(b, outputs: [global], options: CodegenOptions(activationLayout: .rowMajor))
    #expect(off.steps(.f32Reorder).isEmpty)
    #expect(off.metadata.buffers.allSatisfy { $0.layout == .rowMajor })
  }

  /// A channels-last convolution's constant weights are packed for its channels-last method: the direct
  /// layout (16 output channels per panel) for a GEMM, Winograd's transform in 16-wide panels for a 3x3 of
  /// 16 channels or more.
  @Test func channelsLastWeightsArePackedForTheChannelsLastMethods() throws {
    let b = GraphBuilder()
    let convs = try Self.convolutions(b, from: b.input("f32[1,16,12,12]"), count: 3, channels: 16)
    let pointwise = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: Self.none)), [convs[2], b.filled("f32[24,16,1,1]", 0.1)], name: "pw")
    let global = try b.value(.globalAveragePool, [pointwise], name: "gap")
    let (_, plan) = try compile(b, outputs: [global])
    let packings = plan.steps(.f32ConvNCHWGeneric).map { plan.packing($0.inputs[1]) }
    #expect(packings.map { $0?.width } == [16, 16, 16, 16])
    #expect(packings.prefix(3).allSatisfy { $0?.isTransformed == true })
    #expect(packings[3]?.isTransformed == false)
  }
}
