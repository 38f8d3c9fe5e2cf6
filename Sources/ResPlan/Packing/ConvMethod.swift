/// How a convolution step is computed, chosen from its geometry (and, for channels-last 3×3s, the
/// `WinogradReach` its weights were packed for), and the layout its constant weights are read in. The
/// compiler applies this to pack a plan's weights; the runtime applies it again when it loads the step,
/// builds the method's kernel, and uses the packed weights in place when the plan's layout is the one
/// `weightLayout` names. One rule in one place, so the two cannot drift apart.
///
/// In the order they are tried:
/// - `depthwise`: one input channel per group, 1-D or 2-D; weights read in ONNX layout;
/// - `fewPositions`: at most one vector's worth of output positions (`fewPositionsMaximum`), a geometry the
///   channels-last methods accept, constant weights, more than one input channel per group, and an input
///   plane of at most `fewPositionsMaximumInputPlane` positions: X transposed to channels-last (its prologue
///   applied on the way), `channelsLastGemm`'s kernels with the output channels on the lanes, Y transposed
///   back with the epilogue. The row-major methods put positions on the lanes and broadcast every weight: with
///   1 to 15 positions (a squeeze-and-excitation block's one, a DPN's 2x2 last stage) they used 1/16 to 15/16
///   of each multiply-add, and with 16 (a DPN's 4x4 stage) each weight was still one broadcast load per
///   multiply-add, where channels-last loads 16 weights at once;
///   weights in the `direct` layout;
/// - `winograd`: a 2-D 3×3 window with unit strides and dilations, constant weights and at least
///   `winogradMinimumChannels` input and output channels per group (fewer measured no faster than `direct`);
///   weights transformed into the frequencies of the output's `WinogradFilter.outputTile`, in panels;
/// - `grid`: a 2-D window larger than one pixel at stride 1 or 2 (the same along both axes), no dilation, one
///   group, constant weights, and at most `gridMaximumDepth` reduction steps (input channels × taps: a
///   network's stem on its three colour channels); output positions on the vector lanes, weights in `MR`-row
///   panels like the GEMM methods;
/// - `direct`: a window larger than one pixel, constant weights, and enough output channels per group to use
///   the vector lanes; weights in panels as wide as the kernel's lanes;
/// - `pointwise`: a 1×1, stride-1, unpadded convolution, one GEMM per image and group reading X as B;
/// - `subsampled`: a strided, unpadded 1×1 (a ResNet downsample), or a window larger than one pixel that
///   never overlaps another (`ConvShape.hasDisjointWindows`: a patch embedding) with at least
///   `patchMinimumOutputChannels` per group: the im2col matrix of its windows copied once, then as pointwise;
/// - `im2col`: anything else, one GEMM per image and group over im2col panels of X.
/// The GEMM methods read constant weights as A in `MR`-row panels, one matrix per group.
///
/// With channels-last activations (plan.proto `ActivationLayout`: X, Y and the residual `[N, spatial..., C]`)
/// a step has the methods of `chooseChannelsLast` instead, whose eligibility is `supportsChannelsLast`. A step
/// that reads X row-major and writes Y channels-last (a step starting a channels-last region: an image stem,
/// or a 1×1 convolution with an input prologue) runs `chooseRowMajorToChannelsLast`'s method.
///
/// A new method adds a case, its condition in `choose`, and its weight layout in `weightLayout` (with its
/// pure weight transform next to `PanelLayout` if its layout is not panels).
public enum ConvMethod: Sendable, Hashable {
  case depthwise
  case fewPositions
  case winograd
  case grid
  case direct
  case pointwise
  case subsampled
  case im2col
  /// Channels-last, one input channel and one output channel per group: channels on the vector lanes, any
  /// window and stride; weights read in ONNX layout.
  case channelsLastDepthwise
  /// Channels-last `winograd` shapes: the transforms on channel vectors, each frequency a GEMM with output
  /// channels on the lanes; weights transformed as for `winograd`, in panels of `directConvLanes` output
  /// channels. Also, in the `broad` reach (`WinogradReach`), 3×3 windows at stride 2 with enough work
  /// (`hasStridedWinogradWork`), by the stride-2 transform (`WinogradFilter`), which only this method computes.
  case channelsLastWinograd
  /// Channels-last, any other geometry: a GEMM whose A rows are output positions, each tap's input position
  /// read in place (an indirect GEMM; a 1×1 reads X's rows as they are); weights in the `direct` layout.
  case channelsLastGemm
  /// X row-major, Y (and the residual) channels-last: a `grid` geometry (an image stem), so that the
  /// channels-last region after it needs no reorder. Output positions on the rows of a tile and output
  /// channels on the lanes, the input read from the grid method's stride-phase planes; weights in the
  /// `direct` layout.
  case channelsLastGrid
  /// X row-major, Y (and the residual) channels-last: a 1×1, stride-1, unpadded convolution of one group
  /// (DenseNet's bottleneck 1x1, whose batch-norm + ReLU prologue over the row-major concatenation kept it out
  /// of the 3x3's channels-last region and cost a reorder of its output). The GEMM of `pointwise` transposed,
  /// `Yᵀ = Xᵀ · Wᵀ`: output positions on the rows of a tile, packed from X's channel planes with the prologue
  /// applied while packing, output channels on the lanes; weights in the `direct` layout.
  case channelsLastPointwise

  /// Output channels per group from which the direct kernel's lanes are used well enough to beat im2col.
  public static let directMinimumOutputChannels = 4
  /// Input and output channels per group from which Winograd beat the direct method (ResNet shapes at 56×56:
  /// even at 16, 2.6× faster at 32).
  public static let winogradMinimumChannels = 16
  /// Reduction steps up to which `grid` beat `direct`: MobileNetV2's 3×3/2 stem on 3 channels (27 steps; the
  /// direct kernel stored its tiles as scattered floats) and the 7×7/2 stem of ResNet and DenseNet (147 steps:
  /// 8.8 → 7.3 ms, medians of six alternating runs on the loaded host). Longer reductions reuse the grid's input
  /// rows less than the direct kernel reuses its weight panels.
  public static let gridMaximumDepth = 160

  /// Output positions (per image) up to which `fewPositions` computes a row-major convolution channels-last:
  /// one vector of 16 lanes. With 16, DPN-68 (64 px) ran in 3.9 instead of 4.7 ms; 24 and 49 gained nothing
  /// more there and nothing on DenseNet-121's 7x7 block.
  public static let fewPositionsMaximum = 16
  /// Input positions up to which `fewPositions` transposes X: its copy stays a small fraction of the work
  /// (a window or a stride maps more input positions onto each output one).
  public static let fewPositionsMaximumInputPlane = 256

  public static func choose(_ shape: ConvShape, weightsAreConstant: Bool) -> ConvMethod {
    let compact = shape.paddedPlanesAreCompact
    let volume = shape.kernelVolume ?? Int.max
    if compact, shape.channelsPerGroup == 1, shape.input[0] == 1, shape.kernel[0] == 1, shape.padsBegin[0] == 0,
      shape.padsEnd[0] == 0
    {
      return .depthwise
    }
    if weightsAreConstant, shape.channelsPerGroup > 1, hasFewPositions(shape),
      supportsChannelsLast(shape, weightsAreConstant: true)
    {
      return .fewPositions
    }
    if weightsAreConstant, hasWinogradWork(shape) {
      return .winograd
    }
    if compact, volume > 1, weightsAreConstant, shape.isGridShape, shape.channelsPerGroup * volume <= gridMaximumDepth {
      return .grid
    }
    if volume > 1, shape.hasDisjointWindows, shape.outputChannelsPerGroup >= patchMinimumOutputChannels {
      return .subsampled
    }
    if compact, volume > 1, weightsAreConstant, shape.outputChannelsPerGroup >= directMinimumOutputChannels {
      return .direct
    }
    let unpadded = shape.padsBegin.allSatisfy { $0 == 0 } && shape.padsEnd.allSatisfy { $0 == 0 }
    guard volume == 1, unpadded else { return .im2col }
    return shape.strides.allSatisfy { $0 == 1 } ? .pointwise : .subsampled
  }

  /// Output channels per group from which a window larger than one pixel that never overlaps another
  /// (`ConvShape.hasDisjointWindows`: a patch embedding) runs as `subsampled` rather than `direct`: its im2col
  /// matrix, copied once, is no larger than X, and its long reduction then runs on the GEMM kernel, while the
  /// direct kernel keeps an output tile in registers across only one input row of the window (ViT-tiny's
  /// 16x16/16 embedding ran at 49 GFLOP/s). The copy pays off over enough output channels. One-layer models,
  /// Sapphire Rapids, paired runs, direct → subsampled, one / two threads: 16x16/16 3→192 at 224 px 0.78 /
  /// 0.87, 8x8/8 3→384 0.47 / 0.67, ConvNeXt's 4x4/4 stem 3→96 0.53 / 0.75, its 2x2/2 downsampling 96→192 at
  /// 56 px 0.57 / 0.57; but with 64 output channels (14x14/14 and 16x16/16 on 8x8 to 20x20 outputs) 0.82–1.04
  /// / 1.01–1.61, with 32 at 2x2 4.5 / 5.0.
  public static let patchMinimumOutputChannels = 96

  /// F(2×2) tiles of output from which Winograd beat the GEMM methods: each frequency is a GEMM with one row
  /// per tile, and with fewer tiles than a microkernel's six rows the transforms and idle rows cost more than
  /// the multiplications saved (DPN-68's grouped 3x3 layers at 4x4, four tiles: 0.12 ms at 20 GFLOP/s).
  public static let winogradMinimumTiles = 6

  /// A 3×3 stride-1 geometry with `winogradMinimumChannels` per group and `winogradMinimumTiles` tiles.
  private static func hasWinogradWork(_ shape: ConvShape) -> Bool {
    guard shape.allowsWinograd, shape.isWinogradShape, shape.channelsPerGroup >= winogradMinimumChannels,
      shape.outputChannelsPerGroup >= winogradMinimumChannels
    else { return false }
    let tiles = ((shape.output[1] + 1) / 2).multipliedReportingOverflow(by: (shape.output[2] + 1) / 2)
    return tiles.overflow || tiles.partialValue >= winogradMinimumTiles
  }

  /// At most `fewPositionsMaximum` output positions from at most `fewPositionsMaximumInputPlane` input ones.
  private static func hasFewPositions(_ shape: ConvShape) -> Bool {
    func plane(_ sizes: [Int]) -> Int {
      sizes.reduce(1) { total, size in
        let (product, overflow) = total.multipliedReportingOverflow(by: size)
        return overflow || size < 0 ? Int.max : product
      }
    }
    return (1...fewPositionsMaximum).contains(plane(shape.output))
      && (1...fewPositionsMaximumInputPlane).contains(plane(shape.input))
  }

  /// Whether a step of this geometry runs channels-last: constant weights, a 1-D to 3-D window, and a
  /// depthwise step (one input channel per group) only with one output channel per group. (The compiler also
  /// requires that the step have no input prologue.) A 3-D window (a video network's) takes the indirect GEMM
  /// or the depthwise kernel, which walk all three axes; Winograd and the grid stem are 2-D only
  /// (`ConvShape.isWinogradShape`, `isGridShape`).
  public static func supportsChannelsLast(_ shape: ConvShape, weightsAreConstant: Bool) -> Bool {
    guard weightsAreConstant, shape.kernelVolume != nil else { return false }
    return shape.channelsPerGroup > 1 || shape.outputChannelsPerGroup == 1
  }

  /// The method of a step that reads X row-major and writes Y channels-last: `channelsLastGrid` for the
  /// `grid` geometry (one group, a 2-D window at stride 1 or 2, constant weights, a short reduction; on any
  /// number of input channels, a grey image's one too), `channelsLastPointwise` for a 1×1, stride-1, unpadded
  /// window of one group over at least two channels, 1-D or 2-D, with constant weights; nil otherwise.
  public static func chooseRowMajorToChannelsLast(_ shape: ConvShape, weightsAreConstant: Bool) -> ConvMethod? {
    if choose(shape, weightsAreConstant: weightsAreConstant) == .grid { return .channelsLastGrid }
    let isPointwise =
      shape.kernelVolume == 1 && shape.strides.allSatisfy { $0 == 1 } && shape.padsBegin.allSatisfy { $0 == 0 }
      && shape.padsEnd.allSatisfy { $0 == 0 }
    guard isPointwise, shape.groups == 1, shape.channelsPerGroup > 1,
      supportsChannelsLast(shape, weightsAreConstant: weightsAreConstant)
    else { return nil }
    return .channelsLastPointwise
  }

  /// The longest reduction `storesEachOutputOnce` accepts for a 1×1: `GemmDriver`'s short reductions
  /// (`GemmDriver.shortDepth`). The runtime's GEMMs sum longer reductions in one block too (128 steps when
  /// this was measured, 512 or 1024 since) and could store over the residual up to there, but on ResNet-50
  /// (one thread, whole runs, 20 alternating rounds against the plan without in-place steps) the 128-step
  /// layers made runs 3 % slower (75.52 → 77.91 ms, faster in 5 of 20 rounds) while 64 steps left them even
  /// (73.11 → 73.15, 9 of 20) with the same arena (7.2 → 6.4 MB).
  public static let singleBlockResidualDepth = 64

  /// Whether the channels-last method for this geometry stores each output element once, right after reading
  /// its residual, so that the residual may be the output's own bytes (an in-place epilogue): Winograd (whose
  /// output transform adds the residual tile by tile), and the GEMM of a 1×1, stride-1, unpadded window over
  /// at most `singleBlockResidualDepth` input channels. The compiler's prediction of the runtime's `ConvOperator.Method.storesEachOutputOnce`;
  /// where they differ the runtime copies the residual first.
  public static func storesEachOutputOnce(_ shape: ConvShape, reach: WinogradReach) -> Bool {
    let method = chooseChannelsLast(shape, reach: reach)
    if method == .channelsLastWinograd { return true }
    return method == .channelsLastGemm && shape.kernel.allSatisfy { $0 == 1 }
      && shape.strides.allSatisfy { $0 == 1 } && shape.padsBegin.allSatisfy { $0 == 0 }
      && shape.padsEnd.allSatisfy { $0 == 0 } && shape.channelsPerGroup <= singleBlockResidualDepth
  }

  /// The channels-last method for a geometry `supportsChannelsLast` accepts, with Winograd as far as `reach`.
  public static func chooseChannelsLast(_ shape: ConvShape, reach: WinogradReach) -> ConvMethod {
    if shape.channelsPerGroup == 1 { return .channelsLastDepthwise }
    if reach == .broad, hasStridedWinogradWork(shape) { return .channelsLastWinograd }
    if hasWinogradWork(shape), !isSmallWinogradPlane(shape), !isWideSmallTileWinograd(shape, reach: reach),
      shape.groups == 1 || hasGroupedWinogradWork(shape)
    {
      return .channelsLastWinograd
    }
    return .channelsLastGemm
  }

  /// Channels per group, in and out, from which a 3×3 stride-2 convolution takes the stride-2 Winograd transform
  /// (`WinogradFilter`) rather than the indirect GEMM in the `broad` reach, and the smallest output side and the most
  /// input × output channel pairs with which it does (the numbers below are its 4×4 tile). One-layer 3×3/2 + ReLU
  /// models (Zen 3, AVX2, fastest of five alternating rounds, ms, indirect GEMM → Winograd, one / two threads): 64→64
  /// at 56 px 0.64 → 0.51 / 0.32 → 0.28, 64→128 at 56 1.27 → 0.97 / 0.64 → 0.52, 96→96 at 24 0.25 → 0.20 / 0.13 → 0.11,
  /// 128→128 at 56 2.46 → 1.79 / 1.25 → 0.99, 256→256 at 28 2.41 → 1.99 / 1.28 → 1.05, 512→512 at 28 10.8 → 7.8 / 5.5 →
  /// 3.9; but 32→32 at 56 0.17 → 0.16 / 0.086 → 0.095, 32→64 at 28 0.082 → 0.094, 16→32 at 112 0.36 → 0.40, where the
  /// transforms of a few channels cost more than the multiplications saved. In ResNet-50 (one thread): layer2.0's
  /// 128-channel 3×3/2 2.49 → 1.86 ms, layer3.0's 256-channel 2.52 → 2.11.
  public static let stridedWinogradMinimumChannels = 64
  /// The output side from which the channel range above applies. Under it the transform takes 2×2 tiles
  /// (`WinogradFilter.stridedOutputTile`) on an output of at least `stridedWinogradSmallPlaneSide` on a side
  /// with `stridedSmallPlaneWinogradChannelPairs`; the indirect GEMM runs the others.
  public static let stridedWinogradMinimumSide = 12
  /// A 7×7 output is 16 tiles of 2×2: 400 products per channel pair against the direct sum's 441, but
  /// multiply-adds of a GEMM of 16 rows rather than 49 (the indirect GEMM's row groups of six leave one row
  /// over) and 16/9 of the filters' bytes. One-layer 3×3/2 + ReLU models at 7×7 out (Zen 3, one thread,
  /// fastest of three, ms, indirect GEMM → Winograd): 128→128 0.161 → 0.168, 256→256 0.629 → 0.602, 512→512
  /// 2.71 → 2.38, 1024→1024 13.0 → 12.4 (two threads 8.26 → 6.44); 96→96 at 10×10 0.177 → 0.254. In the
  /// network, where the weights come from memory (`ab_steps.py` paired rounds, Winograd ÷ indirect GEMM):
  /// ResNet-50's layer4.0 512→512 0.757 / 0.761 of its time on one / two threads, ResNet-18's 256→512
  /// 0.844.
  public static let stridedWinogradSmallPlaneSide = 7
  /// The input × output channel pairs with which such an output takes the 2×2 tile: from 256 → 256 (4 % faster
  /// alone; 128 → 128 was 4 % slower) to the widest measured.
  public static let stridedSmallPlaneWinogradChannelPairs = (256 * 256)...(1024 * 1024)
  /// Its transformed weights are 4× the filters and come from L3 or memory on every run: up to the widest
  /// layer measured.
  public static let stridedWinogradMaximumChannelPairs = 512 * 512

  /// A 3×3 stride-2 window of one group whose output takes 4×4 tiles and whose channels are in the range above.
  private static func hasStridedWinogradWork(_ shape: ConvShape) -> Bool {
    guard shape.allowsWinograd, shape.isStridedWinogradShape, shape.groups == 1,
      min(shape.channelsPerGroup, shape.outputChannelsPerGroup) >= stridedWinogradMinimumChannels,
      min(shape.output[1], shape.output[2]) >= stridedWinogradSmallPlaneSide
    else { return false }
    let (pairs, overflow) = shape.channelsPerGroup.multipliedReportingOverflow(by: shape.outputChannelsPerGroup)
    guard !overflow else { return false }
    guard min(shape.output[1], shape.output[2]) >= stridedWinogradMinimumSide else {
      return stridedSmallPlaneWinogradChannelPairs.contains(pairs)
    }
    return pairs <= stridedWinogradMaximumChannelPairs
  }

  /// Input × output channels per group from which a channels-last convolution whose Winograd would take the
  /// small F(2×2) tile (an output under 12 on a side: ResNet's 7×7 stage) runs as the indirect GEMM instead.
  /// There Winograd saves the least and costs the most bytes: a 7×7 plane pads to 4×4 tiles, so 256 products
  /// per channel pair replace 441 (1.7x fewer), while the transformed weights are 16/9 of the filters and,
  /// this wide, come from L3 or memory on every run. Chains of eight 3×3 + ReLU layers at 7×7 (Sapphire
  /// Rapids, one thread, fastest of alternating rounds, Winograd → indirect GEMM): 256 channels 2.72 → 3.20
  /// ms, 384 6.50 → 6.80 (medians 7.54 → 7.44), 512 14.3 → 13.5; ResNet-18's three 512-channel layers in the
  /// network 5.48 → 5.13 ms. But on Zen 4 (AVX-512 on 256-bit units, where the GEMM's multiply-adds cost
  /// twice as much against the memory traffic) Winograd wins by a third at these widths: chains of four 3×3 +
  /// ReLU layers at 7×7, medians of three alternating rounds, Winograd ← indirect GEMM, one / two threads:
  /// 512 channels 6.71 ← 9.16 / 6.06 ← 7.79 ms, 768 13.6 ← 19.9 / 8.86 ← 12.5; ResNet-18 22.4 → 20.6 / 11.9
  /// → 11.1 ms, ResNet-50's two 512-channel layers 2.17 → 1.49 ms each. A third faster on one machine against
  /// 6 % slower on the other: Winograd up to 1024 × 1024 pairs (not measured there; the plan grows by 7/9 of
  /// such a layer's filters: ResNet-18's 75 → 97 MB, ResNet-50's 144 → 159 MB).
  /// That is the `broad` reach (`WinogradReach`); the `narrow` one, for machines where the GEMM's multiply-adds
  /// are cheap, takes the indirect GEMM from `narrowSmallTileWinogradChannelPairs`.
  public static let wideSmallTileWinogradChannelPairs = 1024 * 1024
  /// Where the 384-channel chains above ran even and the 256-channel ones a sixth slower as the GEMM
  /// (Sapphire Rapids, before its weight hints were spread over the tiles).
  public static let narrowSmallTileWinogradChannelPairs = 384 * 384

  /// A Winograd shape whose output plane takes F(2×2) tiles and whose channels per group reach `reach`'s
  /// threshold: `wideSmallTileWinogradChannelPairs` or `narrowSmallTileWinogradChannelPairs`.
  public static func isWideSmallTileWinograd(_ shape: ConvShape, reach: WinogradReach) -> Bool {
    guard shape.isWinogradShape,
      WinogradFilter.outputTile(outputHeight: shape.output[1], outputWidth: shape.output[2]) == 2
    else { return false }
    let (pairs, overflow) = shape.channelsPerGroup.multipliedReportingOverflow(by: shape.outputChannelsPerGroup)
    let threshold = reach == .broad ? wideSmallTileWinogradChannelPairs : narrowSmallTileWinogradChannelPairs
    return overflow || pairs >= threshold
  }

  /// Channels-last Winograd on a plane of fewer F(2×2) tiles than this (a 5×5 or 6×6 output: 9) needs
  /// `smallWinogradPlaneMinimumChannels` input channels per group; below that the indirect GEMM is faster,
  /// the transforms of nine tiles costing more than the multiplications they save. One-layer models
  /// (3×3 + ReLU, one thread, ms, Winograd → indirect GEMM) at 5×5: 48→192 0.025 → 0.019, 64→256 0.039 →
  /// 0.033, 96→96 0.024 → 0.018, 96→384 0.080 → 0.073 (SqueezeNet's last fire modules at 96 px); but 160→160
  /// at 6×6 0.051 → 0.064 and 512→512 at 5×5 0.46 → 0.53. From 16 tiles (7×7) Winograd was as fast or faster
  /// from 64 channels (64→64 0.017 → 0.016, 96→96 0.030 → 0.033, 256→256 0.18 → 0.24).
  public static let smallWinogradPlaneTiles = 12
  public static let smallWinogradPlaneMinimumChannels = 128

  private static func isSmallWinogradPlane(_ shape: ConvShape) -> Bool {
    guard shape.output.count == 3, shape.channelsPerGroup < smallWinogradPlaneMinimumChannels else { return false }
    let tiles = ((shape.output[1] + 1) / 2).multipliedReportingOverflow(by: (shape.output[2] + 1) / 2)
    return !tiles.overflow && tiles.partialValue < smallWinogradPlaneTiles
  }

  /// Output positions × input channels per group from which a grouped convolution takes channels-last
  /// Winograd rather than the indirect GEMM. Each group's frequencies are GEMMs of one row per tile and a
  /// reduction of one group's channels, too small to pay for the transforms on a small plane. One-layer
  /// models, one thread, ms, Winograd → indirect GEMM: 16 channels per group at 7x7 (RegNetX-400MF's last
  /// stage) 0.10–0.15 → 0.052, at 14x14 0.107 → 0.078, at 28x28 0.52 → 0.53, at 56x56 1.00 → 1.48; 32 at
  /// 7x7 0.057 → 0.041, at 14x14 0.153 → 0.147; 64 at 7x7 0.154 → 0.138, at 14x14 0.40 → 0.52; 128 at 7x7
  /// 0.47 → 0.52. The threshold is that last shape, 49 × 128.
  public static let groupedWinogradMinimumWork = 49 * 128

  private static func hasGroupedWinogradWork(_ shape: ConvShape) -> Bool {
    var work = shape.channelsPerGroup
    for size in shape.output {
      let (product, overflow) = work.multipliedReportingOverflow(by: size)
      if overflow { return true }
      work = product
    }
    return work >= groupedWinogradMinimumWork
  }

  /// The layout the runtime reads a step's constant weights in, given the `recorded` one the plan declares:
  /// `weightLayout` with the Winograd tile the compiler chose (`WinogradTilePolicy`) when the recorded
  /// layout is a Winograd transform, so a plan compiled with `--winograd-tile` is used in place; the
  /// geometry's tile otherwise (weights stored untransformed are transformed at load for it).
  public func weightLayout(_ shape: ConvShape, widths: PanelWidths, recorded: PanelLayout?) -> PanelLayout? {
    let policy = recorded.flatMap { WinogradTilePolicy(outputTile: $0.winogradOutputTile) } ?? .automatic
    return weightLayout(shape, widths: widths, winogradTile: policy)
  }

  /// The panels this method reads constant weights `[M, C/g, k...]` in (Winograd's: transformed for the tile
  /// `winogradTile` picks, then in panels), or nil when it reads them as they are.
  public func weightLayout(
    _ shape: ConvShape, widths: PanelWidths, winogradTile: WinogradTilePolicy = .automatic
  ) -> PanelLayout? {
    guard let volume = shape.kernelVolume else { return nil }
    let (depth, overflow) = shape.channelsPerGroup.multipliedReportingOverflow(by: volume)
    let (matrixFloats, tooMany) = depth.multipliedReportingOverflow(by: shape.outputChannelsPerGroup)
    guard !overflow, !tooMany else { return nil }
    let width: Int
    switch self {
    case .depthwise, .channelsLastDepthwise: return nil
    case .winograd, .channelsLastWinograd:
      let strided = shape.isStridedWinogradShape
      let (height, width) = (shape.output[1], shape.output[2])
      return WinogradFilter.layout(
        outputTile: strided
          ? winogradTile.stridedOutputTile(outputHeight: height, outputWidth: width)
          : winogradTile.outputTile(outputHeight: height, outputWidth: width),
        stride: strided ? 2 : 1, groups: shape.groups, rows: shape.outputChannelsPerGroup, depth: shape.channelsPerGroup,
        width: self == .winograd ? widths.gemmRows : widths.directConvLanes)
    case .direct, .fewPositions, .channelsLastGemm, .channelsLastGrid, .channelsLastPointwise:
      width = widths.directConvLanes
    case .grid, .pointwise, .subsampled, .im2col: width = widths.gemmRows
    }
    return PanelLayout(
      width: width, matrices: shape.groups, rows: shape.outputChannelsPerGroup, depth: depth,
      matrixStride: matrixFloats, rowStride: depth, depthStride: 1)
  }
}
